//! `comwit_app_hostname_verification`: waits until a Manual DNS hostname is `active`, that is
//! until Comwit has found its records published, the way `aws_acm_certificate_validation`
//! waits for a certificate. It creates nothing on the platform: destroying it only forgets it.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::api::models::{Hostname, HostnameDnsRecord, Record};
use crate::api::Client;
use crate::provider::common::{
    api_error, call, plan_project, project_id_attribute, set_attr, timeouts_block, CreateTimeouts,
    ModelResource,
};
use crate::tfplugin::cty::{Type, Value};
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, PlanRequest};
use crate::tfplugin::schema::{Attribute, Block, Schema};

use super::names::{fold, is_within};
use super::{
    app_id_attribute, found, hostname_argument, import_parts, pause, poll_delay, unless_gone,
    DEFAULT_WAIT, HOSTNAME_IMPORT_FORM as IMPORT_FORM,
};

provider_type!(VerificationResource, "comwit_app_hostname_verification");

/// The configuration and state (`status` is planned `active`: a create only ends once it is).
#[derive(Serialize, Deserialize)]
pub(crate) struct VerificationModel {
    #[serde(default)]
    project_id: String,
    app_id: String,
    hostname: String,
    record_fqdns: Option<Vec<String>>,
    #[serde(default)]
    status: String,
    timeouts: Option<CreateTimeouts>,
}

fn schema() -> Schema {
    let description = "\
Waits until a Manual DNS hostname (`comwit_app_hostname`) is `active`, that is until Comwit has \
found its `dns_records` published, and fails after `timeouts.create` (10 minutes by default) \
with the records still missing. It represents the verification, not an object of the \
platform: creating it only waits, and destroying it only removes it from the state. Resources \
that should only be created once the hostname serves traffic can depend on it.

Give `record_fqdns`, the full names of the records you published (for example \
`[for r in comwit_domain_record.www : r.fqdn]`), so that Terraform waits for the records to be \
created before it starts waiting, and so that a record missing from the list is reported at \
once instead of after the timeout.

**Import:** `terraform import comwit_app_hostname_verification.<name> \
<project_id>/<app_id>/<hostname>` (the hostname must be active).

**Token scopes:** `app:read` (create, read, import); `domain:read` helps the timeout message \
tell which records are missing from Comwit-hosted zones.";
    Schema::new(
        Block::from_attributes(vec![
            project_id_attribute("verification"),
            app_id_attribute(),
            hostname_argument().requires_replace().description(
                "The hostname to wait for (usually `comwit_app_hostname.<name>.hostname`). \
                     Changing it replaces the verification, which waits again.",
            ),
            Attribute::set("record_fqdns", Type::String)
                .optional()
                .description(
                    "The full names of the records published for the hostname (with or \
                     without a trailing dot, in any case). Each name in the hostname's \
                     `dns_records` must be among them. Changing it only updates the state.",
                ),
            Attribute::string("status")
                .computed()
                .description("The hostname's status once verified: `active`."),
        ])
        .with_block(timeouts_block(&["create"], "default 10m"))
        .description(description),
    )
}

/// The names of the hostname's records that `record_fqdns` leaves out.
fn unlisted_records<'a>(
    records: &'a [HostnameDnsRecord],
    record_fqdns: &[String],
) -> Vec<&'a HostnameDnsRecord> {
    let listed: BTreeSet<String> = record_fqdns.iter().map(|f| fold(f)).collect();
    records
        .iter()
        .filter(|r| !listed.contains(&fold(&r.name)))
        .collect()
}

/// Whether a published value is the one the hostname needs (hostnames in any case, with or
/// without a trailing dot; TXT exactly).
fn value_matches(rtype: &str, published: &str, wanted: &str) -> bool {
    if rtype == "TXT" {
        published == wanted
    } else {
        fold(published) == fold(wanted)
    }
}

/// One line per record that is not (correctly) published, as far as the Comwit-hosted zones
/// of `zones` (domain → its records) tell; records outside those zones cannot be checked here
/// and are listed as not yet seen.
fn missing_lines(
    records: &[HostnameDnsRecord],
    zones: &BTreeMap<String, Vec<Record>>,
) -> Vec<String> {
    let mut lines = Vec::new();
    for r in records {
        let wanted = format!("{} {} → {:?}", r.record_type, r.name, r.value);
        let zone = zones
            .keys()
            .filter(|d| is_within(&r.name, d))
            .max_by_key(|d| d.len());
        let Some(zone) = zone else {
            lines.push(format!(
                "{wanted}: not seen yet; check that it is published at the DNS provider \
                 that hosts {} (allow for its TTL and any negative caching)",
                r.name
            ));
            continue;
        };
        let found = zones[zone]
            .iter()
            .find(|x| x.name == r.name && x.record_type == r.record_type);
        match found {
            Some(x)
                if x.values
                    .iter()
                    .any(|v| value_matches(&r.record_type, v, &r.value)) => {}
            Some(x) => lines.push(format!(
                "{wanted}: the Comwit zone {zone} has it with {:?} instead ({})",
                x.values, x.record_id
            )),
            None => lines.push(format!("{wanted}: missing from the Comwit zone {zone}")),
        }
    }
    if lines.is_empty() {
        // The zones hold everything, yet the platform has not confirmed it: name them all.
        lines = records
            .iter()
            .map(|r| {
                format!(
                    "{} {} → {:?}: published, not yet confirmed by Comwit",
                    r.record_type, r.name, r.value
                )
            })
            .collect();
    }
    lines
}

