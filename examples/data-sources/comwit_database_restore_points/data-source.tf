# The points in a database's history the platform can restore from, and its aliases.
data "comwit_database_restore_points" "app" {
  database_id = comwit_database.app.database_id
}

output "newest_generation" {
  value = data.comwit_database_restore_points.app.restore_points[length(data.comwit_database_restore_points.app.restore_points) - 1].generation_id
}

output "aliases" {
  value = { for a in data.comwit_database_restore_points.app.aliases : a.alias => a.target_value }
}
