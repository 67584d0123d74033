//! A comwit-local platform running inside the test process, and Terraform working directories
//! wired to it and to the freshly built provider binary.
#![allow(dead_code)]

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use comwit::api::{Client, ClientOptions};
use comwit::local::{Admin, Config, Server};

use super::{provider_dir_with, terraform_binary, Install, Workdir};

pub const PROVIDER_BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-comwit");

/// Every scope the platform knows.
pub const ALL_SCOPES: &[&str] = &[
    "project:read",
    "database:read",
    "database:write",
    "app:read",
    "app:write",
    "app:deploy",
    "domain:read",
    "domain:write",
    "domain:purchase",
    "database:connect",
];

/// A comwit-local on a free loopback port with a fresh data directory. Dropping it stops it.
pub struct Platform {
    runtime: tokio::runtime::Runtime,
    server: Option<Server>,
    /// Whether the extensions are served; without them, every request of the test must be
    /// one of the public contract's (checked when the platform stops).
    extensions: bool,
    /// Set by tests of how the provider fails on a platform without an extension: attempts
    /// of extension routes (answered 404) are then expected; nothing else may be outside.
    extension_attempts: std::sync::atomic::AtomicBool,
    pub url: String,
    /// The `dev` user's token (every scope).
    pub token: String,
    /// The databases' libSQL listener, `http://127.0.0.1:PORT`.
    pub db_url: String,
    /// The apps' listener (routed by `Host`), `http://127.0.0.1:PORT`.
    pub apps_url: String,
    /// The DNS listener (UDP and TCP).
    pub dns_addr: std::net::SocketAddr,
    /// The storages' S3 endpoint, `http://127.0.0.1:PORT`.
    pub storage_url: String,
    data: tempfile::TempDir,
    provider_dir: tempfile::TempDir,
}

impl Platform {
    /// A platform that serves only the public contract, as Comwit Cloud does: extensions off
    /// (`--no-extensions`), so their routes answer 404. Tests of an extension start with
    /// [`Platform::start_with_extensions`].
    pub fn start() -> Platform {
        Self::start_with(|_| {})
    }

    /// [`Platform::start`], said explicitly where a test is about the public contract.
    pub fn start_public() -> Platform {
        Self::start()
    }

    /// A platform that also serves the extensions (project create, rollback, registrar,
    /// database tokens): comwit-local's default.
    pub fn start_with_extensions() -> Platform {
        Self::start_with(|c| c.extensions = true)
    }

    /// Expects the provider to try extension routes (a test of the diagnostic a platform
    /// without them gets); requests outside the contract of any other kind still fail.
    pub fn expect_extension_attempts(&self) {
        self.extension_attempts
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Requests by source so far, and every one outside the public contract.
    pub fn contract_counts(&self) -> comwit::local::model::stats::ContractCounts {
        self.server.as_ref().unwrap().contract_counts()
    }

    /// Fails, listing them, if any request so far was outside the public contract (an
    /// extension route, a route of comwit-local's own, or one no route matched).
    pub fn assert_public_contract(&self) {
        let counts = self.contract_counts();
        assert!(
            counts.outside.is_empty(),
            "requests outside the public contract: {:?} (by source: {:?})",
            counts.outside,
            counts.by_source
        );
    }

    /// Starts with a configuration adjusted by `tune` (fault injection, delays...).
    pub fn start_with(tune: impl FnOnce(&mut Config)) -> Platform {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let data = tempfile::Builder::new()
            .prefix("comwit-local-")
            .tempdir()
            .unwrap();
        let mut config = Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            db_listen: "127.0.0.1:0".parse().unwrap(),
            apps_listen: "127.0.0.1:0".parse().unwrap(),
            storage_listen: "127.0.0.1:0".parse().unwrap(),
            dns_listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: data.path().to_path_buf(),
            database_provision_delay: Duration::from_millis(300),
            domain_activation_delay: Duration::from_millis(300),
            dns_check_interval: Duration::from_millis(200),
            // The public contract unless a test asks for the extensions.
            extensions: false,
            ..Config::default()
        };
        tune(&mut config);
        let extensions = config.extensions;
        let server = runtime
            .block_on(comwit::local::serve(config))
            .expect("start comwit-local");
        let url = server.url();
        let token = server.dev_token().expect("dev token");
        let listeners = server.listeners().clone();
        let provider_dir = provider_dir_with(Path::new(PROVIDER_BIN), "comwit");
        Platform {
            runtime,
            server: Some(server),
            extensions,
            extension_attempts: Default::default(),
            url,
            token,
            db_url: listeners.db,
            apps_url: listeners.apps,
            dns_addr: listeners.dns,
            storage_url: listeners.storage,
            data,
            provider_dir,
        }
    }

    pub fn admin(&self) -> &Admin {
        self.server.as_ref().unwrap().admin()
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data.path().to_path_buf()
    }

