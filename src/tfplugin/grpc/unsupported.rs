//! The features this layer does not offer yet: moving state between resource types, functions
//! and state stores. Catalog
//! RPCs answer that there are none; every other RPC answers with an error diagnostic naming the
//! feature and the type asked for, never a transport error. A feature that gets implemented
//! moves out of here into a group module of its own.

use super::pb;
use crate::tfplugin::diag::{Diagnostic, Diagnostics};

fn unsupported(feature: &str, name: &str) -> Vec<pb::Diagnostic> {
    Diagnostics::from(Diagnostic::error(
        format!("{feature} not supported"),
        format!("This provider offers no {feature} named {name:?}. Check the name, or the provider's documentation for what it offers."),
    ))
    .to_proto()
}

/// One adapter per row: `rpc("feature", name_field) -> Message { diagnostics_field }` answers
/// `pb::rpc::Message` whose diagnostics field says the feature is not offered, naming the type
/// from the request's `name_field`; a trailing `..` leaves the other fields at their defaults.
macro_rules! unsupported_rpcs {
    ($(
        $rpc:ident($feature:literal, $name:ident) -> $message:ident { $field:ident $(, $rest:tt)? };
    )*) => {$(
        pub(super) fn $rpc(request: pb::$rpc::Request) -> pb::$rpc::$message {
            pb::$rpc::$message {
                $field: unsupported($feature, &request.$name),
                $($rest Default::default())?
            }
        }
    )*};
}

unsupported_rpcs! {
    move_resource_state("resource move into", target_type_name) -> Response { diagnostics, .. };

    validate_state_store_config("state store", type_name) -> Response { diagnostics };
    configure_state_store("state store", type_name) -> Response { diagnostics, .. };
    read_state_bytes("state store", type_name) -> ResponseChunk { diagnostics, .. };
    lock_state("state store", type_name) -> Response { diagnostics, .. };
    unlock_state("state store", type_name) -> Response { diagnostics };
    get_states("state store", type_name) -> Response { diagnostics, .. };
    delete_state("state store", type_name) -> Response { diagnostics };
}

/// A state upload names no store in its request message (it is a stream of chunks).
pub(super) fn write_state_bytes() -> pb::write_state_bytes::Response {
    pb::write_state_bytes::Response {
        diagnostics: unsupported("state store", "(any)"),
    }
}

pub(super) fn get_functions() -> pb::get_functions::Response {
    pb::get_functions::Response::default()
}

/// Function calls report failures in a `FunctionError`, not in diagnostics.
pub(super) fn call_function(request: pb::call_function::Request) -> pb::call_function::Response {
    pb::call_function::Response {
        error: Some(pb::FunctionError {
            text: format!("this provider has no function named {:?}", request.name),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use futures::StreamExt as _;
    use tonic::Request;

    use super::super::testing::service;
    use super::pb;
    use crate::tfplugin::proto::tfplugin6::provider_server::Provider as _;

    /// One error that names the feature and the type, worded as before the adapters were split.
    #[track_caller]
    fn refuses(diagnostics: &[pb::Diagnostic], feature: &str, name: &str) {
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        let d = &diagnostics[0];
        assert_eq!(d.severity, pb::diagnostic::Severity::Error as i32);
        assert_eq!(d.summary, format!("{feature} not supported"));
        assert_eq!(
            d.detail,
            format!("This provider offers no {feature} named {name:?}. Check the name, or the provider's documentation for what it offers.")
        );
    }

    #[test]
    fn every_unsupported_rpc_names_the_feature_and_the_type() {
        let t = || "test_x".to_string();
        refuses(
            &super::move_resource_state(pb::move_resource_state::Request {
                target_type_name: t(),
                ..Default::default()
            })
            .diagnostics,
            "resource move into",
            "test_x",
        );
        macro_rules! check {
            ($($rpc:ident $feature:literal $field:ident;)*) => {$(
                #[allow(clippy::needless_update)] // some requests have no other field
                let answer = super::$rpc(pb::$rpc::Request {
                    $field: t(),
                    ..Default::default()
                });
                refuses(&answer.diagnostics, $feature, "test_x");
            )*};
        }
        check! {
            validate_state_store_config "state store" type_name;
            configure_state_store "state store" type_name;
            read_state_bytes "state store" type_name;
            lock_state "state store" type_name;
            unlock_state "state store" type_name;
            get_states "state store" type_name;
            delete_state "state store" type_name;
        }
        refuses(
            &super::write_state_bytes().diagnostics,
            "state store",
            "(any)",
        );
        let called = super::call_function(pb::call_function::Request {
            name: t(),
            ..Default::default()
        });
        assert_eq!(
            called.error.unwrap().text,
            "this provider has no function named \"test_x\""
        );
    }

    /// Every message of a streamed answer.
    async fn all<T>(answer: super::super::RpcResult<super::super::BoxStream<T>>) -> Vec<T> {
        let stream = answer.unwrap().into_inner();
        stream.map(|message| message.unwrap()).collect().await
    }

    #[tokio::test]
    async fn unsupported_streams_answer_one_message() {
        let svc = service();
        let chunks = all(svc
            .read_state_bytes(Request::new(pb::read_state_bytes::Request {
                type_name: "test_x".into(),
                ..Default::default()
            }))
            .await)
        .await;
        assert_eq!(chunks.len(), 1);
        refuses(&chunks[0].diagnostics, "state store", "test_x");
    }
}
