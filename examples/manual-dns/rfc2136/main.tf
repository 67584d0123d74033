# A Manual DNS hostname whose records are published on a DNS server that accepts RFC 2136
# dynamic updates (BIND, Knot, PowerDNS...), through the hashicorp/dns provider. It has one
# resource type per record type, so the records are split by type; the types are known at
# plan time, so the `for_each` keys are too.

terraform {
  required_providers {
    comwit = {
      source = "comwit/comwit"
    }
    dns = {
      source  = "hashicorp/dns"
      version = "~> 3.4"
    }
  }
}

variable "project_id" {
  type = string
}

variable "zone" {
  description = "The zone on the DNS server."
  type        = string
  default     = "example.org"
}

variable "dns_server" {
  type = string
}

variable "tsig_secret" {
  type      = string
  sensitive = true
}

provider "comwit" {
  project_id = var.project_id
}

provider "dns" {
  update {
    server        = var.dns_server
    key_name      = "terraform."
    key_algorithm = "hmac-sha256"
    key_secret    = var.tsig_secret
  }
}

resource "comwit_app" "web" {
  name = "web"
}

resource "comwit_app_hostname" "www" {
  app_id   = comwit_app.web.app_id
  hostname = "www.${var.zone}"
  dns_mode = "manual"
}

locals {
  records = comwit_app_hostname.www.dns_records
  # hashicorp/dns takes names relative to the zone; null is the zone apex.
  relative = {
    for k, r in local.records : k => (r.name == var.zone ? null : trimsuffix(r.name, ".${var.zone}"))
  }
}

resource "dns_cname_record" "comwit" {
  for_each = { for k, r in local.records : k => r if r.type == "CNAME" }

  zone  = "${var.zone}."
  name  = local.relative[each.key]
  cname = "${each.value.value}."
}

resource "dns_a_record_set" "comwit" {
  for_each = { for k, r in local.records : k => r if r.type == "A" }

  zone      = "${var.zone}."
  name      = local.relative[each.key]
  addresses = [each.value.value]
}

resource "dns_txt_record_set" "comwit" {
  for_each = { for k, r in local.records : k => r if r.type == "TXT" }

  zone = "${var.zone}."
  name = local.relative[each.key]
  txt  = [each.value.value]
}

resource "comwit_app_hostname_verification" "www" {
  app_id   = comwit_app.web.app_id
  hostname = comwit_app_hostname.www.hostname
  record_fqdns = concat(
    [for r in dns_cname_record.comwit : "${r.name}.${var.zone}"],
    [for r in dns_a_record_set.comwit : r.name == null ? var.zone : "${r.name}.${var.zone}"],
    [for r in dns_txt_record_set.comwit : "${r.name}.${var.zone}"],
  )
}
