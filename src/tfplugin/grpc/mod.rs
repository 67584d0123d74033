//! The tfplugin6 `Provider` gRPC service: decodes requests against the schemas, runs the plan
//! engine, calls the provider's hooks and encodes the answers. RPCs for features a provider
//! does not offer answer with an error diagnostic, never a transport error or a crash.
//!
//! One adapter per RPC, by group: `provider` (metadata, schema, provider configuration, stop),
//! `resource` (managed resources), `identity`, `data_source`, `ephemeral`, `list`, `action`,
//! and `unsupported` (moving state, functions, state stores). Each adapter
//! takes the request message and returns the response message (failures are diagnostics in it);
//! the tonic service below only delegates, and the unary ones also serve `transport.rs`'s short
//! path through `UnaryProvider`.

/// The `Validate*Config` RPCs differ only in their messages, how the entry is found and what
/// the configuration is called in diagnostics: one definition serves them all.
macro_rules! validate_config_rpc {
    ($rpc:ident, $lookup:ident($key:ident), $what:literal) => {
        pub(super) async fn $rpc<P: Provider>(
            svc: &ProviderService<P>,
            req: pb::$rpc::Request,
        ) -> pb::$rpc::Response {
            pb::$rpc::Response {
                diagnostics: validate_config(svc.$lookup(&req.$key), req.config.as_ref(), $what)
                    .await,
            }
        }
    };
}

mod action;
mod data_source;
mod ephemeral;
mod identity;
mod list;
mod provider;
mod resource;
#[cfg(test)]
mod testing;
mod unsupported;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Instant;

use futures::FutureExt as _;
use tokio::sync::watch;
use tonic::{Request, Response, Status, Streaming};

use super::cty::{self, Type, Value};
use super::diag::{Diagnostic, Diagnostics};
use super::plan;
use super::proto::tfplugin6 as pb;
use super::proto::tfplugin6::provider_server;
use super::resource::{
    Action, ClientInfo, Ctx, DataSource, EphemeralResource, ListResource, Provider, Resource,
    StopSignal,
};
use super::schema::Schema;
use super::transport::{self, UnaryCall, UnaryRoutes};

type RpcResult<T> = Result<Response<T>, Status>;
type BoxStream<T> = Pin<Box<dyn futures::Stream<Item = Result<T, Status>> + Send>>;

/// A type the provider offers (resource, data source, ...), with its value type.
struct Entry<T: ?Sized> {
    hooks: Arc<T>,
    ty: Type,
    /// The identity's object type, for a managed resource that has an identity.
    identity_ty: Option<Type>,
}

type ResourceEntry = Entry<dyn Resource>;
type DataSourceEntry = Entry<dyn DataSource>;
type ListEntry = Entry<dyn ListResource>;
type EphemeralEntry = Entry<dyn EphemeralResource>;
type ActionEntry = Entry<dyn Action>;

/// What every kind of type has: a name, a configuration schema and its own checks.
#[async_trait::async_trait]
trait Configurable: Send + Sync {
    fn name(&self) -> &str;
    fn config_schema(&self) -> &Schema;
    async fn check(&self, config: &Value) -> Diagnostics;
}

macro_rules! configurable {
    ($($kind:ident),*) => {$(
        #[async_trait::async_trait]
        impl Configurable for dyn $kind {
            fn name(&self) -> &str {
                self.type_name()
            }
            fn config_schema(&self) -> &Schema {
                self.schema()
            }
            async fn check(&self, config: &Value) -> Diagnostics {
                self.validate(config).await
            }
        }
    )*};
}

configurable!(
    Resource,
    DataSource,
    ListResource,
    EphemeralResource,
    Action
);

/// The types of one kind, by name.
fn entries<T: ?Sized + Configurable>(types: Vec<Arc<T>>) -> HashMap<String, Entry<T>> {
    types
        .into_iter()
        .map(|hooks| {
            let entry = Entry {
                ty: hooks.config_schema().value_type(),
                hooks,
                identity_ty: None,
            };
            (entry.hooks.name().to_string(), entry)
        })
        .collect()
}

fn schemas<T: ?Sized + Configurable>(
    entries: &HashMap<String, Entry<T>>,
) -> HashMap<String, pb::Schema> {
    entries
        .iter()
        .map(|(name, e)| (name.clone(), e.hooks.config_schema().to_proto()))
        .collect()
}

