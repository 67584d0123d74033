//! Bad input found at plan time, a token without the needed scope, and a taken name.

use super::{flat, hcl, list_apps};
use crate::support::platform::{create_project, Platform, ALL_SCOPES};
use crate::support::Workdir;

fn app(attrs: &str) -> String {
    format!("resource \"comwit_app\" \"web\" {{\n{attrs}\n}}\n")
}

#[test]
fn bad_arguments_fail_at_plan_naming_the_attribute() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "apps-bad");
    std::fs::create_dir_all(w.path().join("empty/sub")).unwrap();
    std::fs::create_dir_all(w.path().join("nomanifest")).unwrap();
    std::fs::write(
        w.path().join("nomanifest/manifest.json"),
        r#"{"schemaVersion":6}"#,
    )
    .unwrap();
    std::fs::write(w.path().join("site.tar.gz"), b"\x1f\x8b\x08\x00 gzip").unwrap();
    let cases: &[(&str, &[&str])] = &[
        ("name = \"web\"\nruntime = \"next\"", &["runtime"]),
        (
            "name = \"web\"\nenv = { \"BAD-NAME\" = \"x\" }",
            &["BAD-NAME", "not a valid environment variable name"],
        ),
        (
            "name = \"web\"\nsecret_env_wo = { \"1ST\" = \"x\" }",
            &["1ST", "not a valid environment variable name"],
        ),
        (
            "name = \"web\"\nenv = { A = \"1\" }\nsecret_env_wo = { A = \"2\" }",
            &["both plain and secret"],
        ),
        (
            "name = \"web\"\nsource_dir = \"${path.module}/no-such-dir\"",
            &["source_dir", "does not exist"],
        ),
        (
            "name = \"web\"\nsource_dir = \"${path.module}/empty\"",
            &["source_dir", "no manifest.json"],
        ),
        (
            "name = \"web\"\nsource_dir = \"${path.module}/nomanifest\"",
            &["source_dir", "no `routes`"],
        ),
        (
            "name = \"web\"\npackage = \"${path.module}/site.tar.gz\"",
            &["package", "not a zstd-compressed tar"],
        ),
        (
            "name = \"web\"\nsource_dir = \"a\"\npackage = \"b\"",
            &["not both"],
        ),
        (
            "name = \"web\"\nactive_build_id = \"has space\"",
            &["active_build_id", "without whitespace"],
        ),
    ];
    for (attrs, wanted) in cases {
        w.config(&hcl(&project, &app(attrs)));
        expect_plan_error(&w, attrs, wanted);
    }
    // The data source needs exactly one of app_id and name.
    w.config(&hcl(
        &project,
        "data \"comwit_app\" \"x\" {\n  app_id = \"app-1\"\n  name   = \"web\"\n}\n",
    ));
    expect_plan_error(&w, "data source", &["either app_id or name"]);
    assert!(
        list_apps(&platform, &project).is_empty(),
        "plans write nothing"
    );
}

fn expect_plan_error(w: &Workdir, what: &str, wanted: &[&str]) {
    let run = w.plan_expect_error();
    let text = flat(&run.text());
    for want in wanted {
        assert!(text.contains(want), "{what}: missing {want:?} in:\n{text}");
    }
}

#[test]
fn token_without_app_write_is_told_which_scope_and_writes_nothing() {
    let platform = Platform::start();
    let project = create_project(&platform, "apps-scope");
    let scopes: Vec<&str> = ALL_SCOPES
        .iter()
        .copied()
        .filter(|s| *s != "app:write")
        .collect();
    let token = platform.token_with_scopes(&scopes);
    let Some(w) = platform.workdir_with_token(&token) else {
        return;
    };
    w.config(&hcl(&project, &app("name = \"web\"\nenv = { A = \"1\" }")));
    let run = w.apply_expect_error();
    let text = flat(&run.text());
    assert!(text.contains("app:write"), "{text}");
    assert!(list_apps(&platform, &project).is_empty());
    let state = std::fs::read_to_string(w.path().join("terraform.tfstate")).unwrap_or_default();
    assert!(!state.contains("comwit_app"), "nothing recorded: {state}");
}

