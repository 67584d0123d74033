terraform {
  required_providers {
    comwit = {
      source = "comwit/comwit"
    }
  }
}

# The token comes from `token`, else the COMWIT_TOKEN environment variable, else the official
# CLI's login file (written by `comwit login`: $COMWIT_CONFIG, else
# $XDG_CONFIG_HOME/comwit/config.json, else ~/.config/comwit/config.json). project_id is the
# default project of the resources that take one; it falls back to COMWIT_PROJECT, then to the
# login file's default_project.
provider "comwit" {
  project_id = var.project_id

  # Transient failures (429, 5xx, lost connections) are retried for up to this long per call.
  retry_max_elapsed = "5m"
}

variable "project_id" {
  type        = string
  description = "The project to manage (its ID as the console shows it)."
}

resource "comwit_database" "orders" {
  name = "orders"
}

data "comwit_projects" "all" {}

output "projects" {
  value = data.comwit_projects.all.projects
}
