# Terraform 1.12 and later: import an app by its identity. `project_id` may be left out to
# use the provider's default project. Without `secret_env_wo` the app's secrets stay as they
# are on the platform; configure them (same values: the plan stays empty) to manage them.
import {
  to = comwit_app.web
  identity = {
    project_id = "prj_0123456789abcdef"
    app_id     = "app_0123456789abcdef"
  }
}

resource "comwit_app" "web" {
  project_id = "prj_0123456789abcdef"
  name       = "web"
  runtime    = "next"
  env = {
    NODE_ENV = "production"
  }
}
