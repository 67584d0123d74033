# Terraform 1.12 and later: import an applied migration by its identity. `project_id` may be
# left out to use the provider's default project.
import {
  to = comwit_database_migration.users
  identity = {
    database_id = "db-0123abcd"
    name        = "0001_users"
  }
}
