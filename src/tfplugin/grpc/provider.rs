//! The provider itself: metadata, schemas, provider configuration, and stop.

use std::sync::Arc;

use super::{decode, diags, pb, ProviderService};
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::plan;
use crate::tfplugin::resource::{ClientInfo, Provider};

pub(super) fn server_capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        // `terraform query -generate-config-out` asks GenerateResourceConfig (1.14.1+).
        generate_resource_config: true,
        ..Default::default()
    }
}

fn client_info(terraform_version: String, caps: Option<&pb::ClientCapabilities>) -> ClientInfo {
    ClientInfo {
        terraform_version,
        deferral_allowed: caps.is_some_and(|c| c.deferral_allowed),
        write_only_attributes_allowed: caps.is_some_and(|c| c.write_only_attributes_allowed),
    }
}

pub(super) fn get_metadata<P: Provider>(svc: &ProviderService<P>) -> pb::get_metadata::Response {
    let catalog = svc.catalog();
    pb::get_metadata::Response {
        server_capabilities: Some(server_capabilities()),
        resources: catalog
            .resources
            .keys()
            .map(|k| pb::get_metadata::ResourceMetadata {
                type_name: k.clone(),
            })
            .collect(),
        data_sources: catalog
            .data_sources
            .keys()
            .map(|k| pb::get_metadata::DataSourceMetadata {
                type_name: k.clone(),
            })
            .collect(),
        list_resources: catalog
            .list_resources
            .keys()
            .map(|k| pb::get_metadata::ListResourceMetadata {
                type_name: k.clone(),
            })
            .collect(),
        ephemeral_resources: catalog
            .ephemeral_resources
            .keys()
            .map(|k| pb::get_metadata::EphemeralResourceMetadata {
                type_name: k.clone(),
            })
            .collect(),
        actions: catalog
            .actions
            .keys()
            .map(|k| pb::get_metadata::ActionMetadata {
                type_name: k.clone(),
            })
            .collect(),
        ..Default::default()
    }
}

pub(super) fn get_provider_schema<P: Provider>(
    svc: &ProviderService<P>,
) -> pb::get_provider_schema::Response {
    svc.catalog().schema_response.clone()
}

pub(super) async fn validate_provider_config<P: Provider>(
    svc: &ProviderService<P>,
    req: pb::validate_provider_config::Request,
) -> pb::validate_provider_config::Response {
    let mut d = Diagnostics::new();
    match decode(
        req.config.as_ref(),
        &svc.catalog().provider_type,
        "provider configuration",
    ) {
        Ok(config) => {
            d.extend(plan::validate_config(svc.provider.schema(), &config));
            d.extend(svc.provider.validate_config(&config).await);
        }
        Err(e) => d.extend(e),
    }
    pb::validate_provider_config::Response {
        diagnostics: diags(d),
    }
}

pub(super) async fn configure_provider<P: Provider>(
    svc: &ProviderService<P>,
    req: pb::configure_provider::Request,
) -> pb::configure_provider::Response {
    let info = client_info(req.terraform_version, req.client_capabilities.as_ref());
    if let Ok(mut guard) = svc.client.write() {
        *guard = Arc::new(info.clone());
    }
    let d = match decode(
        req.config.as_ref(),
        &svc.catalog().provider_type,
        "provider configuration",
    ) {
        Ok(config) => svc.provider.configure(&config, &info).await,
        Err(e) => e,
    };
    pb::configure_provider::Response {
        diagnostics: diags(d),
    }
}

pub(super) fn stop_provider<P: Provider>(svc: &ProviderService<P>) -> pb::stop_provider::Response {
    tracing::info!("stop requested: cancelling operations in flight");
    let _ = svc.stop_tx.send(true);
    pb::stop_provider::Response::default()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tonic::Request;

    use super::super::testing::{msgpack, service};
    use super::pb;
    use crate::tfplugin::cty::{Type, Value};
    use crate::tfplugin::proto::tfplugin6::provider_server::Provider as _;

    #[tokio::test]
    async fn stop_provider_ends_a_waiting_apply_within_a_second() {
        let svc = service();
        let ty = Type::object([("name", Type::String)]);
        let planned = msgpack(&Value::object([("name", Value::string("a"))]), &ty);
        let request = pb::apply_resource_change::Request {
            type_name: "test_slow".into(),
            prior_state: Some(msgpack(&Value::Null, &ty)),
            planned_state: Some(planned.clone()),
            config: Some(planned),
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
}
