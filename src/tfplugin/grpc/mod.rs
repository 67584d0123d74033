//! The tfplugin6 `Provider` gRPC service: decodes requests against the schemas, runs the plan
//! engine, calls the provider's hooks and encodes the answers. RPCs for features a provider
//! does not offer answer with an error diagnostic, never a transport error or a crash.
//!
//! One adapter per RPC, by group: `provider` (metadata, schema, provider configuration, stop),
//! `resource` (managed resources), `data_source`, and `unsupported` (moving state, ephemeral
//! resources, functions, resource identity, list resources, actions, state stores). Each adapter
//! takes the request message and returns the response message (failures are diagnostics in it);
//! the tonic service below only delegates, and the unary ones also serve `transport.rs`'s short
//! path through `UnaryProvider`.

mod data_source;
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
use super::proto::tfplugin6 as pb;
use super::proto::tfplugin6::provider_server;
use super::resource::{ClientInfo, Ctx, DataSource, Provider, Resource, StopSignal};
use super::transport::{self, UnaryCall, UnaryRoutes};

type RpcResult<T> = Result<Response<T>, Status>;
type BoxStream<T> = Pin<Box<dyn futures::Stream<Item = Result<T, Status>> + Send>>;

struct ResourceEntry {
    resource: Arc<dyn Resource>,
    ty: Type,
}

struct DataSourceEntry {
    data_source: Arc<dyn DataSource>,
    ty: Type,
}

/// The provider's types and schemas, built on first use rather than at start-up: Terraform
/// starts a provider several times per command, and some starts never ask for them.
struct Catalog {
    provider_type: Type,
    resources: HashMap<String, ResourceEntry>,
    data_sources: HashMap<String, DataSourceEntry>,
    schema_response: pb::get_provider_schema::Response,
}

impl Catalog {
    fn new<P: Provider>(provider: &P) -> Catalog {
        let resources: HashMap<_, _> = provider
            .resources()
            .into_iter()
            .map(|r| {
                let ty = r.schema().value_type();
                (r.type_name().to_string(), ResourceEntry { resource: r, ty })
            })
            .collect();
        let data_sources: HashMap<_, _> = provider
            .data_sources()
            .into_iter()
            .map(|d| {
                let ty = d.schema().value_type();
                (
                    d.type_name().to_string(),
                    DataSourceEntry { data_source: d, ty },
                )
            })
            .collect();
        let schema_response = pb::get_provider_schema::Response {
            provider: Some(provider.schema().to_proto()),
            resource_schemas: resources
                .iter()
                .map(|(k, e)| (k.clone(), e.resource.schema().to_proto()))
                .collect(),
            data_source_schemas: data_sources
                .iter()
                .map(|(k, e)| (k.clone(), e.data_source.schema().to_proto()))
                .collect(),
            server_capabilities: Some(provider::server_capabilities()),
            ..Default::default()
        };
        Catalog {
            provider_type: provider.schema().value_type(),
            resources,
            data_sources,
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
        self.catalog().resources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown resource type",
                format!("This provider has no resource type {type_name:?}."),
            )
            .into()
        })
    }

    fn data_source(&self, type_name: &str) -> Result<&DataSourceEntry, Diagnostics> {
        self.catalog().data_sources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown data source",
                format!("This provider has no data source {type_name:?}."),
            )
            .into()
        })
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

