//! The `comwit_app_rollback` action (Terraform 1.14+): invoked with `apply -invoke`, it makes the
//! build before the active one serve; the next apply of a configuration that deploys
//! `source_dir` reverts it (as the docs say) unless `active_build_id` pins it.

use super::{get_app, hcl, s, write_site};
use crate::support::platform::{create_project, Platform};

fn config(pin: Option<&str>) -> String {
    let pin = pin.map_or(String::new(), |b| format!("  active_build_id = \"{b}\"\n"));
    format!(
        "resource \"comwit_app\" \"web\" {{\n  name       = \"web\"\n  source_dir = \"${{path.module}}/site\"\n{pin}}}\n\n\
         action \"comwit_app_rollback\" \"back\" {{\n  config {{\n    app_id = comwit_app.web.app_id\n  }}\n}}\n"
    )
}

fn active(platform: &Platform, project: &str, app_id: &str) -> String {
    get_app(platform, project, app_id)
        .active_build_id
        .unwrap_or_default()
}

#[test]
fn an_invoked_rollback_serves_the_previous_build_until_the_next_apply() {
    let platform = Platform::start_with_extensions();
    let Some(w) = platform.workdir_at_least(1, 14) else {
        return;
    };
    let project = create_project(&platform, "apps-rollback-action");
    write_site(&w, "site", &[("index.html", "<h1>v1</h1>")]);
    w.config(&hcl(&project, &config(None)));
    w.apply();
    let first = s(&w.resource("comwit_app.web"), "build_id");
    write_site(&w, "site", &[("index.html", "<h1>v2</h1>")]);
    w.apply();
    let r = w.resource("comwit_app.web");
    let (app_id, second) = (s(&r, "app_id"), s(&r, "build_id"));
    assert_ne!(first, second);
    w.assert_no_changes();

    let invoked = w.run(&[
        "apply",
        "-no-color",
        "-auto-approve",
        "-invoke=action.comwit_app_rollback.back",
    ]);
    assert!(invoked.ok(), "{}", invoked.text());
    assert!(
        invoked
            .text()
            .contains(&format!("from {second} to {first}")),
        "the progress names both builds:\n{}",
        invoked.text()
    );
    assert_eq!(
        active(&platform, &project, &app_id),
        first,
        "the platform serves the old build"
    );

    // What the docs promise: a config that deploys `source_dir` reverts the rollback...
    let plan = w.assert_changes();
    assert!(plan.contains("active_build_id"), "{plan}");
    assert!(
        plan.contains(&second),
        "the plan goes back to the deployed build:\n{plan}"
    );

    // ...unless `active_build_id` keeps it.
    w.config(&hcl(&project, &config(Some(&first))));
    w.apply();
    w.assert_no_changes();
    assert_eq!(active(&platform, &project, &app_id), first);

    // Nothing older than the first build: the plan of the invocation fails, nothing changes.
    let refused = w.run(&[
        "apply",
        "-no-color",
        "-auto-approve",
        "-invoke=action.comwit_app_rollback.back",
    ]);
    assert!(!refused.ok(), "{}", refused.text());
    assert!(
        refused.text().contains("No earlier build"),
        "{}",
        refused.text()
    );
    assert_eq!(active(&platform, &project, &app_id), first);
}
