data "comwit_app" "web" {
  name = "web"
}

data "comwit_app_builds" "web" {
  app_id = data.comwit_app.web.app_id
}

# Builds are listed newest first: the one before the newest is a rollback target. Copy its ID
# into the app's `active_build_id` to roll back.
output "previous_build_id" {
  value = data.comwit_app_builds.web.builds[1].build_id
}

output "builds" {
  value = [for b in data.comwit_app_builds.web.builds : "${b.build_id}${b.active ? " (active)" : ""}"]
}
