//! Apps and their environment variables.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::Json;
use rusqlite::{params, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    by_name, name_free, to_json, Call, InApp, InProject, JsonBody, List, Listing, Table, Tx,
};
use crate::local::auth::{APP_READ, APP_WRITE};
use crate::local::error::{ApiError, ApiResult};
use crate::local::idempotency::Stored;
use crate::local::validate::{AppCreate, AppUpdate, EnvInput, APPS_DOMAIN};
use crate::local::{ids, store};

/// Bytes of an app's `env_digest_key`.
const DIGEST_KEY_BYTES: usize = 32;

/// The digest of a variable's value: hex HMAC-SHA256 under the app's `env_digest_key`. Keyed,
/// so that a digest alone (in a Terraform state, say) does not let anyone test guesses of a
/// weak secret offline.
pub fn env_digest(key: &[u8], value: &str) -> String {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key);
    hex::encode(aws_lc_rs::hmac::sign(&key, value.as_bytes()).as_ref())
}

/// An app. `env_digest_key` (hex) is part of reading the app: only for callers holding
/// `app:read`, and never in stored (replayable) answers.
#[derive(Serialize, Deserialize)]
pub struct App {
    pub app_id: String,
    pub project_id: String,
    pub name: String,
    pub runtime: String,
    pub active_build_id: Option<String>,
    pub default_hostname: String,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env_digest_key: Option<String>,
}

impl App {
    pub fn without_key(self) -> App {
        App {
            env_digest_key: None,
            ..self
        }
    }
}

pub static APPS: Table<App> = Table {
    select: "SELECT seq, app_id, project_id, name, runtime, active_build_id, default_hostname,
             created_at, env_digest_key FROM apps WHERE project_id = ?1",
    key: "app_id",
    within: "in project",
    valid: |id| ids::is_id(id, "app"),
    row: by_name,
};

/// The app's `env_digest_key`, None if there is no such app.
fn digest_key(tx: &Transaction<'_>, app_id: &str) -> ApiResult<Option<Vec<u8>>> {
    let sql = "SELECT env_digest_key FROM apps WHERE app_id = ?1";
    Ok(store::first::<Option<Vec<u8>>>(tx, sql, [app_id])?.flatten())
}

/// `<name cut to 54>-<8 hex of the app id>.comwit.app`.
pub fn default_hostname(name: &str, app_id: &str) -> String {
    let cut: String = name.chars().take(54).collect();
    format!(
        "{}-{}.{APPS_DOMAIN}",
        cut.trim_end_matches('-'),
        &ids::id_hex(app_id)[..8]
    )
}

fn check_name_free(t: &Tx<'_>, project_id: &str, name: &str, except: &str) -> ApiResult<()> {
    name_free(
        t,
        "SELECT app_id FROM apps WHERE project_id = ?1 AND name = ?2 AND app_id != ?3",
        [project_id, name, except],
        "app_id",
        |id| format!("project {project_id} already has an app named {name} ({id})"),
    )
}

pub async fn list(call: Call<InProject>, q: Listing) -> ApiResult<Json<List<App>>> {
    call.list_of(APP_READ, q, &APPS).await
}

pub async fn create(call: Call<InProject>, body: JsonBody<AppCreate>) -> ApiResult<Stored> {
    // The key is shown to readers only; stored (replayable) responses never hold it.
    let reads = call.auth().require(APP_READ).is_ok();
    let idem = body.idem(call.auth());
    let input = body.input;
    call.apply(APP_WRITE, move |t, p, _| {
        let input = input?;
        let project_id = &p.project_id;
        let mut stored = idem.run(t, || {
            check_name_free(t, project_id, &input.name, "")?;
            let (id, host) = loop {
                let id = ids::new_id("app");
                let host = default_hostname(&input.name, &id);
                if !store::exists(t, "SELECT 1 FROM apps WHERE default_hostname = ?1", [&host])? {
                    break (id, host);
                }
            };
            t.execute(
                "INSERT INTO apps (app_id, project_id, name, runtime, active_build_id, default_hostname, created_at, env_digest_key)
                 VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6, ?7)",
                params![
                    id,
                    project_id,
                    input.name,
                    input.runtime,
                    host,
                    ids::now_rfc3339(),
                    ids::random_bytes(DIGEST_KEY_BYTES)
                ],
            )?;
            let app = APPS.get(t, project_id, &id)?.without_key();
            Ok(Stored::created(
                format!("/v1/projects/{project_id}/apps/{id}"),
                to_json(&app)?,
            ))
        })?;
        if reads {
            let app_id = stored.body["app_id"].as_str().unwrap_or_default().to_string();
            if let Some(key) = digest_key(t, &app_id)? {
                stored.body["env_digest_key"] = Value::String(hex::encode(key));
            }
        }
        Ok(stored)
    })
    .await
}