/// The type of this name, or a diagnostic: "Unknown data source", "This provider has no data
/// source ...".
fn lookup<'a, T: ?Sized>(
    entries: &'a HashMap<String, Entry<T>>,
    type_name: &str,
    kind: &str,
) -> Result<&'a Entry<T>, Diagnostics> {
    entries.get(type_name).ok_or_else(|| {
        let mut summary = format!("Unknown {kind}");
        if kind == "resource" {
            summary.push_str(" type");
        }
        let noun = if kind == "resource" {
            "resource type"
        } else {
            kind
        };
        Diagnostic::error(
            summary,
            format!("This provider has no {noun} {type_name:?}."),
        )
        .into()
    })
}

/// A `Validate*Config` RPC: the schema's validators, then the type's own checks.
async fn validate_config<T: ?Sized + Configurable>(
    entry: Result<&Entry<T>, Diagnostics>,
    config: Option<&pb::DynamicValue>,
    what: &str,
) -> Vec<pb::Diagnostic> {
    diags(check_config(entry, config, what).await)
}

async fn check_config<T: ?Sized + Configurable>(
    entry: Result<&Entry<T>, Diagnostics>,
    config: Option<&pb::DynamicValue>,
    what: &str,
) -> Diagnostics {
    let mut d = Diagnostics::new();
    match entry.and_then(|e| Ok((e, decode(config, &e.ty, what)?))) {
        Ok((entry, config)) => {
            d.extend(plan::validate_config(entry.hooks.config_schema(), &config));
            d.extend(entry.hooks.check(&config).await);
        }
        Err(e) => d.extend(e),
    }
    d
}

/// The provider's types and schemas, built on first use rather than at start-up: Terraform
/// starts a provider several times per command, and some starts never ask for them.
struct Catalog {
    provider_type: Type,
    resources: HashMap<String, ResourceEntry>,
    data_sources: HashMap<String, DataSourceEntry>,
    list_resources: HashMap<String, ListEntry>,
    ephemeral_resources: HashMap<String, EphemeralEntry>,
    actions: HashMap<String, ActionEntry>,
    schema_response: pb::get_provider_schema::Response,
}

impl Catalog {
    fn new<P: Provider>(provider: &P) -> Catalog {
        let mut resources = entries(provider.resources());
        for entry in resources.values_mut() {
            entry.identity_ty = entry.hooks.identity().map(|i| i.value_type());
        }
        let data_sources = entries(provider.data_sources());
        let list_resources = entries(provider.list_resources());
        let ephemeral_resources = entries(provider.ephemeral_resources());
        let actions = entries(provider.actions());
        let schema_response = pb::get_provider_schema::Response {
            provider: Some(provider.schema().to_proto()),
            resource_schemas: schemas(&resources),
            data_source_schemas: schemas(&data_sources),
            list_resource_schemas: schemas(&list_resources),
            ephemeral_resource_schemas: schemas(&ephemeral_resources),
            action_schemas: schemas(&actions)
                .into_iter()
                .map(|(name, schema)| {
                    (
                        name,
                        pb::ActionSchema {
                            schema: Some(schema),
                        },
                    )
                })
                .collect(),
            server_capabilities: Some(provider::server_capabilities()),
            ..Default::default()
        };
        Catalog {
            provider_type: provider.schema().value_type(),
            resources,
            data_sources,
            list_resources,
            ephemeral_resources,
            actions,
            schema_response,
        }
    }
}

pub(crate) struct ProviderService<P: Provider> {
    provider: Arc<P>,
    catalog: OnceLock<Catalog>,
    stop_tx: watch::Sender<bool>,
    stop: StopSignal,
    client: RwLock<Arc<ClientInfo>>,
}

impl<P: Provider> ProviderService<P> {
    pub(crate) fn new(provider: Arc<P>) -> Self {
        let (stop_tx, stop) = StopSignal::new();
        ProviderService {
            provider,
            catalog: OnceLock::new(),
            stop_tx,
            stop,
            client: RwLock::new(Arc::new(ClientInfo::default())),
        }
    }

    fn catalog(&self) -> &Catalog {
        self.catalog.get_or_init(|| Catalog::new(&*self.provider))
    }

