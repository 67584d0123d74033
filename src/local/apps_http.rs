//! The apps' traffic: each app's active build, served by `Host` on its own listener.

use axum::Router;

use super::state::AppState;

/// The routes of the apps listener.
pub fn router(state: AppState) -> Router {
    Router::new().with_state(state)
}
