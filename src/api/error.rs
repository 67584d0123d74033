//! Errors from the platform API, kept as the platform described them.

use std::fmt;

/// A failed API call.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// The platform answered with an error status and (usually) its error envelope.
    Status(Box<StatusError>),
    /// No answer: connection refused, timeout, TLS failure...
    Transport {
        message: String,
        method: String,
        path: String,
    },
    /// An answer we could not read.
    Decode { message: String, path: String },
    /// Terraform asked the provider to stop.
    Cancelled,
}

/// An error answer, as the platform's envelope described it.
#[derive(Debug, Clone)]
pub struct StatusError {
    pub status: u16,
    /// The problem's machine `code` (e.g. `RUNNER_POOL_UNAVAILABLE`); else the status's
    /// reason phrase in lower case.
    pub code: String,
    /// The problem's `title`, when it sent one.
    pub title: Option<String>,
    /// The problem's `detail` (else its title, else the start of the body).
    pub message: String,
    /// 403: the scope the token lacks.
    pub required_scope: Option<String>,
    /// 422: the request field at fault.
    pub field: Option<String>,
    /// The problem's other members (e.g. the objects that block a delete).
    pub details: serde_json::Value,
    pub method: String,
    pub path: String,
}

impl ApiError {
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status(e) => Some(e.status),
            _ => None,
        }
    }

    /// The error envelope, for an error answer.
    pub fn as_status(&self) -> Option<&StatusError> {
        match self {
            ApiError::Status(e) => Some(e),
            _ => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    pub fn is_conflict(&self) -> bool {
        self.status() == Some(409)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Status(e) => write!(
                f,
                "{} {} returned {} {}: {}",
                e.method, e.path, e.status, e.code, e.message
            ),
            ApiError::Transport {
                message,
                method,
                path,
            } => write!(f, "{method} {path} failed: {message}"),
            ApiError::Decode { message, path } => {
                write!(f, "the answer to {path} could not be read: {message}")
            }
            ApiError::Cancelled => f.write_str("cancelled: Terraform asked the provider to stop"),
        }
    }
}

impl std::error::Error for ApiError {}

/// An error answer's body: problem details (`{"title","status","detail","code"}`, RFC 9457),
/// the platform's documented error shape. Every member may be missing; an older
/// `{"error": "..."}` or `{"error": {"message"}}` body is read too rather than lost.
#[derive(serde::Deserialize, Default)]
pub(crate) struct Problem {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub error: Option<serde_json::Value>,
    #[serde(flatten)]
    pub rest: serde_json::Map<String, serde_json::Value>,
}

impl Problem {
    /// The human text: `detail`, else `title`, else an `error` member's text.
    pub(crate) fn message(&self) -> Option<String> {
        let from_error = || match &self.error {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Object(o)) => o
                .get("message")
                .or_else(|| o.get("detail"))
                .and_then(|m| m.as_str())
                .map(str::to_string),
            _ => None,
        };
        self.detail
            .clone()
            .filter(|d| !d.is_empty())
            .or_else(|| self.title.clone().filter(|t| !t.is_empty()))
            .or_else(from_error)
    }
}
