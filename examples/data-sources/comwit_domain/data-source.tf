data "comwit_domain" "main" {
  domain = "example.com"
}

output "delegation" {
  value = {
    name_servers = data.comwit_domain.main.name_servers
    status       = data.comwit_domain.main.status
  }
}
