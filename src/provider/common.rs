//! Pieces every Comwit resource and data source shares: the configured client, turning API
//! errors into diagnostics that say what to do, cancellation, and value helpers.

use std::future::Future;
use std::sync::{Arc, RwLock};

use crate::api::error::StatusError;
use crate::api::{ApiError, Client};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::model;
use crate::tfplugin::resource::{
    no_import_by_identity, Ctx, IdentitySchema, PlanRequest, Resource,
};
use std::time::Duration;

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::tfplugin::schema::{validators, Attribute, Block, NestedBlock, Schema};

use super::config::ProviderConfig;

/// The configured provider: its settings and an API client.
pub struct Configured {
    pub config: ProviderConfig,
    pub client: Client,
}

/// Set by `ConfigureProvider`, read by every resource.
#[derive(Clone, Default)]
pub struct Shared(Arc<RwLock<Option<Arc<Configured>>>>);

impl Shared {
    pub fn set(&self, configured: Configured) {
        if let Ok(mut g) = self.0.write() {
            *g = Some(Arc::new(configured));
        }
    }

    /// The configured client, or an error explaining that configuration is missing.
    pub fn get(&self) -> Result<Arc<Configured>, Diagnostics> {
        self.0.read().ok().and_then(|g| g.clone()).ok_or_else(|| {
            Diagnostic::error(
                "Provider not configured",
                "The comwit provider has no configuration yet, usually because a provider \
                 argument depends on a value known only after apply. Give `token`, `api_url` \
                 and `project_id` values known at plan time (variables or environment).",
            )
            .into()
        })
    }

    /// The provider's default project, if any (for plan-time defaults).
    pub fn default_project(&self) -> Option<String> {
        self.0
            .read()
            .ok()
            .and_then(|g| g.as_ref().and_then(|c| c.config.project_id.clone()))
    }
}

/// A managed resource in terms of its model: create, read, update and delete get the values
/// Terraform sent already decoded into `Model`, and import by identity is the import of the ID
/// the identity stands for. [`Resource`] is implemented for every such type by decoding the
/// values and passing each hook on.
#[async_trait]
pub trait ModelResource: Send + Sync {
    /// The resource's configuration and state.
    type Model: DeserializeOwned + Serialize + Send;

    fn type_name(&self) -> &str;
    fn schema(&self) -> &Schema;

    /// The state of a model (or of what makes one, such as the object the platform reports):
    /// what create, read and import return, and what a list resource sends.
    fn state(&self, model: impl Into<Self::Model>) -> Result<Value, Diagnostics> {
        model::value_of(&model.into(), ModelResource::schema(self))
    }

    /// The model of a planned value (create and update); a resource overrides it to explain
    /// a value the model cannot hold.
    fn planned(planned: &Value) -> Result<Self::Model, Diagnostics> {
        model::get(planned)
    }

    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    async fn modify_plan(&self, _ctx: &mut Ctx, _plan: &mut PlanRequest) -> Diagnostics {
        Diagnostics::new()
    }

    async fn create(&self, ctx: &mut Ctx, planned: Self::Model) -> Result<Value, Diagnostics>;

    /// Refreshes the state; `Value::Null` means the object is gone.
    async fn read(&self, ctx: &mut Ctx, known: Self::Model) -> Result<Value, Diagnostics>;

    async fn update(
        &self,
        ctx: &mut Ctx,
        prior: Self::Model,
        planned: Self::Model,
    ) -> Result<Value, Diagnostics>;

    async fn delete(&self, ctx: &mut Ctx, prior: Self::Model) -> Result<(), Diagnostics>;

    async fn import(&self, ctx: &mut Ctx, id: &str) -> Result<Value, Diagnostics>;

    fn identity(&self) -> Option<&IdentitySchema> {
        None
    }

    /// The import ID an `import` block's identity stands for (see `query::import_id`).
    fn identity_import_id(&self, _identity: &Value) -> Result<String, Diagnostics> {
        Err(no_import_by_identity(self.type_name()))
    }
}

#[async_trait]
impl<R: ModelResource> Resource for R {
    fn type_name(&self) -> &str {
        ModelResource::type_name(self)
    }

    fn schema(&self) -> &Schema {
        ModelResource::schema(self)
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        ModelResource::validate(self, config).await
    }

    async fn modify_plan(&self, ctx: &mut Ctx, plan: &mut PlanRequest) -> Diagnostics {
        ModelResource::modify_plan(self, ctx, plan).await
    }

