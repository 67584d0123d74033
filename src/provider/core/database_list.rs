//! The `comwit_database` list resource (`terraform query`, Terraform 1.14+): the databases of
//! a project.

use crate::api::Client;
use async_trait::async_trait;
use serde::Deserialize;

use super::database::DatabaseResource;
use super::database_state::DatabaseModel;
use crate::provider::query::{list_of_project, list_project_attribute};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, ListResource, ListSink, Listed};
use crate::tfplugin::schema::{Block, Schema};

/// The `config` block of a `list "comwit_database"` block.
#[derive(Debug, Default, Deserialize)]
struct DatabaseListConfig {
    project_id: Option<String>,
}

fn schema() -> Schema {
    let description = "\
Finds the databases of a project, oldest first, for `terraform query` (Terraform 1.14 and \
later). Each result is identified by its `project_id` and `database_id`; \
`terraform query -generate-config-out=<file>` writes an `import` block and a \
`comwit_database` resource block for each, which `terraform apply` imports without changing \
anything. The generated blocks keep the databases protected (`deletion_protection = true`).

**Token scopes:** `database:read`.";
    Schema::new(Block::from_attributes(vec![list_project_attribute()]).description(description))
}

provider_type!(DatabaseList, DatabaseResource::TYPE_NAME, |shared| {
    /// Builds each result's state, exactly as the resource's import and `read` do.
    resource: DatabaseResource = DatabaseResource::new(shared.clone()),
});

#[async_trait]
impl ListResource for DatabaseList {
    type_metadata!();

    async fn list(&self, ctx: &mut Ctx, config: &Value, sink: &ListSink) -> Diagnostics {
        let DatabaseListConfig { project_id } = match model::get(config) {
            Ok(config) => config,
            Err(d) => return d,
        };
        let pages = Client::database_pages;
        list_of_project(
            ctx,
            sink,
            &self.shared,
            project_id,
            pages,
            "databases",
            |item| {
                Ok(Some(Listed {
                    display_name: item.name.clone(),
                    state: self.resource.state(&DatabaseModel::from(item))?,
                }))
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::Shared;
    use crate::tfplugin::plan;

    #[test]
    fn the_config_model_matches_the_schema() {
        model::shape::check::<DatabaseListConfig>(&schema());
        // `project_id` is `query::list_project_attribute`, tested there.
        let config = Value::object([("project_id", Value::string("shop"))]);
        assert!(plan::validate_config(&schema(), &config).has_errors());
    }

    #[test]
    fn listed_databases_are_what_import_and_read_make() {
        use crate::api::models::Database;
        let db = Database {
            database_id: "db_0123456789abcdef".into(),
            project_id: "prj_0123456789abcdef".into(),
            name: "orders".into(),
            database_url: "https://db.example/orders".into(),
            status: "ready".into(),
            created_at: "2025-01-02T03:04:05Z".into(),
        };
        let list = DatabaseList::new(Shared::default());
        let listed = list
            .resource
            .state(&DatabaseModel::from(db.clone()))
            .unwrap();
        // `read` of that state keeps its Terraform-only attributes and takes the rest from
        // the platform: the same value.
        let prior: DatabaseModel = model::get(&listed).unwrap();
        let read = list.resource.state(&prior.with_remote(db)).unwrap();
        assert_eq!(listed, read);
        assert_eq!(listed.get("deletion_protection"), Some(&Value::Bool(true)));
        assert_eq!(listed.get("timeouts"), Some(&Value::Null));
    }
}
