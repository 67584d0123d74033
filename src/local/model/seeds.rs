//! Seeding a new database from a SQLite file, as the official CLI does it: `POST
//! .../databases {"name","source":{"type":"sqlite_file","content_length","sha256"}}` answers
//! 202 with the database, its `operation` (`awaiting_upload`) and a server-relative
//! `upload_path`; `PUT {upload_path}` (`application/vnd.sqlite3`, exact `Content-Length`) takes
//! the file and answers 202 `{"operation"}`; the operation then goes `queued`, `validating`,
//! `publishing`, `succeeded` (or `failed`), and the database is `creating` until then.
//!
//! comwit-local's choices where the public material is silent: the upload path is
//! `/v1/projects/{p}/databases/{d}/operations/{op}/content` (the path the official CLI's
//! fixtures show); a session expires after an hour; the file is checked (length, SHA-256,
//! the SQLite header, `PRAGMA integrity_check` and `foreign_key_check`) while the upload is
//! answered, and the phases after it take the provision delay; a file that fails the checks
//! fails the operation and deletes the database, so its name is free again; a replay of the
//! create's Idempotency-Key answers `created: false` with the operation as it is now.

use std::path::Path;

use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::{json, Value};

use super::databases::{self, Database};
use super::idempotency::{Idem, Stored};
use super::validate::SeedSource;
use super::{Settings, Tx};
use crate::local::error::{ApiError, ApiResult};
use crate::local::ids;
use axum::http::StatusCode;

const MIN_BYTES: i64 = 100;
const MAX_BYTES: i64 = 2 << 30;
/// How long an upload session waits for its file.
const SESSION_MS: i64 = 60 * 60 * 1000;
pub const CONTENT_TYPE: &str = "application/vnd.sqlite3";

fn seed_error(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(status, code, message)
}

/// The server-relative path the file is `PUT` to.
fn upload_path(project_id: &str, database_id: &str, operation_id: &str) -> String {
    format!("/v1/projects/{project_id}/databases/{database_id}/operations/{operation_id}/content")
}

/// The announced file, checked: its length and lower-case hex SHA-256.
fn check_source(source: SeedSource) -> ApiResult<(i64, String)> {
    if source.kind != "sqlite_file" {
        return Err(ApiError::invalid(
            "source.type",
            format!(
                "{:?} is not a seed source type; the only one is \"sqlite_file\"",
                source.kind
            ),
        ));
    }
    if source.content_length < MIN_BYTES {
        return Err(seed_error(
            StatusCode::BAD_REQUEST,
            "SEED_FILE_TOO_SMALL",
            format!(
                "a seed file has at least {MIN_BYTES} bytes, not {}",
                source.content_length
            ),
        ));
    }
    if source.content_length > MAX_BYTES {
        return Err(seed_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "SEED_FILE_TOO_LARGE",
            format!("a seed file has at most 2 GiB ({MAX_BYTES} bytes)"),
        ));
    }
    let sha = source.sha256.to_ascii_lowercase();
    if sha.len() != 64 || !ids::is_lower_hex(&sha) {
        return Err(ApiError::invalid(
            "source.sha256",
            "the file's SHA-256 as 64 hex digits",
        ));
    }
    Ok((source.content_length, sha))
}

/// Opens an upload session for a new database `name` (see the module).
pub fn create(
    t: &Tx<'_>,
    project_id: &str,
    idem: Idem,
    name: &str,
    source: SeedSource,
) -> ApiResult<Stored> {
    if let Some(mut replayed) = idem.replay(t)? {
        // The session as it is now, not as it was first answered.
        let ids = (
            replayed.body["database_id"].as_str().map(str::to_string),
            replayed.body["operation"]["operation_id"]
                .as_str()
                .map(str::to_string),
        );
        if let (Some(db), Some(op)) = ids {
            if let Ok(now) = super::restores::operation(t, &db, &op) {
                replayed.body["operation"] = now;
            }
        }
        return Ok(replayed);
    }
    let (length, sha) = check_source(source)?;
    let taken: Option<String> = t
        .query_row(
            "SELECT database_id FROM databases WHERE project_id = ?1 AND name = ?2",
            [project_id, name],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = taken {
        return Err(ApiError::conflict(
            "TENANT_SEED_TARGET_EXISTS",
            format!("project {project_id} already has a database named {name} ({id})"),
        )
        .with_details(json!({ "database_id": id })));
    }
    let db = databases::insert(t, project_id, name, None)?;
    // `creating` until the seed is published.
    t.execute(
        "UPDATE databases SET ready_at_ms = ?1 WHERE database_id = ?2",
        params![i64::MAX, db.database_id],
    )?;
    let operation_id = format!("op-{}", hex::encode(ids::random_bytes(8)));
    let now = ids::now_ms();
    t.execute(
        "INSERT INTO database_operations (operation_id, database_id, project_id, type,
             created_at_ms, done_at_ms, content_length, sha256, upload_expires_at_ms)
         VALUES (?1, ?2, ?3, 'database_seed', ?4, ?5, ?6, ?7, ?8)",
        params![
            operation_id,
            db.database_id,
            project_id,
            now,
            i64::MAX,
            length,
            sha,
            now + SESSION_MS
        ],
    )?;
    let answer = |created: bool| -> ApiResult<Value> {
        let mut body = json!({
            "database_id": db.database_id,
            "database_url": db.database_url,
            "created": created,
            "authentication": "hybrid",
            "operation": super::restores::operation(t, &db.database_id, &operation_id)?,
            "upload_path": upload_path(project_id, &db.database_id, &operation_id),
        });
        if created {
            body["database_token"] = json!(db.token);
        }
        Ok(body)
    };
    idem.save(
        t,
        &Stored {
            status: 202,
            body: answer(false)?,
            location: None,
            replayed: false,
        },
    )?;
    Ok(Stored {
        status: 202,
        body: answer(true)?,
        location: None,
        replayed: false,
    })
}