    async fn create(
        &self,
        ctx: &mut Ctx,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, Diagnostics> {
        ModelResource::create(self, ctx, R::planned(planned)?).await
    }

    async fn read(&self, ctx: &mut Ctx, state: &Value) -> Result<Value, Diagnostics> {
        ModelResource::read(self, ctx, model::get(state)?).await
    }

    async fn update(
        &self,
        ctx: &mut Ctx,
        prior: &Value,
        planned: &Value,
        _config: &Value,
    ) -> Result<Value, Diagnostics> {
        let prior = model::get(prior)?;
        ModelResource::update(self, ctx, prior, R::planned(planned)?).await
    }

    async fn delete(&self, ctx: &mut Ctx, prior: &Value) -> Result<(), Diagnostics> {
        ModelResource::delete(self, ctx, model::get(prior)?).await
    }

    async fn import(&self, ctx: &mut Ctx, id: &str) -> Result<Value, Diagnostics> {
        ModelResource::import(self, ctx, id).await
    }

    fn identity(&self) -> Option<&IdentitySchema> {
        ModelResource::identity(self)
    }

    async fn import_identity(&self, ctx: &mut Ctx, identity: &Value) -> Result<Value, Diagnostics> {
        let id = self.identity_import_id(identity)?;
        ModelResource::import(self, ctx, &id).await
    }
}

/// Runs an API call, abandoning it if Terraform asks the provider to stop.
pub async fn call<T>(
    ctx: &Ctx,
    future: impl Future<Output = Result<T, ApiError>>,
) -> Result<T, ApiError> {
    tokio::select! {
        result = future => result,
        _ = ctx.stop.stopped() => Err(ApiError::Cancelled),
    }
}

/// What `probe` finds within a few seconds (tried at once, then after 0.5, 1 and 2 s): for an
/// object a create that failed or lost its answer may have made, which can take a moment to
/// be listed. A failed probe counts as not found; a stop ends the wait.
pub async fn found_soon<T, Fut>(ctx: &Ctx, mut probe: impl FnMut() -> Fut) -> Option<T>
where
    Fut: Future<Output = Result<Option<T>, ApiError>>,
{
    for wait in [0u64, 500, 1000, 2000] {
        if wait > 0 && !ctx.stop.sleep(Duration::from_millis(wait)).await {
            return None;
        }
        if let Ok(Some(found)) = probe().await {
            return Some(found);
        }
    }
    None
}

/// What a read of one object by ID answered: the object, `None` when the platform has none
/// (a 404), any other error as the diagnostic of `action` (see `api_error`).
pub fn found<T>(result: Result<T, ApiError>, action: &str) -> Result<Option<T>, Diagnostics> {
    match result {
        Ok(object) => Ok(Some(object)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(api_error(action, &e)),
    }
}

/// Turns an API error into a diagnostic that says what happened, why, and what to do.
/// `action` reads like "create the database \"main\"".
pub fn api_error(action: &str, err: &ApiError) -> Diagnostics {
    let d = match err {
        ApiError::Status(e) => status_diagnostic(action, e),
        ApiError::Transport { message, .. } => Diagnostic::error(
            "Cannot reach the Comwit platform",
            format!(
                "Could not {action}: {message}, also after the retries `retry_max_elapsed` \
                 allows. Check `api_url` (or COMWIT_API_URL) and the network, then run apply \
                 again: a create that may have happened is found and adopted, not made twice."
            ),
        ),
        ApiError::Decode { message, .. } => Diagnostic::error(
            "Unreadable answer from the Comwit platform",
            format!(
                "Could not {action}: {message}. This provider version may not match the \
                 platform API; upgrade the provider."
            ),
        ),
        ApiError::Cancelled => Diagnostic::error(
            "Operation cancelled",
            format!("Stopped before finishing: {action}. Run apply again to continue."),
        ),
    };
    d.into()
}

fn status_diagnostic(action: &str, e: &StatusError) -> Diagnostic {
    let message = &e.message;
    // The platform sends no scope member: a 403 whose detail names a scope is about it.
    let scope = e.required_scope.clone().or_else(|| scope_named_in(message));
    match (e.status, scope.as_deref()) {
        (401, _) => Diagnostic::error(
            "Comwit token rejected",
            format!(
                "Could not {action}: the platform rejected the token ({message}). It is \
                 invalid, expired or revoked. Create a new one with `comwit login` or in the \
                 console, and set it as the provider's `token` or COMWIT_TOKEN."
            ),
        ),
        (403, Some(scope)) => Diagnostic::error(
            format!("Token lacks the {scope} scope"),
            format!(
                "Could not {action}: this needs the `{scope}` scope, which the token does not \
                 have. Create a token that includes {scope} (console → Personal access tokens, \
                 or `comwit login`) and use it as the provider's `token` or COMWIT_TOKEN."
            ),
        ),
        (403, None) => Diagnostic::error(
            "Access to the project refused",
            format!(
                "Could not {action}: {message}. The token's user must be a member of the \
                 project: check `project_id`, or ask a member of the project to add you."
            ),
        ),
        (404, _) => Diagnostic::error(
            "Not found",
            format!("Could not {action}: {message}. Check the IDs in the configuration."),
        ),
        (409, _) => {
            let details = &e.details;
            let extra = if details.is_null() || details.as_object().is_some_and(|o| o.is_empty()) {
                String::new()
            } else {
                format!(" Details: {details}")
            };
            Diagnostic::error("Conflict", format!("Could not {action}: {message}.{extra}"))
        }
        (422, _) => Diagnostic::error(
            "Invalid value",
            format!(
                "Could not {action}: the platform rejected {}: {message}. Fix the value and \
                 apply again; nothing was changed.",
                e.field
                    .as_deref()
                    .map_or("the request".to_string(), |f| format!("`{f}`"))
            ),
        ),
        (status, _) if status == 429 || status >= 500 => Diagnostic::error(
            "Comwit platform unavailable",
            format!(
                "Could not {action}: the platform answered {status} ({message}) and kept doing \
                 so through every retry the provider's `retry_max_elapsed` (default 2m) and \
                 `max_retries` allow. Nothing is lost: run apply again (a create that may have \
                 happened is found and adopted, not made twice), or raise `retry_max_elapsed`."
            ),
        ),
        (status, _) => Diagnostic::error(
            "Unexpected answer from the Comwit platform",
            format!("Could not {action}: the platform answered {status}: {message}."),
        ),
    }
}

/// Like [`api_error`], pointing the diagnostic at `attribute` when the platform named the
/// field at fault (a 422) and the field maps to it.
pub fn api_error_at(action: &str, err: &ApiError, fields: &[(&str, &str)]) -> Diagnostics {
    let mut d = api_error(action, err);
    if let Some(field) = err.as_status().and_then(|e| e.field.as_ref()) {
        let root = field.split(['[', '.']).next().unwrap_or_default();
        if let Some((_, attr)) = fields.iter().find(|(f, _)| *f == root) {
            d = d
                .into_iter()
                .map(|diag| diag.with_attribute(AttributePath::new(*attr)))
                .collect();
        }
    }
    d
}

/// Sets one attribute of an object value (no-op on anything else).
pub fn set_attr(value: &mut Value, name: &str, v: Value) {
    if let Value::Object(m) = value {
        m.insert(name.to_string(), v);
    }
}

/// An attribute of an object value, null when absent.
pub fn attr_or_null(value: &Value, name: &str) -> Value {
    value.get(name).cloned().unwrap_or(Value::Null)
}

pub fn str_attr<'a>(value: &'a Value, name: &str) -> Option<&'a str> {
    value.get(name).and_then(Value::as_str)
}

