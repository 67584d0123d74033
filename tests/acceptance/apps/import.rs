//! Importing `comwit_app` with the CLI and with an `import` block.

use super::{hcl, s, write_site};
use crate::support::assert_same_attributes;
use crate::support::platform::{create_project, Platform};

const APP: &str = r#"resource "comwit_app" "web" {
  name          = "web"
  runtime       = "next"
  env           = { MODE = "production" }
  secret_env_wo = { API_KEY = "imported-secret" }
  source_dir    = "${path.module}/site"
}
"#;

/// What only the configuration can tell: the import cannot know it.
const CONFIG_ONLY: &[&str] = &["source_dir"];

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
    // Same code, same secrets: only `source_dir` itself is new to the state; the source is
    // not deployed again and no secret is sent.
    let plan = w.assert_changes();
    assert!(plan.contains("+ source_dir"), "{plan}");
    assert!(!plan.contains("source_sha256"), "{plan}");
    assert!(!plan.contains("secret_env_digests"), "{plan}");
    w.apply();
    w.assert_no_changes();
    assert_same_attributes(&created, &w.resource("comwit_app.web"), &[]);
    assert_eq!(super::list_builds(&platform, &project, &app_id).len(), 1);

    // An `import` block.
    w.state_rm("comwit_app.web");
    w.config(&hcl(
        &project,
        &format!("import {{\n  to = comwit_app.web\n  id = \"{id}\"\n}}\n\n{APP}"),
    ));
    let run = w.apply();
    assert!(run.stdout.contains("1 imported"), "{}", run.stdout);
    let imported = w.resource("comwit_app.web");
    assert_same_attributes(&created, &imported, &[]);
    w.assert_no_changes();
    assert_eq!(super::list_builds(&platform, &project, &app_id).len(), 1);

    // IDs that do not exist, or have the wrong form, are clear errors.
    w.state_rm("comwit_app.web");
    w.config(&hcl(&project, APP));
    let missing = w.run(&[
        "import",
        "-no-color",
        "comwit_app.web",
        &format!("{project}/app_0000000000000000"),
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
