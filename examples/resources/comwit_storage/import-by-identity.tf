# Terraform 1.12 and later: import a storage by its identity. `project_id` may be left out to
# use the provider's default project.
import {
  to = comwit_storage.assets
  identity = {
    project_id = "prj_0123456789abcdef"
    storage_id = "stg_0123456789abcdef0123456789abcdef"
  }
}

resource "comwit_storage" "assets" {
  project_id = "prj_0123456789abcdef"
  name       = "acme-public-assets"
  public     = true
}
