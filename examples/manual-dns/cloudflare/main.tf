# A Manual DNS hostname whose records are published in a Cloudflare zone.

terraform {
  required_providers {
    comwit = {
      source = "comwit/comwit"
    }
    cloudflare = {
      source  = "cloudflare/cloudflare"
      version = "~> 5.0"
    }
  }
}

variable "project_id" {
  type = string
}

variable "cloudflare_zone_id" {
  description = "The Cloudflare zone that hosts example.org."
  type        = string
}

provider "comwit" {
  project_id = var.project_id
}

# Reads CLOUDFLARE_API_TOKEN.
provider "cloudflare" {}

resource "comwit_app" "web" {
  name = "web"
}

resource "comwit_app_hostname" "www" {
  app_id   = comwit_app.web.app_id
  hostname = "www.example.org"
  dns_mode = "manual"
}

resource "cloudflare_dns_record" "comwit" {
  for_each = comwit_app_hostname.www.dns_records

  zone_id = var.cloudflare_zone_id
  name    = each.value.name
  type    = each.value.type
  content = each.value.value
  # Comwit must see its own edge behind the name, not Cloudflare's proxy.
  proxied = false
}

resource "comwit_app_hostname_verification" "www" {
  app_id       = comwit_app.web.app_id
  hostname     = comwit_app_hostname.www.hostname
  record_fqdns = [for r in cloudflare_dns_record.comwit : r.name]
}
