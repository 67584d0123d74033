# Terraform 1.12 and later: import a database by its identity. `project_id` may be left out
# to use the provider's default project. An imported database is protected
# (deletion_protection = true) unless the configuration says otherwise.
import {
  to = comwit_database.orders
  identity = {
    project_id  = "my-project-id"
    database_id = "db-0123abcd"
  }
}

resource "comwit_database" "orders" {
  project_id = "my-project-id"
  name       = "orders"
}
