//! Acceptance tests for hostnames and DNS: `comwit_domain`, `comwit_domain_record`,
//! `comwit_app_hostname`, `comwit_app_hostname_verification` and their data sources, and the
//! identities and list resources of the first three, with real Terraform against comwit-local.

mod end_to_end;
mod errors;
mod for_each_plan;
mod lifecycle_domain;
mod lifecycle_hostname;
mod lifecycle_record;
mod query;
mod record_names;
mod resolving;
mod verification;

use comwit::api::models::{Domain, Hostname, Record, RecordInput};

use crate::support::platform::{Platform, PROVIDER_HEADER};

/// A configuration: the provider block (with `project_id` as the default project) and `body`.
pub fn hcl(project_id: &str, body: &str) -> String {
    format!("{PROVIDER_HEADER}\nprovider \"comwit\" {{\n  project_id = \"{project_id}\"\n}}\n\n{body}\n")
}

/// The string attribute `name` of a resource in `terraform show -json`.
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

/// Asserts that `text` (flattened) contains every one of `wanted`.
pub fn assert_mentions(text: &str, wanted: &[&str]) {
    let f = flat(text);
    for w in wanted {
        assert!(f.contains(w), "expected {w:?} in:\n{text}");
    }
}

/// Creates an app through the API; returns its ID.
pub fn create_app(p: &Platform, project: &str, name: &str) -> String {
    p.block_on(p.api().create_app(project, name))
        .expect("create app")
        .app_id
}

pub fn domains(p: &Platform, project: &str) -> Vec<Domain> {
    p.block_on(p.api().list_domains(project))
        .expect("list domains")
}

pub fn records(p: &Platform, project: &str, domain: &str) -> Vec<Record> {
    p.block_on(p.api().list_records(project, domain))
        .expect("list records")
}

pub fn hostnames(p: &Platform, project: &str, app_id: &str) -> Vec<Hostname> {
    p.block_on(p.api().list_hostnames(project, app_id))
        .expect("list hostnames")
}

pub fn onboard(p: &Platform, project: &str, domain: &str) {
    p.block_on(p.api().onboard_domain(project, domain))
        .expect("onboard domain");
}

/// Creates a record through the API; returns its ID.
pub fn add_record(
    p: &Platform,
    project: &str,
    domain: &str,
    name: &str,
    rtype: &str,
    values: &[&str],
) -> String {
    let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    p.block_on(p.api().create_record(
        project,
        domain,
        &RecordInput {
            name,
            record_type: rtype,
            values: &values,
            ttl: 300,
        },
    ))
    .expect("create record")
    .record_id
}
