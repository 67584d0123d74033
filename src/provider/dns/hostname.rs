//! `comwit_app_hostname`: a custom hostname attached to an app, with Manual DNS (the
//! practitioner publishes `dns_records` wherever the name's DNS is hosted) or Automatic DNS
//! (Comwit writes them into a project domain's zone).

use std::time::Instant;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::api::hostnames::{EXTERNAL_RECORDS, MANAGED_PROJECT_DOMAIN};
use crate::api::models::{Hostname, HostnameAttach};
use crate::api::{ApiError, Client};
use crate::provider::common::{
    api_error, api_error_at, call, plan_project, project_id_attribute, set_attr, timeouts_block,
    CreateTimeouts, ModelResource,
};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, IdentitySchema, PlanRequest};
use crate::tfplugin::schema::{validators, Attribute, Block, Schema};

use super::hostname_records::{
    disagreements, dns_records_attribute, planned_records, refreshed_records, DnsRecords,
};
use super::identity::{hostname_import_id, HOSTNAME_IDENTITY};
use super::names::{is_within, routing_type, MAX_FQDN};
use super::{
    app_id_attribute, found, hostname_argument, hostname_validator, import_parts, unless_gone,
    DEFAULT_WAIT, HOSTNAME_IMPORT_FORM as IMPORT_FORM,
};

provider_type!(HostnameResource, "comwit_app_hostname");
const TYPE_NAME: &str = HostnameResource::TYPE_NAME;

/// The resource's configuration and state; without `timeouts`, also the data source's
/// configuration (where `dns_mode` is computed) and result.
#[derive(Serialize, Deserialize)]
pub(crate) struct HostnameModel {
    #[serde(default)]
    pub project_id: String,
    pub app_id: String,
    pub hostname: String,
    #[serde(default)]
    pub dns_mode: String,
    pub domain: Option<String>,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub dns_records: DnsRecords,
    // Left out of the data source's result, whose schema has no `timeouts`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeouts: Option<CreateTimeouts>,
}

impl HostnameModel {
    /// The state of a hostname from the platform; `prior_records` are the `dns_records` it
    /// refreshes (none on create and import).
    pub(super) fn new(
        h: Hostname,
        prior_records: DnsRecords,
        timeouts: Option<CreateTimeouts>,
    ) -> Self {
        let mut records = h.dns_records.clone();
        if records.iter().any(|r| r.purpose.is_empty())
            && super::hostname_records::assign_purposes(&h.hostname, &mut records).is_err()
        {
            records.clear();
        }
        HostnameModel {
            dns_records: refreshed_records(prior_records, &records),
            project_id: h.project_id,
            app_id: h.app_id,
            hostname: h.hostname,
            dns_mode: h.dns_mode.as_deref().map(user_mode).unwrap_or_default(),
            domain: None,
            status: h.status,
            timeouts,
        }
    }
}

/// The user-facing mode of a public `dns_mode`; an unknown one is kept as the platform says it.
pub(super) fn user_mode(public: &str) -> String {
    match public {
        EXTERNAL_RECORDS => "manual".to_string(),
        MANAGED_PROJECT_DOMAIN => "automatic".to_string(),
        other => other.to_string(),
    }
}

/// The public `dns_mode` of a user-facing one.
fn public_mode(user: &str) -> &str {
    match user {
        "automatic" => MANAGED_PROJECT_DOMAIN,
        _ => EXTERNAL_RECORDS,
    }
}

/// What validation and planning read of a configuration; an unknown attribute reads as absent.
#[derive(Deserialize)]
struct HostnameConfig<'a> {
    #[serde(borrow)]
    hostname: Option<&'a str>,
    #[serde(borrow)]
    dns_mode: Option<&'a str>,
    #[serde(borrow)]
    domain: Option<&'a str>,
}

