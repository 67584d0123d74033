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
    pub code: String,
    pub message: String,
    /// 403: the scope the token lacks.
    pub required_scope: Option<String>,
    /// 422: the request field at fault.
    pub field: Option<String>,
    /// Anything else the envelope carried (e.g. the objects that block a delete).
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

/// The platform's error envelope: `{"error": {"code", "message", ...}}`.
#[derive(serde::Deserialize)]
pub(crate) struct Envelope {
    pub error: EnvelopeBody,
}

#[derive(serde::Deserialize)]
pub(crate) struct EnvelopeBody {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub required_scope: Option<String>,
    #[serde(default)]
    pub field: Option<String>,
    #[serde(flatten)]
    pub rest: serde_json::Map<String, serde_json::Value>,
}
