//! Running a stream's requests on its SQLite connection: statements with their arguments,
//! batches with their conditions, sequences, descriptions and stored SQL texts. A read-only
//! token's stream refuses every statement that would write (`sqlite3_stmt_readonly`).

use std::collections::HashMap;

use rusqlite::fallible_iterator::FallibleIterator;
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, ErrorCode, Statement};

use super::proto::{
    Batch, BatchCond, BatchResult, Col, DescribeCol, DescribeParam, DescribeResult, Error,
    NamedArg, Stmt, StmtResult, StreamRequest, StreamResponse, Value,
};

/// Most rows one statement may answer, so that one request cannot exhaust the server.
const MAX_ROWS: usize = 100_000;

/// Most SQL texts one stream may store.
const MAX_STORED_SQL: usize = 1_000;

/// What a stream's requests run on.
pub struct Session {
    pub conn: Connection,
    sql: HashMap<i32, String>,
}

/// What the request's token allows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Access {
    ReadWrite,
    ReadOnly,
}

/// Whether the stream was asked to close.
pub enum Outcome {
    Open,
    Closed,
}

impl Session {
    pub fn new(conn: Connection) -> Session {
        Session {
            conn,
            sql: HashMap::new(),
        }
    }

    /// Run one request of a pipeline.
    pub fn run(
        &mut self,
        req: StreamRequest,
        access: Access,
    ) -> (Result<StreamResponse, Error>, Outcome) {
        let out = match req {
            StreamRequest::Close => return (Ok(StreamResponse::Close), Outcome::Closed),
            StreamRequest::Execute { stmt } => self
                .execute(&stmt, access)
                .map(|result| StreamResponse::Execute { result }),
            StreamRequest::Batch { batch } => Ok(StreamResponse::Batch {
                result: self.batch(&batch, access),
            }),
            StreamRequest::Sequence { sql, sql_id } => self
                .text(sql, sql_id)
                .and_then(|sql| self.sequence(&sql, access))
                .map(|()| StreamResponse::Sequence),
            StreamRequest::Describe { sql, sql_id } => self
                .text(sql, sql_id)
                .and_then(|sql| self.describe(&sql))
                .map(|result| StreamResponse::Describe { result }),
            StreamRequest::StoreSql { sql_id, sql } => self.store(sql_id, sql),
            StreamRequest::CloseSql { sql_id } => {
                self.sql.remove(&sql_id);
                Ok(StreamResponse::CloseSql)
            }
            StreamRequest::GetAutocommit => Ok(StreamResponse::GetAutocommit {
                is_autocommit: self.conn.is_autocommit(),
            }),
        };
        (out, Outcome::Open)
    }

    fn store(&mut self, sql_id: i32, sql: String) -> Result<StreamResponse, Error> {
        if self.sql.contains_key(&sql_id) {
            return Err(Error::new(
                "SQL_STORE_FAILED",
                format!("SQL text {sql_id} is already stored on this stream"),
            ));
        }
        if self.sql.len() >= MAX_STORED_SQL {
            return Err(Error::new(
                "SQL_STORE_FAILED",
                format!("a stream stores at most {MAX_STORED_SQL} SQL texts"),
            ));
        }
        self.sql.insert(sql_id, sql);
        Ok(StreamResponse::StoreSql)
    }

    /// The SQL text a request gives directly or by a stored id (exactly one of the two).
    fn text(&self, sql: Option<String>, sql_id: Option<i32>) -> Result<String, Error> {
        match (sql, sql_id) {
            (Some(sql), None) => Ok(sql),
            (None, Some(id)) => self.sql.get(&id).cloned().ok_or_else(|| {
                Error::new(
                    "SQL_NOT_FOUND",
                    format!("no SQL text {id} is stored on this stream"),
                )
            }),
            (Some(_), Some(_)) => Err(Error::new(
                "SQL_ID_AND_TEXT",
                "give either `sql` or `sql_id`, not both",
            )),
            (None, None) => Err(Error::new("SQL_MISSING", "give `sql` or `sql_id`")),
        }
    }

