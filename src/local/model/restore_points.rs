//! A database's history: its restore points (generations) and its aliases.
//!
//! comwit-local snapshots a database's file (`VACUUM INTO`) when it is created and then after
//! writes, at most once per `--snapshot-interval`: each snapshot is a generation, so the data as
//! it was at any time is that of the newest generation made before it (precise to the
//! interval). `GET .../restore-points` answers `{"restore_points":[{generation_id,
//! created_at_ms, base_frame_no, pinned, precise_until_ms}], "aliases":[{alias, target_kind,
//! target_value, created_at_ms}]}`, oldest first; a generation is `precise_until_ms` the next
//! one's time (null for the newest: up to now) and `pinned` while an alias names it. An alias
//! (`POST/DELETE .../aliases/{alias}`, `{"restore_to":{timestamp_ms | generation}}`) names a
//! point in that history: `target_kind` is `timestamp_ms` or `generation` (comwit-local's
//! words: the public material does not show them).

use rusqlite::{params, OptionalExtension};
use serde::Deserialize;
use serde_json::{json, Value};

use super::validate::Body;
use super::Tx;
use crate::local::error::{ApiError, ApiResult};
use crate::local::ids;

/// Most generations kept per database; older ones that no alias pins are dropped.
pub const MAX_GENERATIONS: usize = 200;

/// A new generation ID (opaque; `gen-` and 16 hex digits, comwit-local's choice).
pub fn new_generation_id() -> String {
    format!("gen-{}", hex::encode(ids::random_bytes(8)))
}

/// Records generation `generation_id` of a database, made at `at_ms`; answers the generations
/// dropped to stay within [`MAX_GENERATIONS`] (their files are the caller's to remove).
pub fn record(
    tx: &rusqlite::Transaction<'_>,
    database_id: &str,
    generation_id: &str,
    at_ms: i64,
) -> ApiResult<Vec<String>> {
    tx.execute(
        "INSERT INTO restore_points (generation_id, database_id, created_at_ms) VALUES (?1, ?2, ?3)",
        params![generation_id, database_id, at_ms],
    )?;
    let all = generations(tx, database_id)?;
    let pins = pinned(tx, database_id, &all)?;
    let excess = all.len().saturating_sub(MAX_GENERATIONS);
    let dropped: Vec<String> = all
        .iter()
        .filter(|(id, _)| !pins.contains(id))
        .take(excess)
        .map(|(id, _)| id.clone())
        .collect();
    for id in &dropped {
        tx.execute("DELETE FROM restore_points WHERE generation_id = ?1", [id])?;
    }
    Ok(dropped)
}

