//! comwit-local: a local Comwit platform that implements `docs/api/openapi.yaml` on SQLite.
//!
//! Start it in-process with [`serve`]; administer the data directory with [`Admin`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), String> {
//! let dir = std::path::PathBuf::from("/tmp/comwit-local-demo");
//! let server = comwit::local::serve(comwit::local::Config {
//!     listen: "127.0.0.1:0".parse().unwrap(),
//!     data_dir: dir,
//!     ..Default::default()
//! })
//! .await?;
//! println!("{} {}", server.url(), server.dev_token().unwrap_or_default());
//! server.shutdown().await;
//! # Ok(()) }
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub mod admin;
pub mod auth;
pub mod cli;
pub mod dns;
pub mod error;
pub mod faults;
pub mod idempotency;
pub mod ids;
pub mod json;
pub mod ratelimit;
pub mod routes;
pub mod state;
pub mod stats;
pub mod store;
pub mod validate;

pub use admin::Admin;

use state::{AppState, Settings, Shared};
use store::Store;

/// File, in the data directory, that holds the bound address (`127.0.0.1:8787`).
pub const ADDRESS_FILE: &str = "address";

/// How to run comwit-local.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on; port 0 picks a free one (see [`Server::addr`]).
    pub listen: SocketAddr,
    /// Directory of the SQLite file, `dev-token` and `address`.
    pub data_dir: PathBuf,
    /// DNS server to look for Manual DNS records at, besides the hosted zones.
    pub resolver: Option<SocketAddr>,
    /// Fraction of requests answered 500/502/503, half of them after the work was done.
    pub fail_rate: f64,
    /// Share of those failures that come after the change was committed (default one half).
    pub fail_after_share: f64,
    /// Requests per second per token; beyond it 429 with Retry-After.
    pub rate_limit: Option<u32>,
    /// Delay added to every request.
    pub latency: Duration,
    /// How long a new database stays `provisioning`.
    pub database_provision_delay: Duration,
    /// How long a new domain stays `pending_delegation`.
    pub domain_activation_delay: Duration,
    /// How often pending Manual DNS hostnames are checked in the background.
    pub dns_check_interval: Duration,
    /// Largest deploy bundle.
    pub max_bundle_bytes: usize,
    /// Largest JSON body.
    pub max_json_bytes: usize,
    /// Base of `database_url`.
    pub database_url_base: String,
    /// Create the `dev` user and its token on first start.
    pub create_dev_user: bool,
    /// Write `DIR/address` once bound.
    pub write_address_file: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8787".parse().expect("literal address"),
            data_dir: PathBuf::from(".comwit-local"),
            resolver: None,
            fail_rate: 0.0,
            fail_after_share: 0.5,
            rate_limit: None,
            latency: Duration::ZERO,
            database_provision_delay: Duration::from_millis(1000),
            domain_activation_delay: Duration::from_millis(1000),
            dns_check_interval: Duration::from_millis(1000),
            max_bundle_bytes: 64 << 20,
            max_json_bytes: 8 << 20,
            database_url_base: "https://db.cloud.comwit.io".into(),
            create_dev_user: true,
            write_address_file: true,
        }
    }
}

/// A running comwit-local.
pub struct Server {
    addr: SocketAddr,
    data_dir: PathBuf,
    dev_token: Option<String>,
    admin: Admin,
    state: AppState,
    stop: watch::Sender<bool>,
    http: JoinHandle<std::io::Result<()>>,
    background: JoinHandle<()>,
}

impl Server {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The dev user's every-scope token, when known.
    pub fn dev_token(&self) -> Option<String> {
        self.dev_token.clone()
    }

    /// Administration on the same store.
    pub fn admin(&self) -> &Admin {
        &self.admin
    }

    /// Requests answered so far, by status (also at `GET /_local/stats`).
    pub fn request_counts(&self) -> std::collections::BTreeMap<u16, u64> {
        self.state.counts.snapshot()
    }

    /// Stop accepting, finish in-flight requests, and return.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.http.await;
        self.background.abort();
        let _ = self.background.await;
    }

    /// Run until stopped by a signal (Ctrl-C / SIGTERM), then shut down.
    pub async fn run_until_signal(self) {
        shutdown_signal().await;
        tracing::info!("shutting down");
        self.shutdown().await;
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

/// Open the data directory, bind, and serve in the background.
pub async fn serve(config: Config) -> Result<Server, String> {
    let data_dir = config.data_dir.clone();
    let store = {
        let d = data_dir.clone();
        tokio::task::spawn_blocking(move || Store::open(&d))
            .await
            .map_err(|e| e.to_string())??
    };
    let admin = Admin::new(store.clone());
    let dev_token = if config.create_dev_user {
        let (a, d) = (admin.clone(), data_dir.clone());
        tokio::task::spawn_blocking(move || a.ensure_dev_user(&d))
            .await
            .map_err(|e| e.to_string())??
    } else {
        None
    };
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    if config.write_address_file {
        admin::write_private(&data_dir.join(ADDRESS_FILE), &format!("{addr}\n"))
            .map_err(|e| format!("cannot write the address file: {e}"))?;
    }
    let state = AppState(Arc::new(Shared {
        store: store.clone(),
        settings: Settings {
            database_provision_delay: config.database_provision_delay,
            domain_activation_delay: config.domain_activation_delay,
            resolver: config.resolver,
            max_json_bytes: config.max_json_bytes,
            max_bundle_bytes: config.max_bundle_bytes,
            database_url_base: config.database_url_base.clone(),
            fail_rate: config.fail_rate.clamp(0.0, 1.0),
            fail_after_share: config.fail_after_share.clamp(0.0, 1.0),
            latency: config.latency,
        },
        limiter: config.rate_limit.map(ratelimit::RateLimiter::new),
        counts: stats::RequestCounts::default(),
    }));
    let app = routes::router(state.clone());
    let (stop, mut stopped) = watch::channel(false);
    let http = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.wait_for(|s| *s).await;
            })
            .await
    });
    let background = tokio::spawn(verify_loop(
        store,
        config.resolver,
        config.dns_check_interval,
    ));
    Ok(Server {
        addr,
        data_dir,
        dev_token,
        admin,
        state,
        stop,
        http,
        background,
    })
}

/// Turn pending Manual DNS hostnames active once their records are published.
async fn verify_loop(store: Store, resolver: Option<SocketAddr>, interval: Duration) {
    let interval = interval.max(Duration::from_millis(50));
    loop {
        tokio::time::sleep(interval).await;
        if let Err(e) = store.write(|tx| dns::verify_in_zones(tx, None)).await {
            tracing::warn!(error = %e, "checking pending hostnames failed");
        }
        let Some(resolver) = resolver else { continue };
        let pending = store
            .read(|tx| {
                let mut stmt = tx.prepare(
                    "SELECT hostname, dns_records FROM hostnames WHERE status = 'pending' LIMIT 200",
                )?;
                let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .await
            .unwrap_or_default();
        for (hostname, records) in pending {
            let Ok(records) = serde_json::from_str::<Vec<dns::HostRecord>>(&records) else {
                continue;
            };
            if dns::at_resolver(resolver, &records).await {
                tracing::info!(hostname = %hostname, "records found at the resolver; hostname active");
                let _ = store.write(move |tx| dns::mark_active(tx, &hostname)).await;
            }
        }
    }
}
