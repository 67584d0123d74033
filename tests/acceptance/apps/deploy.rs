//! Deploying `source_dir` (a brrrd build folder, packed as a zstd tar), pinning an earlier
//! build (rollback, an extension route), unpinning (roll forward), and repairing a rollback
//! made outside Terraform.

use std::time::{Duration, SystemTime};

use comwit::provider::apps::bundle;

use super::{get_app, hcl, list_builds, s, write_site};
use crate::support::platform::{create_project, Platform};

fn app(pin: Option<&str>) -> String {
    let pin = pin.map_or(String::new(), |b| format!("  active_build_id = \"{b}\"\n"));
    format!(
        "resource \"comwit_app\" \"web\" {{\n  name       = \"web\"\n  source_dir = \"${{path.module}}/site\"\n{pin}}}\n\n\
         data \"comwit_app_builds\" \"web\" {{\n  app_id     = comwit_app.web.app_id\n  depends_on = [comwit_app.web]\n}}\n\n\
         output \"builds\" {{\n  value = data.comwit_app_builds.web.builds\n}}\n"
    )
}

#[test]
fn deploy_change_pin_unpin_and_repair_rollback() {
    let platform = Platform::start_with_extensions();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "apps-deploy");
    write_site(
        &w,
        "site",
        &[("index.html", "<h1>v1</h1>"), ("js/app.js", "let v = 1;")],
    );

    // First deploy.
    w.config(&hcl(&project, &app(None)));
    w.apply();
    w.assert_no_changes();
    let r = w.resource("comwit_app.web");
    let app_id = s(&r, "app_id");
    let first = s(&r, "build_id");
    assert_eq!(s(&r, "active_build_id"), first);
    let local = bundle::pack(&w.path().join("site")).unwrap();
    assert_eq!(s(&r, "source_sha256"), local.sha256);
    let builds = list_builds(&platform, &project, &app_id);
    assert_eq!(builds.len(), 1);
    assert_eq!(
        builds[0].artifact_size,
        Some(local.bytes.len() as i64),
        "the platform got the package"
    );
    assert_eq!(
        get_app(&platform, &project, &app_id)
            .active_build_id
            .as_deref(),
        Some(first.as_str())
    );

    // Touching files (new mtimes, same content) is not a change.
    let later = SystemTime::now() + Duration::from_secs(3600);
    for f in [
        "site/static/index",
        "site/static/js/app.js",
        "site/manifest.json",
    ] {
        std::fs::File::options()
            .write(true)
            .open(w.path().join(f))
            .unwrap()
            .set_modified(later)
            .unwrap();
    }
    w.assert_no_changes();

    // Changed code: the plan shows the new digest, apply deploys it.
    write_site(&w, "site", &[("index.html", "<h1>v2</h1>")]);
    let new_sha = bundle::pack(&w.path().join("site")).unwrap().sha256;
    let plan = w.assert_changes();
    assert!(plan.contains("source_sha256"), "{plan}");
    assert!(
        plan.contains(&new_sha),
        "the plan shows the new digest:\n{plan}"
    );
    w.apply();
    w.assert_no_changes();
    let r = w.resource("comwit_app.web");
    let second = s(&r, "build_id");
    assert_ne!(second, first);
    assert_eq!(s(&r, "source_sha256"), new_sha);
    assert_eq!(s(&r, "app_id"), app_id, "a deploy updates in place");
    assert_eq!(
        get_app(&platform, &project, &app_id).active_build_id,
        Some(second.clone())
    );
    // The builds data source lists newest first.
    let out = w.outputs();
    let listed = out["builds"]["value"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["build_id"], second.as_str());
    assert_eq!(listed[0]["active"], true);
    assert_eq!(listed[1]["build_id"], first.as_str());
    assert_eq!(listed[1]["artifact_size"], local.bytes.len() as i64);
    assert_eq!(listed[1]["active"], false);

    // Pin the first build: a rollback.
    w.config(&hcl(&project, &app(Some(&first))));
    let plan = w.assert_changes();
    assert!(plan.contains("active_build_id"), "{plan}");
    w.apply();
    w.assert_no_changes();
    assert_eq!(
        get_app(&platform, &project, &app_id).active_build_id,
        Some(first.clone())
    );
    assert_eq!(s(&w.resource("comwit_app.web"), "active_build_id"), first);

    // New code while pinned: deployed, but the pin stays active.
    write_site(&w, "site", &[("index.html", "<h1>v3</h1>")]);
    w.apply();
    w.assert_no_changes();
    let r = w.resource("comwit_app.web");
    let third = s(&r, "build_id");
    assert!(third != second && third != first);
    assert_eq!(list_builds(&platform, &project, &app_id).len(), 3);
    assert_eq!(
        get_app(&platform, &project, &app_id).active_build_id,
        Some(first.clone()),
        "a pinned build wins over a deploy"
    );

    // Unpin: roll forward to the last deploy.
    w.config(&hcl(&project, &app(None)));
    let plan = w.assert_changes();
    assert!(plan.contains(&third), "{plan}");
    w.apply();
    w.assert_no_changes();
    assert_eq!(
        get_app(&platform, &project, &app_id).active_build_id,
        Some(third.clone())
    );

    // A rollback outside Terraform is drift, and apply repairs it.
    platform
        .block_on(platform.api().rollback(&project, &app_id, &second))
        .unwrap();
    let plan = w.assert_changes();
    assert!(plan.contains("active_build_id"), "{plan}");
    w.apply();
    w.assert_no_changes();
    assert_eq!(
        get_app(&platform, &project, &app_id).active_build_id,
        Some(third.clone())
    );
    assert_eq!(
        list_builds(&platform, &project, &app_id).len(),
        3,
        "repairing is a rollback, not a new deploy"
    );

    // Pinning a build that is not this app's is an error naming the attribute.
    w.config(&hcl(&project, &app(Some("build-not-of-this-app"))));
    let run = w.apply_expect_error();
    let text = super::flat(&run.text());
    assert!(text.contains("Rollback not available"), "{text}");
    assert!(text.contains("comwit_app_builds"), "{text}");
    assert!(text.contains("deploy its package again"), "{text}");

    w.config(&hcl(&project, &app(None)));
    w.destroy();
    assert!(super::list_apps(&platform, &project).is_empty());
}