    fn ctx(&self, private: Vec<u8>) -> Ctx {
        let client = self.client.read().map(|c| c.clone()).unwrap_or_default();
        Ctx::new(self.stop.clone(), client, private)
    }

    fn resource(&self, type_name: &str) -> Result<&ResourceEntry, Diagnostics> {
        lookup(&self.catalog().resources, type_name, "resource")
    }

    fn data_source(&self, type_name: &str) -> Result<&DataSourceEntry, Diagnostics> {
        lookup(&self.catalog().data_sources, type_name, "data source")
    }

    fn list_entry(&self, type_name: &str) -> Result<&ListEntry, Diagnostics> {
        lookup(&self.catalog().list_resources, type_name, "list resource")
    }

    fn ephemeral_entry(&self, type_name: &str) -> Result<&EphemeralEntry, Diagnostics> {
        lookup(
            &self.catalog().ephemeral_resources,
            type_name,
            "ephemeral resource",
        )
    }

    fn action_entry(&self, type_name: &str) -> Result<&ActionEntry, Diagnostics> {
        lookup(&self.catalog().actions, type_name, "action")
    }
}

/// The short path for unary calls (see `transport.rs`): `(method, handler)` pairs, each decoding
/// its request message and encoding its response message.
macro_rules! unary_routes {
    ($svc:expr, $path:expr, [$($name:literal => $method:ident),* $(,)?]) => {
        match $path {
            $(concat!("/tfplugin6.Provider/", $name) => {
                let svc = Arc::clone($svc);
                let call: UnaryCall = Box::new(move |body: bytes::Bytes| {
                    Box::pin(async move {
                        let request = prost::Message::decode(body).map_err(|e| {
                            Status::invalid_argument(format!("undecodable request: {e}"))
                        })?;
                        let response =
                            provider_server::Provider::$method(&*svc, Request::new(request)).await?;
                        Ok(transport::encode_message(response.get_ref()))
                    })
                });
                Some(call)
            })*
            _ => None,
        }
    };
}

/// Routes the tfplugin6 unary methods past tonic's generic layers; streams and the other
/// services go through tonic.
pub(crate) struct UnaryProvider<P: Provider>(pub(crate) Arc<ProviderService<P>>);

impl<P: Provider> UnaryRoutes for UnaryProvider<P> {
    fn route(&self, path: &str) -> Option<UnaryCall> {
        unary_routes!(&self.0, path, [
            "GetMetadata" => get_metadata,
            "GetProviderSchema" => get_provider_schema,
            "ValidateProviderConfig" => validate_provider_config,
            "ValidateResourceConfig" => validate_resource_config,
            "ValidateDataResourceConfig" => validate_data_resource_config,
            "UpgradeResourceState" => upgrade_resource_state,
            "ConfigureProvider" => configure_provider,
            "ReadResource" => read_resource,
            "PlanResourceChange" => plan_resource_change,
            "ApplyResourceChange" => apply_resource_change,
            "ImportResourceState" => import_resource_state,
            "MoveResourceState" => move_resource_state,
            "ReadDataSource" => read_data_source,
            "StopProvider" => stop_provider,
            "GetFunctions" => get_functions,
            "CallFunction" => call_function,
            "GenerateResourceConfig" => generate_resource_config,
        ])
    }
}

/// A request that could not be decoded is reported as a diagnostic naming what was wrong.
fn decode(dv: Option<&pb::DynamicValue>, ty: &Type, what: &str) -> Result<Value, Diagnostics> {
    let Some(dv) = dv else {
        return Ok(Value::Null);
    };
    let result = if !dv.msgpack.is_empty() {
        cty::msgpack::decode(&dv.msgpack, ty)
    } else if !dv.json.is_empty() {
        cty::json::decode_value(&dv.json, ty)
    } else {
        return Ok(Value::Null);
    };
    result.map_err(|e| {
        Diagnostic::error(
            "Invalid value from Terraform",
            format!("The {what} could not be decoded: {e}. This is a bug in the provider or in Terraform; please report it."),
        )
        .into()
    })
}

fn encode(value: &Value, ty: &Type) -> Result<pb::DynamicValue, Diagnostics> {
    cty::msgpack::encode(value, ty)
        .map(|msgpack| pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        })
        .map_err(|e| {
            Diagnostic::error(
                "Provider produced an invalid value",
                format!("The value could not be encoded: {e}. This is a bug in the provider; please report it."),
            )
            .into()
        })
}

