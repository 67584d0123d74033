//! Create, update in place, replace, drift and destroy of `comwit_app`.

use comwit::api::models::{AppUpdate, EnvReplace, EnvVarInput};

use super::{get_app, get_env, hcl, list_apps, s};
use crate::support::platform::{create_project, Platform};

fn app(name: &str, runtime: &str, env: &str) -> String {
    format!(
        "resource \"comwit_app\" \"web\" {{\n  name    = \"{name}\"\n  runtime = \"{runtime}\"\n  env     = {env}\n}}\n\n\
         data \"comwit_app\" \"by_name\" {{\n  name       = comwit_app.web.name\n  depends_on = [comwit_app.web]\n}}\n\n\
         data \"comwit_app\" \"by_id\" {{\n  app_id = comwit_app.web.app_id\n}}\n\n\
         output \"looked_up_id\" {{\n  value = data.comwit_app.by_name.app_id\n}}\n\
         output \"looked_up_name\" {{\n  value = data.comwit_app.by_id.name\n}}\n\
         output \"looked_up_env\" {{\n  value = data.comwit_app.by_name.env\n}}\n"
    )
}

#[test]
fn create_update_replace_drift_destroy() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "apps-life");

    // Create.
    w.config(&hcl(
        &project,
        &app("web", "next", "{ GREETING = \"hello\" }"),
    ));
    w.apply();
    w.assert_no_changes();
    let r = w.resource("comwit_app.web");
    let app_id = s(&r, "app_id");
    assert!(app_id.starts_with("app_"), "{r}");
    assert_eq!(s(&r, "project_id"), project);
    assert_eq!(r["env"]["GREETING"], "hello");
    assert!(r["active_build_id"].is_null(), "no deploy yet: {r}");
    assert!(s(&r, "default_hostname").ends_with(".comwit.app"));
    let remote = get_app(&platform, &project, &app_id);
    assert_eq!(
        (remote.name.as_str(), remote.runtime.as_str()),
        ("web", "next")
    );
    assert_eq!(s(&r, "default_hostname"), remote.default_hostname);
    assert_eq!(s(&r, "created_at"), remote.created_at);
    let env = get_env(&platform, &project, &app_id);
    assert_eq!(env.variables.len(), 1);
    assert_eq!(env.variables[0].value.as_deref(), Some("hello"));
    // The data source finds it by name.
    let out = w.outputs();
    assert_eq!(out["looked_up_id"]["value"], app_id.as_str());
    assert_eq!(out["looked_up_env"]["value"]["GREETING"], "hello");
    assert_eq!(out["looked_up_name"]["value"], "web");

    // Rename and change variables: in place.
    w.config(&hcl(
        &project,
        &app("site", "next", "{ GREETING = \"hi\", EXTRA = \"1\" }"),
    ));
    let plan = w.assert_changes();
    assert!(plan.contains("updated in-place"), "{plan}");
    assert!(!plan.contains("must be replaced"), "{plan}");
    w.apply();
    w.assert_no_changes();
    let r = w.resource("comwit_app.web");
    assert_eq!(s(&r, "app_id"), app_id, "renamed in place");
    let remote = get_app(&platform, &project, &app_id);
    assert_eq!(remote.name, "site");
    let env = get_env(&platform, &project, &app_id);
    let values: Vec<(&str, Option<&str>)> = env
        .variables
        .iter()
        .map(|v| (v.name.as_str(), v.value.as_deref()))
        .collect();
    assert_eq!(values, vec![("EXTRA", Some("1")), ("GREETING", Some("hi"))]);

    // Removing `env` empties the environment.
    w.config(&hcl(&project, &app("site", "next", "null")));
    w.apply();
    w.assert_no_changes();
    assert!(get_env(&platform, &project, &app_id).variables.is_empty());
    w.config(&hcl(
        &project,
        &app("site", "next", "{ GREETING = \"hi\" }"),
    ));
    w.apply();

    // Runtime: replaced.
    w.config(&hcl(
        &project,
        &app("site", "isolate", "{ GREETING = \"hi\" }"),
    ));
    let plan = w.assert_changes();
    assert!(plan.contains("must be replaced"), "{plan}");
    w.apply();
    w.assert_no_changes();
    let r = w.resource("comwit_app.web");
    let new_id = s(&r, "app_id");
    assert_ne!(new_id, app_id);
    assert_eq!(get_app(&platform, &project, &new_id).runtime, "isolate");
    let apps = list_apps(&platform, &project);
    assert_eq!(apps.len(), 1, "the old app is gone: {apps:?}");
    assert_eq!(
        get_env(&platform, &project, &new_id).variables[0]
            .value
            .as_deref(),
        Some("hi")
    );
    let app_id = new_id;

    // Renamed outside Terraform: drift, repaired.
    let api = platform.api();
    platform
        .block_on(api.update_app(
            &project,
            &app_id,
            &AppUpdate {
                name: Some("renamed-elsewhere"),
                runtime: None,
            },
        ))
        .unwrap();
    let plan = w.assert_changes();
    assert!(plan.contains("renamed-elsewhere"), "{plan}");
    w.apply();
    assert_eq!(get_app(&platform, &project, &app_id).name, "site");
    w.assert_no_changes();

    // Variables changed outside Terraform: drift, repaired.
    platform
        .block_on(api.replace_env(
            &project,
            &app_id,
            &EnvReplace {
                variables: vec![EnvVarInput {
                    name: "GREETING",
                    value: "tampered",
                    secret: false,
                }],
            },
        ))
        .unwrap();
    let plan = w.assert_changes();
    assert!(plan.contains("tampered"), "{plan}");
    w.apply();
    assert_eq!(
        get_env(&platform, &project, &app_id).variables[0]
            .value
            .as_deref(),
        Some("hi")
    );
    w.assert_no_changes();

    // Deleted outside Terraform: planned again, re-created.
    platform
        .block_on(api.delete_app(&project, &app_id))
        .unwrap();
    let plan = w.assert_changes();
    assert!(plan.contains("will be created"), "{plan}");
    w.apply();
    w.assert_no_changes();
    let recreated = s(&w.resource("comwit_app.web"), "app_id");
    assert_ne!(recreated, app_id);
    assert_eq!(get_app(&platform, &project, &recreated).name, "site");

    // Destroy: comwit-local holds nothing.
    w.destroy();
    assert!(list_apps(&platform, &project).is_empty());
}

#[test]
fn empty_env_and_a_version_without_secrets_plan_cleanly() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "apps-empty");
    w.config(&hcl(
        &project,
        "resource \"comwit_app\" \"web\" {\n  name                  = \"web\"\n  runtime               = \"next\"\n  env                   = {}\n  secret_env_wo         = {}\n  secret_env_wo_version = 1\n}\n",
    ));
    w.apply();
    w.assert_no_changes();
    let r = w.resource("comwit_app.web");
    assert_eq!(r["env"], serde_json::json!({}));
    assert_eq!(r["secret_env_wo_version"], 1);
    w.destroy();
}