pub async fn get(call: Call<InApp>) -> ApiResult<Json<App>> {
    call.read(APP_READ, |_, _, app| Ok(app)).await
}

pub async fn update(call: Call<InApp>, body: JsonBody<AppUpdate>) -> ApiResult<Json<App>> {
    let reads = call.auth().require(APP_READ).is_ok();
    call.update(APP_WRITE, body, move |t, p, _, input| {
        let (project_id, app_id) = (&p.project_id, &p.app_id);
        if let Some(name) = input.name {
            check_name_free(t, project_id, &name, app_id)?;
            t.execute(
                "UPDATE apps SET name = ?1 WHERE app_id = ?2",
                [&name, app_id],
            )?;
        }
        if let Some(rt) = input.runtime {
            t.execute(
                "UPDATE apps SET runtime = ?1 WHERE app_id = ?2",
                [&rt, app_id],
            )?;
        }
        let app = APPS.get(t, project_id, app_id)?;
        Ok(if reads { app } else { app.without_key() })
    })
    .await
}

pub async fn delete(call: Call<InApp>) -> ApiResult<StatusCode> {
    call.delete(APP_WRITE, |t, p, _| {
        t.execute(
            "DELETE FROM records WHERE managed_by IN (SELECT hostname FROM hostnames WHERE app_id = ?1)",
            [&p.app_id],
        )?;
        t.execute("DELETE FROM apps WHERE app_id = ?1", [&p.app_id])?;
        Ok(())
    })
    .await
}

/// `{"variables": [...]}`, by name.
#[derive(Serialize)]
pub struct Env {
    pub variables: Vec<EnvVar>,
}

/// A variable as read: a secret's value is never shown.
#[derive(Serialize)]
pub struct EnvVar {
    pub name: String,
    pub secret: bool,
    pub digest: String,
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

fn env(tx: &Transaction<'_>, app_id: &str) -> ApiResult<Env> {
    let mut stmt = tx.prepare(
        "SELECT name, value, secret, digest, updated_at FROM env_vars WHERE app_id = ?1",
    )?;
    let mut variables = stmt
        .query_map([app_id], |r| {
            let secret: bool = r.get(2)?;
            Ok(EnvVar {
                name: r.get(0)?,
                secret,
                digest: r.get(3)?,
                updated_at: r.get(4)?,
                value: if secret { None } else { Some(r.get(1)?) },
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    variables.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Env { variables })
}

pub async fn get_env(call: Call<InApp>) -> ApiResult<Json<Env>> {
    call.read(APP_READ, |t, p, _| env(t, &p.app_id)).await
}

pub async fn replace_env(call: Call<InApp>, body: JsonBody<EnvInput>) -> ApiResult<Json<Env>> {
    call.update(APP_WRITE, body, |t, p, _, input| {
        let app_id = &p.app_id;
        let mut old: BTreeMap<String, (String, bool, String)> = BTreeMap::new();
        {
            let mut stmt = t.prepare(
                "SELECT name, digest, secret, updated_at FROM env_vars WHERE app_id = ?1",
            )?;
            let rows = stmt.query_map([app_id], |r| {
                Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
            })?;
            for row in rows {
                let (k, v) = row?;
                old.insert(k, v);
            }
        }
        t.execute("DELETE FROM env_vars WHERE app_id = ?1", [app_id])?;
        let key = digest_key(t, app_id)?
            .ok_or_else(|| ApiError::internal(format!("app {app_id} has no digest key")))?;
        let now = ids::now_rfc3339();
        for var in input {
            let digest = env_digest(&key, &var.value);
            let updated_at = match old.get(&var.name) {
                Some((d, s, at)) if *d == digest && *s == var.secret => at.clone(),
                _ => now.clone(),
            };
            t.execute(
                "INSERT INTO env_vars (app_id, name, value, secret, digest, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![app_id, var.name, var.value, var.secret, digest, updated_at],
            )?;
        }
        env(t, app_id)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_digests_are_hmac_sha256() {
        // RFC 4231, test case 2.
        assert_eq!(
            env_digest(b"Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_ne!(env_digest(b"Jefe", "x"), ids::sha256_hex(b"x"));
    }
}
