# Extension: minting database tokens has no public route yet. On a platform without it this
# ephemeral resource fails with "Database tokens cannot be minted on this platform"; use the
# database's one-time `database_token` (rotated with `token_rotation_trigger`) or a `cwp_`
# project token with the `database:connect` scope instead.

resource "comwit_database" "orders" {
  name = "orders"
}

# The app keeps the database's own token (public): sent as plain env, rotated by changing
# `token_rotation_trigger` on the database.
resource "comwit_app" "web" {
  name = "web"

  env = {
    DATABASE_URL   = comwit_database.orders.database_url
    DATABASE_TOKEN = comwit_database.orders.database_token
  }
}

# A short-lived read-only token for the run itself, revoked when Terraform is done.
ephemeral "comwit_database_token" "schema_check" {
  database_id = comwit_database.orders.database_id
  access      = "read_only"
  expires_in  = "15m"
}

resource "terraform_data" "check_schema" {
  triggers_replace = [comwit_database.orders.database_id]

  provisioner "local-exec" {
    command = "./scripts/check-schema.sh \"$DATABASE_URL\""
    environment = {
      DATABASE_URL   = comwit_database.orders.database_url
      DATABASE_TOKEN = ephemeral.comwit_database_token.schema_check.token
    }
  }
}
