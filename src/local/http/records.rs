//! `/v1/projects/{p}/domains/{d}/records`: the DNS records of a project domain's zone.

use axum::Json;
use serde_json::Value;

use super::call::{Call, JsonBody, Listing};
use crate::local::error::ApiResult;
use crate::local::model::auth::{DOMAIN_READ, DOMAIN_WRITE};
use crate::local::model::idempotency::Stored;
use crate::local::model::records;
use crate::local::model::validate::{full_name, RecordInput};
use crate::local::model::{InDomain, Item};

/// The query is ignored (the public list is whole), but must decode.
pub async fn list(call: Call<InDomain>, _q: Listing) -> ApiResult<Json<Value>> {
    call.read(DOMAIN_READ, |t, p, _| records::list(t, &p.domain))
        .await
}

/// The name is made full (relative to the zone) as part of the body's check.
pub async fn create(call: Call<InDomain>, body: JsonBody<RecordInput>) -> ApiResult<Stored> {
    let domain = call.path().domain.clone();
    let body = body.and_then(move |mut r| {
        r.name = full_name(&r.name, &domain)?;
        Ok(r)
    });
    call.post(DOMAIN_WRITE, body, |t, p, _, input| {
        records::create(t, &p.project_id, &p.domain, input)
    })
    .await
}

pub async fn replace(
    call: Call<Item<InDomain>>,
    body: JsonBody<RecordInput>,
) -> ApiResult<Json<Value>> {
    let input = body.input;
    call.write(DOMAIN_WRITE, move |t, p, _| {
        records::replace(t, &p.parent.domain, &p.id, input)
    })
    .await
}

pub async fn delete(call: Call<Item<InDomain>>) -> ApiResult<Json<Value>> {
    call.write(DOMAIN_WRITE, |t, p, _| {
        records::delete(t, &p.parent.domain, &p.id)
    })
    .await
}
