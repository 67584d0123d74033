# Quickstart: a project with a database and an app deployed from ./site.
#
# The provider reads COMWIT_TOKEN and COMWIT_API_URL from the environment, so the same
# configuration runs against Comwit Cloud or a local comwit-local (see README.md).

terraform {
  required_version = ">= 1.11"
  required_providers {
    comwit = {
      source = "comwit/comwit"
    }
  }
}

provider "comwit" {}

resource "comwit_project" "demo" {
  name = var.project_name
}

resource "comwit_database" "main" {
  project_id = comwit_project.demo.id
  name       = "main"

  # Lets `terraform destroy` remove this demo database; keep protection on for real data.
  deletion_protection = false
}

# A database token for the app: minted when Terraform opens it, never stored in a plan or the
# state. The app keeps it (Terraform does not revoke it) for 30 days; each plan and apply mints
# one, valid until it expires, and the app keeps the one it was last sent.
ephemeral "comwit_database_token" "app" {
  project_id      = comwit_project.demo.id
  database_id     = comwit_database.main.database_id
  expires_in      = "720h"
  revoke_on_close = false
}

resource "comwit_app" "web" {
  project_id = comwit_project.demo.id
  name       = "web"
  runtime    = "isolate"

  # Deployed on apply whenever a file under site/ changes.
  source_dir = "${path.module}/site"

  env = {
    DATABASE_URL = comwit_database.main.database_url
    GREETING     = var.greeting
  }

  # Write-only: sent to the platform, never stored in the plan or the state.
  secret_env_wo = {
    SESSION_SECRET = var.session_secret
    DATABASE_TOKEN = ephemeral.comwit_database_token.app.token
  }
  # The token is new on every run: that alone is not a change to send.
  secret_env_wo_rotating = ["DATABASE_TOKEN"]
  # Increase to send the secrets again (a fresh DATABASE_TOKEN among them).
  secret_env_wo_version = 1
}

# Automatic DNS: the domain is onboarded in the project (set its name_servers at your
# registrar), and Comwit writes the hostname's records into its zone itself.
resource "comwit_domain" "main" {
  project_id = comwit_project.demo.id
  domain     = var.domain
}

resource "comwit_app_hostname" "www" {
  project_id = comwit_project.demo.id
  app_id     = comwit_app.web.app_id
  hostname   = "www.${comwit_domain.main.domain}"
  dns_mode   = "automatic"
  domain     = comwit_domain.main.domain
}
