# Import a registration by its domain (in the provider's default project)...
terraform import comwit_domain_registration.shop my-shop.com
# ...or with its project ID.
terraform import comwit_domain_registration.shop prj_0123456789abcdef/my-shop.com
