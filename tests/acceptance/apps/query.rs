//! `comwit_app` under Terraform 1.14+: `terraform query` finds apps made outside Terraform, the
//! configuration it generates imports them without changing anything (the apps keep their
//! variables and their active build), and `import` blocks work by identity as well as by ID.

use comwit::api::models::{App, DeployOptions, EnvPut};
use comwit::provider::apps::bundle;

use super::{env_pairs, flat, get_app, get_env, hcl, read};
use crate::support::platform::{create_project, Platform};
use crate::support::Workdir;

/// An app made through the API, as someone did before using Terraform: its plain variables,
/// and a deploy of one page when `page` is given.
fn app_made_outside(
    p: &Platform,
    project: &str,
    name: &str,
    plain: &[(&str, &str)],
    page: Option<&str>,
) -> App {
    let api = p.api();
    let app = p
        .block_on(api.create_app(project, name))
        .expect("create app");
    for (key, value) in plain {
        let body = EnvPut {
            value,
            secret: false,
        };
        p.block_on(api.put_env(project, &app.app_id, key, &body))
            .expect("set env");
    }
    if let Some(page) = page {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("manifest.json"),
            r#"{"schemaVersion":6,"routes":[{"id":"/","pattern":"^/$","type":"static","file":"index"}]}"#,
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("static")).unwrap();
        std::fs::write(dir.path().join("static/index"), page).unwrap();
        let package = bundle::pack(dir.path()).expect("pack");
        p.block_on(api.deploy(
            project,
            &app.app_id,
            package.bytes,
            &DeployOptions::default(),
        ))
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
        &[("MODE", "production")],
        Some("<h1>live</h1>"),
    );
    let worker = app_made_outside(&platform, &project, "worker", &[], None);
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
    // One whole list of apps (the environments only with -generate-config-out).
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
    ] {
        assert!(text.contains(want), "{want} is not generated:\n{generated}");
    }
    // Neither the serving build (a pin would revert later deploys and rollbacks), nor
    // computed-only attributes.
    for unwanted in [
        "active_build_id",
        "default_domain",
        "default_url",
        "source_sha256",
        "runtime",
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
    // The apps are as they were: same variables, same active build.
    assert_eq!(
        env_pairs(&get_env(&platform, &project, &web.app_id)),
        env_pairs(&web_env)
    );
    assert_eq!(
        get_app(&platform, &project, &web.app_id).active_build_id,
        web.active_build_id
    );
}

#[test]
fn import_blocks_by_identity_and_by_id() {
    let platform = Platform::start();
    let Some(w) = platform.workdir_at_least(1, 14) else {
        return;
    };
    let project = create_project(&platform, "apps-identity");
    let web = app_made_outside(&platform, &project, "web", &[("MODE", "production")], None);
    let api = app_made_outside(&platform, &project, "api", &[], None);
    let blocks = "resource \"comwit_app\" \"web\" {\n  name = \"web\"\n  env  = { MODE = \"production\" }\n}\n\n\
                  resource \"comwit_app\" \"api\" {\n  name = \"api\"\n}\n";
    let imports = format!(
        // `project_id` left out: the provider's.
        "import {{\n  to       = comwit_app.web\n  identity = {{ app_id = \"{}\" }}\n}}\n\n\
         import {{\n  to = comwit_app.api\n  id = \"{project}/{}\"\n}}\n",
        web.app_id, api.app_id
    );
    w.config(&hcl(&project, &format!("{imports}\n{blocks}")));
    let applied = w.apply();
    assert!(
        applied
            .stdout
            .contains("2 imported, 0 added, 0 changed, 0 destroyed"),
        "{}",
        applied.stdout
    );
    w.assert_no_changes();
    assert_eq!(w.resource("comwit_app.web")["project_id"], project.as_str());
    for (name, app_id) in [("web", &web.app_id), ("api", &api.app_id)] {
        assert_eq!(
            stored_identity(&w, name),
            serde_json::json!({"app_id": app_id, "project_id": project}),
            "{name}"
        );
    }
    // An identity naming no app: a clear error.
    w.state_rm("comwit_app.api");
    w.config(&hcl(
        &project,
        &format!(
            "import {{\n  to       = comwit_app.api\n  identity = {{ app_id = \"app-does-not-exist\" }}\n}}\n\n{blocks}"
        ),
    ));
    let refused = w.plan_expect_error();
    assert!(
        flat(&refused.text()).contains("App not found"),
        "{}",
        refused.text()
    );
}
