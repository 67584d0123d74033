//! The data plane of databases: each database's SQLite file over the libSQL remote protocol
//! (Hrana over HTTP), on its own listener.

use axum::Router;

use super::state::AppState;

/// The routes of the database listener.
pub fn router(state: AppState) -> Router {
    Router::new().with_state(state)
}