fn schema() -> Schema {
    let description = "\
A custom hostname attached to an app. A hostname belongs to at most one app on the whole \
platform. Two records make it work, listed in `dns_records` by purpose: `routing` (an `A` \
record at a zone apex, a `CNAME` to the app's edge target elsewhere) and `ownership` (a `TXT` \
record `_cf-challenge.<hostname>`).

**Manual DNS** (`dns_mode = \"manual\"`): publish both records at whatever DNS provider hosts \
the name. Their keys, names and types are known when Terraform plans (only the values \
wait for apply), so `for_each = comwit_app_hostname.<name>.dns_records` into another \
provider's record resource works in the very first `terraform apply`, without `-target`. The \
hostname turns `active` when the platform finalizes it, which it does once it finds both \
records; `comwit_app_hostname_verification` asks for that until it happens. The records stay in the state after verification, so the records fed from \
them are never planned away.

**Automatic DNS** (`dns_mode = \"automatic\"`, with `domain`): Comwit writes both records into \
the zone of a project domain (`comwit_domain`) that is the hostname or a suffix of it; they \
appear there as the platform's records (`owner` `platform_app`; `managed_by` in the records \
data source names the hostname) and cannot be changed through `comwit_domain_record`. \
Terraform finalizes the hostname until it is `active` (see `timeouts`), and destroying the \
hostname removes the records.

A zone apex is a hostname of exactly two labels or one equal to an onboarded domain. For \
Manual DNS, Terraform tells the routing type at plan time from the project's domains; when \
they cannot be listed (a token without `domain:read`), the routing `type` is known only after \
apply. A plan cannot see a domain onboarded in the same apply (or in another project): a \
hostname equal to such a domain fails at apply with an explanation and is detached again; \
once the domain is onboarded in the hostname's project, the next plan sees it.

**Import:** `terraform import comwit_app_hostname.<name> <project_id>/<app_id>/<hostname>`, \
or an `import` block with that `id` or, on Terraform 1.12 and later, `identity = { project_id = \
\"<project_id>\", app_id = \"<app_id>\", hostname = \"<hostname>\" }` (`project_id` defaults \
to the provider's). The imported `dns_mode` and `domain` are told from the project's zones (the platform's list \
of hostnames shows neither). An imported Manual DNS hostname has empty `dns_records`: the \
platform returns them only in the answer to the attach, so publish them from the \
configuration that attached it (or detach and attach it again). On Terraform 1.14 \
and later, `terraform query` with a `comwit_app_hostname` list block finds the hostnames of an \
app (or of every app of a project) and writes their `import` and `resource` blocks \
(`-generate-config-out`).

**Token scopes:** create and delete need `app:write`; read, refresh and import need \
`app:read`; planning a Manual DNS hostname of three or more labels uses `domain:read` (to \
tell a zone apex) when the token has it.";
    Schema::new(
        Block::from_attributes(vec![
            project_id_attribute("hostname"),
            app_id_attribute(),
            hostname_argument().requires_replace().description(
                "The hostname, such as `www.example.com`: lowercase, without a trailing \
                     dot, two or more labels, at most 235 characters, not under `comwit.app`. \
                     Changing it replaces the hostname.",
            ),
            Attribute::string("dns_mode")
                .required()
                .requires_replace()
                .validator(validators::one_of(&["manual", "automatic"]))
                .description(
                    "`manual`: you publish `dns_records` yourself. `automatic`: Comwit writes \
                     them into the zone of `domain`. Changing it replaces the hostname.",
                ),
            Attribute::string("domain")
                .optional()
                .requires_replace()
                .validator(hostname_validator("domain", MAX_FQDN))
                .description(
                    "Automatic DNS only (and required there): the project domain whose zone \
                     gets the records, equal to the hostname or a suffix of it (`example.com` \
                     for `www.example.com`). Reference the `comwit_domain` resource \
                     (`comwit_domain.<name>.domain`) so the domain exists first. Changing it \
                     replaces the hostname.",
                ),
            Attribute::string("status").computed().description(
                "The platform's status of the hostname, as it sends it (the values are not \
                 public; comwit-local says `pending` until activation is finalized, then \
                 `active`).",
            ),
            dns_records_attribute(
                "The records that make the hostname work, by purpose: `routing` and \
                 `ownership`. Keys, names and types are known at plan time; values after \
                 apply. Feed them to your DNS provider with `for_each` for Manual DNS.",
            ),
        ])
        .with_block(timeouts_block(
            &["create"],
            "default 10m; Automatic DNS waits for the hostname to turn active",
        ))
        .description(description),
    )
}

/// Cross-attribute checks: `domain` goes with Automatic DNS and must hold the hostname.
fn validate_hostname(config: &Value) -> Diagnostics {
    let c: HostnameConfig = match model::get(config) {
        Ok(c) => c,
        Err(d) => return d,
    };
    let mut diags = Diagnostics::new();
    // An unknown domain reads as absent too: it is checked once known.
    let no_domain = c.domain.is_none() && !config.get("domain").is_some_and(Value::is_unknown);
    let at_domain = AttributePath::new("domain");
    match (c.dns_mode, c.domain) {
        (Some("automatic"), None) if no_domain => diags.attribute_error(
            at_domain.clone(),
            "Missing domain for Automatic DNS",
            "dns_mode = \"automatic\" needs `domain`: the project domain whose zone gets the \
             hostname's records (for example `domain = comwit_domain.main.domain`). Use \
             dns_mode = \"manual\" to publish the records yourself instead.",
        ),
        (Some("manual"), Some(d)) => diags.attribute_error(
            at_domain.clone(),
            "domain is only for Automatic DNS",
            format!(
                "`domain` ({d:?}) is set, but dns_mode is \"manual\": with Manual DNS you \
                 publish the records yourself and no domain is used. Remove `domain`, or set \
                 dns_mode = \"automatic\" to let Comwit write the records into {d}."
            ),
        ),
        _ => {}
    }
    if let (Some(h), Some(d)) = (c.hostname, c.domain) {
        if !is_within(h, d) {
            diags.attribute_error(
                at_domain,
                "Hostname outside its domain",
                format!(
                    "The hostname {h:?} is not within the domain {d:?}: Automatic DNS writes \
                     the records into the zone of {d}, so the hostname must be {d} or end with \
                     \".{d}\"."
                ),
            );
        }
    }
    diags
}

#[async_trait]
impl ModelResource for HostnameResource {
    type Model = HostnameModel;
    type_metadata!();

    async fn validate(&self, config: &Value) -> Diagnostics {
        validate_hostname(config)
    }

    async fn modify_plan(&self, ctx: &mut Ctx, plan: &mut PlanRequest) -> Diagnostics {
        let project = match plan_project(plan, &self.shared) {
            Ok(p) => p,
            Err(d) => return d,
        };
        let prior = &plan.prior_state;
        if !prior.is_null() {
            // Only `timeouts` can change in place; the records stay as they are (a
            // replacement is planned again as a create, with no prior state).
            let records = prior.get("dns_records").cloned().unwrap_or(Value::Null);
            set_attr(&mut plan.planned_state, "dns_records", records);
            return Diagnostics::new();
        }
        let config: HostnameConfig = match model::get(&plan.config) {
            Ok(c) => c,
            Err(d) => return d,
        };
        let routing = match config.hostname {
            None => None,
            Some(h) => {
                let domains = self.apex_domains(ctx, &config, &project).await;
                routing_type(h, domains.as_deref())
            }
        };
        let records = planned_records(config.hostname, routing);
        set_attr(&mut plan.planned_state, "dns_records", records);
        Diagnostics::new()
    }

    async fn create(&self, ctx: &mut Ctx, planned: HostnameModel) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let client = &configured.client;
        let HostnameModel {
            project_id: project,
            app_id,
            hostname,
            dns_mode: mode,
            domain,
            dns_records: planned_records,
            timeouts,
            ..
        } = planned;
        let domain = domain.as_deref();
        let body = HostnameAttach {
            domain: &hostname,
            dns_mode: public_mode(&mode),
        };
        let started = Instant::now();
        let mut attached = match call(ctx, client.attach_hostname(&project, &app_id, &body)).await {
            Ok(h) => h,
            Err(e) => {
                return Err(
                    attach_error(ctx, client, &project, &app_id, &hostname, domain, &e).await,
                )
            }
        };
        let mut differences =
            match super::hostname_records::assign_purposes(&hostname, &mut attached.dns_records) {
                Ok(()) => disagreements(&planned_records, &attached),
                Err(e) => vec![e],
            };
        if mode == "automatic" {
            // Automatic DNS: the platform publishes the records itself; whatever it lists is
            // kept, nothing is fed to another provider.
            differences.clear();
        }
        if !differences.is_empty() {
            // Terraform promised other names or types to the resources fed from
            // `dns_records`; undo the attach rather than leave them wrong.
            let undone = call(ctx, client.detach_hostname(&project, &app_id, &hostname))
                .await
                .is_ok();
            if !undone {
                ctx.partial_state = Some(self.state(attached, timeouts)?);
            }
            return Err(Diagnostic::error(
                "Hostname records differ from the plan",
                format!(
                    "The platform gave {hostname} other records than Terraform planned: {}. \
                     This happens when the hostname is a zone apex that Terraform could not \
                     see at plan time (a domain onboarded in another project, or in this same \
                     apply). {} Run apply again once the domain exists, so the plan sees it.",
                    differences.join("; "),
                    if undone {
                        "The hostname was detached again."
                    } else {
                        "Detaching it again failed: it is recorded as tainted."
                    }
                ),
            )
            .with_attribute(AttributePath::new("dns_records"))
            .into());
        }
        if mode.is_empty() || attached.dns_mode.is_none() {
            attached.dns_mode = Some(public_mode(&mode).to_string());
        }
        let keep = |state: Value| -> Value {
            let mut state = state;
            set_attr(
                &mut state,
                "domain",
                domain.map_or(Value::Null, Value::string),
            );
            state
        };
        ctx.partial_state = Some(keep(self.state(attached.clone(), timeouts.clone())?));
        if mode == "automatic" {
            let limit = CreateTimeouts::create(&timeouts, DEFAULT_WAIT);
            let records = attached.dns_records.clone();
            attached = super::finalize_until_ready(
                ctx, client, &project, &app_id, &hostname, started, limit,
            )
            .await?;
            attached.dns_records = records;
            attached.dns_mode = Some(MANAGED_PROJECT_DOMAIN.to_string());
        }
        Ok(keep(self.state(attached, timeouts)?))
    }

    async fn read(&self, ctx: &mut Ctx, known: HostnameModel) -> Result<Value, Diagnostics> {
        // Detached, or its app deleted: plan to attach it again.
        let Some(h) = self.fetch(ctx, &known).await? else {
            return Ok(Value::Null);
        };
        let mut refreshed = HostnameModel::new(h, known.dns_records, known.timeouts);
        refreshed.domain = known.domain;
        if refreshed.dns_mode.is_empty() {
            refreshed.dns_mode = known.dns_mode;
        }
        model::value_of(&refreshed, &self.schema)
    }

    async fn update(
        &self,
        ctx: &mut Ctx,
        prior: HostnameModel,
        planned: HostnameModel,
    ) -> Result<Value, Diagnostics> {
        let HostnameModel { timeouts, .. } = planned;
        let Some(h) = self.fetch(ctx, &prior).await? else {
            return Err(Diagnostic::error(
                "Hostname disappeared",
                "The hostname was detached outside Terraform while it was being updated; \
                 run apply again to attach it anew.",
            )
            .into());
        };
        // Only `timeouts` changes in place: refresh the status, keep the records.
        let mut state = HostnameModel::new(h, DnsRecords::new(), timeouts);
        state.dns_records = prior.dns_records;
        state.domain = prior.domain;
        if state.dns_mode.is_empty() {
            state.dns_mode = prior.dns_mode;
        }
        model::value_of(&state, &self.schema)
    }

    async fn delete(&self, ctx: &mut Ctx, prior: HostnameModel) -> Result<(), Diagnostics> {
        let configured = self.shared.get()?;
        let (project, app_id, hostname) = (&prior.project_id, &prior.app_id, &prior.hostname);
        // The client counts a DELETE answered 404 as done.
        call(
            ctx,
            configured.client.detach_hostname(project, app_id, hostname),
        )
        .await
        .map_err(|e| api_error(&format!("detach the hostname {hostname}"), &e))
    }

    async fn import(&self, ctx: &mut Ctx, id: &str) -> Result<Value, Diagnostics> {
        let [project, app_id, hostname] = import_parts(id, IMPORT_FORM)?;
        let configured = self.shared.get()?;
        let request = configured.client.get_hostname(&project, &app_id, &hostname);
        let action = format!("import the hostname {hostname}");
        let h = found(ctx, request, &action, || {
            Diagnostic::error(
                "Hostname not found",
                format!(
                    "Cannot import {id:?}: the app {app_id} of the project {project} has no \
                     hostname {hostname} (or the app or project does not exist). The import \
                     ID has the form {IMPORT_FORM}."
                ),
            )
        })
        .await?;
        let zone = Zones::new(&configured.client, &project)
            .lookup(ctx, &h.hostname)
            .await;
        listed_state(self, h, zone)
    }

    fn identity(&self) -> Option<&IdentitySchema> {
        Some(&HOSTNAME_IDENTITY)
    }

    fn identity_import_id(&self, identity: &Value) -> Result<String, Diagnostics> {
        hostname_import_id(identity, &self.shared)
    }
}

impl HostnameResource {
    /// The state of a hostname the platform just attached, or that is imported or listed:
    /// what `read` makes of it too.
    pub(super) fn state(
        &self,
        h: Hostname,
        timeouts: Option<CreateTimeouts>,
    ) -> Result<Value, Diagnostics> {
        model::value_of(
            &HostnameModel::new(h, DnsRecords::new(), timeouts),
            &self.schema,
        )
    }

    /// The hostname of a state as the platform has it now; `None` once it is gone.
    async fn fetch(
        &self,
        ctx: &Ctx,
        known: &HostnameModel,
    ) -> Result<Option<Hostname>, Diagnostics> {
        let configured = self.shared.get()?;
        let (project, app_id, hostname) = (&known.project_id, &known.app_id, &known.hostname);
        let request = configured.client.read_hostname(project, app_id, hostname);
        unless_gone(ctx, request, &format!("read the hostname {hostname}")).await
    }

    /// The onboarded domains that may make the planned hostname a zone apex: the Automatic DNS
    /// domain, or for Manual DNS the project's domains. `None` when they cannot be listed.
    async fn apex_domains(
        &self,
        ctx: &Ctx,
        config: &HostnameConfig<'_>,
        project: &Value,
    ) -> Option<Vec<String>> {
        if let (Some(domain), Some("automatic")) = (config.domain, config.dns_mode) {
            return Some(vec![domain.to_string()]);
        }
        if config.hostname.is_some_and(|h| h.split('.').count() == 2) {
            // An apex whatever the domains are: nothing to look up.
            return Some(Vec::new());
        }
        // A project not created yet has no domains (domains onboarded in the same apply are
        // not visible to any plan, known project or not).
        let Some(project) = project.as_str() else {
            return Some(Vec::new());
        };
        let configured = self.shared.get().ok()?;
        let domains = call(ctx, configured.client.read_domains(project))
            .await
            .ok()?;
        Some(domains.into_iter().map(|d| d.domain).collect())
    }
}

/// An Automatic DNS hostname as the project's zones show it: the domain whose zone holds its
/// records, and those records (`owner: platform_app`).
#[derive(Clone, Debug, Default)]
pub(super) struct PlatformHostname {
    pub domain: String,
    pub records: Vec<crate::api::models::HostnameDnsRecord>,
}

/// Tells Automatic DNS hostnames from the project's zones: the platform's records
/// (`owner: platform_app`) in the project domains that could hold a hostname. The hostname list
/// shows neither a hostname's `dns_mode` nor its records; these tell both. The domains are
/// read once, a zone's records only when a hostname under it is asked about (the client keeps
/// each list for the process), so listing hostnames costs one read per zone in use.
pub(super) struct Zones<'c> {
    client: &'c Client,
    project: String,
    /// The project's domains, longest first; `None` until read, empty if they cannot be.
    domains: Option<Vec<String>>,
}

