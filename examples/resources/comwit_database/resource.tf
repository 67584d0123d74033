# A database in the provider's default project. It is protected from deletion: to destroy or
# replace it, first set deletion_protection = false and apply.
resource "comwit_database" "orders" {
  name = "orders"

  # Change any value to rotate the one-time database token in place (the old one stops
  # working).
  token_rotation_trigger = {
    rotated = "2026-12"
  }
}

# A database in a given project, that Terraform may delete, waiting up to 20 minutes while it
# is `creating`.
resource "comwit_database" "scratch" {
  project_id          = "my-project-id"
  name                = "scratch"
  deletion_protection = false

  timeouts {
    create = "20m"
  }
}

# A copy of `orders` as it was at a point in time (point-in-time restore): a new database, the
# source untouched. Exactly one of timestamp, generation (see the
# comwit_database_restore_points data source) and alias. A new point replaces the copy.
resource "comwit_database" "orders_before_migration" {
  name                = "orders-before-migration"
  deletion_protection = false

  restore_from = {
    database_id = comwit_database.orders.database_id
    timestamp   = "2026-12-01T09:30:00Z"
  }
}

# A database that starts with the data of a SQLite file (uploaded once, at create). The file is
# checked at plan; a file with other content later replaces the database.
resource "comwit_database" "catalog" {
  name                = "catalog"
  deletion_protection = false
  seed_file           = "${path.module}/catalog.sqlite"
}

output "orders_url" {
  value = comwit_database.orders.database_url
}

# The database's token, shown once by the platform: null after an import. Connect at
# `<database_url>/v3/pipeline` (libSQL over HTTP) with it.
output "orders_token" {
  value     = comwit_database.orders.database_token
  sensitive = true
}
