# A bucket for an app's uploads, private: S3 clients sign their requests.
resource "comwit_storage" "uploads" {
  name          = "acme-uploads"
  location_hint = "apac"
}

# A bucket whose objects anyone may read under `public_base_url`.
resource "comwit_storage" "assets" {
  name   = "acme-public-assets"
  public = true
}

# What an S3 client needs besides its credentials (from the Comwit console).
output "uploads_s3" {
  value = {
    endpoint = comwit_storage.uploads.endpoint
    bucket   = comwit_storage.uploads.bucket
    region   = comwit_storage.uploads.region
  }
}

output "assets_base_url" {
  value = comwit_storage.assets.public_base_url
}
