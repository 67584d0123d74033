//! The running platform: its store, its database-token signer, its settings, and the traffic
//! state of throttling and request counting; every front (the API, the data planes, DNS)
//! holds one.

use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use super::db_tokens::Signer;
use super::ratelimit::RateLimiter;
use super::stats::RequestCounts;
use crate::local::store::Store;

/// Behaviour settings that handlers read.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The data directory (the store, and each database's own SQLite file).
    pub data_dir: std::path::PathBuf,
    pub database_provision_delay: Duration,
    pub domain_activation_delay: Duration,
    pub resolver: Option<SocketAddr>,
    pub max_json_bytes: usize,
    pub max_bundle_bytes: usize,
    pub database_url_base: String,
    /// The S3 endpoint of the storage buckets (`http://HOST:PORT` of [`crate::local::s3`]).
    pub storage_endpoint: String,
    pub fail_rate: f64,
    pub fail_after_share: f64,
    pub latency: Duration,
    /// Serve the extension routes (see [`crate::local::contract`]); off, they answer 404.
    pub extensions: bool,
}

pub struct Shared {
    pub store: Store,
    /// Signs and checks database tokens (its key is in the data directory).
    pub signer: Arc<Signer>,
    pub settings: Settings,
    pub limiter: Option<RateLimiter>,
    pub counts: RequestCounts,
    /// `METHOD route` (normalised, see [`crate::local::contract::normalize`]) of each request
    /// still to lose its answer after its work (`Config::lose_answers`).
    pub lose_answers: std::sync::Mutex<Vec<String>>,
    /// Databases written to since their last snapshot (see [`super::restore_points`]).
    pub written: std::sync::Mutex<std::collections::HashSet<String>>,
    /// Seed operations whose upload is being received now.
    pub uploads: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl Shared {
    /// Notes that a database's data changed: its next snapshot is due.
    pub fn mark_written(&self, database_id: &str) {
        self.written
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(database_id.to_string());
    }

    /// Claims the upload of a seed operation: false while another one is being received.
    pub fn begin_upload(&self, operation_id: &str) -> bool {
        self.uploads
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(operation_id.to_string())
    }

    /// Ends an upload claimed by [`Shared::begin_upload`].
    pub fn end_upload(&self, operation_id: &str) {
        self.uploads
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(operation_id);
    }

    /// The databases written to since the last call.
    pub fn take_written(&self) -> Vec<String> {
        let mut w = self.written.lock().unwrap_or_else(|p| p.into_inner());
        w.drain().collect()
    }
}

/// The state every handler gets.
#[derive(Clone)]
pub struct AppState(pub Arc<Shared>);

impl Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}