#[async_trait]
impl ModelResource for VerificationResource {
    type Model = VerificationModel;
    type_metadata!();

    async fn modify_plan(&self, _ctx: &mut Ctx, plan: &mut PlanRequest) -> Diagnostics {
        if let Err(d) = plan_project(plan, &self.shared) {
            return d;
        }
        let prior = &plan.prior_state;
        let status = if prior.is_null() {
            Value::string("active")
        } else {
            // Changing `record_fqdns` or `timeouts` does not wait again.
            prior.get("status").cloned().unwrap_or(Value::Null)
        };
        set_attr(&mut plan.planned_state, "status", status);
        Diagnostics::new()
    }

    async fn create(
        &self,
        ctx: &mut Ctx,
        mut plan: VerificationModel,
    ) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let client = &configured.client;
        let (project, app_id, hostname) = (&plan.project_id, &plan.app_id, &plan.hostname);
        let limit = CreateTimeouts::create(&plan.timeouts, DEFAULT_WAIT);
        let started = Instant::now();
        let mut current = get(ctx, client, project, app_id, hostname).await?;
        if let Some(fqdns) = &plan.record_fqdns {
            let unlisted = unlisted_records(&current.dns_records, fqdns);
            if !unlisted.is_empty() && current.status != "active" {
                let names: Vec<String> = unlisted
                    .iter()
                    .map(|r| format!("{} {} → {:?}", r.record_type, r.name, r.value))
                    .collect();
                return Err(Diagnostic::error(
                    "Records missing from record_fqdns",
                    format!(
                        "{hostname} needs these records, which `record_fqdns` does not list:\n  \
                         - {}\nPublish them and add their full names to `record_fqdns` (for \
                         example `[for r in comwit_domain_record.<name> : r.fqdn]`).",
                        names.join("\n  - ")
                    ),
                )
                .with_attribute(AttributePath::new("record_fqdns"))
                .into());
            }
        }
        // The platform activates a hostname when asked to finalize it once its records are
        // visible; until then it refuses (409 and the like): ask again until the timeout.
        let mut attempt = 0;
        while current.status != "active" {
            let refusal = match call(ctx, client.finalize_hostname(project, app_id, hostname)).await
            {
                Ok(h) => {
                    // A 2xx is the activation; a status it may leave out reads as `active`.
                    current.status = if h.status.is_empty() {
                        "active".to_string()
                    } else {
                        h.status
                    };
                    if current.status == "active" {
                        break;
                    }
                    None
                }
                Err(e) if super::not_ready(&e) => Some(e),
                Err(e) => return Err(api_error(&format!("finalize the hostname {hostname}"), &e)),
            };
            if started.elapsed() >= limit {
                // The records the platform listed (none on a platform whose list leaves them
                // out), checked against the zones; else the platform's own reason.
                let lines = missing(ctx, client, &current).await;
                let why = refusal
                    .as_ref()
                    .and_then(|e| e.as_status().map(|s| s.message.clone()))
                    .filter(|m| !m.is_empty());
                let detail = if lines.is_empty() {
                    format!(
                        "The platform says: {}.",
                        why.as_deref().unwrap_or("the records are not visible yet")
                    )
                } else {
                    format!("Still missing:\n  - {}", lines.join("\n  - "))
                };
                return Err(Diagnostic::error(
                    "Hostname not verified in time",
                    format!(
                        "{hostname} was still pending after {}s: Comwit has not found all of \
                         its DNS records. {detail}\nPublish them as shown (the hostname's \
                         `dns_records`), then run apply again; raise `timeouts.create` when \
                         the DNS provider is slow to publish.",
                        limit.as_secs(),
                    ),
                )
                .into());
            }
            let remaining = limit.saturating_sub(started.elapsed());
            pause(ctx, poll_delay(attempt).min(remaining), hostname).await?;
            attempt += 1;
        }
        plan.status = current.status;
        model::value_of(&plan, &self.schema)
    }

    async fn read(
        &self,
        ctx: &mut Ctx,
        mut known: VerificationModel,
    ) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let (project, app_id, hostname) = (&known.project_id, &known.app_id, &known.hostname);
        let request = configured.client.get_hostname(project, app_id, hostname);
        // The hostname is gone: so is its verification.
        let Some(h) = unless_gone(ctx, request, &format!("read the hostname {hostname}")).await?
        else {
            return Ok(Value::Null);
        };
        known.status = h.status;
        model::value_of(&known, &self.schema)
    }

    async fn update(
        &self,
        _ctx: &mut Ctx,
        _prior: VerificationModel,
        planned: VerificationModel,
    ) -> Result<Value, Diagnostics> {
        // `record_fqdns` and `timeouts` only live in the state.
        model::value_of(&planned, &self.schema)
    }

    async fn delete(&self, _ctx: &mut Ctx, _prior: VerificationModel) -> Result<(), Diagnostics> {
        Ok(())
    }

    async fn import(&self, ctx: &mut Ctx, id: &str) -> Result<Value, Diagnostics> {
        let [project, app_id, hostname] = import_parts(id, IMPORT_FORM)?;
        let configured = self.shared.get()?;
        let h = get(ctx, &configured.client, &project, &app_id, &hostname)
            .await
            .map_err(|d| {
                let mut d = d.into_vec();
                for x in &mut d {
                    x.detail = format!(
                        "Cannot import {id:?}: {} The import ID has the form {IMPORT_FORM}.",
                        x.detail
                    );
                }
                Diagnostics::from(d)
            })?;
        if h.status != "active" {
            return Err(Diagnostic::error(
                "Hostname not verified",
                format!(
                    "Cannot import {id:?}: {hostname} is still {}, so there is no completed \
                     verification to import. Let Terraform create the verification instead: \
                     it waits until the hostname is active.",
                    h.status
                ),
            )
            .into());
        }
        let state = VerificationModel {
            project_id: project,
            app_id,
            hostname,
            record_fqdns: None,
            status: h.status,
            timeouts: None,
        };
        model::value_of(&state, &self.schema)
    }
}

