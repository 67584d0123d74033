//! Actions (Terraform 1.14+): the configuration checked, the plan's checks, and the invocation
//! streamed: each progress line as the action reports it, then one completion.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::{checked, decode, diags, pb, validate_config, BoxStream, ProviderService};
use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::resource::{Progress, Provider};

use pb::invoke_action::event::{Completed, Progress as ProgressEvent, Type as EventType};

validate_config_rpc!(
    validate_action_config,
    action_entry(action_type),
    "action configuration"
);

pub(super) async fn plan_action<P: Provider>(
    svc: &ProviderService<P>,
    req: pb::plan_action::Request,
) -> pb::plan_action::Response {
    let mut ctx = svc.ctx(Vec::new());
    let d = checked(async {
        let entry = svc.action_entry(&req.action_type)?;
        let config = decode(req.config.as_ref(), &entry.ty, "action configuration")?;
        Ok(entry.hooks.plan(&mut ctx, &config).await)
    })
    .await;
    pb::plan_action::Response {
        diagnostics: diags(d),
        deferred: None,
    }
}

pub(super) fn invoke_action<P: Provider>(
    svc: &ProviderService<P>,
    req: pb::invoke_action::Request,
) -> BoxStream<pb::invoke_action::Event> {
    let prepared = svc.action_entry(&req.action_type).and_then(|entry| {
        let config = decode(req.config.as_ref(), &entry.ty, "action configuration")?;
        Ok((Arc::clone(&entry.hooks), config))
    });
    let (action, config) = match prepared {
        Ok(prepared) => prepared,
        Err(d) => return Box::pin(futures::stream::once(async { Ok(completed(d)) })),
    };
    let (tx, rx) = mpsc::unbounded_channel();
    let mut ctx = svc.ctx(Vec::new());
    let running = tokio::spawn(async move {
        let progress = Progress(tx);
        checked(async { Ok(action.invoke(&mut ctx, &config, &progress).await) }).await
    });
    let state = (rx, Some(running));
    Box::pin(futures::stream::unfold(
        state,
        |(mut rx, running)| async move {
            // Progress until the action ends (its sender goes with it), then its completion.
            if let Some(message) = rx.recv().await {
                let event = EventType::Progress(ProgressEvent { message });
                return Some((
                    Ok(pb::invoke_action::Event {
                        r#type: Some(event),
                    }),
                    (rx, running),
                ));
            }
            let d = running?.await.unwrap_or_else(|e| {
                Diagnostic::error(
                    "Action failed",
                    format!("The action stopped unexpectedly: {e}."),
                )
                .into()
            });
            Some((Ok(completed(d)), (rx, None)))
        },
    ))
}

fn completed(d: Diagnostics) -> pb::invoke_action::Event {
    pb::invoke_action::Event {
        r#type: Some(EventType::Completed(Completed {
            diagnostics: diags(d),
        })),
    }
}

#[cfg(test)]
mod tests {
    use futures::StreamExt as _;
    use tonic::Request;

    use super::super::testing::{answer, msgpack, service};
    use super::{pb, EventType};
    use crate::tfplugin::cty::{Type, Value};
    use crate::tfplugin::proto::tfplugin6::provider_server::Provider as _;

    #[tokio::test]
    async fn an_invocation_streams_progress_then_completes() {
        let svc = service();
        let ty = Type::object([("message", Type::String)]);
        let config = Value::object([("message", Value::string("hi"))]);
        let events: Vec<_> = answer(svc.invoke_action(Request::new(pb::invoke_action::Request {
            action_type: "test_echo".into(),
            config: Some(msgpack(&config, &ty)),
            client_capabilities: None,
        })))
        .await
        .map(|e| e.unwrap().r#type.unwrap())
        .collect()
        .await;
        let progress: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                EventType::Progress(p) => Some(p.message.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(progress, ["1: hi", "2: hi"]);
        let Some(EventType::Completed(done)) = events.last() else {
            panic!("no completion: {events:?}")
        };
        assert!(done.diagnostics.is_empty());
        assert_eq!(events.len(), 3);
    }

    #[tokio::test]
    async fn unknown_actions_and_bad_config_are_diagnostics() {
        let svc = service();
        let planned = answer(svc.plan_action(Request::new(pb::plan_action::Request {
            action_type: "test_nope".into(),
            ..Default::default()
        })))
        .await;
        assert_eq!(planned.diagnostics[0].summary, "Unknown action");
        let ty = Type::object([("message", Type::String)]);
        let validate = |config| {
            svc.validate_action_config(Request::new(pb::validate_action_config::Request {
                action_type: "test_echo".into(),
                config: Some(config),
            }))
        };
        let undecodable = pb::DynamicValue {
            msgpack: vec![0xc1],
            json: vec![],
        };
        let validated = answer(validate(undecodable)).await;
        assert_eq!(
            validated.diagnostics.len(),
            1,
            "{:?}",
            validated.diagnostics
        );
        assert!(validated.diagnostics[0]
            .detail
            .contains("could not be decoded"));
        let config = Value::object([("message", Value::string("x"))]);
        let fine = answer(validate(msgpack(&config, &ty))).await;
        assert!(fine.diagnostics.is_empty(), "{:?}", fine.diagnostics);
    }
}
