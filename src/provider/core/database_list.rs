//! The `comwit_database` list resource (`terraform query`, Terraform 1.14+): the databases of
//! a project.

use async_trait::async_trait;
use serde::Deserialize;

use super::database::DatabaseResource;
use super::database_state::DatabaseModel;
use crate::provider::query::{finished, list_project_attribute, send_pages};
use crate::provider::Shared;
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
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

pub struct DatabaseList {
    shared: Shared,
    schema: Schema,
    /// Builds each result's state, exactly as the resource's import and `read` do.
    resource: DatabaseResource,
}

impl DatabaseList {
    pub fn new(shared: Shared) -> Self {
        DatabaseList {
            resource: DatabaseResource::new(shared.clone()),
            shared,
            schema: schema(),
        }
    }

    /// The project to list: the configuration's, else the provider's default.
    fn project(&self, config: DatabaseListConfig) -> Result<String, Diagnostics> {
        let project = config.project_id.filter(|p| !p.is_empty());
        project
            .or_else(|| self.shared.default_project())
            .ok_or_else(|| {
                Diagnostic::error(
                    "Missing project_id",
                    "The list names no project: set `project_id` in the list block's `config` \
                 block, or a default `project_id` in the provider block (or \
                 COMWIT_PROJECT_ID). The `comwit_project` list resource finds your projects.",
                )
                // Terraform reads a list's paths from the `list` block, not its `config` block.
                .with_attribute(AttributePath::new("project_id"))
                .into()
            })
    }
}

#[async_trait]
impl ListResource for DatabaseList {
    fn type_name(&self) -> &str {
        DatabaseResource::TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn list(&self, ctx: &mut Ctx, config: &Value, sink: &ListSink) -> Diagnostics {
        let result = async {
            let project = self.project(model::get(config)?)?;
            let configured = self.shared.get()?;
            let pages = configured.client.database_pages(&project);
            let what = format!("the databases of the project {project}");
            send_pages(ctx, sink, pages, &what, |db| {
                Ok(Some(Listed {
                    display_name: db.name.clone(),
                    state: self.resource.state(&DatabaseModel::from(db))?,
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
    use crate::tfplugin::plan;

    #[test]
    fn the_config_model_matches_the_schema() {
        model::shape::check::<DatabaseListConfig>(&schema());
    }

    #[test]
    fn the_project_is_the_configs_else_a_clear_error() {
        let list = DatabaseList::new(Shared::default());
        let config = Value::object([("project_id", Value::string("prj_0123456789abcdef"))]);
        let project = list.project(model::get(&config).unwrap()).unwrap();
        assert_eq!(project, "prj_0123456789abcdef");
        // No provider default either (not configured).
        let d = list
            .project(model::get(&schema().null_object()).unwrap())
            .unwrap_err();
        let e = d.iter().next().unwrap();
        assert_eq!(e.summary, "Missing project_id");
        let path = AttributePath::new("project_id");
        assert_eq!(e.attribute, Some(path));
    }

    #[test]
    fn a_malformed_project_id_is_an_error() {
        let config = Value::object([("project_id", Value::string("shop"))]);
        let d = plan::validate_config(&schema(), &config);
        assert!(d.has_errors(), "{d}");
        assert!(d.to_string().contains("`prj_` followed by 16"), "{d}");
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
