//! The tfplugin6 `Provider` gRPC service: decodes requests against the schemas, runs the plan
//! engine, calls the provider's hooks and encodes the answers. RPCs for features a provider
//! does not offer answer with an error diagnostic, never a transport error or a crash.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Instant;

use futures::FutureExt as _;
use tokio::sync::watch;
use tonic::{Request, Response, Status, Streaming};

use super::cty::{self, Type, Value};
use super::diag::{AttributePath, Diagnostic, Diagnostics};
use super::plan;
use super::proto::tfplugin6 as pb;
use super::proto::tfplugin6::provider_server;
use super::resource::{ClientInfo, Ctx, DataSource, PlanRequest, Provider, Resource, StopSignal};
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
            server_capabilities: Some(server_capabilities()),
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

pub struct ProviderService<P: Provider> {
    provider: Arc<P>,
    catalog: OnceLock<Catalog>,
    stop_tx: watch::Sender<bool>,
    stop: StopSignal,
    client: RwLock<Arc<ClientInfo>>,
}

impl<P: Provider> ProviderService<P> {
    pub fn new(provider: Arc<P>) -> Self {
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
pub struct UnaryProvider<P: Provider>(pub Arc<ProviderService<P>>);

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

fn server_capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        ..Default::default()
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

fn client_info(terraform_version: String, caps: Option<&pb::ClientCapabilities>) -> ClientInfo {
    ClientInfo {
        terraform_version,
        deferral_allowed: caps.is_some_and(|c| c.deferral_allowed),
        write_only_attributes_allowed: caps.is_some_and(|c| c.write_only_attributes_allowed),
    }
}

fn diags(d: Diagnostics) -> Vec<pb::Diagnostic> {
    d.to_proto()
}

fn unsupported(feature: &str, name: &str) -> Vec<pb::Diagnostic> {
    Diagnostics::from(Diagnostic::error(
        format!("{feature} not supported"),
        format!("This provider offers no {feature} named {name:?}. Check the name, or the provider's documentation for what it offers."),
    ))
    .to_proto()
}

fn log_rpc(rpc: &str, type_name: &str, started: Instant) {
    tracing::debug!(
        rpc,
        type_name,
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "served"
    );
}

#[tonic::async_trait]
impl<P: Provider> provider_server::Provider for ProviderService<P> {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> RpcResult<pb::get_metadata::Response> {
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(server_capabilities()),
            resources: self
                .catalog()
                .resources
                .keys()
                .map(|k| pb::get_metadata::ResourceMetadata {
                    type_name: k.clone(),
                })
                .collect(),
            data_sources: self
                .catalog()
                .data_sources
                .keys()
                .map(|k| pb::get_metadata::DataSourceMetadata {
                    type_name: k.clone(),
                })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> RpcResult<pb::get_provider_schema::Response> {
        Ok(Response::new(self.catalog().schema_response.clone()))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> RpcResult<pb::validate_provider_config::Response> {
        let req = request.into_inner();
        let mut d = Diagnostics::new();
        match decode(
            req.config.as_ref(),
            &self.catalog().provider_type,
            "provider configuration",
        ) {
            Ok(config) => {
                d.extend(plan::validate_config(self.provider.schema(), &config));
                d.extend(self.provider.validate_config(&config).await);
            }
            Err(e) => d.extend(e),
        }
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: diags(d),
        }))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> RpcResult<pb::validate_resource_config::Response> {
        let req = request.into_inner();
        let mut d = Diagnostics::new();
        match self.resource(&req.type_name) {
            Ok(entry) => match decode(req.config.as_ref(), &entry.ty, "resource configuration") {
                Ok(config) => {
                    d.extend(plan::validate_config(entry.resource.schema(), &config));
                    d.extend(entry.resource.validate(&config).await);
                }
                Err(e) => d.extend(e),
            },
            Err(e) => d.extend(e),
        }
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: diags(d),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> RpcResult<pb::validate_data_resource_config::Response> {
        let req = request.into_inner();
        let mut d = Diagnostics::new();
        match self.data_source(&req.type_name) {
            Ok(entry) => {
                match decode(req.config.as_ref(), &entry.ty, "data source configuration") {
                    Ok(config) => {
                        d.extend(plan::validate_config(entry.data_source.schema(), &config));
                        d.extend(entry.data_source.validate(&config).await);
                    }
                    Err(e) => d.extend(e),
                }
            }
            Err(e) => d.extend(e),
        }
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: diags(d),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> RpcResult<pb::upgrade_resource_state::Response> {
        let req = request.into_inner();
        let result = guarded(async {
            let entry = self.resource(&req.type_name)?;
            let raw = req.raw_state.unwrap_or_default();
            if raw.json.is_empty() {
                if raw.flatmap.is_empty() {
                    return Ok(None);
                }
                return Err(Diagnostic::error(
                    "Unsupported state format",
                    "The state of this resource is in the legacy flatmap format, which this provider cannot read. Remove it from state and import it again.",
                )
                .into());
            }
            let value = entry
                .resource
                .upgrade_state(req.version, &raw.json)
                .await?;
            let value = conform(value, &entry.ty, false);
            encode(&value, &entry.ty).map(Some)
        }
        ).await;
        Ok(Response::new(match result {
            Ok(upgraded_state) => pb::upgrade_resource_state::Response {
                upgraded_state,
                diagnostics: vec![],
            },
            Err(d) => pb::upgrade_resource_state::Response {
                upgraded_state: None,
                diagnostics: diags(d),
            },
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> RpcResult<pb::configure_provider::Response> {
        let req = request.into_inner();
        let info = client_info(req.terraform_version, req.client_capabilities.as_ref());
        if let Ok(mut guard) = self.client.write() {
            *guard = Arc::new(info.clone());
        }
        let d = match decode(
            req.config.as_ref(),
            &self.catalog().provider_type,
            "provider configuration",
        ) {
            Ok(config) => self.provider.configure(&config, &info).await,
            Err(e) => e,
        };
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: diags(d),
        }))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> RpcResult<pb::read_resource::Response> {
        let started = Instant::now();
        let req = request.into_inner();
        let mut ctx = self.ctx(req.private.clone());
        let result = guarded(async {
            let entry = self.resource(&req.type_name)?;
            let state = decode(req.current_state.as_ref(), &entry.ty, "current state")?;
            if state.is_null() {
                return Ok(None);
            }
            let new_state = entry.resource.read(&mut ctx, &state).await?;
            let new_state = plan::null_write_only(
                entry.resource.schema(),
                &conform(new_state, &entry.ty, false),
            );
            encode(&new_state, &entry.ty).map(Some)
        })
        .await;
        log_rpc("ReadResource", &req.type_name, started);
        let mut d = std::mem::take(&mut ctx.diagnostics);
        Ok(Response::new(match result {
            Ok(new_state) => pb::read_resource::Response {
                new_state,
                diagnostics: diags(d),
                private: ctx.private,
                ..Default::default()
            },
            Err(e) => {
                d.extend(e);
                pb::read_resource::Response {
                    new_state: req.current_state,
                    diagnostics: diags(d),
                    private: req.private,
                    ..Default::default()
                }
            }
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> RpcResult<pb::plan_resource_change::Response> {
        let started = Instant::now();
        let req = request.into_inner();
        let mut ctx = self.ctx(req.prior_private.clone());
        let result = guarded(async {
            let entry = self.resource(&req.type_name)?;
            let schema = entry.resource.schema();
            let prior = decode(req.prior_state.as_ref(), &entry.ty, "prior state")?;
            let proposed = decode(req.proposed_new_state.as_ref(), &entry.ty, "proposed state")?;
            let config = decode(req.config.as_ref(), &entry.ty, "configuration")?;
            if proposed.is_null() {
                // Destroy: nothing to decide.
                return Ok((Value::Null, Vec::new(), Diagnostics::new()));
            }
            let engine = plan::plan_resource_change(schema, &prior, &proposed, &config);
            if engine.diagnostics.has_errors() {
                return Err(engine.diagnostics);
            }
            let mut planned = PlanRequest {
                prior_state: prior,
                config,
                planned_state: engine.planned_state,
                requires_replace: engine.requires_replace,
            };
            let mut d = engine.diagnostics;
            d.extend(entry.resource.modify_plan(&mut ctx, &mut planned).await);
            if d.has_errors() {
                return Err(d);
            }
            let state =
                plan::null_write_only(schema, &conform(planned.planned_state, &entry.ty, true));
            Ok((state, planned.requires_replace, d))
        })
        .await;
        log_rpc("PlanResourceChange", &req.type_name, started);
        let mut d = std::mem::take(&mut ctx.diagnostics);
        let entry_ty = self.catalog().resources.get(&req.type_name).map(|e| &e.ty);
        Ok(Response::new(match (result, entry_ty) {
            (Ok((state, replace, more)), Some(ty)) => {
                d.extend(more);
                match encode(&state, ty) {
                    Ok(planned_state) => pb::plan_resource_change::Response {
                        planned_state: Some(planned_state),
                        requires_replace: replace.iter().map(AttributePath::to_proto).collect(),
                        planned_private: ctx.private,
                        diagnostics: diags(d),
                        ..Default::default()
                    },
                    Err(e) => {
                        d.extend(e);
                        pb::plan_resource_change::Response {
                            diagnostics: diags(d),
                            ..Default::default()
                        }
                    }
                }
            }
            (Err(e), _) => {
                d.extend(e);
                pb::plan_resource_change::Response {
                    diagnostics: diags(d),
                    ..Default::default()
                }
            }
            (Ok(_), None) => unreachable!("resource looked up above"),
        }))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> RpcResult<pb::apply_resource_change::Response> {
        let started = Instant::now();
        let req = request.into_inner();
        let mut ctx = self.ctx(req.planned_private.clone());
        let entry = match self.resource(&req.type_name) {
            Ok(e) => e,
            Err(d) => {
                return Ok(Response::new(pb::apply_resource_change::Response {
                    diagnostics: diags(d),
                    ..Default::default()
                }))
            }
        };
        let schema = entry.resource.schema();
        let decoded = (|| {
            Ok::<_, Diagnostics>((
                decode(req.prior_state.as_ref(), &entry.ty, "prior state")?,
                decode(req.planned_state.as_ref(), &entry.ty, "planned state")?,
                decode(req.config.as_ref(), &entry.ty, "configuration")?,
            ))
        })();
        let (prior, planned, config) = match decoded {
            Ok(v) => v,
            Err(d) => {
                return Ok(Response::new(pb::apply_resource_change::Response {
                    new_state: req.prior_state,
                    diagnostics: diags(d),
                    ..Default::default()
                }))
            }
        };
        let result = guarded(async {
            if planned.is_null() {
                entry
                    .resource
                    .delete(&mut ctx, &prior)
                    .await
                    .map(|()| Value::Null)
            } else if prior.is_null() {
                entry.resource.create(&mut ctx, &planned, &config).await
            } else {
                entry
                    .resource
                    .update(&mut ctx, &prior, &planned, &config)
                    .await
            }
        })
        .await;
        log_rpc("ApplyResourceChange", &req.type_name, started);
        let mut d = std::mem::take(&mut ctx.diagnostics);
        let new_state = match result {
            Ok(v) => v,
            Err(e) => {
                d.extend(e);
                // Keep what exists: a partial object, or the prior state for a failed update
                // or delete, so nothing real is forgotten.
                ctx.partial_state.take().unwrap_or(prior)
            }
        };
        let new_state = plan::null_write_only(schema, &conform(new_state, &entry.ty, false));
        let encoded = match encode(&new_state, &entry.ty) {
            Ok(v) => Some(v),
            Err(e) => {
                d.extend(e);
                req.prior_state
            }
        };
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state: encoded,
            private: ctx.private,
            diagnostics: diags(d),
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> RpcResult<pb::import_resource_state::Response> {
        let req = request.into_inner();
        let mut ctx = self.ctx(Vec::new());
        let result = guarded(async {
            let entry = self.resource(&req.type_name)?;
            let value = entry.resource.import(&mut ctx, &req.id).await?;
            let value = conform(value, &entry.ty, false);
            encode(&value, &entry.ty)
        })
        .await;
        let mut d = std::mem::take(&mut ctx.diagnostics);
        Ok(Response::new(match result {
            Ok(state) => pb::import_resource_state::Response {
                imported_resources: vec![pb::import_resource_state::ImportedResource {
                    type_name: req.type_name,
                    state: Some(state),
                    private: ctx.private,
                    ..Default::default()
                }],
                diagnostics: diags(d),
                ..Default::default()
            },
            Err(e) => {
                d.extend(e);
                pb::import_resource_state::Response {
                    diagnostics: diags(d),
                    ..Default::default()
                }
            }
        }))
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> RpcResult<pb::move_resource_state::Response> {
        let req = request.into_inner();
        Ok(Response::new(pb::move_resource_state::Response {
            diagnostics: unsupported("resource move into", &req.target_type_name),
            ..Default::default()
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> RpcResult<pb::read_data_source::Response> {
        let started = Instant::now();
        let req = request.into_inner();
        let mut ctx = self.ctx(Vec::new());
        let result = guarded(async {
            let entry = self.data_source(&req.type_name)?;
            let config = decode(req.config.as_ref(), &entry.ty, "data source configuration")?;
            let value = entry.data_source.read(&mut ctx, &config).await?;
            encode(&conform(value, &entry.ty, false), &entry.ty)
        })
        .await;
        log_rpc("ReadDataSource", &req.type_name, started);
        let mut d = std::mem::take(&mut ctx.diagnostics);
        Ok(Response::new(match result {
            Ok(state) => pb::read_data_source::Response {
                state: Some(state),
                diagnostics: diags(d),
                ..Default::default()
            },
            Err(e) => {
                d.extend(e);
                pb::read_data_source::Response {
                    diagnostics: diags(d),
                    ..Default::default()
                }
            }
        }))
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> RpcResult<pb::stop_provider::Response> {
        tracing::info!("stop requested: cancelling operations in flight");
        let _ = self.stop_tx.send(true);
        Ok(Response::new(pb::stop_provider::Response::default()))
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> RpcResult<pb::get_functions::Response> {
        Ok(Response::new(pb::get_functions::Response::default()))
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> RpcResult<pb::call_function::Response> {
        let name = request.into_inner().name;
        Ok(Response::new(pb::call_function::Response {
            error: Some(pb::FunctionError {
                text: format!("this provider has no function named {name:?}"),
                ..Default::default()
            }),
            ..Default::default()
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> RpcResult<pb::validate_ephemeral_resource_config::Response> {
        let name = request.into_inner().type_name;
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response {
                diagnostics: unsupported("ephemeral resource", &name),
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<pb::open_ephemeral_resource::Request>,
    ) -> RpcResult<pb::open_ephemeral_resource::Response> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::open_ephemeral_resource::Response {
            diagnostics: unsupported("ephemeral resource", &name),
            ..Default::default()
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<pb::renew_ephemeral_resource::Request>,
    ) -> RpcResult<pb::renew_ephemeral_resource::Response> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::renew_ephemeral_resource::Response {
            diagnostics: unsupported("ephemeral resource", &name),
            ..Default::default()
        }))
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<pb::close_ephemeral_resource::Request>,
    ) -> RpcResult<pb::close_ephemeral_resource::Response> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::close_ephemeral_resource::Response {
            diagnostics: unsupported("ephemeral resource", &name),
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> RpcResult<pb::get_resource_identity_schemas::Response> {
        Ok(Response::new(
            pb::get_resource_identity_schemas::Response::default(),
        ))
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> RpcResult<pb::upgrade_resource_identity::Response> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::upgrade_resource_identity::Response {
            diagnostics: unsupported("resource identity for", &name),
            ..Default::default()
        }))
    }

    type ListResourceStream = BoxStream<pb::list_resource::Event>;

    async fn list_resource(
        &self,
        request: Request<pb::list_resource::Request>,
    ) -> RpcResult<Self::ListResourceStream> {
        let name = request.into_inner().type_name;
        let event = pb::list_resource::Event {
            diagnostic: unsupported("list resource", &name),
            ..Default::default()
        };
        Ok(Response::new(Box::pin(futures::stream::once(async {
            Ok(event)
        }))))
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<pb::validate_list_resource_config::Request>,
    ) -> RpcResult<pb::validate_list_resource_config::Response> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::validate_list_resource_config::Response {
            diagnostics: unsupported("list resource", &name),
        }))
    }

    async fn generate_resource_config(
        &self,
        request: Request<pb::generate_resource_config::Request>,
    ) -> RpcResult<pb::generate_resource_config::Response> {
        let req = request.into_inner();
        let result = (|| {
            let entry = self.resource(&req.type_name)?;
            let state = decode(req.state.as_ref(), &entry.ty, "state")?;
            let config = plan::config_from_state(entry.resource.schema(), &state);
            encode(&config, &entry.ty)
        })();
        Ok(Response::new(match result {
            Ok(config) => pb::generate_resource_config::Response {
                config: Some(config),
                diagnostics: vec![],
            },
            Err(d) => pb::generate_resource_config::Response {
                config: None,
                diagnostics: diags(d),
            },
        }))
    }

    async fn validate_action_config(
        &self,
        request: Request<pb::validate_action_config::Request>,
    ) -> RpcResult<pb::validate_action_config::Response> {
        let name = request.into_inner().action_type;
        Ok(Response::new(pb::validate_action_config::Response {
            diagnostics: unsupported("action", &name),
        }))
    }

    async fn plan_action(
        &self,
        request: Request<pb::plan_action::Request>,
    ) -> RpcResult<pb::plan_action::Response> {
        let name = request.into_inner().action_type;
        Ok(Response::new(pb::plan_action::Response {
            diagnostics: unsupported("action", &name),
            ..Default::default()
        }))
    }

    type InvokeActionStream = BoxStream<pb::invoke_action::Event>;

    async fn invoke_action(
        &self,
        request: Request<pb::invoke_action::Request>,
    ) -> RpcResult<Self::InvokeActionStream> {
        let name = request.into_inner().action_type;
        let event = pb::invoke_action::Event {
            r#type: Some(pb::invoke_action::event::Type::Completed(
                pb::invoke_action::event::Completed {
                    diagnostics: unsupported("action", &name),
                },
            )),
        };
        Ok(Response::new(Box::pin(futures::stream::once(async {
            Ok(event)
        }))))
    }

    async fn validate_state_store_config(
        &self,
        request: Request<pb::validate_state_store_config::Request>,
    ) -> RpcResult<pb::validate_state_store_config::Response> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::validate_state_store_config::Response {
            diagnostics: unsupported("state store", &name),
        }))
    }

    async fn configure_state_store(
        &self,
        request: Request<pb::configure_state_store::Request>,
    ) -> RpcResult<pb::configure_state_store::Response> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::configure_state_store::Response {
            diagnostics: unsupported("state store", &name),
            ..Default::default()
        }))
    }

    type ReadStateBytesStream = BoxStream<pb::read_state_bytes::ResponseChunk>;

    async fn read_state_bytes(
        &self,
        request: Request<pb::read_state_bytes::Request>,
    ) -> RpcResult<Self::ReadStateBytesStream> {
        let name = request.into_inner().type_name;
        let chunk = pb::read_state_bytes::ResponseChunk {
            diagnostics: unsupported("state store", &name),
            ..Default::default()
        };
        Ok(Response::new(Box::pin(futures::stream::once(async {
            Ok(chunk)
        }))))
    }

    async fn write_state_bytes(
        &self,
        _request: Request<Streaming<pb::write_state_bytes::RequestChunk>>,
    ) -> RpcResult<pb::write_state_bytes::Response> {
        Ok(Response::new(pb::write_state_bytes::Response {
            diagnostics: unsupported("state store", "(any)"),
        }))
    }

    async fn lock_state(
        &self,
        request: Request<pb::lock_state::Request>,
    ) -> RpcResult<pb::lock_state::Response> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::lock_state::Response {
            diagnostics: unsupported("state store", &name),
            ..Default::default()
        }))
    }

    async fn unlock_state(
        &self,
        request: Request<pb::unlock_state::Request>,
    ) -> RpcResult<pb::unlock_state::Response> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::unlock_state::Response {
            diagnostics: unsupported("state store", &name),
        }))
    }

    async fn get_states(
        &self,
        request: Request<pb::get_states::Request>,
    ) -> RpcResult<pb::get_states::Response> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::get_states::Response {
            diagnostics: unsupported("state store", &name),
            ..Default::default()
        }))
    }

    async fn delete_state(
        &self,
        request: Request<pb::delete_state::Request>,
    ) -> RpcResult<pb::delete_state::Response> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::delete_state::Response {
            diagnostics: unsupported("state store", &name),
        }))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use async_trait::async_trait;

    use super::provider_server::Provider as _;
    use super::*;
    use crate::tfplugin::schema::{Attribute, Block, Schema};

    /// A resource whose create waits for a minute unless the provider is stopped.
    struct Slow(Schema);

    #[async_trait]
    impl Resource for Slow {
        fn type_name(&self) -> &str {
            "test_slow"
        }
        fn schema(&self) -> &Schema {
            &self.0
        }
        async fn create(
            &self,
            ctx: &mut Ctx,
            planned: &Value,
            _: &Value,
        ) -> Result<Value, Diagnostics> {
            if ctx.stop.sleep(Duration::from_secs(60)).await {
                Ok(planned.clone())
            } else {
                Err(Diagnostic::error("Stopped", "cancelled").into())
            }
        }
        async fn read(&self, _: &mut Ctx, state: &Value) -> Result<Value, Diagnostics> {
            Ok(state.clone())
        }
        async fn update(
            &self,
            _: &mut Ctx,
            _: &Value,
            p: &Value,
            _: &Value,
        ) -> Result<Value, Diagnostics> {
            Ok(p.clone())
        }
        async fn delete(&self, _: &mut Ctx, _: &Value) -> Result<(), Diagnostics> {
            Ok(())
        }
    }

    struct TestProvider(Schema, Arc<Slow>);

    #[async_trait]
    impl Provider for TestProvider {
        fn schema(&self) -> &Schema {
            &self.0
        }
        fn resources(&self) -> Vec<Arc<dyn Resource>> {
            vec![self.1.clone()]
        }
        fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
            vec![]
        }
        async fn configure(&self, _: &Value, _: &ClientInfo) -> Diagnostics {
            Diagnostics::new()
        }
    }

    fn service() -> Arc<ProviderService<TestProvider>> {
        let slow = Slow(Schema::new(Block::from_attributes(vec![
            Attribute::string("name").required(),
        ])));
        Arc::new(ProviderService::new(Arc::new(TestProvider(
            Schema::new(Block::from_attributes(vec![])),
            Arc::new(slow),
        ))))
    }

    #[tokio::test]
    async fn stop_provider_ends_a_waiting_apply_within_a_second() {
        let svc = service();
        let ty = Type::object([("name", Type::String)]);
        let planned =
            cty::msgpack::encode(&Value::object([("name", Value::string("a"))]), &ty).unwrap();
        let null = cty::msgpack::encode(&Value::Null, &ty).unwrap();
        let request = pb::apply_resource_change::Request {
            type_name: "test_slow".into(),
            prior_state: Some(pb::DynamicValue {
                msgpack: null.clone(),
                json: vec![],
            }),
            planned_state: Some(pb::DynamicValue {
                msgpack: planned.clone(),
                json: vec![],
            }),
            config: Some(pb::DynamicValue {
                msgpack: planned,
                json: vec![],
            }),
            ..Default::default()
        };
        let apply = {
            let svc = svc.clone();
            tokio::spawn(async move { svc.apply_resource_change(Request::new(request)).await })
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        let stopped_at = std::time::Instant::now();
        svc.stop_provider(Request::new(pb::stop_provider::Request {}))
            .await
            .unwrap();
        let response = tokio::time::timeout(Duration::from_secs(1), apply)
            .await
            .expect("apply returned within a second of StopProvider")
            .unwrap()
            .unwrap()
            .into_inner();
        assert!(stopped_at.elapsed() < Duration::from_secs(1));
        assert_eq!(response.diagnostics.len(), 1);
        assert_eq!(response.diagnostics[0].summary, "Stopped");
    }

    #[tokio::test]
    async fn unknown_type_and_bad_msgpack_are_diagnostics() {
        let svc = service();
        let response = svc
            .plan_resource_change(Request::new(pb::plan_resource_change::Request {
                type_name: "test_slow".into(),
                config: Some(pb::DynamicValue {
                    msgpack: vec![0xc1],
                    json: vec![],
                }),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(response.diagnostics.len(), 1);
        assert!(response.diagnostics[0]
            .detail
            .contains("could not be decoded"));
        let response = svc
            .read_resource(Request::new(pb::read_resource::Request {
                type_name: "test_nope".into(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(response.diagnostics[0].summary, "Unknown resource type");
    }

    #[tokio::test]
    async fn unsupported_features_answer_with_diagnostics() {
        let svc = service();
        let response = svc
            .validate_ephemeral_resource_config(Request::new(
                pb::validate_ephemeral_resource_config::Request {
                    type_name: "test_eph".into(),
                    ..Default::default()
                },
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(response.diagnostics.len(), 1);
        let response = svc
            .get_resource_identity_schemas(Request::new(
                pb::get_resource_identity_schemas::Request {},
            ))
            .await
            .unwrap()
            .into_inner();
        assert!(response.diagnostics.is_empty());
    }
}
