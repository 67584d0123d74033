//! `/v1/projects/{p}/apps/{a}/domains`: hostnames attached to an app, with Manual or Automatic
//! DNS, and their activation (`finalize`).

use axum::Json;
use serde_json::Value;

use super::call::{Call, JsonBody, Listing};
use crate::local::error::ApiResult;
use crate::local::model::auth::{APP_READ, APP_WRITE};
use crate::local::model::hostnames;
use crate::local::model::idempotency::Stored;
use crate::local::model::validate::AttachInput;
use crate::local::model::{InApp, Item};

/// A read in a write transaction: reading checks the zones and may activate hostnames.
pub async fn list(call: Call<InApp>, _q: Listing) -> ApiResult<Json<Value>> {
    call.writing()
        .read(APP_READ, |t, p, _| hostnames::list(t, &p.app_id))
        .await
}

pub async fn finalize(call: Call<Item<InApp>>) -> ApiResult<Json<Value>> {
    call.write(APP_WRITE, |t, p, _| {
        hostnames::finalize(t, &p.parent.app_id, &p.id)
    })
    .await
}

pub async fn attach(call: Call<InApp>, body: JsonBody<AttachInput>) -> ApiResult<Stored> {
    call.post(APP_WRITE, body, |t, _, app, input| {
        hostnames::attach(t, &app, input)
    })
    .await
}

pub async fn detach(call: Call<Item<InApp>>) -> ApiResult<Json<Value>> {
    call.write(APP_WRITE, |t, p, _| {
        hostnames::detach(t, &p.parent.app_id, &p.id)
    })
    .await
}
