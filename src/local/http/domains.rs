//! `/v1/projects/{p}/domains`: project domains (delegated DNS zones).

use axum::Json;
use serde_json::Value;

use super::call::{Call, JsonBody, Listing};
use crate::local::error::ApiResult;
use crate::local::model::auth::{DOMAIN_READ, DOMAIN_WRITE};
use crate::local::model::domains;
use crate::local::model::idempotency::Stored;
use crate::local::model::validate::DomainInput;
use crate::local::model::{InDomain, InProject};

/// The query is ignored (the public list is whole), but must decode.
pub async fn list(call: Call<InProject>, _q: Listing) -> ApiResult<Json<Value>> {
    call.read(DOMAIN_READ, |t, p, _| domains::list(t, &p.project_id))
        .await
}

/// A POST of the domains area: `domain:write`, as the contract document writes it.
pub async fn delegation_check(call: Call<InDomain>) -> ApiResult<Json<Value>> {
    call.read(DOMAIN_WRITE, |_, _, domain| {
        Ok(domains::delegation_check(&domain))
    })
    .await
}

pub async fn onboard(call: Call<InProject>, body: JsonBody<DomainInput>) -> ApiResult<Stored> {
    call.post(DOMAIN_WRITE, body, |t, p, _, input| {
        domains::onboard(t, &p.project_id, input)
    })
    .await
}

pub async fn remove(call: Call<InDomain>) -> ApiResult<Json<Value>> {
    call.write(DOMAIN_WRITE, |t, _, found| domains::remove(t, &found))
        .await
}
