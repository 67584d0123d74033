# Terraform 1.12 and later: import a registration by its identity. `project_id` may be left out
# to use the provider's default project.
import {
  to = comwit_domain_registration.shop
  identity = {
    project_id = "prj_0123456789abcdef"
    domain     = "my-shop.com"
  }
}

resource "comwit_domain_registration" "shop" {
  project_id = "prj_0123456789abcdef"
  domain     = "my-shop.com"
  years      = 2
  max_price  = 30
}
