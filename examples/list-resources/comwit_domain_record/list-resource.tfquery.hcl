# The records of every domain of the provider's default project, without those that Automatic
# DNS hostnames wrote (they belong to the hostnames: import those instead).
# `terraform query -generate-config-out=generated.tf` writes an import block and a resource
# block for each, which `terraform apply` then imports.
list "comwit_domain_record" "all" {
  provider = comwit
  limit    = 1000
}

# Only the TXT records at the apex of example.com.
list "comwit_domain_record" "apex_txt" {
  provider = comwit

  config {
    domain = "example.com"
    type   = "TXT"
    name   = "@"
  }
}

# Everything in the zone of example.com, Automatic DNS records included (to look at: those
# cannot be imported as comwit_domain_record, and the query warns about them).
list "comwit_domain_record" "zone" {
  provider = comwit

  config {
    domain          = "example.com"
    include_managed = true
  }
}
