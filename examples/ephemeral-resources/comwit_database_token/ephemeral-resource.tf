resource "comwit_database" "orders" {
  name = "orders"
}

# A token the app keeps: never revoked by Terraform, valid for 30 days. Every plan and apply
# that opens it mints one (each valid until it expires); the app keeps the one it was sent.
ephemeral "comwit_database_token" "app" {
  database_id     = comwit_database.orders.database_id
  expires_in      = "720h"
  revoke_on_close = false
}

resource "comwit_app" "web" {
  name    = "web"
  runtime = "next"

  env = {
    DATABASE_URL = comwit_database.orders.database_url
  }

  # Write-only: the token is sent to the app, never stored in the plan or the state.
  secret_env_wo = {
    DATABASE_TOKEN = ephemeral.comwit_database_token.app.token
  }
  # A new token every run is not a change...
  secret_env_wo_rotating = ["DATABASE_TOKEN"]
  # ...until this is increased: then the app gets this run's token (rotate before 30 days).
  secret_env_wo_version = 1
}

# A token for the run itself (the default): read-only here, revoked when Terraform is done.
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
