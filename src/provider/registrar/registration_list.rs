//! The `comwit_domain_registration` list resource (`terraform query`, Terraform 1.14+): the
//! domains a project registered.

use async_trait::async_trait;
use serde::Deserialize;

use super::registration::{RegistrationModel, RegistrationResource};
use crate::provider::query::{finished, list_project, list_project_attribute, send_pages};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostics};
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
        let result = async {
            let RegistrationListConfig { project_id } = model::get(config)?;
            let project = list_project(project_id, &self.shared, AttributePath::new("project_id"))?;
            let configured = self.shared.get()?;
            let pages = configured.client.registration_pages(&project);
            let what = format!("the registrations of the project {project}");
            send_pages(ctx, sink, pages, &what, |r| {
                let mut m = RegistrationModel::from(r);
                // A generated configuration needs a `max_price`: what it cost.
                m.max_price = m.price;
                Ok(Some(Listed {
                    display_name: m.domain.clone(),
                    state: self.resource.state(&m)?,
                }))
            })
            .await
        };
        finished(result.await)
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
