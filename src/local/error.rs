//! Errors as the platform sends them: problem details (`application/problem+json`,
//! `{"title","status","detail","code"}`), the only error shape the public API shows.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

/// An API error, rendered as the error envelope (boxed: errors travel in every `Result`).
#[derive(Debug, Clone)]
pub struct ApiError(Box<ErrorData>);

/// What an [`ApiError`] says.
#[derive(Debug, Clone)]
pub struct ErrorData {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    pub reason: Option<&'static str>,
    pub required_scope: Option<&'static str>,
    pub details: Option<Value>,
    pub retry_after: Option<u64>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl std::ops::Deref for ApiError {
    type Target = ErrorData;
    fn deref(&self) -> &ErrorData {
        &self.0
    }
}

impl std::ops::DerefMut for ApiError {
    fn deref_mut(&mut self) -> &mut ErrorData {
        &mut self.0
    }
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError(Box::new(ErrorData {
            status,
            code,
            message: message.into(),
            field: None,
            reason: None,
            required_scope: None,
            details: None,
            retry_after: None,
        }))
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn missing_scope(scope: &'static str) -> Self {
        let mut e = Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("the token lacks the scope {scope}"),
        );
        e.reason = Some("missing_scope");
        e.required_scope = Some(scope);
        e
    }

    pub fn not_a_member(user: &str, project_id: &str) -> Self {
        let mut e = Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("user {user} is not a member of project {project_id}"),
        );
        e.reason = Some("not_a_member");
        e
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// 400 naming the offending field in its detail (the platform's documented validation
    /// answer is a plain 400 problem; no field member is public).
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        let mut e = Self::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("{field}: {}", message.into()),
        );
        e.field = Some(field);
        e
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the body is larger than {limit} bytes"),
        )
    }

    pub fn unsupported_media_type(expected: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("the body must be sent as Content-Type: {expected}"),
        )
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", message)
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    /// The problem details body. `title` is the status's reason phrase, `detail` the message,
    /// `code` the machine code (the CLI reads codes such as `RUNNER_POOL_UNAVAILABLE`).
    /// Nothing else: the public material shows no other members, and a client that needed
    /// them would only work against this emulator.
    pub fn body(&self) -> Value {
        let mut e = Map::new();
        e.insert(
            "title".into(),
            json!(self.status.canonical_reason().unwrap_or("Error")),
        );
        e.insert("status".into(), json!(self.status.as_u16()));
        e.insert("detail".into(), json!(self.message));
        e.insert("code".into(), json!(self.code.to_ascii_uppercase()));
        Value::Object(e)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl std::error::Error for ApiError {}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        tracing::error!(error = %e, "database error");
        ApiError::internal("internal database error")
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        tracing::error!(error = %e, "stored JSON could not be read");
        ApiError::internal("internal data error")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, axum::Json(self.body())).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}
