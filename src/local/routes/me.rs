//! `GET /v1/me`.

use axum::Json;
use serde::Serialize;

use crate::local::auth::Auth;

#[derive(Serialize)]
pub struct Me {
    pub user_id: String,
    pub name: String,
    pub token_id: String,
    pub scopes: Vec<&'static str>,
}

pub async fn get(auth: Auth) -> Json<Me> {
    Json(Me {
        user_id: auth.user_id,
        name: auth.user_name,
        token_id: auth.token_id,
        scopes: auth.scopes,
    })
}