/// Shapes a value to `ty`: object attributes a hook left out become null, unknown leftovers
/// after apply become null (Terraform rejects unknowns in a new state).
fn conform(value: Value, ty: &Type, allow_unknown: bool) -> Value {
    match (value, ty) {
        (Value::Unknown, _) if !allow_unknown => Value::Null,
        (Value::Object(mut attrs), Type::Object { attrs: types, .. }) => {
            let mut out = std::collections::BTreeMap::new();
            for (name, t) in types {
                let v = attrs.remove(name).unwrap_or(Value::Null);
                out.insert(name.clone(), conform(v, t, allow_unknown));
            }
            Value::Object(out)
        }
        (Value::List(items), Type::List(t)) => Value::List(
            items
                .into_iter()
                .map(|v| conform(v, t, allow_unknown))
                .collect(),
        ),
        (Value::Set(items), Type::Set(t)) => Value::Set(
            items
                .into_iter()
                .map(|v| conform(v, t, allow_unknown))
                .collect(),
        ),
        (Value::Map(items), Type::Map(t)) => Value::Map(
            items
                .into_iter()
                .map(|(k, v)| (k, conform(v, t, allow_unknown)))
                .collect(),
        ),
        (Value::Tuple(items), Type::Tuple(ts)) => Value::Tuple(
            items
                .into_iter()
                .zip(ts)
                .map(|(v, t)| conform(v, t, allow_unknown))
                .collect(),
        ),
        (v, _) => v,
    }
}

/// [`guarded`] for a hook that answers with diagnostics only (a check, a close, a list, an
/// action): its diagnostics, or the error of what ran before it (a lookup, a decoding).
async fn checked(future: impl Future<Output = Result<Diagnostics, Diagnostics>>) -> Diagnostics {
    match guarded(future).await {
        Ok(d) | Err(d) => d,
    }
}

/// Runs a hook; a panic becomes an error diagnostic instead of a dropped request.
async fn guarded<T>(
    future: impl Future<Output = Result<T, Diagnostics>>,
) -> Result<T, Diagnostics> {
    match std::panic::AssertUnwindSafe(future).catch_unwind().await {
        Ok(result) => result,
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            tracing::error!(panic = %message, "provider hook panicked");
            Err(Diagnostic::error(
                "Provider bug",
                format!("The provider failed unexpectedly ({message}). Please report this, with the output of TF_LOG=debug; running the command again is safe."),
            )
            .into())
        }
    }
}

/// A hook's result with the context's diagnostics (warnings, or errors beside a value) merged
/// in: the value, if any, and every diagnostic for the response.
fn outcome<T>(ctx: &mut Ctx, result: Result<T, Diagnostics>) -> (Option<T>, Vec<pb::Diagnostic>) {
    let mut d = std::mem::take(&mut ctx.diagnostics);
    let value = result.map_err(|e| d.extend(e)).ok();
    (value, diags(d))
}

fn diags(d: Diagnostics) -> Vec<pb::Diagnostic> {
    d.to_proto()
}

fn log_rpc(rpc: &str, type_name: &str, started: Instant) {
    tracing::debug!(
        rpc,
        type_name,
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "served"
    );
}

/// Every adapter answers with a message: failures are diagnostics in it, never a `Status`.
fn reply<T>(message: T) -> RpcResult<T> {
    Ok(Response::new(message))
}

/// A streaming RPC that answers with one message and ends.
fn reply_once<T: Send + 'static>(message: T) -> RpcResult<BoxStream<T>> {
    Ok(Response::new(Box::pin(futures::stream::once(async {
        Ok(message)
    }))))
}

/// One RPC method, written out in the boxed-future form the trait has after
/// `#[tonic::async_trait]`, which does not look inside macros: `$body` is the future's, with
/// `$service` bound to the service and `$request` to the request message.
macro_rules! rpc_method {
    ($method:ident -> $output:ty, |$service:pat_param, $request:pat_param| $body:expr) => {
        fn $method<'life0, 'async_trait>(
            &'life0 self,
            request: Request<pb::$method::Request>,
        ) -> Pin<Box<dyn Future<Output = RpcResult<$output>> + Send + 'async_trait>>
        where
            'life0: 'async_trait,
            Self: 'async_trait,
        {
            Box::pin(async move {
                let $service = self;
                let $request = request.into_inner();
                $body
            })
        }
    };
}

