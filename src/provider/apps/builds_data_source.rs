//! `comwit_app_builds` data source: an app's builds, newest first, to choose a rollback target.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::api::models::Build;
use crate::provider::common::{api_error, call, id_validator, lookup_project};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, DataSource};
use crate::tfplugin::schema::{Attribute, Block, NestedAttributes, Schema};

use super::app_not_found;

provider_type!(BuildsDataSource, "comwit_app_builds");

/// The data source's configuration (`app_id`, maybe `project_id`) and result.
#[derive(Debug, Serialize, Deserialize)]
struct BuildsModel {
    /// The provider's default when the configuration leaves it out.
    #[serde(default)]
    project_id: String,
    app_id: String,
    active_build_id: Option<String>,
    #[serde(default)]
    builds: Vec<BuildModel>,
}

/// One of `builds`.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct BuildModel {
    build_id: String,
    source_sha256: String,
    size_bytes: i64,
    created_at: String,
    active: bool,
}

impl From<Build> for BuildModel {
    fn from(b: Build) -> Self {
        BuildModel {
            build_id: b.build_id,
            source_sha256: b.source_sha256,
            size_bytes: b.size_bytes,
            created_at: b.created_at,
            active: b.active,
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
                .description("The project of the app. Defaults to the provider's `project_id`."),
            Attribute::string("app_id")
                .validator(id_validator("app", "app"))
                .required()
                .description("The app whose builds to list."),
            Attribute::string("active_build_id")
                .computed()
                .description("The build serving traffic; null before the first deploy."),
            Attribute::nested(
                "builds",
                NestedAttributes::list(vec![
                    Attribute::string("build_id")
                        .computed()
                        .description("The build's ID."),
                    Attribute::string("source_sha256").computed().description(
                        "Hex SHA-256 of the deployed bundle (a `comwit_app`'s \
                         `source_sha256`).",
                    ),
                    Attribute::int64("size_bytes")
                        .computed()
                        .description("Size of the deployed bundle in bytes."),
                    Attribute::string("created_at")
                        .computed()
                        .description("When the build was deployed (RFC 3339, UTC)."),
                    Attribute::bool("active")
                        .computed()
                        .description("Whether this build serves traffic."),
                ]),
            )
            .computed()
            .description("The app's builds, newest first."),
        ])
        .description(
            "Lists an app's builds, newest first, with the digest of each one's bundle. Use it to \
             choose the build to roll back to (`builds[1]` is the one before the newest) and \
             set its ID as a `comwit_app`'s `active_build_id`.\n\n\
             **Token scopes:** `app:read`.",
        ),
    )
}

/// Builds newest first (the platform lists them oldest first, in creation order).
fn newest_first(mut builds: Vec<Build>) -> Vec<Build> {
    builds.reverse();
    builds
}

#[async_trait]
impl DataSource for BuildsDataSource {
    type_metadata!();

    async fn read(&self, ctx: &mut Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let project = lookup_project(config, &self.shared)?;
        let BuildsModel { app_id, .. } = model::get(config)?;
        let configured = self.shared.get()?;
        let builds = call(ctx, configured.client.list_builds(&project, &app_id))
            .await
            .map_err(|e| {
                if e.is_not_found() {
                    app_not_found(format!(
                        "Could not list the builds: the project {project} has no app \
                         {app_id}. Check `project_id` and `app_id`."
                    ))
                } else {
                    api_error(&format!("list the builds of the app {app_id}"), &e)
                }
            })?;
        let builds: Vec<BuildModel> = newest_first(builds)
            .into_iter()
            .map(BuildModel::from)
            .collect();
        let active_build_id = builds.iter().find(|b| b.active).map(|b| b.build_id.clone());
        let listed = BuildsModel {
            project_id: project,
            app_id,
            active_build_id,
            builds,
        };
        model::value_of(&listed, &self.schema)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_are_listed_newest_first() {
        let b = |id: &str, active: bool| Build {
            build_id: id.into(),
            app_id: "app_1".into(),
            project_id: "prj_1".into(),
            source_sha256: "s".into(),
            size_bytes: 10,
            status: "ready".into(),
            active,
            created_at: "2025-01-01T00:00:00Z".into(),
        };
        let sorted = newest_first(vec![b("bld_1", false), b("bld_2", true)]);
        assert_eq!(sorted[0].build_id, "bld_2");
        let listed = BuildsModel {
            project_id: "prj_1".into(),
            app_id: "app_1".into(),
            active_build_id: None,
            builds: sorted.into_iter().map(BuildModel::from).collect(),
        };
        let value = model::value_of(&listed, &schema()).unwrap();
        let v = &value.get("builds").unwrap().elements()[0];
        assert_eq!(v.get("active"), Some(&Value::Bool(true)));
        assert_eq!(v.get("size_bytes").and_then(Value::as_i64), Some(10));
    }

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<BuildsModel>(&schema());
    }
}