/// The hostname to wait for; a 404 says how to attach it first.
async fn get(
    ctx: &Ctx,
    client: &Client,
    project: &str,
    app_id: &str,
    hostname: &str,
) -> Result<Hostname, Diagnostics> {
    let request = client.get_hostname(project, app_id, hostname);
    let action = format!("read the hostname {hostname}");
    found(ctx, request, &action, || {
        Diagnostic::error(
            "Hostname not found",
            format!(
                "The app {app_id} of the project {project} has no hostname {hostname}. Attach \
                 it with `comwit_app_hostname` and reference that resource here (`hostname = \
                 comwit_app_hostname.<name>.hostname`) so it exists first."
            ),
        )
        .with_attribute(AttributePath::new("hostname"))
    })
    .await
}

/// The records still missing, checked against the Comwit zones of the hostname's project
/// where the token may read them.
async fn missing(ctx: &Ctx, client: &Client, h: &Hostname) -> Vec<String> {
    let mut zones = BTreeMap::new();
    if let Ok(domains) = call(ctx, client.list_domains(&h.project_id)).await {
        for d in domains {
            if !h.dns_records.iter().any(|r| is_within(&r.name, &d.domain)) {
                continue;
            }
            if let Ok(records) = call(ctx, client.list_records(&h.project_id, &d.domain)).await {
                zones.insert(d.domain, records);
            }
        }
    }
    missing_lines(&h.dns_records, &zones)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::dns::fixtures::{rec, zone_record};

    fn needed() -> Vec<HostnameDnsRecord> {
        vec![
            rec("routing", "CNAME", "www.example.com", "web-1.comwit.app"),
            rec(
                "ownership",
                "TXT",
                "_cf-challenge.www.example.com",
                "comwit-verify=ab",
            ),
        ]
    }

    #[test]
    fn fqdns_must_cover_every_record() {
        let records = needed();
        let all = vec![
            "WWW.example.com.".to_string(),
            "_cf-challenge.www.example.com".into(),
        ];
        assert!(unlisted_records(&records, &all).is_empty());
        let some = vec!["www.example.com".to_string()];
        let missing = unlisted_records(&records, &some);
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].purpose, "ownership");
    }

    #[test]
    fn missing_records_are_named() {
        let records = needed();
        // Outside any Comwit zone: not seen yet.
        let lines = missing_lines(&records, &BTreeMap::new());
        assert_eq!(lines.len(), 2);
        assert!(lines[0].contains("CNAME www.example.com"), "{lines:?}");
        assert!(lines[0].contains("not seen yet"));
        // In a Comwit zone: the TXT is there, the CNAME is not.
        let zone = BTreeMap::from([(
            "example.com".to_string(),
            vec![zone_record(
                "_cf-challenge.www.example.com",
                "TXT",
                &["comwit-verify=ab"],
            )],
        )]);
        let lines = missing_lines(&records, &zone);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].contains("CNAME www.example.com"));
        assert!(lines[0].contains("missing from the Comwit zone example.com"));
        // A wrong value says what is there.
        let zone = BTreeMap::from([(
            "example.com".to_string(),
            vec![
                zone_record("www.example.com", "CNAME", &["Web-1.comwit.app."]),
                zone_record(
                    "_cf-challenge.www.example.com",
                    "TXT",
                    &["comwit-verify=zz"],
                ),
            ],
        )]);
        let lines = missing_lines(&records, &zone);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].contains("instead"));
        assert!(lines[0].contains("comwit-verify=zz"));
    }

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<VerificationModel>(&schema());
    }
}