#[tonic::async_trait]
impl<P: Provider> provider_server::Provider for ProviderService<P> {
    // The provider itself.

    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> RpcResult<pb::get_metadata::Response> {
        reply(provider::get_metadata(self))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> RpcResult<pb::get_provider_schema::Response> {
        reply(provider::get_provider_schema(self))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> RpcResult<pb::validate_provider_config::Response> {
        reply(provider::validate_provider_config(self, request.into_inner()).await)
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> RpcResult<pb::configure_provider::Response> {
        reply(provider::configure_provider(self, request.into_inner()).await)
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> RpcResult<pb::stop_provider::Response> {
        reply(provider::stop_provider(self))
    }

    // Managed resources.

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> RpcResult<pb::validate_resource_config::Response> {
        reply(resource::validate_resource_config(self, request.into_inner()).await)
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> RpcResult<pb::upgrade_resource_state::Response> {
        reply(resource::upgrade_resource_state(self, request.into_inner()).await)
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> RpcResult<pb::read_resource::Response> {
        reply(resource::read_resource(self, request.into_inner()).await)
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> RpcResult<pb::plan_resource_change::Response> {
        reply(resource::plan_resource_change(self, request.into_inner()).await)
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> RpcResult<pb::apply_resource_change::Response> {
        reply(resource::apply_resource_change(self, request.into_inner()).await)
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> RpcResult<pb::import_resource_state::Response> {
        reply(resource::import_resource_state(self, request.into_inner()).await)
    }

    async fn generate_resource_config(
        &self,
        request: Request<pb::generate_resource_config::Request>,
    ) -> RpcResult<pb::generate_resource_config::Response> {
        reply(resource::generate_resource_config(
            self,
            request.into_inner(),
        ))
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> RpcResult<pb::move_resource_state::Response> {
        reply(unsupported::move_resource_state(request.into_inner()))
    }

    // Data sources.

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> RpcResult<pb::validate_data_resource_config::Response> {
        reply(data_source::validate_data_resource_config(self, request.into_inner()).await)
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> RpcResult<pb::read_data_source::Response> {
        reply(data_source::read_data_source(self, request.into_inner()).await)
    }

    // Ephemeral resources: none.

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> RpcResult<pb::validate_ephemeral_resource_config::Response> {
        reply(unsupported::validate_ephemeral_resource_config(
            request.into_inner(),
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<pb::open_ephemeral_resource::Request>,
    ) -> RpcResult<pb::open_ephemeral_resource::Response> {
        reply(unsupported::open_ephemeral_resource(request.into_inner()))
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<pb::renew_ephemeral_resource::Request>,
    ) -> RpcResult<pb::renew_ephemeral_resource::Response> {
        reply(unsupported::renew_ephemeral_resource(request.into_inner()))
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<pb::close_ephemeral_resource::Request>,
    ) -> RpcResult<pb::close_ephemeral_resource::Response> {
        reply(unsupported::close_ephemeral_resource(request.into_inner()))
    }

    // Functions: none.

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> RpcResult<pb::get_functions::Response> {
        reply(unsupported::get_functions())
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> RpcResult<pb::call_function::Response> {
        reply(unsupported::call_function(request.into_inner()))
    }

    // Resource identity: none.

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> RpcResult<pb::get_resource_identity_schemas::Response> {
        reply(unsupported::get_resource_identity_schemas())
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> RpcResult<pb::upgrade_resource_identity::Response> {
        reply(unsupported::upgrade_resource_identity(request.into_inner()))
    }

    // List resources: none.

    type ListResourceStream = BoxStream<pb::list_resource::Event>;

    async fn list_resource(
        &self,
        request: Request<pb::list_resource::Request>,
    ) -> RpcResult<Self::ListResourceStream> {
        reply_once(unsupported::list_resource(request.into_inner()))
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<pb::validate_list_resource_config::Request>,
    ) -> RpcResult<pb::validate_list_resource_config::Response> {
        reply(unsupported::validate_list_resource_config(
            request.into_inner(),
        ))
    }

    // Actions: none.

    async fn validate_action_config(
        &self,
        request: Request<pb::validate_action_config::Request>,
    ) -> RpcResult<pb::validate_action_config::Response> {
        reply(unsupported::validate_action_config(request.into_inner()))
    }

    async fn plan_action(
        &self,
        request: Request<pb::plan_action::Request>,
    ) -> RpcResult<pb::plan_action::Response> {
        reply(unsupported::plan_action(request.into_inner()))
    }

    type InvokeActionStream = BoxStream<pb::invoke_action::Event>;

    async fn invoke_action(
        &self,
        request: Request<pb::invoke_action::Request>,
    ) -> RpcResult<Self::InvokeActionStream> {
        reply_once(unsupported::invoke_action(request.into_inner()))
    }

    // State stores: none.

    async fn validate_state_store_config(
        &self,
        request: Request<pb::validate_state_store_config::Request>,
    ) -> RpcResult<pb::validate_state_store_config::Response> {
        reply(unsupported::validate_state_store_config(
            request.into_inner(),
        ))
    }

    async fn configure_state_store(
        &self,
        request: Request<pb::configure_state_store::Request>,
    ) -> RpcResult<pb::configure_state_store::Response> {
        reply(unsupported::configure_state_store(request.into_inner()))
    }

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

    async fn lock_state(
        &self,
        request: Request<pb::lock_state::Request>,
    ) -> RpcResult<pb::lock_state::Response> {
        reply(unsupported::lock_state(request.into_inner()))
    }

    async fn unlock_state(
        &self,
        request: Request<pb::unlock_state::Request>,
    ) -> RpcResult<pb::unlock_state::Response> {
        reply(unsupported::unlock_state(request.into_inner()))
    }

    async fn get_states(
        &self,
        request: Request<pb::get_states::Request>,
    ) -> RpcResult<pb::get_states::Response> {
        reply(unsupported::get_states(request.into_inner()))
    }

    async fn delete_state(
        &self,
        request: Request<pb::delete_state::Request>,
    ) -> RpcResult<pb::delete_state::Response> {
        reply(unsupported::delete_state(request.into_inner()))
    }
}
