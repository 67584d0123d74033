# A storage made elsewhere, by its name (or `storage_id`), for an app's environment.
data "comwit_storage" "media" {
  name = "acme-media"
}

resource "comwit_app" "web" {
  name = "web"
  env = {
    S3_ENDPOINT = data.comwit_storage.media.endpoint
    S3_BUCKET   = data.comwit_storage.media.bucket
    S3_REGION   = data.comwit_storage.media.region
  }
}
