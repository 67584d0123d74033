//! `GET /v1/me`.

use axum::Json;
use serde_json::{json, Value};

use crate::local::auth::Auth;

pub async fn get(auth: Auth) -> Json<Value> {
    Json(json!({
        "user_id": auth.user_id,
        "name": auth.user_name,
        "token_id": auth.token_id,
        "scopes": auth.scopes,
    }))
}
