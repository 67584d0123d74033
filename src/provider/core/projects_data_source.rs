//! `comwit_projects` data source: every project the token's user is a member of.

use async_trait::async_trait;

use crate::provider::common::{api_error, call};
use crate::provider::Shared;
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::resource::{Ctx, DataSource};
use crate::tfplugin::schema::{Attribute, Block, NestedAttributes, Schema};

pub struct ProjectsDataSource {
    shared: Shared,
    schema: Schema,
}

impl ProjectsDataSource {
    pub fn new(shared: Shared) -> Self {
        ProjectsDataSource {
            shared,
            schema: schema(),
        }
    }
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
    fn type_name(&self) -> &str {
        "comwit_projects"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn read(&self, ctx: &mut Ctx, _config: &Value) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let all = call(ctx, configured.client.list_projects())
            .await
            .map_err(|e| api_error("list your projects", &e))?;
        let projects = all
            .iter()
            .map(|p| {
                Value::object([
                    ("id", Value::string(&p.project_id)),
                    ("name", Value::string(&p.name)),
                    ("created_at", Value::string(&p.created_at)),
                ])
            })
            .collect();
        Ok(Value::object([("projects", Value::List(projects))]))
    }
}
