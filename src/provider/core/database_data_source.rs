//! `comwit_database` data source: one database of a project, by ID or by name.

use async_trait::async_trait;

use super::lookup::{by_name, exactly_one_of, ByName};
use crate::api::models::Database;
use crate::provider::common::{api_error, call, id_validator, plan_project_id, str_attr};
use crate::provider::Shared;
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::resource::{Ctx, DataSource};
use crate::tfplugin::schema::{Attribute, Block, Schema};

pub struct DatabaseDataSource {
    shared: Shared,
    schema: Schema,
}

impl DatabaseDataSource {
    pub fn new(shared: Shared) -> Self {
        DatabaseDataSource {
            shared,
            schema: schema(),
        }
    }
}

fn schema() -> Schema {
    Schema::new(
        Block::from_attributes(vec![
            Attribute::string("project_id")
                .validator(id_validator("project", "prj"))
                .optional()
                .computed()
                .description("The project to look in. Defaults to the provider's `project_id`."),
            Attribute::string("database_id")
                .validator(id_validator("database", "db"))
                .optional()
                .computed()
                .description(
                    "The database's ID (`db_` and 16 hex digits). Set exactly one of \
                     `database_id` and `name`.",
                ),
            Attribute::string("name").optional().computed().description(
                "The database's name within the project. Set exactly one of `database_id` \
                     and `name`.",
            ),
            Attribute::string("database_url")
                .computed()
                .description("The URL clients connect to (libSQL over HTTPS)."),
            Attribute::string("status")
                .computed()
                .description("The platform's status of the database: `provisioning` or `ready`."),
            Attribute::string("created_at")
                .computed()
                .description("When the database was created (RFC 3339, UTC)."),
        ])
        .description(
            "Looks up an existing database of a project by `database_id` or by `name`, for \
             example to pass its `database_url` to an app.\n\n\
             **Token scopes:** `database:read`.",
        ),
    )
}

fn value_of(db: &Database) -> Value {
    Value::object([
        ("project_id", Value::string(&db.project_id)),
        ("database_id", Value::string(&db.database_id)),
        ("name", Value::string(&db.name)),
        ("database_url", Value::string(&db.database_url)),
        ("status", Value::string(&db.status)),
        ("created_at", Value::string(&db.created_at)),
    ])
}

fn not_found(detail: String, attribute: &str) -> Diagnostics {
    Diagnostic::error("Database not found", detail)
        .with_attribute(AttributePath::new(attribute))
        .into()
}

#[async_trait]
impl DataSource for DatabaseDataSource {
    fn type_name(&self) -> &str {
        "comwit_database"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        exactly_one_of(config, &["database_id", "name"])
    }

    async fn read(&self, ctx: &mut Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let project = plan_project_id(config, &self.shared)?;
        let project = project.as_str().unwrap_or_default().to_string();
        let configured = self.shared.get()?;
        let client = &configured.client;
        if let Some(id) = str_attr(config, "database_id") {
            return match call(ctx, client.get_database(&project, id)).await {
                Ok(db) => Ok(value_of(&db)),
                Err(e) if e.is_not_found() => Err(not_found(
                    format!(
                        "The project {project} has no database {id:?} (or the project does not \
                         exist). Check `database_id` and `project_id`."
                    ),
                    "database_id",
                )),
                Err(e) => Err(api_error(&format!("read the database {id:?}"), &e)),
            };
        }
        let name = str_attr(config, "name").unwrap_or_default();
        let all = call(ctx, client.list_databases(&project))
            .await
            .map_err(|e| api_error(&format!("list the databases of the project {project}"), &e))?;
        match by_name(all, name, |d| &d.name, |d| &d.database_id) {
            ByName::Found(db) => Ok(value_of(&db)),
            ByName::Missing => Err(not_found(
                format!("The project {project} has no database named {name:?}."),
                "name",
            )),
            // Names are unique within a project; should the platform ever disagree, say so.
            ByName::Ambiguous(ids) => Err(Diagnostic::error(
                "Database name is ambiguous",
                format!(
                    "The project {project} has {} databases named {name:?} ({}). Look the \
                     database up by `database_id` instead.",
                    ids.len(),
                    ids.join(", ")
                ),
            )
            .with_attribute(AttributePath::new("name"))
            .into()),
        }
    }
}
