//! Hostnames attached to apps, with Manual or Automatic DNS.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::{params, OptionalExtension, Row, Transaction};
use serde_json::{json, Value};

use super::{
    apps, json_body, list_body, page, page_rows, project_access, query, records, RawQuery,
};
use crate::local::auth::{Auth, APP_READ, APP_WRITE};
use crate::local::dns::{self, HostRecord};
use crate::local::error::{ApiError, ApiResult};
use crate::local::idempotency::{Idem, Stored};
use crate::local::ids;
use crate::local::state::AppState;
use crate::local::validate::{is_hostname, is_within, Obj, APPS_DOMAIN};

/// Longest hostname, so that `_comwit-challenge.<hostname>` fits in 253.
pub const MAX_APP_HOSTNAME: usize = 235;

const COLS: &str =
    "seq, hostname, app_id, project_id, dns_mode, domain, status, dns_records, created_at";

fn row_json(r: &Row<'_>) -> rusqlite::Result<(i64, Value)> {
    let records: String = r.get(7)?;
    let records: Vec<HostRecord> = serde_json::from_str(&records).unwrap_or_default();
    Ok((
        r.get(0)?,
        json!({
            "hostname": r.get::<_, String>(1)?,
            "app_id": r.get::<_, String>(2)?,
            "project_id": r.get::<_, String>(3)?,
            "dns_mode": r.get::<_, String>(4)?,
            "domain": r.get::<_, Option<String>>(5)?,
            "status": r.get::<_, String>(6)?,
            "dns_records": records.iter().map(HostRecord::to_json).collect::<Vec<_>>(),
            "created_at": r.get::<_, String>(8)?,
        }),
    ))
}

fn load(tx: &Transaction<'_>, app_id: &str, hostname: &str) -> ApiResult<Value> {
    let row = if is_hostname(hostname, MAX_APP_HOSTNAME) {
        tx.query_row(
            &format!("SELECT {COLS} FROM hostnames WHERE app_id = ?1 AND hostname = ?2"),
            [app_id, hostname],
            row_json,
        )
        .optional()?
    } else {
        None
    };
    row.map(|(_, v)| v)
        .ok_or_else(|| ApiError::not_found(format!("no hostname {hostname} on app {app_id}")))
}

struct Attach {
    hostname: String,
    automatic: bool,
    domain: Option<String>,
}

fn attach_input(v: Value) -> ApiResult<Attach> {
    let mut o = Obj::new(v, "", &["hostname", "dns_mode", "domain"])?;
    let hostname = o.req_string("hostname")?;
    if !is_hostname(&hostname, MAX_APP_HOSTNAME) {
        return Err(ApiError::invalid(
            "hostname",
            format!("not a valid hostname: lowercase, two or more labels, at most {MAX_APP_HOSTNAME} characters"),
        ));
    }
    if is_within(&hostname, APPS_DOMAIN) {
        return Err(ApiError::invalid(
            "hostname",
            format!("hostnames under {APPS_DOMAIN} belong to the platform"),
        ));
    }
    let mode = o.req_string("dns_mode")?;
    let automatic = match mode.as_str() {
        "manual" => false,
        "automatic" => true,
        _ => {
            return Err(ApiError::invalid(
                "dns_mode",
                "dns_mode must be `manual` or `automatic`",
            ))
        }
    };
    let domain = o.opt_nullable_string("domain")?;
    match (&domain, automatic) {
        (Some(_), false) => {
            return Err(ApiError::invalid(
                "domain",
                "domain is only for dns_mode `automatic`",
            ))
        }
        (None, true) => {
            return Err(ApiError::invalid(
                "domain",
                "dns_mode `automatic` needs the project domain whose zone gets the records",
            ))
        }
        (Some(d), true) if !is_hostname(d, 253) => {
            return Err(ApiError::invalid("domain", "not a valid domain name"))
        }
        _ => {}
    }
    Ok(Attach {
        hostname,
        automatic,
        domain,
    })
}

pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Path((project_id, app_id)): Path<(String, String)>,
    q: RawQuery,
) -> ApiResult<Json<Value>> {
    auth.require(APP_READ)?;
    let page = page(&query(q)?);
    let body = state
        .store
        .write(move |tx| {
            project_access(tx, &auth, &project_id)?;
            apps::load(tx, &project_id, &app_id)?;
            let page = page?;
            dns::verify_in_zones(tx, Some(&app_id))?;
            let select = format!("SELECT {COLS} FROM hostnames WHERE app_id = ?1");
            let rows = page_rows(tx, &select, "seq", &app_id, &[], &page, row_json)?;
            Ok(list_body(rows, &page))
        })
        .await?;
    Ok(Json(body))
}

