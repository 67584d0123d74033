//! `GET /_local/stats`: the request counts of [`crate::local::model::stats`].

use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::local::model::state::AppState;

/// `GET /_local/stats` (comwit-local only, not in the contract): the request counts, as
/// `{"requests": N, "by_status": {"200": N, ...}, "by_source": {"documented": N, ...},
/// "outside_contract": {"POST /v1/projects": N, ...}}`.
pub async fn stats(State(state): State<AppState>) -> Response {
    let counts = state.counts.snapshot();
    let contract = state.counts.contract();
    let total: u64 = counts.values().sum();
    let by_status: serde_json::Map<String, serde_json::Value> = counts
        .iter()
        .map(|(s, n)| (s.to_string(), (*n).into()))
        .collect();
    axum::Json(serde_json::json!({
        "requests": total,
        "by_status": by_status,
        "by_source": contract.by_source,
        "outside_contract": contract.outside,
    }))
    .into_response()
}
