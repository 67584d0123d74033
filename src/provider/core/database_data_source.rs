//! `comwit_database` data source: one database of a project, by ID or by name.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::lookup::{exactly_one_of, lookup_failed, one_named};
use crate::api::models::Database;
use crate::provider::common::{
    api_error, call, found, id_validator, lookup_project, lookup_project_attribute,
};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, DataSource};
use crate::tfplugin::schema::{Attribute, Block, Schema};

provider_type!(DatabaseDataSource, "comwit_database");

/// The configuration (`project_id`, and `database_id` or `name`) and the database found.
#[derive(Serialize, Deserialize)]
struct DatabaseLookup {
    project_id: Option<String>,
    database_id: Option<String>,
    name: Option<String>,
    #[serde(default)]
    database_url: String,
    #[serde(default)]
    status: String,
}

impl From<Database> for DatabaseLookup {
    fn from(db: Database) -> Self {
        DatabaseLookup {
            project_id: Some(db.project_id),
            database_id: Some(db.database_id),
            name: Some(db.name),
            database_url: db.database_url,
            status: db.status,
        }
    }
}

fn schema() -> Schema {
    Schema::new(
        Block::from_attributes(vec![
            lookup_project_attribute(),
            Attribute::string("database_id")
                .validator(id_validator("database", "db"))
                .optional()
                .computed()
                .description(
                    "The database's ID, as the platform gives it. Set exactly one of \
                     `database_id` and `name`.",
                ),
            Attribute::string("name").optional().computed().description(
                "The database's name within the project. Set exactly one of `database_id` \
                     and `name`.",
            ),
            Attribute::string("database_url").computed().description(
                "The URL clients connect to (libSQL over HTTPS, Hrana at \
                     `<database_url>/v3/pipeline`).",
            ),
            Attribute::string("status")
                .computed()
                .description("The platform's status of the database, e.g. `creating` or `cold`."),
        ])
        .description(
            "Looks up an existing database of a project by `database_id` or by `name`, for \
             example to pass its `database_url` to an app. Read from the project's database \
             list (no single read is public); a database listed as `deleted` is not found. \
             The database's token is not readable (the platform shows it once, to the create): \
             connect with a `cwp_` project token that holds `database:connect`.\n\n\
             **Token scopes:** `database:read`.",
        ),
    )
}

impl DatabaseDataSource {
    fn found(&self, db: Database) -> Result<Value, Diagnostics> {
        model::value_of(&DatabaseLookup::from(db), &self.schema)
    }
}

#[async_trait]
impl DataSource for DatabaseDataSource {
    type_metadata!();

    async fn validate(&self, config: &Value) -> Diagnostics {
        exactly_one_of(config, &["database_id", "name"])
    }

    async fn read(&self, ctx: &mut Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let project = lookup_project(config, &self.shared)?;
        let configured = self.shared.get()?;
        let client = &configured.client;
        let lookup: DatabaseLookup = model::get(config)?;
        if let Some(id) = &lookup.database_id {
            let db = call(ctx, client.get_database(&project, id)).await;
            let Some(db) = found(db, &format!("read the database {id:?}"))? else {
                let detail = format!(
                    "The project {project} has no database {id:?} (or the project does not \
                     exist). Check `database_id` and `project_id`."
                );
                return Err(lookup_failed("Database not found", detail, "database_id"));
            };
            return self.found(db);
        }
        let name = lookup.name.as_deref().unwrap_or_default();
        let all = call(ctx, client.live_databases(&project))
            .await
            .map_err(|e| api_error(&format!("list the databases of the project {project}"), &e))?;
        let missing = format!("The project {project} has no database named {name:?}.");
        let holder = format!("The project {project} has");
        self.found(one_named(
            all,
            name,
            "database",
            &holder,
            missing,
            "database_id",
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<DatabaseLookup>(&schema());
    }
}
