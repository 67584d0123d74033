# The custom hostnames of every app of a project. `terraform query
# -generate-config-out=generated.tf` writes an import block and a resource block for each,
# which `terraform apply` then imports (with the hostname's dns_mode and, for Automatic DNS,
# its domain).
list "comwit_app_hostname" "all" {
  provider = comwit

  config {
    project_id = "prj_0123456789abcdef"
  }
}

# Only those of one app.
list "comwit_app_hostname" "web" {
  provider = comwit

  config {
    project_id = "prj_0123456789abcdef"
    app_id     = "app_0123456789abcdef"
  }
}
