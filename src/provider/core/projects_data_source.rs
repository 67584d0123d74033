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
                    .description("The project's ID (`prj_` and 16 hex digits)."),
                Attribute::string("name")
                    .computed()
                    .description("The project's name."),
                Attribute::string("created_at")
                    .computed()
                    .description("When the project was created (RFC 3339, UTC)."),
            ]),
        )
        .computed()
        .description("The projects, oldest first.")])
        .description(
            "Lists every project the token's user is a member of, oldest first.\n\n\
             **Token scopes:** `project:read`.",
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
