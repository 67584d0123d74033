//! `comwit_database.restore_from`: a database made by a point-in-time restore of another
//! (`POST .../databases/{source}/restore`), waited for through its operation.
//!
//! The platform's restore takes no Idempotency-Key that the public material shows. What keeps a
//! retry from making a second copy is the name, unique in the project: it is checked free
//! before the restore is sent, so a database of that name found after a lost answer (or
//! a 409 to a retry) is the one this restore made, and is adopted.

use std::time::{Duration, Instant};

use super::database::DatabaseResource;
use super::database_state::{DatabaseModel, RestoreFrom};
use crate::api::databases::{Operation, RestoreTo};
use crate::api::models::Database;
use crate::api::{ApiError, Client};
use crate::provider::common::ModelResource;
use crate::provider::common::{api_error, call, found_soon, id_validator};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::resource::Ctx;
use crate::tfplugin::schema::{Attribute, NestedAttributes};

const POINTS: [&str; 3] = ["timestamp", "generation", "alias"];

pub(super) fn restore_from_attribute() -> Attribute {
    Attribute::nested(
        "restore_from",
        NestedAttributes::single(vec![
            Attribute::string("database_id")
                .required()
                .validator(id_validator("database", "db"))
                .description("The database to restore from, in the same project."),
            Attribute::string("timestamp").optional().description(
                "The time to restore to (RFC 3339, such as `2026-12-01T09:30:00Z`; not in the \
                 future): the data as it was then.",
            ),
            Attribute::string("generation").optional().description(
                "The generation to restore (see the `comwit_database_restore_points` data \
                 source).",
            ),
            Attribute::string("alias")
                .optional()
                .description("The source's alias of the point to restore."),
        ]),
    )
    .optional()
    .requires_replace()
    .description(
        "Makes the database by a point-in-time restore of another database (a new database \
         named `name` with the source's data at that point; the source is untouched), with \
         exactly one of `timestamp`, `generation` and `alias`. Create-time only: changing it \
         replaces the database (refused while `deletion_protection` is on); adding it to a \
         database already in the state (such as an imported one) only records it. The platform's \
         restore answer may carry no one-time token: then `database_token` is rotated once \
         the database exists, or stays null where the platform refuses (use a token with \
         `database:connect`).",
    )
}

/// Exactly one point, and a time that parses and is not in the future. Unknown values are
/// checked at apply.
pub(super) fn check_restore_from(from: &Value, now: time::OffsetDateTime) -> Diagnostics {
    let at = |name: &str| AttributePath::new("restore_from").attribute(name);
    if POINTS
        .iter()
        .any(|p| from.get(p).is_some_and(Value::is_unknown))
    {
        return Diagnostics::new();
    }
    let set: Vec<&str> = POINTS
        .iter()
        .copied()
        .filter(|p| from.get(p).is_some_and(|v| !v.is_null()))
        .collect();
    if set.len() != 1 {
        return Diagnostic::error(
            "Invalid restore point",
            format!(
                "`restore_from` needs exactly one of `timestamp`, `generation` and `alias` \
                 ({}).",
                if set.is_empty() {
                    "none is set".to_string()
                } else {
                    format!("{} are set", set.join(" and "))
                }
            ),
        )
        .with_attribute(AttributePath::new("restore_from"))
        .into();
    }
    if let Some(Value::String(text)) = from.get("timestamp") {
        match parse_time(text) {
            Err(e) => {
                return Diagnostic::error("Invalid restore time", e)
                    .with_attribute(at("timestamp"))
                    .into()
            }
            Ok(t) if t > now => {
                return Diagnostic::error(
                    "Restore time in the future",
                    format!(
                        "`restore_from.timestamp` is {text}, after now ({}): a restore takes the \
                         data as it was at a past time.",
                        now.replace_nanosecond(0)
                            .unwrap_or(now)
                            .format(&time::format_description::well_known::Rfc3339)
                            .unwrap_or_default()
                    ),
                )
                .with_attribute(at("timestamp"))
                .into()
            }
            Ok(_) => {}
        }
    }
    Diagnostics::new()
}

fn parse_time(text: &str) -> Result<time::OffsetDateTime, String> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).map_err(|e| {
        format!("{text:?} is not an RFC 3339 time ({e}); write it like 2026-12-01T09:30:00Z")
    })
}

