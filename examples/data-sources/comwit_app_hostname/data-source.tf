data "comwit_app_hostname" "www" {
  app_id   = "app_0123456789abcdef"
  hostname = "www.example.org"
}

output "www" {
  value = {
    status  = data.comwit_app_hostname.www.status
    records = data.comwit_app_hostname.www.dns_records
  }
}