    pub fn execute(&mut self, stmt: &Stmt, access: Access) -> Result<StmtResult, Error> {
        let sql = self.text(stmt.sql.clone(), stmt.sql_id)?;
        let mut prepared = self.conn.prepare(&sql).map_err(sql_error)?;
        refuse_write(&prepared, access)?;
        bind(&mut prepared, &stmt.args, &stmt.named_args)?;
        let cols: Vec<Col> = prepared
            .columns()
            .iter()
            .map(|c| Col {
                name: Some(c.name().to_string()),
                decltype: c.decl_type().map(str::to_string),
            })
            .collect();
        let want_rows = stmt.want_rows.unwrap_or(true);
        let changes_before = self.conn.total_changes();
        let mut rows = Vec::new();
        {
            let mut cursor = prepared.raw_query();
            while let Some(row) = cursor.next().map_err(sql_error)? {
                if !want_rows {
                    continue;
                }
                if rows.len() == MAX_ROWS {
                    return Err(Error::new(
                        "RESPONSE_TOO_LARGE",
                        format!("a statement answers at most {MAX_ROWS} rows; use LIMIT"),
                    ));
                }
                let values = (0..cols.len())
                    .map(|i| row.get_ref(i).map(to_value))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(sql_error)?;
                rows.push(values);
            }
        }
        drop(prepared);
        Ok(StmtResult {
            cols,
            rows,
            // SQLite keeps the count of the last INSERT, UPDATE or DELETE through other
            // statements (a SELECT, a CREATE TABLE): a statement that changed no row gets 0.
            affected_row_count: if self.conn.total_changes() == changes_before {
                0
            } else {
                self.conn.changes()
            },
            last_insert_rowid: Some(self.conn.last_insert_rowid().to_string()),
        })
    }

    pub fn batch(&mut self, batch: &Batch, access: Access) -> BatchResult {
        // Per step: None when skipped, else whether it succeeded.
        let mut outcomes: Vec<Option<bool>> = Vec::with_capacity(batch.steps.len());
        let mut result = BatchResult {
            step_results: Vec::with_capacity(batch.steps.len()),
            step_errors: Vec::with_capacity(batch.steps.len()),
        };
        for step in &batch.steps {
            let run = match &step.condition {
                None => true,
                Some(cond) => self.holds(cond, &outcomes),
            };
            if !run {
                outcomes.push(None);
                result.step_results.push(None);
                result.step_errors.push(None);
                continue;
            }
            match self.execute(&step.stmt, access) {
                Ok(r) => {
                    outcomes.push(Some(true));
                    result.step_results.push(Some(r));
                    result.step_errors.push(None);
                }
                Err(e) => {
                    outcomes.push(Some(false));
                    result.step_results.push(None);
                    result.step_errors.push(Some(e));
                }
            }
        }
        result
    }

    /// A condition over the steps run so far (a later step has not run: neither ok nor error).
    fn holds(&self, cond: &BatchCond, outcomes: &[Option<bool>]) -> bool {
        let step = |i: u32| outcomes.get(i as usize).copied().flatten();
        match cond {
            BatchCond::Ok { step: i } => step(*i) == Some(true),
            BatchCond::Error { step: i } => step(*i) == Some(false),
            BatchCond::Not { cond } => !self.holds(cond, outcomes),
            BatchCond::And { conds } => conds.iter().all(|c| self.holds(c, outcomes)),
            BatchCond::Or { conds } => conds.iter().any(|c| self.holds(c, outcomes)),
            BatchCond::IsAutocommit => self.conn.is_autocommit(),
        }
    }

    /// Every statement of `sql` in order, rows ignored; the first failure stops the rest.
    fn sequence(&mut self, sql: &str, access: Access) -> Result<(), Error> {
        let mut batch = rusqlite::Batch::new(&self.conn, sql);
        while let Some(mut stmt) = batch.next().map_err(sql_error)? {
            refuse_write(&stmt, access)?;
            if stmt.parameter_count() > 0 {
                return Err(Error::new(
                    "ARGS_INVALID",
                    "a sequence's statements take no arguments",
                ));
            }
            let mut rows = stmt.raw_query();
            while rows.next().map_err(sql_error)?.is_some() {}
        }
        Ok(())
    }

    fn describe(&self, sql: &str) -> Result<DescribeResult, Error> {
        let stmt = self.conn.prepare(sql).map_err(sql_error)?;
        Ok(DescribeResult {
            params: (1..=stmt.parameter_count())
                .map(|i| DescribeParam {
                    name: stmt.parameter_name(i).map(str::to_string),
                })
                .collect(),
            cols: stmt
                .columns()
                .iter()
                .map(|c| DescribeCol {
                    name: c.name().to_string(),
                    decltype: c.decl_type().map(str::to_string),
                })
                .collect(),
            is_explain: stmt.is_explain() != 0,
            is_readonly: stmt.readonly(),
        })
    }
}

