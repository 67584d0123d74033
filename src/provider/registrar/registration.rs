//! `comwit_domain_registration`: a domain bought through Comwit's registrar, with its price in
//! the plan. It spends money and cannot be undone, so: the plan reads the price and refuses
//! one above `max_price`, the purchase sends the price the plan showed (the platform refuses
//! another), a purchase whose answer was lost is replayed, never bought twice, and destroy
//! only turns auto-renewal off.

use std::sync::LazyLock;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::{
    amount, cents, limit_cents, number, registrable_domain_argument, registrar_error,
    registrar_error_at, years_argument, MIN_YEARS,
};
use crate::api::models::{Availability, Registration, RegistrationCreate};
use crate::api::{ApiError, Client};
use crate::provider::common::{
    attr_or_null, call, plan_project, project_id_attribute, split_import_id, timeouts_block,
    CreateTimeouts, ModelResource,
};
use crate::provider::{query, Shared};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, IdentityAttribute, IdentitySchema, PlanRequest};
use crate::tfplugin::schema::{validators, Attribute, Block, Schema};

provider_type!(RegistrationResource, "comwit_domain_registration");
const TYPE_NAME: &str = RegistrationResource::TYPE_NAME;
const IMPORT_FORM: &str = "<domain> or <project_id>/<domain>";
const DEFAULT_CREATE_TIMEOUT: Duration = Duration::from_secs(600);
const REGISTERED: &str = "registered";

const IDENTITY_ORDER: [&str; 2] = ["project_id", "domain"];
static IDENTITY: LazyLock<IdentitySchema> = LazyLock::new(|| {
    IdentitySchema::new(vec![
        query::project_identity(),
        IdentityAttribute::required(
            "domain",
            "The registered domain, lowercase and without a trailing dot (`example.com`).",
        ),
    ])
});

fn yes() -> bool {
    true
}

/// The configuration, plan and state. `price`, `currency` and `premium` are known at plan
/// time (the plan reads them from the registrar); `status`, `expires_at` and `created_at` once
/// bought.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct RegistrationModel {
    #[serde(default)]
    pub project_id: String,
    pub domain: String,
    #[serde(default = "one")]
    pub years: i64,
    #[serde(default = "yes")]
    pub auto_renew: bool,
    pub max_price: Option<f64>,
    pub price: Option<f64>,
    pub currency: Option<String>,
    pub premium: Option<bool>,
    pub status: Option<String>,
    pub expires_at: Option<String>,
    pub created_at: Option<String>,
    pub timeouts: Option<CreateTimeouts>,
}

fn one() -> i64 {
    MIN_YEARS
}

impl RegistrationModel {
    /// The platform's view, keeping this model's Terraform-only attributes.
    fn with_remote(&self, r: Registration) -> Self {
        RegistrationModel {
            max_price: self.max_price,
            timeouts: self.timeouts.clone(),
            ..RegistrationModel::from(r)
        }
    }
}

impl From<Registration> for RegistrationModel {
    fn from(r: Registration) -> Self {
        let price = cents(&r.price).map(number);
        RegistrationModel {
            project_id: r.project_id,
            price,
            domain: r.domain,
            years: r.years,
            auto_renew: r.auto_renew,
            // `max_price` is Terraform's alone: an object read fresh from the platform (import,
            // a list) records what the domain cost, so a configuration saying that price plans
            // no change. `with_remote` keeps a configured one.
            max_price: price,
            currency: Some(r.currency),
            premium: Some(r.premium),
            status: Some(r.status),
            expires_at: Some(r.expires_at),
            created_at: Some(r.created_at),
            timeouts: None,
        }
    }
}

