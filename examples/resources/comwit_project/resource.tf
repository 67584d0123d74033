# Projects are made in the Comwit console: the public API only lists them. Use an existing one
# with the `comwit_project` data source (or adopt it with `terraform import`).
data "comwit_project" "shop" {
  name = "shop"
}

resource "comwit_database" "orders" {
  project_id = data.comwit_project.shop.id
  name       = "orders"
}

# Creating a project with the resource needs a platform route that is not public yet (an
# extension comwit-local serves); against the platform it fails with a diagnostic that says
# to create the project in the console.
resource "comwit_project" "sandbox" {
  name = "sandbox"
}

output "project_id" {
  value = data.comwit_project.shop.id
}
