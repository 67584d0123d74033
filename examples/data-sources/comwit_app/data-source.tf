# Look an app up by name in the provider's default project...
data "comwit_app" "web" {
  name = "web"
}

# ...or by ID in a given project.
data "comwit_app" "by_id" {
  project_id = "prj_0123456789abcdef"
  app_id     = "app_0123456789abcdef"
}

output "web_hostname" {
  value = data.comwit_app.web.default_hostname
}

output "web_secret_names" {
  value = data.comwit_app.web.secret_env_names
}
