//! `comwit_app_builds` data source: an app's builds, newest first, to choose a rollback target.

use async_trait::async_trait;

use crate::api::models::Build;
use crate::provider::common::{api_error, call, id_validator, plan_project_id, required_str};
use crate::provider::Shared;
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::resource::{Ctx, DataSource};
use crate::tfplugin::schema::{Attribute, Block, NestedAttributes, Schema};

use super::set;

pub struct BuildsDataSource {
    shared: Shared,
    schema: Schema,
}

impl BuildsDataSource {
    pub fn new(shared: Shared) -> Self {
        BuildsDataSource {
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

fn build_value(b: &Build) -> Value {
    Value::object([
        ("build_id", Value::string(&b.build_id)),
        ("source_sha256", Value::string(&b.source_sha256)),
        ("size_bytes", Value::int(b.size_bytes)),
        ("created_at", Value::string(&b.created_at)),
        ("active", Value::Bool(b.active)),
    ])
}

/// Builds newest first (the platform lists them oldest first, in creation order).
fn newest_first(mut builds: Vec<Build>) -> Vec<Build> {
    builds.reverse();
    builds
}

#[async_trait]
impl DataSource for BuildsDataSource {
    fn type_name(&self) -> &str {
        "comwit_app_builds"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn read(&self, ctx: &mut Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let project = plan_project_id(config, &self.shared)?;
        let project = project.as_str().unwrap_or_default().to_string();
        let app_id = required_str(config, "app_id")?;
        let configured = self.shared.get()?;
        let builds = call(ctx, configured.client.list_builds(&project, &app_id))
            .await
            .map_err(|e| {
                if e.is_not_found() {
                    Diagnostic::error(
                        "App not found",
                        format!(
                            "Could not list the builds: the project {project} has no app \
                             {app_id}. Check `project_id` and `app_id`."
                        ),
                    )
                    .into()
                } else {
                    api_error(&format!("list the builds of the app {app_id}"), &e)
                }
            })?;
        let builds = newest_first(builds);
        let active = builds
            .iter()
            .find(|b| b.active)
            .map_or(Value::Null, |b| Value::string(&b.build_id));
        let mut value = config.clone();
        set(&mut value, "project_id", Value::string(&project));
        set(&mut value, "active_build_id", active);
        set(
            &mut value,
            "builds",
            Value::List(builds.iter().map(build_value).collect()),
        );
        Ok(value)
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
        let v = build_value(&sorted[0]);
        assert_eq!(v.get("active"), Some(&Value::Bool(true)));
        assert_eq!(v.get("size_bytes").and_then(Value::as_i64), Some(10));
    }
}
