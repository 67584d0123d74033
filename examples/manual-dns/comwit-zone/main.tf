# Manual DNS where the "other DNS provider" is a Comwit zone in a second project, plus an
# Automatic DNS hostname: runs against comwit-local, in one `terraform apply` from an empty
# state (the acceptance tests apply this very file).
#
#   terraform apply -var project_id=prj_... -var dns_project_id=prj_...

terraform {
  required_providers {
    comwit = {
      source = "comwit/comwit"
    }
  }
}

variable "project_id" {
  description = "The project of the app."
  type        = string
}

variable "dns_project_id" {
  description = "A second project, whose zone publishes the Manual DNS records."
  type        = string
}

variable "zone" {
  description = "The domain onboarded in the second project; the Manual DNS hostname is www.<zone>."
  type        = string
  default     = "example.com"
}

variable "automatic_domain" {
  description = "The domain onboarded in the app's project for the Automatic DNS hostname."
  type        = string
  default     = "example.net"
}

provider "comwit" {
  project_id = var.project_id
}

resource "comwit_app" "web" {
  name = "web"
}

# --- Manual DNS: Comwit says which records to publish...
resource "comwit_app_hostname" "www" {
  app_id   = comwit_app.web.app_id
  hostname = "www.${var.zone}"
  dns_mode = "manual"
}

# ...and another DNS provider publishes them: here the zone of a second project.
resource "comwit_domain" "zone" {
  project_id = var.dns_project_id
  domain     = var.zone
}

resource "comwit_domain_record" "www" {
  # Keys, names and types are known at plan time: no -target needed.
  for_each = comwit_app_hostname.www.dns_records

  project_id = var.dns_project_id
  domain     = comwit_domain.zone.domain
  name       = each.value.name
  type       = each.value.type
  values     = [each.value.value]
}

# Waits until Comwit has found both records: the hostname is then active.
resource "comwit_app_hostname_verification" "www" {
  app_id       = comwit_app.web.app_id
  hostname     = comwit_app_hostname.www.hostname
  record_fqdns = [for r in comwit_domain_record.www : r.fqdn]

  timeouts {
    create = "2m"
  }
}

# --- Automatic DNS: Comwit writes the records into a project domain's zone.
resource "comwit_domain" "apps" {
  domain = var.automatic_domain
}

resource "comwit_app_hostname" "app" {
  app_id   = comwit_app.web.app_id
  hostname = "app.${comwit_domain.apps.domain}"
  dns_mode = "automatic"
  domain   = comwit_domain.apps.domain
}

output "www_records" {
  value = comwit_app_hostname.www.dns_records
}

output "name_servers" {
  description = "Set at the registrars of the two domains."
  value = {
    (comwit_domain.zone.domain) = comwit_domain.zone.name_servers
    (comwit_domain.apps.domain) = comwit_domain.apps.name_servers
  }
}
