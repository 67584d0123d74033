resource "comwit_domain" "main" {
  domain = "example.com"
}

# The apex: "@" (or the domain itself).
resource "comwit_domain_record" "apex" {
  domain = comwit_domain.main.domain
  name   = "@"
  type   = "A"
  values = ["192.0.2.10", "192.0.2.11"]
  ttl    = 3600
}

# Relative, full and trailing-dot names are the same record: "www", "www.example.com" and
# "www.example.com." never show as a change.
resource "comwit_domain_record" "www" {
  domain = comwit_domain.main.domain
  name   = "www"
  type   = "CNAME"
  values = ["target.example.net"]
}

resource "comwit_domain_record" "mail" {
  domain   = comwit_domain.main.domain
  name     = "@"
  type     = "MX"
  values   = ["mx1.example.net", "mx2.example.net"]
  priority = 10
}

resource "comwit_domain_record" "spf" {
  domain = comwit_domain.main.domain
  name   = "@"
  type   = "TXT"
  values = ["v=spf1 include:example.net -all"]
}

# An alias (A_ALIAS): answered with the target's addresses; mostly used at a zone apex, where
# a CNAME cannot be (this zone's apex has A records above, so it sits at "edge" here).
resource "comwit_domain_record" "edge" {
  domain = comwit_domain.main.domain
  name   = "edge"
  type   = "A_ALIAS"
  values = ["edge.example.net"]
}
