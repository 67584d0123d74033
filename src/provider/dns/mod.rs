//! Hostnames and DNS: project domains (`comwit_domain`), records in their zones
//! (`comwit_domain_record`), custom hostnames of apps (`comwit_app_hostname`) and waiting for
//! Manual DNS verification (`comwit_app_hostname_verification`), with the matching data
//! sources; identities and list resources (`terraform query`) for the first three.

mod domain;
mod domain_data_source;
mod domain_list;
mod hostname;
mod hostname_data_source;
mod hostname_list;
mod hostname_records;
mod identity;
pub mod names;
mod record;
mod record_list;
mod record_state;
mod records_data_source;
pub mod values;
mod verification;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use super::Shared;
use crate::api::ApiError;
use crate::provider::common::{api_error, call, id_validator, split_import_id};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::resource::{Ctx, DataSource, ListResource, Resource};
use crate::tfplugin::schema::validators;
use crate::tfplugin::schema::{Attribute, Validator};

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

/// The list resources (`terraform query`, Terraform 1.14+) of the types with an identity.
pub fn list_resources(shared: &Shared) -> Vec<Arc<dyn ListResource>> {
    vec![
        Arc::new(domain_list::DomainList::new(shared.clone())),
        Arc::new(record_list::RecordList::new(shared.clone())),
        Arc::new(hostname_list::HostnameList::new(shared.clone())),
    ]
}

/// The import ID of a hostname and of its verification.
const HOSTNAME_IMPORT_FORM: &str = "<project_id>/<app_id>/<hostname>";

/// How long a create may wait for a hostname to turn active, unless `timeouts` says otherwise.
const DEFAULT_WAIT: Duration = Duration::from_secs(600);

/// The strings of a known list or set whose elements are all known; `None` otherwise.
fn known_strings(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::List(v) | Value::Set(v) => {
            v.iter().map(|e| e.as_str().map(str::to_string)).collect()
        }
        _ => None,
    }
}

/// The `N` parts of an import ID of the form `form` (`a/b/c`).
fn import_parts<const N: usize>(id: &str, form: &str) -> Result<[String; N], Diagnostics> {
    // split_import_id gives exactly N parts or an error.
    let mut parts = split_import_id(id, N, form)?;
    Ok(std::array::from_fn(|i| std::mem::take(&mut parts[i])))
}

/// The object a request returns; a 404 explained by `not_found`, other errors as usual.
async fn found<T>(
    ctx: &Ctx,
    request: impl Future<Output = Result<T, ApiError>>,
    action: &str,
    not_found: impl FnOnce() -> Diagnostic,
) -> Result<T, Diagnostics> {
    match call(ctx, request).await {
        Ok(t) => Ok(t),
        Err(e) if e.is_not_found() => Err(not_found().into()),
        Err(e) => Err(api_error(action, &e)),
    }
}

/// What a refresh reads: `None` when the object is gone, so that Terraform plans to create it
/// again.
async fn unless_gone<T>(
    ctx: &Ctx,
    request: impl Future<Output = Result<T, ApiError>>,
    action: &str,
) -> Result<Option<T>, Diagnostics> {
    match call(ctx, request).await {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(api_error(action, &e)),
    }
}

/// The 404 of a data source that looks a project domain up.
fn domain_not_found(project: &str, domain: &str, what_else: &str) -> Diagnostic {
    Diagnostic::error(
        "Domain not found",
        format!(
            "The project {project} has no domain {domain} (or the project does not exist). \
             Check `domain` and `project_id`{what_else}."
        ),
    )
}

/// The `app_id` of a hostname and of its verification.
fn app_id_attribute() -> Attribute {
    Attribute::string("app_id")
        .required()
        .requires_replace()
        .validator(id_validator("app", "app"))
        .description(
            "The app the hostname routes to (usually `comwit_app.<name>.app_id`). Changing it \
             replaces the hostname.",
        )
}

/// The `domain` argument naming a project domain (descriptions differ by type).
fn domain_argument() -> Attribute {
    Attribute::string("domain")
        .required()
        .validator(hostname_validator("domain", names::MAX_FQDN))
}