/// A string attribute that must be set (used after validation guaranteed it).
pub fn required_str(value: &Value, name: &str) -> Result<String, Diagnostics> {
    str_attr(value, name).map(str::to_string).ok_or_else(|| {
        Diagnostic::error(
            format!("Missing {name}"),
            format!("The `{name}` argument has no value."),
        )
        .with_attribute(AttributePath::new(name))
        .into()
    })
}

pub fn string_or_null(s: Option<&str>) -> Value {
    s.map_or(Value::Null, Value::string)
}

/// The public scopes (the seed's, and `database:connect`).
const SCOPES: [&str; 10] = [
    "project:read",
    "database:read",
    "database:write",
    "database:connect",
    "app:read",
    "app:write",
    "app:deploy",
    "domain:read",
    "domain:write",
    "domain:purchase",
];

/// The scope a problem's detail names, if it names exactly one.
fn scope_named_in(detail: &str) -> Option<String> {
    let named: Vec<&str> = SCOPES
        .iter()
        .copied()
        .filter(|s| {
            detail
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == ':' || c == '_'))
                .any(|w| w == *s)
        })
        .collect();
    match named.as_slice() {
        [one] => Some(one.to_string()),
        _ => None,
    }
}

/// Whether `s` can be a platform ID. IDs are opaque strings (`db-xxxx`, `app-xxx`,
/// `dnsrec_...`; the project format is not public): only an empty value, whitespace or a `/`
/// is refused. `_prefix` names the kind for callers' messages; it is not checked.
pub fn is_platform_id(s: &str, _prefix: &str) -> bool {
    super::config::validate_opaque_id(s).is_ok()
}

