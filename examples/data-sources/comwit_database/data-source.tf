# Look a database up by name in the provider's default project...
data "comwit_database" "orders" {
  name = "orders"
}

# ...or by ID in a given project.
data "comwit_database" "by_id" {
  project_id  = "my-project-id"
  database_id = "db-0123abcd"
}

output "orders_url" {
  value = data.comwit_database.orders.database_url
}
