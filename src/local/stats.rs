//! Request counts by status, for tests and benchmarks that count API calls
//! (`Server::request_counts`, `GET /_local/stats`).

use std::collections::BTreeMap;
use std::sync::Mutex;

use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::state::AppState;

/// How many requests were answered, by status: for tests and benchmarks that count API calls.
#[derive(Default)]
pub struct RequestCounts(Mutex<BTreeMap<u16, u64>>);

impl RequestCounts {
    pub(super) fn add(&self, status: u16) {
        *self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(status)
            .or_default() += 1;
    }

    /// Requests answered so far, by status.
    pub fn snapshot(&self) -> BTreeMap<u16, u64> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// `GET /_local/stats` (comwit-local only, not in the contract): the request counts, as
/// `{"requests": N, "by_status": {"200": N, ...}}`.
pub async fn stats(State(state): State<AppState>) -> Response {
    let counts = state.counts.snapshot();
    let total: u64 = counts.values().sum();
    let by_status: serde_json::Map<String, serde_json::Value> = counts
        .iter()
        .map(|(s, n)| (s.to_string(), (*n).into()))
        .collect();
    axum::Json(serde_json::json!({ "requests": total, "by_status": by_status })).into_response()
}
