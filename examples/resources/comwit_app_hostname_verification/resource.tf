resource "comwit_app" "web" {
  name = "web"
}

resource "comwit_app_hostname" "www" {
  app_id   = comwit_app.web.app_id
  hostname = "www.example.org"
  dns_mode = "manual"
}

# Publish the records (here in a Cloudflare zone).
resource "cloudflare_dns_record" "www" {
  for_each = comwit_app_hostname.www.dns_records

  zone_id = var.cloudflare_zone_id
  name    = each.value.name
  type    = each.value.type
  content = each.value.value
  proxied = false
}

variable "cloudflare_zone_id" {
  type = string
}

# Wait until Comwit has seen them: the hostname is then active.
resource "comwit_app_hostname_verification" "www" {
  app_id   = comwit_app.web.app_id
  hostname = comwit_app_hostname.www.hostname
  # The published names: also makes Terraform publish the records before it starts waiting.
  record_fqdns = [for r in cloudflare_dns_record.www : r.name]

  timeouts {
    create = "15m"
  }
}
