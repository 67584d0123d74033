# An app is imported by its project's ID and its own. Its plain variables become `env`; its
# secrets (if any) stay as they are while `secret_env_wo` is not set.
terraform import comwit_app.web my-project-id/app-xxx
