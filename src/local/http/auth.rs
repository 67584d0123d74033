//! The caller of a platform API request: its bearer token, looked up in the store.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::local::error::ApiError;
use crate::local::model::auth::{self, Auth};
use crate::local::model::state::AppState;

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let secret = auth::bearer_secret(parts)?.to_string();
        state
            .store
            .read(move |tx| auth::lookup(tx, &secret))
            .await?
            .ok_or_else(|| ApiError::unauthorized("unknown token"))
    }
}
