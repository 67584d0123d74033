# Look an app up by name in the provider's default project...
data "comwit_app" "web" {
  name = "web"
}

# ...or by ID in a given project.
data "comwit_app" "by_id" {
  project_id = "my-project-id"
  app_id     = "app-xxx"
}

output "web_domain" {
  value = data.comwit_app.web.default_domain
}

output "web_secret_names" {
  value = data.comwit_app.web.secret_env_names
}
