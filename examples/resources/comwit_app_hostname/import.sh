# Import a hostname with its project ID, app ID and the hostname.
terraform import comwit_app_hostname.www prj_0123456789abcdef/app_0123456789abcdef/www.example.org
