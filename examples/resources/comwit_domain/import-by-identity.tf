# Terraform 1.12 and later: import an onboarded domain by its identity. `project_id` may be
# left out to use the provider's default project.
import {
  to = comwit_domain.main
  identity = {
    project_id = "prj_0123456789abcdef"
    domain     = "example.com"
  }
}

resource "comwit_domain" "main" {
  project_id = "prj_0123456789abcdef"
  domain     = "example.com"
}
