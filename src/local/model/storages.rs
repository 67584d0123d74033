//! Storage buckets (`/v1/projects/{p}/storages`): a row each, and the bucket itself, a folder
//! below `DIR/storage/` that comwit-local's S3 endpoint ([`crate::local::s3`]) serves.
//!
//! The public material shows one status (`ready`) and the fields of a storage, not the values
//! of `public_domain_status` / `public_tls_status` nor what `default_domain` looks like:
//! comwit-local answers `active` or `disabled` for both, and the S3 endpoint's `HOST:PORT`
//! (buckets are served path-style: `<endpoint>/<bucket>/<key>`).

use rusqlite::{params, OptionalExtension};
use serde_json::{json, Value};

use super::idempotency::Stored;
use super::validate::{is_bucket_name, StorageInput};
use super::{Settings, Table, Tx};
use crate::local::error::{ApiError, ApiResult};
use crate::local::ids;

/// Folder of the buckets, in the data directory.
pub const BUCKETS_DIR: &str = "storage";

pub struct Storage {
    pub storage_id: String,
    pub project_id: String,
    pub name: String,
    pub public: bool,
}

fn row(r: &rusqlite::Row<'_>, _: &Settings) -> rusqlite::Result<Storage> {
    Ok(Storage {
        storage_id: r.get("storage_id")?,
        project_id: r.get("project_id")?,
        name: r.get("name")?,
        public: r.get::<_, i64>("public")? != 0,
    })
}

pub static STORAGES: Table<Storage> = Table {
    select: "SELECT seq, storage_id, project_id, name, public FROM storages WHERE project_id = ?1",
    key: "storage_id",
    within: "in project",
    valid: |id| !id.is_empty(),
    row,
};

/// The folder of a bucket.
pub fn bucket_dir(settings: &Settings, bucket: &str) -> std::path::PathBuf {
    settings.data_dir.join(BUCKETS_DIR).join(bucket)
}

impl Storage {
    /// The public shape (`storageView` of the official CLI).
    pub fn public(&self, settings: &Settings) -> Value {
        let endpoint = &settings.storage_endpoint;
        let access = if self.public { "enabled" } else { "disabled" };
        let domain_status = if self.public { "active" } else { "disabled" };
        let mut v = json!({
            "storage_id": self.storage_id,
            "project_id": self.project_id,
            "name": self.name,
            "bucket": self.name,
            "provider": "r2",
            "status": "ready",
            "endpoint": endpoint,
            "region": "auto",
            "default_domain": endpoint.split("://").nth(1).unwrap_or(endpoint).trim_end_matches('/'),
            "public_access": access,
            "public_domain_status": domain_status,
            "public_tls_status": domain_status,
        });
        if self.public {
            // Path-style, so that any HTTP client reaches it without a DNS name.
            v["public_base_url"] =
                json!(format!("{}/{}", endpoint.trim_end_matches('/'), self.name));
        }
        v
    }
}

/// `{"storages":[...]}`, whole.
pub fn list(t: &Tx<'_>, project_id: &str) -> ApiResult<Value> {
    let all: Vec<Value> = STORAGES
        .all(t, project_id)?
        .iter()
        .map(|s| s.public(t.settings))
        .collect();
    Ok(json!({ "storages": all }))
}

/// `{"storage":{...}}`.
pub fn get(t: &Tx<'_>, found: &Storage) -> Value {
    json!({ "storage": found.public(t.settings) })
}

/// A new bucket: 201 `{"storage"}`; 409 `name_taken` when any project has the name.
pub fn create(t: &Tx<'_>, project_id: &str, input: StorageInput) -> ApiResult<Stored> {
    let name = &input.name;
    let taken: Option<String> = t
        .query_row(
            "SELECT project_id FROM storages WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(other) = taken {
        let details = if other == project_id {
            json!({ "name": name, "project_id": other })
        } else {
            json!({ "name": name })
        };
        return Err(ApiError::conflict(
            "name_taken",
            format!("the storage name {name} is taken (bucket names are global)"),
        )
        .with_details(details));
    }
    let storage_id = format!("stg_{}", hex::encode(ids::random_bytes(16)));
    t.execute(
        "INSERT INTO storages (storage_id, project_id, name, public, location_hint, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            storage_id,
            project_id,
            name,
            input.public.unwrap_or(false) as i64,
            input.location_hint,
            ids::rfc3339(ids::now_ms())
        ],
    )?;
    let dir = bucket_dir(t.settings, name);
    // A folder left by a storage deleted while comwit-local was stopped holds no live objects.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)
        .map_err(|e| ApiError::internal(format!("cannot make the bucket {name}: {e}")))?;
    let s = STORAGES.get(t, project_id, &storage_id)?;
    Ok(Stored::created(
        format!("/v1/projects/{project_id}/storages/{storage_id}"),
        get(t, &s),
    ))
}

/// `PUT .../public-access {"enabled"}`: `{"storage"}`.
pub fn set_public(t: &Tx<'_>, found: &Storage, enabled: bool) -> ApiResult<Value> {
    t.execute(
        "UPDATE storages SET public = ?1 WHERE storage_id = ?2",
        params![enabled as i64, found.storage_id],
    )?;
    let s = STORAGES.get(t, &found.project_id, &found.storage_id)?;
    Ok(get(t, &s))
}

/// Deletes the storage and its bucket with every object: `{"storage":{..., status:"deleted"}}`.
pub fn delete(t: &Tx<'_>, found: &Storage) -> ApiResult<Value> {
    t.execute(
        "DELETE FROM storages WHERE storage_id = ?1",
        [&found.storage_id],
    )?;
    let _ = std::fs::remove_dir_all(bucket_dir(t.settings, &found.name));
    let mut gone = found.public(t.settings);
    gone["status"] = json!("deleted");
    Ok(json!({ "storage": gone }))
}

/// The bucket named `bucket`, if a storage has it: `(project_id, public)`.
pub fn bucket(tx: &rusqlite::Transaction<'_>, bucket: &str) -> ApiResult<Option<(String, bool)>> {
    if !is_bucket_name(bucket) {
        return Ok(None);
    }
    Ok(tx
        .query_row(
            "SELECT project_id, public FROM storages WHERE name = ?1",
            [bucket],
            |r| Ok((r.get(0)?, r.get::<_, i64>(1)? != 0)),
        )
        .optional()?)
}