fn point_of(from: &RestoreFrom) -> Result<RestoreTo, Diagnostics> {
    let timestamp_ms = match &from.timestamp {
        Some(text) => {
            let t = parse_time(text)
                .map_err(|e| Diagnostics::from(Diagnostic::error("Invalid restore time", e)))?;
            Some((t.unix_timestamp_nanos() / 1_000_000) as i64)
        }
        None => None,
    };
    Ok(RestoreTo {
        timestamp_ms,
        generation: from.generation.clone(),
        alias: from.alias.clone(),
    })
}

/// The database named `name` in the project, if listed.
async fn named(
    ctx: &Ctx,
    client: &Client,
    project: &str,
    name: &str,
) -> Result<Option<Database>, ApiError> {
    Ok(call(ctx, client.live_databases(project))
        .await?
        .into_iter()
        .find(|d| d.name == name))
}

impl DatabaseResource {
    /// Restores `from` into a new database named `name`: the database (as the platform
    /// first shows it) and the one-time token the answer gave, once the operation succeeded.
    pub(super) async fn restore(
        &self,
        ctx: &mut Ctx,
        client: &Client,
        planned: &DatabaseModel,
        from: &RestoreFrom,
        limit: Duration,
    ) -> Result<(Database, Option<String>), Diagnostics> {
        let (project, name) = (planned.project_id.as_str(), planned.name.as_str());
        let point = point_of(from)?;
        let source = &from.database_id;
        let what = format!("restore the database {source} into {name:?}");
        if let Some(existing) = named(ctx, client, project, name)
            .await
            .map_err(|e| api_error(&what, &e))?
        {
            return Err(Diagnostic::error(
                "Database name taken",
                format!(
                    "Could not {what}: the project {project} already has a database named \
                     {name:?} ({}). Choose another `name`, or import that one with \
                     `terraform import` and the ID {project}/{}.",
                    existing.database_id, existing.database_id
                ),
            )
            .with_attribute(AttributePath::new("name"))
            .into());
        }
        let started = Instant::now();
        let (db, token, operation) = loop {
            // Sent without an Idempotency-Key (the route takes none that the public material
            // shows), so never resent by the client after the request may have arrived.
            let answer = call(ctx, client.restore_database(project, source, &point, name)).await;
            let e = match answer {
                Ok(a) => {
                    let db = Database {
                        database_id: a.database.database_id,
                        project_id: project.to_string(),
                        name: a.database.name.unwrap_or_else(|| name.to_string()),
                        database_url: a.database.database_url,
                        status: a
                            .database
                            .status
                            .unwrap_or_else(|| super::database_wait::CREATING.to_string()),
                    };
                    let token = a.database_token.map(|t| t.expose().to_string());
                    break (db, token, Some(a.operation));
                }
                Err(e) if e.is_conflict() || e.status().is_none_or(|s| s >= 500) => e,
                Err(e) => return Err(restore_failed_to_start(&what, &e)),
            };
            // The name was free: a database of that name now is this restore's (its answer
            // was lost, or a duplicate was refused). It may take a moment to be listed.
            if let Some(db) = found_soon(ctx, || named(ctx, client, project, name)).await {
                break (db, None, None);
            }
            if e.is_conflict() || started.elapsed() + Duration::from_secs(1) > limit {
                return Err(restore_failed_to_start(&what, &e));
            }
            // Not listed after a while: the restore did not happen. Send it again.
            tracing::debug!(error = %e, "a restore failed before it made its database: again");
        };
        // From here on the copy exists: a failure keeps it in the state (tainted), with what
        // the configuration says of it (its protection, its token).
        ctx.partial_state = Some(self.state(DatabaseModel {
            database_token: token.clone(),
            ..planned.with_remote(db.clone())
        })?);
        if let Some(op) = operation {
            let waited = Waited {
                what: format!(
                    "The restore of the database {source} into {:?} ({})",
                    db.name, db.database_id
                ),
                hint: "check `restore_from` against the `comwit_database_restore_points` data \
                       source",
            };
            self.wait_operation(ctx, client, project, source, op, &waited, started, limit)
                .await?;
        }
        Ok((db, token))
    }

