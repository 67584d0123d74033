# Ask the registrar about a name without buying it.
data "comwit_domain_availability" "shop" {
  domain = "my-shop.com"
  years  = 2
}

output "shop" {
  value = data.comwit_domain_availability.shop.available ? "${data.comwit_domain_availability.shop.price} ${data.comwit_domain_availability.shop.currency} for 2 years" : "not available: ${data.comwit_domain_availability.shop.reason}"
}
