//! Deploys, builds and rollback.

use axum::body::Body;
use axum::http::{HeaderMap, Uri};
use axum::Json;
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::apps::APPS;
use super::{by_name, read_body, to_json, Call, InApp, Item, JsonBody, List, Listing, Table};
use crate::local::auth::{APP_DEPLOY, APP_READ};
use crate::local::error::{ApiError, ApiResult};
use crate::local::idempotency::{Idem, Stored};
use crate::local::validate::{media_type, RollbackInput};
use crate::local::{ids, store};

pub use crate::local::validate::check_bundle;

#[derive(Serialize, Deserialize)]
pub struct Build {
    pub build_id: String,
    pub app_id: String,
    pub project_id: String,
    pub source_sha256: String,
    pub size_bytes: i64,
    pub status: String,
    #[serde(deserialize_with = "store::sql_bool")]
    pub active: bool,
    pub created_at: String,
}

pub static BUILDS: Table<Build> = Table {
    select: "SELECT b.seq, b.build_id, b.app_id, b.project_id, b.source_sha256, b.size_bytes,
             'ready' AS status, (a.active_build_id IS b.build_id) AS active, b.created_at
             FROM builds b JOIN apps a ON a.app_id = b.app_id WHERE b.app_id = ?1",
    key: "b.build_id",
    within: "of app",
    valid: |id| ids::is_id(id, "bld"),
    row: by_name,
};

pub async fn deploy(
    call: Call<InApp>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Stored> {
    call.auth().require(APP_DEPLOY)?;
    let bytes = match media_type(&headers).as_deref() {
        Some("application/gzip") => {
            read_body(&headers, body, call.settings().max_bundle_bytes).await
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
    let idem = Idem::new(&call.auth().user_id, &headers, "POST", uri.path(), &bytes);
    call.apply(None, move |t, p, _| {
        checked?;
        let (project_id, app_id) = (&p.project_id, &p.app_id);
        idem.run(t, || {
            let id = ids::new_id("bld");
            let (sha, size, now) = (ids::sha256_hex(&bytes), bytes.len() as i64, ids::now_rfc3339());
            t.execute(
                "INSERT INTO builds (build_id, app_id, project_id, source_sha256, size_bytes, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, app_id, project_id, sha, size, now],
            )?;
            t.execute(
                "INSERT INTO bundles (build_id, data) VALUES (?1, ?2)",
                params![id, &bytes[..]],
            )?;
            t.execute(
                "UPDATE apps SET active_build_id = ?1 WHERE app_id = ?2",
                [&id, app_id],
            )?;
            let location = format!("/v1/projects/{project_id}/apps/{app_id}/builds/{id}");
            BUILDS.created(t, app_id, &id, location)
        })
    })
    .await
}

pub async fn list(call: Call<InApp>, q: Listing) -> ApiResult<Json<List<Build>>> {
    call.list_of(APP_READ, q, &BUILDS).await
}

pub async fn get(call: Call<Item<InApp>>) -> ApiResult<Json<Build>> {
    call.get_of(APP_READ, &BUILDS).await
}

pub async fn rollback(call: Call<InApp>, body: JsonBody<RollbackInput>) -> ApiResult<Stored> {
    call.post(APP_DEPLOY, body, |t, p, _, input| {
        let (project_id, app_id) = (&p.project_id, &p.app_id);
        BUILDS.get(t, app_id, &input.build_id)?;
        t.execute(
            "UPDATE apps SET active_build_id = ?1 WHERE app_id = ?2",
            [&input.build_id, app_id],
        )?;
        let app = APPS.get(t, project_id, app_id)?.without_key();
        Ok(Stored::ok(to_json(&app)?))
    })
    .await
}
