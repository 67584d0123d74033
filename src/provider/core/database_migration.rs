//! `comwit_database_migration`: a named piece of SQL applied once to a database through the
//! platform's query route, and recorded in the database itself (a `_comwit_migrations` table),
//! so that it is never run twice: not by a retry after a lost answer, not by a second apply,
//! not by a new state that imports or re-creates it.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::database_execute::query_failed;
use super::sql;
use crate::api::queries::{Cell, QueryError, StatementResult};
use crate::api::Client;
use crate::provider::common::{
    plan_project, project_id_attribute, set_attr, split_import_id, timeouts_block, CreateTimeouts,
    ModelResource,
};
use crate::provider::query;
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::resource::{Ctx, IdentityAttribute, IdentitySchema, PlanRequest};
use crate::tfplugin::schema::{Attribute, Block, Schema};

provider_type!(DatabaseMigrationResource, "comwit_database_migration", |shared| {
    /// Each database's record, read once per process for refreshes (500 migrations of one
    /// database refresh with one query).
    recorded: RecordCache = RecordCache::default(),
});

const IMPORT_FORM: &str = "<project_id>/<database_id>/<name>";

/// A migration is named by its database and its name, in the order of the import ID.
const IDENTITY_ORDER: [&str; 3] = ["project_id", "database_id", "name"];
static IDENTITY: LazyLock<IdentitySchema> = LazyLock::new(|| {
    IdentitySchema::new(vec![
        query::project_identity(),
        IdentityAttribute::required(
            "database_id",
            "The database's ID, as the platform gives it.",
        ),
        IdentityAttribute::required("name", "The migration's name, unique in the database."),
    ])
});
const DEFAULT_CREATE_TIMEOUT: Duration = Duration::from_secs(600);

/// The table of applied migrations, in each database that has any.
const TABLE: &str = "_comwit_migrations";
const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS _comwit_migrations (\
     name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, sql TEXT, applied_at TEXT NOT NULL);";
/// The statements Terraform adds around a migration's own: the table, `BEGIN`, the record,
/// `COMMIT`.
const RESERVED: usize = 4;
/// How often a failure of Terraform's own statements (a busy database, a record that a lost
/// try wrote) is followed by reading the record and trying again.
const MAX_BOOKKEEPING_RETRIES: u32 = 5;
/// The record keeps the migration's SQL (for import) when its statement stays this small.
const MAX_RECORDED_SQL: usize = 48 * 1024;

fn schema() -> Schema {
    let description = "\
A named piece of SQL applied **once** to a database, through the platform API \
(`POST .../databases/{database_id}/query`). Applying it runs its statements in one transaction \
together with a record of it in the database's own `_comwit_migrations` table (name, SHA-256, \
SQL, time); the record is what keeps it from ever running twice: a retry after a lost answer, \
a second apply, or a new Terraform state finds the record and adopts it instead. A failed \
statement fails the apply with its message and leaves nothing behind (the transaction is \
rolled back).

**Order.** Migrations of one database run in the order Terraform gives them: chain them with \
`depends_on` (each on the one before).

**A migration never changes.** Changing `sql` fails at plan: its effects are in the database \
already. Add a new `comwit_database_migration` instead (depending on this one). A new `name` \
or `database_id` is a new migration (the plan shows a replacement, and its SQL runs).

**Destroy** forgets the migration in Terraform's state only: its effects and its record stay \
in the database (SQL cannot be undone in general), and a migration of the same name and SQL \
applied later is adopted, not run again. A refresh that finds no record keeps the migration \
and warns.

**Limits** (the platform's, checked at plan): at most 246 statements (250, less the 4 \
Terraform adds), 50 KiB each, 900 KiB in all. The SQL must not begin, commit or roll back a \
transaction itself.

**Import:** `terraform import comwit_database_migration.<name> \
<project_id>/<database_id>/<migration name>`, or an `import` block with that `id` or, on \
Terraform 1.12 and later, `identity = { database_id = \"...\", name = \"...\" }` \
(`project_id` defaults to the provider's). Import reads the record: `sql` comes from it when \
it is at most 48 KiB; set the same `sql` in the configuration.

**Token scopes:** the platform does not say which scope its query route needs; comwit-local \
asks for `database:write`.";

    Schema::new(
        Block::from_attributes(vec![
            project_id_attribute("database"),
            super::parent_database_attribute("The database to apply the migration to."),
            super::name_below_database(
                "name",
                "The migration's name, unique in the database (for example \
                 `0001_create_users`). A new name is a new migration.",
            ),
            Attribute::string("sql").required().description(
                "The migration's SQL: one statement or several. Fixed once applied: \
                     changing it fails at plan.",
            ),
            Attribute::string("sha256")
                .computed()
                .description("The SHA-256 of `sql` (hex), as recorded in the database."),
            Attribute::string("applied_at")
                .computed()
                .use_state_for_unknown()
                .description("When the migration was applied (RFC 3339), as recorded."),
        ])
        .with_block(timeouts_block(&["create"], "default 10m"))
        .description(description),
    )
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct MigrationModel {
    #[serde(default)]
    project_id: String,
    database_id: String,
    name: String,
    /// Null only after importing a migration whose record does not keep its SQL.
    sql: Option<String>,
    sha256: Option<String>,
    applied_at: Option<String>,
    timeouts: Option<CreateTimeouts>,
}

/// A migration as its record has it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Record {
    sha256: String,
    applied_at: String,
}

fn digest(sql: &str) -> String {
    hex::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, sql.as_bytes()).as_ref())
}

