# Import an onboarded domain with its project ID and the domain name.
terraform import comwit_domain.main prj_0123456789abcdef/example.com
