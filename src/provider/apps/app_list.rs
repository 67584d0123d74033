//! The `comwit_app` list resource (`terraform query`, Terraform 1.14+): the apps of a project,
//! each with its plain environment variables, which belong in the configuration Terraform
//! generates for it.

use async_trait::async_trait;
use futures::StreamExt as _;
use serde::Deserialize;

use super::app::AppResource;
use super::app_state::AppModel;
use crate::api::models::{App, EnvVar};
use crate::api::Client;
use crate::provider::common::{api_error, call};
use crate::provider::query::{finished, list_project, list_project_attribute};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostics};
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, ListResource, ListSink, Listed};
use crate::tfplugin::schema::{Block, Schema};

/// Environments read at once: a list Terraform stops early (its `limit`) has read at most this
/// many more than it sent.
const ENV_READS: usize = 4;

/// The `config` block of a `list "comwit_app"` block.
#[derive(Debug, Default, Deserialize)]
struct AppListConfig {
    project_id: Option<String>,
}

fn schema() -> Schema {
    let description = "\
Finds the apps of a project, oldest first, for `terraform query` (Terraform 1.14 and later). \
Each result is identified by its `project_id` and `app_id`; \
`terraform query -generate-config-out=<file>` writes an `import` block and a `comwit_app` \
resource block for each, which `terraform apply` imports without changing anything.

The generated blocks hold the app's `name` and plain variables (`env`). They have \
no `secret_env_wo` (write-only: Terraform never knows secret \
values): an imported app's secrets stay as they are on the platform until a configuration \
sets `secret_env_wo`, and until then a change of `env` is refused while the app has secrets \
(the platform replaces the whole environment at once). They have no `source_dir` \
either, nor `active_build_id`: Terraform deploys nothing, and the build the app serves stays \
unmanaged. See the `comwit_app` resource's Import section.

A query reads the apps 100 per request; with `-generate-config-out` (or `include_resource`) \
it also reads each app's environment variables, one request per app.

**Token scopes:** `app:read`.";
    Schema::new(Block::from_attributes(vec![list_project_attribute()]).description(description))
}

provider_type!(AppList, AppResource::TYPE_NAME, |shared| {
    /// Builds each result's state, as the resource's `read` does.
    resource: AppResource = AppResource::new(shared.clone()),
});

impl AppList {
    /// The result for one app and its environment.
    fn listed(&self, app: &App, remote_env: &[EnvVar]) -> Result<Listed, Diagnostics> {
        Ok(Listed {
            display_name: app.name.clone(),
            state: self.resource.state(&AppModel::listed(app, remote_env))?,
        })
    }

    /// Sends the apps of `project` (one whole list), reading their environments a few at a time;
    /// false once the sink refuses. Not `query::send_pages`: each app needs a request of its
    /// own.
    async fn send(
        &self,
        ctx: &Ctx,
        client: &Client,
        project: &str,
        sink: &ListSink,
    ) -> Result<bool, Diagnostics> {
        let what = format!("list the apps of the project {project}");
        let page = call(ctx, client.list_apps(project))
            .await
            .map_err(|e| api_error(&what, &e))?;
        {
            // Without the objects (a plain `terraform query`), identities and names are all
            // Terraform shows: the environments are not read.
            let objects = sink.includes_objects();
            let mut read = futures::stream::iter(page)
                .map(|app| async move {
                    let env = if objects {
                        call(ctx, client.get_env(&app.project_id, &app.app_id)).await
                    } else {
                        Ok(Vec::new())
                    };
                    (app, env)
                })
                .buffered(ENV_READS);
            while let Some((app, env)) = read.next().await {
                let env = match env {
                    Ok(env) => env,
                    // Deleted since the page was read: not there to import.
                    Err(e) if e.is_not_found() => continue,
                    Err(e) => {
                        let what =
                            format!("read the environment variables of the app {:?}", app.name);
                        return Err(api_error(&what, &e));
                    }
                };
                if !sink.send(self.listed(&app, &env)?).await {
                    return Ok(false);
                }
            }
        }
        Ok(sink.wants_more())
    }
}

#[async_trait]
impl ListResource for AppList {
    type_metadata!();

    async fn list(&self, ctx: &mut Ctx, config: &Value, sink: &ListSink) -> Diagnostics {
        let result = async {
            let AppListConfig { project_id } = model::get(config)?;
            // Terraform reads a list's paths from the `list` block, not its `config` block.
            let at = AttributePath::new("project_id");
            let project = list_project(project_id, &self.shared, at)?;
            let configured = self.shared.get()?;
            self.send(ctx, &configured.client, &project, sink).await
        };
        finished(result.await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::EnvVar;
    use crate::provider::apps::{test_app, test_var};
    use crate::provider::Shared;
    use crate::tfplugin::plan;
    use crate::tfplugin::resource::Resource as _;

    #[test]
    fn the_config_model_matches_the_schema() {
        model::shape::check::<AppListConfig>(&schema());
        // `project_id` is `query::list_project_attribute`, tested there.
        let config = Value::object([("project_id", Value::string("my shop"))]);
        assert!(plan::validate_config(&schema(), &config).has_errors());
    }

    fn listed_app() -> (App, Vec<EnvVar>) {
        let app = App {
            active_build_id: Some("build-1".into()),
            ..test_app("app-1", "p1")
        };
        let var: fn(&str, Option<&str>, bool) -> EnvVar = test_var;
        let env = vec![
            var("MODE", Some("production"), false),
            var("API_KEY", None, true),
        ];
        (app, env)
    }

    /// The `env` of `listed_app`'s state and generated configuration: its plain variables.
    fn plain_env() -> Value {
        Value::Map([("MODE".into(), Value::string("production"))].into())
    }

    #[test]
    fn listed_apps_are_what_read_makes_of_them() {
        let (app, env) = listed_app();
        let list = AppList::new(Shared::default());
        let listed = list.listed(&app, &env).unwrap();
        assert_eq!(listed.display_name, "web");
        // `read` of that state keeps its Terraform-only attributes and takes the rest from
        // the platform: the same value.
        let prior: AppModel = model::get(&listed.state).unwrap();
        let read = list.resource.state(&prior.refreshed(&app, &env)).unwrap();
        assert_eq!(listed.state, read);
        let s = |name: &str| listed.state.get(name).cloned().unwrap();
        assert_eq!(s("env"), plain_env());
        assert_eq!(s("active_build_id"), Value::string("build-1"));
        for null in [
            "secret_env_wo",
            "secret_env_wo_version",
            "source_dir",
            "build_id",
        ] {
            assert_eq!(s(null), Value::Null, "{null}");
        }
    }

    #[test]
    fn the_generated_configuration_has_what_a_configuration_sets() {
        let (app, env) = listed_app();
        let list = AppList::new(Shared::default());
        let state = list.listed(&app, &env).unwrap().state;
        let config = plan::config_from_state(list.resource.schema(), &state);
        let c = |name: &str| config.get(name).cloned().unwrap();
        assert_eq!(c("name"), Value::string("web"));
        assert_eq!(c("project_id"), Value::string("p1"));
        assert_eq!(c("env"), plain_env());
        assert_eq!(c("active_build_id"), Value::string("build-1"));
        for null in [
            "app_id",
            "secret_env_wo",
            "source_dir",
            "source_sha256",
            "build_id",
            "default_domain",
        ] {
            assert_eq!(c(null), Value::Null, "{null}");
        }
    }
}
