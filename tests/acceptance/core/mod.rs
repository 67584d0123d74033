//! Acceptance tests for the core area: `comwit_project` and `comwit_database`, the
//! `comwit_project`, `comwit_projects` and `comwit_database` data sources, and the
//! `comwit_database_token` ephemeral resource (an extension), with real Terraform against
//! comwit-local; `public` runs with extensions off.

mod data_sources;
mod database;
mod database_errors;
// Off in slice-apps: it tests secret env digests, gone with the public contract; the
// database slice replaces the ephemeral token (take its version at merge).
// mod database_token;
mod import;
mod migration;
mod project;
mod public;
mod query;
mod restore;
mod seed;

use comwit::api::models::{Database, Project};

use crate::support::platform::{Platform, PROVIDER_HEADER};
use crate::support::Workdir;

/// A configuration: the provider block (with `project_id` as the default project, if given)
/// and `body`.
pub fn hcl(project_id: Option<&str>, body: &str) -> String {
    let provider = match project_id {
        Some(p) => format!("provider \"comwit\" {{\n  project_id = \"{p}\"\n}}\n"),
        None => "provider \"comwit\" {}\n".to_string(),
    };
    format!("{PROVIDER_HEADER}\n{provider}\n{body}\n")
}

/// The string attribute `name` of a resource or data source in `terraform show -json`.
pub fn s(values: &serde_json::Value, name: &str) -> String {
    values[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} is not a string in {values}"))
        .to_string()
}

/// Terraform wraps diagnostic text to the terminal width: compare with whitespace runs
/// collapsed to single spaces.
pub fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Asserts that `text` (flattened) contains each of `wanted`.
pub fn assert_mentions(text: &str, wanted: &[&str]) {
    let text = flat(text);
    for want in wanted {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
}

pub fn databases(p: &Platform, project: &str) -> Vec<Database> {
    p.block_on(p.api().list_databases(project))
        .expect("list databases")
}

/// The project `project_id` as the list shows it.
pub fn project(p: &Platform, project_id: &str) -> Project {
    p.block_on(p.api().find_project(project_id))
        .expect("list projects")
        .unwrap_or_else(|| panic!("no project {project_id} listed"))
}

pub fn projects(p: &Platform) -> Vec<Project> {
    p.block_on(p.api().list_projects()).expect("list projects")
}

/// Whether comwit-local still has the project (as the dev user sees it).
pub fn project_exists(p: &Platform, project_id: &str) -> bool {
    p.block_on(p.api().find_project(project_id))
        .unwrap_or_else(|e| panic!("list projects: {e}"))
        .is_some()
}

/// `terraform destroy` that must fail; returns its output.
pub fn destroy_expect_error(w: &Workdir) -> String {
    let run = w.run(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    assert!(!run.ok(), "destroy should have failed:\n{}", run.text());
    run.text()
}

/// `terraform import` that must fail; returns its output.
pub fn import_expect_error(w: &Workdir, address: &str, id: &str) -> String {
    let run = w.run(&["import", "-no-color", "-input=false", address, id]);
    assert!(
        !run.ok(),
        "import of {id} should have failed:\n{}",
        run.text()
    );
    run.text()
}
