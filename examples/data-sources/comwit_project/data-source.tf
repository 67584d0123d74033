# Look a project up by name among the projects you are a member of...
data "comwit_project" "shop" {
  name = "shop"
}

# ...or by ID.
data "comwit_project" "by_id" {
  id = "my-project-id"
}

resource "comwit_database" "orders" {
  project_id = data.comwit_project.shop.id
  name       = "orders"
}
