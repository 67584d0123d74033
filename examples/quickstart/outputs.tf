output "project_id" {
  value = comwit_project.demo.id
}

output "app_url" {
  description = "Where the app answers."
  value       = "https://${comwit_app.web.default_hostname}"
}

output "active_build_id" {
  description = "The build serving traffic: the last deploy of ./site."
  value       = comwit_app.web.active_build_id
}

output "source_sha256" {
  description = "Digest of the deployed bundle."
  value       = comwit_app.web.source_sha256
}
