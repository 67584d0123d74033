//! Runtime apps: the `comwit_app` resource (app, environment, deploys, rollback) and the
//! `comwit_app` and `comwit_app_builds` data sources.

mod app;
mod app_data_source;
mod app_plan;
mod app_state;
mod builds_data_source;
pub mod bundle;
mod env;

use std::sync::Arc;

use super::Shared;
use crate::tfplugin::cty::Value;
use crate::tfplugin::resource::{DataSource, Resource};

pub fn resources(shared: &Shared) -> Vec<Arc<dyn Resource>> {
    vec![Arc::new(app::AppResource::new(shared.clone()))]
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

/// Sets one attribute of an object value (no-op on anything else).
fn set(value: &mut Value, name: &str, v: Value) {
    if let Value::Object(m) = value {
        m.insert(name.to_string(), v);
    }
}

/// An attribute of an object value, null when absent.
fn attr(value: &Value, name: &str) -> Value {
    value.get(name).cloned().unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_is_well_defined() {
        let shared = Shared::default();
        for r in resources(&shared) {
            let d = r.schema().validate_definition();
            assert!(d.is_empty(), "{}: {d}", r.type_name());
            assert!(r.schema().block.description.contains("**Token scopes:**"));
        }
        for ds in data_sources(&shared) {
            let d = ds.schema().validate_definition();
            assert!(d.is_empty(), "{}: {d}", ds.type_name());
            assert!(ds.schema().block.description.contains("**Token scopes:**"));
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
