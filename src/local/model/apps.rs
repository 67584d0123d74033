//! Apps and their environment variables, on the public routes:
//! `GET/POST .../apps` (`{"apps":[...]}`, `{"app":{...}}`), `GET/DELETE .../apps/{a}` (the app
//! with its builds; the flat cleanup report, `complete:false` first), and
//! `GET .../environment`, `PUT/DELETE .../environment/{KEY}`.

use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::deploys::{builds_of, BuildView};
use super::idempotency::Stored;
use super::validate::{self, AppCreate, APPS_DOMAIN};
use super::{by_name, name_free, to_json, Table, Tx};
use crate::local::error::{ApiError, ApiResult};
use crate::local::{ids, store};

/// The documented refusal of secret values.
pub const SECRETS_NOT_ENABLED: &str =
    "secret app env values are not enabled; store plain env values only";

/// An app as the store holds it (comwit-local's own row type).
#[derive(Serialize, Deserialize, Clone)]
pub struct App {
    pub app_id: String,
    pub project_id: String,
    pub name: String,
    pub active_build_id: Option<String>,
    pub default_hostname: String,
}

/// An app as lists and creates show it: `{app_id, name, active_build_id}`.
#[derive(Serialize)]
pub struct AppSummary {
    pub app_id: String,
    pub name: String,
    pub active_build_id: Option<String>,
}

/// The single read: the summary with `default_url`, `default_domain` and `builds`.
#[derive(Serialize)]
pub struct AppView {
    pub app_id: String,
    pub name: String,
    pub active_build_id: Option<String>,
    pub default_url: String,
    pub default_domain: String,
    pub builds: Vec<BuildView>,
}

impl App {
    pub fn summary(&self) -> AppSummary {
        AppSummary {
            app_id: self.app_id.clone(),
            name: self.name.clone(),
            active_build_id: self.active_build_id.clone(),
        }
    }

    pub fn view(&self, t: &Tx<'_>) -> ApiResult<AppView> {
        Ok(AppView {
            app_id: self.app_id.clone(),
            name: self.name.clone(),
            active_build_id: self.active_build_id.clone(),
            default_url: format!("https://{}", self.default_hostname),
            default_domain: self.default_hostname.clone(),
            builds: builds_of(t, &self.app_id)?,
        })
    }
}

/// Apps whose DELETE has not answered `complete` yet are gone for every other route.
pub static APPS: Table<App> = Table {
    select: "SELECT seq, app_id, project_id, name, active_build_id, default_hostname
             FROM apps WHERE project_id = ?1 AND deleting = 0",
    key: "app_id",
    within: "in project",
    valid: |id| !id.is_empty(),
    row: by_name,
};

/// `<name cut to 54>-<8 hex of the app id>.comwit.app`.
pub fn default_hostname(name: &str, app_id: &str) -> String {
    let cut: String = name.chars().take(54).collect();
    format!(
        "{}-{}.{APPS_DOMAIN}",
        cut.trim_end_matches('-'),
        &ids::id_hex(app_id)[..8]
    )
}

fn check_name_free(t: &Tx<'_>, project_id: &str, name: &str) -> ApiResult<()> {
    name_free(
        t,
        "SELECT app_id FROM apps WHERE project_id = ?1 AND name = ?2",
        [project_id, name],
        "app_id",
        |id| format!("project {project_id} already has an app named {name} ({id})"),
    )
}

/// `{"apps":[{app_id, name, active_build_id}]}`, whole.
pub fn list(t: &Tx<'_>, project_id: &str) -> ApiResult<Value> {
    let apps: Vec<AppSummary> = APPS.all(t, project_id)?.iter().map(App::summary).collect();
    Ok(json!({ "apps": apps }))
}

/// A new app: 201 `{"app":{app_id, name, active_build_id: null}}`.
pub fn create(t: &Tx<'_>, project_id: &str, input: AppCreate) -> ApiResult<Stored> {
    check_name_free(t, project_id, &input.name)?;
    let (id, host) = loop {
        let id = ids::new_id("app");
        let host = default_hostname(&input.name, &id);
        if !store::exists(t, "SELECT 1 FROM apps WHERE default_hostname = ?1", [&host])? {
            break (id, host);
        }
    };
    t.execute(
                "INSERT INTO apps (app_id, project_id, name, runtime, active_build_id, default_hostname, created_at)
                 VALUES (?1, ?2, ?3, '', NULL, ?4, ?5)",
                params![id, project_id, input.name, host, ids::now_rfc3339()],
            )?;
    let app = APPS.get(t, project_id, &id)?;
    Ok(Stored::created(
        format!("/v1/projects/{project_id}/apps/{id}"),
        json!({ "app": to_json(&app.summary())? }),
    ))
}

/// `{"app":{..., "builds":[...]}}`.
pub fn get(t: &Tx<'_>, app: &App) -> ApiResult<Value> {
    Ok(json!({ "app": to_json(&app.view(t)?)? }))
}

/// The cleanup report of an app's DELETE. The first DELETE takes the app out of every list and
/// route and answers `complete: false` (cleanup goes on, as on the platform); a DELETE sent
/// again then finishes it and answers `complete: true`; after that the app is a 404.
#[derive(Serialize)]
struct Deletion {
    app_id: String,
    complete: bool,
    pointer_deleted: bool,
    cloudfront_tenants_deleted: i64,
    secrets_deleted: i64,
    artifacts_deleted: i64,
    artifacts_present: i64,
    env_keys_deleted: i64,
    domains_deleted: i64,
    catalog_deleted: bool,
    errors: Vec<String>,
}

