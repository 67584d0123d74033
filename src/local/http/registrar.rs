//! **Extension**: the registrar's availability check and a project's registrations.

use axum::Json;
use serde_json::Value;

use super::call::{Call, JsonBody, Listing};
use crate::local::error::ApiResult;
use crate::local::model::auth::{DOMAIN_PURCHASE, DOMAIN_READ};
use crate::local::model::idempotency::Stored;
use crate::local::model::registrar;
use crate::local::model::validate::{RegistrationInput, RegistrationUpdate};
use crate::local::model::{InProject, Item};

pub async fn availability(call: Call<()>, q: Listing) -> ApiResult<Json<Value>> {
    call.read(DOMAIN_READ, move |t, _, _| {
        registrar::availability(t, &q.0?)
    })
    .await
}

pub async fn list(call: Call<InProject>, _q: Listing) -> ApiResult<Json<Value>> {
    call.read(DOMAIN_READ, |t, p, _| registrar::list(t, &p.project_id))
        .await
}

pub async fn register(
    call: Call<InProject>,
    body: JsonBody<RegistrationInput>,
) -> ApiResult<Stored> {
    call.post(DOMAIN_PURCHASE, body, |t, p, _, input| {
        registrar::register(t, &p.project_id, input)
    })
    .await
}

pub async fn get(call: Call<Item<InProject>>) -> ApiResult<Json<Value>> {
    call.read(DOMAIN_READ, |t, p, _| {
        registrar::get(t, &p.parent.project_id, &p.id)
    })
    .await
}

pub async fn update(
    call: Call<Item<InProject>>,
    body: JsonBody<RegistrationUpdate>,
) -> ApiResult<Json<Value>> {
    call.update(DOMAIN_PURCHASE, body, |t, p, _, input| {
        registrar::update(t, &p.parent.project_id, &p.id, input)
    })
    .await
}
