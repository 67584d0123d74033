//! `POST .../deployments` (the package as `application/octet-stream`), `GET .../builds`, and
//! the rollback extension.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::Query;
use axum::http::{HeaderMap, Uri};
use axum::Json;
use serde_json::Value;

use super::call::{read_body, Call, JsonBody};
use crate::local::error::{ApiError, ApiResult};
use crate::local::model::auth::{APP_DEPLOY, APP_READ};
use crate::local::model::deploys;
use crate::local::model::idempotency::{Idem, Stored};
use crate::local::model::validate::{media_type, RollbackInput};
use crate::local::model::InApp;

/// The package is read and checked (off the async threads) before the transaction; its errors,
/// like the query's, come after the path's.
pub async fn deploy(
    call: Call<InApp>,
    uri: Uri,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    body: Body,
) -> ApiResult<Stored> {
    call.auth().require(APP_DEPLOY)?;
    let bytes = match media_type(&headers).as_deref() {
        Some("application/octet-stream") => {
            read_body(&headers, body, call.settings().max_bundle_bytes).await
        }
        _ => Err(ApiError::unsupported_media_type("application/octet-stream")),
    };
    let (bytes, checked) = match bytes {
        Ok(b) => {
            let data = b.clone();
            let checked = tokio::task::spawn_blocking(move || deploys::check_package(&data))
                .await
                .map_err(|e| ApiError::internal(e.to_string()))
                .and_then(|r| r.map(|_| ()));
            (b, checked)
        }
        Err(e) => (Default::default(), Err(e)),
    };
    let hosts = deploys::deploy_options(&query);
    let path_and_query = uri
        .path_and_query()
        .map_or(uri.path().to_string(), |p| p.to_string());
    let idem = Idem::new(
        &call.auth().user_id,
        &headers,
        "POST",
        &path_and_query,
        &bytes,
    );
    call.apply(None, move |t, _, app| {
        checked?;
        deploys::deploy(t, &app, idem, &bytes, hosts?)
    })
    .await
}

pub async fn list(call: Call<InApp>) -> ApiResult<Json<Value>> {
    call.read(APP_READ, |t, p, _| deploys::list(t, &p.app_id))
        .await
}

pub async fn rollback(call: Call<InApp>, body: JsonBody<RollbackInput>) -> ApiResult<Stored> {
    call.post(APP_DEPLOY, body, |t, _, app, input| {
        deploys::rollback(t, &app, input)
    })
    .await
}
