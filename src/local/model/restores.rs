//! Point-in-time restore: `POST .../databases/{d}/restore {"restore_to":{exactly one of
//! timestamp_ms, generation, alias}, "name"?, "authentication"?}` makes a **new** database from
//! the source's generation at that point and answers 202 `{"operation":{...}, "database":
//! {database_id, name, database_url, status: "creating"}, "database_token"}`; the operation
//! (`GET .../databases/{d}/operations/{op}`, under the source) is `pending`, then `succeeded`.
//!
//! comwit-local's choices where the public material is silent: the restored database is
//! named `name`, else `<source name>-restored-<6 hex>`; a point that the history does not hold
//! is refused at once (404 for an unknown generation or alias, 400 for a time in the future or
//! before the first generation) rather than as a failed operation; the operation takes the
//! provision delay; a retry with the same Idempotency-Key gets the first answer without the
//! one-time token (the official CLI sends no key: the name, unique in the project, is what
//! keeps a retry from making a second copy).

use rusqlite::{params, OptionalExtension};
use serde::Deserialize;
use serde_json::{json, Value};

use super::databases::{self, Database};
use super::idempotency::{Idem, Stored};
use super::restore_points;
use super::validate::Body;
use super::Tx;
use crate::local::error::{ApiError, ApiResult};
use crate::local::ids;
use crate::local::store::files;

/// `restore_to` and the optional name of the new database.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreInput {
    pub restore_to: RestoreTo,
    #[serde(default)]
    pub name: Option<String>,
    /// What newer CLIs send (`"hybrid"`); accepted, not used.
    #[serde(default)]
    pub authentication: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestoreTo {
    #[serde(default)]
    pub timestamp_ms: Option<i64>,
    #[serde(default)]
    pub generation: Option<String>,
    #[serde(default)]
    pub alias: Option<String>,
}

/// The point to restore, checked: `(kind, value)` with kind `timestamp_ms`, `generation` or
/// `alias`, and the new database's name.
pub struct Restore {
    pub kind: &'static str,
    pub value: String,
    pub name: Option<String>,
}

impl Body for RestoreInput {
    type Valid = Restore;
    fn check(self) -> ApiResult<Restore> {
        let RestoreTo {
            timestamp_ms,
            generation,
            alias,
        } = self.restore_to;
        let (kind, value) =
            match (timestamp_ms, generation, alias) {
                (Some(ms), None, None) => ("timestamp_ms", ms.to_string()),
                (None, Some(g), None) if !g.is_empty() => ("generation", g),
                (None, None, Some(a)) if !a.is_empty() => ("alias", a),
                _ => return Err(ApiError::invalid(
                    "restore_to",
                    "`restore_to` needs exactly one of `timestamp_ms`, `generation` and `alias`",
                )),
            };
        if let Some(name) = &self.name {
            if !super::validate::is_label(name) {
                return Err(ApiError::invalid(
                    "name",
                    "a database name is a DNS label: lowercase letters, digits and hyphens, \
                     starting with a letter, at most 63 characters",
                ));
            }
        }
        Ok(Restore {
            kind,
            value,
            name: self.name,
        })
    }
}

/// The generation the point names in the source's history.
fn resolve(t: &Tx<'_>, source: &Database, point: &Restore) -> ApiResult<String> {
    let all = restore_points::generations(t, &source.database_id)?;
    let (kind, value) = match point.kind {
        "alias" => {
            let found = restore_points::aliases(t, &source.database_id)?
                .into_iter()
                .find(|(alias, ..)| *alias == point.value);
            match found {
                Some((_, kind, value, _)) => (kind, value),
                None => {
                    return Err(ApiError::not_found(format!(
                        "no alias {} of database {}",
                        point.value, source.database_id
                    )))
                }
            }
        }
        kind => (kind.to_string(), point.value.clone()),
    };
    if kind == "timestamp_ms" && value.parse::<i64>().unwrap_or(i64::MAX) > ids::now_ms() {
        return Err(ApiError::invalid("restore_to", "the time is in the future"));
    }
    restore_points::resolve(&all, &kind, &value).ok_or_else(|| {
        if kind == "generation" {
            ApiError::not_found(format!(
                "no generation {value} of database {}",
                source.database_id
            ))
        } else {
            ApiError::invalid(
                "restore_to",
                format!(
                    "database {} has no restore point at or before {value}",
                    source.database_id
                ),
            )
        }
    })
}

