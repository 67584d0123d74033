# Every project your token's user is a member of. `terraform query` prints them;
# `terraform query -generate-config-out=generated.tf` writes an import block and a resource
# block for each, which `terraform apply` then imports.
list "comwit_project" "all" {
  provider = comwit
}

# Only the project named "shop".
list "comwit_project" "shop" {
  provider = comwit

  config {
    name = "shop"
  }
}
