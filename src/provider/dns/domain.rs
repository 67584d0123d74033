//! `comwit_domain`: a domain onboarded for delegated DNS, so Comwit hosts its zone.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::api::models::Domain;
use crate::api::{ApiError, Client};
use crate::provider::common::{
    api_error, api_error_at, call, plan_project, project_id_attribute, timeouts_block,
    CreateTimeouts, ModelResource,
};
use crate::tfplugin::cty::{Type, Value};
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, IdentitySchema, PlanRequest};
use crate::tfplugin::schema::{Attribute, Block, Schema};

use super::identity::{domain_import_id, DOMAIN_IDENTITY};
use super::{domain_argument, error_detail, found, import_parts, unless_gone};

provider_type!(DomainResource, "comwit_domain");

/// Runs the platform's delegation check until it matches or `limit` passes.
async fn wait_delegated(
    ctx: &Ctx,
    client: &Client,
    project: &str,
    domain: &str,
    limit: std::time::Duration,
) -> Result<Domain, Diagnostics> {
    let started = std::time::Instant::now();
    let mut attempt = 0u32;
    loop {
        let check = call(ctx, client.check_delegation(project, domain))
            .await
            .map_err(|e| api_error(&format!("check the delegation of {domain}"), &e))?;
        if check.matched {
            return Ok(check.domain);
        }
        if started.elapsed() >= limit {
            let seen = check
                .domain
                .delegation
                .map(|d| d.observed_nameservers.join(", "))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "none".to_string());
            return Err(Diagnostic::error(
                "Domain not delegated in time",
                format!(
                    "{domain} was onboarded, but its delegation did not match after {}s: the \
                     platform saw the name servers {seen}, where it wants {}. Set the name \
                     servers at the registrar, then run apply again (the domain is recorded \
                     as tainted), or raise `timeouts.create`.",
                    limit.as_secs(),
                    check.domain.name_servers.join(", ")
                ),
            )
            .into());
        }
        let delay = std::time::Duration::from_millis((250u64 << attempt.min(6)).min(10_000));
        if !ctx
            .stop
            .sleep(delay.min(limit.saturating_sub(started.elapsed())))
            .await
        {
            return Err(api_error(
                &format!("wait for the delegation of {domain}"),
                &ApiError::Cancelled,
            ));
        }
        attempt += 1;
    }
}
const TYPE_NAME: &str = DomainResource::TYPE_NAME;
const IMPORT_FORM: &str = "<project_id>/<domain>";

/// An onboarded domain: the resource's configuration and state, and the data source's result
/// (`project_id` is planned by `modify_plan`, the rest is known once onboarded).
#[derive(Serialize, Deserialize)]
pub(crate) struct DomainModel {
    #[serde(default)]
    pub project_id: String,
    pub domain: String,
    #[serde(default)]
    pub name_servers: Vec<String>,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub delegation: Option<DelegationModel>,
    /// Resource only: wait at create until the delegation check matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_for_delegation: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeouts: Option<CreateTimeouts>,
}

/// The last delegation check, as the platform reports it.
#[derive(Serialize, Deserialize, Default)]
pub(crate) struct DelegationModel {
    pub checked_at: Option<String>,
    pub matched: bool,
    pub observed_nameservers: Vec<String>,
}

impl From<Domain> for DomainModel {
    fn from(d: Domain) -> Self {
        DomainModel {
            project_id: d.project_id,
            domain: d.domain,
            name_servers: d.name_servers,
            status: d.status,
            created_at: d.created_at.unwrap_or_default(),
            delegation: Some(d.delegation.map_or_else(DelegationModel::default, |x| {
                DelegationModel {
                    checked_at: x.checked_at,
                    matched: x.matched,
                    observed_nameservers: x.observed_nameservers,
                }
            })),
            wait_for_delegation: None,
            timeouts: None,
        }
    }
}

/// The computed `delegation` attribute.
pub(super) fn delegation_attribute() -> Attribute {
    Attribute::nested(
        "delegation",
        crate::tfplugin::schema::NestedAttributes::single(vec![
            Attribute::string("checked_at")
                .computed()
                .description("When the platform last checked the delegation, if it has."),
            Attribute::bool("matched").computed().description(
                "Whether the domain's name servers at its registrar were the zone's \
                 `name_servers` at that check.",
            ),
            Attribute::list("observed_nameservers", Type::String)
                .computed()
                .description("The name servers the platform saw at that check."),
        ]),
    )
    .computed()
    .description("The platform's last delegation check of the domain.")
}

