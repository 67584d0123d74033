//! `comwit_app` data source: an existing app, found by ID or by name within its project.

use async_trait::async_trait;

use crate::provider::common::{api_error, call, id_validator, plan_project_id, str_attr};
use crate::provider::Shared;
use crate::tfplugin::cty::{Type, Value};
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::resource::{Ctx, DataSource};
use crate::tfplugin::schema::{Attribute, Block, Schema};

use super::{attr, env, set};

pub struct AppDataSource {
    shared: Shared,
    schema: Schema,
}

impl AppDataSource {
    pub fn new(shared: Shared) -> Self {
        AppDataSource {
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
            Attribute::string("app_id")
                .validator(id_validator("app", "app"))
                .optional()
                .computed()
                .description("The app's ID. Give either `app_id` or `name`."),
            Attribute::string("name")
                .optional()
                .computed()
                .description("The app's name. Give either `app_id` or `name`."),
            Attribute::string("runtime")
                .computed()
                .description("The runtime: `next` or `isolate`."),
            Attribute::string("active_build_id")
                .computed()
                .description("The build serving traffic; null before the first deploy."),
            Attribute::string("default_hostname")
                .computed()
                .description("The hostname the platform gives the app."),
            Attribute::string("created_at")
                .computed()
                .description("When the app was created (RFC 3339, UTC)."),
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
    fn type_name(&self) -> &str {
        "comwit_app"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        let id = attr(config, "app_id");
        let name = attr(config, "name");
        if id.is_unknown() || name.is_unknown() {
            return Diagnostics::new();
        }
        if id.is_null() == name.is_null() {
            return Diagnostic::error(
                "Give either app_id or name",
                "The `comwit_app` data source finds one app: set exactly one of `app_id` and \
                 `name`.",
            )
            .with_attribute(AttributePath::new(if id.is_null() {
                "app_id"
            } else {
                "name"
            }))
            .into();
        }
        Diagnostics::new()
    }

    async fn read(&self, ctx: &mut Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let project = plan_project_id(config, &self.shared)?;
        let project = project.as_str().unwrap_or_default().to_string();
        let configured = self.shared.get()?;
        let client = &configured.client;
        let app = match (str_attr(config, "app_id"), str_attr(config, "name")) {
            (Some(app_id), _) => {
                call(ctx, client.get_app(&project, app_id))
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
        let mut value = config.clone();
        super::app_state::apply_app(&mut value, &app);
        let (plain, digests) = env::state_values(&remote_env, &Value::Map(Default::default()));
        set(&mut value, "env", plain);
        let names = match digests {
            Value::Map(m) => m.into_keys().map(Value::string).collect(),
            _ => Vec::new(),
        };
        set(&mut value, "secret_env_names", Value::List(names));
        Ok(value)
    }
}

fn not_found(what: &str) -> Diagnostics {
    Diagnostic::error(
        "App not found",
        format!("Could not find the app: {what}. Check `project_id`, `app_id` and `name`."),
    )
    .into()
}
