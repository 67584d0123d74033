variable "project_id" {
  description = "The ID of a project you are a member of (projects are made in the console)."
  type        = string
}

variable "greeting" {
  description = "A plain environment variable for the app."
  type        = string
  default     = "Hello from Terraform"
}

variable "domain" {
  description = "A domain you own, onboarded for Automatic DNS (comwit-local accepts any)."
  type        = string
  default     = "quickstart.example.com"
}