fn schema() -> Schema {
    let description = "\
Onboards a domain you own for delegated DNS: Comwit creates a zone for it and answers with the \
four `name_servers` to set at the domain's registrar. The domain stays `pending_delegation` \
until Comwit sees the delegation, then turns `active`; Terraform does not wait for that, since \
it depends on the registrar.

An onboarded domain holds records (`comwit_domain_record`) and makes Automatic DNS hostnames \
possible (`comwit_app_hostname` with `dns_mode = \"automatic\"`). A domain is onboarded at \
most once on the whole platform, and no onboarded domain may be inside another. Destroying \
the domain deletes its zone with every record in it; it is refused while Automatic DNS \
hostnames use it.

**Import:** `terraform import comwit_domain.<name> <project_id>/<domain>`, or an `import` \
block with that `id` or, on Terraform 1.12 and later, \
`identity = { project_id = \"<project_id>\", domain = \"<domain>\" }` (`project_id` defaults \
to the provider's). On Terraform 1.14 and later, `terraform query` with a `comwit_domain` list \
block finds a project's domains and writes their `import` and `resource` blocks \
(`-generate-config-out`).

**Token scopes:** create and delete need `domain:write`; read, refresh and import need \
`domain:read`.";
    Schema::new(
        Block::from_attributes(vec![
            project_id_attribute("domain"),
            domain_argument().requires_replace().description(
                "The domain, such as `example.com`: lowercase, without a trailing dot, two \
                     or more labels, not under `comwit.app`. Changing it replaces the domain \
                     (and its zone).",
            ),
            Attribute::list("name_servers", Type::String)
                .computed()
                .use_state_for_unknown()
                .description(
                    "The four name servers of the domain's zone: set them as the domain's name \
                     servers at its registrar.",
                ),
            Attribute::string("status").computed().description(
                "`pending_delegation` until Comwit sees the domain delegated to \
                 `name_servers`, then `active`.",
            ),
            Attribute::string("created_at")
                .computed()
                .use_state_for_unknown()
                .description("When the domain was onboarded (RFC 3339, UTC)."),
            delegation_attribute(),
            Attribute::bool("wait_for_delegation")
                .optional()
                .description(
                    "When true, create asks the platform to check the delegation \
                 (`delegation-check`) again and again until it matches, within \
                 `timeouts.create` (default 10m). Set the registrar's name servers in the same \
                 apply (from `name_servers`) for this to finish.",
                ),
        ])
        .with_block(timeouts_block(
            &["create"],
            "default 10m; only with wait_for_delegation",
        ))
        .description(description),
    )
}

#[async_trait]
impl ModelResource for DomainResource {
    type Model = DomainModel;
    type_metadata!();

    async fn modify_plan(&self, _ctx: &mut Ctx, plan: &mut PlanRequest) -> Diagnostics {
        // A new provider default moves the domain to another project: a replacement.
        match plan_project(plan, &self.shared) {
            Ok(_) => Diagnostics::new(),
            Err(d) => d,
        }
    }

    async fn create(&self, ctx: &mut Ctx, plan: DomainModel) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let client = &configured.client;
        let (project, domain) = (&plan.project_id, &plan.domain);
        match call(ctx, client.onboard_domain(project, domain)).await {
            Ok(d) if plan.wait_for_delegation == Some(true) => {
                let mut kept = DomainModel::from(d);
                kept.wait_for_delegation = plan.wait_for_delegation;
                kept.timeouts = plan.timeouts.clone();
                ctx.partial_state = Some(model::value_of(&kept, &self.schema)?);
                let limit =
                    CreateTimeouts::create(&plan.timeouts, std::time::Duration::from_secs(600));
                let checked = wait_delegated(ctx, client, project, domain, limit).await?;
                let mut state = DomainModel::from(checked);
                state.wait_for_delegation = plan.wait_for_delegation;
                state.timeouts = plan.timeouts;
                model::value_of(&state, &self.schema)
            }
            Ok(d) => {
                let mut state = DomainModel::from(d);
                state.wait_for_delegation = plan.wait_for_delegation;
                state.timeouts = plan.timeouts;
                model::value_of(&state, &self.schema)
            }
            Err(e) => Err(create_error(ctx, client, project, domain, &e).await),
        }
    }

    async fn read(&self, ctx: &mut Ctx, known: DomainModel) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let (project, domain) = (&known.project_id, &known.domain);
        let request = configured.client.read_domain(project, domain);
        match unless_gone(ctx, request, &format!("read the domain {domain}")).await? {
            Some(d) => {
                let mut state = DomainModel::from(d);
                state.wait_for_delegation = known.wait_for_delegation;
                state.timeouts = known.timeouts;
                model::value_of(&state, &self.schema)
            }
            None => Ok(Value::Null),
        }
    }

    async fn update(
        &self,
        ctx: &mut Ctx,
        _prior: DomainModel,
        planned: DomainModel,
    ) -> Result<Value, Diagnostics> {
        // Every argument replaces the domain: an update only refreshes what is known.
        match self.read(ctx, planned).await? {
            Value::Null => Err(Diagnostic::error(
                "Domain disappeared",
                "The domain was removed while Terraform was updating it; run apply again to \
                 onboard it anew.",
            )
            .into()),
            state => Ok(state),
        }
    }

    async fn delete(&self, ctx: &mut Ctx, prior: DomainModel) -> Result<(), Diagnostics> {
        let configured = self.shared.get()?;
        let (project, domain) = (&prior.project_id, &prior.domain);
        match call(ctx, configured.client.remove_domain(project, domain)).await {
            // The client counts a DELETE answered 404 as done.
            Ok(()) => Ok(()),
            Err(e) if e.is_conflict() => Err(in_use_error(domain, &e)),
            Err(e) => Err(api_error(&format!("remove the domain {domain}"), &e)),
        }
    }

    async fn import(&self, ctx: &mut Ctx, id: &str) -> Result<Value, Diagnostics> {
        let [project, domain] = import_parts(id, IMPORT_FORM)?;
        let configured = self.shared.get()?;
        let request = configured.client.get_domain(&project, &domain);
        let d = found(ctx, request, &format!("import the domain {domain}"), || {
            Diagnostic::error(
                "Domain not found",
                format!(
                    "Cannot import {id:?}: the project {project} has no domain {domain} (or \
                     the project does not exist). The import ID has the form {IMPORT_FORM}, \
                     with the domain in lowercase and without a trailing dot."
                ),
            )
        })
        .await?;
        self.state(d)
    }

    fn identity(&self) -> Option<&IdentitySchema> {
        Some(&DOMAIN_IDENTITY)
    }

    fn identity_import_id(&self, identity: &Value) -> Result<String, Diagnostics> {
        domain_import_id(identity, &self.shared)
    }
}