fn schema() -> Schema {
    let description = "\
Registers (buys) a domain through Comwit's registrar, in a project. **This spends money and \
cannot be undone.**

The plan asks the registrar for the price, so `price` and `currency` are known at plan time \
and `terraform plan` shows what the apply will charge: the total for `years`. The plan fails, \
and nothing is bought, when the domain is taken, its TLD is not sold, or the price is above \
`max_price`. The apply sends the price the plan showed; if the registrar's price changed in \
between, the platform refuses the purchase and nothing is bought (plan again to see the new \
price). A purchase whose answer is lost (a network failure, a killed provider) is repeated with \
the same idempotency key on retry or on the next apply of the same configuration, so the \
domain is bought exactly once. Creating the resource waits until the registration is \
`registered` (at most `timeouts.create`, 10 minutes by default).

A registered domain is at once a project domain delegated to Comwit (no name servers to set): \
it holds DNS records (`comwit_domain_record` with `domain = \
comwit_domain_registration.<name>.domain`) and Automatic DNS hostnames (`comwit_app_hostname` \
with `dns_mode = \"automatic\"`) in the same apply. Do not declare a `comwit_domain` for it; \
to manage the project domain itself, import it as a `comwit_domain`.

`auto_renew` changes in place. `years` is the period bought and cannot change afterwards \
(renewals are the platform's, one year at a time while `auto_renew` is on); a registration \
cannot move to another project. Changing `domain` buys the new domain (and turns auto-renewal \
of the old one off).

**Destroy does not un-buy:** a registration cannot be deleted. `terraform destroy` (or removing \
the resource) turns `auto_renew` off, removes the registration from the state and warns that \
the domain stays registered to the project until `expires_at`. Protect it with \
`lifecycle { prevent_destroy = true }`.

**Import:** `terraform import comwit_domain_registration.<name> <domain>` (the provider's \
project) or `<project_id>/<domain>`, or an `import` block with that `id` or, on Terraform 1.12 \
and later, `identity = { project_id = \"<project_id>\", domain = \"<domain>\" }` (`project_id` \
defaults to the provider's). `max_price` is not stored by the platform: an import records the \
price paid, and a different `max_price` in the configuration is an in-place change of the \
state only. On Terraform \
1.14 and later, `terraform query` with a `comwit_domain_registration` list block finds a \
project's registrations and writes their `import` and `resource` blocks \
(`-generate-config-out`).

**Token scopes:** plan, read, refresh and import need `domain:read` (the availability check \
and the registration); create, changing `auto_renew` and destroy also need `domain:purchase`.";
    Schema::new(
        Block::from_attributes(vec![
            project_id_attribute("registration"),
            registrable_domain_argument()
                .requires_replace()
                .description(
                    "The domain to buy: one lowercase label under a TLD, such as `example.com`. \
                 Changing it buys the new domain; the old one stays registered, with \
                 auto-renewal off, until it expires.",
                ),
            years_argument(
                "The registration period, 1 to 10 years (default 1). Refused as a change once \
                 registered: renewals are the platform's.",
            ),
            Attribute::bool("auto_renew")
                .optional()
                .computed()
                .default(Value::Bool(true))
                .description(
                    "Whether the platform renews the registration (one year at a time) before \
                     it expires, charging the price of a year then. Defaults to `true`; changes \
                     in place.",
                ),
            Attribute::number("max_price")
                .required()
                .validator(validators::custom_described(
                    "a price above zero",
                    |value: &Value, path: &AttributePath, diags: &mut Diagnostics| {
                        if let Value::Number(n) = value {
                            if n.as_f64() <= 0.0 {
                                diags.attribute_error(
                                    path.clone(),
                                    "Invalid max_price",
                                    "`max_price` must be above zero: it is the most this \
                                     registration may cost, in the registrar's currency.",
                                );
                            }
                        }
                    },
                ))
                .description(
                    "The most the purchase may cost in total (for all of `years`), in the \
                     registrar's currency (`currency`). The plan fails, and nothing is bought, \
                     when `price` is above it. Only checked when buying; changing it later \
                     changes only Terraform's state.",
                ),
            Attribute::number("price").computed().description(
                "What the purchase costs (or cost): the total for `years`, known at plan time.",
            ),
            Attribute::string("currency")
                .computed()
                .description("The currency of `price` (ISO 4217, such as `USD`)."),
            Attribute::bool("premium")
                .computed()
                .description("Whether the domain is a premium name, sold above its TLD's price."),
            Attribute::string("status").computed().description(
                "`registering` right after the purchase, then `registered`. Terraform waits \
                 for `registered` when it buys the domain.",
            ),
            Attribute::string("expires_at").computed().description(
                "When the registration ends (RFC 3339, UTC) unless renewed; `years` after \
                 it was registered.",
            ),
            Attribute::string("created_at")
                .computed()
                .use_state_for_unknown()
                .description("When the domain was bought (RFC 3339, UTC)."),
        ])
        .with_block(timeouts_block(&["create"], "default 10m"))
        .description(description),
    )
}

/// What the plan learnt about a purchase: its price (cents), currency and premium flag.
struct Quote {
    cents: u64,
    currency: String,
    premium: bool,
}

#[async_trait]
impl ModelResource for RegistrationResource {
    type Model = RegistrationModel;
    type_metadata!();

    async fn modify_plan(&self, ctx: &mut Ctx, plan: &mut PlanRequest) -> Diagnostics {
        let project = match plan_project(plan, &self.shared) {
            Ok(p) => p,
            Err(d) => return d,
        };
        let prior: Option<RegistrationModel> = if plan.prior_state.is_null() {
            None
        } else {
            match model::get(&plan.prior_state) {
                Ok(m) => Some(m),
                Err(d) => return d,
            }
        };
        let domain = plan.config.get("domain").cloned().unwrap_or(Value::Null);
        let buying = match &prior {
            None => true,
            Some(prior) => domain.as_str() != Some(prior.domain.as_str()),
        };
        if let Some(prior) = prior.as_ref().filter(|_| !buying) {
            return plan_existing(plan, prior, &project);
        }
        // A purchase: the price comes from the registrar, now.
        let (Some(domain), Some(project)) = (domain.as_str(), project.as_str()) else {
            return Diagnostics::new();
        };
        let years = plan
            .planned_state
            .get("years")
            .and_then(Value::as_i64)
            .unwrap_or(MIN_YEARS);
        let quote = match quote(ctx, &self.shared, project, domain, years).await {
            Ok(q) => q,
            Err(d) => return d,
        };
        if let Some(Value::Number(limit)) = plan.config.get("max_price") {
            let limit = limit.as_f64();
            if quote.cents > limit_cents(limit) {
                return too_expensive(domain, years, &quote, limit).into();
            }
        }
        let set = |plan: &mut PlanRequest, name: &str, v: Value| {
            crate::provider::common::set_attr(&mut plan.planned_state, name, v)
        };
        set(
            plan,
            "price",
            Value::Number(crate::tfplugin::cty::Number::Float(number(quote.cents))),
        );
        set(plan, "currency", Value::string(quote.currency));
        set(plan, "premium", Value::Bool(quote.premium));
        for computed in ["status", "expires_at", "created_at"] {
            set(plan, computed, Value::Unknown);
        }
        Diagnostics::new()
    }

    async fn create(
        &self,
        ctx: &mut Ctx,
        planned: RegistrationModel,
    ) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let client = &configured.client;
        let (project, domain) = (planned.project_id.as_str(), planned.domain.as_str());
        let limit = CreateTimeouts::create(&planned.timeouts, DEFAULT_CREATE_TIMEOUT);
        let (Some(price), Some(currency)) = (planned.price, planned.currency.as_deref()) else {
            return Err(Diagnostic::error(
                "No price planned",
                format!(
                    "Terraform has no price for registering {domain}: the plan could not ask \
                     the registrar (its `domain` or `project_id` was unknown then). Nothing \
                     was bought. Run apply again: the new plan reads the price."
                ),
            )
            .into());
        };
        let expected = amount(limit_cents(price));
        let body = RegistrationCreate {
            domain,
            years: planned.years,
            auto_renew: planned.auto_renew,
            expected_price: &expected,
            currency,
        };
        let mut reg = match call(ctx, client.register_domain(project, &body)).await {
            Ok(r) => r,
            Err(e) => return Err(purchase_error(ctx, client, project, domain, &e).await),
        };
        // From here on the domain is bought: a failure keeps it in the state.
        ctx.partial_state = Some(self.state(planned.with_remote(reg.clone()))?);
        if reg.auto_renew != planned.auto_renew {
            // An earlier purchase of this configuration, adopted: apply the setting planned.
            reg = call(
                ctx,
                client.set_auto_renew(project, domain, planned.auto_renew),
            )
            .await
            .map_err(|e| registrar_error(&format!("set auto_renew of {domain}"), &e))?;
        }
        let deadline = Instant::now() + limit;
        let mut attempt = 0u32;
        while reg.status != REGISTERED {
            let now = Instant::now();
            if now >= deadline {
                ctx.partial_state = Some(self.state(planned.with_remote(reg.clone()))?);
                return Err(Diagnostic::error(
                    "Registration not finished in time",
                    format!(
                        "The domain {domain} was bought, but its registration was still {:?}, \
                         not {REGISTERED:?}, after `timeouts.create`. It is kept in the state \
                         (marked tainted): run `terraform untaint {TYPE_NAME}.<name>` once it \
                         is registered. Raise `create` in the `timeouts` block to wait longer.",
                        reg.status
                    ),
                )
                .into());
            }
            let delay = Duration::from_secs_f64(0.2 * 1.5f64.powi(attempt.min(10) as i32))
                .min(Duration::from_secs(5))
                .min(deadline - now);
            attempt += 1;
            if !ctx.stop.sleep(delay).await {
                return Err(Diagnostic::error(
                    "Operation cancelled",
                    format!(
                        "Stopped while waiting for the registration of {domain} to finish. The \
                         domain is bought and kept in the state (marked tainted): run \
                         `terraform untaint` on it once it is registered."
                    ),
                )
                .into());
            }
            reg = call(ctx, client.get_registration(project, domain))
                .await
                .map_err(|e| {
                    registrar_error(
                        &format!("wait for the registration of {domain} to finish"),
                        &e,
                    )
                })?;
        }
        self.state(planned.with_remote(reg))
    }

    async fn read(&self, ctx: &mut Ctx, prior: RegistrationModel) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let (project, domain) = (&prior.project_id, &prior.domain);
        match call(ctx, configured.client.get_registration(project, domain)).await {
            Ok(r) => self.state(prior.with_remote(r)),
            // Expired, or its project is gone: nothing is registered any more.
            Err(e) if e.is_not_found() => Ok(Value::Null),
            Err(e) => Err(registrar_error(
                &format!("read the registration of {domain}"),
                &e,
            )),
        }
    }

    async fn update(
        &self,
        ctx: &mut Ctx,
        prior: RegistrationModel,
        planned: RegistrationModel,
    ) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let (project, domain) = (&prior.project_id, &prior.domain);
        let remote = if prior.auto_renew != planned.auto_renew {
            call(
                ctx,
                configured
                    .client
                    .set_auto_renew(project, domain, planned.auto_renew),
            )
            .await
            .map_err(|e| {
                registrar_error_at(
                    &format!(
                        "turn auto-renewal of {domain} {}",
                        if planned.auto_renew { "on" } else { "off" }
                    ),
                    &e,
                    &[("auto_renew", "auto_renew")],
                )
            })?
        } else {
            call(ctx, configured.client.get_registration(project, domain))
                .await
                .map_err(|e| registrar_error(&format!("read the registration of {domain}"), &e))?
        };
        self.state(planned.with_remote(remote))
    }

    async fn delete(&self, ctx: &mut Ctx, prior: RegistrationModel) -> Result<(), Diagnostics> {
        let configured = self.shared.get()?;
        let (project, domain) = (&prior.project_id, &prior.domain);
        let client = &configured.client;
        let expires = match call(ctx, client.set_auto_renew(project, domain, false)).await {
            Ok(r) => r.expires_at,
            // Expired already (or its project is gone): nothing is left to stop.
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => {
                return Err(registrar_error(
                    &format!(
                        "turn auto-renewal of {domain} off (a registration cannot be deleted; \
                         destroy turns its renewal off)"
                    ),
                    &e,
                ))
            }
        };
        ctx.diagnostics.push(Diagnostic::warning(
            "Domain registration kept until it expires",
            format!(
                "A domain registration cannot be undone: {domain} stays registered to the \
                 project {project} until {expires}. Terraform turned its auto-renewal off and \
                 removed it from the state, so it will not be renewed. To manage it again, \
                 import it (`terraform import {TYPE_NAME}.<name> {project}/{domain}`) and set \
                 `auto_renew = true`. Guard registrations with `lifecycle {{ prevent_destroy = \
                 true }}`."
            ),
        ));
        Ok(())
    }

    async fn import(&self, ctx: &mut Ctx, id: &str) -> Result<Value, Diagnostics> {
        let (project, domain) = if id.contains('/') {
            let parts = split_import_id(id, 2, IMPORT_FORM)?;
            (parts[0].clone(), parts[1].clone())
        } else {
            let project = self.shared.default_project().ok_or_else(|| {
                Diagnostics::from(Diagnostic::error(
                    "Missing project_id",
                    format!(
                        "Cannot import {id:?}: an import ID of just the domain needs the \
                         provider's `project_id` (or COMWIT_PROJECT_ID). Use \
                         `<project_id>/{id}` instead."
                    ),
                ))
            })?;
            (project, id.to_string())
        };
        let configured = self.shared.get()?;
        match call(ctx, configured.client.get_registration(&project, &domain)).await {
            Ok(r) => self.state(RegistrationModel::from(r)),
            Err(e) if e.is_not_found() => Err(Diagnostic::error(
                "Registration not found",
                format!(
                    "Cannot import {id:?}: the project {project} has no registration of \
                     {domain} (or the project does not exist). The import ID has the form \
                     {IMPORT_FORM}, with the domain in lowercase and without a trailing dot; \
                     a domain onboarded but not bought through Comwit is a `comwit_domain`."
                ),
            )
            .into()),
            Err(e) => Err(registrar_error(
                &format!("import the registration {id:?}"),
                &e,
            )),
        }
    }

    fn identity(&self) -> Option<&IdentitySchema> {
        Some(&IDENTITY)
    }

    fn identity_import_id(&self, identity: &Value) -> Result<String, Diagnostics> {
        query::import_id(identity, &IDENTITY_ORDER, &self.shared)
    }
}

