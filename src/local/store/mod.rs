//! SQLite storage: one file, WAL, schema migrations, and one connection behind a mutex so that
//! the server's own requests never contend for SQLite's lock (other processes, such as the admin
//! commands, wait on `busy_timeout`).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::types::{Type, ValueRef};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use super::error::{ApiError, ApiResult};

pub mod files;

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "comwit-local.sqlite3";

/// One schema migration: SQL, or code for what SQL cannot do (random keys, HMACs).
enum Migration {
    Sql(&'static str),
    Code(fn(&Transaction<'_>) -> rusqlite::Result<()>),
}

/// The migrations, in order; `PRAGMA user_version` counts how many ran.
const MIGRATIONS: &[Migration] = &[
    Migration::Sql(INITIAL),
    Migration::Code(add_env_digest_keys),
    Migration::Sql(REGISTRATIONS),
    Migration::Sql(DATABASE_TOKENS),
    Migration::Sql(DATABASES_PUBLIC),
    Migration::Sql(APP_DELETIONS),
    Migration::Sql(RESTORE_POINTS),
    Migration::Sql(OPERATIONS),
    Migration::Sql(SEEDS),
    Migration::Sql(STORAGES),
];

/// Storage buckets: one row each; the objects are files below `DIR/storage/<name>/`.
const STORAGES: &str = r#"
CREATE TABLE storages (
    seq INTEGER PRIMARY KEY,
    storage_id TEXT NOT NULL UNIQUE,
    project_id TEXT NOT NULL REFERENCES projects(project_id) ON DELETE CASCADE,
    name TEXT NOT NULL UNIQUE,
    public INTEGER NOT NULL DEFAULT 0,
    location_hint TEXT,
    created_at TEXT NOT NULL
);
"#;

/// Seed operations (`database_seed`): the file the create announced, when it expires, and
/// when it landed (`uploaded_at_ms`; null while `awaiting_upload`).
const SEEDS: &str = r#"
ALTER TABLE database_operations ADD COLUMN content_length INTEGER;
ALTER TABLE database_operations ADD COLUMN sha256 TEXT;
ALTER TABLE database_operations ADD COLUMN upload_expires_at_ms INTEGER;
ALTER TABLE database_operations ADD COLUMN uploaded_at_ms INTEGER;
ALTER TABLE database_operations ADD COLUMN error_code TEXT;
"#;

/// The asynchronous operations on a database (restores into a new database): `pending` until
/// `done_at_ms`, then `succeeded`, or `failed` with `error`.
const OPERATIONS: &str = r#"
CREATE TABLE database_operations (
    seq INTEGER PRIMARY KEY,
    operation_id TEXT NOT NULL UNIQUE,
    database_id TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(project_id) ON DELETE CASCADE,
    target_database_id TEXT,
    type TEXT NOT NULL,
    resolved_restore_point TEXT,
    error TEXT,
    created_at_ms INTEGER NOT NULL,
    done_at_ms INTEGER NOT NULL
);
"#;

/// Each database's restore points (one snapshot of its file per generation, in
/// `databases/<database_id>.gen/`) and its aliases of a point in its history.
const RESTORE_POINTS: &str = r#"
CREATE TABLE restore_points (
    seq INTEGER PRIMARY KEY,
    generation_id TEXT NOT NULL UNIQUE,
    database_id TEXT NOT NULL REFERENCES databases(database_id) ON DELETE CASCADE,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX restore_points_by_database ON restore_points(database_id, created_at_ms);
CREATE TABLE database_aliases (
    database_id TEXT NOT NULL REFERENCES databases(database_id) ON DELETE CASCADE,
    alias TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_value TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (database_id, alias)
);
"#;

/// The schema change of the public contract: each database's opaque tenant (its URL's last
/// segment, distinct from its ID) and the hash of its current one-time token.
const DATABASES_PUBLIC: &str = r#"
ALTER TABLE databases ADD COLUMN tenant_id TEXT;
ALTER TABLE databases ADD COLUMN token_sha256 TEXT;
UPDATE databases SET tenant_id = 'tn-' || lower(hex(randomblob(8))) WHERE tenant_id IS NULL;
CREATE UNIQUE INDEX databases_by_tenant ON databases(tenant_id);
CREATE UNIQUE INDEX databases_by_token ON databases(token_sha256);
"#;

/// Apps whose DELETE answered `complete: false` (cleanup going on; `model::apps::delete`).
const APP_DELETIONS: &str = "ALTER TABLE apps ADD COLUMN deleting INTEGER NOT NULL DEFAULT 0;";

/// Tokens of the databases' data plane (`model::database_tokens`): the row is what makes a
/// token live; revoking deletes it, and so does deleting its database. `expires_at_ms` is
/// held here rather than in the token, so that renewing extends it.
const DATABASE_TOKENS: &str = r#"
CREATE TABLE database_tokens (
    seq INTEGER PRIMARY KEY,
    token_id TEXT NOT NULL UNIQUE,
    database_id TEXT NOT NULL REFERENCES databases(database_id) ON DELETE CASCADE,
    access TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL
);
CREATE INDEX database_tokens_by_database ON database_tokens(database_id, seq);
"#;

/// Domains bought through the registrar (`model::registrar`): one row per domain, never
/// deleted; `registered_at_ms` turns `registering` into `registered`.
const REGISTRATIONS: &str = r#"
CREATE TABLE registrations (
    seq INTEGER PRIMARY KEY,
    domain TEXT NOT NULL UNIQUE,
    project_id TEXT NOT NULL REFERENCES projects(project_id) ON DELETE CASCADE,
    years INTEGER NOT NULL,
    auto_renew INTEGER NOT NULL,
    price TEXT NOT NULL,
    currency TEXT NOT NULL,
    premium INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    registered_at_ms INTEGER NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX registrations_by_project ON registrations(project_id, seq);
"#;

/// The digest of a variable's value as the old (pre-public) contract kept it: hex
/// HMAC-SHA256. Only this migration of old data directories uses it.
pub(crate) fn env_digest(key: &[u8], value: &str) -> String {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key);
    hex::encode(aws_lc_rs::hmac::sign(&key, value.as_bytes()).as_ref())
}

/// Gives every app a random 32-byte `env_digest_key` and recomputes the digests of its
/// variables as HMAC-SHA256 under it (they were plain SHA-256 before).
fn add_env_digest_keys(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch("ALTER TABLE apps ADD COLUMN env_digest_key BLOB")?;
    let app_ids: Vec<String> = tx
        .prepare("SELECT app_id FROM apps")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for app_id in app_ids {
        let key = super::ids::random_bytes(32);
        tx.execute(
            "UPDATE apps SET env_digest_key = ?1 WHERE app_id = ?2",
            rusqlite::params![key, app_id],
        )?;
        let vars: Vec<(String, String)> = tx
            .prepare("SELECT name, value FROM env_vars WHERE app_id = ?1")?
            .query_map([&app_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (name, value) in vars {
            tx.execute(
                "UPDATE env_vars SET digest = ?1 WHERE app_id = ?2 AND name = ?3",
                rusqlite::params![env_digest(&key, &value), app_id, name],
            )?;
        }
    }
    Ok(())
}

/// The first schema.
const INITIAL: &str = r#"
CREATE TABLE users (
    seq INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE tokens (
    seq INTEGER PRIMARY KEY,
    token_id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    secret_sha256 TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE projects (
    seq INTEGER PRIMARY KEY,
    project_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE members (
    project_id TEXT NOT NULL REFERENCES projects(project_id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX members_by_user ON members(user_id);
CREATE TABLE databases (
    seq INTEGER PRIMARY KEY,
    database_id TEXT NOT NULL UNIQUE,
    project_id TEXT NOT NULL REFERENCES projects(project_id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    ready_at_ms INTEGER NOT NULL,
    UNIQUE (project_id, name)
);
CREATE TABLE apps (
    seq INTEGER PRIMARY KEY,
    app_id TEXT NOT NULL UNIQUE,
    project_id TEXT NOT NULL REFERENCES projects(project_id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    runtime TEXT NOT NULL,
    active_build_id TEXT,
    default_hostname TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    UNIQUE (project_id, name)
);
CREATE TABLE env_vars (
    app_id TEXT NOT NULL REFERENCES apps(app_id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    secret INTEGER NOT NULL,
    digest TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (app_id, name)
);
CREATE TABLE builds (
    seq INTEGER PRIMARY KEY,
    build_id TEXT NOT NULL UNIQUE,
    app_id TEXT NOT NULL REFERENCES apps(app_id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX builds_by_app ON builds(app_id, seq);
CREATE TABLE bundles (
    build_id TEXT PRIMARY KEY REFERENCES builds(build_id) ON DELETE CASCADE,
    data BLOB NOT NULL
);
CREATE TABLE hostnames (
    seq INTEGER PRIMARY KEY,
    hostname TEXT NOT NULL UNIQUE,
    app_id TEXT NOT NULL REFERENCES apps(app_id) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    dns_mode TEXT NOT NULL,
    domain TEXT,
    status TEXT NOT NULL,
    dns_records TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX hostnames_by_app ON hostnames(app_id, seq);
CREATE TABLE domains (
    seq INTEGER PRIMARY KEY,
    domain TEXT NOT NULL UNIQUE,
    project_id TEXT NOT NULL REFERENCES projects(project_id) ON DELETE CASCADE,
    name_servers TEXT NOT NULL,
    created_at TEXT NOT NULL,
    active_at_ms INTEGER NOT NULL
);
CREATE TABLE records (
    seq INTEGER PRIMARY KEY,
    record_id TEXT NOT NULL UNIQUE,
    domain TEXT NOT NULL REFERENCES domains(domain) ON DELETE CASCADE,
    project_id TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    vals TEXT NOT NULL,
    ttl INTEGER NOT NULL,
    priority INTEGER,
    managed_by TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (domain, name, type)
);
CREATE INDEX records_by_name ON records(name, type);
CREATE TABLE idempotency (
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    location TEXT,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
);
"#;

/// The store: a shared handle on the database.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
}

impl Store {
    /// Open (creating if needed) the database under `data_dir` and run pending migrations.
    pub fn open(data_dir: &Path) -> Result<Store, String> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| format!("cannot create data directory {}: {e}", data_dir.display()))?;
        let path = data_dir.join(DB_FILE);
        let mut conn =
            Connection::open(&path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(|e| e.to_string())?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| format!("cannot enable WAL: {e}"))?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| e.to_string())?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(|e| e.to_string())?;
        migrate(&mut conn).map_err(|e| format!("migration failed: {e}"))?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
            path,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Run `f` in an immediate (write) transaction on a blocking thread; commit if it returns Ok.
    pub async fn write<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> ApiResult<T> + Send + 'static,
    {
        self.in_background(TransactionBehavior::Immediate, f).await
    }

    /// Run `f` with a read-only view (a deferred transaction) on a blocking thread.
    pub async fn read<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> ApiResult<T> + Send + 'static,
    {
        self.in_background(TransactionBehavior::Deferred, f).await
    }

    async fn in_background<T, F>(&self, behavior: TransactionBehavior, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> ApiResult<T> + Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.run(behavior, f))
            .await
            .map_err(|e| ApiError::internal(format!("storage task failed: {e}")))?
    }

    pub fn write_blocking<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> ApiResult<T>,
    ) -> ApiResult<T> {
        self.run(TransactionBehavior::Immediate, f)
    }

    pub fn read_blocking<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> ApiResult<T>,
    ) -> ApiResult<T> {
        self.run(TransactionBehavior::Deferred, f)
    }

    /// A write transaction commits when `f` returns Ok; a read one ends as SQLite ends it.
    fn run<T>(
        &self,
        behavior: TransactionBehavior,
        f: impl FnOnce(&Transaction<'_>) -> ApiResult<T>,
    ) -> ApiResult<T> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction_with_behavior(behavior)?;
        let out = f(&tx)?;
        if matches!(behavior, TransactionBehavior::Deferred) {
            tx.finish()?;
        } else {
            tx.commit()?;
        }
        Ok(out)
    }
}

/// The first column of the first row `sql` finds, if any.
pub fn first<T: rusqlite::types::FromSql>(
    tx: &Transaction<'_>,
    sql: &str,
    params: impl rusqlite::Params,
) -> rusqlite::Result<Option<T>> {
    tx.query_row(sql, params, |r| r.get(0)).optional()
}

/// Whether `sql` (a `SELECT 1 ...`) finds a row.
pub fn exists(
    tx: &Transaction<'_>,
    sql: &str,
    params: impl rusqlite::Params,
) -> rusqlite::Result<bool> {
    Ok(tx.query_row(sql, params, |_| Ok(())).optional()?.is_some())
}

/// For a row field kept as JSON text (`#[serde(deserialize_with = "json_text")]`); text that is
/// not such JSON reads as the default.
pub fn json_text<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    let text = String::deserialize(d)?;
    Ok(serde_json::from_str(&text).unwrap_or_default())
}

/// For a row field that SQLite gives as 0 or 1.
pub fn sql_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(i64::deserialize(d)? != 0)
}

/// For a state that a timestamp (ms) turns: `(now >= at, field)` -> `after`, else `before`.
pub fn reached(at_ms: i64, after: &str, before: &str) -> String {
    if super::ids::now_ms() >= at_ms {
        after
    } else {
        before
    }
    .to_string()
}

/// A `deserialize_with` function `$name` that reads a timestamp (ms) column as the state it
/// turns (see [`reached`]): `$after` once the time has come, `$before` until then.
macro_rules! reached_status {
    ($name:ident: $after:literal, else $before:literal) => {
        fn $name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
            let at_ms = <i64 as serde::Deserialize>::deserialize(d)?;
            Ok($crate::local::store::reached(at_ms, $after, $before))
        }
    };
}
pub(crate) use reached_status;

/// A row read into `T` by column name (`b.build_id` is `build_id`), through serde: TEXT as a
/// string, INTEGER and REAL as numbers, NULL as null, BLOB as lowercase hex.
pub fn from_row<T: DeserializeOwned>(r: &rusqlite::Row<'_>) -> rusqlite::Result<T> {
    let mut map = serde_json::Map::new();
    for (i, name) in r.as_ref().column_names().into_iter().enumerate() {
        let v = match r.get_ref(i)? {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(n) => n.into(),
            ValueRef::Real(f) => f.into(),
            ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
            ValueRef::Blob(b) => hex::encode(b).into(),
        };
        let name = name.rsplit('.').next().unwrap_or(name);
        map.insert(name.to_string(), v);
    }
    serde_json::from_value(Value::Object(map))
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, Type::Text, Box::new(e)))
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    loop {
        // Read the version inside the exclusive transaction, so two processes opening the same
        // fresh directory at once do not both apply a migration.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let Some(migration) = MIGRATIONS.get(version.max(0) as usize) else {
            return tx.commit();
        };
        match migration {
            Migration::Sql(sql) => tx.execute_batch(sql)?,
            Migration::Code(run) => run(&tx)?,
        }
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn existing_apps_get_a_digest_key_and_keyed_digests() {
        let dir = tempfile::tempdir().unwrap();
        {
            // A database of the first schema, with an app and a plainly hashed variable.
            let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
            conn.execute_batch(INITIAL).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute_batch(
                "INSERT INTO projects (project_id, name, created_at)
                   VALUES ('prj_1', 'p', '2025-01-01T00:00:00Z');
                 INSERT INTO apps (app_id, project_id, name, runtime, default_hostname, created_at)
                   VALUES ('app_1', 'prj_1', 'a', 'next', 'a-1.comwit.app', '2025-01-01T00:00:00Z'),
                          ('app_2', 'prj_1', 'b', 'next', 'b-2.comwit.app', '2025-01-01T00:00:00Z');",
            )
            .unwrap();
            for app in ["app_1", "app_2"] {
                conn.execute(
                    "INSERT INTO env_vars (app_id, name, value, secret, digest, updated_at)
                     VALUES (?1, 'S', 'hunter2', 1, ?2, '2025-01-01T00:00:00Z')",
                    rusqlite::params![app, crate::local::ids::sha256_hex(b"hunter2")],
                )
                .unwrap();
            }
        }
        let store = Store::open(dir.path()).unwrap();
        let rows: Vec<(Vec<u8>, String)> = store
            .read_blocking(|tx| {
                let mut stmt = tx.prepare(
                    "SELECT a.env_digest_key, e.digest FROM apps a
                     JOIN env_vars e ON e.app_id = a.app_id ORDER BY a.app_id",
                )?;
                let rows = stmt
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<Result<_, _>>()?;
                Ok(rows)
            })
            .unwrap();
        assert_eq!(rows.len(), 2);
        for (key, digest) in &rows {
            assert_eq!(key.len(), 32);
            assert_eq!(digest, &env_digest(key, "hunter2"));
        }
        assert_ne!(rows[0].0, rows[1].0, "each app has its own key");
        assert_ne!(rows[0].1, rows[1].1);
        // Opening again runs nothing more.
        drop(store);
        let again = Store::open(dir.path()).unwrap();
        let version: i64 = again
            .read_blocking(|tx| Ok(tx.pragma_query_value(None, "user_version", |r| r.get(0))?))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
    }
}
