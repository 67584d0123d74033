//! List resources (Terraform 1.14+ `terraform query`): the configuration checked, and the
//! objects a list finds streamed as they come, each with its identity and, when asked, its
//! state. Terraform's `limit` is kept here: past it the list's sink refuses and the list stops.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::{
    check_config, checked, conform, decode, diags, encode, pb, BoxStream, ProviderService,
};
use super::{ListEntry, ResourceEntry};
use crate::tfplugin::cty::{Type, Value};
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::plan;
use crate::tfplugin::resource::{ListResource, ListSink, Listed, Provider, Resource};

/// Results a list may have found before Terraform has read them.
const BUFFERED: usize = 64;

pub(super) async fn validate_list_resource_config<P: Provider>(
    svc: &ProviderService<P>,
    req: pb::validate_list_resource_config::Request,
) -> pb::validate_list_resource_config::Response {
    let mut d = Diagnostics::new();
    if let Ok(Value::Number(n)) = decode(req.limit.as_ref(), &Type::Number, "limit") {
        if n.as_i64().is_none_or(|limit| limit < 0) {
            d.error(
                "Invalid limit",
                format!("The list's `limit` must be a whole number of at least 0, not {n}."),
            );
        }
    }
    let config = check_config(
        svc.list_entry(&req.type_name),
        req.config.as_ref(),
        "list configuration",
    )
    .await;
    d.extend(config.under(&in_config()));
    pb::validate_list_resource_config::Response {
        diagnostics: diags(d),
    }
}

/// Where a list resource's attributes are: in the `config` block of the `list` block, which is
/// where Terraform's diagnostics must point.
fn in_config() -> AttributePath {
    AttributePath::new("config")
}

/// What a running list needs, owned: it outlives the request.
struct Lister {
    list: Arc<dyn ListResource>,
    resource: Arc<dyn Resource>,
    ty: Type,
    identity_ty: Option<Type>,
}

pub(super) fn list_resource<P: Provider>(
    svc: &ProviderService<P>,
    req: pb::list_resource::Request,
) -> BoxStream<pb::list_resource::Event> {
    let prepared = (|| {
        let list: &ListEntry = svc.list_entry(&req.type_name)?;
        let resource: &ResourceEntry = svc.resource(&req.type_name)?;
        if resource.identity_ty.is_none() {
            return Err(Diagnostics::from(Diagnostic::error(
                "List resource without identity",
                format!(
                    "The managed resource type {} has no identity, so its objects cannot be \
                     listed. This is a bug in the provider.",
                    req.type_name
                ),
            )));
        }
        let config = decode(req.config.as_ref(), &list.ty, "list configuration")?;
        let lister = Lister {
            list: Arc::clone(&list.hooks),
            resource: Arc::clone(&resource.hooks),
            ty: resource.ty.clone(),
            identity_ty: resource.identity_ty.clone(),
        };
        Ok((lister, config))
    })();
    let (lister, config) = match prepared {
        Ok(prepared) => prepared,
        Err(d) => return Box::pin(futures::stream::once(async { Ok(failed(d)) })),
    };
    let limit = usize::try_from(req.limit).ok().filter(|l| *l > 0);
    let include = req.include_resource_object;
    let (tx, rx) = mpsc::channel(BUFFERED);
    let list = Arc::clone(&lister.list);
    let mut ctx = svc.ctx(Vec::new());
    let running = tokio::spawn(async move {
        let sink = ListSink {
            sender: tx,
            include_objects: include,
            limit,
            sent: Default::default(),
        };
        checked(async { Ok(list.list(&mut ctx, &config, &sink).await) }).await
    });
    let state = Stream {
        lister,
        rx: Some(rx),
        running: Some(running),
        sent: 0,
        limit,
        include,
    };
    Box::pin(futures::stream::unfold(state, |mut state| async move {
        let event = state.next().await?;
        Some((Ok(event), state))
    }))
}

struct Stream {
    lister: Lister,
    rx: Option<mpsc::Receiver<Listed>>,
    running: Option<tokio::task::JoinHandle<Diagnostics>>,
    sent: usize,
    limit: Option<usize>,
    include: bool,
}

