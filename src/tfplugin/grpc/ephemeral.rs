//! Ephemeral resources: validate, open, renew, close. The opened value goes to Terraform only
//! in the response; renew and close get back the provider's private bytes.

use std::time::{SystemTime, UNIX_EPOCH};

use super::{
    checked, conform, decode, diags, encode, guarded, outcome, pb, validate_config, ProviderService,
};
use crate::tfplugin::resource::Provider;

validate_config_rpc!(
    validate_ephemeral_resource_config,
    ephemeral_entry(type_name),
    "ephemeral configuration"
);

fn timestamp(at: SystemTime) -> prost_types::Timestamp {
    let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    prost_types::Timestamp {
        seconds: since.as_secs() as i64,
        nanos: since.subsec_nanos() as i32,
    }
}

pub(super) async fn open_ephemeral_resource<P: Provider>(
    svc: &ProviderService<P>,
    req: pb::open_ephemeral_resource::Request,
) -> pb::open_ephemeral_resource::Response {
    let mut ctx = svc.ctx(Vec::new());
    let result = guarded(async {
        let entry = svc.ephemeral_entry(&req.type_name)?;
        let config = decode(req.config.as_ref(), &entry.ty, "ephemeral configuration")?;
        let opened = entry.hooks.open(&mut ctx, &config).await?;
        let result = encode(&conform(opened.result, &entry.ty, false), &entry.ty)?;
        Ok((result, opened.private, opened.renew_at))
    })
    .await;
    let (opened, diagnostics) = outcome(&mut ctx, result);
    let (result, private, renew_at) = match opened {
        Some((result, private, renew_at)) => (Some(result), Some(private), renew_at),
        None => (None, None, None),
    };
    pb::open_ephemeral_resource::Response {
        diagnostics,
        renew_at: renew_at.map(timestamp),
        result,
        private,
        deferred: None,
    }
}

pub(super) async fn renew_ephemeral_resource<P: Provider>(
    svc: &ProviderService<P>,
    req: pb::renew_ephemeral_resource::Request,
) -> pb::renew_ephemeral_resource::Response {
    let mut ctx = svc.ctx(Vec::new());
    let private = req.private.unwrap_or_default();
    let result = guarded(async {
        let entry = svc.ephemeral_entry(&req.type_name)?;
        entry.hooks.renew(&mut ctx, &private).await
    })
    .await;
    let (renewed, diagnostics) = outcome(&mut ctx, result);
    let (private, renew_at) = match renewed {
        Some(renewed) => (renewed.private, renewed.renew_at),
        None => (private, None),
    };
    pb::renew_ephemeral_resource::Response {
        diagnostics,
        renew_at: renew_at.map(timestamp),
        private: Some(private),
    }
}

pub(super) async fn close_ephemeral_resource<P: Provider>(
    svc: &ProviderService<P>,
    req: pb::close_ephemeral_resource::Request,
) -> pb::close_ephemeral_resource::Response {
    let mut ctx = svc.ctx(Vec::new());
    let private = req.private.unwrap_or_default();
    let mut d = checked(async {
        let entry = svc.ephemeral_entry(&req.type_name)?;
        Ok(entry.hooks.close(&mut ctx, &private).await)
    })
    .await;
    d.extend(std::mem::take(&mut ctx.diagnostics));
    pb::close_ephemeral_resource::Response {
        diagnostics: diags(d),
    }
}

#[cfg(test)]
mod tests {
    use tonic::Request;

    use super::super::testing::{answer, msgpack, service, CLOSED};
    use super::pb;
    use crate::tfplugin::cty::{Type, Value};
    use crate::tfplugin::proto::tfplugin6::provider_server::Provider as _;

    #[tokio::test]
    async fn open_renew_close_carry_the_private_bytes() {
        let svc = service();
        let ty = Type::object([("scope", Type::String), ("token", Type::String)]);
        let config = Value::object([("scope", Value::string("read")), ("token", Value::Null)]);
        let opened = answer(svc.open_ephemeral_resource(Request::new(
            pb::open_ephemeral_resource::Request {
                type_name: "test_token".into(),
                config: Some(msgpack(&config, &ty)),
                client_capabilities: None,
            },
        )))
        .await;
        assert!(opened.diagnostics.is_empty(), "{:?}", opened.diagnostics);
        let want = Value::object([
            ("scope", Value::string("read")),
            ("token", Value::string("secret-read")),
        ]);
        assert_eq!(opened.result, Some(msgpack(&want, &ty)));
        assert_eq!(opened.private.as_deref(), Some(&b"tok-1"[..]));
        assert!(opened.renew_at.unwrap().seconds > 1_700_000_000);

        let renewed = answer(svc.renew_ephemeral_resource(Request::new(
            pb::renew_ephemeral_resource::Request {
                type_name: "test_token".into(),
                private: opened.private.clone(),
            },
        )))
        .await;
        assert_eq!(renewed.private, opened.private);

        let closed = answer(svc.close_ephemeral_resource(Request::new(
            pb::close_ephemeral_resource::Request {
                type_name: "test_token".into(),
                private: opened.private.clone(),
            },
        )))
        .await;
        assert!(closed.diagnostics.is_empty());
        assert!(CLOSED.lock().unwrap().contains(&b"tok-1".to_vec()));
    }

    #[tokio::test]
    async fn unknown_ephemeral_types_are_diagnostics() {
        let svc = service();
        let response = answer(svc.validate_ephemeral_resource_config(Request::new(
            pb::validate_ephemeral_resource_config::Request {
                type_name: "test_nope".into(),
                ..Default::default()
            },
        )))
        .await;
        assert_eq!(
            response.diagnostics[0].summary,
            "Unknown ephemeral resource"
        );
    }
}