    /// Polls an operation of `database_id` (a restore's source, a seed's new database) until
    /// it succeeded (or failed, or the time is up).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn wait_operation(
        &self,
        ctx: &Ctx,
        client: &Client,
        project: &str,
        database_id: &str,
        mut op: Operation,
        waited: &Waited,
        started: Instant,
        limit: Duration,
    ) -> Result<(), Diagnostics> {
        let Waited { what, hint } = waited;
        let mut delay = Duration::from_millis(250);
        let mut last_status = String::new();
        loop {
            if op.status != last_status {
                tracing::info!(operation = %op.operation_id, status = %op.status, "database operation");
                last_status = op.status.clone();
            }
            if op.succeeded() {
                return Ok(());
            }
            if op.failed() {
                return Err(Diagnostic::error(
                    "Database operation failed",
                    format!(
                        "{what} failed (operation {}): {}. The new database is kept in the \
                         state, marked tainted: the next apply replaces it (with \
                         `deletion_protection = false`); {hint}.",
                        op.operation_id,
                        op.error_message()
                    ),
                )
                .into());
            }
            if started.elapsed() + delay > limit {
                return Err(Diagnostic::error(
                    "Database operation not finished in time",
                    format!(
                        "{what} was still {:?} after {}s (`timeouts.create`, operation {}). The \
                         new database is kept in the state, marked tainted; raise `create` in \
                         `timeouts` to wait longer.",
                        op.status,
                        limit.as_secs(),
                        op.operation_id
                    ),
                )
                .into());
            }
            if !ctx.stop.sleep(delay).await {
                return Err(Diagnostic::error(
                    "Operation cancelled",
                    format!(
                        "Stopped while waiting: {what} is not finished; its database is kept \
                         in the state, marked tainted."
                    ),
                )
                .into());
            }
            delay = (delay * 2).min(Duration::from_secs(5));
            match call(
                ctx,
                client.get_operation(project, database_id, &op.operation_id),
            )
            .await
            {
                Ok(next) => op = next,
                // A read: a lost answer is read again at the next turn.
                Err(e) if e.status().is_none_or(|s| s >= 500) => {}
                Err(e) => {
                    return Err(api_error(
                        &format!("read the operation {}", op.operation_id),
                        &e,
                    ))
                }
            }
        }
    }
}

/// What an operation being waited for does, for its diagnostics: "The restore of ..." and
/// what to check when it fails.
pub(super) struct Waited {
    pub what: String,
    pub hint: &'static str,
}

/// A restore the platform refused: a 404 (the source, or its generation or alias) and a 400
/// (the point) are about `restore_from`.
fn restore_failed_to_start(what: &str, e: &ApiError) -> Diagnostics {
    let d = api_error(what, e);
    if e.is_not_found() || e.status() == Some(400) {
        d.into_iter()
            .map(|diag| diag.with_attribute(AttributePath::new("restore_from")))
            .collect()
    } else {
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Value {
        let mut v = vec![("database_id", Value::string("db-1"))];
        for (k, val) in pairs {
            v.push((k, Value::string(*val)));
        }
        Value::object(v)
    }

    #[test]
    fn exactly_one_point_and_a_past_time() {
        let now = time::macros::datetime!(2026-12-06 00:00 UTC);
        assert!(check_restore_from(&from(&[("generation", "g")]), now).is_empty());
        assert!(
            check_restore_from(&from(&[("timestamp", "2026-12-01T00:00:00Z")]), now).is_empty()
        );
        let two = check_restore_from(&from(&[("generation", "g"), ("alias", "a")]), now);
        assert!(format!("{two:?}").contains("generation and alias are set"));
        assert!(!check_restore_from(&from(&[]), now).is_empty());
        let future = check_restore_from(&from(&[("timestamp", "2027-01-01T00:00:00Z")]), now);
        assert!(format!("{future:?}").contains("in the future"));
        let bad = check_restore_from(&from(&[("timestamp", "yesterday")]), now);
        assert!(format!("{bad:?}").contains("RFC 3339"));
        let point = point_of(&RestoreFrom {
            database_id: "db-1".into(),
            timestamp: Some("1970-01-01T00:00:01.5Z".into()),
            generation: None,
            alias: None,
        })
        .unwrap();
        assert_eq!(point.timestamp_ms, Some(1500));
    }
}
