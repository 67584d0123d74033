//! Data sources: validate and read.

use std::time::Instant;

use super::{
    conform, decode, encode, guarded, log_rpc, outcome, pb, validate_config, ProviderService,
};
use crate::tfplugin::resource::Provider;

validate_config_rpc!(
    validate_data_resource_config,
    data_source(type_name),
    "data source configuration"
);

pub(super) async fn read_data_source<P: Provider>(
    svc: &ProviderService<P>,
    req: pb::read_data_source::Request,
) -> pb::read_data_source::Response {
    let started = Instant::now();
    let mut ctx = svc.ctx(Vec::new());
    let result = guarded(async {
        let entry = svc.data_source(&req.type_name)?;
        let config = decode(req.config.as_ref(), &entry.ty, "data source configuration")?;
        let value = entry.hooks.read(&mut ctx, &config).await?;
        encode(&conform(value, &entry.ty, false), &entry.ty)
    })
    .await;
    log_rpc("ReadDataSource", &req.type_name, started);
    let (state, diagnostics) = outcome(&mut ctx, result);
    pb::read_data_source::Response {
        state,
        diagnostics,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use tonic::Request;

    use super::super::testing::{answer, service};
    use super::pb;
    use crate::tfplugin::proto::tfplugin6::provider_server::Provider as _;

    #[tokio::test]
    async fn unknown_data_sources_are_diagnostics() {
        let svc = service();
        let validated = answer(svc.validate_data_resource_config(Request::new(
            pb::validate_data_resource_config::Request {
                type_name: "test_nope".into(),
                ..Default::default()
            },
        )))
        .await;
        assert_eq!(validated.diagnostics.len(), 1);
        assert_eq!(validated.diagnostics[0].summary, "Unknown data source");
        let read = answer(
            svc.read_data_source(Request::new(pb::read_data_source::Request {
                type_name: "test_nope".into(),
                ..Default::default()
            })),
        )
        .await;
        assert_eq!(read.diagnostics.len(), 1);
        assert_eq!(read.diagnostics[0].summary, "Unknown data source");
        assert_eq!(read.state, None);
    }
}
