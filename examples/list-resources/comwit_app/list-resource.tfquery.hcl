# The apps of a project (without `project_id`: of the provider's default project).
# `terraform query -generate-config-out=generated.tf` writes an import block and a resource
# block for each, with the app's name and plain variables (`env`). Secrets are write-only:
# the generated blocks have no `secret_env_wo`, and an imported app's secrets stay as they
# are on the platform until a configuration sets it.
list "comwit_app" "shop" {
  provider = comwit

  config {
    project_id = "my-project-id"
  }
}