fn refuse_write(stmt: &Statement<'_>, access: Access) -> Result<(), Error> {
    if access == Access::ReadOnly && !stmt.readonly() {
        return Err(Error::new(
            "SQLITE_READONLY",
            "this token is read_only: the statement would write to the database",
        ));
    }
    Ok(())
}

/// Bind positional arguments to `?1..`, then named ones (which win over a positional one for
/// the same parameter); every parameter must get a value and every argument a parameter.
fn bind(stmt: &mut Statement<'_>, args: &[Value], named: &[NamedArg]) -> Result<(), Error> {
    let count = stmt.parameter_count();
    let invalid = |m: String| Error::new("ARGS_INVALID", m);
    if args.len() > count {
        return Err(invalid(format!(
            "the statement takes {count} argument(s), {} given",
            args.len()
        )));
    }
    let mut bound = vec![false; count + 1];
    for (i, v) in args.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, to_sql(v))
            .map_err(sql_error)?;
        bound[i + 1] = true;
    }
    for arg in named {
        let index = if arg.name.starts_with([':', '@', '$', '?']) {
            stmt.parameter_index(&arg.name).map_err(sql_error)?
        } else {
            let mut found = None;
            for prefix in [':', '@', '$'] {
                found = stmt
                    .parameter_index(&format!("{prefix}{}", arg.name))
                    .map_err(sql_error)?;
                if found.is_some() {
                    break;
                }
            }
            found
        };
        let Some(index) = index else {
            return Err(invalid(format!(
                "the statement has no parameter named {}",
                arg.name
            )));
        };
        stmt.raw_bind_parameter(index, to_sql(&arg.value))
            .map_err(sql_error)?;
        bound[index] = true;
    }
    if let Some(missing) = (1..=count).find(|i| !bound[*i]) {
        let name = stmt
            .parameter_name(missing)
            .map_or_else(|| format!("?{missing}"), str::to_string);
        return Err(invalid(format!("no value for the parameter {name}")));
    }
    Ok(())
}

fn to_sql(v: &Value) -> SqlValue {
    match v {
        Value::Null => SqlValue::Null,
        Value::Integer { value } => SqlValue::Integer(*value),
        Value::Float { value } => SqlValue::Real(*value),
        Value::Text { value } => SqlValue::Text(value.clone()),
        Value::Blob { base64 } => SqlValue::Blob(base64.clone()),
    }
}

fn to_value(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(value) => Value::Integer { value },
        ValueRef::Real(value) => Value::Float { value },
        ValueRef::Text(t) => Value::Text {
            value: String::from_utf8_lossy(t).into_owned(),
        },
        ValueRef::Blob(b) => Value::Blob { base64: b.to_vec() },
    }
}

/// A SQLite failure as the protocol's error: the message SQLite gave and its result code's name.
pub fn sql_error(e: rusqlite::Error) -> Error {
    match &e {
        rusqlite::Error::SqliteFailure(f, message) => Error::new(
            code_name(f.code),
            message.clone().unwrap_or_else(|| f.to_string()),
        ),
        rusqlite::Error::SqlInputError { error, msg, .. } => {
            Error::new(code_name(error.code), msg.clone())
        }
        rusqlite::Error::MultipleStatement => Error::new(
            "SQL_MANY_STATEMENTS",
            "a statement's SQL holds one statement; use a sequence or a batch for more",
        ),
        _ => Error::new("SQLITE_ERROR", e.to_string()),
    }
}

fn code_name(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::ConstraintViolation => "SQLITE_CONSTRAINT",
        ErrorCode::DatabaseBusy => "SQLITE_BUSY",
        ErrorCode::DatabaseLocked => "SQLITE_LOCKED",
        ErrorCode::ReadOnly => "SQLITE_READONLY",
        ErrorCode::TypeMismatch => "SQLITE_MISMATCH",
        ErrorCode::TooBig => "SQLITE_TOOBIG",
        ErrorCode::DiskFull => "SQLITE_FULL",
        ErrorCode::DatabaseCorrupt => "SQLITE_CORRUPT",
        ErrorCode::OperationInterrupted => "SQLITE_INTERRUPT",
        ErrorCode::AuthorizationForStatementDenied => "SQLITE_AUTH",
        ErrorCode::ParameterOutOfRange => "SQLITE_RANGE",
        ErrorCode::SchemaChanged => "SQLITE_SCHEMA",
        _ => "SQLITE_ERROR",
    }
}