#[test]
fn a_taken_name_prints_the_import_command() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "apps-taken");
    let existing = platform
        .block_on(platform.api().create_app(&project, "web"))
        .unwrap();
    w.config(&hcl(&project, &app("name = \"web\"")));
    let run = w.apply_expect_error();
    let text = flat(&run.text());
    assert!(text.contains("already has an app"), "{text}");
    let command = format!(
        "terraform import comwit_app.<name> {project}/{}",
        existing.app_id
    );
    assert!(text.contains(&command), "{text}");
    assert_eq!(list_apps(&platform, &project).len(), 1);
}

#[test]
fn a_failed_deploy_keeps_the_created_app_in_state() {
    let platform = Platform::start();
    let project = create_project(&platform, "apps-partial");
    let scopes: Vec<&str> = ALL_SCOPES
        .iter()
        .copied()
        .filter(|s| *s != "app:deploy")
        .collect();
    let token = platform.token_with_scopes(&scopes);
    let Some(mut w) = platform.workdir_with_token(&token) else {
        return;
    };
    super::write_site(&w, "site", &[("index.html", "hi")]);
    w.config(&hcl(
        &project,
        &app("name = \"web\"\nsource_dir = \"${path.module}/site\""),
    ));
    let run = w.apply_expect_error();
    let text = flat(&run.text());
    assert!(text.contains("app:deploy"), "{text}");
    // The app exists, and Terraform knows it (tainted), so nothing leaks.
    let apps = list_apps(&platform, &project);
    assert_eq!(apps.len(), 1);
    let recorded = w.resource("comwit_app.web");
    assert_eq!(recorded["app_id"], apps[0].app_id.as_str());
    let plan = w.assert_changes();
    assert!(plan.contains("tainted"), "{plan}");

    // With the scope, apply replaces the tainted app and deploys.
    w.env.retain(|(k, _)| k != "COMWIT_TOKEN");
    w.set_env("COMWIT_TOKEN", platform.token.clone());
    w.apply();
    w.assert_no_changes();
    let apps = list_apps(&platform, &project);
    assert_eq!(apps.len(), 1);
    assert!(apps[0].active_build_id.is_some());
    w.destroy();
    assert!(list_apps(&platform, &project).is_empty());
}

#[test]
fn a_pinned_build_on_a_new_app_fails_at_plan_and_creates_nothing() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "apps-pin-new");
    super::write_site(&w, "site", &[("index.html", "hi")]);
    w.config(&hcl(
        &project,
        &app("name = \"web\"\nsource_dir = \"${path.module}/site\"\nactive_build_id = \"bld_0123456789abcdef\""),
    ));
    let wanted = [
        "active_build_id cannot be set on a new app",
        "with comwit_app.web",
        "active_build_id = \"bld_0123456789abcdef\"",
        "a new app has no builds yet",
        "Apply without `active_build_id` first",
        "`source_dir`",
        "comwit_app_builds",
    ];
    expect_plan_error(&w, "a pin on create", &wanted);
    // Apply stops at its plan too: no app, nothing in state.
    let run = w.apply_expect_error();
    let text = flat(&run.text());
    assert!(text.contains(wanted[0]), "{text}");
    assert!(
        list_apps(&platform, &project).is_empty(),
        "nothing was created"
    );
    let state = std::fs::read_to_string(w.path().join("terraform.tfstate")).unwrap_or_default();
    assert!(!state.contains("comwit_app"), "nothing recorded: {state}");

    // Without the pin it applies; then a build of the app can be pinned.
    w.config(&hcl(
        &project,
        &app("name = \"web\"\nsource_dir = \"${path.module}/site\""),
    ));
    w.apply();
    let build = super::s(&w.resource("comwit_app.web"), "build_id");
    w.config(&hcl(
        &project,
        &app(&format!(
            "name = \"web\"\nsource_dir = \"${{path.module}}/site\"\nactive_build_id = \"{build}\""
        )),
    ));
    w.apply();
    w.assert_no_changes();
    assert_eq!(list_apps(&platform, &project).len(), 1);
    w.destroy();
}
