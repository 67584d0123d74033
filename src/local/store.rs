//! SQLite storage: one file, WAL, schema migrations, and one connection behind a mutex so that
//! the server's own requests never contend for SQLite's lock (other processes, such as the admin
//! commands, wait on `busy_timeout`).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::error::{ApiError, ApiResult};

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "comwit-local.sqlite3";

/// The migrations, in order; `PRAGMA user_version` counts how many ran.
const MIGRATIONS: &[&str] = &[r#"
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
"#];

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
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.write_blocking(f))
            .await
            .map_err(|e| ApiError::internal(format!("storage task failed: {e}")))?
    }

    /// Run `f` with a read-only view (a deferred transaction) on a blocking thread.
    pub async fn read<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> ApiResult<T> + Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.read_blocking(f))
            .await
            .map_err(|e| ApiError::internal(format!("storage task failed: {e}")))?
    }

    pub fn write_blocking<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> ApiResult<T>,
    ) -> ApiResult<T> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    pub fn read_blocking<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> ApiResult<T>,
    ) -> ApiResult<T> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let out = f(&tx)?;
        tx.finish()?;
        Ok(out)
    }
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    loop {
        // Read the version inside the exclusive transaction, so two processes opening the same
        // fresh directory at once do not both apply a migration.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let Some(sql) = MIGRATIONS.get(version.max(0) as usize) else {
            return tx.commit();
        };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
}
