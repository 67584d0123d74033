//! The JSON structures of Hrana over HTTP (versions 2 and 3). Unknown fields are ignored, as
//! the protocol asks of both peers.

use serde::{Deserialize, Serialize};

/// `POST v2/pipeline`, `POST v3/pipeline`.
#[derive(Debug, Deserialize)]
pub struct PipelineRequest {
    #[serde(default)]
    pub baton: Option<String>,
    pub requests: Vec<StreamRequest>,
}

#[derive(Debug, Serialize)]
pub struct PipelineResponse {
    pub baton: Option<String>,
    pub base_url: Option<String>,
    pub results: Vec<StreamResult>,
}

/// `POST v3/cursor`: one batch, answered as lines of JSON.
#[derive(Debug, Deserialize)]
pub struct CursorRequest {
    #[serde(default)]
    pub baton: Option<String>,
    pub batch: Batch,
}

/// The first line of a cursor's answer.
#[derive(Debug, Serialize)]
pub struct CursorHead {
    pub baton: Option<String>,
    pub base_url: Option<String>,
}

/// The following lines: a batch's results, step by step.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CursorEntry {
    StepBegin {
        step: usize,
        cols: Vec<Col>,
    },
    StepEnd {
        affected_row_count: u64,
        last_insert_rowid: Option<String>,
    },
    StepError {
        step: usize,
        error: Error,
    },
    Row {
        row: Vec<Value>,
    },
}

