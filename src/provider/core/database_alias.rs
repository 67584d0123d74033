//! `comwit_database_alias`: a named point in a database's history (a generation, or a time),
//! that a restore can name (`restore_from.alias`) and that keeps its generation pinned.

use std::sync::LazyLock;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::api::databases::RestoreTo;
use crate::provider::common::{
    api_error, call, found, plan_project, project_id_attribute, split_import_id, ModelResource,
};
use crate::provider::query;
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::resource::{Ctx, IdentityAttribute, IdentitySchema, PlanRequest};
use crate::tfplugin::schema::{Attribute, Block, Schema};

provider_type!(DatabaseAliasResource, "comwit_database_alias");

const IMPORT_FORM: &str = "<project_id>/<database_id>/<alias>";
const IDENTITY_ORDER: [&str; 3] = ["project_id", "database_id", "alias"];
static IDENTITY: LazyLock<IdentitySchema> = LazyLock::new(|| {
    IdentitySchema::new(vec![
        query::project_identity(),
        IdentityAttribute::required(
            "database_id",
            "The database's ID, as the platform gives it.",
        ),
        IdentityAttribute::required("alias", "The alias's name."),
    ])
});

fn schema() -> Schema {
    let description = "\
A named point in a database's history, through `POST/DELETE \
.../databases/{database_id}/aliases/{alias}`: exactly one of `generation` (see the \
`comwit_database_restore_points` data source) and `timestamp`. A restore can name it \
(`comwit_database.restore_from.alias`), and the platform keeps the generation it names \
(`pinned`). Changing the point moves the alias in place; a refresh reads it back from the \
restore-points list, so an alias moved or deleted outside Terraform shows in the plan.

**Import:** `terraform import comwit_database_alias.<name> <project_id>/<database_id>/<alias>`, \
or an `import` block with that `id` or, on Terraform 1.12 and later, `identity = { database_id \
= \"...\", alias = \"...\" }` (`project_id` defaults to the provider's).

**Token scopes:** `database:read` to read; setting and deleting need a scope the platform \
does not name (comwit-local asks for `database:write`).";
    Schema::new(
        Block::from_attributes(vec![
            project_id_attribute("database"),
            super::parent_database_attribute(
                "The database whose history the alias names a point of.",
            ),
            super::name_below_database("alias", "The alias's name, unique in the database."),
            Attribute::string("generation").optional().description(
                "The generation the alias names. Set exactly one of `generation` and `timestamp`.",
            ),
            Attribute::string("timestamp").optional().description(
                "The time the alias names (RFC 3339, not in the future). The platform keeps \
                 milliseconds: a finer time is sent to the millisecond, and an import reads it \
                 back so. Set exactly one of `generation` and `timestamp`.",
            ),
        ])
        .description(description),
    )
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct AliasModel {
    #[serde(default)]
    project_id: String,
    database_id: String,
    alias: String,
    generation: Option<String>,
    timestamp: Option<String>,
}

fn parse_ms(text: &str) -> Option<i64> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
}

fn rfc3339(ms: i64) -> Option<String> {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()?
        .format(&time::format_description::well_known::Rfc3339)
        .ok()
}

fn point(m: &AliasModel) -> Result<RestoreTo, Diagnostics> {
    match (&m.generation, &m.timestamp) {
        (Some(g), None) => Ok(RestoreTo {
            generation: Some(g.clone()),
            ..Default::default()
        }),
        (None, Some(t)) => Ok(RestoreTo {
            timestamp_ms: Some(parse_ms(t).ok_or_else(|| bad_time(t))?),
            ..Default::default()
        }),
        _ => Err(Diagnostic::error(
            "Invalid alias point",
            "Set exactly one of `generation` and `timestamp`.",
        )
        .into()),
    }
}

fn bad_time(text: &str) -> Diagnostics {
    Diagnostic::error(
        "Invalid alias time",
        format!("{text:?} is not an RFC 3339 time; write it like 2026-12-01T09:30:00Z."),
    )
    .with_attribute(AttributePath::new("timestamp"))
    .into()
}

impl DatabaseAliasResource {
    async fn set(&self, ctx: &Ctx, m: AliasModel) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let point = point(&m)?;
        call(
            ctx,
            configured
                .client
                .set_database_alias(&m.project_id, &m.database_id, &m.alias, &point),
        )
        .await
        .map_err(|e| {
            api_error(
                &format!(
                    "set the alias {:?} of the database {}",
                    m.alias, m.database_id
                ),
                &e,
            )
        })?;
        self.state(m)
    }
}

#[async_trait]
impl ModelResource for DatabaseAliasResource {
    type Model = AliasModel;
    type_metadata!();

