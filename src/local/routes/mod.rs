//! The `/v1` routes.

use std::collections::HashMap;

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::Query;
use axum::http::{header, HeaderMap};
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;
use rusqlite::{OptionalExtension, Transaction};
use serde_json::{json, Value};

use super::auth::Auth;
use super::error::{ApiError, ApiResult};
use super::faults;
use super::ids;
use super::state::AppState;

pub mod apps;
pub mod databases;
pub mod deploys;
pub mod domains;
pub mod hostnames;
pub mod me;
pub mod projects;
pub mod records;

/// The whole API with its middleware.
pub fn router(state: AppState) -> Router {
    let p = "/v1/projects/{project_id}";
    let a = "/v1/projects/{project_id}/apps/{app_id}";
    let d = "/v1/projects/{project_id}/domains/{domain}";
    Router::new()
        .route("/v1/me", get(me::get))
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
        .route(
            &format!("{p}/databases/{{database_id}}"),
            get(databases::get).delete(databases::delete),
        )
        .route(&format!("{p}/apps"), get(apps::list).post(apps::create))
        .route(a, get(apps::get).patch(apps::update).delete(apps::delete))
        .route(
            &format!("{a}/env"),
            get(apps::get_env).put(apps::replace_env),
        )
        .route(&format!("{a}/deploys"), post(deploys::deploy))
        .route(&format!("{a}/builds"), get(deploys::list))
        .route(&format!("{a}/builds/{{build_id}}"), get(deploys::get))
        .route(&format!("{a}/rollback"), post(deploys::rollback))
        .route(
            &format!("{a}/hostnames"),
            get(hostnames::list).post(hostnames::attach),
        )
        .route(
            &format!("{a}/hostnames/{{hostname}}"),
            get(hostnames::get).delete(hostnames::detach),
        )
        .route(
            &format!("{p}/domains"),
            get(domains::list).post(domains::onboard),
        )
        .route(d, get(domains::get).delete(domains::remove))
        .route(
            &format!("{d}/records"),
            get(records::list).post(records::create),
        )
        .route(
            &format!("{d}/records/{{record_id}}"),
            get(records::get)
                .put(records::replace)
                .delete(records::delete),
        )
        .fallback(not_found)
        .layer(from_fn_with_state(state.clone(), faults::faults))
        .route("/_local/stats", get(super::stats::stats))
        .layer(from_fn_with_state(state.clone(), faults::log_and_envelope))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such resource")
}

/// One page of a list.
pub struct Page {
    pub limit: i64,
    pub after: i64,
}

pub type RawQuery = Result<Query<HashMap<String, String>>, QueryRejection>;

/// The query parameters, or a 400 when they cannot be decoded.
pub fn query(q: RawQuery) -> ApiResult<HashMap<String, String>> {
    q.map(|Query(m)| m)
        .map_err(|e| ApiError::bad_request(format!("malformed query string: {e}")))
}

/// `limit` and `cursor`.
pub fn page(q: &HashMap<String, String>) -> ApiResult<Page> {
    let limit = match q.get("limit") {
        None => 50,
        Some(s) => match s.parse::<i64>() {
            Ok(v) if (1..=100).contains(&v) && s.bytes().all(|c| c.is_ascii_digit()) => v,
            _ => {
                return Err(ApiError::invalid(
                    "limit",
                    "limit must be an integer between 1 and 100",
                ))
            }
        },
    };
    let after = match q.get("cursor") {
        None => 0,
        Some(s) if !s.is_empty() && s.len() <= 18 && s.bytes().all(|c| c.is_ascii_digit()) => s
            .parse::<i64>()
            .map_err(|_| ApiError::invalid("cursor", "invalid cursor"))?,
        Some(_) => return Err(ApiError::invalid("cursor", "invalid cursor")),
    };
    Ok(Page { limit, after })
}

/// The rows of one page of a list, as `(seq, item)`: `select` is the query up to its conditions,
/// with the parent as `?1` (and any `extra` parameters as `?4`...); this adds the cursor on
/// `seq_column` (`?2`), the creation order and the page size plus one (`?3`, so [`list_body`]
/// can tell whether another page follows).
pub fn page_rows(
    tx: &Transaction<'_>,
    select: &str,
    seq_column: &str,
    parent: &str,
    extra: &[&dyn rusqlite::ToSql],
    page: &Page,
    row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<(i64, Value)>,
) -> ApiResult<Vec<(i64, Value)>> {
    let sql = format!("{select} AND {seq_column} > ?2 ORDER BY {seq_column} LIMIT ?3");
    let mut stmt = tx.prepare(&sql)?;
    let limit = page.limit + 1;
    let mut params: Vec<&dyn rusqlite::ToSql> = vec![&parent, &page.after, &limit];
    params.extend_from_slice(extra);
    let rows = stmt
        .query_map(params.as_slice(), row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// `{"items":[...],"next_cursor":...}` from up to `limit + 1` rows of `(seq, item)`.
pub fn list_body(mut rows: Vec<(i64, Value)>, page: &Page) -> Value {
    let more = rows.len() as i64 > page.limit;
    rows.truncate(page.limit as usize);
    let next = if more {
        rows.last().map(|(seq, _)| Value::String(seq.to_string()))
    } else {
        None
    };
    json!({
        "items": rows.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
        "next_cursor": next.unwrap_or(Value::Null),
    })
}

/// 404 unless the project exists, 403 unless the caller is a member.
pub fn project_access(tx: &Transaction<'_>, auth: &Auth, project_id: &str) -> ApiResult<()> {
    let not_found = || ApiError::not_found(format!("no project {project_id}"));
    if !ids::is_id(project_id, "prj") {
        return Err(not_found());
    }
    let exists: Option<i64> = tx
        .query_row(
            "SELECT 1 FROM projects WHERE project_id = ?1",
            [project_id],
            |r| r.get(0),
        )
        .optional()?;
    if exists.is_none() {
        return Err(not_found());
    }
    let member: Option<i64> = tx
        .query_row(
            "SELECT 1 FROM members WHERE project_id = ?1 AND user_id = ?2",
            [project_id, &auth.user_id],
            |r| r.get(0),
        )
        .optional()?;
    if member.is_none() {
        return Err(ApiError::not_a_member(&auth.user_name, project_id));
    }
    Ok(())
}

/// Read a whole body, refusing more than `limit` bytes.
pub async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> ApiResult<Bytes> {
    if let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    {
        if len > limit as u64 {
            return Err(ApiError::payload_too_large(limit));
        }
    }
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::payload_too_large(limit))
}

/// Read and parse a JSON body; errors are returned, not raised, so that handlers can report
/// them after the 404 checks.
pub async fn json_body(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> (Bytes, ApiResult<Value>) {
    match read_body(headers, body, state.settings.max_json_bytes).await {
        Err(e) => (Bytes::new(), Err(e)),
        Ok(bytes) => {
            let v = super::validate::parse_json(headers, &bytes);
            (bytes, v)
        }
    }
}