/// One DELETE of the app (see [`Deletion`]); an app whose first DELETE answered is still
/// found here, and only here.
pub fn delete(t: &Tx<'_>, project_id: &str, app_id: &str) -> ApiResult<Value> {
    let app_id = app_id.to_string();
    let found: Option<bool> = t
        .query_row(
            "SELECT deleting FROM apps WHERE project_id = ?1 AND app_id = ?2",
            [project_id, &app_id],
            |r| r.get(0),
        )
        .optional()?;
    let Some(deleting) = found else {
        return Err(ApiError::not_found(format!(
            "no app {app_id} in project {project_id}"
        )));
    };
    let count = |sql: &str| -> ApiResult<i64> { Ok(t.query_row(sql, [&app_id], |r| r.get(0))?) };
    let artifacts = count("SELECT COUNT(*) FROM builds WHERE app_id = ?1")?;
    let env_keys = count("SELECT COUNT(*) FROM env_vars WHERE app_id = ?1")?;
    let domains = count("SELECT COUNT(*) FROM hostnames WHERE app_id = ?1")?;
    let report = if !deleting {
        t.execute("UPDATE apps SET deleting = 1 WHERE app_id = ?1", [&app_id])?;
        Deletion {
            app_id: app_id.clone(),
            complete: false,
            pointer_deleted: true,
            cloudfront_tenants_deleted: 0,
            secrets_deleted: 0,
            artifacts_deleted: 0,
            artifacts_present: artifacts,
            env_keys_deleted: 0,
            domains_deleted: 0,
            catalog_deleted: false,
            errors: Vec::new(),
        }
    } else {
        t.execute(
                "DELETE FROM records WHERE managed_by IN (SELECT hostname FROM hostnames WHERE app_id = ?1)",
                [&app_id],
            )?;
        t.execute("DELETE FROM apps WHERE app_id = ?1", [&app_id])?;
        Deletion {
            app_id: app_id.clone(),
            complete: true,
            pointer_deleted: true,
            cloudfront_tenants_deleted: domains,
            secrets_deleted: 0,
            artifacts_deleted: artifacts,
            artifacts_present: 0,
            env_keys_deleted: env_keys,
            domains_deleted: domains,
            catalog_deleted: true,
            errors: Vec::new(),
        }
    };
    to_json(&report)
}

/// One variable as listed.
#[derive(Serialize)]
pub struct EnvVar {
    pub key: String,
    pub value: String,
    pub secret: bool,
}

fn env(tx: &Transaction<'_>, app_id: &str) -> ApiResult<Vec<EnvVar>> {
    let mut stmt =
        tx.prepare("SELECT name, value, secret FROM env_vars WHERE app_id = ?1 ORDER BY name")?;
    let variables = stmt
        .query_map([app_id], |r| {
            Ok(EnvVar {
                key: r.get(0)?,
                value: r.get(1)?,
                secret: r.get(2)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(variables)
}

/// `{"variables":[{key, value, secret}]}`.
pub fn get_env(t: &Tx<'_>, app_id: &str) -> ApiResult<Value> {
    Ok(json!({ "variables": env(t, app_id)? }))
}

/// `PUT .../environment/{KEY}`: `{"value", "secret"}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvPut {
    pub value: String,
    /// Optional: a plain value when left out.
    #[serde(default)]
    pub secret: Option<bool>,
}

impl validate::Body for EnvPut {
    type Valid = Self;
    fn check(self) -> ApiResult<Self> {
        if self.secret == Some(true) {
            return Err(ApiError::bad_request(SECRETS_NOT_ENABLED));
        }
        Ok(self)
    }
}

/// The documented key pattern `[A-Za-z_][A-Za-z0-9_]*`.
fn check_key(key: &str) -> ApiResult<()> {
    let b = key.as_bytes();
    let ok = !b.is_empty()
        && (b[0].is_ascii_alphabetic() || b[0] == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_');
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "key",
            format!("{key:?} is not a valid key: keys match [A-Za-z_][A-Za-z0-9_]*"),
        ))
    }
}

/// Creates or updates one plain variable: `{"key", "secret"}`.
pub fn put_env(t: &Tx<'_>, app_id: &str, key: &str, input: EnvPut) -> ApiResult<Value> {
    check_key(key)?;
    t.execute(
        "INSERT INTO env_vars (app_id, name, value, secret, digest, updated_at)
             VALUES (?1, ?2, ?3, 0, '', ?4)
             ON CONFLICT (app_id, name) DO UPDATE SET value = ?3, secret = 0, updated_at = ?4",
        params![app_id, key, input.value, ids::now_rfc3339()],
    )?;
    Ok(json!({ "key": key, "secret": false }))
}

/// Deletes one variable; 404 when the app has no such key.
pub fn delete_env(t: &Tx<'_>, app_id: &str, key: &str) -> ApiResult<()> {
    let n = t.execute(
        "DELETE FROM env_vars WHERE app_id = ?1 AND name = ?2",
        [app_id, key],
    )?;
    if n == 0 {
        return Err(ApiError::not_found(format!(
            "no variable {key} in app {app_id}"
        )));
    }
    Ok(())
}