/// Checks an ID argument at plan time for what no ID can hold (empty, whitespace, `/`); never
/// its shape. `noun` names the object (`project`).
pub fn id_validator(noun: &'static str, prefix: &'static str) -> validators::Matches {
    validators::matches(
        format!("be a {noun} ID as the platform gives it: not empty, without whitespace or `/`"),
        move |s| is_platform_id(s, prefix),
    )
}

/// The standard `project_id` argument: optional, taken from the provider when unset, and a
/// change moves the object to another project, i.e. replaces it.
pub fn project_id_attribute(noun: &str) -> Attribute {
    Attribute::string("project_id")
        .optional()
        .computed()
        .requires_replace()
        .validator(id_validator("project", "prj"))
        .description(format!(
            "The project that owns the {noun}. Defaults to the provider's `project_id`. \
             Changing it replaces the {noun}."
        ))
}

/// The `project_id` argument of a data source: where to look, the provider's by default.
pub fn lookup_project_attribute() -> Attribute {
    Attribute::string("project_id")
        .validator(id_validator("project", "prj"))
        .optional()
        .computed()
        .description("The project to look in. Defaults to the provider's `project_id`.")
}

/// The project a data source reads from: its `project_id`, else the provider's default.
pub fn lookup_project(config: &Value, shared: &Shared) -> Result<String, Diagnostics> {
    let project = plan_project_id(config, shared)?;
    Ok(project.as_str().unwrap_or_default().to_string())
}

/// Resolves `project_id` for a plan: the configured value, else the provider's default.
/// An unknown value stays unknown.
/// The project of an action's config: its `project_id`, else the provider's.
pub fn action_project(project_id: &Option<String>, shared: &Shared) -> Result<String, Diagnostics> {
    project_id
        .clone()
        .or_else(|| shared.default_project())
        .ok_or_else(|| {
            Diagnostic::error(
                "Missing project_id",
                "No project was given: set `project_id` in the action's config, or a default \
                 `project_id` in the provider block (or COMWIT_PROJECT_ID).",
            )
            .with_attribute(AttributePath::new("project_id"))
            .into()
        })
}

pub fn plan_project_id(config: &Value, shared: &Shared) -> Result<Value, Diagnostics> {
    match config.get("project_id") {
        Some(Value::Unknown) => Ok(Value::Unknown),
        Some(Value::String(s)) => Ok(Value::string(s.clone())),
        _ => match shared.default_project() {
            Some(p) => Ok(Value::string(p)),
            None => Err(Diagnostic::error(
                "Missing project_id",
                "No project was given: set `project_id` on this resource, or a default \
                 `project_id` in the provider block (or COMWIT_PROJECT, or `default_project` \
                 in the CLI's login file).",
            )
            .with_attribute(AttributePath::new("project_id"))
            .into()),
        },
    }
}

/// Plans `project_id` for a managed resource: the configured value or the provider's default,
/// and a replacement when it differs from the prior state's (the plan engine could only
/// compare an unset configuration with the prior value).
pub fn plan_project(plan: &mut PlanRequest, shared: &Shared) -> Result<Value, Diagnostics> {
    let project = plan_project_id(&plan.config, shared)?;
    set_attr(&mut plan.planned_state, "project_id", project.clone());
    if !plan.prior_state.is_null() {
        let path = AttributePath::new("project_id");
        plan.requires_replace.retain(|p| p != &path);
        if project.is_unknown() || project != attr_or_null(&plan.prior_state, "project_id") {
            plan.requires_replace.push(path);
        }
    }
    Ok(project)
}