/// A failed onboarding; a domain already onboarded in this project gets the import command.
async fn create_error(
    ctx: &Ctx,
    client: &Client,
    project: &str,
    domain: &str,
    err: &ApiError,
) -> Diagnostics {
    if !err.is_conflict() {
        return api_error_at(
            &format!("onboard the domain {domain}"),
            err,
            &[("domain", "domain")],
        );
    }
    let here = call(ctx, client.list_domains(project))
        .await
        .ok()
        .and_then(|all| all.into_iter().find(|d| d.domain == domain));
    let detail = match here {
        Some(_) => format!(
            "The domain {domain} is already onboarded in the project {project}. To manage it \
             with Terraform, import it:\n\n  terraform import {TYPE_NAME}.<name> \
             {project}/{domain}\n\nor add an `import` block with `id = \"{project}/{domain}\"`."
        ),
        None => format!(
            "Could not onboard {domain}: {}. A domain is onboarded at most once on the whole \
             platform, and no onboarded domain may be inside another one: remove the other \
             onboarding first, or choose another domain.",
            err.as_status().map_or(String::new(), |s| s.message.clone())
        ),
    };
    Diagnostic::error("Domain already onboarded", detail)
        .with_attribute(AttributePath::new("domain"))
        .into()
}

/// A refused removal: the Automatic DNS hostnames that still use the domain.
fn in_use_error(domain: &str, err: &ApiError) -> Diagnostics {
    let hostnames: Vec<String> = error_detail(err, "hostnames")
        .as_ref()
        .and_then(|h| h.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|h| h.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let which = if hostnames.is_empty() {
        String::from("Automatic DNS hostnames")
    } else {
        format!("the Automatic DNS hostnames {}", hostnames.join(", "))
    };
    Diagnostic::error(
        "Domain in use",
        format!(
            "Could not remove the domain {domain}: {which} still use it. Destroy those \
             `comwit_app_hostname` resources (or switch them to Manual DNS) first; when they \
             are in the same configuration, reference this domain from them \
             (`domain = comwit_domain.<name>.domain`) so Terraform orders it right."
        ),
    )
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tfplugin::model;

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<DomainModel>(&schema());
    }
}
