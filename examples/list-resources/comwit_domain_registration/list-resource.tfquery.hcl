# The domains a project registered (without `project_id`: in the provider's default project).
# `terraform query -generate-config-out=generated.tf` writes an import block and a resource
# block for each, which `terraform apply` then imports without buying anything.
list "comwit_domain_registration" "all" {
  provider = comwit

  config {
    project_id = "prj_0123456789abcdef"
  }
}
