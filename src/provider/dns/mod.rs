//! Hostnames and DNS: project domains (`comwit_domain`), records in their zones
//! (`comwit_domain_record`), custom hostnames of apps (`comwit_app_hostname`) and waiting for
//! Manual DNS verification (`comwit_app_hostname_verification`), with the matching data
//! sources.

mod domain;
mod domain_data_source;
mod hostname;
mod hostname_data_source;
mod hostname_records;
pub mod names;
mod record;
mod record_state;
mod records_data_source;
pub mod values;
mod verification;

use std::sync::Arc;
use std::time::Duration;

use super::Shared;
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostics};
use crate::tfplugin::resource::{DataSource, Resource};
use crate::tfplugin::schema::validators;
use crate::tfplugin::schema::Validator;

pub fn resources(shared: &Shared) -> Vec<Arc<dyn Resource>> {
    vec![
        Arc::new(domain::DomainResource::new(shared.clone())),
        Arc::new(record::RecordResource::new(shared.clone())),
        Arc::new(hostname::HostnameResource::new(shared.clone())),
        Arc::new(verification::VerificationResource::new(shared.clone())),
    ]
}

pub fn data_sources(shared: &Shared) -> Vec<Arc<dyn DataSource>> {
    vec![
        Arc::new(domain_data_source::DomainDataSource::new(shared.clone())),
        Arc::new(records_data_source::RecordsDataSource::new(shared.clone())),
        Arc::new(hostname_data_source::HostnameDataSource::new(
            shared.clone(),
        )),
    ]
}

use super::common::{attr_or_null as attr, set_attr as set};

/// The strings of a known list or set whose elements are all known; `None` otherwise.
fn known_strings(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::List(v) | Value::Set(v) => {
            v.iter().map(|e| e.as_str().map(str::to_string)).collect()
        }
        _ => None,
    }
}

fn string_list(items: &[String]) -> Value {
    Value::List(items.iter().map(Value::string).collect())
}

/// A validator for hostnames and domains: says what is wrong and how to write it instead.
fn hostname_validator(what: &'static str, max: usize) -> impl Validator {
    validators::custom_described(
        format!("a lowercase {what} of two or more labels, at most {max} characters"),
        move |value: &Value, path: &AttributePath, diags: &mut Diagnostics| {
            if let Some(s) = value.as_str() {
                if let Some(problem) = names::custom_hostname_problem(s, max) {
                    diags.attribute_error(
                        path.clone(),
                        format!("Invalid {what}"),
                        format!("{s:?} is not a valid {what}: {problem}."),
                    );
                }
            }
        },
    )
}

/// A field of an error answer's `details` object (e.g. the hostnames that block a removal).
fn error_detail(err: &crate::api::ApiError, key: &str) -> Option<serde_json::Value> {
    let extra = &err.as_status()?.details;
    extra
        .get("details")
        .and_then(|d| d.get(key))
        .or_else(|| extra.get(key))
        .cloned()
}

/// How long to wait between two looks at something the platform finishes on its own: short
/// at first (comwit-local is quick), then backing off to at most ten seconds.
fn poll_delay(attempt: u32) -> Duration {
    Duration::from_millis((250u64 << attempt.min(6)).min(10_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_is_well_defined_and_names_its_scopes() {
        let shared = Shared::default();
        let resources = resources(&shared);
        assert_eq!(resources.len(), 4);
        for r in resources {
            let d = r.schema().validate_definition();
            assert!(d.is_empty(), "{}: {d}", r.type_name());
            let description = &r.schema().block.description;
            assert!(
                description.contains("**Token scopes:**"),
                "{}",
                r.type_name()
            );
            assert!(description.contains("**Import:**"), "{}", r.type_name());
        }
        let data_sources = data_sources(&shared);
        assert_eq!(data_sources.len(), 3);
        for ds in data_sources {
            let d = ds.schema().validate_definition();
            assert!(d.is_empty(), "{}: {d}", ds.type_name());
            assert!(ds.schema().block.description.contains("**Token scopes:**"));
        }
    }

    #[test]
    fn hostname_validator_explains() {
        let v = hostname_validator("hostname", 235);
        let mut d = Diagnostics::new();
        v.validate(
            &Value::string("WWW.example.com."),
            &AttributePath::new("hostname"),
            &mut d,
        );
        assert!(d.has_errors());
        assert!(d.to_string().contains("trailing dot"), "{d}");
        let mut d = Diagnostics::new();
        v.validate(
            &Value::string("www.example.com"),
            &AttributePath::new("hostname"),
            &mut d,
        );
        assert!(d.is_empty());
    }

    #[test]
    fn poll_delays_back_off_to_ten_seconds() {
        assert_eq!(poll_delay(0), Duration::from_millis(250));
        assert_eq!(poll_delay(2), Duration::from_millis(1000));
        assert_eq!(poll_delay(30), Duration::from_secs(10));
    }

    #[test]
    fn strings_of_collections() {
        let v = Value::Set(vec![Value::string("a"), Value::string("b")]);
        assert_eq!(known_strings(&v), Some(vec!["a".into(), "b".into()]));
        assert_eq!(known_strings(&Value::List(vec![Value::Unknown])), None);
        assert_eq!(known_strings(&Value::Null), None);
    }
}
