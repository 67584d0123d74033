//! `comwit_app` under Terraform 1.14+: `terraform query` finds apps made outside Terraform, the
//! configuration it generates imports them without changing anything (the apps keep their
//! secrets and their active build), and `import` blocks work by identity as well as by ID.

use comwit::api::models::{App, AppCreate, EnvReplace, EnvVarInput};
use comwit::provider::apps::bundle;

use super::{digest_of, flat, get_app, get_env, hcl, read};
use crate::support::platform::{create_project, Platform};
use crate::support::Workdir;

const SECRET: &str = "made-outside-7731";

/// The app without secrets, given a plain variable.
const API_WITH_ENV: &str = "resource \"comwit_app\" \"api\" {\n  name    = \"api\"\n  runtime = \"isolate\"\n  env     = { LOG = \"debug\" }\n}\n";

/// An app made through the API, as someone did before using Terraform: its plain variables
/// and secrets, and a deploy of one file when `page` is given.
fn app_made_outside(
    p: &Platform,
    project: &str,
    name: &str,
    runtime: &str,
    plain: &[(&str, &str)],
    secrets: &[(&str, &str)],
    page: Option<&str>,
) -> App {
    let api = p.api();
    let app = p
        .block_on(api.create_app(project, &AppCreate { name, runtime }))
        .expect("create app");
    let mut variables: Vec<EnvVarInput> = plain
        .iter()
        .map(|(name, value)| EnvVarInput {
            name,
            value,
            secret: false,
        })
        .collect();
    variables.extend(secrets.iter().map(|(name, value)| EnvVarInput {
        name,
        value,
        secret: true,
    }));
    if !variables.is_empty() {
        p.block_on(api.replace_env(project, &app.app_id, &EnvReplace { variables }))
            .expect("set env");
    }
    if let Some(page) = page {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), page).unwrap();
        let bundle = bundle::pack(dir.path()).expect("pack");
        p.block_on(api.deploy(project, &app.app_id, bundle.bytes))
            .expect("deploy");
    }
    get_app(p, project, &app.app_id)
}

fn query_file(project: &str) -> String {
    format!(
        "list \"comwit_app\" \"found\" {{\n  provider = comwit\n\n  config {{\n    project_id = \"{project}\"\n  }}\n}}\n"
    )
}

/// The identity Terraform stored for `comwit_app.<name>` (terraform.tfstate).
fn stored_identity(w: &Workdir, name: &str) -> serde_json::Value {
    let state: serde_json::Value =
        serde_json::from_slice(&read(&w.path().join("terraform.tfstate"))).unwrap();
    let resource = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "comwit_app" && r["name"] == name)
        .unwrap_or_else(|| panic!("comwit_app.{name} is not in the state"));
    resource["instances"][0]["identity"].clone()
}

/// Runs Terraform and asserts it succeeded.
fn must(w: &Workdir, args: &[&str]) -> String {
    let run = w.run(args);
    assert!(
        run.ok(),
        "terraform {} failed:\n{}",
        args.join(" "),
        run.text()
    );
    run.text()
}

#[test]
fn query_finds_apps_and_its_generated_configuration_imports_them_unchanged() {
    let platform = Platform::start();
    let Some(w) = platform.workdir_at_least(1, 14) else {
        return;
    };
    let project = create_project(&platform, "apps-query");
    let web = app_made_outside(
        &platform,
        &project,
        "web",
        "next",
        &[("MODE", "production")],
        &[("API_KEY", SECRET)],
        Some("<h1>live</h1>"),
    );
    let worker = app_made_outside(&platform, &project, "worker", "isolate", &[], &[], None);
    let web_env = get_env(&platform, &project, &web.app_id);
    assert!(web.active_build_id.is_some());

    w.config(&hcl(&project, ""));
    w.write("apps.tfquery.hcl", &query_file(&project));
    let before = platform.request_total();
    let listed = must(&w, &["query", "-no-color"]);
    let requests = platform.request_total() - before;
    for want in ["web", "worker", &web.app_id, &worker.app_id] {
        assert!(listed.contains(want), "{want} is not listed:\n{listed}");
    }
    // One page of apps, then each app's environment (its plain variables are configuration).
    eprintln!("terraform query of 2 apps: {requests} API requests\n{listed}");
    assert!(requests <= 3, "{requests} requests for 2 apps");

    must(
        &w,
        &["query", "-no-color", "-generate-config-out=generated.tf"],
    );
    let generated = String::from_utf8(read(&w.path().join("generated.tf"))).unwrap();
    eprintln!("generated.tf:\n{generated}");
    let text = flat(&generated);
    for want in [
        "resource \"comwit_app\"",
        "import {",
        &format!("app_id = \"{}\"", web.app_id),
        &format!("app_id = \"{}\"", worker.app_id),
        "MODE = \"production\"",
        "runtime = \"isolate\"",
    ] {
        assert!(text.contains(want), "{want} is not generated:\n{generated}");
    }
    // Neither the serving build (a pin would revert later deploys and rollbacks), nor
    // computed-only attributes, nor any secret.
    for unwanted in [
        "active_build_id",
        "default_hostname",
        "created_at",
        "secret_env_digests",
        "source_sha256",
        SECRET,
    ] {
        assert!(
            !text.contains(unwanted),
            "{unwanted} is generated:\n{generated}"
        );
    }

    let applied = w.apply();
    assert!(
        applied
            .stdout
            .contains("2 imported, 0 added, 0 changed, 0 destroyed"),
        "{}",
        applied.stdout
    );
    w.assert_no_changes();
    // The apps are as they were: same secrets, same active build.
    let now = get_env(&platform, &project, &web.app_id);
    assert_eq!(digest_of(&now, "API_KEY"), digest_of(&web_env, "API_KEY"));
    assert_eq!(now.variables.len(), 2);
    assert_eq!(
        get_app(&platform, &project, &web.app_id).active_build_id,
        web.active_build_id
    );
}

