# Terraform 1.12 and later: import a project by its identity, the project ID.
import {
  to = comwit_project.shop
  identity = {
    id = "prj_0123456789abcdef"
  }
}

resource "comwit_project" "shop" {
  name = "shop"
}
