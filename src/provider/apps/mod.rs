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

/// Hex SHA-256 of a package.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data).as_ref())
}

/// A model reads an unknown attribute as absent; the plan decisions that depend on whether a
/// value is known yet ask here.
pub fn is_unknown(value: &Value, name: &str) -> bool {
    value.get(name).is_some_and(Value::is_unknown)
}

/// No app of that ID (or name) where the configuration says; `detail` says what to check.
pub fn app_not_found(detail: String) -> Diagnostics {
    Diagnostic::error("App not found", detail).into()
}

/// IDs are opaque: only an empty one, whitespace or a `/` is refused at plan.
pub fn is_opaque_id(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || c == '/')
}

/// The plan-time check of an app or build ID argument (see [`is_opaque_id`]).
pub fn opaque_id_validator() -> crate::tfplugin::schema::validators::Matches {
    crate::tfplugin::schema::validators::matches(
        "be an ID as the platform gives it: not empty, without whitespace or `/`",
        is_opaque_id,
    )
}

/// A variable as the platform lists it, for the tests of this folder.
#[cfg(test)]
pub fn test_var(key: &str, value: Option<&str>, secret: bool) -> crate::api::models::EnvVar {
    crate::api::models::EnvVar {
        key: key.into(),
        value: value.map(str::to_string),
        secret,
    }
}

/// An app as the platform answers for it, for the tests of this folder.
#[cfg(test)]
pub fn test_app(app_id: &str, project_id: &str) -> crate::api::models::App {
    crate::api::models::App {
        app_id: app_id.into(),
        project_id: project_id.into(),
        name: "web".into(),
        ..Default::default()
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
    }

    #[test]
    fn ids_are_opaque() {
        for ok in ["app-xxx", "build-yyy", "app_0123", "x"] {
            assert!(is_opaque_id(ok), "{ok}");
        }
        for bad in ["", " ", "a b", "a/b", "a\t"] {
            assert!(!is_opaque_id(bad), "{bad:?}");
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
