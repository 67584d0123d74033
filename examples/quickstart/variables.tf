variable "project_name" {
  description = "Name of the project to create (unique among your projects)."
  type        = string
  default     = "quickstart"
}

variable "greeting" {
  description = "A plain environment variable for the app."
  type        = string
  default     = "Hello from Terraform"
}

variable "session_secret" {
  description = "A secret for the app. Ephemeral: Terraform never stores it. Set it with TF_VAR_session_secret."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "domain" {
  description = "A domain you own, onboarded for Automatic DNS (comwit-local accepts any)."
  type        = string
  default     = "quickstart.example.com"
}
