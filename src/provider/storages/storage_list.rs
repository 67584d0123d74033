//! The `comwit_storage` list resource (`terraform query`, Terraform 1.14+): the storages of a
//! project.

use crate::api::storages::Storage;
use crate::api::Client;
use crate::provider::common::ModelResource as _;

use super::storage::{StorageModel, StorageResource};
use crate::provider::query::{list_project_attribute, ProjectCollectionList};
use crate::provider::Shared;
use crate::tfplugin::resource::Listed;
use crate::tfplugin::schema::{Block, Schema};

fn schema() -> Schema {
    let description = "\
Finds the storages of a project, for `terraform query` (Terraform 1.14 and later). Each \
result is identified by its `project_id` and `storage_id`; \
`terraform query -generate-config-out=<file>` writes an `import` block and a \
`comwit_storage` resource block for each, which `terraform apply` imports without changing \
anything.

A query reads the project's whole storage list in one request.

**Token scopes:** not named by the platform (comwit-local asks for `project:read`).";
    Schema::new(Block::from_attributes(vec![list_project_attribute()]).description(description))
}

pub(crate) type StorageList = ProjectCollectionList<StorageResource, Storage>;

impl StorageList {
    pub(crate) fn new(shared: Shared) -> Self {
        ProjectCollectionList {
            schema: schema(),
            resource: StorageResource::new(shared.clone()),
            shared,
            pages: Client::storage_pages,
            noun: "storages",
            listed: |resource, storage| {
                Ok(Listed {
                    display_name: storage.name.clone(),
                    state: resource.state(StorageModel::from(storage))?,
                })
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::query::ProjectListConfig;
    use crate::tfplugin::cty::Value;
    use crate::tfplugin::model;
    use crate::tfplugin::plan;

    #[test]
    fn the_config_model_matches_the_schema() {
        model::shape::check::<ProjectListConfig>(&schema());
    }

    #[test]
    fn listed_storages_are_what_import_makes_and_configure_only_the_arguments() {
        let storage: Storage = serde_json::from_value(serde_json::json!({
            "storage_id": "stg_0123456789abcdef0123456789abcdef", "project_id": "p1",
            "name": "assets", "bucket": "assets", "provider": "r2", "status": "ready",
            "endpoint": "https://e.example", "region": "auto", "public_access": "enabled",
            "public_base_url": "https://pub.example"
        }))
        .unwrap();
        let list = StorageList::new(Shared::default());
        let state = list.resource.state(StorageModel::from(storage)).unwrap();
        let identity = list.resource.identity().unwrap().of_state(&state);
        assert_eq!(
            identity,
            Value::object([
                ("project_id", Value::string("p1")),
                (
                    "storage_id",
                    Value::string("stg_0123456789abcdef0123456789abcdef")
                ),
            ])
        );
        let config = plan::config_from_state(list.resource.schema(), &state);
        assert_eq!(config.get("name"), Some(&Value::string("assets")));
        assert_eq!(config.get("public"), Some(&Value::Bool(true)));
        for computed in ["storage_id", "endpoint", "public_base_url", "status"] {
            assert_eq!(config.get(computed), Some(&Value::Null), "{computed}");
        }
    }
}
