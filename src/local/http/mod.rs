//! The platform API over HTTP: the `/v1` routes with one module of handlers per area, each
//! handler a thin adapter that takes the request apart ([`call`]), runs one function of the
//! [`crate::local::model`] and sends its answer; the middleware of faults, throttling and
//! request counting ([`faults`]); the unauthenticated routes ([`health`]) and `/_local/stats`.

use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;

use crate::local::error::ApiError;
use crate::local::model::state::AppState;

pub mod apps;
pub mod auth;
pub mod call;
pub mod database_tokens;
pub mod databases;
pub mod deploys;
pub mod domains;
pub mod faults;
pub mod health;
pub mod hostnames;
pub mod projects;
pub mod records;
pub mod registrar;
pub mod stats;
pub mod storages;

/// The whole API with its middleware.
pub fn router(state: AppState) -> Router {
    let p = "/v1/projects/{project_id}";
    let a = "/v1/projects/{project_id}/apps/{app_id}";
    let d = "/v1/projects/{project_id}/domains/{domain}";
    let db = "/v1/projects/{project_id}/databases/{database_id}";
    Router::new()
        .route("/v1/projects", get(projects::list).post(projects::create))
        .route(
            p,
            get(projects::get)
                .patch(projects::update)
                .delete(projects::delete),
        )
        .route(
            &format!("{p}/databases"),
            get(databases::list).post(databases::create),
        )
        .route(db, axum::routing::delete(databases::delete))
        .route(&format!("{db}/token/rotate"), post(databases::rotate))
        .route(&format!("{db}/query"), post(databases::query))
        .route(
            &format!("{db}/restore-points"),
            get(databases::restore_points),
        )
        .route(&format!("{db}/restore"), post(databases::restore))
        .route(
            &format!("{db}/operations/{{operation_id}}"),
            get(databases::operation),
        )
        .route(
            &format!("{db}/operations/{{operation_id}}/content"),
            axum::routing::put(databases::upload_seed),
        )
        .route(
            &format!("{db}/aliases/{{alias}}"),
            post(databases::set_alias).delete(databases::delete_alias),
        )
        .route(
            &format!("{db}/tokens"),
            get(database_tokens::list).post(database_tokens::create),
        )
        .route(
            &format!("{db}/tokens/{{token_id}}"),
            get(database_tokens::get).delete(database_tokens::revoke),
        )
        .route(
            &format!("{db}/tokens/{{token_id}}/renew"),
            post(database_tokens::renew),
        )
        .route(&format!("{p}/apps"), get(apps::list).post(apps::create))
        .route(a, get(apps::get).delete(apps::delete))
        .route(&format!("{a}/environment"), get(apps::get_env))
        .route(
            &format!("{a}/environment/{{key}}"),
            axum::routing::put(apps::put_env).delete(apps::delete_env),
        )
        .route(&format!("{a}/deployments"), post(deploys::deploy))
        .route(&format!("{a}/builds"), get(deploys::list))
        .route(&format!("{a}/rollback"), post(deploys::rollback))
        .route(
            &format!("{a}/domains"),
            get(hostnames::list).post(hostnames::attach),
        )
        .route(
            &format!("{a}/domains/{{hostname}}"),
            axum::routing::delete(hostnames::detach),
        )
        .route(
            &format!("{a}/domains/{{hostname}}/finalize"),
            post(hostnames::finalize),
        )
        .route(
            &format!("{p}/domains"),
            get(domains::list).post(domains::onboard),
        )
        .route(d, axum::routing::delete(domains::remove))
        .route(
            &format!("{d}/delegation-check"),
            post(domains::delegation_check),
        )
        .route(
            &format!("{d}/records"),
            get(records::list).post(records::create),
        )
        .route(
            &format!("{d}/records/{{record_id}}"),
            axum::routing::put(records::replace).delete(records::delete),
        )
        .route(
            &format!("{p}/storages"),
            get(storages::list).post(storages::create),
        )
        .route(
            &format!("{p}/storages/{{storage_id}}"),
            get(storages::get).delete(storages::delete),
        )
        .route(
            &format!("{p}/storages/{{storage_id}}/public-access"),
            axum::routing::put(storages::set_public),
        )
        .route("/v1/registrar/availability", get(registrar::availability))
        .route(
            &format!("{p}/registrations"),
            get(registrar::list).post(registrar::register),
        )
        .route(
            &format!("{p}/registrations/{{domain}}"),
            get(registrar::get).patch(registrar::update),
        )
        .fallback(not_found)
        .layer(from_fn_with_state(state.clone(), faults::faults))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/openapi.json", get(health::openapi))
        .route("/_local/stats", get(stats::stats))
        .layer(from_fn_with_state(state.clone(), faults::log_and_envelope))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such resource")
}
