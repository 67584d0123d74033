//! terraform-provider-comwit: a Terraform/OpenTofu provider for Comwit Cloud, and comwit-local,
//! a local Comwit platform that speaks the same HTTP contract.
#![warn(unreachable_pub)]
pub mod api;
pub mod local;
pub mod provider;
pub mod tfplugin;
