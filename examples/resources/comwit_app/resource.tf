# An app deployed from ./site, a brrrd build folder (the dist/brrrd that Next.js with
# @brrrd/adapter writes: manifest.json and static/), with plain environment variables.
resource "comwit_app" "web" {
  name = "web"

  # Packed into a zstd tar and deployed on apply whenever a file under site/ changes.
  source_dir = "${path.module}/site"

  # Only the variables that changed are sent.
  env = {
    NODE_ENV = "production"
  }

  # Passed to the deploy when set.
  max_concurrent_requests = 50

  # The delete repeats until the platform reports its cleanup complete.
  timeouts {
    delete = "10m"
  }
}

# A prebuilt package instead of a folder: tar --zstd -cf app.tar.zst -C dist/brrrd .
resource "comwit_app" "api" {
  name    = "api"
  package = "${path.module}/api.tar.zst"

  # Roll back: pin an earlier build (see the comwit_app_builds data source). This needs a
  # platform route that is not public yet; without it, deploy the old package again.
  # active_build_id = "build-..."
}

output "url" {
  value = comwit_app.web.default_url
}
