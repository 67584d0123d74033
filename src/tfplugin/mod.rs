//! The Terraform plugin protocol (tfplugin6) layer. Generic: it knows nothing of any platform.
pub mod coalesce;
pub mod cty;
pub mod diag;
pub mod docs;
pub mod grpc;
pub mod handshake;
pub mod logging;
pub mod model;
pub mod plan;
pub mod proto;
pub mod resource;
pub mod schema;
pub mod server;
pub mod tls;
pub mod transport;
