//! Apps and their environment variables.

use std::collections::{BTreeMap, HashMap};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::{params, OptionalExtension, Row, Transaction};
use serde_json::{json, Value};

use super::{json_body, list_body, page, page_rows, project_access, query, RawQuery};
use crate::local::auth::{Auth, APP_READ, APP_WRITE};
use crate::local::error::{ApiError, ApiResult};
use crate::local::idempotency::{Idem, Stored};
use crate::local::ids;
use crate::local::state::AppState;
use crate::local::validate::{check_label, is_env_name, label_field, Obj, APPS_DOMAIN};

const COLS: &str =
    "seq, app_id, project_id, name, runtime, active_build_id, default_hostname, created_at";

/// Bytes of an app's `env_digest_key`.
const DIGEST_KEY_BYTES: usize = 32;

/// The digest of a variable's value: hex HMAC-SHA256 under the app's `env_digest_key`. Keyed,
/// so that a digest alone (in a Terraform state, say) does not let anyone test guesses of a
/// weak secret offline.
pub fn env_digest(key: &[u8], value: &str) -> String {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key);
    hex::encode(aws_lc_rs::hmac::sign(&key, value.as_bytes()).as_ref())
}

/// The app's `env_digest_key`, None if there is no such app.
fn digest_key(tx: &Transaction<'_>, app_id: &str) -> ApiResult<Option<Vec<u8>>> {
    Ok(tx
        .query_row(
            "SELECT env_digest_key FROM apps WHERE app_id = ?1",
            [app_id],
            |r| r.get::<_, Option<Vec<u8>>>(0),
        )
        .optional()?
        .flatten())
}

/// Adds `env_digest_key` (hex) to an app's JSON. Only for callers holding `app:read`: the key
/// is part of reading the app.
fn with_digest_key(tx: &Transaction<'_>, mut app: Value) -> ApiResult<Value> {
    let app_id = app["app_id"].as_str().unwrap_or_default().to_string();
    if let Some(key) = digest_key(tx, &app_id)? {
        app["env_digest_key"] = Value::String(hex::encode(key));
    }
    Ok(app)
}

fn row_json(r: &Row<'_>) -> rusqlite::Result<(i64, Value)> {
    Ok((
        r.get(0)?,
        json!({
            "app_id": r.get::<_, String>(1)?,
            "project_id": r.get::<_, String>(2)?,
            "name": r.get::<_, String>(3)?,
            "runtime": r.get::<_, String>(4)?,
            "active_build_id": r.get::<_, Option<String>>(5)?,
            "default_hostname": r.get::<_, String>(6)?,
            "created_at": r.get::<_, String>(7)?,
        }),
    ))
}