/// The plan of a registration that exists: `years` and the project cannot change, the rest is
/// what the state says (only `auto_renew`, `max_price` and `timeouts` change, in place).
fn plan_existing(
    plan: &mut PlanRequest,
    prior: &RegistrationModel,
    project: &Value,
) -> Diagnostics {
    let mut d = Diagnostics::new();
    let moved = AttributePath::new("project_id");
    plan.requires_replace.retain(|p| p != &moved);
    if project.as_str().is_some_and(|p| p != prior.project_id) || project.is_unknown() {
        d.attribute_error(
            moved,
            "A registration cannot move to another project",
            format!(
                "{} is registered to the project {}; a registration cannot be moved or \
                 bought again. Set `project_id = \"{}\"` (or the provider's `project_id`) back.",
                prior.domain, prior.project_id, prior.project_id
            ),
        );
    }
    let years = plan.planned_state.get("years").and_then(Value::as_i64);
    if years.is_some_and(|y| y != prior.years)
        || attr_or_null(&plan.planned_state, "years").is_unknown()
    {
        d.attribute_error(
            AttributePath::new("years"),
            "The registration period cannot change",
            format!(
                "{} was registered for {} year(s), until {}. The period cannot change after \
                 the purchase: renewals are the platform's, one year at a time while \
                 `auto_renew` is on. Set `years = {}` back.",
                prior.domain,
                prior.years,
                prior.expires_at.as_deref().unwrap_or("its expiry"),
                prior.years
            ),
        );
    }
    if d.has_errors() {
        return d;
    }
    for name in [
        "price",
        "currency",
        "premium",
        "status",
        "expires_at",
        "created_at",
    ] {
        let v = attr_or_null(&plan.prior_state, name);
        crate::provider::common::set_attr(&mut plan.planned_state, name, v);
    }
    d
}

