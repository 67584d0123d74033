//! Acceptance tests: real Terraform drives the built provider against an in-process
//! comwit-local. One module per area; each test starts its own platform.

#[path = "../support/mod.rs"]
mod support;

mod apps;
mod core;
mod data;
mod dns;
mod faults;
mod provider_config;
mod registrar;
mod storage;
