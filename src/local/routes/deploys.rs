//! Deploys, builds and rollback.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::Json;
use rusqlite::{params, OptionalExtension, Row, Transaction};
use serde_json::{json, Value};

use super::{
    apps, json_body, list_body, page, page_rows, project_access, query, read_body, RawQuery,
};
use crate::local::auth::{Auth, APP_DEPLOY, APP_READ};
use crate::local::error::{ApiError, ApiResult};
use crate::local::idempotency::{Idem, Stored};
use crate::local::ids;
use crate::local::state::AppState;
use crate::local::validate::{media_type, Obj};

const COLS: &str =
    "b.seq, b.build_id, b.app_id, b.project_id, b.source_sha256, b.size_bytes, b.created_at, \
                    (a.active_build_id IS b.build_id)";

/// Largest total size of the files inside a bundle, to refuse decompression bombs.
const MAX_UNPACKED_BYTES: u64 = 1 << 30;

fn row_json(r: &Row<'_>) -> rusqlite::Result<(i64, Value)> {
    Ok((
        r.get(0)?,
        json!({
            "build_id": r.get::<_, String>(1)?,
            "app_id": r.get::<_, String>(2)?,
            "project_id": r.get::<_, String>(3)?,
            "source_sha256": r.get::<_, String>(4)?,
            "size_bytes": r.get::<_, i64>(5)?,
            "status": "ready",
            "active": r.get::<_, bool>(7)?,
            "created_at": r.get::<_, String>(6)?,
        }),
    ))
}

fn load(tx: &Transaction<'_>, app_id: &str, build_id: &str) -> ApiResult<Value> {
    let row = if ids::is_id(build_id, "bld") {
        tx.query_row(
            &format!(
                "SELECT {COLS} FROM builds b JOIN apps a ON a.app_id = b.app_id
                 WHERE b.app_id = ?1 AND b.build_id = ?2"
            ),
            [app_id, build_id],
            row_json,
        )
        .optional()?
    } else {
        None
    };
    row.map(|(_, v)| v)
        .ok_or_else(|| ApiError::not_found(format!("no build {build_id} of app {app_id}")))
}

/// Check that `data` is a readable tar.gz holding at least one regular file, with relative
/// paths only.
pub fn check_bundle(data: &[u8]) -> ApiResult<()> {
    let bad =
        |m: String| ApiError::invalid("body", format!("the bundle is not a valid tar.gz: {m}"));
    let gz = flate2::read::GzDecoder::new(data);
    let mut archive = tar::Archive::new(gz);
    let mut files = 0u64;
    let mut total = 0u64;
    let entries = archive.entries().map_err(|e| bad(e.to_string()))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| bad(e.to_string()))?;
        let path = entry.path().map_err(|e| bad(e.to_string()))?.into_owned();
        if path.is_absolute()
            || path
                .components()
                .any(|c| matches!(c, std::path::Component::ParentDir))
        {
            return Err(bad(format!("entry {} leaves the bundle", path.display())));
        }
        total = total.saturating_add(entry.size());
        if total > MAX_UNPACKED_BYTES {
            return Err(bad("the unpacked bundle is larger than 1 GiB".into()));
        }
        if entry.header().entry_type().is_file() {
            files += 1;
        }
        // Read the data through, so that a truncated archive is caught here.
        std::io::copy(&mut entry, &mut std::io::sink()).map_err(|e| bad(e.to_string()))?;
    }
    if files == 0 {
        return Err(bad("it holds no regular file".into()));
    }
    Ok(())
}

