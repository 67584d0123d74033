# Onboard a domain for delegated DNS in the provider's default project.
resource "comwit_domain" "main" {
  domain = "example.com"
}

# Set these at the domain's registrar; the domain turns `active` once the delegation is seen.
output "name_servers" {
  value = comwit_domain.main.name_servers
}
