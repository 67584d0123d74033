//! Databases: `provisioning` for a configurable delay, then `ready`.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::{params, OptionalExtension, Row, Transaction};
use serde_json::{json, Value};

use super::{json_body, list_body, page, page_rows, project_access, query, RawQuery};
use crate::local::auth::{Auth, DATABASE_READ, DATABASE_WRITE};
use crate::local::error::{ApiError, ApiResult};
use crate::local::idempotency::{Idem, Stored};
use crate::local::ids;
use crate::local::state::AppState;
use crate::local::validate::{label_field, Obj};

const COLS: &str = "seq, database_id, project_id, name, created_at, ready_at_ms";

fn row_json(url_base: &str) -> impl Fn(&Row<'_>) -> rusqlite::Result<(i64, Value)> + '_ {
    move |r| {
        let id: String = r.get(1)?;
        let ready_at: i64 = r.get(5)?;
        Ok((
            r.get(0)?,
            json!({
                "database_id": id,
                "project_id": r.get::<_, String>(2)?,
                "name": r.get::<_, String>(3)?,
                "database_url": format!("{}/{}", url_base.trim_end_matches('/'), id),
                "status": if ids::now_ms() >= ready_at { "ready" } else { "provisioning" },
                "created_at": r.get::<_, String>(4)?,
            }),
        ))
    }
}

fn load(
    tx: &Transaction<'_>,
    url_base: &str,
    project_id: &str,
    database_id: &str,
) -> ApiResult<Value> {
    let row = if ids::is_id(database_id, "db") {
        tx.query_row(
            &format!("SELECT {COLS} FROM databases WHERE project_id = ?1 AND database_id = ?2"),
            [project_id, database_id],
            row_json(url_base),
        )
        .optional()?
    } else {
        None
    };
    row.map(|(_, v)| v).ok_or_else(|| {
        ApiError::not_found(format!("no database {database_id} in project {project_id}"))
    })
}

pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Path(project_id): Path<String>,
    q: RawQuery,
) -> ApiResult<Json<Value>> {
    auth.require(DATABASE_READ)?;
    let page = page(&query(q)?);
    let base = state.settings.database_url_base.clone();
    let body = state
        .store
        .read(move |tx| {
            project_access(tx, &auth, &project_id)?;
            let page = page?;
            let select = format!("SELECT {COLS} FROM databases WHERE project_id = ?1");
            let rows = page_rows(tx, &select, "seq", &project_id, &[], &page, row_json(&base))?;
            Ok(list_body(rows, &page))
        })
        .await?;
    Ok(Json(body))
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Path(project_id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Stored> {
    auth.require(DATABASE_WRITE)?;
    let (bytes, v) = json_body(&state, &headers, body).await;
    let idem = Idem::new(&auth.user_id, &headers, "POST", uri.path(), &bytes);
    let input = v.and_then(|v| {
        let mut o = Obj::new(v, "", &["name"])?;
        label_field(&mut o, "name", "database")
    });
    let base = state.settings.database_url_base.clone();
    let delay = state.settings.database_provision_delay.as_millis() as i64;
    state
        .store
        .write(move |tx| {
            project_access(tx, &auth, &project_id)?;
            let name = input?;
            if let Some(s) = idem.replay(tx)? {
                return Ok(s);
            }
            let taken: Option<String> = tx
                .query_row(
                    "SELECT database_id FROM databases WHERE project_id = ?1 AND name = ?2",
                    [&project_id, &name],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(id) = taken {
                return Err(ApiError::conflict(
                    "name_taken",
                    format!("project {project_id} already has a database named {name} ({id})"),
                )
                .with_details(json!({ "database_id": id })));
            }
            let id = ids::new_id("db");
            let now = ids::now_ms();
            tx.execute(
                "INSERT INTO databases (database_id, project_id, name, created_at, ready_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, project_id, name, ids::rfc3339(now), now + delay],
            )?;
            let stored = Stored::created(
                format!("/v1/projects/{project_id}/databases/{id}"),
                load(tx, &base, &project_id, &id)?,
            );
            idem.save(tx, &stored)?;
            Ok(stored)
        })
        .await
}

pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path((project_id, database_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    auth.require(DATABASE_READ)?;
    let base = state.settings.database_url_base.clone();
    let v = state
        .store
        .read(move |tx| {
            project_access(tx, &auth, &project_id)?;
            load(tx, &base, &project_id, &database_id)
        })
        .await?;
    Ok(Json(v))
}

pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Path((project_id, database_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    auth.require(DATABASE_WRITE)?;
    let base = state.settings.database_url_base.clone();
    state
        .store
        .write(move |tx| {
            project_access(tx, &auth, &project_id)?;
            load(tx, &base, &project_id, &database_id)?;
            tx.execute(
                "DELETE FROM databases WHERE database_id = ?1",
                [&database_id],
            )?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