/// The app as JSON; 404 unless it exists in the project.
pub fn load(tx: &Transaction<'_>, project_id: &str, app_id: &str) -> ApiResult<Value> {
    let row = if ids::is_id(app_id, "app") {
        tx.query_row(
            &format!("SELECT {COLS} FROM apps WHERE project_id = ?1 AND app_id = ?2"),
            [project_id, app_id],
            row_json,
        )
        .optional()?
    } else {
        None
    };
    row.map(|(_, v)| v)
        .ok_or_else(|| ApiError::not_found(format!("no app {app_id} in project {project_id}")))
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

fn runtime_of(o: &mut Obj, required: bool) -> ApiResult<Option<String>> {
    let v = if required {
        Some(o.req_string("runtime")?)
    } else {
        o.opt_string("runtime")?
    };
    match v {
        Some(r) if r == "next" || r == "isolate" => Ok(Some(r)),
        Some(_) => Err(ApiError::invalid(
            "runtime",
            "runtime must be `next` or `isolate`",
        )),
        None => Ok(None),
    }
}

fn check_name_free(
    tx: &Transaction<'_>,
    project_id: &str,
    name: &str,
    except: &str,
) -> ApiResult<()> {
    let taken: Option<String> = tx
        .query_row(
            "SELECT app_id FROM apps WHERE project_id = ?1 AND name = ?2 AND app_id != ?3",
            [project_id, name, except],
            |r| r.get(0),
        )
        .optional()?;
    match taken {
        Some(id) => Err(ApiError::conflict(
            "name_taken",
            format!("project {project_id} already has an app named {name} ({id})"),
        )
        .with_details(json!({ "app_id": id }))),
        None => Ok(()),
    }
}

pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Path(project_id): Path<String>,
    q: RawQuery,
) -> ApiResult<Json<Value>> {
    auth.require(APP_READ)?;
    let page = page(&query(q)?);
    let body = state
        .store
        .read(move |tx| {
            project_access(tx, &auth, &project_id)?;
            let page = page?;
            let select = format!("SELECT {COLS} FROM apps WHERE project_id = ?1");
            let rows = page_rows(tx, &select, "seq", &project_id, &[], &page, row_json)?;
            let rows = rows
                .into_iter()
                .map(|(seq, app)| Ok((seq, with_digest_key(tx, app)?)))
                .collect::<ApiResult<Vec<_>>>()?;
            Ok(list_body(rows, &page))
        })
        .await?;
    Ok(Json(body))
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Path(project_id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Stored> {
    auth.require(APP_WRITE)?;
    let (bytes, v) = json_body(&state, &headers, body).await;
    let idem = Idem::new(&auth.user_id, &headers, "POST", uri.path(), &bytes);
    // The key is shown to readers only; stored (replayable) responses never hold it.
    let reads = auth.require(APP_READ).is_ok();
    let keyed = move |tx: &Transaction<'_>, mut s: Stored| -> ApiResult<Stored> {
        if reads {
            s.body = with_digest_key(tx, s.body)?;
        }
        Ok(s)
    };
    let input = v.and_then(|v| {
        let mut o = Obj::new(v, "", &["name", "runtime"])?;
        let name = label_field(&mut o, "name", "app")?;
        let runtime = runtime_of(&mut o, true)?.unwrap_or_default();
        Ok((name, runtime))
    });
    state
        .store
        .write(move |tx| {
            project_access(tx, &auth, &project_id)?;
            let (name, runtime) = input?;
            if let Some(s) = idem.replay(tx)? {
                return keyed(tx, s);
            }
            check_name_free(tx, &project_id, &name, "")?;
            let (id, host) = loop {
                let id = ids::new_id("app");
                let host = default_hostname(&name, &id);
                let used: Option<i64> = tx
                    .query_row(
                        "SELECT 1 FROM apps WHERE default_hostname = ?1",
                        [&host],
                        |r| r.get(0),
                    )
                    .optional()?;
                if used.is_none() {
                    break (id, host);
                }
            };
            tx.execute(
                "INSERT INTO apps (app_id, project_id, name, runtime, active_build_id, default_hostname, created_at, env_digest_key)
                 VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6, ?7)",
                params![
                    id,
                    project_id,
                    name,
                    runtime,
                    host,
                    ids::now_rfc3339(),
                    ids::random_bytes(DIGEST_KEY_BYTES)
                ],
            )?;
            let stored = Stored::created(
                format!("/v1/projects/{project_id}/apps/{id}"),
                load(tx, &project_id, &id)?,
            );
            idem.save(tx, &stored)?;
            keyed(tx, stored)
        })
        .await
}

pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path((project_id, app_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    auth.require(APP_READ)?;
    let v = state
        .store
        .read(move |tx| {
            project_access(tx, &auth, &project_id)?;
            with_digest_key(tx, load(tx, &project_id, &app_id)?)
        })
        .await?;
    Ok(Json(v))
}

pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path((project_id, app_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<Value>> {
    auth.require(APP_WRITE)?;
    let (_, v) = json_body(&state, &headers, body).await;
    let input = v.and_then(|v| {
        let mut o = Obj::new(v, "", &["name", "runtime"])?;
        let name = match o.opt_string("name")? {
            Some(n) => Some(check_label(&o, "name", "app", n)?),
            None => None,
        };
        let runtime = runtime_of(&mut o, false)?;
        Ok((name, runtime))
    });
    let reads = auth.require(APP_READ).is_ok();
    let v = state
        .store
        .write(move |tx| {
            project_access(tx, &auth, &project_id)?;
            load(tx, &project_id, &app_id)?;
            let (name, runtime) = input?;
            if let Some(name) = name {
                check_name_free(tx, &project_id, &name, &app_id)?;
                tx.execute(
                    "UPDATE apps SET name = ?1 WHERE app_id = ?2",
                    [&name, &app_id],
                )?;
            }
            if let Some(rt) = runtime {
                tx.execute(
                    "UPDATE apps SET runtime = ?1 WHERE app_id = ?2",
                    [&rt, &app_id],
                )?;
            }
            let app = load(tx, &project_id, &app_id)?;
            if reads {
                with_digest_key(tx, app)
            } else {
                Ok(app)
            }
        })
        .await?;
    Ok(Json(v))
}

pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Path((project_id, app_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    auth.require(APP_WRITE)?;
    state
        .store
        .write(move |tx| {
            project_access(tx, &auth, &project_id)?;
            load(tx, &project_id, &app_id)?;
            tx.execute(
                "DELETE FROM records WHERE managed_by IN (SELECT hostname FROM hostnames WHERE app_id = ?1)",
                [&app_id],
            )?;
            tx.execute("DELETE FROM apps WHERE app_id = ?1", [&app_id])?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn env_json(tx: &Transaction<'_>, app_id: &str) -> ApiResult<Value> {
    let mut stmt = tx.prepare(
        "SELECT name, value, secret, digest, updated_at FROM env_vars WHERE app_id = ?1",
    )?;
    let mut vars: Vec<(String, Value)> = stmt
        .query_map([app_id], |r| {
            let name: String = r.get(0)?;
            let secret: bool = r.get(2)?;
            let mut v = json!({
                "name": name,
                "secret": secret,
                "digest": r.get::<_, String>(3)?,
                "updated_at": r.get::<_, String>(4)?,
            });
            if !secret {
                v["value"] = Value::String(r.get(1)?);
            }
            Ok((name, v))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(json!({ "variables": vars.into_iter().map(|(_, v)| v).collect::<Vec<_>>() }))
}

pub async fn get_env(
    State(state): State<AppState>,
    auth: Auth,
    Path((project_id, app_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    auth.require(APP_READ)?;
    let v = state
        .store
        .read(move |tx| {
            project_access(tx, &auth, &project_id)?;
            load(tx, &project_id, &app_id)?;
            env_json(tx, &app_id)
        })
        .await?;
    Ok(Json(v))
}

struct EnvInput {
    name: String,
    value: String,
    secret: bool,
}

fn env_input(v: Value) -> ApiResult<Vec<EnvInput>> {
    let mut o = Obj::new(v, "", &["variables"])?;
    let Some(list) = o.take("variables") else {
        return Err(ApiError::invalid("variables", "`variables` is required"));
    };
    let Value::Array(items) = list else {
        return Err(ApiError::invalid(
            "variables",
            "`variables` must be an array",
        ));
    };
    if items.len() > 100 {
        return Err(ApiError::invalid("variables", "at most 100 variables"));
    }
    let mut seen = HashMap::new();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let prefix = format!("variables[{i}].");
        let mut o = Obj::new(item, &prefix, &["name", "value", "secret"])?;
        let name = o.req_string("name")?;
        if !is_env_name(&name) {
            return Err(ApiError::invalid(
                o.field("name"),
                "a variable name must match ^[A-Za-z_][A-Za-z0-9_]{0,127}$",
            ));
        }
        if let Some(j) = seen.insert(name.clone(), i) {
            return Err(ApiError::invalid(
                o.field("name"),
                format!("variable {name} is also given at variables[{j}]"),
            ));
        }
        let value = o.req_string("value")?;
        if value.chars().count() > 8192 {
            return Err(ApiError::invalid(
                o.field("value"),
                "a value is at most 8192 characters",
            ));
        }
        let secret = o.opt_bool("secret")?.unwrap_or(false);
        out.push(EnvInput {
            name,
            value,
            secret,
        });
    }
    Ok(out)
}

pub async fn replace_env(
    State(state): State<AppState>,
    auth: Auth,
    Path((project_id, app_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<Value>> {
    auth.require(APP_WRITE)?;
    let (_, v) = json_body(&state, &headers, body).await;
    let input = v.and_then(env_input);
    let v = state
        .store
        .write(move |tx| {
            project_access(tx, &auth, &project_id)?;
            load(tx, &project_id, &app_id)?;
            let input = input?;
            let mut old: BTreeMap<String, (String, bool, String)> = BTreeMap::new();
            {
                let mut stmt = tx.prepare(
                    "SELECT name, digest, secret, updated_at FROM env_vars WHERE app_id = ?1",
                )?;
                let rows = stmt.query_map([&app_id], |r| {
                    Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
                })?;
                for row in rows {
                    let (k, v) = row?;
                    old.insert(k, v);
                }
            }
            tx.execute("DELETE FROM env_vars WHERE app_id = ?1", [&app_id])?;
            let key = digest_key(tx, &app_id)?
                .ok_or_else(|| ApiError::internal(format!("app {app_id} has no digest key")))?;
            let now = ids::now_rfc3339();
            for var in input {
                let digest = env_digest(&key, &var.value);
                let updated_at = match old.get(&var.name) {
                    Some((d, s, at)) if *d == digest && *s == var.secret => at.clone(),
                    _ => now.clone(),
                };
                tx.execute(
                    "INSERT INTO env_vars (app_id, name, value, secret, digest, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![app_id, var.name, var.value, var.secret, digest, updated_at],
                )?;
            }
            env_json(tx, &app_id)
        })
        .await?;
    Ok(Json(v))
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