/// `(generation_id, created_at_ms)`, oldest first.
pub fn generations(
    tx: &rusqlite::Transaction<'_>,
    database_id: &str,
) -> ApiResult<Vec<(String, i64)>> {
    let mut stmt = tx.prepare(
        "SELECT generation_id, created_at_ms FROM restore_points WHERE database_id = ?1
         ORDER BY created_at_ms, seq",
    )?;
    let rows = stmt
        .query_map([database_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// `(alias, target_kind, target_value, created_at_ms)`, by name.
pub fn aliases(
    tx: &rusqlite::Transaction<'_>,
    database_id: &str,
) -> ApiResult<Vec<(String, String, String, i64)>> {
    let mut stmt = tx.prepare(
        "SELECT alias, target_kind, target_value, created_at_ms FROM database_aliases
         WHERE database_id = ?1 ORDER BY alias",
    )?;
    let rows = stmt
        .query_map([database_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The generation a point in the history resolves to: the named one, or the newest made at or
/// before a time.
pub fn resolve(all: &[(String, i64)], kind: &str, value: &str) -> Option<String> {
    match kind {
        "generation" => all
            .iter()
            .find(|(id, _)| id == value)
            .map(|(id, _)| id.clone()),
        _ => {
            let at: i64 = value.parse().ok()?;
            all.iter()
                .rev()
                .find(|(_, created)| *created <= at)
                .map(|(id, _)| id.clone())
        }
    }
}

/// The generations an alias names.
fn pinned(
    tx: &rusqlite::Transaction<'_>,
    database_id: &str,
    all: &[(String, i64)],
) -> ApiResult<Vec<String>> {
    Ok(aliases(tx, database_id)?
        .iter()
        .filter_map(|(_, kind, value, _)| resolve(all, kind, value))
        .collect())
}

/// `{"restore_points":[...], "aliases":[...]}`.
pub fn list(t: &Tx<'_>, database_id: &str) -> ApiResult<Value> {
    let all = generations(t, database_id)?;
    let pins = pinned(t, database_id, &all)?;
    let points: Vec<Value> = all
        .iter()
        .enumerate()
        .map(|(i, (id, created))| {
            json!({
                "generation_id": id,
                "created_at_ms": created,
                "base_frame_no": 0,
                "pinned": pins.contains(id),
                "precise_until_ms": all.get(i + 1).map(|(_, next)| next),
            })
        })
        .collect();
    let aliases: Vec<Value> = aliases(t, database_id)?
        .into_iter()
        .map(|(alias, kind, value, created)| {
            // A string, also for a time: the official CLI reads `target_value` as one.
            json!({
                "alias": alias,
                "target_kind": kind,
                "target_value": value,
                "created_at_ms": created,
            })
        })
        .collect();
    Ok(json!({ "restore_points": points, "aliases": aliases }))
}

/// A point of a database's history: exactly one of `timestamp_ms` and `generation`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointInput {
    #[serde(default)]
    pub timestamp_ms: Option<i64>,
    #[serde(default)]
    pub generation: Option<String>,
}

/// `POST .../aliases/{alias}`: `{"restore_to":{...}}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AliasInput {
    pub restore_to: PointInput,
}

/// `(target_kind, target_value)`.
pub type Point = (String, String);

impl Body for AliasInput {
    type Valid = Point;
    fn check(self) -> ApiResult<Point> {
        match (self.restore_to.timestamp_ms, self.restore_to.generation) {
            (Some(ms), None) => Ok(("timestamp_ms".to_string(), ms.to_string())),
            (None, Some(g)) if !g.is_empty() => Ok(("generation".to_string(), g)),
            _ => Err(ApiError::invalid(
                "restore_to",
                "`restore_to` needs exactly one of `timestamp_ms` and `generation`",
            )),
        }
    }
}

/// Whether `s` can name an alias: 1 to 64 of letters, digits, `-`, `_` and `.`
/// (comwit-local's rule: the public one is not known).
pub fn is_alias(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// Sets (or moves) an alias: `{"database_id","alias"}`. A point the history does not hold (an
/// unknown generation, a time before the first generation or in the future) is refused.
pub fn set_alias(t: &Tx<'_>, database_id: &str, alias: &str, point: Point) -> ApiResult<Value> {
    if !is_alias(alias) {
        return Err(ApiError::invalid(
            "alias",
            "an alias is 1 to 64 letters, digits, `-`, `_` or `.`",
        ));
    }
    let (kind, value) = point;
    let all = generations(t, database_id)?;
    if kind == "timestamp_ms" && value.parse::<i64>().unwrap_or(i64::MAX) > ids::now_ms() {
        return Err(ApiError::invalid("restore_to", "the time is in the future"));
    }
    if resolve(&all, &kind, &value).is_none() {
        return Err(if kind == "generation" {
            ApiError::not_found(format!("no generation {value} of database {database_id}"))
        } else {
            ApiError::invalid(
                "restore_to",
                format!("database {database_id} has no restore point at or before {value}"),
            )
        });
    }
    t.execute(
        "INSERT INTO database_aliases (database_id, alias, target_kind, target_value, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (database_id, alias) DO UPDATE SET target_kind = ?3, target_value = ?4,
             created_at_ms = ?5",
        params![database_id, alias, kind, value, ids::now_ms()],
    )?;
    Ok(json!({ "database_id": database_id, "alias": alias }))
}

/// Deletes an alias: `{"database_id","alias"}`; 404 when the database has no such alias.
pub fn delete_alias(t: &Tx<'_>, database_id: &str, alias: &str) -> ApiResult<Value> {
    let found: Option<i64> = t
        .query_row(
            "SELECT 1 FROM database_aliases WHERE database_id = ?1 AND alias = ?2",
            [database_id, alias],
            |r| r.get(0),
        )
        .optional()?;
    if found.is_none() {
        return Err(ApiError::not_found(format!(
            "no alias {alias} of database {database_id}"
        )));
    }
    t.execute(
        "DELETE FROM database_aliases WHERE database_id = ?1 AND alias = ?2",
        [database_id, alias],
    )?;
    Ok(json!({ "database_id": database_id, "alias": alias }))
}

/// Snapshots each database written to since the last tick, every `interval`, for as long as
/// the server runs.
pub async fn snapshot_loop(state: super::state::AppState, interval: std::time::Duration) {
    let mut tick = tokio::time::interval(interval.max(std::time::Duration::from_millis(50)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        for database_id in state.take_written() {
            if let Err(e) = snapshot(&state, &database_id).await {
                // Its writes still want a restore point: at the next tick.
                state.mark_written(&database_id);
                tracing::warn!(target: "comwit_local::restore_points", database_id, error = %e, "no snapshot");
            }
        }
    }
}

/// Makes and records a new generation of a database (a deleted one is skipped).
pub async fn snapshot(state: &super::state::AppState, database_id: &str) -> Result<(), String> {
    let generation_id = new_generation_id();
    let at_ms = ids::now_ms();
    let (dir, db, generation) = (
        state.settings.data_dir.clone(),
        database_id.to_string(),
        generation_id.clone(),
    );
    let made = tokio::task::spawn_blocking(move || {
        if !crate::local::store::files::path(&dir, &db).exists() {
            return Ok(false);
        }
        crate::local::store::files::snapshot(&dir, &db, &generation).map(|()| true)
    })
    .await
    .map_err(|e| e.to_string())??;
    if !made {
        return Ok(());
    }
    let db = database_id.to_string();
    let dropped = state
        .store
        .write(move |tx| {
            let exists: Option<i64> = tx
                .query_row(
                    "SELECT 1 FROM databases WHERE database_id = ?1",
                    [&db],
                    |r| r.get(0),
                )
                .optional()?;
            if exists.is_none() {
                return Ok(Vec::new());
            }
            record(tx, &db, &generation_id, at_ms)
        })
        .await
        .map_err(|e| e.message.clone())?;
    for id in dropped {
        let _ = std::fs::remove_file(crate::local::store::files::generation_path(
            &state.settings.data_dir,
            database_id,
            &id,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_resolve_to_the_newest_generation_at_or_before_them() {
        let all = vec![("g1".to_string(), 100), ("g2".to_string(), 200)];
        assert_eq!(resolve(&all, "timestamp_ms", "99"), None);
        assert_eq!(resolve(&all, "timestamp_ms", "100").as_deref(), Some("g1"));
        assert_eq!(resolve(&all, "timestamp_ms", "199").as_deref(), Some("g1"));
        assert_eq!(resolve(&all, "timestamp_ms", "5000").as_deref(), Some("g2"));
        assert_eq!(resolve(&all, "generation", "g1").as_deref(), Some("g1"));
        assert_eq!(resolve(&all, "generation", "g9"), None);
        assert!(is_alias("before-migration.v1"));
        assert!(!is_alias("a/b") && !is_alias(""));
    }
}
