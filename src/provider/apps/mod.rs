//! Runtime apps: the `comwit_app` resource (app, environment, deploys, rollback; with an
//! identity) and list resource, and the `comwit_app` and `comwit_app_builds` data sources.

mod app;
mod app_data_source;
mod app_identity;
mod app_list;
mod app_plan;
mod app_state;
mod builds_data_source;
pub mod bundle;
mod env;
pub mod rollback_action;

use std::sync::Arc;

use super::Shared;
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::resource::{DataSource, ListResource, Resource};

pub fn resources(shared: &Shared) -> Vec<Arc<dyn Resource>> {
    vec![Arc::new(app::AppResource::new(shared.clone()))]
}

/// The list resources (`terraform query`, Terraform 1.14+) of the same types.
pub fn list_resources(shared: &Shared) -> Vec<Arc<dyn ListResource>> {
    vec![Arc::new(app_list::AppList::new(shared.clone()))]
}

pub fn data_sources(shared: &Shared) -> Vec<Arc<dyn DataSource>> {
    vec![
        Arc::new(app_data_source::AppDataSource::new(shared.clone())),
        Arc::new(builds_data_source::BuildsDataSource::new(shared.clone())),
    ]
}

/// Hex SHA-256, as the platform computes bundle and variable digests.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data).as_ref())
}

/// A model reads an unknown attribute as absent; the plan decisions that depend on whether a
/// value is known yet (a deploy, an app still without digests) ask here.
pub fn is_unknown(value: &Value, name: &str) -> bool {
    value.get(name).is_some_and(Value::is_unknown)
}

/// No app of that ID (or name) where the configuration says; `detail` says what to check.
pub fn app_not_found(detail: String) -> Diagnostics {
    Diagnostic::error("App not found", detail).into()
}

/// A variable as the platform lists it (a secret has no value), for the tests of this folder.
#[cfg(test)]
pub fn test_var(name: &str, value: Option<&str>, secret: bool) -> crate::api::models::EnvVar {
    crate::api::models::EnvVar {
        name: name.into(),
        value: value.map(str::to_string),
        secret,
        digest: format!("d-{name}"),
        updated_at: "2025-01-01T00:00:00Z".into(),
    }
}

/// An app as the platform answers for it, for the tests of this folder.
#[cfg(test)]
pub fn test_app(app_id: &str, project_id: &str) -> crate::api::models::App {
    crate::api::models::App {
        app_id: app_id.into(),
        project_id: project_id.into(),
        name: "web".into(),
        runtime: "next".into(),
        active_build_id: None,
        default_hostname: "web-1.comwit.app".into(),
        created_at: "2025-01-01T00:00:00Z".into(),
        env_digest_key: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::common::FolderTypes;

    #[test]
    fn every_schema_is_well_defined_and_documented() {
        let types = FolderTypes::new(resources, data_sources, list_resources);
        types.check(&[
            "comwit_app",
            "comwit_app",
            "comwit_app_builds",
            "comwit_app",
        ]);
        for (name, schema) in types.schemas() {
            for a in &schema.block.attributes {
                // The digest key never reaches a state: no attribute carries it.
                assert!(!a.name.contains("key"), "{name}.{}", a.name);
            }
        }
    }

    #[test]
    fn sha256_matches_known_vector() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
