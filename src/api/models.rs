//! Typed request and response bodies of the platform API (docs/api/openapi.yaml).

use serde::{Deserialize, Serialize};

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

// Apps, environment, deployments and builds: see `super::apps`.
pub use super::apps::{App, AppDeletion, Build, DeployOptions, Deployment, EnvPut, EnvVar};

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct HostnameDnsRecord {
    pub purpose: String,
    #[serde(rename = "type")]
    pub record_type: String,
    pub name: String,
    pub value: String,
    pub ttl: i64,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Hostname {
    pub hostname: String,
    pub app_id: String,
    pub project_id: String,
    pub dns_mode: String,
    pub domain: Option<String>,
    pub status: String,
    pub dns_records: Vec<HostnameDnsRecord>,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct HostnameAttach<'a> {
    pub hostname: &'a str,
    pub dns_mode: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<&'a str>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Domain {
    pub domain: String,
    pub project_id: String,
    pub name_servers: Vec<String>,
    pub status: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DomainOnboard<'a> {
    pub domain: &'a str,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Record {
    pub record_id: String,
    pub project_id: String,
    pub domain: String,
    pub name: String,
    #[serde(rename = "type")]
    pub record_type: String,
    pub values: Vec<String>,
    pub ttl: i64,
    pub priority: Option<i64>,
    pub managed_by: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecordInput<'a> {
    pub name: &'a str,
    #[serde(rename = "type")]
    pub record_type: &'a str,
    pub values: &'a [String],
    pub ttl: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
}

/// The registrar's answer for one name (`GET /v1/registrar/availability`). Amounts are
/// decimal strings with two decimals (`"12.00"`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Availability {
    pub domain: String,
    pub available: bool,
    /// `taken` or `unsupported_tld` when not available.
    pub reason: Option<String>,
    pub premium: bool,
    pub currency: Option<String>,
    pub price_per_year: Option<String>,
    pub periods: Vec<i64>,
}

/// A domain bought through the registrar. `price` is the total charged for `years`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Registration {
    pub domain: String,
    pub project_id: String,
    pub years: i64,
    pub auto_renew: bool,
    pub price: String,
    pub currency: String,
    pub premium: bool,
    pub status: String,
    pub created_at: String,
    pub expires_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegistrationCreate<'a> {
    pub domain: &'a str,
    pub years: i64,
    pub auto_renew: bool,
    /// The total for `years` the caller agreed to (the availability price times `years`).
    pub expected_price: &'a str,
    pub currency: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegistrationUpdate {
    pub auto_renew: bool,
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