/// Restores `source` at the point into a new database (see the module).
pub fn restore(
    t: &Tx<'_>,
    project_id: &str,
    source: &Database,
    idem: Idem,
    point: Restore,
) -> ApiResult<Stored> {
    if let Some(replayed) = idem.replay(t)? {
        return Ok(replayed);
    }
    let generation = resolve(t, source, &point)?;
    let name = point.name.clone().unwrap_or_else(|| {
        let base: String = source.name.chars().take(46).collect();
        format!("{base}-restored-{}", &hex::encode(ids::random_bytes(3)))
    });
    let snapshot = files::generation_path(&t.settings.data_dir, &source.database_id, &generation);
    let db = databases::insert(t, project_id, &name, Some(&snapshot))?;
    let operation_id = format!("op-{}", hex::encode(ids::random_bytes(8)));
    let now = ids::now_ms();
    let done = now + t.settings.database_provision_delay.as_millis() as i64;
    t.execute(
        "INSERT INTO database_operations (operation_id, database_id, project_id,
             target_database_id, type, resolved_restore_point, created_at_ms, done_at_ms)
         VALUES (?1, ?2, ?3, ?4, 'database_restore', ?5, ?6, ?7)",
        params![
            operation_id,
            source.database_id,
            project_id,
            db.database_id,
            generation,
            now,
            done
        ],
    )?;
    let answer = |with_token: bool| -> ApiResult<Value> {
        let mut body = json!({
            "operation": operation(t, &source.database_id, &operation_id)?,
            "database": {
                "database_id": db.database_id,
                "name": db.name,
                "database_url": db.database_url,
                "status": "creating",
            },
        });
        if with_token {
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

/// An operation on `database_id` (the source of a restore, as the official CLI reads it, the
/// database it made, or a seeded database): `{operation_id, type, status,
/// resolved_restore_point, error?, created_at_ms, updated_at_ms, upload_expires_at_ms?}`.
pub fn operation(
    t: &rusqlite::Transaction<'_>,
    database_id: &str,
    operation_id: &str,
) -> ApiResult<Value> {
    #[allow(clippy::type_complexity)]
    let row: Option<(
        String,
        Option<String>,
        Option<String>,
        i64,
        i64,
        Option<i64>,
        Option<i64>,
        Option<String>,
    )> = t
        .query_row(
            "SELECT type, resolved_restore_point, error, created_at_ms, done_at_ms,
                    uploaded_at_ms, upload_expires_at_ms, error_code
             FROM database_operations
             WHERE (database_id = ?1 OR target_database_id = ?1) AND operation_id = ?2",
            [database_id, operation_id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            },
        )
        .optional()?;
    let Some((kind, resolved, error, created, done, uploaded, expires, code)) = row else {
        return Err(ApiError::not_found(format!(
            "no operation {operation_id} of database {database_id}"
        )));
    };
    let now = ids::now_ms();
    let (status, code) = if kind == "database_seed" {
        super::seeds::status(now, uploaded, expires, done, code.as_deref())
    } else {
        match (now >= done, &error) {
            (false, _) => ("pending", None),
            (true, None) => ("succeeded", None),
            (true, Some(_)) => ("failed", Some("RESTORE_FAILED".to_string())),
        }
    };
    let updated = match (status, uploaded) {
        ("succeeded" | "failed", _) => done.min(now),
        (_, Some(u)) => u,
        _ => created,
    };
    let mut op = json!({
        "operation_id": operation_id,
        "type": kind,
        "status": status,
        "resolved_restore_point": resolved,
        "created_at_ms": created,
        "updated_at_ms": updated,
    });
    if let Some(e) = expires {
        op["upload_expires_at_ms"] = json!(e);
    }
    if let (Some(code), "failed") = (code, status) {
        let message = error.unwrap_or_else(|| "the upload session expired".to_string());
        op["error"] = json!({ "code": code, "message": message });
    }
    Ok(op)
}
