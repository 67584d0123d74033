//! `comwit_app` data source: an existing app, found by ID or by name within its project.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::api::models::{App, EnvVar};
use crate::provider::common::{api_error, call, lookup_project, lookup_project_attribute};
use crate::tfplugin::cty::{Type, Value};
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, DataSource};
use crate::tfplugin::schema::{Attribute, Block, Schema};

use super::env::{self, Vars};
use super::{app_not_found, is_unknown, opaque_id_validator};

provider_type!(AppDataSource, "comwit_app");

/// The data source's configuration (`app_id` or `name`, maybe `project_id`) and result.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct AppLookup {
    project_id: Option<String>,
    app_id: Option<String>,
    name: Option<String>,
    active_build_id: Option<String>,
    default_url: Option<String>,
    default_domain: Option<String>,
    #[serde(default)]
    env: Vars,
    #[serde(default)]
    secret_env_names: Vec<String>,
}

impl AppLookup {
    fn found(app: App, remote_env: &[EnvVar]) -> AppLookup {
        let (env, secrets) = env::split(remote_env);
        AppLookup {
            project_id: Some(app.project_id),
            app_id: Some(app.app_id),
            name: Some(app.name),
            active_build_id: app.active_build_id,
            default_url: app.default_url,
            default_domain: app.default_domain,
            env,
            // Sorted, as the keys of the map are.
            secret_env_names: secrets.into_iter().collect(),
        }
    }
}

fn schema() -> Schema {
    Schema::new(
        Block::from_attributes(vec![
            lookup_project_attribute(),
            Attribute::string("app_id")
                .validator(opaque_id_validator())
                .optional()
                .computed()
                .description("The app's ID. Give either `app_id` or `name`."),
            Attribute::string("name")
                .optional()
                .computed()
                .description("The app's name. Give either `app_id` or `name`."),
            Attribute::string("active_build_id")
                .computed()
                .description("The build serving traffic; null before the first deploy."),
            Attribute::string("default_url")
                .computed()
                .description("The app's own URL, when the platform gives one; else null."),
            Attribute::string("default_domain").computed().description(
                "The hostname the platform serves the app at, when it gives one; else null.",
            ),
            Attribute::map("env", Type::String)
                .computed()
                .description("The app's plain (non-secret) environment variables."),
            Attribute::list("secret_env_names", Type::String)
                .computed()
                .description(
                    "The names of the app's secret environment variables, sorted. Their values \
                     are never readable.",
                ),
        ])
        .description(
            "Looks up an existing app by `app_id` or by `name` within a project, with its \
             plain environment variables and the names of its secret ones.\n\n\
             **Token scopes:** `app:read`.",
        ),
    )
}

#[async_trait]
impl DataSource for AppDataSource {
    type_metadata!();

    async fn validate(&self, config: &Value) -> Diagnostics {
        if is_unknown(config, "app_id") || is_unknown(config, "name") {
            return Diagnostics::new();
        }
        let lookup: AppLookup = match model::get(config) {
            Ok(lookup) => lookup,
            Err(d) => return d,
        };
        if lookup.app_id.is_none() == lookup.name.is_none() {
            return Diagnostic::error(
                "Give either app_id or name",
                "The `comwit_app` data source finds one app: set exactly one of `app_id` and \
                 `name`.",
            )
            .with_attribute(AttributePath::new(if lookup.app_id.is_none() {
                "app_id"
            } else {
                "name"
            }))
            .into();
        }
        Diagnostics::new()
    }

    async fn read(&self, ctx: &mut Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let project = lookup_project(config, &self.shared)?;
        let lookup: AppLookup = model::get(config)?;
        let configured = self.shared.get()?;
        let client = &configured.client;
        let app = match (lookup.app_id, lookup.name) {
            (Some(app_id), _) => {
                call(ctx, client.get_app(&project, &app_id))
                    .await
                    .map_err(|e| {
                        if e.is_not_found() {
                            not_found(&format!("no app {app_id} in the project {project}"))
                        } else {
                            api_error(&format!("read the app {app_id}"), &e)
                        }
                    })?
            }
            (None, Some(name)) => call(ctx, client.list_apps(&project))
                .await
                .map_err(|e| api_error(&format!("list the apps of {project}"), &e))?
                .into_iter()
                .find(|a| a.name == name)
                .ok_or_else(|| {
                    not_found(&format!("the project {project} has no app named {name:?}"))
                })?,
            (None, None) => {
                return Err(Diagnostic::error(
                    "Give either app_id or name",
                    "Set `app_id` or `name`.",
                )
                .into())
            }
        };
        let remote_env = call(ctx, client.get_env(&project, &app.app_id))
            .await
            .map_err(|e| api_error(&format!("read the variables of {}", app.app_id), &e))?;
        model::value_of(&AppLookup::found(app, &remote_env), &self.schema)
    }
}

fn not_found(what: &str) -> Diagnostics {
    app_not_found(format!(
        "Could not find the app: {what}. Check `project_id`, `app_id` and `name`."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<AppLookup>(&schema());
    }

    #[test]
    fn a_found_app_lists_its_secrets_by_name_only() {
        let var = super::super::test_var;
        let remote = vec![
            var("Z", None, true),
            var("A", Some("1"), false),
            var("B", None, true),
        ];
        let found = AppLookup::found(super::super::test_app("app-1", "p1"), &remote);
        let value = model::value_of(&found, &schema()).unwrap();
        assert_eq!(value.get("app_id"), Some(&Value::string("app-1")));
        assert_eq!(value.get("active_build_id"), Some(&Value::Null));
        assert_eq!(
            value.get("env"),
            Some(&Value::Map([("A".into(), Value::string("1"))].into()))
        );
        assert_eq!(
            value.get("secret_env_names"),
            Some(&Value::List(vec![Value::string("B"), Value::string("Z")]))
        );
        // No plain variables is an empty map, never null.
        let secret_only = vec![var("S", None, true)];
        let found = AppLookup::found(super::super::test_app("app-1", "p1"), &secret_only);
        let value = model::value_of(&found, &schema()).unwrap();
        assert_eq!(value.get("env"), Some(&Value::Map(Default::default())));
    }
}
