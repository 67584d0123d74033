//! `comwit_project` data source: one project the token's user is a member of, by ID or by
//! name.

use async_trait::async_trait;

use super::lookup::{by_name, exactly_one_of, ByName};
use crate::api::models::Project;
use crate::provider::common::{api_error, call, str_attr};
use crate::provider::Shared;
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::resource::{Ctx, DataSource};
use crate::tfplugin::schema::{Attribute, Block, Schema};

pub struct ProjectDataSource {
    shared: Shared,
    schema: Schema,
}

impl ProjectDataSource {
    pub fn new(shared: Shared) -> Self {
        ProjectDataSource {
            shared,
            schema: schema(),
        }
    }
}

fn schema() -> Schema {
    Schema::new(
        Block::from_attributes(vec![
            Attribute::string("id").optional().computed().description(
                "The project's ID (`prj_` and 16 hex digits). Set exactly one of `id` and `name`.",
            ),
            Attribute::string("name").optional().computed().description(
                "The project's name. Set exactly one of `id` and `name`; a name must match \
                     exactly one of the projects you are a member of.",
            ),
            Attribute::string("created_at")
                .computed()
                .description("When the project was created (RFC 3339, UTC)."),
        ])
        .description(
            "Looks up a project you are a member of, by `id` or by `name`, for example to use \
             a project created outside this configuration as the `project_id` of databases \
             and apps.\n\n**Token scopes:** `project:read`.",
        ),
    )
}

fn value_of(project: &Project) -> Value {
    Value::object([
        ("id", Value::string(&project.project_id)),
        ("name", Value::string(&project.name)),
        ("created_at", Value::string(&project.created_at)),
    ])
}

#[async_trait]
impl DataSource for ProjectDataSource {
    fn type_name(&self) -> &str {
        "comwit_project"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        exactly_one_of(config, &["id", "name"])
    }

    async fn read(&self, ctx: &mut Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let client = &configured.client;
        if let Some(id) = str_attr(config, "id") {
            return match call(ctx, client.get_project(id)).await {
                Ok(project) => Ok(value_of(&project)),
                Err(e) if e.is_not_found() => Err(Diagnostic::error(
                    "Project not found",
                    format!(
                        "There is no project {id:?}. Check the ID; the `comwit_projects` data \
                         source lists the projects your token can see."
                    ),
                )
                .with_attribute(AttributePath::new("id"))
                .into()),
                Err(e) => Err(api_error(&format!("read the project {id:?}"), &e)),
            };
        }
        let name = str_attr(config, "name").unwrap_or_default();
        let all = call(ctx, client.list_projects())
            .await
            .map_err(|e| api_error("list your projects", &e))?;
        let count = all.len();
        match by_name(all, name, |p| &p.name, |p| &p.project_id) {
            ByName::Found(project) => Ok(value_of(&project)),
            ByName::Missing => Err(Diagnostic::error(
                "Project not found",
                format!(
                    "None of the {count} projects you are a member of is named {name:?}. Check \
                     the name, or ask a member of the project to add you."
                ),
            )
            .with_attribute(AttributePath::new("name"))
            .into()),
            ByName::Ambiguous(ids) => Err(Diagnostic::error(
                "Project name is ambiguous",
                format!(
                    "You are a member of {} projects named {name:?} ({}). Look the project up \
                     by `id` instead.",
                    ids.len(),
                    ids.join(", ")
                ),
            )
            .with_attribute(AttributePath::new("name"))
            .into()),
        }
    }
}
