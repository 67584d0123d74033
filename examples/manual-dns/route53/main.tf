# A Manual DNS hostname whose records are published in a Route 53 hosted zone.

terraform {
  required_providers {
    comwit = {
      source = "comwit/comwit"
    }
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
}

variable "project_id" {
  type = string
}

variable "route53_zone_id" {
  description = "The hosted zone of example.org."
  type        = string
}

provider "comwit" {
  project_id = var.project_id
}

provider "aws" {
  region = "us-east-1"
}

resource "comwit_app" "web" {
  name = "web"
}

resource "comwit_app_hostname" "www" {
  app_id   = comwit_app.web.app_id
  hostname = "www.example.org"
  dns_mode = "manual"
}

resource "aws_route53_record" "comwit" {
  for_each = comwit_app_hostname.www.dns_records

  zone_id = var.route53_zone_id
  name    = each.value.name
  type    = each.value.type
  # The AWS provider adds the quotes around TXT values itself.
  records = [each.value.value]
}

resource "comwit_app_hostname_verification" "www" {
  app_id       = comwit_app.web.app_id
  hostname     = comwit_app_hostname.www.hostname
  record_fqdns = [for r in aws_route53_record.comwit : r.fqdn]
}
