//! Typed request and response bodies of the platform API (docs/api/openapi.yaml).

use serde::Deserialize;

pub use super::databases::{
    Database, DatabaseCreate, DatabaseCreated, DatabaseToken, DatabaseTokenCreate,
    DatabaseTokenRenew, MintedDatabaseToken, RotatedToken, TokenSecret,
};
pub use super::domains::{Delegation, DelegationCheck, Domain, DomainOnboard, Record, RecordInput};
pub use super::hostnames::{Hostname, HostnameAttach, HostnameDnsRecord};
pub use super::projects::{Project, ProjectName};
pub use super::registrar::{Availability, Registration, RegistrationCreate, RegistrationUpdate};

/// A page of a list: `{"items": [...], "next_cursor": ...}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

// Apps, environment, deployments and builds: see `super::apps`.
pub use super::apps::{App, AppDeletion, Build, DeployOptions, Deployment, EnvPut, EnvVar};