/// The migration's statements, checked against the limits and the transaction rule.
fn statements(sql_text: &str) -> Result<Vec<String>, String> {
    let statements = sql::split(sql_text)?;
    sql::check_limits(&statements, RESERVED)?;
    if let Some(s) = statements.iter().find(|s| sql::is_transaction_control(s)) {
        return Err(format!(
            "a migration runs in one transaction of its own, so its SQL must not begin, commit \
             or roll back one: remove `{}`",
            sql::excerpt(s)
        ));
    }
    Ok(statements)
}

fn cell_text(cell: Option<&Cell>) -> Option<String> {
    let cell = cell?;
    (cell.kind != "null").then(|| cell.display())
}

/// Whether a result is the refusal of a table that does not exist (no migration yet).
fn no_table(r: &StatementResult) -> bool {
    !r.success && r.message().contains(&format!("no such table: {TABLE}"))
}

/// Runs a read-only query, again after a lost answer (reads are safe to repeat), within
/// `budget`.
async fn read_query(
    ctx: &Ctx,
    client: &Client,
    project: &str,
    database_id: &str,
    statements: &[String],
    budget: Duration,
) -> Result<Vec<StatementResult>, QueryError> {
    let started = Instant::now();
    let mut delay = Duration::from_millis(500);
    loop {
        let q = client.query(project, database_id, statements);
        let result = tokio::select! {
            r = q => r,
            _ = ctx.stop.stopped() => Err(QueryError::Refused(crate::api::ApiError::Cancelled)),
        };
        match result {
            Err(QueryError::Unknown(_)) if started.elapsed() + delay < budget => {
                if !ctx.stop.sleep(delay).await {
                    return Err(QueryError::Refused(crate::api::ApiError::Cancelled));
                }
                delay = (delay * 2).min(Duration::from_secs(8));
            }
            other => return other,
        }
    }
}

/// The records of a database: `name -> record`.
async fn records(
    ctx: &Ctx,
    client: &Client,
    project: &str,
    database_id: &str,
    budget: Duration,
) -> Result<HashMap<String, Record>, QueryError> {
    let select = vec![format!("SELECT name, sha256, applied_at FROM {TABLE};")];
    let results = read_query(ctx, client, project, database_id, &select, budget).await?;
    let r = &results[0];
    if no_table(r) {
        return Ok(HashMap::new());
    }
    if !r.success {
        return Err(QueryError::Refused(crate::api::ApiError::Decode {
            message: format!("the record of migrations cannot be read: {}", r.message()),
            path: String::new(),
        }));
    }
    Ok(r.rows
        .iter()
        .filter_map(|row| {
            let name = cell_text(row.first())?;
            Some((
                name,
                Record {
                    sha256: cell_text(row.get(1)).unwrap_or_default(),
                    applied_at: cell_text(row.get(2)).unwrap_or_default(),
                },
            ))
        })
        .collect())
}

