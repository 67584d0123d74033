# Terraform 1.12 and later: import a project by its identity, the project ID.
import {
  to = comwit_project.shop
  identity = {
    id = "my-project-id"
  }
}

resource "comwit_project" "shop" {
  name = "shop"
}
