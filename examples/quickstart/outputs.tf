output "project_id" {
  value = data.comwit_project.demo.id
}

output "database_id" {
  value = comwit_database.main.database_id
}

output "database_token" {
  description = "The database token shown once when the database was made (null after import)."
  value       = comwit_database.main.database_token
  sensitive   = true
}

output "database_url" {
  description = "The database's libSQL URL (Hrana over HTTP); connect with a database token."
  value       = comwit_database.main.database_url
}

output "app_url" {
  description = "Where the app answers."
  value       = comwit_app.web.default_url
}

output "active_build_id" {
  description = "The build serving traffic: the last deploy of ./site."
  value       = comwit_app.web.active_build_id
}

output "source_sha256" {
  description = "Digest of the deployed package (a zstd tar of site/)."
  value       = comwit_app.web.source_sha256
}

output "www_url" {
  description = "The app's custom hostname (Automatic DNS)."
  value       = "https://${comwit_app_hostname.www.hostname}"
}

output "www_status" {
  description = "active once Comwit has written and seen its DNS records."
  value       = comwit_app_hostname.www.status
}

output "name_servers" {
  description = "Set these at your domain's registrar to delegate it to Comwit."
  value       = comwit_domain.main.name_servers
}