/// The `hostname` argument naming an app's hostname (descriptions differ by type).
fn hostname_argument() -> Attribute {
    Attribute::string("hostname")
        .required()
        .validator(hostname_validator("hostname", names::MAX_APP_HOSTNAME))
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
fn error_detail(err: &ApiError, key: &str) -> Option<serde_json::Value> {
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

/// Waits `delay` before looking at `hostname` again; an error when Terraform asks to stop.
async fn pause(ctx: &Ctx, delay: Duration, hostname: &str) -> Result<(), Diagnostics> {
    if ctx.stop.sleep(delay).await {
        Ok(())
    } else {
        Err(api_error(
            &format!("wait for the hostname {hostname}"),
            &ApiError::Cancelled,
        ))
    }
}

/// Whether a finalize answer says the records are not visible yet (try again later) rather
/// than that something is wrong. The public material does not name the answer: any 4xx that
/// is not about the request itself (auth, a missing hostname, rate limits are handled apart)
/// counts as "not ready".
pub(super) fn not_ready(e: &ApiError) -> bool {
    matches!(e.status(), Some(400 | 409 | 412 | 422 | 425))
}

/// Asks the platform to finalize the hostname's activation until it does, or `limit` has
/// passed since `started`: the hostname as activated.
async fn finalize_until_ready(
    ctx: &Ctx,
    client: &crate::api::Client,
    project: &str,
    app_id: &str,
    hostname: &str,
    started: std::time::Instant,
    limit: Duration,
) -> Result<crate::api::models::Hostname, Diagnostics> {
    let mut attempt = 0;
    loop {
        let last = match call(ctx, client.finalize_hostname(project, app_id, hostname)).await {
            Ok(h) => return Ok(h),
            Err(e) if not_ready(&e) => e,
            Err(e) => return Err(api_error(&format!("finalize the hostname {hostname}"), &e)),
        };
        if started.elapsed() >= limit {
            let why = last
                .as_status()
                .map(|s| s.message.clone())
                .unwrap_or_else(|| last.to_string());
            return Err(Diagnostic::error(
                "Hostname not activated in time",
                format!(
                    "{hostname} was not activated after {}s: the platform still answers the \
                     finalize request with {}: {why}. Publish the hostname's `dns_records` \
                     as shown (Manual DNS) or check the project domain's delegation \
                     (Automatic DNS), then run apply again; raise `timeouts.create` when DNS \
                     is slow to publish.",
                    limit.as_secs(),
                    last.status().unwrap_or_default(),
                ),
            )
            .into());
        }
        let remaining = limit.saturating_sub(started.elapsed());
        pause(ctx, poll_delay(attempt).min(remaining), hostname).await?;
        attempt += 1;
    }
}

/// Platform answers for the unit tests.
#[cfg(test)]
mod fixtures {
    use crate::api::models::{Hostname, HostnameDnsRecord, Record};

    /// A Manual DNS hostname, pending.
    pub(super) fn manual(hostname: &str, dns_records: Vec<HostnameDnsRecord>) -> Hostname {
        Hostname {
            hostname: hostname.into(),
            app_id: "app-1".into(),
            project_id: "p1".into(),
            dns_mode: Some("external_records".into()),
            status: "pending".into(),
            dns_records,
        }
    }

    /// One of the records a hostname needs.
    pub(super) fn rec(purpose: &str, rtype: &str, name: &str, value: &str) -> HostnameDnsRecord {
        HostnameDnsRecord {
            purpose: purpose.into(),
            record_type: rtype.into(),
            name: name.into(),
            value: value.into(),
        }
    }

    /// A record of the zone `example.com`.
    pub(super) fn zone_record(name: &str, rtype: &str, values: &[&str]) -> Record {
        Record {
            record_id: "dnsrec_1".into(),
            project_domain_id: None,
            name: name.into(),
            record_type: rtype.into(),
            ttl: 300,
            values: values.iter().map(|v| v.to_string()).collect(),
            owner: Some("user".into()),
            owner_resource_type: None,
            owner_resource_id: None,
            status: Some("in_sync".into()),
            route53_change_id: None,
            last_error: None,
            created_at: None,
            updated_at: None,
            project_id: "p1".into(),
            domain: "example.com".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::common::FolderTypes;

    fn types() -> FolderTypes {
        FolderTypes::new(resources, data_sources, list_resources)
    }

    #[test]
    fn every_schema_is_well_defined_and_names_its_scopes() {
        let types = types();
        types.check(&[
            "comwit_domain",
            "comwit_domain_record",
            "comwit_app_hostname",
            "comwit_app_hostname_verification",
            "comwit_domain",
            "comwit_domain_records",
            "comwit_app_hostname",
            "comwit_domain",
            "comwit_domain_record",
            "comwit_app_hostname",
        ]);
        for r in &types.resources {
            let description = &r.schema().block.description;
            assert!(description.contains("**Import:**"), "{}", r.type_name());
        }
    }

    #[test]
    fn identities_are_documented_and_lists_need_no_argument() {
        let types = types();
        for r in &types.resources {
            if r.identity().is_none() {
                // A wait, not a platform object: nothing of its own to name or find.
                assert_eq!(r.type_name(), "comwit_app_hostname_verification");
                continue;
            }
            let description = &r.schema().block.description;
            assert!(description.contains("identity = {"), "{}", r.type_name());
            assert!(description.contains("terraform query"), "{}", r.type_name());
        }
        for l in &types.lists {
            let block = &l.schema().block;
            assert!(
                block.attributes.iter().all(|a| !a.required),
                "{}",
                l.type_name()
            );
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
