# Every record of the zone, including those Automatic DNS hostnames manage.
data "comwit_domain_records" "all" {
  domain = "example.com"
}

# Only the TXT records at the apex.
data "comwit_domain_records" "apex_txt" {
  domain = "example.com"
  name   = "@"
  type   = "TXT"
}

output "managed_by_hostnames" {
  value = { for r in data.comwit_domain_records.all.records : r.name => r.managed_by if r.managed_by != null }
}