/// The file an upload must bring.
pub struct Expected {
    pub database_id: String,
    pub length: u64,
    pub sha256: String,
}

/// `(type, content_length, sha256, upload_expires_at_ms, uploaded_at_ms, error)`.
type SessionRow = (
    String,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

/// Checks that the operation waits for this upload: its headers, and the session's state.
pub fn expect_upload(
    t: &Tx<'_>,
    db: &Database,
    operation_id: &str,
    content_type: Option<&str>,
    content_length: Option<u64>,
) -> ApiResult<Expected> {
    let row: Option<SessionRow> = t
        .query_row(
            "SELECT type, content_length, sha256, upload_expires_at_ms, uploaded_at_ms, error
             FROM database_operations WHERE database_id = ?1 AND operation_id = ?2",
            [&db.database_id, operation_id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )
        .optional()?;
    let Some((kind, Some(length), Some(sha256), expires, uploaded, error)) =
        row.filter(|r| r.0 == "database_seed")
    else {
        return Err(ApiError::not_found(format!(
            "no seed operation {operation_id} of database {}",
            db.database_id
        )));
    };
    debug_assert_eq!(kind, "database_seed");
    if error.is_some() {
        return Err(ApiError::conflict(
            "SEED_JOB_FAILED",
            format!("the seed operation {operation_id} has failed"),
        ));
    }
    if uploaded.is_some() {
        return Err(ApiError::conflict(
            "SEED_CONTENT_ALREADY_FIXED",
            format!("the file of the seed operation {operation_id} was uploaded already"),
        ));
    }
    if expires.is_some_and(|e| ids::now_ms() > e) {
        return Err(seed_error(
            StatusCode::GONE,
            "SEED_UPLOAD_EXPIRED",
            "the upload session expired; create the database again",
        ));
    }
    let media = content_type
        .and_then(|c| c.split(';').next())
        .map(str::trim)
        .unwrap_or_default();
    if !media.eq_ignore_ascii_case(CONTENT_TYPE) {
        return Err(seed_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "SEED_CONTENT_TYPE_UNSUPPORTED",
            format!("the upload's Content-Type is {CONTENT_TYPE}"),
        ));
    }
    let Some(sent) = content_length else {
        return Err(seed_error(
            StatusCode::LENGTH_REQUIRED,
            "SEED_CONTENT_LENGTH_REQUIRED",
            "the upload needs an exact Content-Length (no chunked encoding)",
        ));
    };
    if sent != length as u64 {
        return Err(length_mismatch(length as u64, sent));
    }
    Ok(Expected {
        database_id: db.database_id.clone(),
        length: length as u64,
        sha256,
    })
}

pub fn length_mismatch(expected: u64, got: u64) -> ApiError {
    seed_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "SEED_LENGTH_MISMATCH",
        format!("the create announced {expected} bytes; the upload has {got}"),
    )
}

pub fn digest_mismatch() -> ApiError {
    seed_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "SEED_DIGEST_MISMATCH",
        "the uploaded bytes do not have the SHA-256 the create announced",
    )
}

pub fn upload_in_progress(operation_id: &str) -> ApiError {
    ApiError::conflict(
        "SEED_UPLOAD_IN_PROGRESS",
        format!("another upload of the seed operation {operation_id} is in progress"),
    )
}

