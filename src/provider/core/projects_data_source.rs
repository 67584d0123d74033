//! `comwit_projects` data source: every project the token's user is a member of.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::ProjectModel;
use crate::provider::common::{api_error, call};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, DataSource};
use crate::tfplugin::schema::{Attribute, Block, NestedAttributes, Schema};

provider_type!(ProjectsDataSource, "comwit_projects");

/// The data source's result.
#[derive(Serialize, Deserialize)]
struct ProjectsModel {
    #[serde(default)]
    projects: Vec<ProjectModel>,
}

fn schema() -> Schema {
    Schema::new(
        Block::from_attributes(vec![Attribute::nested(
            "projects",
            NestedAttributes::list(vec![
                Attribute::string("id")
                    .computed()
                    .description("The project's ID, as the platform gives it."),
                Attribute::string("name")
                    .computed()
                    .description("The project's name."),
            ]),
        )
        .computed()
        .description("The projects, in the order the platform lists them.")])
        .description(
            "Lists every project the token's user is a member of (`GET /v1/projects`), in the \
             platform's order. A token whose project listing is not enabled (the platform \
             answers 404 or 501) gets a diagnostic saying so; resources still work with a \
             `project_id`.\n\n**Token scopes:** `project:read`.",
        ),
    )
}

#[async_trait]
impl DataSource for ProjectsDataSource {
    type_metadata!();

    async fn read(&self, ctx: &mut Ctx, _config: &Value) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let all = call(ctx, configured.client.list_projects())
            .await
            .map_err(|e| api_error("list your projects", &e))?;
        let projects = all.into_iter().map(ProjectModel::from).collect();
        model::value_of(&ProjectsModel { projects }, &self.schema)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<ProjectsModel>(&schema());
    }
}
