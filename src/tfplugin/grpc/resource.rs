//! Managed resources: validate, upgrade, read, plan, apply, import, and generated configuration.
//! (Moving state between types is not offered: see `unsupported.rs`.)

use std::time::Instant;

use super::{
    conform, decode, diags, encode, guarded, identity, log_rpc, outcome, pb, validate_config,
};
use super::{ProviderService, ResourceEntry};
use crate::tfplugin::cty::{Type, Value};
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::plan;
use crate::tfplugin::resource::{PlanRequest, Provider};

validate_config_rpc!(
    validate_resource_config,
    resource(type_name),
    "resource configuration"
);

pub(super) async fn upgrade_resource_state<P: Provider>(
    svc: &ProviderService<P>,
    req: pb::upgrade_resource_state::Request,
) -> pb::upgrade_resource_state::Response {
    let result = guarded(async {
        let entry = svc.resource(&req.type_name)?;
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
            .hooks
            .upgrade_state(req.version, &raw.json)
            .await?;
        let value = conform(value, &entry.ty, false);
        encode(&value, &entry.ty).map(Some)
    })
    .await;
    match result {
        Ok(upgraded_state) => pb::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics: vec![],
        },
        Err(d) => pb::upgrade_resource_state::Response {
            upgraded_state: None,
            diagnostics: diags(d),
        },
    }
}

pub(super) async fn read_resource<P: Provider>(
    svc: &ProviderService<P>,
    req: pb::read_resource::Request,
) -> pb::read_resource::Response {
    let started = Instant::now();
    let mut ctx = svc.ctx(req.private.clone());
    let result = guarded(async {
        let entry = svc.resource(&req.type_name)?;
        let state = decode(req.current_state.as_ref(), &entry.ty, "current state")?;
        if state.is_null() {
            return Ok(None);
        }
        let new_state = entry.hooks.read(&mut ctx, &state).await?;
        let new_state =
            plan::null_write_only(entry.hooks.schema(), &conform(new_state, &entry.ty, false));
        let new_identity = identity::of_state(entry, &new_state)?;
        Ok(Some((encode(&new_state, &entry.ty)?, new_identity)))
    })
    .await;
    log_rpc("ReadResource", &req.type_name, started);
    let mut d = std::mem::take(&mut ctx.diagnostics);
    match result {
        Ok(read) => {
            let (new_state, new_identity) = read.unzip();
            pb::read_resource::Response {
                new_state,
                diagnostics: diags(d),
                private: ctx.private,
                new_identity: new_identity.flatten(),
                ..Default::default()
            }
        }
        Err(e) => {
            d.extend(e);
            pb::read_resource::Response {
                new_state: req.current_state,
                diagnostics: diags(d),
                private: req.private,
                new_identity: req.current_identity,
                ..Default::default()
            }
        }
    }
}

/// A plan the hooks accepted, before encoding.
struct Planned<'a> {
    entry: &'a ResourceEntry,
    ty: &'a Type,
    state: Value,
    requires_replace: Vec<AttributePath>,
    /// Warnings from the engine and the hook.
    diagnostics: Diagnostics,
}

