//! SQL through the platform API: `POST .../databases/{d}/query` with `{"sql"}` or
//! `{"batch":[{"sql"}]}` runs the statements in order on the database's own file, in
//! autocommit mode (a statement may open and close a transaction), and answers one result per
//! statement: `{"results":[{statement, success, columns, rows, affected_row_count,
//! last_insert_rowid, rows_read, rows_written, query_duration_ms}]}`.
//!
//! Where the public material is silent, comwit-local's choices: a failed statement is
//! `success: false` with `error: {message, code: "SQL_ERROR"}` and the statements after it are
//! not run (`skipped: true`, `error.code` `STATEMENT_SKIPPED`); a transaction the statements
//! opened is rolled back at the end, and when every statement succeeded that is the 422
//! `TRANSACTION_LEFT_OPEN` (the failure is the answer when one failed); REAL values are cells of
//! type `float`; `rows_read` counts the rows a statement answered and `rows_written` its changed
//! rows.

use std::time::Instant;

use base64::Engine;
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::{json, Value};

use super::validate::Body;
use crate::local::error::{ApiError, ApiResult};

/// The public limits of one request.
pub const MAX_STATEMENTS: usize = 250;
pub const MAX_STATEMENT_BYTES: usize = 50 * 1024;
pub const MAX_SQL_BYTES: usize = 900 * 1024;

/// Most rows one statement answers, so that one request cannot exhaust the server.
const MAX_ROWS: usize = 100_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    pub sql: String,
}

/// `{"sql"}` or `{"batch":[{"sql"}]}`, exactly one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryInput {
    #[serde(default)]
    pub sql: Option<String>,
    #[serde(default)]
    pub batch: Option<Vec<Statement>>,
}

impl Body for QueryInput {
    /// The statements, in order.
    type Valid = Vec<String>;
    fn check(self) -> ApiResult<Vec<String>> {
        let statements =
            match (self.sql, self.batch) {
                (Some(sql), None) => vec![sql],
                (None, Some(batch)) => batch.into_iter().map(|s| s.sql).collect(),
                _ => return Err(ApiError::bad_request(
                    "send exactly one of `sql` (one statement) and `batch` (a list of `{\"sql\"}`)",
                )),
            };
        if statements.is_empty() {
            return Err(ApiError::invalid("batch", "the batch has no statements"));
        }
        if statements.len() > MAX_STATEMENTS {
            return Err(ApiError::invalid(
                "batch",
                format!(
                    "{} statements; at most {MAX_STATEMENTS} go in one request",
                    statements.len()
                ),
            ));
        }
        let mut total = 0;
        for (i, sql) in statements.iter().enumerate() {
            if sql.trim().is_empty() {
                return Err(ApiError::invalid(
                    "sql",
                    format!("statement {} is empty", i + 1),
                ));
            }
            if sql.len() > MAX_STATEMENT_BYTES {
                return Err(ApiError::invalid(
                    "sql",
                    format!(
                        "statement {} is {} bytes; at most {MAX_STATEMENT_BYTES}",
                        i + 1,
                        sql.len()
                    ),
                ));
            }
            total += sql.len();
        }
        if total > MAX_SQL_BYTES {
            return Err(ApiError::invalid(
                "batch",
                format!("the statements are {total} bytes in all; at most {MAX_SQL_BYTES}"),
            ));
        }
        Ok(statements)
    }
}

/// Whether `conn` changed its database: rows (`total_changes`) or its schema
/// (`schema_version`, which DDL bumps and `total_changes` does not count), since `since`.
pub fn changed_since(conn: &Connection, since: (u64, i64)) -> bool {
    change_marks(conn) != since
}

/// What [`changed_since`] compares.
pub fn change_marks(conn: &Connection) -> (u64, i64) {
    let schema = conn
        .query_row("PRAGMA schema_version", [], |r| r.get(0))
        .unwrap_or_default();
    (conn.total_changes(), schema)
}

/// Runs `statements` on `conn` and answers `{"results":[...]}`.
pub fn run(conn: &Connection, statements: &[String]) -> ApiResult<Value> {
    let mut results = Vec::with_capacity(statements.len());
    let mut failed: Option<usize> = None;
    for (i, sql) in statements.iter().enumerate() {
        let number = i + 1;
        if let Some(at) = failed {
            results.push(json!({
                "statement": number,
                "success": false,
                "skipped": true,
                "error": {
                    "message": format!("not run: statement {at} failed"),
                    "code": "STATEMENT_SKIPPED",
                },
            }));
            continue;
        }
        match statement(conn, sql) {
            Ok(mut result) => {
                result["statement"] = json!(number);
                results.push(result);
            }
            Err(message) => {
                failed = Some(number);
                results.push(json!({
                    "statement": number,
                    "success": false,
                    "error": { "message": message, "code": "SQL_ERROR" },
                }));
            }
        }
    }
    if !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
        if failed.is_none() {
            return Err(ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "transaction_left_open",
                "the statements left a transaction open; it was rolled back: end it with COMMIT \
                 in the same request",
            ));
        }
    }
    Ok(json!({ "results": results }))
}

