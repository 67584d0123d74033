//! `/v1/projects/{p}/storages`: storage buckets (the official CLI's routes). The scopes they
//! need are not public: comwit-local asks for `project:read`.

use axum::Json;
use serde_json::Value;

use super::call::{Call, JsonBody, Listing};
use crate::local::error::ApiResult;
use crate::local::model::auth::PROJECT_READ;
use crate::local::model::idempotency::Stored;
use crate::local::model::storages;
use crate::local::model::validate::{PublicAccessInput, StorageInput};
use crate::local::model::{InProject, InStorage};

/// The query is ignored (the public list is whole), but must decode.
pub async fn list(call: Call<InProject>, _q: Listing) -> ApiResult<Json<Value>> {
    call.read(PROJECT_READ, |t, p, _| storages::list(t, &p.project_id))
        .await
}

pub async fn create(call: Call<InProject>, body: JsonBody<StorageInput>) -> ApiResult<Stored> {
    call.post(PROJECT_READ, body, |t, p, _, input| {
        storages::create(t, &p.project_id, input)
    })
    .await
}

pub async fn get(call: Call<InStorage>) -> ApiResult<Json<Value>> {
    call.read(PROJECT_READ, |t, _, found| Ok(storages::get(t, &found)))
        .await
}

pub async fn set_public(
    call: Call<InStorage>,
    body: JsonBody<PublicAccessInput>,
) -> ApiResult<Json<Value>> {
    call.update(PROJECT_READ, body, |t, _, found, input| {
        storages::set_public(t, &found, input.enabled)
    })
    .await
}

pub async fn delete(call: Call<InStorage>) -> ApiResult<Json<Value>> {
    call.write(PROJECT_READ, |t, _, found| storages::delete(t, &found))
        .await
}
