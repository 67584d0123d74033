//! The `comwit_database` list resource (`terraform query`, Terraform 1.14+): the databases of
//! a project, from its whole list (`GET .../databases`); deleted ones are left out.

use async_trait::async_trait;
use serde::Deserialize;

use super::database::DatabaseResource;
use super::database_state::DatabaseModel;
use super::lookup::send_all;
use crate::provider::common::{api_error, call, ModelResource as _};
use crate::provider::query::{finished, list_project, list_project_attribute};
use crate::provider::Shared;
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostics};
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, ListResource, ListSink, Listed};
use crate::tfplugin::schema::{Block, Schema};

fn schema() -> Schema {
    let description = "\
Finds the databases of a project for `terraform query` (Terraform 1.14 and later), in the \
platform's order; databases listed as `deleted` are left out. Each result is identified by its \
`project_id` and `database_id`; `terraform query -generate-config-out=<file>` writes an \
`import` block and a `comwit_database` resource block for each, which `terraform apply` \
imports without changing anything. The generated blocks keep the databases protected \
(`deletion_protection = true`).

**Token scopes:** `database:read`.";
    Schema::new(Block::from_attributes(vec![list_project_attribute()]).description(description))
}

/// The `config` block: which project.
#[derive(Debug, Default, Deserialize)]
struct DatabaseListConfig {
    project_id: Option<String>,
}

pub(crate) struct DatabaseList {
    shared: Shared,
    schema: Schema,
    /// Builds each result's state, exactly as the resource's import and `read` do.
    resource: DatabaseResource,
}

impl DatabaseList {
    pub(crate) fn new(shared: Shared) -> Self {
        DatabaseList {
            schema: schema(),
            resource: DatabaseResource::new(shared.clone()),
            shared,
        }
    }
}

#[async_trait]
impl ListResource for DatabaseList {
    fn type_name(&self) -> &str {
        crate::tfplugin::resource::Resource::type_name(&self.resource)
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn list(&self, ctx: &mut Ctx, config: &Value, sink: &ListSink) -> Diagnostics {
        let result = async {
            let DatabaseListConfig { project_id } = model::get(config)?;
            let at = AttributePath::new("project_id");
            let project = list_project(project_id, &self.shared, at)?;
            let configured = self.shared.get()?;
            let all = call(ctx, configured.client.live_databases(&project))
                .await
                .map_err(|e| {
                    api_error(&format!("list the databases of the project {project}"), &e)
                })?;
            send_all(sink, all, |db| {
                Ok(Some(Listed {
                    display_name: db.name.clone(),
                    state: self.resource.state(DatabaseModel::from(db))?,
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
    use crate::tfplugin::cty::Value;
    use crate::tfplugin::model;
    use crate::tfplugin::plan;

    #[test]
    fn the_config_model_matches_the_schema() {
        model::shape::check::<DatabaseListConfig>(&schema());
        // `project_id` is `query::list_project_attribute`, tested there.
        let config = Value::object([("project_id", Value::string("shop/1"))]);
        assert!(plan::validate_config(&schema(), &config).has_errors());
    }

    #[test]
    fn listed_databases_are_what_import_and_read_make() {
        use crate::api::models::Database;
        let db = Database {
            database_id: "db_0123456789abcdef".into(),
            project_id: "prj_0123456789abcdef".into(),
            name: "orders".into(),
            database_url: "https://db.example/v1/t-1".into(),
            status: "cold".into(),
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
