# Buy a domain for two years in the provider's default project. The plan shows `price` and
# `currency`; it fails, and nothing is bought, if the price is above `max_price`.
resource "comwit_domain_registration" "shop" {
  domain     = "my-shop.com"
  years      = 2
  auto_renew = true
  max_price  = 30

  # A registration cannot be undone: destroy only turns auto-renewal off.
  lifecycle {
    prevent_destroy = true
  }
}

# The registered domain is a project domain at once: serve an app on it with Automatic DNS.
resource "comwit_app_hostname" "www" {
  app_id   = "app_0123456789abcdef"
  hostname = "www.my-shop.com"
  dns_mode = "automatic"
  domain   = comwit_domain_registration.shop.domain
}

output "expires_at" {
  value = comwit_domain_registration.shop.expires_at
}
