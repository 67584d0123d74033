//! `/v1/projects/{p}/apps`: list, create, read, delete (repeated until `complete`), and the
//! environment variables.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::Json;
use serde_json::Value;

use super::call::{Call, JsonBody};
use crate::local::error::ApiResult;
use crate::local::model::apps::{self, EnvPut};
use crate::local::model::auth::{APP_READ, APP_WRITE};
use crate::local::model::idempotency::Stored;
use crate::local::model::validate::AppCreate;
use crate::local::model::{InApp, InProject};

pub async fn list(call: Call<InProject>) -> ApiResult<Json<Value>> {
    call.read(APP_READ, |t, p, _| apps::list(t, &p.project_id))
        .await
}

pub async fn create(call: Call<InProject>, body: JsonBody<AppCreate>) -> ApiResult<Stored> {
    call.post(APP_WRITE, body, |t, p, _, input| {
        apps::create(t, &p.project_id, input)
    })
    .await
}

pub async fn get(call: Call<InApp>) -> ApiResult<Json<Value>> {
    call.read(APP_READ, |t, _, app| apps::get(t, &app)).await
}

/// The project is the path's scope: an app whose cleanup goes on is gone for [`InApp`].
pub async fn delete(
    call: Call<InProject>,
    Path((_, app_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    call.write(APP_WRITE, move |t, p, _| {
        apps::delete(t, &p.project_id, &app_id)
    })
    .await
}

pub async fn get_env(call: Call<InApp>) -> ApiResult<Json<Value>> {
    call.read(APP_READ, |t, p, _| apps::get_env(t, &p.app_id))
        .await
}

pub async fn put_env(
    call: Call<InApp>,
    Path((_, _, key)): Path<(String, String, String)>,
    body: JsonBody<EnvPut>,
) -> ApiResult<Json<Value>> {
    call.update(APP_WRITE, body, move |t, p, _, input| {
        apps::put_env(t, &p.app_id, &key, input)
    })
    .await
}

pub async fn delete_env(
    call: Call<InApp>,
    Path((_, _, key)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    call.delete(APP_WRITE, move |t, p, _| {
        apps::delete_env(t, &p.app_id, &key)
    })
    .await
}