impl<'c> Zones<'c> {
    pub(super) fn new(client: &'c Client, project: &str) -> Self {
        Zones {
            client,
            project: project.to_string(),
            domains: None,
        }
    }

    pub(super) fn client(&self) -> &'c Client {
        self.client
    }

    /// The Automatic DNS hostname `hostname` as the zones show it; `None` when no project
    /// zone holds platform records for it (Manual DNS, or the zones cannot be read).
    pub(super) async fn lookup(&mut self, ctx: &Ctx, hostname: &str) -> Option<PlatformHostname> {
        if self.domains.is_none() {
            let mut domains: Vec<String> = call(ctx, self.client.read_domains(&self.project))
                .await
                .map(|ds| ds.into_iter().map(|d| d.domain).collect())
                .unwrap_or_default();
            domains.sort_by_key(|d| std::cmp::Reverse(d.len()));
            self.domains = Some(domains);
        }
        let host = hostname.trim_end_matches('.').to_ascii_lowercase();
        let zones: Vec<String> = self
            .domains
            .iter()
            .flatten()
            .filter(|d| super::names::is_within(&host, d))
            .cloned()
            .collect();
        // The nearest zone that holds the hostname's records.
        for domain in zones {
            let Ok(records) = call(ctx, self.client.read_records(&self.project, &domain)).await
            else {
                continue;
            };
            let mut found = PlatformHostname {
                domain: domain.clone(),
                records: Vec::new(),
            };
            for r in records
                .iter()
                .filter(|r| r.managed_by().as_deref() == Some(&host))
            {
                for value in &r.values {
                    found.records.push(crate::api::models::HostnameDnsRecord {
                        record_type: r.record_type.clone(),
                        name: r.name.trim_end_matches('.').to_string(),
                        value: value.clone(),
                        purpose: String::new(),
                    });
                }
            }
            if !found.records.is_empty() {
                return Some(found);
            }
        }
        None
    }
}

