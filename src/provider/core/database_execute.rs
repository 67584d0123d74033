//! `comwit_database_execute`: an action that runs SQL on a database through the platform's
//! query route and reports each statement's result, for
//! `terraform apply -invoke=action.comwit_database_execute.<name>` or a resource's
//! `action_trigger`.

use async_trait::async_trait;
use serde::Deserialize;

use super::sql;
use crate::api::queries::QueryError;
use crate::provider::common::{action_project, api_error, id_validator};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::model;
use crate::tfplugin::resource::{Action, Ctx, Progress};
use crate::tfplugin::schema::{Attribute, Block, Schema};

provider_type!(DatabaseExecuteAction, "comwit_database_execute");

fn schema() -> Schema {
    let description = "\
Runs SQL on a database through the platform API (`POST .../databases/{database_id}/query`, as \
`comwit databases execute` does) and reports each statement's result: its columns and first \
rows, or the rows it changed. Invoke it with \
`terraform apply -invoke=action.comwit_database_execute.<name>` (Terraform 1.14 or later), or \
from a resource's `lifecycle { action_trigger { ... } }`.

Set exactly one of `sql` and `file`. The text is split into statements as SQLite reads them \
(strings, comments and triggers stay whole; the last `;` may be left out) and held to the \
platform's limits before anything is sent: at most 250 statements, 50 KiB each, 900 KiB in all. \
The statements run in order; the first that fails stops the rest and fails the action with \
its message. Each statement commits on its own unless the SQL opens a transaction (`BEGIN` \
... `COMMIT`), which must be closed in the same SQL.

An action runs every time it is invoked: for SQL that must run once per database, use \
`comwit_database_migration`. A query whose answer is lost (a timeout, a 5xx) is not sent \
again, because SQL may not be safe to run twice: the action fails and says so.

**Token scopes:** the platform does not say which scope its query route needs; comwit-local \
asks for `database:write`.";

    Schema::new(
        Block::from_attributes(vec![
            Attribute::string("project_id")
                .optional()
                .validator(id_validator("project", "prj"))
                .description("The database's project. Defaults to the provider's `project_id`."),
            Attribute::string("database_id")
                .required()
                .validator(id_validator("database", "db"))
                .description("The database to run the SQL on."),
            Attribute::string("sql")
                .optional()
                .description("The SQL to run: one statement or several."),
            Attribute::string("file").optional().description(
                "A file of SQL text to run, relative to the directory Terraform runs in \
                     (use `\"${path.module}/...\"`). Not a SQLite database file.",
            ),
        ])
        .description(description),
    )
}

#[derive(Deserialize)]
struct ExecuteModel {
    project_id: Option<String>,
    database_id: String,
    sql: Option<String>,
    file: Option<String>,
}

/// The statements a configuration asks for, checked, or why they cannot be sent.
fn statements(config: &ExecuteModel) -> Result<Vec<String>, Diagnostics> {
    let (text, at) = match (&config.sql, &config.file) {
        (Some(sql), None) => (sql.clone(), "sql"),
        (None, Some(path)) => (read_sql_file(path)?, "file"),
        _ => {
            return Err(Diagnostic::error(
                "Missing or conflicting SQL",
                "Set exactly one of `sql` (the SQL text) and `file` (a file of SQL text).",
            )
            .into())
        }
    };
    let invalid = |detail: String| -> Diagnostics {
        Diagnostic::error("Invalid SQL", detail)
            .with_attribute(AttributePath::new(at))
            .into()
    };
    let statements = sql::split(&text).map_err(|e| invalid(format!("Cannot run the SQL: {e}.")))?;
    sql::check_limits(&statements, 0).map_err(|e| {
        invalid(format!(
            "Cannot run the SQL in one request: {e}. Split it across several actions."
        ))
    })?;
    Ok(statements)
}

/// The text of an SQL file: refuses a missing file, one over the request limit and a SQLite
/// database file.
fn read_sql_file(path: &str) -> Result<String, Diagnostics> {
    let err = |detail: String| -> Diagnostics {
        Diagnostic::error("Cannot read the SQL file", detail)
            .with_attribute(AttributePath::new("file"))
            .into()
    };
    let bytes = std::fs::read(path).map_err(|e| err(format!("{path}: {e}.")))?;
    if bytes.len() > crate::api::queries::MAX_SQL_BYTES {
        return Err(err(format!(
            "{path} is {} bytes, over the 900 KiB one request may hold.",
            bytes.len()
        )));
    }
    if bytes.starts_with(b"SQLite format 3\0") {
        return Err(err(format!(
            "{path} is a SQLite database file; `file` takes SQL text (a dump, a script)."
        )));
    }
    String::from_utf8(bytes).map_err(|_| err(format!("{path} is not UTF-8 text.")))
}

