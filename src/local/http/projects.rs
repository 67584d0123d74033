//! `/v1/projects`: the public list; create, read-one, rename and delete are extensions.

use axum::http::StatusCode;
use axum::Json;
use serde_json::Value;

use super::call::{Call, JsonBody};
use crate::local::error::ApiResult;
use crate::local::model::auth::PROJECT_READ;
use crate::local::model::idempotency::Stored;
use crate::local::model::projects;
use crate::local::model::validate::ProjectInput;
use crate::local::model::InProject;

pub async fn list(call: Call<()>) -> ApiResult<Json<Value>> {
    call.read(PROJECT_READ, |t, _, _| projects::list(t)).await
}

pub async fn create(call: Call<()>, body: JsonBody<ProjectInput>) -> ApiResult<Stored> {
    call.post(None, body, |t, _, _, input| projects::create(t, input))
        .await
}

pub async fn get(call: Call<InProject>) -> ApiResult<Json<Value>> {
    call.read(PROJECT_READ, |t, p, _| projects::get(t, &p.project_id))
        .await
}

pub async fn update(call: Call<InProject>, body: JsonBody<ProjectInput>) -> ApiResult<Json<Value>> {
    call.update(None, body, |t, p, _, input| {
        projects::rename(t, &p.project_id, input)
    })
    .await
}

pub async fn delete(call: Call<InProject>) -> ApiResult<StatusCode> {
    call.delete(None, |t, p, _| projects::delete(t, &p.project_id))
        .await
}