impl Stream {
    async fn next(&mut self) -> Option<pb::list_resource::Event> {
        if self.limit.is_some_and(|limit| self.sent >= limit) {
            // Dropping the receiver makes the list's next send refuse, and the list stops.
            self.rx = None;
            return None;
        }
        if let Some(rx) = &mut self.rx {
            if let Some(listed) = rx.recv().await {
                self.sent += 1;
                return Some(self.event(listed));
            }
            self.rx = None;
        }
        // The list ended: its diagnostics, if any, are the last event.
        let running = self.running.take()?;
        let d = running.await.unwrap_or_else(|e| {
            Diagnostic::error(
                "List failed",
                format!("The list stopped unexpectedly: {e}."),
            )
            .into()
        });
        let d = d.under(&in_config());
        (!d.is_empty()).then(|| failed(d))
    }

    fn event(&self, listed: Listed) -> pb::list_resource::Event {
        let lister = &self.lister;
        let state = plan::null_write_only(
            lister.resource.schema(),
            &conform(listed.state, &lister.ty, false),
        );
        let identity = lister.resource.identity().map(|i| i.of_state(&state));
        let encoded = identity
            .zip(lister.identity_ty.as_ref())
            .map(|(identity, ty)| encode(&identity, ty))
            .transpose()
            .and_then(|identity| {
                let object = if self.include {
                    Some(encode(&state, &lister.ty)?)
                } else {
                    None
                };
                Ok((identity, object))
            });
        match encoded {
            Ok((identity_data, resource_object)) => pb::list_resource::Event {
                identity: identity_data.map(|d| pb::ResourceIdentityData {
                    identity_data: Some(d),
                }),
                display_name: listed.display_name,
                resource_object,
                diagnostic: vec![],
            },
            Err(d) => failed(d),
        }
    }
}

fn failed(d: Diagnostics) -> pb::list_resource::Event {
    pb::list_resource::Event {
        diagnostic: diags(d),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use futures::StreamExt as _;
    use tonic::Request;

    use super::super::testing::{answer, service};
    use super::pb;
    use crate::tfplugin::cty::{self, Type, Value};
    use crate::tfplugin::proto::tfplugin6::provider_server::Provider as _;

    async fn list(limit: i64, include: bool) -> Vec<pb::list_resource::Event> {
        let svc = service();
        let no_attributes = Type::object(Vec::<(String, Type)>::new());
        let empty = cty::msgpack::encode(&Value::Object(Default::default()), &no_attributes);
        let stream = answer(svc.list_resource(Request::new(pb::list_resource::Request {
            type_name: "test_slow".into(),
            config: Some(pb::DynamicValue {
                msgpack: empty.unwrap(),
                json: vec![],
            }),
            include_resource_object: include,
            limit,
        })))
        .await;
        stream.map(|event| event.unwrap()).collect().await
    }

    fn name_of(data: &pb::DynamicValue, attr: &str) -> String {
        let ty = Type::object([(attr, Type::String)]);
        let value = cty::msgpack::decode(&data.msgpack, &ty).unwrap();
        value.get(attr).unwrap().as_str().unwrap().to_string()
    }

    #[tokio::test]
    async fn lists_stream_with_identity_and_end_with_the_lists_diagnostics() {
        let events = list(0, true).await;
        assert_eq!(events.len(), 6, "{events:?}");
        for (event, name) in events.iter().zip(["a", "b", "c", "d", "e"]) {
            assert_eq!(event.display_name, format!("slow {name}"));
            let identity = event
                .identity
                .as_ref()
                .unwrap()
                .identity_data
                .as_ref()
                .unwrap();
            assert_eq!(name_of(identity, "name"), name);
            assert_eq!(
                name_of(event.resource_object.as_ref().unwrap(), "name"),
                name
            );
            assert!(event.diagnostic.is_empty());
        }
        assert_eq!(events[5].diagnostic[0].summary, "Listed everything");
        assert!(events[5].identity.is_none());
    }

    #[tokio::test]
    async fn the_limit_stops_the_list_and_objects_come_only_when_asked() {
        let events = list(2, false).await;
        assert_eq!(events.len(), 2, "{events:?}");
        assert!(events.iter().all(|e| e.resource_object.is_none()));
    }

    #[tokio::test]
    async fn an_unknown_list_is_one_diagnostic() {
        let svc = service();
        let events: Vec<_> = answer(svc.list_resource(Request::new(pb::list_resource::Request {
            type_name: "test_nope".into(),
            ..Default::default()
        })))
        .await
        .collect()
        .await;
        assert_eq!(events.len(), 1);
        let event = events[0].as_ref().unwrap();
        assert_eq!(event.diagnostic[0].summary, "Unknown list resource");
    }
}