/// A database's records once read: `name -> record`.
type Records = HashMap<String, Record>;
type RecordCell = Arc<tokio::sync::OnceCell<Records>>;

/// Each database's records, read once per process.
#[derive(Default)]
pub(crate) struct RecordCache(tokio::sync::Mutex<HashMap<(String, String), RecordCell>>);

impl RecordCache {
    async fn cell(&self, project: &str, database_id: &str) -> RecordCell {
        let mut map = self.0.lock().await;
        map.entry((project.to_string(), database_id.to_string()))
            .or_default()
            .clone()
    }

    /// Forgets a database's records (after a migration was applied to it).
    async fn forget(&self, project: &str, database_id: &str) {
        self.0
            .lock()
            .await
            .remove(&(project.to_string(), database_id.to_string()));
    }
}

impl DatabaseMigrationResource {
    async fn cached_records(
        &self,
        ctx: &Ctx,
        client: &Client,
        project: &str,
        database_id: &str,
    ) -> Result<HashMap<String, Record>, QueryError> {
        let cell = self.recorded.cell(project, database_id).await;
        cell.get_or_try_init(|| records(ctx, client, project, database_id, Duration::from_secs(60)))
            .await
            .cloned()
    }
}

/// The batch that applies a migration: the table, then in one transaction the record first
/// (a second run fails on it at once, before any of the migration's own statements) and the
/// statements.
fn apply_batch(
    m: &MigrationModel,
    sql_text: &str,
    statements: &[String],
    now: &str,
) -> Vec<String> {
    let recorded_sql = if sql::literal(sql_text).len() <= MAX_RECORDED_SQL {
        sql::literal(sql_text)
    } else {
        "NULL".to_string()
    };
    let mut batch = vec![
        CREATE_TABLE.to_string(),
        "BEGIN IMMEDIATE;".to_string(),
        format!(
            "INSERT INTO {TABLE} (name, sha256, sql, applied_at) VALUES ({}, {}, {recorded_sql}, {});",
            sql::literal(&m.name),
            sql::literal(&digest(sql_text)),
            sql::literal(now)
        ),
    ];
    batch.extend(statements.iter().cloned());
    batch.push("COMMIT;".to_string());
    batch
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// The batch a migration is sent in (its statements and Terraform's) is over the limits.
fn too_big(name: &str, e: &str) -> Diagnostics {
    Diagnostic::error(
        "Migration too large",
        format!(
            "The migration {name:?} cannot be sent in one request with Terraform's bookkeeping \
             (the table, BEGIN, its record, COMMIT): {e}. Split it into two migrations."
        ),
    )
    .with_attribute(AttributePath::new("sql"))
    .into()
}

/// A record of the same name with other SQL.
fn other_sql(m: &MigrationModel, rec: &Record) -> Diagnostics {
    Diagnostic::error(
        "Another migration of this name was applied",
        format!(
            "The database {} already records a migration named {:?}, applied at {}, with other \
             SQL (SHA-256 {}, not {}). Terraform does not run a second migration of the same \
             name: give this one a new `name`, or, if the recorded one is this migration, set \
             its SQL exactly and import it ({IMPORT_FORM}).",
            m.database_id,
            m.name,
            rec.applied_at,
            rec.sha256,
            m.sha256.as_deref().unwrap_or_default()
        ),
    )
    .with_attribute(AttributePath::new("sql"))
    .into()
}

#[async_trait]
impl ModelResource for DatabaseMigrationResource {
    type Model = MigrationModel;
    type_metadata!();

    async fn validate(&self, config: &Value) -> Diagnostics {
        match config.get("sql") {
            Some(Value::String(text)) => match statements(text) {
                Ok(st) => match config.get("name") {
                    // The whole batch, with Terraform's statements, is held to the limits.
                    Some(Value::String(name)) => {
                        let m = MigrationModel {
                            project_id: String::new(),
                            database_id: String::new(),
                            name: name.clone(),
                            sql: None,
                            sha256: None,
                            applied_at: None,
                            timeouts: None,
                        };
                        let batch = apply_batch(&m, text, &st, &now_rfc3339());
                        match sql::check_limits(&batch, 0) {
                            Ok(()) => Diagnostics::new(),
                            Err(e) => too_big(name, &e),
                        }
                    }
                    _ => Diagnostics::new(),
                },
                Err(e) => Diagnostic::error("Invalid migration SQL", format!("{e}."))
                    .with_attribute(AttributePath::new("sql"))
                    .into(),
            },
            _ => Diagnostics::new(),
        }
    }

    async fn modify_plan(&self, _ctx: &mut Ctx, plan: &mut PlanRequest) -> Diagnostics {
        if let Err(d) = plan_project(plan, &self.shared) {
            return d;
        }
        if plan.planned_state.is_null() {
            return Diagnostics::new();
        }
        let planned_sha = match plan.config.get("sql") {
            Some(Value::String(text)) => Value::string(digest(text)),
            _ => Value::Unknown,
        };
        set_attr(&mut plan.planned_state, "sha256", planned_sha.clone());
        if plan.prior_state.is_null() || !plan.requires_replace.is_empty() {
            return Diagnostics::new();
        }
        let prior_sha = plan
            .prior_state
            .get("sha256")
            .cloned()
            .unwrap_or(Value::Null);
        if planned_sha.is_unknown() || planned_sha == prior_sha {
            return Diagnostics::new();
        }
        let name = match plan.prior_state.get("name") {
            Some(Value::String(n)) => n.clone(),
            _ => String::new(),
        };
        Diagnostic::error(
            "A migration's SQL cannot change",
            format!(
                "The migration {name:?} was applied already: its SQL is in the database, and \
                 Terraform never runs a migration twice. Put it back as it was, and add a new \
                 `comwit_database_migration` (with a new `name`, and `depends_on` this one) \
                 for the change."
            ),
        )
        .with_attribute(AttributePath::new("sql"))
        .into()
    }

    async fn create(&self, ctx: &mut Ctx, planned: MigrationModel) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let client = &configured.client;
        let sql_text = planned.sql.clone().unwrap_or_default();
        let statements = statements(&sql_text).map_err(|e| {
            Diagnostics::from(Diagnostic::error("Invalid migration SQL", format!("{e}.")))
        })?;
        let sha = digest(&sql_text);
        let mut planned = MigrationModel {
            sha256: Some(sha.clone()),
            ..planned
        };
        let (project, db) = (planned.project_id.clone(), planned.database_id.clone());
        let limit = CreateTimeouts::create(&planned.timeouts, DEFAULT_CREATE_TIMEOUT);
        let started = Instant::now();
        let left = |started: Instant| limit.saturating_sub(started.elapsed());
        let mut delay = Duration::from_millis(500);
        let mut lost = 0;
        let mut bookkeeping = 0;
        loop {
            // What the database records decides: applied (by this run's lost try, or by
            // another state), applied with other SQL, or not yet.
            let recorded = records(ctx, client, &project, &db, left(started))
                .await
                .map_err(|e| query_failed(&db, &e))?;
            if let Some(rec) = recorded.get(&planned.name) {
                if rec.sha256 != sha {
                    return Err(other_sql(&planned, rec));
                }
                self.recorded.forget(&project, &db).await;
                planned.applied_at = Some(rec.applied_at.clone());
                return self.state(planned);
            }
            let now = now_rfc3339();
            let batch = apply_batch(&planned, &sql_text, &statements, &now);
            sql::check_limits(&batch, 0).map_err(|e| too_big(&planned.name, &e))?;
            let q = client.query(&project, &db, &batch);
            let result = tokio::select! {
                r = q => r,
                _ = ctx.stop.stopped() => Err(QueryError::Refused(crate::api::ApiError::Cancelled)),
            };
            match result {
                Ok(results) => {
                    let failed = results.iter().position(|r| !r.success && !r.skipped);
                    match failed {
                        None => {
                            self.recorded.forget(&project, &db).await;
                            planned.applied_at = Some(now);
                            return self.state(planned);
                        }
                        // Terraform's own statements (the table, BEGIN, the record) failed,
                        // before any of the migration's: the record decides at the next turn
                        // (a try whose answer was lost applied it; a busy database frees up).
                        Some(i) if i <= 2 && bookkeeping < MAX_BOOKKEEPING_RETRIES => {
                            bookkeeping += 1;
                            tracing::debug!(
                                statement = i + 1,
                                error = %results[i].message(),
                                "a migration's bookkeeping failed: reading the record"
                            );
                        }
                        Some(i) => {
                            return Err(statement_failed(&planned, &statements, i, &results[i]))
                        }
                    }
                }
                Err(QueryError::Unknown(e)) => {
                    lost += 1;
                    tracing::debug!(error = %e, lost, "a migration's answer was lost: reading the record");
                }
                Err(e) => return Err(query_failed(&db, &e)),
            }
            if started.elapsed() + delay >= limit {
                return Err(Diagnostic::error(
                    "Migration not applied in time",
                    format!(
                        "The migration {:?} could not be applied to the database {db} within {}s \
                         (`timeouts.create`): {lost} answer(s) were lost. Whether it ran is what \
                         the database records; apply again to find out (it will not run twice).",
                        planned.name,
                        limit.as_secs()
                    ),
                )
                .into());
            }
            if !ctx.stop.sleep(delay).await {
                return Err(Diagnostic::error(
                    "Operation cancelled",
                    "Stopped while applying a migration; apply again to find out whether it \
                     ran (it will not run twice).",
                )
                .into());
            }
            delay = (delay * 2).min(Duration::from_secs(8));
        }
    }

    async fn read(&self, ctx: &mut Ctx, prior: MigrationModel) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let (project, db) = (&prior.project_id, &prior.database_id);
        let recorded = match self
            .cached_records(ctx, &configured.client, project, db)
            .await
        {
            Ok(r) => r,
            Err(QueryError::Refused(e)) if e.is_not_found() => return Ok(Value::Null),
            Err(e) => return Err(query_failed(db, &e)),
        };
        match recorded.get(&prior.name) {
            Some(rec) => {
                let next = MigrationModel {
                    applied_at: Some(rec.applied_at.clone()),
                    ..prior
                };
                self.state(next)
            }
            None => {
                ctx.diagnostics.push(Diagnostic::warning(
                    "Migration no longer recorded",
                    format!(
                        "The database {db} has no record of the migration {:?} (its \
                         `{TABLE}` row or table was removed). Terraform keeps it and does not \
                         run it again; to run it again, apply with `-replace` on it.",
                        prior.name
                    ),
                ));
                self.state(prior)
            }
        }
    }

    async fn update(
        &self,
        _ctx: &mut Ctx,
        prior: MigrationModel,
        planned: MigrationModel,
    ) -> Result<Value, Diagnostics> {
        // The plan refused a new SQL: only the same SQL (after an import that had none), or the
        // timeouts, change here; nothing runs.
        self.state(MigrationModel {
            sql: planned.sql,
            timeouts: planned.timeouts,
            ..prior
        })
    }

    async fn delete(&self, _ctx: &mut Ctx, _prior: MigrationModel) -> Result<(), Diagnostics> {
        // SQL is not undone: the database keeps the effects and the record.
        Ok(())
    }

    async fn import(&self, ctx: &mut Ctx, id: &str) -> Result<Value, Diagnostics> {
        let parts = split_import_id(id, 3, IMPORT_FORM)?;
        let (project, db, name) = (&parts[0], &parts[1], &parts[2]);
        let configured = self.shared.get()?;
        let select = vec![format!(
            "SELECT sha256, applied_at, sql FROM {TABLE} WHERE name = {};",
            sql::literal(name)
        )];
        let results = read_query(
            ctx,
            &configured.client,
            project,
            db,
            &select,
            Duration::from_secs(60),
        )
        .await
        .map_err(|e| query_failed(db, &e))?;
        if !results[0].success && !no_table(&results[0]) {
            return Err(Diagnostic::error(
                "Cannot read the record of migrations",
                format!(
                    "Cannot import {id:?}: the record of the database {db} could not be read: {}.",
                    results[0].message()
                ),
            )
            .into());
        }
        let row = results[0].rows.first().filter(|_| results[0].success);
        let Some(row) = row else {
            return Err(Diagnostic::error(
                "Migration not found",
                format!(
                    "Cannot import {id:?}: the database {db} records no migration named {name:?}. \
                     The import ID has the form {IMPORT_FORM}."
                ),
            )
            .into());
        };
        self.state(MigrationModel {
            project_id: project.clone(),
            database_id: db.clone(),
            name: name.clone(),
            sql: cell_text(row.get(2)),
            sha256: cell_text(row.first()),
            applied_at: cell_text(row.get(1)),
            timeouts: None,
        })
    }

    fn identity(&self) -> Option<&IdentitySchema> {
        Some(&IDENTITY)
    }

    fn identity_import_id(&self, identity: &Value) -> Result<String, Diagnostics> {
        query::check_identity_ids(identity, &super::DATABASE_IDENTITY_IDS, "")?;
        query::import_id(identity, &IDENTITY_ORDER, &self.shared)
    }
}