/// What the platform checks of a received file: `Err((code, message))` fails the operation.
pub fn check_file(path: &Path) -> Result<(), (&'static str, String)> {
    use std::io::Read;
    let mut header = [0u8; 16];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut header));
    if read.is_err() || &header != b"SQLite format 3\0" {
        return Err((
            "SEED_INTEGRITY_CHECK_FAILED",
            "the file is not a SQLite database".into(),
        ));
    }
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| ("SEED_INTEGRITY_CHECK_FAILED", e.to_string()))?;
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| ("SEED_INTEGRITY_CHECK_FAILED", e.to_string()))?;
    if integrity != "ok" {
        return Err(("SEED_INTEGRITY_CHECK_FAILED", integrity));
    }
    let violation = conn
        .prepare("PRAGMA foreign_key_check")
        .and_then(|mut s| s.query([])?.next().map(|r| r.is_some()))
        .map_err(|e| ("SEED_FOREIGN_KEY_CHECK_FAILED", e.to_string()))?;
    if violation {
        return Err((
            "SEED_FOREIGN_KEY_CHECK_FAILED",
            "the file has rows that break its foreign keys".into(),
        ));
    }
    Ok(())
}

/// Records a received file: `queued` (then the later phases, over the provision delay) once
/// it is in place, or `failed` with `failure` (and the database deleted). The answer of the
/// upload: `{"operation"}`.
pub fn landed(
    tx: &Transaction<'_>,
    settings: &Settings,
    database_id: &str,
    operation_id: &str,
    failure: Option<(&'static str, String)>,
) -> ApiResult<Value> {
    let now = ids::now_ms();
    match &failure {
        None => {
            let done = now + settings.database_provision_delay.as_millis() as i64;
            tx.execute(
                "UPDATE database_operations SET uploaded_at_ms = ?1, done_at_ms = ?2
                 WHERE operation_id = ?3",
                params![now, done, operation_id],
            )?;
            tx.execute(
                "UPDATE databases SET ready_at_ms = ?1 WHERE database_id = ?2",
                params![done, database_id],
            )?;
        }
        Some((code, message)) => {
            tx.execute(
                "UPDATE database_operations SET uploaded_at_ms = ?1, done_at_ms = ?1,
                     error = ?2, error_code = ?3
                 WHERE operation_id = ?4",
                params![now, message, code, operation_id],
            )?;
            tx.execute(
                "DELETE FROM databases WHERE database_id = ?1",
                [database_id],
            )?;
        }
    }
    Ok(json!({ "operation": super::restores::operation(tx, database_id, operation_id)? }))
}

/// The status of a seed operation (see the module): `(status, error code)`.
pub fn status(
    now: i64,
    uploaded_at: Option<i64>,
    expires_at: Option<i64>,
    done: i64,
    error_code: Option<&str>,
) -> (&'static str, Option<String>) {
    let Some(uploaded) = uploaded_at else {
        if expires_at.is_some_and(|e| now > e) {
            return ("failed", Some("SEED_UPLOAD_EXPIRED".into()));
        }
        return ("awaiting_upload", None);
    };
    if now >= done {
        return match error_code {
            Some(code) => ("failed", Some(code.to_string())),
            None => ("succeeded", None),
        };
    }
    let share = (now - uploaded) as f64 / (done - uploaded).max(1) as f64;
    let phase = if share < 1.0 / 3.0 {
        "queued"
    } else if share < 2.0 / 3.0 {
        "validating"
    } else {
        "publishing"
    };
    (phase, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_goes_through_its_phases() {
        assert_eq!(
            status(5, None, Some(10), i64::MAX, None).0,
            "awaiting_upload"
        );
        assert_eq!(
            status(11, None, Some(10), i64::MAX, None),
            ("failed", Some("SEED_UPLOAD_EXPIRED".into()))
        );
        assert_eq!(status(100, Some(100), None, 400, None).0, "queued");
        assert_eq!(status(250, Some(100), None, 400, None).0, "validating");
        assert_eq!(status(350, Some(100), None, 400, None).0, "publishing");
        assert_eq!(status(400, Some(100), None, 400, None).0, "succeeded");
        assert_eq!(
            status(
                400,
                Some(400),
                None,
                400,
                Some("SEED_INTEGRITY_CHECK_FAILED")
            ),
            ("failed", Some("SEED_INTEGRITY_CHECK_FAILED".into()))
        );
    }

    #[test]
    fn only_sqlite_files_pass() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.sqlite");
        let conn = rusqlite::Connection::open(&good).unwrap();
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        drop(conn);
        assert!(check_file(&good).is_ok());
        let bad = dir.path().join("bad.sqlite");
        std::fs::write(&bad, vec![b'x'; 512]).unwrap();
        assert_eq!(
            check_file(&bad).unwrap_err().0,
            "SEED_INTEGRITY_CHECK_FAILED"
        );
    }
}
