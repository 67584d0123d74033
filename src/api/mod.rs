//! The Comwit platform API client: HTTP core with auth, pacing and retries, a per-process list cache, typed models, one method
//! per operation. Kept apart from the provider: it knows HTTP and JSON, nothing of Terraform.

pub mod apps;
mod cache;
pub mod client;
pub mod databases;
pub mod domains;
mod endpoints;
pub mod error;
pub mod hostnames;
pub mod models;
mod pacer;
pub mod projects;
pub mod queries;
pub mod registrar;
mod retry;
pub mod seeds;
pub mod storages;

pub use client::{Client, ClientOptions};
pub use endpoints::Pages;
pub use error::ApiError;