pub async fn deploy(
    State(state): State<AppState>,
    auth: Auth,
    Path((project_id, app_id)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Stored> {
    auth.require(APP_DEPLOY)?;
    let bytes = match media_type(&headers).as_deref() {
        Some("application/gzip") => {
            read_body(&headers, body, state.settings.max_bundle_bytes).await
        }
        _ => Err(ApiError::unsupported_media_type("application/gzip")),
    };
    let (bytes, checked) = match bytes {
        Ok(b) => {
            let data = b.clone();
            let checked = tokio::task::spawn_blocking(move || check_bundle(&data))
                .await
                .map_err(|e| ApiError::internal(e.to_string()))
                .and_then(|r| r);
            (b, checked)
        }
        Err(e) => (Default::default(), Err(e)),
    };
    let idem = Idem::new(&auth.user_id, &headers, "POST", uri.path(), &bytes);
    state
        .store
        .write(move |tx| {
            project_access(tx, &auth, &project_id)?;
            apps::load(tx, &project_id, &app_id)?;
            checked?;
            if let Some(s) = idem.replay(tx)? {
                return Ok(s);
            }
            let id = ids::new_id("bld");
            tx.execute(
                "INSERT INTO builds (build_id, app_id, project_id, source_sha256, size_bytes, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    id,
                    app_id,
                    project_id,
                    ids::sha256_hex(&bytes),
                    bytes.len() as i64,
                    ids::now_rfc3339()
                ],
            )?;
            tx.execute(
                "INSERT INTO bundles (build_id, data) VALUES (?1, ?2)",
                params![id, &bytes[..]],
            )?;
            tx.execute(
                "UPDATE apps SET active_build_id = ?1 WHERE app_id = ?2",
                [&id, &app_id],
            )?;
            let stored = Stored::created(
                format!("/v1/projects/{project_id}/apps/{app_id}/builds/{id}"),
                load(tx, &app_id, &id)?,
            );
            idem.save(tx, &stored)?;
            Ok(stored)
        })
        .await
}

pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Path((project_id, app_id)): Path<(String, String)>,
    q: RawQuery,
) -> ApiResult<Json<Value>> {
    auth.require(APP_READ)?;
    let page = page(&query(q)?);
    let body = state
        .store
        .read(move |tx| {
            project_access(tx, &auth, &project_id)?;
            apps::load(tx, &project_id, &app_id)?;
            let page = page?;
            let select = format!(
                "SELECT {COLS} FROM builds b JOIN apps a ON a.app_id = b.app_id WHERE b.app_id = ?1"
            );
            let rows = page_rows(tx, &select, "b.seq", &app_id, &[], &page, row_json)?;
            Ok(list_body(rows, &page))
        })
        .await?;
    Ok(Json(body))
}

pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path((project_id, app_id, build_id)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    auth.require(APP_READ)?;
    let v = state
        .store
        .read(move |tx| {
            project_access(tx, &auth, &project_id)?;
            apps::load(tx, &project_id, &app_id)?;
            load(tx, &app_id, &build_id)
        })
        .await?;
    Ok(Json(v))
}

pub async fn rollback(
    State(state): State<AppState>,
    auth: Auth,
    Path((project_id, app_id)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Stored> {
    auth.require(APP_DEPLOY)?;
    let (bytes, v) = json_body(&state, &headers, body).await;
    let idem = Idem::new(&auth.user_id, &headers, "POST", uri.path(), &bytes);
    let input = v.and_then(|v| {
        let mut o = Obj::new(v, "", &["build_id"])?;
        let id = o.req_string("build_id")?;
        if !ids::is_id(&id, "bld") {
            return Err(ApiError::invalid(
                "build_id",
                "build_id must look like bld_<16 hex>",
            ));
        }
        Ok(id)
    });
    state
        .store
        .write(move |tx| {
            project_access(tx, &auth, &project_id)?;
            apps::load(tx, &project_id, &app_id)?;
            let build_id = input?;
            if let Some(s) = idem.replay(tx)? {
                return Ok(s);
            }
            load(tx, &app_id, &build_id)?;
            tx.execute(
                "UPDATE apps SET active_build_id = ?1 WHERE app_id = ?2",
                [&build_id, &app_id],
            )?;
            let stored = Stored::ok(apps::load(tx, &project_id, &app_id)?);
            idem.save(tx, &stored)?;
            Ok(stored)
        })
        .await
}
