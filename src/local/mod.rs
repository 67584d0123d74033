//! comwit-local: a local Comwit platform that implements `docs/api/openapi.yaml` on SQLite.
//!
//! Its layers read one way, each using only those below it (`tests` of a layer may use any):
//!
//! | layer | modules | what |
//! |---|---|---|
//! | command | [`cli`] | the `comwit-local` command |
//! | server | this module | [`serve`]: the listeners, wired to one [`model::state::AppState`] |
//! | fronts | [`http`], [`hrana`], [`apps_http`], [`dns_server`], [`s3`], [`admin`] | the platform API's handlers (one module per area), the databases' libSQL data plane, the apps served by `Host`, DNS for the project domains, the storages' S3 endpoint, the operator's commands |
//! | model | [`model`] | the platform: its objects, rules and answers, one module per area |
//! | store | [`store`] | SQLite: the schema and its migrations, transactions, each database's file |
//! | base | [`error`], [`ids`], [`contract`] | problem details, IDs and time, the route table of the contract |
//!
//! `tests/local_layers.rs` holds the code to it.
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
pub mod apps_http;
pub mod cli;
pub mod contract;
pub mod dns_server;
pub mod error;
pub mod hrana;
pub mod http;
pub mod ids;
pub mod model;
pub mod s3;
pub mod store;

pub use admin::Admin;

use model::state::{AppState, Settings, Shared};
use model::{db_tokens, dns, ratelimit, stats};
use store::files::write_private;
use store::Store;

/// File, in the data directory, that holds the bound address (`127.0.0.1:8787`).
pub const ADDRESS_FILE: &str = "address";

/// File, in the data directory, that names every listener: `{"api", "db", "apps", "dns", "storage"}`.
pub const LISTENERS_FILE: &str = "listeners.json";

/// How to run comwit-local.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address of the platform API; port 0 picks a free one (see [`Server::addr`]).
    pub listen: SocketAddr,
    /// Address of the databases' libSQL (Hrana over HTTP) listener.
    pub db_listen: SocketAddr,
    /// Address of the apps' HTTP listener (routed by `Host`).
    pub apps_listen: SocketAddr,
    /// Address of the DNS listener (UDP and TCP).
    pub dns_listen: SocketAddr,
    /// Address of the storages' S3 endpoint.
    pub storage_listen: SocketAddr,
    /// Directory of the platform's SQLite file, `databases/` (each database's own file),
    /// `database-token-key`, `dev-token`, `address` and `listeners.json`.
    pub data_dir: PathBuf,
    /// DNS server to look for Manual DNS records at, besides the hosted zones.
    pub resolver: Option<SocketAddr>,
    /// Fraction of requests answered 500/502/503, half of them after the work was done.
    pub fail_rate: f64,
    /// Share of those failures that come after the change was committed (default one half).
    pub fail_after_share: f64,
    /// Requests per second per token; beyond it 429 with Retry-After.
    pub rate_limit: Option<u32>,
    /// Routes (`POST /v1/projects/{project_id}/databases`) whose next request does its work
    /// and then loses its answer (a 502), once per entry: a deterministic lost answer, for
    /// tests of what a retry or the next apply makes of it.
    pub lose_answers: Vec<String>,
    /// Delay added to every request.
    pub latency: Duration,
    /// How long a new database stays `creating`.
    pub database_provision_delay: Duration,
    /// How long a new domain stays `pending_delegation`.
    pub domain_activation_delay: Duration,
    /// How often pending Manual DNS hostnames are checked in the background.
    pub dns_check_interval: Duration,
    /// How often the databases written to are snapshotted (a new restore point each).
    pub snapshot_interval: Duration,
    /// Largest deploy bundle.
    pub max_bundle_bytes: usize,
    /// Largest JSON body.
    pub max_json_bytes: usize,
    /// Base of `database_url`; by default the database listener's URL.
    pub database_url_base: Option<String>,
    /// Create the `dev` user and its token on first start.
    pub create_dev_user: bool,
    /// Write `DIR/address` once bound.
    pub write_address_file: bool,
    /// Serve the extension routes (project create, rollback, ...: docs/api/openapi.yaml,
    /// `x-comwit-source: extension`); false answers them 404, as the public platform does.
    pub extensions: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8787".parse().expect("literal address"),
            db_listen: "127.0.0.1:8788".parse().expect("literal address"),
            apps_listen: "127.0.0.1:8789".parse().expect("literal address"),
            dns_listen: "127.0.0.1:8753".parse().expect("literal address"),
            storage_listen: "127.0.0.1:8790".parse().expect("literal address"),
            data_dir: PathBuf::from(".comwit-local"),
            resolver: None,
            fail_rate: 0.0,
            fail_after_share: 0.5,
            rate_limit: None,
            lose_answers: Vec::new(),
            latency: Duration::ZERO,
            database_provision_delay: Duration::from_millis(1000),
            domain_activation_delay: Duration::from_millis(1000),
            dns_check_interval: Duration::from_millis(1000),
            snapshot_interval: Duration::from_millis(1000),
            max_bundle_bytes: 64 << 20,
            max_json_bytes: 8 << 20,
            database_url_base: None,
            create_dev_user: true,
            write_address_file: true,
            extensions: true,
        }
    }
}

/// Where a running comwit-local listens: the contents of `DIR/listeners.json`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Listeners {
    /// The platform API, `http://HOST:PORT`.
    pub api: String,
    /// The databases (libSQL remote protocol), `http://HOST:PORT`.
    pub db: String,
    /// The apps, routed by `Host`, `http://HOST:PORT`.
    pub apps: String,
    /// The DNS server, `HOST:PORT` (UDP and TCP).
    pub dns: SocketAddr,
    /// The storages' S3 endpoint, `http://HOST:PORT` (credentials in `DIR/s3-credentials.json`).
    #[serde(default)]
    pub storage: String,
}

