//! `comwit_database_restore_points` data source: a database's restore points (generations)
//! and aliases, as the platform lists them (`GET .../databases/{d}/restore-points`).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::api::databases::{DatabaseAlias, RestorePoint};
use crate::provider::common::{
    api_error, call, id_validator, lookup_project, lookup_project_attribute,
};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, DataSource};
use crate::tfplugin::schema::{Attribute, Block, NestedAttributes, Schema};

provider_type!(RestorePointsDataSource, "comwit_database_restore_points");

#[derive(Debug, Serialize, Deserialize)]
struct RestorePointsModel {
    #[serde(default)]
    project_id: String,
    database_id: String,
    #[serde(default)]
    restore_points: Vec<PointModel>,
    #[serde(default)]
    aliases: Vec<AliasModel>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct PointModel {
    generation_id: String,
    created_at: Option<String>,
    created_at_ms: Option<i64>,
    pinned: bool,
    precise_until: Option<String>,
    precise_until_ms: Option<i64>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct AliasModel {
    alias: String,
    target_kind: String,
    target_value: String,
    created_at: Option<String>,
}

/// Unix milliseconds as RFC 3339 (UTC, milliseconds kept when there are any).
fn rfc3339(ms: i64) -> Option<String> {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000).ok()?;
    t.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

impl From<RestorePoint> for PointModel {
    fn from(p: RestorePoint) -> Self {
        PointModel {
            generation_id: p.generation_id,
            created_at: p.created_at_ms.and_then(rfc3339),
            created_at_ms: p.created_at_ms,
            pinned: p.pinned,
            precise_until: p.precise_until_ms.and_then(rfc3339),
            precise_until_ms: p.precise_until_ms,
        }
    }
}

impl From<DatabaseAlias> for AliasModel {
    fn from(a: DatabaseAlias) -> Self {
        let target_value = match a.target_value {
            serde_json::Value::String(s) => s,
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        };
        AliasModel {
            alias: a.alias,
            target_kind: a.target_kind,
            target_value,
            created_at: a.created_at_ms.and_then(rfc3339),
        }
    }
}

fn schema() -> Schema {
    let point =
        |name: &str, description: &str| Attribute::string(name).computed().description(description);
    Schema::new(
        Block::from_attributes(vec![
            lookup_project_attribute(),
            Attribute::string("database_id")
                .required()
                .validator(id_validator("database", "db"))
                .description("The database whose history to list."),
            Attribute::nested(
                "restore_points",
                NestedAttributes::list(vec![
                    point(
                        "generation_id",
                        "The generation's ID, as the platform gives it.",
                    ),
                    point("created_at", "When the generation begins (RFC 3339)."),
                    Attribute::int64("created_at_ms")
                        .computed()
                        .description("When the generation begins, in Unix milliseconds."),
                    Attribute::bool("pinned")
                        .computed()
                        .description("Whether the platform keeps it for an alias."),
                    point(
                        "precise_until",
                        "Until when a restore to a time is exact with this generation (RFC \
                         3339); null: up to now.",
                    ),
                    Attribute::int64("precise_until_ms")
                        .computed()
                        .description("`precise_until` in Unix milliseconds; null: up to now."),
                ]),
            )
            .computed()
            .description(
                "The database's restore points, oldest first, as the platform lists them.",
            ),
            Attribute::nested(
                "aliases",
                NestedAttributes::list(vec![
                    point("alias", "The alias's name."),
                    point(
                        "target_kind",
                        "What it names, as the platform says (for example a time or a \
                         generation).",
                    ),
                    point(
                        "target_value",
                        "The time (Unix milliseconds) or generation it names, as text.",
                    ),
                    point("created_at", "When it was set (RFC 3339)."),
                ]),
            )
            .computed()
            .description("The database's aliases of points in its history."),
        ])
        .description(
            "Lists a database's restore points (the generations of its history that the \
             platform can restore from) and its aliases of points in that history, through \
             `GET .../databases/{database_id}/restore-points` (what `comwit databases \
             restore-points list` shows). The list is as the platform keeps it: it grows with \
             the database's writes, so the data source is read on every plan.\n\n\
             **Token scopes:** `database:read`.",
        ),
    )
}

#[async_trait]
impl DataSource for RestorePointsDataSource {
    type_metadata!();

    async fn read(&self, ctx: &mut Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let project = lookup_project(config, &self.shared)?;
        let RestorePointsModel { database_id, .. } = model::get(config)?;
        let configured = self.shared.get()?;
        let listed = call(
            ctx,
            configured
                .client
                .list_restore_points(&project, &database_id),
        )
        .await
        .map_err(|e| {
            if e.is_not_found() {
                Diagnostic::error(
                    "Database not found",
                    format!(
                        "The project {project} has no database {database_id} (or the project \
                         does not exist). Check `database_id` and `project_id`."
                    ),
                )
                .with_attribute(AttributePath::new("database_id"))
                .into()
            } else {
                api_error(
                    &format!("list the restore points of the database {database_id}"),
                    &e,
                )
            }
        })?;
        let result = RestorePointsModel {
            project_id: project,
            database_id,
            restore_points: listed.restore_points.into_iter().map(Into::into).collect(),
            aliases: listed.aliases.into_iter().map(Into::into).collect(),
        };
        model::value_of(&result, &self.schema)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<RestorePointsModel>(&schema());
    }

    #[test]
    fn times_are_shown_as_rfc3339() {
        let p = PointModel::from(RestorePoint {
            generation_id: "g".into(),
            created_at_ms: Some(1_700_000_000_123),
            pinned: true,
            ..Default::default()
        });
        assert_eq!(p.created_at.as_deref(), Some("2023-11-14T22:13:20.123Z"));
        assert_eq!(p.precise_until, None);
        let a = AliasModel::from(DatabaseAlias {
            alias: "a".into(),
            target_kind: "timestamp_ms".into(),
            target_value: serde_json::json!(5),
            created_at_ms: None,
        });
        assert_eq!(a.target_value, "5");
    }
}