pub(super) async fn plan_resource_change<P: Provider>(
    svc: &ProviderService<P>,
    req: pb::plan_resource_change::Request,
) -> pb::plan_resource_change::Response {
    let started = Instant::now();
    let mut ctx = svc.ctx(req.prior_private.clone());
    let result = guarded(async {
        let entry = svc.resource(&req.type_name)?;
        let schema = entry.hooks.schema();
        let prior = decode(req.prior_state.as_ref(), &entry.ty, "prior state")?;
        let proposed = decode(req.proposed_new_state.as_ref(), &entry.ty, "proposed state")?;
        let config = decode(req.config.as_ref(), &entry.ty, "configuration")?;
        if proposed.is_null() {
            // Destroy: nothing to decide.
            return Ok(Planned {
                entry,
                ty: &entry.ty,
                state: Value::Null,
                requires_replace: Vec::new(),
                diagnostics: Diagnostics::new(),
            });
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
        d.extend(entry.hooks.modify_plan(&mut ctx, &mut planned).await);
        if d.has_errors() {
            return Err(d);
        }
        Ok(Planned {
            entry,
            ty: &entry.ty,
            state: plan::null_write_only(schema, &conform(planned.planned_state, &entry.ty, true)),
            requires_replace: planned.requires_replace,
            diagnostics: d,
        })
    })
    .await;
    log_rpc("PlanResourceChange", &req.type_name, started);
    let mut d = std::mem::take(&mut ctx.diagnostics);
    let encoded = result.and_then(|planned| {
        d.extend(planned.diagnostics);
        let state = encode(&planned.state, planned.ty)?;
        let identity = identity::of_state(planned.entry, &planned.state)?;
        Ok((state, planned.requires_replace, identity))
    });
    match encoded {
        Ok((planned_state, replace, planned_identity)) => pb::plan_resource_change::Response {
            planned_state: Some(planned_state),
            requires_replace: replace.iter().map(AttributePath::to_proto).collect(),
            planned_private: ctx.private,
            diagnostics: diags(d),
            planned_identity,
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

pub(super) async fn apply_resource_change<P: Provider>(
    svc: &ProviderService<P>,
    req: pb::apply_resource_change::Request,
) -> pb::apply_resource_change::Response {
    let started = Instant::now();
    let mut ctx = svc.ctx(req.planned_private.clone());
    let entry = match svc.resource(&req.type_name) {
        Ok(e) => e,
        Err(d) => {
            return pb::apply_resource_change::Response {
                diagnostics: diags(d),
                ..Default::default()
            }
        }
    };
    let schema = entry.hooks.schema();
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
            return pb::apply_resource_change::Response {
                new_state: req.prior_state,
                diagnostics: diags(d),
                ..Default::default()
            }
        }
    };
    let result = guarded(async {
        if planned.is_null() {
            entry
                .hooks
                .delete(&mut ctx, &prior)
                .await
                .map(|()| Value::Null)
        } else if prior.is_null() {
            entry.hooks.create(&mut ctx, &planned, &config).await
        } else {
            entry
                .hooks
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
    let encoded = encode(&new_state, &entry.ty)
        .and_then(|state| Ok((state, identity::of_state(entry, &new_state)?)));
    let (new_state, new_identity) = match encoded {
        Ok((state, identity)) => (Some(state), identity),
        Err(e) => {
            d.extend(e);
            (req.prior_state, req.planned_identity)
        }
    };
    pb::apply_resource_change::Response {
        new_state,
        private: ctx.private,
        diagnostics: diags(d),
        new_identity,
        ..Default::default()
    }
}

pub(super) async fn import_resource_state<P: Provider>(
    svc: &ProviderService<P>,
    req: pb::import_resource_state::Request,
) -> pb::import_resource_state::Response {
    let mut ctx = svc.ctx(Vec::new());
    let result = guarded(async {
        let entry = svc.resource(&req.type_name)?;
        // An `import` block with `identity` sends it instead of an ID.
        let value = match &req.identity {
            Some(data) if req.id.is_empty() => {
                let requested = identity::decode_requested(entry, data)?;
                entry.hooks.import_identity(&mut ctx, &requested).await?
            }
            _ => entry.hooks.import(&mut ctx, &req.id).await?,
        };
        let value = conform(value, &entry.ty, false);
        Ok((
            encode(&value, &entry.ty)?,
            identity::of_state(entry, &value)?,
        ))
    })
    .await;
    let (imported, diagnostics) = outcome(&mut ctx, result);
    let imported_resources =
        imported.map(
            |(state, identity)| pb::import_resource_state::ImportedResource {
                type_name: req.type_name,
                state: Some(state),
                private: ctx.private,
                identity,
            },
        );
    pb::import_resource_state::Response {
        imported_resources: imported_resources.into_iter().collect(),
        diagnostics,
        ..Default::default()
    }
}

pub(super) fn generate_resource_config<P: Provider>(
    svc: &ProviderService<P>,
    req: pb::generate_resource_config::Request,
) -> pb::generate_resource_config::Response {
    let result = (|| {
        let entry = svc.resource(&req.type_name)?;
        let state = decode(req.state.as_ref(), &entry.ty, "state")?;
        let config = entry.hooks.generate_config(&state);
        encode(&config, &entry.ty)
    })();
    match result {
        Ok(config) => pb::generate_resource_config::Response {
            config: Some(config),
            diagnostics: vec![],
        },
        Err(d) => pb::generate_resource_config::Response {
            config: None,
            diagnostics: diags(d),
        },
    }
}

#[cfg(test)]
mod tests {
    use tonic::Request;

    use super::super::testing::{answer, msgpack, service};
    use super::pb;
    use crate::tfplugin::cty::{Type, Value};
    use crate::tfplugin::proto::tfplugin6::provider_server::Provider as _;

    fn plan(type_name: &str, prior: &Value, proposed: &Value) -> pb::plan_resource_change::Request {
        let ty = Type::object([("name", Type::String)]);
        pb::plan_resource_change::Request {
            type_name: type_name.into(),
            prior_state: Some(msgpack(prior, &ty)),
            proposed_new_state: Some(msgpack(proposed, &ty)),
            config: Some(msgpack(proposed, &ty)),
            prior_private: b"kept".to_vec(),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn plans_create_destroy_and_unknown_types() {
        let svc = service();
        let ty = Type::object([("name", Type::String)]);
        let a = Value::object([("name", Value::string("a"))]);

        let create =
            answer(svc.plan_resource_change(Request::new(plan("test_slow", &Value::Null, &a))))
                .await;
        assert!(create.diagnostics.is_empty(), "{:?}", create.diagnostics);
        assert_eq!(create.planned_state, Some(msgpack(&a, &ty)));
        assert!(create.requires_replace.is_empty());
        assert_eq!(create.planned_private, b"kept");

        let destroy =
            answer(svc.plan_resource_change(Request::new(plan("test_slow", &a, &Value::Null))))
                .await;
        assert!(destroy.diagnostics.is_empty(), "{:?}", destroy.diagnostics);
        assert_eq!(destroy.planned_state, Some(msgpack(&Value::Null, &ty)));

        let unknown =
            answer(svc.plan_resource_change(Request::new(plan("test_nope", &Value::Null, &a))))
                .await;
        assert_eq!(unknown.diagnostics.len(), 1);
        assert_eq!(unknown.diagnostics[0].summary, "Unknown resource type");
        assert_eq!(unknown.planned_state, None);
        assert!(unknown.planned_private.is_empty());
    }

    #[tokio::test]
    async fn unknown_type_and_bad_msgpack_are_diagnostics() {
        let svc = service();
        let response = answer(svc.plan_resource_change(Request::new(
            pb::plan_resource_change::Request {
                type_name: "test_slow".into(),
                config: Some(pb::DynamicValue {
                    msgpack: vec![0xc1],
                    json: vec![],
                }),
                ..Default::default()
            },
        )))
        .await;
        assert_eq!(response.diagnostics.len(), 1);
        assert!(response.diagnostics[0]
            .detail
            .contains("could not be decoded"));
        let response = answer(svc.read_resource(Request::new(pb::read_resource::Request {
            type_name: "test_nope".into(),
            ..Default::default()
        })))
        .await;
        assert_eq!(response.diagnostics[0].summary, "Unknown resource type");
    }
}
