//! Project domains (delegated DNS zones).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::{params, OptionalExtension, Row, Transaction};
use serde_json::{json, Value};

use super::{json_body, list_body, page, page_rows, project_access, query, RawQuery};
use crate::local::auth::{Auth, DOMAIN_READ, DOMAIN_WRITE};
use crate::local::error::{ApiError, ApiResult};
use crate::local::idempotency::{Idem, Stored};
use crate::local::ids;
use crate::local::state::AppState;
use crate::local::validate::{is_hostname, is_within, Obj, APPS_DOMAIN};

const COLS: &str = "seq, domain, project_id, name_servers, created_at, active_at_ms";

fn row_json(r: &Row<'_>) -> rusqlite::Result<(i64, Value)> {
    let ns: String = r.get(3)?;
    let ns: Vec<String> = serde_json::from_str(&ns).unwrap_or_default();
    let active_at: i64 = r.get(5)?;
    Ok((
        r.get(0)?,
        json!({
            "domain": r.get::<_, String>(1)?,
            "project_id": r.get::<_, String>(2)?,
            "name_servers": ns,
            "status": if ids::now_ms() >= active_at { "active" } else { "pending_delegation" },
            "created_at": r.get::<_, String>(4)?,
        }),
    ))
}

/// The domain as JSON; 404 unless the project has it.
pub fn load(tx: &Transaction<'_>, project_id: &str, domain: &str) -> ApiResult<Value> {
    let row = if is_hostname(domain, 253) {
        tx.query_row(
            &format!("SELECT {COLS} FROM domains WHERE project_id = ?1 AND domain = ?2"),
            [project_id, domain],
            row_json,
        )
        .optional()?
    } else {
        None
    };
    row.map(|(_, v)| v)
        .ok_or_else(|| ApiError::not_found(format!("no domain {domain} in project {project_id}")))
}

/// The four name servers to delegate `domain` to.
pub fn name_servers(domain: &str) -> Vec<String> {
    let h = ids::sha256(domain.as_bytes());
    ["net", "com", "org", "io"]
        .iter()
        .enumerate()
        .map(|(i, tld)| format!("ns{}-{:02}.comwit-dns.{tld}", i + 1, h[i] % 64))
        .collect()
}

pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Path(project_id): Path<String>,
    q: RawQuery,
) -> ApiResult<Json<Value>> {
    auth.require(DOMAIN_READ)?;
    let page = page(&query(q)?);
    let body = state
        .store
        .read(move |tx| {
            project_access(tx, &auth, &project_id)?;
            let page = page?;
            let select = format!("SELECT {COLS} FROM domains WHERE project_id = ?1");
            let rows = page_rows(tx, &select, "seq", &project_id, &[], &page, row_json)?;
            Ok(list_body(rows, &page))
        })
        .await?;
    Ok(Json(body))
}

pub async fn onboard(
    State(state): State<AppState>,
    auth: Auth,
    Path(project_id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Stored> {
    auth.require(DOMAIN_WRITE)?;
    let (bytes, v) = json_body(&state, &headers, body).await;
    let idem = Idem::new(&auth.user_id, &headers, "POST", uri.path(), &bytes);
    let input = v.and_then(|v| {
        let mut o = Obj::new(v, "", &["domain"])?;
        let d = o.req_string("domain")?;
        if !is_hostname(&d, 253) {
            return Err(ApiError::invalid(
                "domain",
                "not a valid domain name: lowercase, two or more labels",
            ));
        }
        if is_within(&d, APPS_DOMAIN) {
            return Err(ApiError::invalid(
                "domain",
                format!("{APPS_DOMAIN} belongs to the platform"),
            ));
        }
        Ok(d)
    });
    let delay = state.settings.domain_activation_delay.as_millis() as i64;
    state
        .store
        .write(move |tx| {
            project_access(tx, &auth, &project_id)?;
            let domain = input?;
            if let Some(s) = idem.replay(tx)? {
                return Ok(s);
            }
            let clash: Option<(String, String)> = tx
                .query_row(
                    "SELECT domain, project_id FROM domains
                     WHERE domain = ?1
                        OR substr(?1, -length(domain) - 1) = '.' || domain
                        OR substr(domain, -length(?1) - 1) = '.' || ?1
                     LIMIT 1",
                    [&domain],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((other, other_project)) = clash {
                let msg = if other == domain {
                    format!("{domain} is already onboarded")
                } else {
                    format!("{domain} overlaps the onboarded domain {other}")
                };
                let details = if other_project == project_id {
                    json!({ "domain": other, "project_id": other_project })
                } else {
                    json!({ "domain": other })
                };
                return Err(ApiError::conflict("domain_taken", msg).with_details(details));
            }
            let now = ids::now_ms();
            tx.execute(
                "INSERT INTO domains (domain, project_id, name_servers, created_at, active_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    domain,
                    project_id,
                    serde_json::to_string(&name_servers(&domain))?,
                    ids::rfc3339(now),
                    now + delay
                ],
            )?;
            let stored = Stored::created(
                format!("/v1/projects/{project_id}/domains/{domain}"),
                load(tx, &project_id, &domain)?,
            );
            idem.save(tx, &stored)?;
            Ok(stored)
        })
        .await
}

pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path((project_id, domain)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    auth.require(DOMAIN_READ)?;
    let v = state
        .store
        .read(move |tx| {
            project_access(tx, &auth, &project_id)?;
            load(tx, &project_id, &domain)
        })
        .await?;
    Ok(Json(v))
}

pub async fn remove(
    State(state): State<AppState>,
    auth: Auth,
    Path((project_id, domain)): Path<(String, String)>,
) -> ApiResult<Response> {
    auth.require(DOMAIN_WRITE)?;
    state
        .store
        .write(move |tx| {
            project_access(tx, &auth, &project_id)?;
            load(tx, &project_id, &domain)?;
            let users: Vec<String> = {
                let mut stmt =
                    tx.prepare("SELECT hostname FROM hostnames WHERE domain = ?1 ORDER BY seq")?;
                let rows = stmt.query_map([&domain], |r| r.get(0))?;
                rows.collect::<Result<_, _>>()?
            };
            if !users.is_empty() {
                return Err(ApiError::conflict(
                    "domain_in_use",
                    format!(
                        "{domain} is used by {} Automatic DNS hostname(s); detach them first",
                        users.len()
                    ),
                )
                .with_details(json!({ "hostnames": users })));
            }
            tx.execute("DELETE FROM records WHERE domain = ?1", [&domain])?;
            tx.execute("DELETE FROM domains WHERE domain = ?1", [&domain])?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
