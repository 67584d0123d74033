//! Databases, as the public platform serves them: `creating` for a configurable delay, then
//! `cold`; a flat create answer with the one-time database token (only its hash is kept);
//! `token/rotate` replaces it (the old one stops working); the list is the only read.
//!
//! A deleted database vanishes from the list (comwit-local's choice: the platform may also
//! keep it listed as `deleted`, which the provider handles too).

use rusqlite::params;
use serde::Serialize;
use serde_json::{json, Value};

use super::idempotency::{Idem, Stored};
use super::validate::DatabaseInput;
use super::{name_free, Settings, Table, Tx};
use crate::local::error::{ApiError, ApiResult};
use crate::local::store::files;
use crate::local::{ids, store};

/// A database as the list shows it: `{database_id, name, database_url, status}`.
#[derive(Serialize, Clone)]
pub struct Database {
    pub database_id: String,
    pub name: String,
    pub database_url: String,
    pub status: String,
    #[serde(skip)]
    pub tenant_id: String,
}

/// `<database listener>/v1/<tenant_id>`, like `https://db.cloud.comwit.io/v1/<tenant_id>`.
pub fn database_url(settings: &Settings, tenant_id: &str) -> String {
    let base = settings.database_url_base.trim_end_matches('/');
    format!("{base}/v1/{tenant_id}")
}

fn row(r: &rusqlite::Row<'_>, settings: &Settings) -> rusqlite::Result<Database> {
    let tenant_id: String = r.get("tenant_id")?;
    let ready_at_ms: i64 = r.get("ready_at_ms")?;
    Ok(Database {
        database_id: r.get("database_id")?,
        name: r.get("name")?,
        database_url: database_url(settings, &tenant_id),
        status: store::reached(ready_at_ms, "cold", "creating"),
        tenant_id,
    })
}

pub static DATABASES: Table<Database> = Table {
    select: "SELECT seq, database_id, name, tenant_id, ready_at_ms FROM databases
             WHERE project_id = ?1",
    key: "database_id",
    within: "in project",
    valid: |id| !id.is_empty(),
    row,
};

/// A new one-time database token: opaque (`cwdb_` and 64 hex digits, comwit-local's choice).
fn new_token() -> String {
    format!("cwdb_{}", hex::encode(ids::random_bytes(32)))
}

/// Whether `s` has the shape of comwit-local's one-time database tokens.
pub fn is_database_token(s: &str) -> bool {
    s.strip_prefix("cwdb_")
        .is_some_and(|h| h.len() == 64 && ids::is_lower_hex(h))
}

/// `{"databases":[...]}`: every database of the project, whole, in creation order.
pub fn list(t: &Tx<'_>, project_id: &str) -> ApiResult<Value> {
    Ok(json!({ "databases": DATABASES.all(t, project_id)? }))
}

/// A database just made: its IDs, URL and one-time token.
pub struct NewDatabase {
    pub database_id: String,
    pub name: String,
    pub database_url: String,
    pub token: String,
}

/// Makes a database named `name` in the project, `creating` for the provision delay: its row,
/// its file (empty, or a copy of `from`, a snapshot) and its first restore point.
pub fn insert(
    t: &Tx<'_>,
    project_id: &str,
    name: &str,
    from: Option<&std::path::Path>,
) -> ApiResult<NewDatabase> {
    name_free(
        t,
        "SELECT database_id FROM databases WHERE project_id = ?1 AND name = ?2",
        [project_id, name],
        "database_id",
        |id| format!("project {project_id} already has a database named {name} ({id})"),
    )?;
    let id = format!("db-{}", hex::encode(ids::random_bytes(8)));
    let tenant_id = format!("tn-{}", hex::encode(ids::random_bytes(8)));
    let token = new_token();
    let now = ids::now_ms();
    let delay = t.settings.database_provision_delay.as_millis() as i64;
    t.execute(
        "INSERT INTO databases (database_id, project_id, name, created_at, ready_at_ms,
                                tenant_id, token_sha256)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id,
            project_id,
            name,
            ids::rfc3339(now),
            now + delay,
            tenant_id,
            ids::sha256_hex(token.as_bytes())
        ],
    )?;
    let data_dir = &t.settings.data_dir;
    match from {
        None => files::create(data_dir, &id).map_err(ApiError::internal)?,
        Some(snapshot) => {
            files::create_from(data_dir, &id, snapshot).map_err(ApiError::internal)?
        }
    }
    // Its first restore point: the database as it is at its creation.
    let generation = super::restore_points::new_generation_id();
    files::snapshot(data_dir, &id, &generation).map_err(ApiError::internal)?;
    super::restore_points::record(t, &id, &generation, now)?;
    Ok(NewDatabase {
        database_url: database_url(t.settings, &tenant_id),
        database_id: id,
        name: name.to_string(),
        token,
    })
}

