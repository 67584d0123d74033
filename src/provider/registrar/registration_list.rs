//! The `comwit_domain_registration` list resource (`terraform query`, Terraform 1.14+): the
//! domains a project registered.

use crate::api::models::Registration;
use crate::api::Client;
use crate::provider::common::ModelResource as _;

use super::registration::{RegistrationModel, RegistrationResource};
use crate::provider::query::{list_project_attribute, ProjectCollectionList};
use crate::provider::Shared;
use crate::tfplugin::resource::Listed;
use crate::tfplugin::schema::{Block, Schema};

fn schema() -> Schema {
    let description = "\
Finds the domains a project registered through Comwit's registrar, oldest first, for \
`terraform query` (Terraform 1.14 and later). Each result is identified by its `project_id` \
and `domain`; `terraform query -generate-config-out=<file>` writes an `import` block and a \
`comwit_domain_registration` resource block for each, with `max_price` set to what the \
registration cost (it is only checked when buying), which `terraform apply` imports without \
buying or changing anything.

A query reads the project's registrations in one request.

**Token scopes:** `domain:read`.";
    Schema::new(Block::from_attributes(vec![list_project_attribute()]).description(description))
}

pub(crate) type RegistrationList = ProjectCollectionList<RegistrationResource, Registration>;

impl RegistrationList {
    pub(crate) fn new(shared: Shared) -> Self {
        ProjectCollectionList {
            schema: schema(),
            resource: RegistrationResource::new(shared.clone()),
            shared,
            pages: Client::registration_pages,
            noun: "registrations",
            listed: |resource, item| {
                let registration = RegistrationModel::from(item);
                Ok(Listed {
                    display_name: registration.domain.clone(),
                    state: resource.state(registration)?,
                })
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::query::ProjectListConfig;
    use crate::tfplugin::model;

    #[test]
    fn the_config_model_matches_the_schema() {
        model::shape::check::<ProjectListConfig>(&schema());
    }
}
