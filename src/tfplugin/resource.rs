//! What a provider implements: the provider itself, its managed resources and data sources.
//!
//! The gRPC layer ([`super::grpc`]) decodes every request against the schema, runs the generic
//! plan engine and hands typed values to these hooks; hooks never see msgpack or protobuf.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use tokio::sync::{mpsc, watch};

use super::cty::{Type, Value};
use super::diag::{Diagnostic, Diagnostics};
use super::schema::Schema;

/// What Terraform (or OpenTofu) said about itself. A capability it did not send is false.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    pub terraform_version: String,
    pub deferral_allowed: bool,
    pub write_only_attributes_allowed: bool,
}

/// Set by `StopProvider`: long waits must end promptly once it fires.
#[derive(Clone, Debug)]
pub struct StopSignal(watch::Receiver<bool>);

impl StopSignal {
    pub fn new() -> (watch::Sender<bool>, StopSignal) {
        let (tx, rx) = watch::channel(false);
        (tx, StopSignal(rx))
    }

    pub fn is_stopped(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once the provider has been asked to stop.
    pub async fn stopped(&self) {
        let mut rx = self.0.clone();
        let _ = rx.wait_for(|stopped| *stopped).await;
    }

    /// Sleeps for `duration`, or less when a stop arrives; returns false if stopped.
    pub async fn sleep(&self, duration: Duration) -> bool {
        tokio::select! {
            _ = tokio::time::sleep(duration) => !self.is_stopped(),
            _ = self.stopped() => false,
        }
    }
}

/// Per-request context for resource hooks.
pub struct Ctx {
    pub stop: StopSignal,
    pub client: Arc<ClientInfo>,
    /// Provider-private bytes stored beside the state: the prior value on input; whatever is
    /// here when the hook returns is stored.
    pub private: Vec<u8>,
    /// Warnings (or errors alongside a successful value) to return with the response.
    pub diagnostics: Diagnostics,
    /// On a failed create or update: the state of whatever was already created, so Terraform
    /// records it (tainted) instead of forgetting it.
    pub partial_state: Option<Value>,
}

impl Ctx {
    pub fn new(stop: StopSignal, client: Arc<ClientInfo>, private: Vec<u8>) -> Self {
        Ctx {
            stop,
            client,
            private,
            diagnostics: Diagnostics::new(),
            partial_state: None,
        }
    }
}

/// A plan under construction, after the generic plan engine has run.
pub struct PlanRequest {
    /// Null on create.
    pub prior_state: Value,
    /// Configuration, with write-only attributes still holding their values.
    pub config: Value,
    /// The planned new state; hooks may change computed attributes.
    pub planned_state: Value,
    /// Attributes whose change forces replacement.
    pub requires_replace: Vec<super::diag::AttributePath>,
}

/// The identity of a managed resource type (Terraform 1.12+): the attributes of its state that
/// name the remote object, stored by Terraform beside the state and usable in `import` blocks.
/// The protocol layer takes the identity from the state's attributes of the same names.
#[derive(Clone, Debug)]
pub struct IdentitySchema {
    pub version: i64,
    pub attributes: Vec<IdentityAttribute>,
}

#[derive(Clone, Debug)]
pub struct IdentityAttribute {
    pub name: String,
    pub ty: Type,
    /// Whether an `import { identity = {..} }` block must set it (else it may).
    pub required_for_import: bool,
    pub description: String,
}

impl IdentityAttribute {
    /// A string attribute that import requires.
    pub fn required(name: &str, description: impl Into<String>) -> IdentityAttribute {
        IdentityAttribute {
            name: name.to_string(),
            ty: Type::String,
            required_for_import: true,
            description: description.into(),
        }
    }

    /// A string attribute import may leave out (the resource supplies a default).
    pub fn optional(name: &str, description: impl Into<String>) -> IdentityAttribute {
        IdentityAttribute {
            required_for_import: false,
            ..IdentityAttribute::required(name, description)
        }
    }
}

impl IdentitySchema {
    pub fn new(attributes: Vec<IdentityAttribute>) -> IdentitySchema {
        IdentitySchema {
            version: 0,
            attributes,
        }
    }

    /// The cty object type of identity values.
    pub fn value_type(&self) -> Type {
        Type::object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone())),
        )
    }

    /// The identity of a state: its attributes of the identity's names.
    pub fn of_state(&self, state: &Value) -> Value {
        Value::object(self.attributes.iter().map(|a| {
            let value = state.get(&a.name).cloned().unwrap_or(Value::Null);
            (a.name.clone(), value)
        }))
    }
}

