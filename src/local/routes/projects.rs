//! Projects.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::{params, OptionalExtension, Row, Transaction};
use serde_json::{json, Value};

use super::{json_body, list_body, page, page_rows, project_access, query, RawQuery};
use crate::local::auth::{Auth, PROJECT_READ};
use crate::local::error::{ApiError, ApiResult};
use crate::local::idempotency::{Idem, Stored};
use crate::local::ids;
use crate::local::state::AppState;
use crate::local::validate::{label_field, Obj};

const COLS: &str = "p.seq, p.project_id, p.name, p.created_at";

fn row_json(r: &Row<'_>) -> rusqlite::Result<(i64, Value)> {
    Ok((
        r.get(0)?,
        json!({
            "project_id": r.get::<_, String>(1)?,
            "name": r.get::<_, String>(2)?,
            "created_at": r.get::<_, String>(3)?,
        }),
    ))
}

pub fn load(tx: &Transaction<'_>, project_id: &str) -> ApiResult<Value> {
    Ok(tx
        .query_row(
            &format!("SELECT {COLS} FROM projects p WHERE p.project_id = ?1"),
            [project_id],
            row_json,
        )?
        .1)
}

fn name_input(v: ApiResult<Value>) -> ApiResult<String> {
    let mut o = Obj::new(v?, "", &["name"])?;
    label_field(&mut o, "name", "project")
}

/// 409 if one of the user's projects (other than `except`) already has `name`.
fn check_name_free(tx: &Transaction<'_>, user_id: &str, name: &str, except: &str) -> ApiResult<()> {
    let taken: Option<String> = tx
        .query_row(
            "SELECT p.project_id FROM projects p JOIN members m ON m.project_id = p.project_id
             WHERE m.user_id = ?1 AND p.name = ?2 AND p.project_id != ?3",
            params![user_id, name, except],
            |r| r.get(0),
        )
        .optional()?;
    match taken {
        Some(id) => Err(ApiError::conflict(
            "name_taken",
            format!("you already have a project named {name} ({id})"),
        )
        .with_details(json!({ "project_id": id }))),
        None => Ok(()),
    }
}

pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    q: RawQuery,
) -> ApiResult<Json<Value>> {
    auth.require(PROJECT_READ)?;
    let page = page(&query(q)?)?;
    let body = state
        .store
        .read(move |tx| {
            let select = format!(
                "SELECT {COLS} FROM projects p JOIN members m ON m.project_id = p.project_id
                 WHERE m.user_id = ?1"
            );
            let rows = page_rows(tx, &select, "p.seq", &auth.user_id, &[], &page, row_json)?;
            Ok(list_body(rows, &page))
        })
        .await?;
    Ok(Json(body))
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Stored> {
    let (bytes, v) = json_body(&state, &headers, body).await;
    let idem = Idem::new(&auth.user_id, &headers, "POST", uri.path(), &bytes);
    let input = name_input(v);
    state
        .store
        .write(move |tx| {
            let name = input?;
            if let Some(s) = idem.replay(tx)? {
                return Ok(s);
            }
            check_name_free(tx, &auth.user_id, &name, "")?;
            let id = ids::new_id("prj");
            tx.execute(
                "INSERT INTO projects (project_id, name, created_at) VALUES (?1, ?2, ?3)",
                params![id, name, ids::now_rfc3339()],
            )?;
            tx.execute(
                "INSERT INTO members (project_id, user_id) VALUES (?1, ?2)",
                params![id, auth.user_id],
            )?;
            let stored = Stored::created(format!("/v1/projects/{id}"), load(tx, &id)?);
            idem.save(tx, &stored)?;
            Ok(stored)
        })
        .await
}

pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(project_id): Path<String>,
) -> ApiResult<Json<Value>> {
    auth.require(PROJECT_READ)?;
    let v = state
        .store
        .read(move |tx| {
            project_access(tx, &auth, &project_id)?;
            load(tx, &project_id)
        })
        .await?;
    Ok(Json(v))
}

pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(project_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<Value>> {
    let (_, v) = json_body(&state, &headers, body).await;
    let input = name_input(v);
    let v = state
        .store
        .write(move |tx| {
            project_access(tx, &auth, &project_id)?;
            let name = input?;
            check_name_free(tx, &auth.user_id, &name, &project_id)?;
            tx.execute(
                "UPDATE projects SET name = ?1 WHERE project_id = ?2",
                params![name, project_id],
            )?;
            load(tx, &project_id)
        })
        .await?;
    Ok(Json(v))
}

pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Path(project_id): Path<String>,
) -> ApiResult<Response> {
    state
        .store
        .write(move |tx| {
            project_access(tx, &auth, &project_id)?;
            let ids_of = |sql: &str| -> ApiResult<Vec<String>> {
                let mut stmt = tx.prepare(sql)?;
                let v = stmt
                    .query_map([&project_id], |r| r.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(v)
            };
            let dbs = ids_of("SELECT database_id FROM databases WHERE project_id = ?1 ORDER BY seq")?;
            let apps = ids_of("SELECT app_id FROM apps WHERE project_id = ?1 ORDER BY seq")?;
            let domains = ids_of("SELECT domain FROM domains WHERE project_id = ?1 ORDER BY seq")?;
            if !dbs.is_empty() || !apps.is_empty() || !domains.is_empty() {
                return Err(ApiError::conflict(
                    "project_not_empty",
                    format!(
                        "project {project_id} still holds {} database(s), {} app(s) and {} domain(s); delete them first",
                        dbs.len(),
                        apps.len(),
                        domains.len()
                    ),
                )
                .with_details(json!({ "databases": dbs, "apps": apps, "domains": domains })));
            }
            tx.execute("DELETE FROM projects WHERE project_id = ?1", [&project_id])?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
