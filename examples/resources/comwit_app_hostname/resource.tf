resource "comwit_app" "web" {
  name = "web"
}

# Manual DNS: publish dns_records at the DNS provider that hosts example.org. The keys, names
# and types are known at plan time, so for_each works in the first apply (see
# examples/manual-dns for Cloudflare, Route 53, Google Cloud DNS and RFC 2136 servers).
resource "comwit_app_hostname" "www" {
  app_id   = comwit_app.web.app_id
  hostname = "www.example.org"
  dns_mode = "manual"
}

output "records_to_publish" {
  value = comwit_app_hostname.www.dns_records
}

# Automatic DNS: Comwit writes the records into the zone of a project domain.
resource "comwit_domain" "main" {
  domain = "example.com"
}

resource "comwit_app_hostname" "app" {
  app_id   = comwit_app.web.app_id
  hostname = "app.example.com"
  dns_mode = "automatic"
  domain   = comwit_domain.main.domain

  timeouts {
    create = "5m"
  }
}