#[test]
fn import_blocks_by_identity_leave_an_imported_apps_secrets_alone() {
    let platform = Platform::start();
    let Some(w) = platform.workdir_at_least(1, 14) else {
        return;
    };
    let project = create_project(&platform, "apps-identity");
    let web = app_made_outside(
        &platform,
        &project,
        "web",
        "next",
        &[("MODE", "production")],
        &[("API_KEY", SECRET)],
        Some("<h1>live</h1>"),
    );
    let api = app_made_outside(&platform, &project, "api", "isolate", &[], &[], None);
    let digest = digest_of(&get_env(&platform, &project, &web.app_id), "API_KEY");
    let web_block = |env: &str, secrets: &str| {
        format!(
            "resource \"comwit_app\" \"web\" {{\n  name    = \"web\"\n  runtime = \"next\"\n  env     = {{ MODE = \"{env}\" }}\n{secrets}}}\n"
        )
    };
    let api_block =
        "resource \"comwit_app\" \"api\" {\n  name    = \"api\"\n  runtime = \"isolate\"\n}\n";
    let imports = format!(
        // `project_id` left out: the provider's.
        "import {{\n  to       = comwit_app.web\n  identity = {{ app_id = \"{}\" }}\n}}\n\n\
         import {{\n  to = comwit_app.api\n  id = \"{project}/{}\"\n}}\n",
        web.app_id, api.app_id
    );

    // A mistyped identity is named before anything is read.
    w.config(&hcl(
        &project,
        &format!(
            "import {{\n  to       = comwit_app.web\n  identity = {{ app_id = \"web\" }}\n}}\n\n{}",
            web_block("production", "")
        ),
    ));
    let refused = w.plan_expect_error();
    assert!(
        flat(&refused.text()).contains("Invalid app_id in the identity"),
        "{}",
        refused.text()
    );

    // By identity and by ID: imported, nothing changed, the secret kept.
    w.config(&hcl(
        &project,
        &format!("{imports}\n{}\n{api_block}", web_block("production", "")),
    ));
    let applied = w.apply();
    assert!(
        applied
            .stdout
            .contains("2 imported, 0 added, 0 changed, 0 destroyed"),
        "{}",
        applied.stdout
    );
    w.assert_no_changes();
    let state = w.resource("comwit_app.web");
    assert_eq!(state["project_id"], project.as_str());
    assert_eq!(state["secret_env_digests"]["API_KEY"], digest.as_str());
    // Terraform keeps the identity, with the provider's project filled in.
    for (name, app_id) in [("web", &web.app_id), ("api", &api.app_id)] {
        assert_eq!(
            stored_identity(&w, name),
            serde_json::json!({"app_id": app_id, "project_id": project}),
            "{name}"
        );
    }

    // A new `env` would replace the environment and lose the secret: refused at plan.
    w.config(&hcl(
        &project,
        &format!("{}\n{api_block}", web_block("staging", "")),
    ));
    let refused = w.plan_expect_error();
    let text = flat(&refused.text());
    assert!(
        text.contains("Changing env would delete the app's secrets") && text.contains("API_KEY"),
        "{text}"
    );
    // The plain variable may change freely on the app without secrets.
    w.config(&hcl(
        &project,
        &format!("{}\n{API_WITH_ENV}", web_block("production", "")),
    ));
    w.apply();
    w.assert_no_changes();

    // The same secret configured: nothing to send, then `env` may change; the secret is
    // now Terraform's.
    let with_secret = format!("  secret_env_wo = {{ API_KEY = \"{SECRET}\" }}\n");
    w.config(&hcl(
        &project,
        &format!("{}\n{API_WITH_ENV}", web_block("production", &with_secret)),
    ));
    w.assert_no_changes();
    w.config(&hcl(
        &project,
        &format!("{}\n{API_WITH_ENV}", web_block("staging", &with_secret)),
    ));
    w.apply();
    w.assert_no_changes();
    let env = get_env(&platform, &project, &web.app_id);
    assert_eq!(digest_of(&env, "API_KEY"), digest);
    assert_eq!(
        get_app(&platform, &project, &web.app_id).active_build_id,
        web.active_build_id,
        "no source_dir: the app keeps its build"
    );

    // As on an app Terraform created, leaving the secrets out now deletes them.
    w.config(&hcl(
        &project,
        &format!("{}\n{API_WITH_ENV}", web_block("staging", "")),
    ));
    let plan = w.assert_changes();
    assert!(plan.contains("secret_env_digests"), "{plan}");
    w.apply();
    let env = get_env(&platform, &project, &web.app_id);
    assert!(env.variables.iter().all(|v| !v.secret), "{env:?}");
}
