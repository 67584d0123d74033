# The databases of a project (without `project_id`: of the provider's default project).
# `terraform query -generate-config-out=generated.tf` writes an import block and a resource
# block for each; the generated blocks keep them protected (deletion_protection = true).
list "comwit_database" "shop" {
  provider = comwit
  limit    = 500

  config {
    project_id = "my-project-id"
  }
}
