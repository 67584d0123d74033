//! **Extension**: `/v1/projects/{p}/databases/{d}/tokens`: expiring, revocable tokens of a
//! database's data plane.

use axum::http::StatusCode;
use axum::Json;
use serde_json::Value;

use super::call::{Call, JsonBody};
use crate::local::error::ApiResult;
use crate::local::model::auth::{DATABASE_READ, DATABASE_WRITE};
use crate::local::model::database_tokens::{self, DatabaseToken};
use crate::local::model::idempotency::Stored;
use crate::local::model::validate::{DatabaseTokenInput, DatabaseTokenRenew};
use crate::local::model::{InDatabase, Item};

pub async fn list(call: Call<InDatabase>) -> ApiResult<Json<Value>> {
    call.read(DATABASE_READ, |t, p, _| {
        database_tokens::list(t, &p.database_id)
    })
    .await
}

pub async fn create(
    call: Call<InDatabase>,
    body: JsonBody<DatabaseTokenInput>,
) -> ApiResult<Stored> {
    let signer = call.signer();
    call.post(DATABASE_WRITE, body, move |t, p, _, input| {
        database_tokens::create(t, &signer, &p.project_id, &p.database_id, input)
    })
    .await
}

pub async fn get(call: Call<Item<InDatabase>>) -> ApiResult<Json<DatabaseToken>> {
    call.read(DATABASE_READ, |t, p, _| {
        database_tokens::get(t, &p.parent.database_id, &p.id)
    })
    .await
}

pub async fn renew(
    call: Call<Item<InDatabase>>,
    body: JsonBody<DatabaseTokenRenew>,
) -> ApiResult<Stored> {
    call.post(DATABASE_WRITE, body, |t, p, _, input| {
        database_tokens::renew(t, &p.parent.database_id, &p.id, input)
    })
    .await
}

pub async fn revoke(call: Call<Item<InDatabase>>) -> ApiResult<StatusCode> {
    call.delete(DATABASE_WRITE, |t, p, _| {
        database_tokens::revoke(t, &p.parent.database_id, &p.id)
    })
    .await
}
