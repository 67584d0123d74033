terraform {
  required_providers {
    comwit = {
      source = "comwit/comwit"
    }
  }
}

# The token comes from the COMWIT_TOKEN environment variable (create one with `comwit login`
# or in the console). project_id is the default project of the resources that take one; it
# falls back to COMWIT_PROJECT_ID.
provider "comwit" {
  project_id = var.project_id

  # Transient failures (429, 5xx, lost connections) are retried for up to this long per call.
  retry_max_elapsed = "5m"
}

variable "project_id" {
  type        = string
  description = "The project to manage, such as prj_0123456789abcdef."
}

resource "comwit_database" "orders" {
  name = "orders"
}

data "comwit_token" "current" {}

output "token_scopes" {
  value = data.comwit_token.current.scopes
}
