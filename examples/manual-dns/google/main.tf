# A Manual DNS hostname whose records are published in a Google Cloud DNS managed zone.

terraform {
  required_providers {
    comwit = {
      source = "comwit/comwit"
    }
    google = {
      source  = "hashicorp/google"
      version = "~> 6.0"
    }
  }
}

variable "project_id" {
  type = string
}

variable "google_project" {
  type = string
}

variable "managed_zone" {
  description = "The Cloud DNS managed zone of example.org."
  type        = string
}

provider "comwit" {
  project_id = var.project_id
}

provider "google" {
  project = var.google_project
}

resource "comwit_app" "web" {
  name = "web"
}

resource "comwit_app_hostname" "www" {
  app_id   = comwit_app.web.app_id
  hostname = "www.example.org"
  dns_mode = "manual"
}

resource "google_dns_record_set" "comwit" {
  for_each = comwit_app_hostname.www.dns_records

  managed_zone = var.managed_zone
  # Cloud DNS wants absolute names (trailing dot), quoted TXT data and absolute CNAME targets.
  name = "${each.value.name}."
  type = each.value.type
  rrdatas = [
    each.value.type == "TXT" ? "\"${each.value.value}\"" :
    each.value.type == "CNAME" ? "${each.value.value}." : each.value.value
  ]
}

resource "comwit_app_hostname_verification" "www" {
  app_id       = comwit_app.web.app_id
  hostname     = comwit_app_hostname.www.hostname
  record_fqdns = [for r in google_dns_record_set.comwit : r.name]
}
