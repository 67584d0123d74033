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
];

/// A comwit-local on a free loopback port with a fresh data directory. Dropping it stops it.
pub struct Platform {
    runtime: tokio::runtime::Runtime,
    server: Option<Server>,
    pub url: String,
    /// The `dev` user's token (every scope).
    pub token: String,
    /// The databases' libSQL listener, `http://127.0.0.1:PORT`.
    pub db_url: String,
    /// The apps' listener (routed by `Host`), `http://127.0.0.1:PORT`.
    pub apps_url: String,
    /// The DNS listener (UDP and TCP).
    pub dns_addr: std::net::SocketAddr,
    data: tempfile::TempDir,
    provider_dir: tempfile::TempDir,
}

impl Platform {
    pub fn start() -> Platform {
        Self::start_with(|_| {})
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
            dns_listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: data.path().to_path_buf(),
            database_provision_delay: Duration::from_millis(300),
            domain_activation_delay: Duration::from_millis(300),
            dns_check_interval: Duration::from_millis(200),
            ..Config::default()
        };
        tune(&mut config);
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
            url,
            token,
            db_url: listeners.db,
            apps_url: listeners.apps,
            dns_addr: listeners.dns,
            data,
            provider_dir,
        }
    }

    /// Requests by contract source, and those outside the public contract.
    pub fn contract_counts(&self) -> comwit::local::stats::ContractCounts {
        self.server.as_ref().unwrap().contract_counts()
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
        w
    }
}

impl Drop for Platform {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.shutdown());
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

/// Creates a project through the API and returns its ID (for tests that need one to exist).
pub fn create_project(platform: &Platform, name: &str) -> String {
    platform
        .block_on(platform.api().create_project(name))
        .expect("create project")
        .project_id
}
