//! `comwit_project` data source: one project the token's user is a member of, by ID or by
//! name.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::lookup::{exactly_one_of, lookup_failed, one_named};
use crate::api::models::Project;
use crate::provider::common::{api_error, call};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, DataSource};
use crate::tfplugin::schema::{Attribute, Block, Schema};

provider_type!(ProjectDataSource, "comwit_project");

/// The configuration (`id` or `name`) and the project found.
#[derive(Serialize, Deserialize)]
struct ProjectLookup {
    id: Option<String>,
    name: Option<String>,
}

impl From<Project> for ProjectLookup {
    fn from(project: Project) -> Self {
        ProjectLookup {
            id: Some(project.project_id),
            name: Some(project.name),
        }
    }
}

fn schema() -> Schema {
    Schema::new(
        Block::from_attributes(vec![
            Attribute::string("id").optional().computed().description(
                "The project's ID, as the platform gives it. Set exactly one of `id` and `name`.",
            ),
            Attribute::string("name").optional().computed().description(
                "The project's name. Set exactly one of `id` and `name`; a name must match \
                     exactly one of the projects you are a member of.",
            ),
        ])
        .description(
            "Looks up a project you are a member of, by `id` or by `name`, for example to use \
             a project created outside this configuration as the `project_id` of databases \
             and apps. Both are read from the project list (`GET /v1/projects`, the only public \
             project route). A token whose listing is not enabled (404 or 501) can still look \
             a project up by `id`: the ID is taken as given and `name` stays null (the official \
             CLI falls back the same way); a lookup by `name` then fails.\n\n\
             **Token scopes:** `project:read`.",
        ),
    )
}

impl ProjectDataSource {
    fn found(&self, project: Project) -> Result<Value, Diagnostics> {
        model::value_of(&ProjectLookup::from(project), &self.schema)
    }
}

#[async_trait]
impl DataSource for ProjectDataSource {
    type_metadata!();

    async fn validate(&self, config: &Value) -> Diagnostics {
        exactly_one_of(config, &["id", "name"])
    }

    async fn read(&self, ctx: &mut Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let client = &configured.client;
        let lookup: ProjectLookup = model::get(config)?;
        if let Some(id) = &lookup.id {
            return match call(ctx, client.find_project(id)).await {
                Ok(Some(project)) => self.found(project),
                Ok(None) => {
                    let detail = format!(
                        "None of the projects your token lists has the ID {id:?}. Check the \
                         ID; the `comwit_projects` data source lists the projects your token \
                         can see."
                    );
                    Err(lookup_failed("Project not found", detail, "id"))
                }
                // Listing not enabled for this token: the ID is taken as given.
                Err(e) if matches!(e.status(), Some(404 | 501)) => {
                    let lookup = ProjectLookup {
                        id: Some(id.clone()),
                        name: None,
                    };
                    model::value_of(&lookup, &self.schema)
                }
                Err(e) => Err(api_error(&format!("read the project {id:?}"), &e)),
            };
        }
        let name = lookup.name.as_deref().unwrap_or_default();
        let all = call(ctx, client.list_projects())
            .await
            .map_err(|e| api_error("list your projects", &e))?;
        let count = all.len();
        let missing = format!(
            "None of the {count} projects you are a member of is named {name:?}. Check the \
             name, or ask a member of the project to add you."
        );
        let holder = "You are a member of";
        self.found(one_named(all, name, "project", holder, missing, "id")?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<ProjectLookup>(&schema());
    }
}
