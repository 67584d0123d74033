//! Importing `comwit_app` with the CLI and with an `import` block.

use super::{hcl, s, write_site};
use crate::support::assert_same_attributes;
use crate::support::platform::{create_project, Platform};

const APP: &str = r#"resource "comwit_app" "web" {
  name          = "web"
  env           = { MODE = "production" }
  source_dir    = "${path.module}/site"
}
"#;

/// What only the configuration can tell: the import cannot know it. The platform keeps no
/// digest of a build's package, so after import Terraform cannot tell whether `source_dir`
/// holds the active build's code: the first apply deploys it once.
const CONFIG_ONLY: &[&str] = &["source_dir", "source_sha256"];
/// What that one deploy changes.
const REDEPLOYED: &[&str] = &["source_dir", "source_sha256", "build_id", "active_build_id"];

#[test]
fn import_with_cli_and_import_block() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "apps-import");
    write_site(&w, "site", &[("index.html", "<p>imported</p>")]);
    w.config(&hcl(&project, APP));
    w.apply();
    let created = w.resource("comwit_app.web");
    let app_id = s(&created, "app_id");
    let id = format!("{project}/{app_id}");

    // CLI import.
    w.state_rm("comwit_app.web");
    w.import("comwit_app.web", &id);
    let imported = w.resource("comwit_app.web");
    assert_same_attributes(&created, &imported, CONFIG_ONLY);
    assert_same_attributes(&imported, &created, CONFIG_ONLY);
    // `build_id` is the build active at import; `source_dir` deploys once.
    assert_eq!(imported["build_id"], created["build_id"]);
    let plan = w.assert_changes();
    assert!(plan.contains("+ source_dir"), "{plan}");
    assert!(plan.contains("source_sha256"), "{plan}");
    w.apply();
    w.assert_no_changes();
    let redeployed = w.resource("comwit_app.web");
    assert_same_attributes(&created, &redeployed, REDEPLOYED);
    assert_eq!(super::list_builds(&platform, &project, &app_id).len(), 2);
    let created = redeployed;

    // An `import` block.
    w.state_rm("comwit_app.web");
    w.config(&hcl(
        &project,
        &format!("import {{\n  to = comwit_app.web\n  id = \"{id}\"\n}}\n\n{APP}"),
    ));
    let run = w.apply();
    assert!(run.stdout.contains("1 imported"), "{}", run.stdout);
    let imported = w.resource("comwit_app.web");
    assert_same_attributes(&created, &imported, REDEPLOYED);
    w.assert_no_changes();
    assert_eq!(super::list_builds(&platform, &project, &app_id).len(), 3);

    // IDs that do not exist, or have the wrong form, are clear errors.
    w.state_rm("comwit_app.web");
    w.config(&hcl(&project, APP));
    let missing = w.run(&[
        "import",
        "-no-color",
        "comwit_app.web",
        &format!("{project}/app-does-not-exist"),
    ]);
    assert!(!missing.ok());
    assert!(
        missing.text().contains("App not found"),
        "{}",
        missing.text()
    );
    let malformed = w.run(&["import", "-no-color", "comwit_app.web", &app_id]);
    assert!(!malformed.ok());
    assert!(
        super::flat(&malformed.text()).contains("<project_id>/<app_id>"),
        "{}",
        malformed.text()
    );
}
