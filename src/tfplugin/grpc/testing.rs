//! A provider for the service's unit tests: one resource, `test_slow`, whose create waits for a
//! minute unless the provider is stopped, identified by its `name`; a list resource of the same
//! name that finds `a` to `e`; and an action, `test_echo`, that reports its `message` twice.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::{pb, ProviderService};
use crate::tfplugin::cty::{self, Type, Value};
use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::resource::{
    Action, ClientInfo, Ctx, DataSource, EphemeralResource, IdentityAttribute, IdentitySchema,
    ListResource, ListSink, Listed, Opened, Progress, Provider, Resource,
};
use crate::tfplugin::schema::{Attribute, Block, Schema};

/// The message an RPC of the service answers (every adapter answers with one: failures are
/// diagnostics in it).
pub(super) async fn answer<T>(
    rpc: impl std::future::Future<Output = Result<tonic::Response<T>, tonic::Status>>,
) -> T {
    rpc.await.unwrap().into_inner()
}

/// The name of a fake type, and its schema, which it holds first.
macro_rules! named {
    ($type_name:literal) => {
        fn type_name(&self) -> &str {
            $type_name
        }
        fn schema(&self) -> &Schema {
            &self.0
        }
    };
}

/// A resource whose create waits for a minute unless the provider is stopped.
struct Slow(Schema, IdentitySchema);

#[async_trait]
impl Resource for Slow {
    named!("test_slow");
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
    fn identity(&self) -> Option<&IdentitySchema> {
        Some(&self.1)
    }
    async fn import_identity(&self, _: &mut Ctx, identity: &Value) -> Result<Value, Diagnostics> {
        Ok(identity.clone())
    }
}

struct SlowList(Schema);

#[async_trait]
impl ListResource for SlowList {
    named!("test_slow");
    async fn list(&self, _: &mut Ctx, _: &Value, sink: &ListSink) -> Diagnostics {
        for name in ["a", "b", "c", "d", "e"] {
            let state = Value::object([("name", Value::string(name))]);
            let listed = Listed {
                display_name: format!("slow {name}"),
                state,
            };
            if !sink.send(listed).await {
                return Diagnostics::new();
            }
        }
        let mut d = Diagnostics::new();
        d.warning("Listed everything", "five of five");
        d
    }
}

struct Echo(Schema);

#[async_trait]
impl Action for Echo {
    named!("test_echo");
    async fn invoke(&self, _: &mut Ctx, config: &Value, progress: &Progress) -> Diagnostics {
        let message = config.get("message").and_then(Value::as_str).unwrap_or("?");
        progress.report(format!("1: {message}"));
        progress.report(format!("2: {message}"));
        Diagnostics::new()
    }
}

/// An ephemeral `test_token` whose token is `secret-<scope>`; its closes are recorded here.
pub(super) static CLOSED: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::new(Vec::new());

struct Token(Schema);

#[async_trait]
impl EphemeralResource for Token {
    named!("test_token");
    async fn open(&self, _: &mut Ctx, config: &Value) -> Result<Opened, Diagnostics> {
        let scope = config.get("scope").and_then(Value::as_str).unwrap_or("");
        Ok(Opened {
            result: Value::object([
                ("scope", Value::string(scope)),
                ("token", Value::string(format!("secret-{scope}"))),
            ]),
            private: b"tok-1".to_vec(),
            renew_at: Some(std::time::SystemTime::now() + Duration::from_secs(60)),
        })
    }
    async fn close(&self, _: &mut Ctx, private: &[u8]) -> Diagnostics {
        CLOSED.lock().unwrap().push(private.to_vec());
        Diagnostics::new()
    }
}

pub(super) struct TestProvider(Schema, Arc<Slow>);

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
    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        vec![Arc::new(SlowList(Schema::new(Block::from_attributes(
            vec![],
        ))))]
    }
    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        let schema = Block::from_attributes(vec![
            Attribute::string("scope").required(),
            Attribute::string("token").computed().sensitive(),
        ]);
        vec![Arc::new(Token(Schema::new(schema)))]
    }
    fn actions(&self) -> Vec<Arc<dyn Action>> {
        let schema = Block::from_attributes(vec![Attribute::string("message").required()]);
        vec![Arc::new(Echo(Schema::new(schema)))]
    }
    async fn configure(&self, _: &Value, _: &ClientInfo) -> Diagnostics {
        Diagnostics::new()
    }
}

pub(super) fn service() -> Arc<ProviderService<TestProvider>> {
    let slow = Slow(
        Schema::new(Block::from_attributes(vec![
            Attribute::string("name").required()
        ])),
        IdentitySchema::new(vec![IdentityAttribute::required("name", "The name.")]),
    );
    Arc::new(ProviderService::new(Arc::new(TestProvider(
        Schema::new(Block::from_attributes(vec![])),
        Arc::new(slow),
    ))))
}

/// `value` as Terraform sends it.
pub(super) fn msgpack(value: &Value, ty: &Type) -> pb::DynamicValue {
    pb::DynamicValue {
        msgpack: cty::msgpack::encode(value, ty).unwrap(),
        json: vec![],
    }
}
