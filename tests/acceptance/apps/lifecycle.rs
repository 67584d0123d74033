//! Create, update in place (variables, one by one), replace (name), drift and destroy of
//! `comwit_app`, with its data source.

use comwit::api::models::EnvPut;

use super::{env_pairs, get_app, get_env, hcl, list_apps, s};
use crate::support::platform::{create_project, Platform};

fn app(name: &str, env: &str) -> String {
    format!(
        "resource \"comwit_app\" \"web\" {{\n  name    = \"{name}\"\n  env     = {env}\n}}\n\n\
         data \"comwit_app\" \"by_name\" {{\n  name       = comwit_app.web.name\n  depends_on = [comwit_app.web]\n}}\n\n\
         data \"comwit_app\" \"by_id\" {{\n  app_id = comwit_app.web.app_id\n}}\n\n\
         output \"looked_up_id\" {{\n  value = data.comwit_app.by_name.app_id\n}}\n\
         output \"looked_up_name\" {{\n  value = data.comwit_app.by_id.name\n}}\n\
         output \"looked_up_env\" {{\n  value = data.comwit_app.by_name.env\n}}\n"
    )
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn create_update_replace_drift_destroy() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "apps-life");

    // Create.
    w.config(&hcl(&project, &app("web", "{ GREETING = \"hello\" }")));
    w.apply();
    w.assert_no_changes();
    let r = w.resource("comwit_app.web");
    let app_id = s(&r, "app_id");
    assert_eq!(s(&r, "project_id"), project);
    assert_eq!(r["env"]["GREETING"], "hello");
    assert!(r["active_build_id"].is_null(), "no deploy yet: {r}");
    let remote = get_app(&platform, &project, &app_id);
    assert_eq!(remote.name, "web");
    assert_eq!(
        r["default_domain"].as_str(),
        remote.default_domain.as_deref()
    );
    assert_eq!(r["default_url"].as_str(), remote.default_url.as_deref());
    assert_eq!(
        env_pairs(&get_env(&platform, &project, &app_id)),
        pairs(&[("GREETING", "hello")])
    );
    let out = w.outputs();
    assert_eq!(out["looked_up_id"]["value"], app_id.as_str());
    assert_eq!(out["looked_up_env"]["value"]["GREETING"], "hello");
    assert_eq!(out["looked_up_name"]["value"], "web");

    // Change variables: in place, only what changed is sent.
    w.config(&hcl(
        &project,
        &app("web", "{ GREETING = \"hi\", EXTRA = \"1\" }"),
    ));
    let plan = w.assert_changes();
    assert!(plan.contains("updated in-place"), "{plan}");
    w.apply();
    w.assert_no_changes();
    assert_eq!(s(&w.resource("comwit_app.web"), "app_id"), app_id);
    assert_eq!(
        env_pairs(&get_env(&platform, &project, &app_id)),
        pairs(&[("EXTRA", "1"), ("GREETING", "hi")])
    );

    // Removing `env` empties the environment.
    w.config(&hcl(&project, &app("web", "null")));
    w.apply();
    w.assert_no_changes();
    assert!(get_env(&platform, &project, &app_id).is_empty());
    w.config(&hcl(&project, &app("web", "{ GREETING = \"hi\" }")));
    w.apply();

    // No public rename: a new name replaces the app.
    w.config(&hcl(&project, &app("site", "{ GREETING = \"hi\" }")));
    let plan = w.assert_changes();
    assert!(plan.contains("must be replaced"), "{plan}");
    w.apply();
    w.assert_no_changes();
    let new_id = s(&w.resource("comwit_app.web"), "app_id");
    assert_ne!(new_id, app_id);
    let apps = list_apps(&platform, &project);
    assert_eq!(apps.len(), 1, "the old app is gone: {apps:?}");
    assert_eq!(apps[0].name, "site");
    let app_id = new_id;

    // Variables changed outside Terraform: drift, repaired.
    let api = platform.api();
    let tampered = EnvPut {
        value: "tampered",
        secret: false,
    };
    platform
        .block_on(api.put_env(&project, &app_id, "GREETING", &tampered))
        .unwrap();
    platform
        .block_on(api.put_env(&project, &app_id, "STRAY", &tampered))
        .unwrap();
    let plan = w.assert_changes();
    assert!(plan.contains("tampered"), "{plan}");
    w.apply();
    assert_eq!(
        env_pairs(&get_env(&platform, &project, &app_id)),
        pairs(&[("GREETING", "hi")])
    );
    w.assert_no_changes();

    // Deleted outside Terraform (the DELETE repeated until complete): re-created.
    let first = platform
        .block_on(api.delete_app(&project, &app_id))
        .unwrap()
        .expect("a report");
    assert!(!first.complete, "cleanup goes on at first: {first:?}");
    let second = platform
        .block_on(api.delete_app(&project, &app_id))
        .unwrap()
        .expect("a report");
    assert!(second.complete, "{second:?}");
    let plan = w.assert_changes();
    assert!(plan.contains("will be created"), "{plan}");
    w.apply();
    w.assert_no_changes();
    let recreated = s(&w.resource("comwit_app.web"), "app_id");
    assert_ne!(recreated, app_id);

    // Destroy: the provider repeats the DELETE until the cleanup is complete.
    w.destroy();
    assert!(list_apps(&platform, &project).is_empty());
    assert!(platform
        .block_on(api.delete_app(&project, &recreated))
        .unwrap()
        .is_none());
    // Everything the provider (and this test) sent is public, but the test's own project.
    let outside = platform.contract_counts().outside;
    assert!(
        outside.keys().all(|k| k == "POST /v1/projects"),
        "requests outside the public contract: {outside:?}"
    );
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
        "resource \"comwit_app\" \"web\" {\n  name                  = \"web\"\n  env                   = {}\n  secret_env_wo         = {}\n  secret_env_wo_version = 1\n}\n",
    ));
    w.apply();
    w.assert_no_changes();
    let r = w.resource("comwit_app.web");
    assert_eq!(r["env"], serde_json::json!({}));
    assert_eq!(r["secret_env_wo_version"], 1);
    w.destroy();
}
