# Roll the app back to the build before the active one:
#   terraform apply -invoke=action.comwit_app_rollback.previous
# Needs a platform route that is not public yet (comwit-local serves it); without it the
# action fails and says to deploy the old package again.
action "comwit_app_rollback" "previous" {
  config {
    app_id = comwit_app.web.app_id
  }
}

# Or to a given build (see the comwit_app_builds data source).
action "comwit_app_rollback" "to_known_good" {
  config {
    app_id   = comwit_app.web.app_id
    build_id = "build-yyy"
  }
}
