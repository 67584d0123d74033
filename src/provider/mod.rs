//! The Comwit provider: configuration, resources and data sources (one file each).

/// Declares a resource or data source type: a struct holding the provider's shared state and
/// its schema (built once by the file's `schema()`), `new`, and the Terraform type name.
/// Inside the trait impl, `type_metadata!()` answers `type_name` and `schema` from them.
///
/// A type with more fields lists them after `|shared|`, each with its type and its initial
/// value, which may use `shared` (built before `shared` moves into the struct):
/// `provider_type!(T, "comwit_t", |shared| { resource: R = R::new(shared.clone()) })`.
macro_rules! provider_type {
    ($type:ident, $type_name:expr) => {
        provider_type!($type, $type_name, |shared| {});
    };
    ($type:ident, $type_name:expr, |$shared:ident| {
        $($(#[$meta:meta])* $field:ident: $field_type:ty = $init:expr),* $(,)?
    }) => {
        pub(crate) struct $type {
            shared: $crate::provider::Shared,
            schema: $crate::tfplugin::schema::Schema,
            $($(#[$meta])* $field: $field_type,)*
        }

        impl $type {
            pub(crate) const TYPE_NAME: &'static str = $type_name;

            pub(crate) fn new($shared: $crate::provider::Shared) -> Self {
                $type {
                    $($field: $init,)*
                    shared: $shared,
                    schema: schema(),
                }
            }
        }
    };
}

/// `type_name` and `schema` of a type declared by `provider_type!`.
macro_rules! type_metadata {
    () => {
        fn type_name(&self) -> &str {
            Self::TYPE_NAME
        }

        fn schema(&self) -> &$crate::tfplugin::schema::Schema {
            &self.schema
        }
    };
}

pub mod apps;
pub mod common;
pub mod config;
pub mod core;
pub mod dns;
pub mod query;
pub mod registrar;
pub mod storages;

use std::sync::Arc;

use async_trait::async_trait;

use crate::api::{Client, ClientOptions};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::resource::{
    Action, ClientInfo, DataSource, EphemeralResource, ListResource, Provider, Resource,
};
use crate::tfplugin::schema::Schema;

pub use common::{Configured, Shared};
pub use config::ProviderConfig;

pub struct ComwitProvider {
    schema: Schema,
    shared: Shared,
}

impl ComwitProvider {
    pub fn new() -> Self {
        ComwitProvider {
            schema: config::schema(),
            shared: Shared::default(),
        }
    }
}

impl Default for ComwitProvider {
    fn default() -> Self {
        Self::new()
    }
}

/// Every folder's types of one kind (`resources`, `data_sources`, `list_resources`,
/// `ephemeral_resources`), in the order of the folders named.
macro_rules! of_every_folder {
    ($shared:expr, $kind:ident: $($folder:ident),+) => {
        [$($folder::$kind),+].iter().flat_map(|of| of($shared)).collect()
    };
}

#[async_trait]
impl Provider for ComwitProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        of_every_folder!(&self.shared, resources: core, apps, dns, registrar, storages)
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        of_every_folder!(&self.shared, data_sources: core, apps, dns, registrar, storages)
    }

    fn actions(&self) -> Vec<Arc<dyn Action>> {
        vec![
            Arc::new(apps::rollback_action::AppRollbackAction::new(
                self.shared.clone(),
            )),
            core::database_execute_action(&self.shared),
        ]
    }

    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        // Each folder adds its list resources here (`<folder>::list_resources`).
        of_every_folder!(&self.shared, list_resources: core, apps, dns, registrar, storages)
    }

    fn ephemeral_resources(&self) -> Vec<Arc<dyn EphemeralResource>> {
        // Only core has ephemeral resources so far; a folder that gets some is added here.
        of_every_folder!(&self.shared, ephemeral_resources: core)
    }

    async fn validate_config(&self, config: &Value) -> Diagnostics {
        config::validate(config)
    }

    async fn configure(&self, config: &Value, client: &ClientInfo) -> Diagnostics {
        let resolved = match config::resolve(config) {
            Ok(Some(resolved)) => resolved,
            Ok(None) => return Diagnostics::new(),
            Err(d) => return d,
        };
        let mut options = ClientOptions::new(&resolved.api_url, &resolved.token);
        options.max_retries = resolved.max_retries;
        options.retry_max_elapsed = resolved.retry_max_elapsed;
        // Terraform runs providers in the configuration's directory: creates repeated by a
        // later run there replay (and adopt) what an earlier run may have made; other
        // configurations of the same user never share their keys.
        options.create_scope = Some(
            std::env::current_dir()
                .map(|dir| dir.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
        if !client.terraform_version.is_empty() {
            options.user_agent_suffix = format!("terraform/{}", client.terraform_version);
        }
        match Client::new(options) {
            Ok(api) => {
                self.shared.set(Configured {
                    config: resolved,
                    client: api,
                });
                Diagnostics::new()
            }
            Err(e) => Diagnostic::error("Cannot set up the API client", e.to_string()).into(),
        }
    }
}
