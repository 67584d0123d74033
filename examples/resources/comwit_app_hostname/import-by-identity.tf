# Terraform 1.12 and later: import a hostname by its identity. `project_id` may be left out
# to use the provider's default project.
import {
  to = comwit_app_hostname.www
  identity = {
    project_id = "prj_0123456789abcdef"
    app_id     = "app_0123456789abcdef"
    hostname   = "www.example.org"
  }
}

resource "comwit_app_hostname" "www" {
  project_id = "prj_0123456789abcdef"
  app_id     = "app_0123456789abcdef"
  hostname   = "www.example.org"
  dns_mode   = "manual"
}