/// A statement of the migration failed: nothing was applied (the transaction was rolled back).
fn statement_failed(
    m: &MigrationModel,
    statements: &[String],
    index: usize,
    r: &StatementResult,
) -> Diagnostics {
    // The batch: the table (0), BEGIN (1), the record (2), the statements, COMMIT.
    let detail = match index
        .checked_sub(3)
        .and_then(|i| statements.get(i).map(|s| (i, s)))
    {
        Some((i, s)) => format!(
            "Statement {} of {} of the migration {:?} failed: {}\n\n  {}\n\n",
            i + 1,
            statements.len(),
            m.name,
            r.message(),
            sql::excerpt(s)
        ),
        None => format!(
            "The bookkeeping of the migration {:?} failed: {}\n\n",
            m.name,
            r.message()
        ),
    };
    Diagnostic::error(
        "Migration failed",
        format!(
            "{detail}Nothing of it was applied (it runs in one transaction, rolled back). Fix \
             the SQL and apply again."
        ),
    )
    .with_attribute(AttributePath::new("sql"))
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_matches_the_schema() {
        crate::tfplugin::model::shape::check::<MigrationModel>(&schema());
    }

    #[test]
    fn the_batch_records_first_inside_the_transaction() {
        let m = MigrationModel {
            project_id: "p".into(),
            database_id: "db-1".into(),
            name: "0001_it's".into(),
            sql: None,
            sha256: None,
            applied_at: None,
            timeouts: None,
        };
        let text = "CREATE TABLE t (x); INSERT INTO t VALUES ('a')";
        let st = statements(text).unwrap();
        let b = apply_batch(&m, text, &st, "2026-12-06T00:00:00Z");
        assert_eq!(b.len(), st.len() + RESERVED);
        assert_eq!(b[1], "BEGIN IMMEDIATE;");
        assert!(
            b[2].starts_with("INSERT INTO _comwit_migrations"),
            "{}",
            b[2]
        );
        assert!(b[2].contains("'0001_it''s'"));
        assert_eq!(b.last().unwrap(), "COMMIT;");
        assert!(statements("BEGIN; CREATE TABLE t (x); COMMIT;")
            .unwrap_err()
            .contains("must not begin"));
    }

    #[test]
    fn the_batch_runs_once_on_sqlite() {
        // The batch as the platform runs it (statement after statement, autocommit): the
        // second run fails on the record and changes nothing.
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let m = MigrationModel {
            project_id: "p".into(),
            database_id: "db-1".into(),
            name: "0001".into(),
            sql: None,
            sha256: None,
            applied_at: None,
            timeouts: None,
        };
        let text = "CREATE TABLE t (x); INSERT INTO t VALUES (1)";
        let b = apply_batch(&m, text, &statements(text).unwrap(), "now");
        for s in &b {
            conn.execute_batch(s).unwrap();
        }
        let again = b.iter().try_for_each(|s| conn.execute_batch(s));
        assert!(again.unwrap_err().to_string().contains("UNIQUE"));
        let _ = conn.execute_batch("ROLLBACK");
        let n: i64 = conn
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }
}
