# Name the point just before a risky migration, so that a restore can name it and the
# platform keeps its generation.
resource "comwit_database_alias" "before_orders" {
  database_id = comwit_database.app.database_id
  alias       = "before-orders"
  timestamp   = "2026-12-01T09:30:00Z"
}

# Or a generation, from the comwit_database_restore_points data source.
resource "comwit_database_alias" "launch" {
  database_id = comwit_database.app.database_id
  alias       = "launch"
  generation  = data.comwit_database_restore_points.app.restore_points[0].generation_id
}

# A copy of the database at the alias.
resource "comwit_database" "before_orders" {
  name = "app-before-orders"
  restore_from = {
    database_id = comwit_database.app.database_id
    alias       = comwit_database_alias.before_orders.alias
  }
}
