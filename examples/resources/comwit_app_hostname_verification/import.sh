# Import the verification of an active hostname (it holds no platform object of its own).
terraform import comwit_app_hostname_verification.www prj_0123456789abcdef/app_0123456789abcdef/www.example.org
