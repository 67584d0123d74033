# The storages of a project (without `project_id`: in the provider's default project).
# `terraform query -generate-config-out=generated.tf` writes an import block and a resource
# block for each, which `terraform apply` then imports.
list "comwit_storage" "all" {
  provider = comwit

  config {
    project_id = "prj_0123456789abcdef"
  }
}