/// Splits an import ID of the form `a/b/c` into exactly `parts` pieces, or explains the form.
pub fn split_import_id(id: &str, parts: usize, form: &str) -> Result<Vec<String>, Diagnostics> {
    let pieces: Vec<String> = id.split('/').map(str::to_string).collect();
    if pieces.len() != parts || pieces.iter().any(String::is_empty) {
        return Err(Diagnostic::error(
            "Invalid import ID",
            format!("Expected an import ID of the form `{form}`, got {id:?}."),
        )
        .into());
    }
    Ok(pieces)
}

/// True when the value is a DNS label as the platform requires for names.
pub fn is_dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && *b.last().unwrap() != b'-'
}

/// A `timeouts { create = "10m" }` block for the given operations (Go duration strings).
pub fn timeouts_block(operations: &[&str], defaults: &str) -> NestedBlock {
    let attributes = operations
        .iter()
        .map(|op| {
            Attribute::string(*op)
                .optional()
                .validator(validators::matches(
                    "a duration such as \"30s\", \"10m\" or \"1h30m\"",
                    |s| parse_duration(s).is_some(),
                ))
                .description(format!(
                    "How long `{op}` may wait ({defaults}), as a duration such as `30s`, `10m` or `1h30m`."
                ))
        })
        .collect();
    NestedBlock::single("timeouts", Block::from_attributes(attributes))
}

/// The model of a `timeouts_block(&["create"], ..)`.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CreateTimeouts {
    pub create: Option<String>,
}

impl CreateTimeouts {
    /// The create timeout of an optional `timeouts` block, else `default`.
    pub fn create(timeouts: &Option<CreateTimeouts>, default: Duration) -> Duration {
        timeouts
            .as_ref()
            .and_then(|t| t.create.as_deref())
            .and_then(parse_duration)
            .unwrap_or(default)
    }
}

/// The timeout for `operation` from a value with a `timeouts` block, else `default`.
pub fn timeout(value: &Value, operation: &str, default: Duration) -> Duration {
    value
        .get("timeouts")
        .and_then(|t| t.get(operation))
        .and_then(Value::as_str)
        .and_then(parse_duration)
        .unwrap_or(default)
}

pub use super::config::parse_duration;

/// A folder's types, for the checks every folder's tests make of them.
#[cfg(test)]
pub struct FolderTypes {
    pub resources: Vec<Arc<dyn crate::tfplugin::resource::Resource>>,
    pub data_sources: Vec<Arc<dyn crate::tfplugin::resource::DataSource>>,
    pub lists: Vec<Arc<dyn crate::tfplugin::resource::ListResource>>,
}

#[cfg(test)]
impl FolderTypes {
    /// The types of a folder's `resources`, `data_sources` and `list_resources`.
    pub fn new(
        resources: fn(&Shared) -> Vec<Arc<dyn crate::tfplugin::resource::Resource>>,
        data_sources: fn(&Shared) -> Vec<Arc<dyn crate::tfplugin::resource::DataSource>>,
        lists: fn(&Shared) -> Vec<Arc<dyn crate::tfplugin::resource::ListResource>>,
    ) -> Self {
        let shared = Shared::default();
        FolderTypes {
            resources: resources(&shared),
            data_sources: data_sources(&shared),
            lists: lists(&shared),
        }
    }

    /// The type names and schemas: resources, then data sources, then list resources.
    pub fn schemas(&self) -> Vec<(&str, &crate::tfplugin::schema::Schema)> {
        let resources = self.resources.iter().map(|r| (r.type_name(), r.schema()));
        let data_sources = self
            .data_sources
            .iter()
            .map(|d| (d.type_name(), d.schema()));
        let lists = self.lists.iter().map(|l| (l.type_name(), l.schema()));
        resources.chain(data_sources).chain(lists).collect()
    }

    /// The type names, in the order of `schemas`.
    pub fn names(&self) -> Vec<&str> {
        self.schemas().into_iter().map(|(name, _)| name).collect()
    }

    /// Every schema: a valid definition, a description that ends with its token scopes
    /// paragraph, and a description for every attribute.
    pub fn check_schemas(&self) {
        for (name, schema) in self.schemas() {
            let d = schema.validate_definition();
            assert!(d.is_empty(), "{name}: {d}");
            let description = &schema.block.description;
            let last_paragraph = description.rsplit("\n\n").next().unwrap();
            assert!(
                description.contains("\n\n**Token scopes:**")
                    && last_paragraph.starts_with("**Token scopes:**"),
                "{name} must end with a token scopes paragraph"
            );
            for a in &schema.block.attributes {
                assert!(
                    !a.description.is_empty(),
                    "{name}.{} has no description",
                    a.name
                );
            }
        }
    }