pub async fn attach(
    State(state): State<AppState>,
    auth: Auth,
    Path((project_id, app_id)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Stored> {
    auth.require(APP_WRITE)?;
    let (bytes, v) = json_body(&state, &headers, body).await;
    let idem = Idem::new(&auth.user_id, &headers, "POST", uri.path(), &bytes);
    let input = v.and_then(attach_input);
    state
        .store
        .write(move |tx| {
            project_access(tx, &auth, &project_id)?;
            let app = apps::load(tx, &project_id, &app_id)?;
            let input = input?;
            if let Some(s) = idem.replay(tx)? {
                return Ok(s);
            }
            let host = &input.hostname;
            let owner: Option<String> = tx
                .query_row(
                    "SELECT app_id FROM hostnames WHERE hostname = ?1",
                    [host],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(owner) = owner {
                let msg = if owner == app_id {
                    format!("{host} is already attached to this app")
                } else {
                    format!("{host} is already attached to another app")
                };
                return Err(ApiError::conflict("hostname_taken", msg));
            }
            if let Some(domain) = &input.domain {
                let found: Option<i64> = tx
                    .query_row(
                        "SELECT 1 FROM domains WHERE domain = ?1 AND project_id = ?2",
                        [domain, &project_id],
                        |r| r.get(0),
                    )
                    .optional()?;
                if found.is_none() {
                    return Err(ApiError::not_found(format!(
                        "no domain {domain} in project {project_id}; onboard it first"
                    )));
                }
                if !is_within(host, domain) {
                    return Err(ApiError::invalid(
                        "domain",
                        format!("{host} is not within the domain {domain}"),
                    ));
                }
            }
            let apex = dns::is_apex(tx, host)?;
            let default_host = app["default_hostname"].as_str().unwrap_or_default();
            let recs = dns::host_records(&app_id, default_host, host, apex);
            let now = ids::now_rfc3339();
            if let Some(domain) = &input.domain {
                for rec in &recs {
                    records::check_conflicts(tx, domain, &rec.name, &rec.rtype, None)?;
                }
                for rec in &recs {
                    tx.execute(
                        "INSERT INTO records (record_id, domain, project_id, name, type, vals, ttl, priority, managed_by, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8, ?9)",
                        params![
                            ids::new_id("rec"),
                            domain,
                            project_id,
                            rec.name,
                            rec.rtype,
                            serde_json::to_string(&[&rec.value])?,
                            rec.ttl,
                            host,
                            now
                        ],
                    )?;
                }
            }
            tx.execute(
                "INSERT INTO hostnames (hostname, app_id, project_id, dns_mode, domain, status, dns_records, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    host,
                    app_id,
                    project_id,
                    if input.automatic { "automatic" } else { "manual" },
                    input.domain,
                    if input.automatic { "active" } else { "pending" },
                    serde_json::to_string(&recs)?,
                    now
                ],
            )?;
            if !input.automatic {
                // The records may be published already.
                dns::verify_in_zones(tx, Some(&app_id))?;
            }
            let stored = Stored::created(
                format!("/v1/projects/{project_id}/apps/{app_id}/hostnames/{host}"),
                load(tx, &app_id, host)?,
            );
            idem.save(tx, &stored)?;
            Ok(stored)
        })
        .await
}

pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path((project_id, app_id, hostname)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    auth.require(APP_READ)?;
    let v = state
        .store
        .write(move |tx| {
            project_access(tx, &auth, &project_id)?;
            apps::load(tx, &project_id, &app_id)?;
            load(tx, &app_id, &hostname)?;
            dns::verify_in_zones(tx, Some(&app_id))?;
            load(tx, &app_id, &hostname)
        })
        .await?;
    Ok(Json(v))
}

pub async fn detach(
    State(state): State<AppState>,
    auth: Auth,
    Path((project_id, app_id, hostname)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    auth.require(APP_WRITE)?;
    state
        .store
        .write(move |tx| {
            project_access(tx, &auth, &project_id)?;
            apps::load(tx, &project_id, &app_id)?;
            load(tx, &app_id, &hostname)?;
            tx.execute("DELETE FROM records WHERE managed_by = ?1", [&hostname])?;
            tx.execute("DELETE FROM hostnames WHERE hostname = ?1", [&hostname])?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
