//! The `comwit_database` list resource (`terraform query`, Terraform 1.14+): the databases of
//! a project.

use crate::api::models::Database;
use crate::api::Client;
use crate::provider::common::ModelResource as _;

use super::database::DatabaseResource;
use super::database_state::DatabaseModel;
use crate::provider::query::{list_project_attribute, ProjectCollectionList};
use crate::provider::Shared;
use crate::tfplugin::resource::Listed;
use crate::tfplugin::schema::{Block, Schema};

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

pub(crate) type DatabaseList = ProjectCollectionList<DatabaseResource, Database>;

impl DatabaseList {
    pub(crate) fn new(shared: Shared) -> Self {
        ProjectCollectionList {
            schema: schema(),
            resource: DatabaseResource::new(shared.clone()),
            shared,
            pages: Client::database_pages,
            noun: "databases",
            listed: |resource, db| {
                Ok(Listed {
                    display_name: db.name.clone(),
                    state: resource.state(DatabaseModel::from(db))?,
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
            .state(DatabaseModel::from(db.clone()))
            .unwrap();
        // `read` of that state keeps its Terraform-only attributes and takes the rest from
        // the platform: the same value.
        let prior: DatabaseModel = model::get(&listed).unwrap();
        let read = list.resource.state(prior.with_remote(db)).unwrap();
        assert_eq!(listed, read);
        assert_eq!(listed.get("deletion_protection"), Some(&Value::Bool(true)));
        assert_eq!(listed.get("timeouts"), Some(&Value::Null));
    }
}
