# Who the provider's token belongs to, and what it may do: handy when an operation is
# refused with a 403.
data "comwit_token" "current" {}

output "token_user" {
  value = data.comwit_token.current.name
}

output "token_scopes" {
  value = data.comwit_token.current.scopes
}
