//! The Comwit platform API client: HTTP core with auth and retries, typed models, one method
//! per operation. Kept apart from the provider: it knows HTTP and JSON, nothing of Terraform.

pub mod client;
mod endpoints;
pub mod error;
pub mod models;

pub use client::{Client, ClientOptions};
pub use error::ApiError;