/// A listed or imported hostname's state, with the `dns_mode`, (Automatic DNS) `domain` and
/// `dns_records` that its `zone` tells (see [`Zones`]).
pub(super) fn listed_state(
    resource: &HostnameResource,
    mut h: Hostname,
    zone: Option<PlatformHostname>,
) -> Result<Value, Diagnostics> {
    h.dns_mode = Some(
        if zone.is_some() {
            MANAGED_PROJECT_DOMAIN
        } else {
            EXTERNAL_RECORDS
        }
        .to_string(),
    );
    if let Some(z) = &zone {
        if h.dns_records.is_empty() {
            h.dns_records = z.records.clone();
        }
    }
    let mut state = resource.state(h, None)?;
    set_attr(
        &mut state,
        "domain",
        zone.map_or(Value::Null, |z| Value::string(z.domain)),
    );
    Ok(state)
}

/// A refused attach, explained: who holds a taken hostname, which domain is missing, which
/// record is in the way of Automatic DNS.
async fn attach_error(
    ctx: &Ctx,
    client: &Client,
    project: &str,
    app_id: &str,
    hostname: &str,
    domain: Option<&str>,
    err: &ApiError,
) -> Diagnostics {
    let action = format!("attach the hostname {hostname} to the app {app_id}");
    let Some(status) = err.as_status() else {
        return api_error(&action, err);
    };
    match (status.status, status.code.to_ascii_lowercase().as_str()) {
        (409, "hostname_taken") => {
            let detail = if status.message.contains("this app") {
                format!(
                    "{hostname} is already attached to the app {app_id}. To manage it with \
                     Terraform, import it:\n\n  terraform import {TYPE_NAME}.<name> \
                     {project}/{app_id}/{hostname}\n\nor add an `import` block with \
                     `id = \"{project}/{app_id}/{hostname}\"`."
                )
            } else {
                let holder = holder_in_project(ctx, client, project, hostname).await;
                let whose = holder.map_or_else(
                    || {
                        "another app (not one of this project's, or not visible to this token)"
                            .to_string()
                    },
                    |(id, name)| format!("the app {name:?} ({id}) of this project"),
                );
                format!(
                    "{hostname} is already attached to {whose}; a hostname belongs to at most \
                     one app on the whole platform. Detach it there first, or choose another \
                     hostname."
                )
            };
            Diagnostic::error("Hostname already attached", detail)
                .with_attribute(AttributePath::new("hostname"))
                .into()
        }
        (404, _) if domain.is_some() && status.message.contains("domain") => Diagnostic::error(
            "Domain not onboarded",
            format!(
                "Could not {action}: the project {project} has no domain {}. Onboard it with \
                 a `comwit_domain` resource and reference it (`domain = \
                 comwit_domain.<name>.domain`) so Terraform creates it first.",
                domain.unwrap_or_default()
            ),
        )
        .with_attribute(AttributePath::new("domain"))
        .into(),
        (409, _) if domain.is_some() => Diagnostic::error(
            "Zone already has a record there",
            format!(
                "Could not {action}: {}. Automatic DNS writes the hostname's records into the \
                 zone of {}, and a record already stands where one of them goes. Remove that \
                 record (the `comwit_domain_records` data source lists the zone), or use \
                 dns_mode = \"manual\".",
                status.message,
                domain.unwrap_or_default()
            ),
        )
        .with_attribute(AttributePath::new("hostname"))
        .into(),
        _ => api_error_at(
            &action,
            err,
            &[
                ("hostname", "hostname"),
                ("domain", "domain"),
                ("dns_mode", "dns_mode"),
            ],
        ),
    }
}