/// One statement's result (without its number), or SQLite's message.
fn statement(conn: &Connection, sql: &str) -> Result<Value, String> {
    let started = Instant::now();
    let mut stmt = conn.prepare(sql).map_err(|e| e.to_string())?;
    let columns: Vec<Value> = stmt
        .columns()
        .iter()
        .map(|c| json!({ "name": c.name(), "decltype": c.decl_type().unwrap_or("") }))
        .collect();
    let width = columns.len();
    let before = conn.total_changes();
    let mut rows = Vec::new();
    {
        let mut answer = stmt.raw_query();
        while let Some(row) = answer.next().map_err(|e| e.to_string())? {
            if rows.len() == MAX_ROWS {
                return Err(format!(
                    "the statement answers more than {MAX_ROWS} rows; add a LIMIT"
                ));
            }
            let mut cells = Vec::with_capacity(width);
            for i in 0..width {
                cells.push(cell(row.get_ref(i).map_err(|e| e.to_string())?));
            }
            rows.push(Value::Array(cells));
        }
    }
    let written = if stmt.readonly() {
        0
    } else {
        conn.total_changes().saturating_sub(before)
    };
    Ok(json!({
        "success": true,
        "columns": columns,
        // The rows this statement changed (`changes()` keeps the last DML's count across DDL).
        "affected_row_count": written,
        "last_insert_rowid": conn.last_insert_rowid().to_string(),
        "rows_read": rows.len(),
        "rows_written": written,
        "rows": rows,
        "query_duration_ms": started.elapsed().as_secs_f64() * 1000.0,
    }))
}

/// A cell: `{type, value}` with the value as a string, or `{type: "blob", base64}`.
fn cell(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => json!({ "type": "null" }),
        ValueRef::Integer(n) => json!({ "type": "integer", "value": n.to_string() }),
        ValueRef::Real(f) => json!({ "type": "float", "value": f.to_string() }),
        ValueRef::Text(t) => json!({ "type": "text", "value": String::from_utf8_lossy(t) }),
        ValueRef::Blob(b) => json!({
            "type": "blob",
            "base64": base64::engine::general_purpose::STANDARD.encode(b),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results(conn: &Connection, sql: &[&str]) -> ApiResult<Vec<Value>> {
        let statements: Vec<String> = sql.iter().map(|s| s.to_string()).collect();
        Ok(run(conn, &statements)?["results"]
            .as_array()
            .unwrap()
            .clone())
    }

    #[test]
    fn statements_run_in_order_and_stop_at_the_first_failure() {
        let conn = Connection::open_in_memory().unwrap();
        let r = results(
            &conn,
            &[
                "CREATE TABLE t (x TEXT, y REAL, z BLOB)",
                "INSERT INTO t VALUES ('a', 1.5, x'00ff'), (NULL, 2, NULL)",
                "SELECT x, y, z, 7 AS n FROM t ORDER BY rowid",
                "SELECT * FROM missing",
                "INSERT INTO t VALUES ('never', 0, NULL)",
            ],
        )
        .unwrap();
        assert_eq!(r.len(), 5);
        assert_eq!(r[1]["affected_row_count"], 2);
        assert_eq!(r[1]["last_insert_rowid"], "2");
        assert_eq!(r[2]["columns"][0]["decltype"], "TEXT");
        assert_eq!(r[2]["rows"][0][0], json!({"type": "text", "value": "a"}));
        assert_eq!(r[2]["rows"][0][1], json!({"type": "float", "value": "1.5"}));
        assert_eq!(
            r[2]["rows"][0][2],
            json!({"type": "blob", "base64": "AP8="})
        );
        assert_eq!(r[2]["rows"][0][3], json!({"type": "integer", "value": "7"}));
        assert_eq!(r[2]["rows"][1][0], json!({"type": "null"}));
        assert_eq!(r[2]["rows_read"], 2);
        assert_eq!(r[3]["success"], false);
        assert_eq!(r[3]["error"]["code"], "SQL_ERROR");
        assert!(r[3]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no such table"));
        assert_eq!(r[4]["skipped"], true);
        let n: i64 = conn
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2, "the statement after the failure was not run");
        // DDL after DML changes no row, and still counts as a change of the database.
        let marks = change_marks(&conn);
        let r = results(&conn, &["CREATE TABLE u (x)"]).unwrap();
        assert_eq!(r[0]["affected_row_count"], 0);
        assert!(changed_since(&conn, marks));
    }

    #[test]
    fn an_open_transaction_is_rolled_back() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (x)").unwrap();
        let e = results(&conn, &["BEGIN", "INSERT INTO t VALUES (1)"]).unwrap_err();
        assert_eq!(e.status.as_u16(), 422);
        // A failure inside a transaction: the results tell it, and nothing stays.
        let r = results(
            &conn,
            &[
                "BEGIN",
                "INSERT INTO t VALUES (1)",
                "INSERT INTO nope VALUES (1)",
                "COMMIT",
            ],
        )
        .unwrap();
        assert_eq!(r[2]["success"], false);
        assert_eq!(r[3]["skipped"], true);
        let n: i64 = conn
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
        let r = results(&conn, &["BEGIN", "INSERT INTO t VALUES (1)", "COMMIT"]).unwrap();
        assert!(r.iter().all(|s| s["success"] == true));
    }

    #[test]
    fn bodies_hold_the_public_limits() {
        let check = |v: Value| crate::local::model::validate::body::<QueryInput>(v);
        assert_eq!(check(json!({"sql": "SELECT 1"})).unwrap(), ["SELECT 1"]);
        assert_eq!(
            check(json!({"batch": [{"sql": "SELECT 1"}, {"sql": "SELECT 2"}]}))
                .unwrap()
                .len(),
            2
        );
        for bad in [
            json!({}),
            json!({"sql": "SELECT 1", "batch": [{"sql": "SELECT 2"}]}),
            json!({"batch": []}),
            json!({"sql": " "}),
            json!({"sql": "x".repeat(MAX_STATEMENT_BYTES + 1)}),
            json!({"batch": vec![json!({"sql": "SELECT 1"}); MAX_STATEMENTS + 1]}),
            json!({"batch": vec![json!({"sql": "x".repeat(MAX_STATEMENT_BYTES)}); 19]}),
        ] {
            assert_eq!(
                check(bad.clone()).unwrap_err().status.as_u16(),
                400,
                "{bad}"
            );
        }
    }
}
