# Import a registration by its domain (in the provider's default project)...
terraform import comwit_domain_registration.shop my-shop.com
# ...or with its project ID.
terraform import comwit_domain_registration.shop my-project-id/my-shop.com
