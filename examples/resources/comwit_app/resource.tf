# An app deployed from ./site, with plain and secret environment variables.
resource "comwit_app" "web" {
  name    = "web"
  runtime = "next"

  # Packed and deployed on apply whenever a file under site/ changes.
  source_dir = "${path.module}/site"

  env = {
    NODE_ENV = "production"
  }

  # Write-only (Terraform 1.11+): never stored in the plan or the state.
  secret_env_wo = {
    API_KEY = var.api_key
  }
  # Increase to send the secrets again.
  secret_env_wo_version = 1
}

variable "api_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

# Roll back: pin an earlier build (see the comwit_app_builds data source).
# Remove active_build_id again to roll forward to the last deploy.
resource "comwit_app" "api" {
  name            = "api"
  runtime         = "isolate"
  source_dir      = "${path.module}/api"
  active_build_id = "bld_0123456789abcdef"
}

output "url" {
  value = "https://${comwit_app.web.default_hostname}"
}
