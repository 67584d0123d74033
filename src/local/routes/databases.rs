//! Databases: `provisioning` for a configurable delay, then `ready`.

use axum::http::StatusCode;
use axum::Json;
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{name_free, Call, InProject, Item, JsonBody, List, Listing, Table};
use crate::local::auth::{DATABASE_READ, DATABASE_WRITE};
use crate::local::error::{ApiError, ApiResult};
use crate::local::hrana::files;
use crate::local::idempotency::Stored;
use crate::local::validate::DatabaseInput;
use crate::local::{ids, store};

#[derive(Serialize, Deserialize)]
pub struct Database {
    pub database_id: String,
    pub project_id: String,
    pub name: String,
    /// `<database_url_base>/<database_id>`, a setting of the server (see `hrana` for how the
    /// data plane reads it).
    #[serde(default)]
    pub database_url: String,
    #[serde(rename(deserialize = "ready_at_ms"), deserialize_with = "status")]
    pub status: String,
    pub created_at: String,
}

store::reached_status!(status: "ready", else "provisioning");

pub static DATABASES: Table<Database> = Table {
    select: "SELECT seq, database_id, project_id, name, created_at, ready_at_ms FROM databases
             WHERE project_id = ?1",
    key: "database_id",
    within: "in project",
    valid: |id| ids::is_id(id, "db"),
    row: |r, settings| {
        let mut db: Database = store::from_row(r)?;
        let base = settings.database_url_base.trim_end_matches('/');
        db.database_url = format!("{base}/{}", db.database_id);
        Ok(db)
    },
};

pub async fn list(call: Call<InProject>, q: Listing) -> ApiResult<Json<List<Database>>> {
    call.list_of(DATABASE_READ, q, &DATABASES).await
}

pub async fn create(call: Call<InProject>, body: JsonBody<DatabaseInput>) -> ApiResult<Stored> {
    call.post(DATABASE_WRITE, body, |t, p, _, input| {
        let (project_id, name) = (&p.project_id, &input.name);
        name_free(
            t,
            "SELECT database_id FROM databases WHERE project_id = ?1 AND name = ?2",
            [project_id, name],
            "database_id",
            |id| format!("project {project_id} already has a database named {name} ({id})"),
        )?;
        let id = ids::new_id("db");
        let now = ids::now_ms();
        let delay = t.settings.database_provision_delay.as_millis() as i64;
        t.execute(
            "INSERT INTO databases (database_id, project_id, name, created_at, ready_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, project_id, name, ids::rfc3339(now), now + delay],
        )?;
        files::create(&t.settings.data_dir, &id).map_err(ApiError::internal)?;
        let location = format!("/v1/projects/{project_id}/databases/{id}");
        DATABASES.created(t, project_id, &id, location)
    })
    .await
}

pub async fn get(call: Call<Item<InProject>>) -> ApiResult<Json<Database>> {
    call.get_of(DATABASE_READ, &DATABASES).await
}

/// Deleting a database deletes its tokens (the foreign key cascades) and then its file.
pub async fn delete(call: Call<Item<InProject>>) -> ApiResult<StatusCode> {
    let data_dir = call.settings().data_dir.clone();
    let id = call.path().id.clone();
    let status = call
        .delete(DATABASE_WRITE, |t, p, _| {
            DATABASES.get(t, &p.parent.project_id, &p.id)?;
            t.execute("DELETE FROM databases WHERE database_id = ?1", [&p.id])?;
            Ok(())
        })
        .await?;
    tokio::task::spawn_blocking(move || files::remove(&data_dir, &id))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map_err(|e| ApiError::internal(format!("the database's file stays: {e}")))?;
    Ok(status)
}
