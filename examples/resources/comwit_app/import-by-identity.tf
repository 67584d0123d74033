# Terraform 1.12 and later: import an app by its identity. `project_id` may be left out to
# use the provider's default project.
import {
  to = comwit_app.web
  identity = {
    project_id = "my-project-id"
    app_id     = "app-xxx"
  }
}

resource "comwit_app" "web" {
  project_id = "my-project-id"
  name       = "web"
  env = {
    NODE_ENV = "production"
  }
}
