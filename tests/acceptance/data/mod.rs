//! Acceptance tests for the data plane: a `comwit_database` applied with real Terraform is a
//! real libSQL database that the official client (`@libsql/client`, lock-pinned in
//! `scripts/libsql-client`) reads and writes with tokens from the platform API.

mod libsql_client;
