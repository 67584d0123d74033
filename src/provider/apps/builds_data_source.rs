//! `comwit_app_builds` data source: an app's builds, newest first, to choose a rollback target.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::api::models::Build;
use crate::provider::common::{api_error, call, lookup_project};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, DataSource};
use crate::tfplugin::schema::{Attribute, Block, NestedAttributes, Schema};

use super::{app_not_found, opaque_id_validator};

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
    created_at: Option<String>,
    artifact_size: Option<i64>,
    deployed_at_ms: Option<i64>,
    active: bool,
}

impl BuildModel {
    fn of(b: Build, active: Option<&str>) -> Self {
        BuildModel {
            active: active == Some(b.build_id.as_str()),
            build_id: b.build_id,
            created_at: b.created_at,
            artifact_size: b.artifact_size,
            deployed_at_ms: b.deployed_at_ms,
        }
    }
}

fn schema() -> Schema {
    Schema::new(
        Block::from_attributes(vec![
            Attribute::string("project_id")
                .validator(opaque_id_validator())
                .optional()
                .computed()
                .description("The project of the app. Defaults to the provider's `project_id`."),
            Attribute::string("app_id")
                .validator(opaque_id_validator())
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
                    Attribute::string("created_at")
                        .computed()
                        .description("When the build was made, as the platform writes it; null when it does not say."),
                    Attribute::int64("artifact_size")
                        .computed()
                        .description("The size of the build's package in bytes, when the platform says."),
                    Attribute::int64("deployed_at_ms")
                        .computed()
                        .description("When the build was deployed (Unix milliseconds), when the platform says."),
                    Attribute::bool("active")
                        .computed()
                        .description("Whether this build serves traffic."),
                ]),
            )
            .computed()
            .description("The app's builds, newest first."),
        ])
        .description(
            "Lists an app's builds, newest first (the reverse of the platform's list order). Use it to \
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
        let active_build_id = call(ctx, configured.client.get_app(&project, &app_id))
            .await
            .map_err(|e| api_error(&format!("read the app {app_id}"), &e))?
            .active_build_id;
        let builds: Vec<BuildModel> = newest_first(builds)
            .into_iter()
            .map(|b| BuildModel::of(b, active_build_id.as_deref()))
            .collect();
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
        let b = |id: &str| Build {
            build_id: id.into(),
            artifact_size: Some(10),
            ..Default::default()
        };
        let sorted = newest_first(vec![b("build-1"), b("build-2")]);
        assert_eq!(sorted[0].build_id, "build-2");
        let listed = BuildsModel {
            project_id: "prj_1".into(),
            app_id: "app_1".into(),
            active_build_id: None,
            builds: sorted
                .into_iter()
                .map(|b| BuildModel::of(b, Some("build-2")))
                .collect(),
        };
        let value = model::value_of(&listed, &schema()).unwrap();
        let v = &value.get("builds").unwrap().elements()[0];
        assert_eq!(v.get("active"), Some(&Value::Bool(true)));
        assert_eq!(v.get("artifact_size").and_then(Value::as_i64), Some(10));
        assert_eq!(v.get("created_at"), Some(&Value::Null));
    }

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<BuildsModel>(&schema());
    }
}
