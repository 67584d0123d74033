# A project, and a database and an app that it owns. A project can only be deleted once it is
# empty: `terraform destroy` removes the app and the database first (the database once its
# deletion_protection is turned off).
resource "comwit_project" "shop" {
  name = "shop"
}

resource "comwit_database" "orders" {
  project_id = comwit_project.shop.id
  name       = "orders"
}

resource "comwit_app" "web" {
  project_id = comwit_project.shop.id
  name       = "web"
  runtime    = "next"
}

output "project_id" {
  value = comwit_project.shop.id
}