/// A running comwit-local.
pub struct Server {
    addr: SocketAddr,
    listeners: Listeners,
    data_dir: PathBuf,
    dev_token: Option<String>,
    admin: Admin,
    state: AppState,
    stop: watch::Sender<bool>,
    http: Vec<JoinHandle<std::io::Result<()>>>,
    dns: JoinHandle<()>,
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

    /// Every listener's address (also in `DIR/listeners.json`).
    pub fn listeners(&self) -> &Listeners {
        &self.listeners
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

    /// Requests answered so far by where their route comes from, and every request outside
    /// the public contract (see [`contract`]).
    pub fn contract_counts(&self) -> stats::ContractCounts {
        self.state.counts.contract()
    }

    /// Stop accepting, finish in-flight requests, and return.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for http in self.http {
            let _ = http.await;
        }
        let _ = self.dns.await;
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
    let (listener, addr) = bind(config.listen, "the platform API").await?;
    let (db_listener, db_addr) = bind(config.db_listen, "the databases").await?;
    let (apps_listener, apps_addr) = bind(config.apps_listen, "the apps").await?;
    let (storage_listener, storage_addr) =
        bind(config.storage_listen, "the storages' S3 endpoint").await?;
    let storage_url = format!("http://{storage_addr}");
    let s3_credentials = s3::Credentials::open(&data_dir)?;
    let s3_router = s3::router(store.clone(), &data_dir, &s3_credentials)?;
    let db_url = format!("http://{db_addr}");
    {
        let d = data_dir.clone();
        let ids = store
            .read(|tx| {
                let mut stmt = tx.prepare("SELECT database_id FROM databases")?;
                let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .await
            .map_err(|e| e.message.clone())?;
        tokio::task::spawn_blocking(move || store::files::create_missing(&d, &ids))
            .await
            .map_err(|e| e.to_string())??;
    }
    let signer = {
        let d = data_dir.clone();
        tokio::task::spawn_blocking(move || db_tokens::Signer::open(&d))
            .await
            .map_err(|e| e.to_string())??
    };
    let state = AppState(Arc::new(Shared {
        store: store.clone(),
        signer: Arc::new(signer),
        settings: Settings {
            data_dir: data_dir.clone(),
            database_provision_delay: config.database_provision_delay,
            domain_activation_delay: config.domain_activation_delay,
            resolver: config.resolver,
            max_json_bytes: config.max_json_bytes,
            max_bundle_bytes: config.max_bundle_bytes,
            database_url_base: config.database_url_base.clone().unwrap_or(db_url.clone()),
            storage_endpoint: storage_url.clone(),
            fail_rate: config.fail_rate.clamp(0.0, 1.0),
            fail_after_share: config.fail_after_share.clamp(0.0, 1.0),
            latency: config.latency,
            extensions: config.extensions,
        },
        limiter: config.rate_limit.map(ratelimit::RateLimiter::new),
        counts: stats::RequestCounts::default(),
        written: Default::default(),
        uploads: Default::default(),
        lose_answers: std::sync::Mutex::new(
            config
                .lose_answers
                .iter()
                .map(|r| contract::normalize(r.trim()))
                .collect(),
        ),
    }));
    let (stop, stopped) = watch::channel(false);
    let (dns_addr, dns) =
        dns_server::serve(config.dns_listen, state.clone(), stopped.clone()).await?;
    let listeners = Listeners {
        api: format!("http://{addr}"),
        db: db_url,
        apps: format!("http://{apps_addr}"),
        dns: dns_addr,
        storage: storage_url,
    };
    if config.write_address_file {
        write_private(&data_dir.join(ADDRESS_FILE), &format!("{addr}\n"))
            .map_err(|e| format!("cannot write the address file: {e}"))?;
        let json = serde_json::to_string_pretty(&listeners).map_err(|e| e.to_string())?;
        write_private(&data_dir.join(LISTENERS_FILE), &format!("{json}\n"))
            .map_err(|e| format!("cannot write {LISTENERS_FILE}: {e}"))?;
    }
    let http = vec![
        spawn_http(listener, http::router(state.clone()), stopped.clone()),
        spawn_http(db_listener, hrana::router(state.clone()), stopped.clone()),
        spawn_http(
            apps_listener,
            apps_http::router(state.clone()),
            stopped.clone(),
        ),
        spawn_http(storage_listener, s3_router, stopped),
    ];
    let verify = dns::verify_loop(
        store,
        std::iter::once(dns_addr).chain(config.resolver).collect(),
        config.dns_check_interval,
    );
    let snapshots = model::restore_points::snapshot_loop(state.clone(), config.snapshot_interval);
    let background = tokio::spawn(async move {
        tokio::join!(verify, snapshots);
    });
    Ok(Server {
        addr,
        listeners,
        data_dir,
        dev_token,
        admin,
        state,
        stop,
        http,
        dns,
        background,
    })
}

async fn bind(
    addr: SocketAddr,
    what: &str,
) -> Result<(tokio::net::TcpListener, SocketAddr), String> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr} for {what}: {e}"))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    Ok((listener, bound))
}

/// Serves `app` on `listener` until `stop` turns true, finishing in-flight requests.
fn spawn_http(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<std::io::Result<()>> {
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|s| *s).await;
            })
            .await
    })
}