/// The unary RPCs of the service, each delegating to its adapter: `method(service, request) =>
/// answer`.
macro_rules! unary_rpcs {
    ($($method:ident($service:pat_param, $request:pat_param) => $answer:expr;)*) => {$(
        rpc_method!($method -> pb::$method::Response, |$service, $request| reply($answer));
    )*};
}

#[tonic::async_trait]
impl<P: Provider> provider_server::Provider for ProviderService<P> {
    unary_rpcs! {
        // The provider itself.
        get_metadata(service, _) => provider::get_metadata(service);
        get_provider_schema(service, _) => provider::get_provider_schema(service);
        validate_provider_config(service, request) => provider::validate_provider_config(service, request).await;
        configure_provider(service, request) => provider::configure_provider(service, request).await;
        stop_provider(service, _) => provider::stop_provider(service);
        // Managed resources.
        validate_resource_config(service, request) => resource::validate_resource_config(service, request).await;
        upgrade_resource_state(service, request) => resource::upgrade_resource_state(service, request).await;
        read_resource(service, request) => resource::read_resource(service, request).await;
        plan_resource_change(service, request) => resource::plan_resource_change(service, request).await;
        apply_resource_change(service, request) => resource::apply_resource_change(service, request).await;
        import_resource_state(service, request) => resource::import_resource_state(service, request).await;
        generate_resource_config(service, request) => resource::generate_resource_config(service, request);
        move_resource_state(_, request) => unsupported::move_resource_state(request);
        // Data sources.
        validate_data_resource_config(service, request) => data_source::validate_data_resource_config(service, request).await;
        read_data_source(service, request) => data_source::read_data_source(service, request).await;
        // Ephemeral resources.
        validate_ephemeral_resource_config(service, request) => ephemeral::validate_ephemeral_resource_config(service, request).await;
        open_ephemeral_resource(service, request) => ephemeral::open_ephemeral_resource(service, request).await;
        renew_ephemeral_resource(service, request) => ephemeral::renew_ephemeral_resource(service, request).await;
        close_ephemeral_resource(service, request) => ephemeral::close_ephemeral_resource(service, request).await;
        // Functions: none.
        get_functions(_, _) => unsupported::get_functions();
        call_function(_, request) => unsupported::call_function(request);
        // Resource identity.
        get_resource_identity_schemas(service, _) => identity::get_resource_identity_schemas(service);
        upgrade_resource_identity(service, request) => identity::upgrade_resource_identity(service, request);
        // List resources (the stream is below).
        validate_list_resource_config(service, request) => list::validate_list_resource_config(service, request).await;
        // Actions (the stream is below).
        validate_action_config(service, request) => action::validate_action_config(service, request).await;
        plan_action(service, request) => action::plan_action(service, request).await;
        // State stores: none (the streams are below).
        validate_state_store_config(_, request) => unsupported::validate_state_store_config(request);
        configure_state_store(_, request) => unsupported::configure_state_store(request);
        lock_state(_, request) => unsupported::lock_state(request);
        unlock_state(_, request) => unsupported::unlock_state(request);
        get_states(_, request) => unsupported::get_states(request);
        delete_state(_, request) => unsupported::delete_state(request);
    }

    type ListResourceStream = BoxStream<pb::list_resource::Event>;

    rpc_method!(list_resource -> Self::ListResourceStream, |service, request| {
        Ok(Response::new(list::list_resource(service, request)))
    });

    type InvokeActionStream = BoxStream<pb::invoke_action::Event>;

    rpc_method!(invoke_action -> Self::InvokeActionStream, |service, request| {
        Ok(Response::new(action::invoke_action(service, request)))
    });

    type ReadStateBytesStream = BoxStream<pb::read_state_bytes::ResponseChunk>;

    async fn read_state_bytes(
        &self,
        request: Request<pb::read_state_bytes::Request>,
    ) -> RpcResult<Self::ReadStateBytesStream> {
        reply_once(unsupported::read_state_bytes(request.into_inner()))
    }

    async fn write_state_bytes(
        &self,
        _request: Request<Streaming<pb::write_state_bytes::RequestChunk>>,
    ) -> RpcResult<pb::write_state_bytes::Response> {
        reply(unsupported::write_state_bytes())
    }
}