/// A managed resource type.
#[async_trait]
pub trait Resource: Send + Sync {
    /// The full type name, e.g. `example_thing`.
    fn type_name(&self) -> &str;
    fn schema(&self) -> &Schema;

    /// Checks beyond per-attribute validators (cross-attribute rules). Unknown values must be
    /// skipped: they are checked again at plan time.
    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Adjusts a non-destroy plan (e.g. computing a digest, marking extra replacements).
    async fn modify_plan(&self, _ctx: &mut Ctx, _plan: &mut PlanRequest) -> Diagnostics {
        Diagnostics::new()
    }

    async fn create(
        &self,
        ctx: &mut Ctx,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, Diagnostics>;

    /// Refreshes state from the remote object; `Value::Null` means it is gone.
    async fn read(&self, ctx: &mut Ctx, state: &Value) -> Result<Value, Diagnostics>;

    async fn update(
        &self,
        ctx: &mut Ctx,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, Diagnostics>;

    async fn delete(&self, ctx: &mut Ctx, prior: &Value) -> Result<(), Diagnostics>;

    /// Turns an import ID into a state holding at least what `read` needs; attributes not set
    /// are null. `read` runs afterwards.
    async fn import(&self, _ctx: &mut Ctx, _id: &str) -> Result<Value, Diagnostics> {
        Err(Diagnostic::error(
            "Import is not supported",
            format!("The resource type {} cannot be imported.", self.type_name()),
        )
        .into())
    }

    /// Upgrades a state written by an older schema version into the current schema's value.
    /// The default decodes the JSON leniently into the current schema (dropping removed
    /// attributes, nulling new ones), which suits additive schema changes.
    async fn upgrade_state(&self, _version: i64, raw_json: &[u8]) -> Result<Value, Diagnostics> {
        super::plan::upgrade_raw_state(self.schema(), raw_json)
    }

    /// The configuration Terraform 1.14+ writes for an existing object (`terraform query
    /// -generate-config-out`), from its state. The default keeps required and optional values
    /// and nulls computed-only and write-only ones (Terraform leaves those out); a resource
    /// overrides it to leave out an optional value a generated configuration should not claim.
    fn generate_config(&self, state: &Value) -> Value {
        super::plan::config_from_state(self.schema(), state)
    }

    /// The resource's identity, if it has one.
    fn identity(&self) -> Option<&IdentitySchema> {
        None
    }

    /// Import by identity (`import { identity = {..} }`): like [`Resource::import`], from an
    /// identity value instead of an ID string.
    async fn import_identity(
        &self,
        _ctx: &mut Ctx,
        _identity: &Value,
    ) -> Result<Value, Diagnostics> {
        Err(no_import_by_identity(self.type_name()))
    }
}

/// The answer of a resource type without an identity to an import by identity.
pub fn no_import_by_identity(type_name: &str) -> Diagnostics {
    Diagnostic::error(
        "Import by identity is not supported",
        format!("The resource type {type_name} cannot be imported by identity; use an import ID."),
    )
    .into()
}

/// Where a list resource sends what it finds; the protocol layer streams each to Terraform.
pub struct ListSink {
    pub(crate) sender: mpsc::Sender<Listed>,
    /// Whether Terraform asked for the objects themselves (`include_resource`,
    /// `-generate-config-out`), not only their identities and names.
    pub(crate) include_objects: bool,
    /// Terraform's `limit`, and how many results were sent.
    pub(crate) limit: Option<usize>,
    pub(crate) sent: std::sync::atomic::AtomicUsize,
}

/// One object a list resource found: its full state (the layer derives the identity from it)
/// and a label for people.
pub struct Listed {
    pub display_name: String,
    pub state: Value,
}

impl ListSink {
    /// Sends one result; false once Terraform wants no more (its limit, or it went away):
    /// the list should stop then.
    pub async fn send(&self, listed: Listed) -> bool {
        if !self.wants_more() || self.sender.send(listed).await.is_err() {
            return false;
        }
        self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        true
    }

    /// False once Terraform's `limit` is reached: a list checks it before reading another
    /// page, so it reads none that Terraform would not take.
    pub fn wants_more(&self) -> bool {
        let sent = self.sent.load(std::sync::atomic::Ordering::Relaxed);
        self.limit.is_none_or(|limit| sent < limit) && !self.sender.is_closed()
    }

    /// Whether Terraform wants full objects: when false, a listed state needs only the
    /// identity's attributes and what the display name uses, so reads that only fill in the
    /// rest can be skipped.
    pub fn includes_objects(&self) -> bool {
        self.include_objects
    }
}

/// A list resource (Terraform 1.14+ `terraform query`): finds existing objects of the managed
/// resource type of the same name, which must have an identity.
#[async_trait]
pub trait ListResource: Send + Sync {
    fn type_name(&self) -> &str;
    /// The schema of the `config` block of a `list` block. Attribute paths in the diagnostics
    /// of `validate` and `list` are relative to that block (the protocol layer puts them under
    /// `config`, where Terraform looks for them).
    fn schema(&self) -> &Schema;

    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Sends every object the configuration selects, page by page, until the sink refuses.
    /// Errors end the list; what was sent before them stays.
    async fn list(&self, ctx: &mut Ctx, config: &Value, sink: &ListSink) -> Diagnostics;
}

/// Where an action reports progress while it runs (shown by Terraform as it arrives).
pub struct Progress(pub(crate) mpsc::UnboundedSender<String>);

impl Progress {
    pub fn report(&self, message: impl Into<String>) {
        // Terraform going away mid-action is reported by the action's own calls failing.
        let _ = self.0.send(message.into());
    }
}

/// An action (Terraform 1.14+): an operation invoked by `terraform apply -invoke` or by a
/// resource's `action_trigger`, with a configuration and no state.
#[async_trait]
pub trait Action: Send + Sync {
    fn type_name(&self) -> &str;
    fn schema(&self) -> &Schema;

    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Checks before the action is approved; values may still be unknown.
    async fn plan(&self, _ctx: &mut Ctx, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    async fn invoke(&self, ctx: &mut Ctx, config: &Value, progress: &Progress) -> Diagnostics;
}

/// A data source type.
#[async_trait]
pub trait DataSource: Send + Sync {
    fn type_name(&self) -> &str;
    fn schema(&self) -> &Schema;

    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Returns the full value: configuration plus computed attributes.
    async fn read(&self, ctx: &mut Ctx, config: &Value) -> Result<Value, Diagnostics>;
}

/// What an ephemeral resource opened: its result (which Terraform keeps out of plans and
/// state), bytes of the provider's own handed back to renew and close, and when to renew.
pub struct Opened {
    pub result: Value,
    pub private: Vec<u8>,
    pub renew_at: Option<SystemTime>,
}

/// A renewal: the new private bytes and the next renewal time.
pub struct Renewed {
    pub private: Vec<u8>,
    pub renew_at: Option<SystemTime>,
}

/// An ephemeral resource (Terraform 1.10+, OpenTofu 1.11+): opened while Terraform needs its
/// value (e.g. a short-lived credential), renewed before `renew_at`, closed when done.
#[async_trait]
pub trait EphemeralResource: Send + Sync {
    fn type_name(&self) -> &str;
    fn schema(&self) -> &Schema;

    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Returns the full value (configuration plus computed attributes).
    async fn open(&self, ctx: &mut Ctx, config: &Value) -> Result<Opened, Diagnostics>;

    /// Keeps the value usable; the default renews nothing.
    async fn renew(&self, _ctx: &mut Ctx, private: &[u8]) -> Result<Renewed, Diagnostics> {
        Ok(Renewed {
            private: private.to_vec(),
            renew_at: None,
        })
    }

    /// Releases what `open` made (e.g. revokes a credential).
    async fn close(&self, _ctx: &mut Ctx, _private: &[u8]) -> Diagnostics {
        Diagnostics::new()
    }
}

/// The provider: its configuration schema, its types, and configuration.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    fn schema(&self) -> &Schema;
    fn resources(&self) -> Vec<Arc<dyn Resource>>;
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>>;

    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        Vec::new()
    }

    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        Vec::new()
    }

    fn actions(&self) -> Vec<Arc<dyn Action>> {
        Vec::new()
    }

    async fn validate_config(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Called once before any resource operation; values may still be unknown during
    /// validation-only runs (then configure anything known and report nothing).
    async fn configure(&self, config: &Value, client: &ClientInfo) -> Diagnostics;
}