    /// Checks the whole folder: its types are `names` (in the order of `schemas`), their
    /// schemas pass `check_schemas`, their identities `check_identities` and their lists
    /// `check_lists`.
    pub fn check(&self, names: &[&str]) {
        assert_eq!(self.names(), names);
        self.check_schemas();
        self.check_identities();
        self.check_lists();
    }

    /// Every identity attribute is described and names an attribute of the state.
    pub fn check_identities(&self) {
        for r in &self.resources {
            let Some(identity) = r.identity() else {
                continue;
            };
            for a in &identity.attributes {
                let name = r.type_name();
                let in_state = r.schema().block.attributes.iter().any(|s| s.name == a.name);
                assert!(
                    in_state,
                    "{name}: identity attribute {} is not in the state",
                    a.name
                );
                assert!(
                    !a.description.is_empty(),
                    "{name}: {} has no description",
                    a.name
                );
            }
        }
    }

    /// A list resource needs the managed resource of its name, with an identity.
    pub fn check_lists(&self) {
        for list in &self.lists {
            let name = list.type_name();
            let resource = self.resources.iter().find(|r| r.type_name() == name);
            assert!(resource.is_some_and(|r| r.identity().is_some()), "{name}");
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations() {
        use std::time::Duration;
        assert_eq!(super::parse_duration("10m"), Some(Duration::from_secs(600)));
        assert_eq!(
            super::parse_duration("1h30m"),
            Some(Duration::from_secs(5400))
        );
        assert_eq!(
            super::parse_duration("500ms"),
            Some(Duration::from_millis(500))
        );
        assert_eq!(super::parse_duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(
            super::parse_duration("1.5h"),
            Some(Duration::from_secs(5400))
        );
        assert_eq!(super::parse_duration("0s"), Some(Duration::ZERO));
        assert_eq!(
            super::parse_duration("2h45m30s"),
            Some(Duration::from_secs(9930))
        );
        assert_eq!(super::parse_duration("10"), None);
        assert_eq!(super::parse_duration("m"), None);
        assert_eq!(super::parse_duration(""), None);
        // Forms humantime reads but Go refuses stay refused.
        for lax in [
            "1 hour", "1hour", "2h 15m", "1d", "2min", "1M", " 10m", "10m ",
        ] {
            assert_eq!(super::parse_duration(lax), None, "{lax:?}");
        }
    }

    use super::*;

    #[test]
    fn platform_ids_are_opaque() {
        // Any shape the platform gives: `db-xxxx`, `app-xxx`, `dnsrec_...`, ours of old.
        for id in [
            "prj_0123456789abcdef",
            "prj_0123456789ABCDEF",
            "db-x1",
            "dnsrec_9",
            "garbage",
        ] {
            assert!(is_platform_id(id, "prj"), "{id}");
        }
        // Only what no ID can hold (it goes into a URL path).
        for id in ["", "a b", "a/b", "tab\there"] {
            assert!(!is_platform_id(id, "prj"), "{id:?}");
        }
    }

    #[test]
    fn labels() {
        assert!(is_dns_label("web"));
        assert!(is_dns_label("a1-b2"));
        assert!(!is_dns_label("1web"));
        assert!(!is_dns_label("Web"));
        assert!(!is_dns_label("web-"));
        assert!(!is_dns_label(""));
        assert!(!is_dns_label(&"a".repeat(64)));
    }

    #[test]
    fn import_ids() {
        assert_eq!(
            split_import_id("prj_1/db_2", 2, "<project_id>/<database_id>").unwrap(),
            vec!["prj_1", "db_2"]
        );
        assert!(split_import_id("prj_1", 2, "x/y").is_err());
        assert!(split_import_id("prj_1//", 3, "x/y/z").is_err());
    }

    #[test]
    fn scope_error_names_the_scope() {
        let err = ApiError::Status(Box::new(StatusError {
            title: None,
            status: 403,
            code: "forbidden".into(),
            message: "missing scope".into(),
            required_scope: Some("app:write".into()),
            field: None,
            details: serde_json::Value::Null,
            method: "POST".into(),
            path: "/v1/x".into(),
        }));
        let d = api_error("create the app", &err);
        let text = d.to_string();
        assert!(text.contains("app:write"), "{text}");
    }
}