/// The app of `project` that holds `hostname`, as (app_id, name), if any can be seen.
async fn holder_in_project(
    ctx: &Ctx,
    client: &Client,
    project: &str,
    hostname: &str,
) -> Option<(String, String)> {
    let apps = call(ctx, client.list_apps(project)).await.ok()?;
    for app in apps {
        let attached = call(ctx, client.list_hostnames(project, &app.app_id))
            .await
            .ok()?;
        if attached.iter().any(|h| h.hostname == hostname) {
            return Some((app.app_id, app.name));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Value {
        let mut v = schema().null_object();
        for (k, x) in pairs {
            set_attr(&mut v, k, Value::string(*x));
        }
        v
    }

    #[test]
    fn domain_rules() {
        let ok = validate_hostname(&config(&[
            ("hostname", "app.example.com"),
            ("dns_mode", "automatic"),
            ("domain", "example.com"),
        ]));
        assert!(ok.is_empty(), "{ok}");
        assert!(validate_hostname(&config(&[
            ("hostname", "example.com"),
            ("dns_mode", "automatic"),
            ("domain", "example.com"),
        ]))
        .is_empty());
        assert!(validate_hostname(&config(&[
            ("hostname", "www.example.com"),
            ("dns_mode", "manual")
        ]))
        .is_empty());
        let cases = [
            (
                vec![("hostname", "app.example.com"), ("dns_mode", "automatic")],
                "Missing domain",
            ),
            (
                vec![
                    ("hostname", "app.example.com"),
                    ("dns_mode", "manual"),
                    ("domain", "example.com"),
                ],
                "only for Automatic DNS",
            ),
            (
                vec![
                    ("hostname", "app.example.org"),
                    ("dns_mode", "automatic"),
                    ("domain", "example.com"),
                ],
                "outside its domain",
            ),
            (
                vec![
                    ("hostname", "badexample.com"),
                    ("dns_mode", "automatic"),
                    ("domain", "example.com"),
                ],
                "outside its domain",
            ),
        ];
        for (pairs, want) in cases {
            let d = validate_hostname(&config(&pairs));
            assert!(d.to_string().contains(want), "{d}");
            assert!(d
                .iter()
                .all(|x| x.attribute == Some(AttributePath::new("domain"))));
        }
        // Unknown values are checked later.
        let mut unknown = config(&[("hostname", "app.example.com")]);
        set_attr(&mut unknown, "dns_mode", Value::Unknown);
        set_attr(&mut unknown, "domain", Value::Unknown);
        assert!(validate_hostname(&unknown).is_empty());
    }

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<HostnameModel>(&schema());
    }
}
