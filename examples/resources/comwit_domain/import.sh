# Import an onboarded domain with its project ID and the domain name.
terraform import comwit_domain.main my-project-id/example.com