    /// A new token of the `dev` user holding only `scopes`.
    pub fn token_with_scopes(&self, scopes: &[&str]) -> String {
        self.admin()
            .create_token("dev", scopes, "acceptance")
            .expect("create token")
            .secret
    }

    /// An API client with the dev token, for checks and out-of-band changes.
    pub fn api(&self) -> Client {
        self.api_with(&self.token)
    }

    /// An API client with the provider's default retry budget, for checks against a platform
    /// that injects faults.
    pub fn patient_api(&self) -> Client {
        Client::new(ClientOptions::new(&self.url, &self.token)).unwrap()
    }

    /// Requests the platform has answered so far, by status.
    pub fn request_counts(&self) -> std::collections::BTreeMap<u16, u64> {
        self.server.as_ref().unwrap().request_counts()
    }

    /// Requests answered with a 5xx so far (the injected faults, on a failing platform).
    pub fn server_errors(&self) -> u64 {
        self.request_counts()
            .iter()
            .filter(|(s, _)| **s >= 500)
            .map(|(_, n)| n)
            .sum()
    }

    /// All requests answered so far.
    pub fn request_total(&self) -> u64 {
        self.request_counts().values().sum()
    }

    /// The directory Terraform runs the provider from (its processes' command lines name it).
    pub fn provider_path(&self) -> PathBuf {
        self.provider_dir.path().join("terraform-provider-comwit")
    }

    pub fn api_with(&self, token: &str) -> Client {
        let mut options = ClientOptions::new(&self.url, token);
        options.max_retries = 2;
        Client::new(options).unwrap()
    }

    /// Runs an async call (e.g. on [`Platform::api`]) to completion.
    pub fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }

    /// A Terraform working directory using the built provider (dev_overrides) against this
    /// platform, with COMWIT_API_URL and COMWIT_TOKEN set. None when Terraform is missing and
    /// not required (TF_ACC unset).
    pub fn workdir(&self) -> Option<Workdir> {
        self.workdir_with_token(&self.token)
    }

    /// A working directory driven by Terraform `major.minor` or later (see
    /// [`super::terraform_at_least`]); None when the test is skipped.
    pub fn workdir_at_least(&self, major: u32, minor: u32) -> Option<Workdir> {
        let terraform = super::terraform_at_least(major, minor)?;
        Some(self.workdir_using(terraform, &self.token))
    }

    pub fn workdir_with_token(&self, token: &str) -> Option<Workdir> {
        let terraform = terraform_binary()?;
        Some(self.workdir_using(terraform, token))
    }

    fn workdir_using(&self, terraform: PathBuf, token: &str) -> Workdir {
        let mut w = Workdir::new(
            terraform,
            &Install::DevOverrides {
                source: "comwit/comwit".into(),
                dir: self.provider_dir.path().to_path_buf(),
            },
        );
        w.set_env("COMWIT_API_URL", self.url.clone());
        w.set_env("COMWIT_TOKEN", token.to_string());
        // Hermetic: never the login file or default project of whoever runs the tests (an
        // empty value counts as unset; COMWIT_CONFIG names a file that does not exist).
        let no_login = w.path().join("no-comwit-login.json");
        w.set_env("COMWIT_CONFIG", no_login.display().to_string());
        w.set_env("COMWIT_PROJECT", "");
        w.set_env("COMWIT_PROJECT_ID", "");
        w
    }
}

impl Drop for Platform {
    fn drop(&mut self) {
        // A platform without extensions is the public one: the provider (and the test) must
        // have sent nothing outside its contract. Not checked while a test is failing anyway.
        let attempts = self
            .extension_attempts
            .load(std::sync::atomic::Ordering::Relaxed);
        let outside = (!self.extensions && !std::thread::panicking())
            .then(|| self.contract_counts())
            .filter(|c| {
                if attempts {
                    c.by_source
                        .keys()
                        .any(|s| !matches!(*s, "documented" | "official-cli" | "extension"))
                } else {
                    !c.outside.is_empty()
                }
            });
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.shutdown());
        }
        if let Some(counts) = outside {
            panic!(
                "requests outside the public contract on a platform without extensions: {:?} \
                 (by source: {:?})",
                counts.outside, counts.by_source
            );
        }
    }
}

/// The `terraform { required_providers }` block every configuration starts with.
pub const PROVIDER_HEADER: &str = r#"terraform {
  required_providers {
    comwit = { source = "comwit/comwit" }
  }
}
"#;

/// Creates a project the way the platform does (in the console: here comwit-local's admin,
/// straight into the store, no API call), with the `dev` user as its member, and returns its
/// ID. Needs no extension.
pub fn create_project(platform: &Platform, name: &str) -> String {
    platform
        .admin()
        .create_project(name, &["dev"])
        .expect("create project")
}