/// The price of buying `domain` for `years` in `project`, or why it cannot be bought.
async fn quote(
    ctx: &Ctx,
    shared: &Shared,
    project: &str,
    domain: &str,
    years: i64,
) -> Result<Quote, Diagnostics> {
    let configured = shared.get()?;
    let client = &configured.client;
    let a: Availability = call(ctx, client.check_availability(domain))
        .await
        .map_err(|e| {
            registrar_error(
                &format!("ask the registrar whether {domain} can be registered, and its price"),
                &e,
            )
        })?;
    if a.available {
        let per_year = a.price_per_year.as_deref().and_then(cents);
        let (Some(per_year), Some(currency)) = (per_year, a.currency) else {
            return Err(Diagnostic::error(
                "Unreadable price",
                format!(
                    "The registrar gave no readable price for {domain}; nothing was bought. \
                     This provider version may not match the platform API; upgrade it."
                ),
            )
            .into());
        };
        if !a.periods.contains(&years) {
            return Err(Diagnostic::error(
                "Registration period not offered",
                format!(
                    "{domain} cannot be registered for {years} year(s); the registrar offers \
                     {:?}. Change `years`.",
                    a.periods
                ),
            )
            .with_attribute(AttributePath::new("years"))
            .into());
        }
        return Ok(Quote {
            cents: per_year * years as u64,
            currency,
            premium: a.premium,
        });
    }
    // Taken: perhaps by this project's own earlier purchase whose answer was lost; its create
    // is then replayed (same configuration, same key) instead of buying again.
    if a.reason.as_deref() == Some("taken") {
        if let Ok(r) = call(ctx, client.get_registration(project, domain)).await {
            if let Some(c) = cents(&r.price).filter(|_| r.years == years) {
                return Ok(Quote {
                    cents: c,
                    currency: r.currency,
                    premium: r.premium,
                });
            }
            return Err(Diagnostic::error(
                "Domain already registered to this project",
                format!(
                    "{domain} is registered to the project {project} already (until {}). To \
                     manage that registration, import it instead of buying it again:\n\n  \
                     terraform import {TYPE_NAME}.<name> {project}/{domain}\n\nor add an \
                     `import` block with `id = \"{project}/{domain}\"`.",
                    r.expires_at
                ),
            )
            .with_attribute(AttributePath::new("domain"))
            .into());
        }
    }
    let why = match a.reason.as_deref() {
        Some("unsupported_tld") => format!(
            "the registrar does not sell names under .{}. Choose a domain under another TLD",
            domain.rsplit('.').next().unwrap_or_default()
        ),
        _ => "it is registered already (or onboarded on the platform). Choose another name; \
              the `comwit_domain_availability` data source checks names without buying. If \
              you own it elsewhere, onboard it with `comwit_domain` instead"
            .to_string(),
    };
    Err(Diagnostic::error(
        "Domain not available",
        format!("{domain} cannot be registered: {why}. Nothing was bought."),
    )
    .with_attribute(AttributePath::new("domain"))
    .into())
}