impl CursorEntry {
    /// The entries of a batch's result, in step order; skipped steps have none.
    pub fn of_batch(result: BatchResult) -> Vec<CursorEntry> {
        let mut entries = Vec::new();
        let steps = result.step_results.into_iter().zip(result.step_errors);
        for (step, outcome) in steps.enumerate() {
            match outcome {
                (Some(r), _) => {
                    entries.push(CursorEntry::StepBegin { step, cols: r.cols });
                    entries.extend(r.rows.into_iter().map(|row| CursorEntry::Row { row }));
                    entries.push(CursorEntry::StepEnd {
                        affected_row_count: r.affected_row_count,
                        last_insert_rowid: r.last_insert_rowid,
                    });
                }
                (None, Some(error)) => entries.push(CursorEntry::StepError { step, error }),
                (None, None) => {}
            }
        }
        entries
    }
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StreamResult {
    Ok { response: StreamResponse },
    Error { error: Error },
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StreamRequest {
    Close,
    Execute {
        stmt: Stmt,
    },
    Batch {
        batch: Batch,
    },
    Sequence {
        #[serde(default)]
        sql: Option<String>,
        #[serde(default)]
        sql_id: Option<i32>,
    },
    Describe {
        #[serde(default)]
        sql: Option<String>,
        #[serde(default)]
        sql_id: Option<i32>,
    },
    StoreSql {
        sql_id: i32,
        sql: String,
    },
    CloseSql {
        sql_id: i32,
    },
    GetAutocommit,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StreamResponse {
    Close,
    Execute { result: StmtResult },
    Batch { result: BatchResult },
    Sequence,
    Describe { result: DescribeResult },
    StoreSql,
    CloseSql,
    GetAutocommit { is_autocommit: bool },
}

/// An error of a request, or of the whole pipeline (the body of a 4xx).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Error {
    pub message: String,
    pub code: String,
}

impl Error {
    pub fn new(code: &str, message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
            code: code.into(),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Stmt {
    #[serde(default)]
    pub sql: Option<String>,
    #[serde(default)]
    pub sql_id: Option<i32>,
    #[serde(default)]
    pub args: Vec<Value>,
    #[serde(default)]
    pub named_args: Vec<NamedArg>,
    #[serde(default)]
    pub want_rows: Option<bool>,
}

#[derive(Debug, Deserialize)]
pub struct NamedArg {
    pub name: String,
    pub value: Value,
}

#[derive(Debug, Serialize)]
pub struct StmtResult {
    pub cols: Vec<Col>,
    pub rows: Vec<Vec<Value>>,
    pub affected_row_count: u64,
    pub last_insert_rowid: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Col {
    pub name: Option<String>,
    pub decltype: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Batch {
    pub steps: Vec<BatchStep>,
}

#[derive(Debug, Deserialize)]
pub struct BatchStep {
    #[serde(default)]
    pub condition: Option<BatchCond>,
    pub stmt: Stmt,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BatchCond {
    Ok { step: u32 },
    Error { step: u32 },
    Not { cond: Box<BatchCond> },
    And { conds: Vec<BatchCond> },
    Or { conds: Vec<BatchCond> },
    IsAutocommit,
}

#[derive(Debug, Serialize)]
pub struct BatchResult {
    pub step_results: Vec<Option<StmtResult>>,
    pub step_errors: Vec<Option<Error>>,
}

#[derive(Debug, Serialize)]
pub struct DescribeResult {
    pub params: Vec<DescribeParam>,
    pub cols: Vec<DescribeCol>,
    pub is_explain: bool,
    pub is_readonly: bool,
}

#[derive(Debug, Serialize)]
pub struct DescribeParam {
    pub name: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DescribeCol {
    pub name: String,
    pub decltype: Option<String>,
}

/// A SQLite value: integers travel as strings (64 bits do not fit a JSON number), blobs as
/// base64.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Value {
    Null,
    Integer {
        #[serde(with = "integer_text")]
        value: i64,
    },
    Float {
        value: f64,
    },
    Text {
        value: String,
    },
    Blob {
        #[serde(with = "base64_text")]
        base64: Vec<u8>,
    },
}

mod integer_text {
    use serde::{de, Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    /// A decimal string, as the protocol writes integers; a JSON integer is taken too.
    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Text {
            S(String),
            N(i64),
        }
        match Text::deserialize(d)? {
            Text::N(n) => Ok(n),
            Text::S(s) => s
                .parse()
                .map_err(|_| de::Error::custom(format!("{s:?} is not a 64-bit integer"))),
        }
    }
}

mod base64_text {
    use base64::alphabet::STANDARD;
    use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
    use base64::engine::DecodePaddingMode;
    use base64::Engine;
    use serde::{de, Deserialize, Deserializer, Serializer};

    /// Clients differ on padding: read either.
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );

    pub(super) fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        LENIENT
            .decode(String::deserialize(d)?)
            .map_err(|e| de::Error::custom(format!("a blob is base64: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_round_trip_in_their_json_form() {
        let cases = [
            (json!({"type": "null"}), Value::Null),
            (
                json!({"type": "integer", "value": "-9223372036854775808"}),
                Value::Integer { value: i64::MIN },
            ),
            (
                json!({"type": "float", "value": 1.5}),
                Value::Float { value: 1.5 },
            ),
            (
                json!({"type": "text", "value": "é"}),
                Value::Text { value: "é".into() },
            ),
            (
                json!({"type": "blob", "base64": "AAH/"}),
                Value::Blob {
                    base64: vec![0, 1, 255],
                },
            ),
        ];
        for (j, v) in cases {
            assert_eq!(serde_json::from_value::<Value>(j.clone()).unwrap(), v);
            assert_eq!(serde_json::to_value(&v).unwrap(), j);
        }
        let unpadded: Value =
            serde_json::from_value(json!({"type": "blob", "base64": "AAE"})).unwrap();
        assert_eq!(unpadded, Value::Blob { base64: vec![0, 1] });
        assert!(
            serde_json::from_value::<Value>(json!({"type": "integer", "value": "1.5"})).is_err()
        );
        assert!(serde_json::from_value::<Value>(json!({"type": "date"})).is_err());
    }

    #[test]
    fn requests_ignore_unknown_fields() {
        let r: PipelineRequest = serde_json::from_value(json!({
            "baton": null,
            "future": 1,
            "requests": [
                {"type": "execute", "stmt": {"sql": "SELECT 1", "extra": true}},
                {"type": "batch", "batch": {"steps": [
                    {"stmt": {"sql": "SELECT 1"}},
                    {"condition": {"type": "not", "cond": {"type": "ok", "step": 0}}, "stmt": {"sql_id": 1}}
                ]}},
                {"type": "get_autocommit"},
                {"type": "close"}
            ]
        }))
        .unwrap();
        assert_eq!(r.requests.len(), 4);
        assert!(matches!(r.requests[3], StreamRequest::Close));
    }
}
