# Quickstart: a database and an app deployed from ./site, in a project you already have.
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

# Projects are made in the console (or with `comwit`); the quickstart uses one you have.
data "comwit_project" "demo" {
  id = var.project_id
}

resource "comwit_database" "main" {
  project_id = data.comwit_project.demo.id
  name       = "main"

  # Lets `terraform destroy` remove this demo database; keep protection on for real data.
  deletion_protection = false
}

resource "comwit_app" "web" {
  project_id = data.comwit_project.demo.id
  name       = "web"

  # A brrrd build folder (manifest.json and static/): packed into a zstd tar and deployed on
  # apply whenever a file under site/ changes.
  source_dir = "${path.module}/site"

  # Plain variables: the platform stores plain values only (no secret env yet). The
  # database's token is an output (sensitive); hand it to the app the way you keep secrets.
  env = {
    DATABASE_URL = comwit_database.main.database_url
    GREETING     = var.greeting
  }
}

# Automatic DNS: the domain is onboarded in the project (set its name_servers at your
# registrar), and Comwit writes the hostname's records into its zone itself.
resource "comwit_domain" "main" {
  project_id = data.comwit_project.demo.id
  domain     = var.domain
}

resource "comwit_app_hostname" "www" {
  project_id = data.comwit_project.demo.id
  app_id     = comwit_app.web.app_id
  hostname   = "www.${comwit_domain.main.domain}"
  dns_mode   = "automatic"
  domain     = comwit_domain.main.domain
}