/// The plan-time refusal of a price above `max_price`.
fn too_expensive(domain: &str, years: i64, quote: &Quote, limit: f64) -> Diagnostic {
    let premium = if quote.premium {
        " It is a premium name, priced above its TLD's list price."
    } else {
        ""
    };
    Diagnostic::error(
        "Price above max_price",
        format!(
            "Registering {domain} for {years} year(s) costs {} {}, more than `max_price = \
             {limit}`.{premium} Nothing was bought. To accept this price, set `max_price` to at \
             least {}; otherwise choose another domain or fewer `years`.",
            amount(quote.cents),
            quote.currency,
            number(quote.cents)
        ),
    )
    .with_attribute(AttributePath::new("max_price"))
}

/// A refused purchase, explained; nothing was bought.
async fn purchase_error(
    ctx: &Ctx,
    client: &Client,
    project: &str,
    domain: &str,
    err: &ApiError,
) -> Diagnostics {
    let code = err.as_status().map(|s| s.code.as_str());
    match code {
        Some("price_changed") => {
            let details = &err
                .as_status()
                .map(|s| s.details.clone())
                .unwrap_or_default();
            let now = format!(
                "{} {}",
                details["price"].as_str().unwrap_or("another price"),
                details["currency"].as_str().unwrap_or_default()
            );
            Diagnostic::error(
                "Price changed since the plan",
                format!(
                    "The registrar's price for {domain} is now {}, not the price the plan \
                     showed. Nothing was bought. Run `terraform plan` again to see the new \
                     price (and raise `max_price` if you accept it).",
                    now.trim()
                ),
            )
            .with_attribute(AttributePath::new("price"))
            .into()
        }
        Some("domain_unavailable") => {
            let here = call(ctx, client.get_registration(project, domain))
                .await
                .ok();
            let detail = match here {
                Some(r) => format!(
                    "{domain} is registered to the project {project} already (until {}), by \
                     another purchase than this configuration's. Nothing more was bought. \
                     Import it:\n\n  terraform import {TYPE_NAME}.<name> {project}/{domain}",
                    r.expires_at
                ),
                None => format!(
                    "{domain} was taken since the plan. Nothing was bought. Choose another \
                     domain."
                ),
            };
            Diagnostic::error("Domain not available", detail)
                .with_attribute(AttributePath::new("domain"))
                .into()
        }
        _ => {
            let mut d = registrar_error_at(
                &format!("register (buy) the domain {domain}; nothing was bought"),
                err,
                &[("domain", "domain"), ("years", "years")],
            );
            if err.status() == Some(403) {
                d = d
                    .into_iter()
                    .map(|diag| diag.with_attribute(AttributePath::new("domain")))
                    .collect();
            }
            d
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::common::set_attr as set;

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<RegistrationModel>(&schema());
    }

    fn prior() -> Value {
        let m = RegistrationModel {
            project_id: "prj_0123456789abcdef".into(),
            domain: "shop.com".into(),
            years: 2,
            auto_renew: true,
            max_price: Some(30.0),
            price: Some(24.0),
            currency: Some("USD".into()),
            premium: Some(false),
            status: Some("registered".into()),
            expires_at: Some("2028-01-01T00:00:00Z".into()),
            created_at: Some("2026-01-01T00:00:00Z".into()),
            timeouts: None,
        };
        model::value_of(&m, &schema()).unwrap()
    }

    async fn modify(p: &mut PlanRequest) -> Diagnostics {
        let r = RegistrationResource::new(Shared::default());
        let (_tx, stop) = crate::tfplugin::resource::StopSignal::new();
        let mut ctx = Ctx::new(stop, Default::default(), Vec::new());
        r.modify_plan(&mut ctx, p).await
    }

    /// A plan of the registration `prior()` to `planned`.
    fn of_existing(config: Value, planned: Value) -> PlanRequest {
        PlanRequest {
            prior_state: prior(),
            config,
            planned_state: planned,
            requires_replace: vec![],
        }
    }

    #[tokio::test]
    async fn years_cannot_change_after_the_purchase() {
        let mut config = prior();
        set(&mut config, "years", Value::int(3));
        let mut planned = prior();
        set(&mut planned, "years", Value::int(3));
        let mut p = of_existing(config, planned);
        let d = modify(&mut p).await;
        assert!(d.has_errors());
        let text = d.to_string();
        assert!(text.contains("Set `years = 2` back"), "{text}");
    }

    #[tokio::test]
    async fn auto_renew_changes_in_place_without_a_call() {
        // No provider configuration: a call to the API would fail.
        let mut config = prior();
        set(&mut config, "auto_renew", Value::Bool(false));
        let mut planned = prior();
        set(&mut planned, "auto_renew", Value::Bool(false));
        set(&mut planned, "status", Value::Unknown);
        let mut p = of_existing(config, planned);
        let d = modify(&mut p).await;
        assert!(d.is_empty(), "{d}");
        assert_eq!(
            p.planned_state.get("status"),
            Some(&Value::string("registered"))
        );
        assert!(p.requires_replace.is_empty());
    }

    #[tokio::test]
    async fn identities_and_import_ids_are_checked_before_any_call() {
        // No provider configuration: anything that got as far as the API would fail with
        // "Provider not configured".
        use crate::tfplugin::resource::Resource;
        let r = RegistrationResource::new(Shared::default());
        let (_tx, stop) = crate::tfplugin::resource::StopSignal::new();
        let mut ctx = Ctx::new(stop, Default::default(), Vec::new());
        let identity = |project: Value, domain: Value| {
            Value::object([("project_id", project), ("domain", domain)])
        };
        let err = r
            .import_identity(
                &mut ctx,
                &identity(Value::string("prj_0123456789abcdef"), Value::Null),
            )
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("must set `domain`"), "{err}");
        let err = r
            .import_identity(&mut ctx, &identity(Value::Null, Value::string("shop.com")))
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("Missing project_id"), "{err}");
        let err = Resource::import(&r, &mut ctx, "shop.com")
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("`<project_id>/shop.com`"), "{err}");
        let err = Resource::import(&r, &mut ctx, "prj_0123456789abcdef/shop.com")
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("not configured"), "{err}");
    }

    #[test]
    fn a_price_above_the_limit_says_what_to_set() {
        let q = Quote {
            cents: 2400,
            currency: "USD".into(),
            premium: false,
        };
        let d = too_expensive("shop.com", 2, &q, 20.0);
        assert!(d.detail.contains("costs 24.00 USD"), "{}", d.detail);
        assert!(d.detail.contains("at least 24"), "{}", d.detail);
        assert!(d.detail.contains("Nothing was bought"), "{}", d.detail);
    }
}
