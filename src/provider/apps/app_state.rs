//! Reading an app from the platform and turning it into the `comwit_app` state.

use crate::api::models::{App, Env};
use crate::api::{ApiError, Client};
use crate::tfplugin::cty::Value;
use crate::tfplugin::resource::Ctx;

use super::{attr, env, set};
use crate::provider::common::call;

/// The app (from the project's cached app list, see `Client::read_app`) and its environment,
/// or None when the app is gone.
pub async fn fetch(
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

/// Writes what the platform says about the app itself into `state`.
pub fn apply_app(state: &mut Value, app: &App) {
    set(state, "app_id", Value::string(&app.app_id));
    set(state, "project_id", Value::string(&app.project_id));
    set(state, "name", Value::string(&app.name));
    set(state, "runtime", Value::string(&app.runtime));
    set(
        state,
        "default_hostname",
        Value::string(&app.default_hostname),
    );
    set(state, "created_at", Value::string(&app.created_at));
    set(
        state,
        "active_build_id",
        app.active_build_id
            .as_deref()
            .map_or(Value::Null, Value::string),
    );
}

/// The full state from the platform's view of the app, keeping from `base` what only
/// Terraform knows: `source_dir`, `source_sha256`, `build_id` (the provider's last deploy),
/// `secret_env_wo_version`, and whether an empty `env` is written `{}` or left out.
pub fn from_remote(app: &App, remote_env: &Env, base: &Value) -> Value {
    let mut state = known_or_null(base);
    apply_app(&mut state, app);
    let (plain, digests) = env::state_values(remote_env, &attr(base, "env"));
    set(&mut state, "env", plain);
    set(&mut state, "secret_env_digests", digests);
    // Write-only: never stored.
    set(&mut state, "secret_env_wo", Value::Null);
    state
}

/// `value` with every unknown attribute turned to null: a state must be fully known.
pub fn known_or_null(value: &Value) -> Value {
    match value {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let v = if v.is_unknown() {
                        Value::Null
                    } else {
                        v.clone()
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::EnvVar;

    #[test]
    fn remote_state_keeps_terraform_only_values() {
        let app = App {
            app_id: "app_1".into(),
            project_id: "prj_1".into(),
            name: "web".into(),
            runtime: "next".into(),
            active_build_id: Some("bld_2".into()),
            default_hostname: "web-1.comwit.app".into(),
            created_at: "2025-01-01T00:00:00Z".into(),
            env_digest_key: None,
        };
        let env = Env {
            variables: vec![EnvVar {
                name: "S".into(),
                value: None,
                secret: true,
                digest: "abc".into(),
                updated_at: "2025-01-01T00:00:00Z".into(),
            }],
        };
        let base = Value::object([
            ("source_dir", Value::string("./site")),
            ("source_sha256", Value::Unknown),
            ("build_id", Value::string("bld_1")),
            (
                "secret_env_wo",
                Value::Map([("S".into(), Value::string("x"))].into()),
            ),
            ("env", Value::Null),
        ]);
        let s = from_remote(&app, &env, &base);
        assert_eq!(attr(&s, "source_dir"), Value::string("./site"));
        assert_eq!(attr(&s, "source_sha256"), Value::Null);
        assert_eq!(attr(&s, "build_id"), Value::string("bld_1"));
        assert_eq!(attr(&s, "active_build_id"), Value::string("bld_2"));
        assert_eq!(attr(&s, "secret_env_wo"), Value::Null);
        assert_eq!(attr(&s, "env"), Value::Null);
        assert_eq!(
            attr(&s, "secret_env_digests"),
            Value::Map([("S".into(), Value::string("abc"))].into())
        );
    }
}
