//! A provider for the service's unit tests: one resource, `test_slow`, whose create waits for a
//! minute unless the provider is stopped.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::{pb, ProviderService};
use crate::tfplugin::cty::{self, Type, Value};
use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::resource::{ClientInfo, Ctx, DataSource, Provider, Resource};
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
    async fn configure(&self, _: &Value, _: &ClientInfo) -> Diagnostics {
        Diagnostics::new()
    }
}

pub(super) fn service() -> Arc<ProviderService<TestProvider>> {
    let slow = Slow(Schema::new(Block::from_attributes(vec![
        Attribute::string("name").required(),
    ])));
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
