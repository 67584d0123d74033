//! Typed request and response bodies of the platform API (docs/api/openapi.yaml).

use serde::{Deserialize, Serialize};

pub use super::databases::{
    Database, DatabaseCreate, DatabaseCreated, DatabaseToken, DatabaseTokenCreate,
    DatabaseTokenRenew, MintedDatabaseToken, RotatedToken, TokenSecret,
};
pub use super::projects::{Project, ProjectName};

/// A page of a list: `{"items": [...], "next_cursor": ...}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
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
