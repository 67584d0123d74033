//! SQL through the platform API: `POST .../databases/{d}/query` with `{"sql"}` (one statement)
//! or `{"batch":[{"sql"}]}` (several, run in order), answered `{"results":[...]}`, one result
//! per statement (numbered from 1). A failed statement is `success: false` inside a 200; the
//! ones after it may be `skipped`.
//!
//! The route takes no Idempotency-Key that the public material shows, and SQL is not safe to
//! run twice, so a query is sent without one and retried only when the platform cannot have
//! run it (no connection, 429): after an answer was lost the caller learns that it was, and
//! decides (see [`QueryError::Unknown`]).

use serde::{Deserialize, Serialize};

use super::endpoints::seg;
use super::{ApiError, Client};

/// The public limits of one request.
pub const MAX_STATEMENTS: usize = 250;
pub const MAX_STATEMENT_BYTES: usize = 50 * 1024;
pub const MAX_SQL_BYTES: usize = 900 * 1024;

#[derive(Debug, Serialize)]
struct One<'a> {
    sql: &'a str,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum QueryBody<'a> {
    Sql { sql: &'a str },
    Batch { batch: Vec<One<'a>> },
}

/// A column of a statement's rows.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Column {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub decltype: Option<String>,
}

/// A cell: `{type: integer|text|null|..., value (a string)}` or `{type: blob, base64}`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Cell {
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub value: Option<serde_json::Value>,
    #[serde(default)]
    pub base64: Option<String>,
}

impl Cell {
    /// As text: NULL for a null, `base64:...` for a blob, else the value.
    pub fn display(&self) -> String {
        match (self.kind.as_str(), &self.value) {
            ("null", _) => "NULL".to_string(),
            ("blob", _) => format!("base64:{}", self.base64.as_deref().unwrap_or_default()),
            (_, Some(serde_json::Value::String(s))) => s.clone(),
            (_, Some(v)) => v.to_string(),
            (_, None) => String::new(),
        }
    }
}

/// A statement's error: `{message, code}` (the code is `SQL_ERROR` for a failed statement).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct StatementError {
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub code: String,
}

/// One statement's result. Every field but `success` may be missing from an answer.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct StatementResult {
    #[serde(default)]
    pub statement: Option<u64>,
    pub success: bool,
    #[serde(default)]
    pub skipped: bool,
    #[serde(default)]
    pub columns: Vec<Column>,
    #[serde(default)]
    pub rows: Vec<Vec<Cell>>,
    #[serde(default)]
    pub affected_row_count: Option<u64>,
    #[serde(default)]
    pub last_insert_rowid: Option<serde_json::Value>,
    #[serde(default)]
    pub rows_read: Option<u64>,
    #[serde(default)]
    pub rows_written: Option<u64>,
    #[serde(default)]
    pub query_duration_ms: Option<f64>,
    #[serde(default)]
    pub error: Option<StatementError>,
}

impl StatementResult {
    /// The statement's error message, or a generic one.
    pub fn message(&self) -> String {
        self.error
            .as_ref()
            .map(|e| e.message.trim().to_string())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "SQL execution failed".to_string())
    }
}

#[derive(Debug, Deserialize)]
struct QueryAnswer {
    results: Vec<StatementResult>,
}

/// Why a query has no results.
#[derive(Debug)]
pub enum QueryError {
    /// The platform refused it (4xx), or answered something unreadable: the statements did not
    /// run, or the answer says what happened.
    Refused(ApiError),
    /// The answer was lost after the request was sent (a timeout, a broken connection, a 5xx):
    /// the statements may or may not have run.
    Unknown(ApiError),
}

impl QueryError {
    pub fn api(&self) -> &ApiError {
        match self {
            QueryError::Refused(e) | QueryError::Unknown(e) => e,
        }
    }
}

impl Client {
    /// Runs `statements` (at least one) in order on the database: one result per statement.
    pub async fn query(
        &self,
        project_id: &str,
        database_id: &str,
        statements: &[String],
    ) -> Result<Vec<StatementResult>, QueryError> {
        let path = format!(
            "/v1/projects/{}/databases/{}/query",
            seg(project_id),
            seg(database_id)
        );
        let body = match statements {
            [one] => QueryBody::Sql { sql: one },
            many => QueryBody::Batch {
                batch: many.iter().map(|sql| One { sql }).collect(),
            },
        };
        let answer: QueryAnswer = self.post_unkeyed(&path, &body).await.map_err(|e| {
            let unknown = match &e {
                ApiError::Status(s) => s.status >= 500,
                ApiError::Transport { .. } => true,
                ApiError::Decode { .. } | ApiError::Cancelled => false,
            };
            if unknown {
                QueryError::Unknown(e)
            } else {
                QueryError::Refused(e)
            }
        })?;
        check_results(&answer.results, statements.len(), &path).map_err(QueryError::Refused)?;
        Ok(answer.results)
    }
}

/// One result per statement, numbered 1, 2, ... when numbered at all (as the official CLI
/// checks it).
fn check_results(results: &[StatementResult], sent: usize, path: &str) -> Result<(), ApiError> {
    let wrong = |message: String| ApiError::Decode {
        message,
        path: path.to_string(),
    };
    if results.len() != sent {
        return Err(wrong(format!(
            "the answer has {} results for {sent} statements",
            results.len()
        )));
    }
    for (i, r) in results.iter().enumerate() {
        if r.statement.is_some_and(|n| n != i as u64 + 1) {
            return Err(wrong(format!(
                "result {} is numbered {}",
                i + 1,
                r.statement.unwrap_or_default()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A result as the public material shows it (`databases execute --json`).
    const ANSWER: &str = r#"{"results":[
        {"statement":1,"success":true,"columns":[{"name":"one","decltype":""}],
         "rows":[[{"type":"integer","value":"1"},{"type":"null"},{"type":"blob","base64":"AP8="}]],
         "affected_row_count":0,"last_insert_rowid":"0","rows_read":1,"rows_written":0,
         "query_duration_ms":0.12},
        {"statement":2,"success":false,"error":{"message":"no such table: t","code":"SQL_ERROR"}},
        {"statement":3,"success":false,"skipped":true}
    ]}"#;

    #[test]
    fn results_are_read_in_the_public_shape() {
        let a: QueryAnswer = serde_json::from_str(ANSWER).unwrap();
        check_results(&a.results, 3, "/q").unwrap();
        let cells: Vec<String> = a.results[0].rows[0].iter().map(Cell::display).collect();
        assert_eq!(cells, ["1", "NULL", "base64:AP8="]);
        assert_eq!(a.results[1].message(), "no such table: t");
        assert!(a.results[2].skipped);
        assert_eq!(a.results[2].message(), "SQL execution failed");
        assert!(check_results(&a.results, 2, "/q").is_err());
    }

    #[test]
    fn one_statement_is_sql_and_more_are_a_batch() {
        let one = serde_json::to_value(QueryBody::Sql { sql: "SELECT 1" }).unwrap();
        assert_eq!(one, serde_json::json!({"sql": "SELECT 1"}));
        let batch = serde_json::to_value(QueryBody::Batch {
            batch: vec![One { sql: "a" }, One { sql: "b" }],
        })
        .unwrap();
        assert_eq!(
            batch,
            serde_json::json!({"batch": [{"sql": "a"}, {"sql": "b"}]})
        );
    }
}