/// A new database, `creating` for the provision delay: 201 `{database_id, database_url,
/// created: true, database_token, authentication}`. A replay of the Idempotency-Key answers
/// `created: false` without the token (it is shown once; only its hash is kept).
pub fn create(t: &Tx<'_>, project_id: &str, idem: Idem, input: DatabaseInput) -> ApiResult<Stored> {
    if let Some(source) = input.source {
        return super::seeds::create(t, project_id, idem, &input.name, source);
    }
    if let Some(replayed) = idem.replay(t)? {
        return Ok(replayed);
    }
    let db = insert(t, project_id, &input.name, None)?;
    let authentication = input.authentication.unwrap_or_else(|| "comwit".to_string());
    let answer = |created: bool| {
        let mut body = json!({
            "database_id": db.database_id,
            "database_url": db.database_url,
            "created": created,
            "authentication": authentication,
        });
        if created {
            body["database_token"] = json!(db.token);
        }
        body
    };
    let status = 201;
    let replay = Stored {
        status,
        body: answer(false),
        location: None,
        replayed: false,
    };
    idem.save(t, &replay)?;
    Ok(Stored {
        status,
        body: answer(true),
        location: None,
        replayed: false,
    })
}

/// A new one-time token for the database: `{database_id, database_url, database_token,
/// status}`; the old token stops working at once. Not kept for replay (the answer holds the
/// secret): a retry rotates again, and the newest token is the one that works.
pub fn rotate(t: &Tx<'_>, project_id: &str, database_id: &str) -> ApiResult<Value> {
    let db = DATABASES.get(t, project_id, database_id)?;
    let token = new_token();
    t.execute(
        "UPDATE databases SET token_sha256 = ?1 WHERE database_id = ?2",
        params![ids::sha256_hex(token.as_bytes()), db.database_id],
    )?;
    Ok(json!({
        "database_id": db.database_id,
        "database_url": db.database_url,
        "database_token": token,
        "status": db.status,
    }))
}

/// Deletes the database's row (its minted tokens go with it: the foreign key cascades):
/// `{"ok":true,"database":{database_id, database_url, status:"deleted"}}`. Its file goes
/// after the transaction, by [`remove_file`].
pub fn delete(t: &Tx<'_>, project_id: &str, database_id: &str) -> ApiResult<Value> {
    let db = DATABASES.get(t, project_id, database_id)?;
    t.execute(
        "DELETE FROM databases WHERE database_id = ?1",
        [database_id],
    )?;
    Ok(json!({
        "ok": true,
        "database": {
            "database_id": db.database_id,
            "database_url": db.database_url,
            "status": "deleted",
        }
    }))
}

/// Removes a deleted database's file.
pub async fn remove_file(settings: &Settings, database_id: &str) -> ApiResult<()> {
    let (data_dir, id) = (settings.data_dir.clone(), database_id.to_string());
    tokio::task::spawn_blocking(move || files::remove(&data_dir, &id))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .map_err(|e| ApiError::internal(format!("the database's file stays: {e}")))
}

/// The database a one-time token opens, if it is a current one: `(database_id, project_id)`.
pub fn by_token(
    tx: &rusqlite::Transaction<'_>,
    token: &str,
) -> rusqlite::Result<Option<(String, String)>> {
    pair(
        tx,
        "SELECT database_id, project_id FROM databases WHERE token_sha256 = ?1",
        &ids::sha256_hex(token.as_bytes()),
    )
}

/// The database of a tenant: `(database_id, project_id)`.
pub fn by_tenant(
    tx: &rusqlite::Transaction<'_>,
    tenant_id: &str,
) -> rusqlite::Result<Option<(String, String)>> {
    pair(
        tx,
        "SELECT database_id, project_id FROM databases WHERE tenant_id = ?1",
        tenant_id,
    )
}

fn pair(
    tx: &rusqlite::Transaction<'_>,
    sql: &str,
    param: &str,
) -> rusqlite::Result<Option<(String, String)>> {
    use rusqlite::OptionalExtension;
    tx.query_row(sql, [param], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}
