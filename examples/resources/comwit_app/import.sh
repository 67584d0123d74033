# Import an app with its project ID and app ID. Plain variables are read into `env`; secret
# values cannot be read back, only their digests: without `secret_env_wo` the secrets stay as
# they are; configure the same `secret_env_wo` and the next plan stays empty when the values
# match.
terraform import comwit_app.web prj_0123456789abcdef/app_0123456789abcdef