impl DatabaseExecuteAction {
    fn project(&self, config: &ExecuteModel) -> Result<String, Diagnostics> {
        action_project(&config.project_id, &self.shared)
    }
}

#[async_trait]
impl Action for DatabaseExecuteAction {
    type_metadata!();

    /// Checks the SQL (and reads the file) when the configuration is known, so SQL that cannot
    /// be sent fails before anyone approves the run.
    async fn plan(&self, _ctx: &mut Ctx, config: &Value) -> Diagnostics {
        if config.contains_unknown() {
            return Diagnostics::new();
        }
        let result = model::get::<ExecuteModel>(config).and_then(|m| statements(&m));
        result.err().unwrap_or_default()
    }

    async fn invoke(&self, ctx: &mut Ctx, config: &Value, progress: &Progress) -> Diagnostics {
        let result = async {
            let configured = self.shared.get()?;
            let model = model::get::<ExecuteModel>(config)?;
            let project = self.project(&model)?;
            let statements = statements(&model)?;
            let id = &model.database_id;
            progress.report(format!(
                "Running {} statement(s) on the database {id}",
                statements.len()
            ));
            let query = configured.client.query(&project, id, &statements);
            let results = tokio::select! {
                r = query => r,
                _ = ctx.stop.stopped() => return Err(Diagnostic::error(
                    "Operation cancelled",
                    format!("Stopped while the SQL ran on the database {id}: some statements \
                             may have run. Check the database before invoking the action again."),
                ).into()),
            };
            let results = results.map_err(|e| query_failed(id, &e))?;
            for (i, (statement, r)) in statements.iter().zip(&results).enumerate() {
                progress.report(sql::describe(i + 1, statement, r));
            }
            if let Some((i, r)) = results.iter().enumerate().find(|(_, r)| !r.success) {
                let ran = results.iter().filter(|r| r.success).count();
                return Err(Diagnostic::error(
                    "SQL statement failed",
                    format!(
                        "Statement {} of {} on the database {id} failed: {}\n\n  {}\n\n{ran} \
                         statement(s) before it ran (each committed on its own, unless they \
                         were in a transaction the failure ended); the ones after it did not \
                         run. Fix the statement and invoke the action again.",
                        i + 1,
                        statements.len(),
                        r.message(),
                        sql::excerpt(&statements[i])
                    ),
                )
                .into());
            }
            Ok::<_, Diagnostics>(())
        }
        .await;
        result.err().unwrap_or_default()
    }
}

/// A query that has no results.
pub(super) fn query_failed(database_id: &str, e: &QueryError) -> Diagnostics {
    match e {
        QueryError::Unknown(api) => Diagnostic::error(
            "SQL outcome unknown",
            format!(
                "The platform's answer to the SQL on the database {database_id} was lost ({}): \
                 the statements may or may not have run, and Terraform does not send SQL twice. \
                 Check the database before running it again.",
                api
            ),
        )
        .into(),
        QueryError::Refused(api) if api.is_not_found() => Diagnostic::error(
            "Database not found",
            format!(
                "The platform has no database {database_id} in this project (or the project \
                 does not exist). Check `database_id` and `project_id`."
            ),
        )
        .with_attribute(AttributePath::new("database_id"))
        .into(),
        QueryError::Refused(api) => {
            api_error(&format!("run SQL on the database {database_id}"), api)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<ExecuteModel>(&schema());
    }

    #[test]
    fn exactly_one_source_and_the_limits_hold_at_plan() {
        let m = |sql: Option<&str>, file: Option<&str>| ExecuteModel {
            project_id: None,
            database_id: "db-1".into(),
            sql: sql.map(str::to_string),
            file: file.map(str::to_string),
        };
        assert_eq!(
            statements(&m(Some("SELECT 1; SELECT 2"), None))
                .unwrap()
                .len(),
            2
        );
        assert!(statements(&m(None, None)).is_err());
        assert!(statements(&m(Some("SELECT 1"), Some("x.sql"))).is_err());
        let over = "SELECT 1;".repeat(251);
        let e = format!("{:?}", statements(&m(Some(&over), None)).unwrap_err());
        assert!(e.contains("at most 250"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db");
        std::fs::write(&db, b"SQLite format 3\0rest").unwrap();
        let e = format!("{:?}", statements(&m(None, db.to_str())).unwrap_err());
        assert!(e.contains("SQLite database file"), "{e}");
    }
}
