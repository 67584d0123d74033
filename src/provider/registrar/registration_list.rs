//! The `comwit_domain_registration` list resource (`terraform query`, Terraform 1.14+): the
//! domains a project registered.

use crate::api::Client;
use async_trait::async_trait;
use serde::Deserialize;

use super::registration::{RegistrationModel, RegistrationResource};
use crate::provider::query::{list_of_project, list_project_attribute};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, ListResource, ListSink, Listed};
use crate::tfplugin::schema::{Block, Schema};

/// The `config` block of a `list "comwit_domain_registration"` block.
#[derive(Debug, Default, Deserialize)]
struct RegistrationListConfig {
    project_id: Option<String>,
}

fn schema() -> Schema {
    let description = "\
Finds the domains a project registered through Comwit's registrar, oldest first, for \
`terraform query` (Terraform 1.14 and later). Each result is identified by its `project_id` \
and `domain`; `terraform query -generate-config-out=<file>` writes an `import` block and a \
`comwit_domain_registration` resource block for each, with `max_price` set to what the \
registration cost (it is only checked when buying), which `terraform apply` imports without \
buying or changing anything.

A query reads one page of 100 registrations per request.

**Token scopes:** `domain:read`.";
    Schema::new(Block::from_attributes(vec![list_project_attribute()]).description(description))
}

provider_type!(RegistrationList, RegistrationResource::TYPE_NAME, |shared| {
    /// Builds each result's state, as the resource's import does.
    resource: RegistrationResource = RegistrationResource::new(shared.clone()),
});

#[async_trait]
impl ListResource for RegistrationList {
    type_metadata!();

    async fn list(&self, ctx: &mut Ctx, config: &Value, sink: &ListSink) -> Diagnostics {
        let RegistrationListConfig { project_id } = match model::get(config) {
            Ok(config) => config,
            Err(d) => return d,
        };
        let pages = Client::registration_pages;
        list_of_project(
            ctx,
            sink,
            &self.shared,
            project_id,
            pages,
            "registrations",
            |item| {
                let registration = RegistrationModel::from(item);
                Ok(Some(Listed {
                    display_name: registration.domain.clone(),
                    state: self.resource.state(&registration)?,
                }))
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_model_matches_the_schema() {
        model::shape::check::<RegistrationListConfig>(&schema());
    }
}
