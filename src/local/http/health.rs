//! `GET /healthz`, `GET /readyz` and `GET /openapi.json`: the platform's unauthenticated routes
//! (documented). Their bodies are not public: comwit-local answers small JSON objects, and a
//! client should rely on the status code only.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::local::error::ApiError;
use crate::local::model::state::AppState;

/// The contract comwit-local serves (docs/api/openapi.json, generated from openapi.yaml).
pub const OPENAPI_JSON: &str = include_str!("../../../docs/api/openapi.json");

/// Liveness: the process answers.
pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: the platform's store answers a query (it stands in for the database plane,
/// Louhi, and the runtime plane, brrrd, that the platform's `/readyz` checks); 503 otherwise.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let checked = state
        .store
        .read(|tx| Ok(tx.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
        .await;
    match checked {
        Ok(_) => Json(json!({ "status": "ready", "checks": { "store": "ok" } })).into_response(),
        Err(e) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            format!("the store does not answer: {}", e.message),
        )
        .into_response(),
    }
}

/// The OpenAPI document, as the platform publishes its own at `GET /openapi.json`.
pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_JSON).into_response()
}
