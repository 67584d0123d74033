# A database in the provider's default project. It is protected from deletion: to destroy or
# replace it, first set deletion_protection = false and apply.
resource "comwit_database" "orders" {
  name = "orders"
}

# A database in a given project, that Terraform may delete, waiting up to 20 minutes for it
# to be ready.
resource "comwit_database" "scratch" {
  project_id          = "prj_0123456789abcdef"
  name                = "scratch"
  deletion_protection = false

  timeouts {
    create = "20m"
  }
}

output "orders_url" {
  value = comwit_database.orders.database_url
}
