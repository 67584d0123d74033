//! The `comwit_app` model, and reading an app from the platform into it.

use serde::{Deserialize, Serialize};

use crate::api::models::{App, EnvVar};
use crate::api::{ApiError, Client};
use crate::tfplugin::resource::Ctx;

use super::env::{self, Vars};
use crate::provider::common::call;

/// The `timeouts` block.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct AppTimeouts {
    pub delete: Option<String>,
}

/// The resource's configuration, plan and state. A plan leaves what only the platform knows
/// unknown (read here as absent); a state has it all.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct AppModel {
    #[serde(default)]
    pub app_id: String,
    /// The provider's default when the configuration leaves it out.
    #[serde(default)]
    pub project_id: String,
    pub name: String,
    /// Null and `{}` are kept apart: a state writes an empty environment as configured.
    pub env: Option<Vars>,
    /// Write-only: only a configuration has it, and it is never written.
    #[serde(skip_serializing)]
    pub secret_env_wo: Option<Vars>,
    pub secret_env_wo_version: Option<i64>,
    pub source_dir: Option<String>,
    pub package: Option<String>,
    pub env_ref: Option<String>,
    pub max_concurrent_requests: Option<i64>,
    pub source_sha256: Option<String>,
    pub build_id: Option<String>,
    pub active_build_id: Option<String>,
    pub default_url: Option<String>,
    pub default_domain: Option<String>,
    pub timeouts: Option<AppTimeouts>,
}

impl From<&App> for AppModel {
    /// What the platform says about the app itself; the rest is null.
    fn from(app: &App) -> Self {
        let mut model = AppModel::default();
        model.apply(app);
        model
    }
}

impl AppModel {
    /// Takes what the platform says about the app itself. `default_url`/`default_domain` are
    /// kept when an answer (a list, a rollback) leaves them out.
    pub(super) fn apply(&mut self, app: &App) {
        self.app_id.clone_from(&app.app_id);
        if !app.project_id.is_empty() {
            self.project_id.clone_from(&app.project_id);
        }
        self.name.clone_from(&app.name);
        self.active_build_id.clone_from(&app.active_build_id);
        if app.default_url.is_some() {
            self.default_url.clone_from(&app.default_url);
        }
        if app.default_domain.is_some() {
            self.default_domain.clone_from(&app.default_domain);
        }
    }

    /// What `read` makes of an app Terraform knows nothing more of: the state a list resource
    /// and an import send for it.
    pub(super) fn listed(app: &App, remote_env: &[EnvVar]) -> AppModel {
        AppModel::from(app).refreshed(app, remote_env)
    }

    /// The full state from the platform's view of the app, keeping from `self` what only
    /// Terraform knows: `source_dir`, `package`, `source_sha256`, `build_id` (the provider's
    /// last deploy), the deploy options, `secret_env_wo_version`, and whether an empty `env`
    /// is written `{}` or left out.
    pub(super) fn refreshed(&self, app: &App, remote_env: &[EnvVar]) -> AppModel {
        let mut state = AppModel {
            env: env::state_env(remote_env, self.env.as_ref()),
            secret_env_wo: None,
            ..self.clone()
        };
        state.apply(app);
        state
    }
}

/// The app (the documented single read) and its environment, or None when the app is gone.
pub(super) async fn fetch(
    ctx: &Ctx,
    client: &Client,
    project_id: &str,
    app_id: &str,
) -> Result<Option<(App, Vec<EnvVar>)>, ApiError> {
    let app = match call(ctx, client.get_app(project_id, app_id)).await {
        Ok(app) => app,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    match call(ctx, client.get_env(project_id, app_id)).await {
        Ok(env) => Ok(Some((app, env))),
        // Deleted between the two calls.
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::common::attr_or_null as attr;
    use crate::tfplugin::cty::Value;
    use crate::tfplugin::model;

    #[test]
    fn remote_state_keeps_terraform_only_values() {
        let app = App {
            active_build_id: Some("build-2".into()),
            default_domain: Some("web.example".into()),
            ..super::super::test_app("app-1", "p1")
        };
        let env = vec![EnvVar {
            key: "S".into(),
            value: None,
            secret: true,
        }];
        let base = Value::object([
            ("name", Value::string("web")),
            ("source_dir", Value::string("./site")),
            ("source_sha256", Value::Unknown),
            ("build_id", Value::string("build-1")),
            (
                "secret_env_wo",
                Value::Map([("S".into(), Value::string("x"))].into()),
            ),
            ("env", Value::Null),
        ]);
        let base: AppModel = model::get(&base).unwrap();
        let s = model::value_of(&base.refreshed(&app, &env), &super::super::app::schema()).unwrap();
        assert_eq!(attr(&s, "source_dir"), Value::string("./site"));
        assert_eq!(attr(&s, "build_id"), Value::string("build-1"));
        assert_eq!(attr(&s, "active_build_id"), Value::string("build-2"));
        assert_eq!(attr(&s, "default_domain"), Value::string("web.example"));
        assert_eq!(attr(&s, "secret_env_wo"), Value::Null);
        assert_eq!(attr(&s, "env"), Value::Null);
    }

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<AppModel>(&super::super::app::schema());
    }
}