    async fn validate(&self, config: &Value) -> Diagnostics {
        let get = |n: &str| config.get(n).cloned().unwrap_or(Value::Null);
        let (g, t) = (get("generation"), get("timestamp"));
        if g.is_unknown() || t.is_unknown() {
            return Diagnostics::new();
        }
        if g.is_null() == t.is_null() {
            return Diagnostic::error(
                "Invalid alias point",
                "Set exactly one of `generation` and `timestamp`.",
            )
            .into();
        }
        if let Value::String(text) = &t {
            match parse_ms(text) {
                None => return bad_time(text),
                Some(ms) if ms > (time::OffsetDateTime::now_utc().unix_timestamp() + 1) * 1000 => {
                    return Diagnostic::error(
                        "Alias time in the future",
                        format!("`timestamp` is {text}, after now: an alias names a past point."),
                    )
                    .with_attribute(AttributePath::new("timestamp"))
                    .into()
                }
                Some(_) => {}
            }
        }
        Diagnostics::new()
    }

    async fn modify_plan(&self, _ctx: &mut Ctx, plan: &mut PlanRequest) -> Diagnostics {
        plan_project(plan, &self.shared).err().unwrap_or_default()
    }

    async fn create(&self, ctx: &mut Ctx, planned: AliasModel) -> Result<Value, Diagnostics> {
        self.set(ctx, planned).await
    }

    async fn read(&self, ctx: &mut Ctx, prior: AliasModel) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let listed = call(
            ctx,
            configured
                .client
                .list_restore_points(&prior.project_id, &prior.database_id),
        )
        .await;
        let Some(listed) = found(
            listed,
            &format!("read the aliases of the database {}", prior.database_id),
        )?
        else {
            return Ok(Value::Null);
        };
        let Some(a) = listed.aliases.into_iter().find(|a| a.alias == prior.alias) else {
            return Ok(Value::Null);
        };
        let value = match &a.target_value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let next = match a.target_kind.as_str() {
            "generation" => AliasModel {
                generation: Some(value),
                timestamp: None,
                ..prior
            },
            "timestamp_ms" | "timestamp" => {
                let ms: Option<i64> = value.parse().ok();
                // The same time, however the state writes it, is no drift.
                let same = prior.timestamp.as_deref().and_then(parse_ms) == ms;
                AliasModel {
                    timestamp: if same {
                        prior.timestamp.clone()
                    } else {
                        ms.and_then(rfc3339)
                    },
                    generation: None,
                    ..prior
                }
            }
            // A kind this provider does not know: kept as the state has it.
            _ => prior,
        };
        self.state(next)
    }

    async fn update(
        &self,
        ctx: &mut Ctx,
        _prior: AliasModel,
        planned: AliasModel,
    ) -> Result<Value, Diagnostics> {
        self.set(ctx, planned).await
    }

    async fn delete(&self, ctx: &mut Ctx, prior: AliasModel) -> Result<(), Diagnostics> {
        let configured = self.shared.get()?;
        call(
            ctx,
            configured.client.delete_database_alias(
                &prior.project_id,
                &prior.database_id,
                &prior.alias,
            ),
        )
        .await
        .map_err(|e| {
            api_error(
                &format!(
                    "delete the alias {:?} of the database {}",
                    prior.alias, prior.database_id
                ),
                &e,
            )
        })
    }

    async fn import(&self, ctx: &mut Ctx, id: &str) -> Result<Value, Diagnostics> {
        let parts = split_import_id(id, 3, IMPORT_FORM)?;
        let model = AliasModel {
            project_id: parts[0].clone(),
            database_id: parts[1].clone(),
            alias: parts[2].clone(),
            generation: None,
            timestamp: None,
        };
        let state = self.read(ctx, model).await?;
        if state.is_null() {
            return Err(Diagnostic::error(
                "Alias not found",
                format!(
                    "Cannot import {id:?}: the database {} has no alias {:?} (or does not \
                     exist). The import ID has the form {IMPORT_FORM}.",
                    parts[1], parts[2]
                ),
            )
            .into());
        }
        Ok(state)
    }

    fn identity(&self) -> Option<&IdentitySchema> {
        Some(&IDENTITY)
    }

    fn identity_import_id(&self, identity: &Value) -> Result<String, Diagnostics> {
        query::check_identity_ids(identity, &super::DATABASE_IDENTITY_IDS, "")?;
        query::import_id(identity, &IDENTITY_ORDER, &self.shared)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_matches_the_schema() {
        crate::tfplugin::model::shape::check::<AliasModel>(&schema());
    }

    #[test]
    fn times_round_trip() {
        let ms = parse_ms("2026-12-01T09:30:00.250Z").unwrap();
        assert_eq!(rfc3339(ms).as_deref(), Some("2026-12-01T09:30:00.25Z"));
        assert_eq!(parse_ms(&rfc3339(ms).unwrap()), Some(ms));
    }
}
