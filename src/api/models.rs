//! Typed request and response bodies of the platform API (docs/api/openapi.yaml).

use serde::{Deserialize, Serialize};

pub use super::domains::{Delegation, DelegationCheck, Domain, DomainOnboard, Record, RecordInput};
pub use super::hostnames::{Hostname, HostnameAttach, HostnameDnsRecord};
pub use super::registrar::{Availability, Registration, RegistrationCreate, RegistrationUpdate};

/// A page of a list: `{"items": [...], "next_cursor": ...}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// The token's user and scopes; also the `comwit_token` data source's result, attribute for
/// attribute.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Me {
    pub user_id: String,
    pub name: String,
    pub token_id: String,
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Project {
    pub project_id: String,
    pub name: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NameBody<'a> {
    pub name: &'a str,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Database {
    pub database_id: String,
    pub project_id: String,
    pub name: String,
    pub database_url: String,
    pub status: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct App {
    pub app_id: String,
    pub project_id: String,
    pub name: String,
    pub runtime: String,
    pub active_build_id: Option<String>,
    pub default_hostname: String,
    pub created_at: String,
    /// The key of the app's variable digests (HMAC-SHA256), hex. Present when the token holds
    /// `app:read` (absent from the rollback response). Never put it in a state.
    #[serde(default)]
    pub env_digest_key: Option<DigestKey>,
}

/// An app's `env_digest_key`: a secret, so its `Debug` form hides it.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct DigestKey(String);

impl DigestKey {
    pub fn new(hex: impl Into<String>) -> DigestKey {
        DigestKey(hex.into())
    }

    /// The key as the platform sends it (hex).
    pub fn hex(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for DigestKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DigestKey(..)")
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AppCreate<'a> {
    pub name: &'a str,
    pub runtime: &'a str,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct AppUpdate<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime: Option<&'a str>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct EnvVar {
    pub name: String,
    #[serde(default)]
    pub value: Option<String>,
    pub secret: bool,
    pub digest: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Env {
    pub variables: Vec<EnvVar>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnvVarInput<'a> {
    pub name: &'a str,
    pub value: &'a str,
    pub secret: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnvReplace<'a> {
    pub variables: Vec<EnvVarInput<'a>>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Build {
    pub build_id: String,
    pub app_id: String,
    pub project_id: String,
    pub source_sha256: String,
    pub size_bytes: i64,
    pub status: String,
    pub active: bool,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rollback<'a> {
    pub build_id: &'a str,
}

/// A database token's secret value (a JWT). Its `Debug` form hides it: it must never reach a
/// log, a state or a plan.
#[derive(Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct TokenSecret(String);

impl TokenSecret {
    pub fn new(value: impl Into<String>) -> TokenSecret {
        TokenSecret(value.into())
    }

    /// The value itself, for where it is meant to go (Terraform's ephemeral result).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSecret(..)")
    }
}

/// `POST .../databases/{database_id}/tokens`: both optional; the platform's defaults are
/// `full_access` and 3600 seconds.
#[derive(Debug, Clone, Serialize)]
pub struct DatabaseTokenCreate<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access: Option<&'a str>,
    /// Seconds, 60 to 31536000.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
}

/// A database token as lists and reads show it: metadata, never the secret.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct DatabaseToken {
    pub token_id: String,
    pub database_id: String,
    /// `full_access` or `read_only`.
    pub access: String,
    pub created_at: String,
    pub expires_at: String,
}

/// The answer to a mint: the metadata and, only here, the secret.
#[derive(Debug, Clone, Deserialize)]
pub struct MintedDatabaseToken {
    #[serde(flatten)]
    pub metadata: DatabaseToken,
    /// Absent if the platform ever answers a mint without it (e.g. a replay that withholds
    /// secrets): the caller then knows the token's ID, not its value.
    #[serde(default)]
    pub token: Option<TokenSecret>,
}

/// `POST .../tokens/{token_id}/renew`: the new lifetime, counted from now.
#[derive(Debug, Clone, Serialize)]
pub struct DatabaseTokenRenew {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
}
