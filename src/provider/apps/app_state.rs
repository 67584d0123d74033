//! The `comwit_app` model, and reading an app from the platform into it.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::api::models::{App, Env};
use crate::api::{ApiError, Client};
use crate::tfplugin::resource::Ctx;

use super::env::{self, Vars};
use crate::provider::common::call;

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
    pub runtime: String,
    /// Null and `{}` are kept apart: a state writes an empty environment as configured.
    pub env: Option<Vars>,
    /// Write-only: only a configuration has it, and it is never written.
    #[serde(skip_serializing)]
    pub secret_env_wo: Option<Vars>,
    pub secret_env_wo_version: Option<i64>,
    /// Names of `secret_env_wo` whose values are new on every run: not compared at plan.
    pub secret_env_wo_rotating: Option<BTreeSet<String>>,
    /// Null only after import, until the refresh that follows it.
    pub secret_env_digests: Option<Vars>,
    pub source_dir: Option<String>,
    pub source_sha256: Option<String>,
    pub build_id: Option<String>,
    pub active_build_id: Option<String>,
    #[serde(default)]
    pub default_hostname: String,
    #[serde(default)]
    pub created_at: String,
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
    /// Takes what the platform says about the app itself.
    pub(super) fn apply(&mut self, app: &App) {
        self.app_id.clone_from(&app.app_id);
        self.project_id.clone_from(&app.project_id);
        self.name.clone_from(&app.name);
        self.runtime.clone_from(&app.runtime);
        self.default_hostname.clone_from(&app.default_hostname);
        self.created_at.clone_from(&app.created_at);
        self.active_build_id.clone_from(&app.active_build_id);
    }

    /// What `read` makes of an app Terraform knows nothing more of (no deploy, no
    /// `secret_env_wo_version`): the state a list resource sends for it. An import describes
    /// the active build too (`build_id`, `source_sha256`), which a list leaves null: it would
    /// cost a request per app, for attributes no configuration sets.
    pub(super) fn listed(app: &App, remote_env: &Env) -> AppModel {
        AppModel::from(app).refreshed(app, remote_env)
    }

    /// The full state from the platform's view of the app, keeping from `self` what only
    /// Terraform knows: `source_dir`, `source_sha256`, `build_id` (the provider's last
    /// deploy), `secret_env_wo_version`, and whether an empty `env` is written `{}` or left
    /// out.
    pub(super) fn refreshed(&self, app: &App, remote_env: &Env) -> AppModel {
        let (env, digests) = env::state_values(remote_env, self.env.as_ref());
        let mut state = AppModel {
            env,
            secret_env_digests: Some(digests),
            secret_env_wo: None,
            ..self.clone()
        };
        state.apply(app);
        state
    }
}

/// What the provider keeps beside an app's state (Terraform's private state, JSON): whether the
/// app's secrets are still the platform's. Import sets it: Terraform never knew the secrets of
/// an app it imports, so until a configuration sets `secret_env_wo` it leaves them as they are
/// instead of deleting those the configuration does not name. The first apply with
/// `secret_env_wo` set (even `{}`) makes them Terraform's. Empty or unreadable bytes read as
/// the default: secrets managed, as for an app Terraform created.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct AppPrivate {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub imported_secrets: bool,
}

impl AppPrivate {
    pub(super) fn read(bytes: &[u8]) -> AppPrivate {
        serde_json::from_slice(bytes).unwrap_or_default()
    }

    /// The bytes to store: none for the default.
    pub(super) fn to_bytes(&self) -> Vec<u8> {
        if *self == AppPrivate::default() {
            return Vec::new();
        }
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// An imported app's marker.
    pub(super) fn imported() -> AppPrivate {
        AppPrivate {
            imported_secrets: true,
        }
    }
}

/// The app (from the project's cached app list, see `Client::read_app`) and its environment,
/// or None when the app is gone.
pub(super) async fn fetch(
    ctx: &Ctx,
    client: &Client,
    project_id: &str,
    app_id: &str,
) -> Result<Option<(App, Env)>, ApiError> {
    let app = match call(ctx, client.read_app(project_id, app_id)).await {
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
            active_build_id: Some("bld_2".into()),
            ..super::super::test_app("app_1", "prj_1")
        };
        let env = Env {
            variables: vec![super::super::test_var("S", None, true)],
        };
        let base = Value::object([
            ("name", Value::string("web")),
            ("runtime", Value::string("next")),
            ("source_dir", Value::string("./site")),
            ("source_sha256", Value::Unknown),
            ("build_id", Value::string("bld_1")),
            (
                "secret_env_wo",
                Value::Map([("S".into(), Value::string("x"))].into()),
            ),
            ("env", Value::Null),
        ]);
        let base: AppModel = model::get(&base).unwrap();
        let s = model::value_of(&base.refreshed(&app, &env), &super::super::app::schema()).unwrap();
        assert_eq!(attr(&s, "source_dir"), Value::string("./site"));
        assert_eq!(attr(&s, "source_sha256"), Value::Null);
        assert_eq!(attr(&s, "build_id"), Value::string("bld_1"));
        assert_eq!(attr(&s, "active_build_id"), Value::string("bld_2"));
        assert_eq!(attr(&s, "secret_env_wo"), Value::Null);
        assert_eq!(attr(&s, "env"), Value::Null);
        assert_eq!(
            attr(&s, "secret_env_digests"),
            Value::Map([("S".into(), Value::string("d-S"))].into())
        );
    }

    #[test]
    fn the_private_marker_round_trips_and_defaults_to_managed() {
        let imported = AppPrivate::imported().to_bytes();
        assert_eq!(imported, br#"{"imported_secrets":true}"#);
        assert!(AppPrivate::read(&imported).imported_secrets);
        assert!(AppPrivate::default().to_bytes().is_empty());
        for other in [&b""[..], b"garbage", b"{}", br#"{"other":1}"#] {
            assert!(!AppPrivate::read(other).imported_secrets, "{other:?}");
        }
    }

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<AppModel>(&super::super::app::schema());
    }
}
