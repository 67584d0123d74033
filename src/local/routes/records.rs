//! DNS records in a project domain's zone.

use std::collections::HashSet;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::{params, OptionalExtension, Row, Transaction};
use serde_json::{json, Value};

use super::{domains, json_body, list_body, page, page_rows, project_access, query, RawQuery};
use crate::local::auth::{Auth, DOMAIN_READ, DOMAIN_WRITE};
use crate::local::error::{ApiError, ApiResult};
use crate::local::idempotency::{Idem, Stored};
use crate::local::ids;
use crate::local::state::AppState;
use crate::local::validate::{
    is_caa_value, is_ipv4, is_ipv6, is_record_name_input, is_srv_value, is_target_hostname,
    is_txt_value, is_within, Obj,
};

pub const TYPES: [&str; 7] = ["A", "AAAA", "CNAME", "TXT", "MX", "CAA", "SRV"];

const COLS: &str =
    "seq, record_id, project_id, domain, name, type, vals, ttl, priority, managed_by, created_at";

fn row_json(r: &Row<'_>) -> rusqlite::Result<(i64, Value)> {
    let vals: String = r.get(6)?;
    let vals: Vec<String> = serde_json::from_str(&vals).unwrap_or_default();
    Ok((
        r.get(0)?,
        json!({
            "record_id": r.get::<_, String>(1)?,
            "project_id": r.get::<_, String>(2)?,
            "domain": r.get::<_, String>(3)?,
            "name": r.get::<_, String>(4)?,
            "type": r.get::<_, String>(5)?,
            "values": vals,
            "ttl": r.get::<_, i64>(7)?,
            "priority": r.get::<_, Option<i64>>(8)?,
            "managed_by": r.get::<_, Option<String>>(9)?,
            "created_at": r.get::<_, String>(10)?,
        }),
    ))
}

fn load(tx: &Transaction<'_>, domain: &str, record_id: &str) -> ApiResult<Value> {
    let row = if ids::is_id(record_id, "rec") {
        tx.query_row(
            &format!("SELECT {COLS} FROM records WHERE domain = ?1 AND record_id = ?2"),
            [domain, record_id],
            row_json,
        )
        .optional()?
    } else {
        None
    };
    row.map(|(_, v)| v)
        .ok_or_else(|| ApiError::not_found(format!("no record {record_id} in {domain}")))
}

/// The full name of a request's record name inside `domain`.
pub fn full_name(name: &str, domain: &str) -> ApiResult<String> {
    let full = if name == "@" {
        domain.to_string()
    } else if is_within(name, domain) {
        name.to_string()
    } else {
        format!("{name}.{domain}")
    };
    if full.len() > 253 {
        return Err(ApiError::invalid(
            "name",
            "the full record name is longer than 253 characters",
        ));
    }
    Ok(full)
}

/// 409 if a record `name`/`rtype` would clash with the zone (other than `except`).
pub fn check_conflicts(
    tx: &Transaction<'_>,
    domain: &str,
    name: &str,
    rtype: &str,
    except: Option<&str>,
) -> ApiResult<()> {
    if rtype == "CNAME" && name == domain {
        return Err(ApiError::conflict(
            "record_conflict",
            format!("a CNAME cannot be at the zone apex {domain}, where the zone's SOA and NS records are"),
        ));
    }
    let mut stmt = tx.prepare_cached(
        "SELECT record_id, type FROM records WHERE domain = ?1 AND name = ?2 AND record_id != ?3",
    )?;
    let others = stmt
        .query_map(params![domain, name, except.unwrap_or("")], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for (id, t) in others {
        if t == rtype {
            return Err(ApiError::conflict(
                "record_conflict",
                format!("{domain} already has a {t} record named {name} ({id})"),
            )
            .with_details(json!({ "record_id": id })));
        }
        if t == "CNAME" || rtype == "CNAME" {
            return Err(ApiError::conflict(
                "record_conflict",
                format!("a CNAME cannot share its name: {name} already has a {t} record ({id})"),
            )
            .with_details(json!({ "record_id": id })));
        }
    }
    Ok(())
}

struct RecordInput {
    name: String,
    rtype: String,
    values: Vec<String>,
    ttl: i64,
    priority: Option<i64>,
}

fn record_input(v: Value) -> ApiResult<RecordInput> {
    let mut o = Obj::new(v, "", &["name", "type", "values", "ttl", "priority"])?;
    let rtype = o.req_string("type")?;
    if !TYPES.contains(&rtype.as_str()) {
        return Err(ApiError::invalid(
            "type",
            format!("type must be one of {}", TYPES.join(", ")),
        ));
    }
    let name = o.req_string("name")?;
    if !is_record_name_input(&name) {
        return Err(ApiError::invalid(
            "name",
            "not a valid record name: a full or relative name (labels of a-z, 0-9, '-', '_'; an optional leading '*'), or '@'",
        ));
    }
    let max = if rtype == "CNAME" { 1 } else { 32 };
    let values = o.req_string_array("values", 1, max)?;
    let (check, what): (fn(&str) -> bool, &str) = match rtype.as_str() {
        "A" => (is_ipv4, "an IPv4 address"),
        "AAAA" => (is_ipv6, "an IPv6 address"),
        "CNAME" | "MX" => (is_target_hostname, "a lowercase hostname"),
        "TXT" => (is_txt_value, "1 to 1024 printable ASCII characters"),
        "CAA" => (
            is_caa_value,
            "`<0|128> <issue|issuewild|iodef> \"<value>\"`",
        ),
        _ => (is_srv_value, "`<weight> <port> <target>`"),
    };
    let mut seen = HashSet::new();
    for (i, v) in values.iter().enumerate() {
        if !check(v) {
            return Err(ApiError::invalid(
                format!("values[{i}]"),
                format!("a {rtype} value must be {what}"),
            ));
        }
        if !seen.insert(v.as_str()) {
            return Err(ApiError::invalid(
                format!("values[{i}]"),
                "values must be distinct",
            ));
        }
    }
    let ttl = o.opt_int("ttl", 60, 86400, false)?.unwrap_or(300);
    let needs_priority = rtype == "MX" || rtype == "SRV";
    let priority = if needs_priority {
        match o.opt_int("priority", 0, 65535, false)? {
            Some(p) => Some(p),
            None => {
                return Err(ApiError::invalid(
                    "priority",
                    format!("`priority` is required for {rtype} records"),
                ))
            }
        }
    } else {
        match o.take("priority") {
            None | Some(Value::Null) => None,
            Some(_) => {
                return Err(ApiError::invalid(
                    "priority",
                    format!("{rtype} records have no priority"),
                ))
            }
        }
    };
    Ok(RecordInput {
        name,
        rtype,
        values,
        ttl,
        priority,
    })
}

pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Path((project_id, domain)): Path<(String, String)>,
    q: RawQuery,
) -> ApiResult<Json<Value>> {
    auth.require(DOMAIN_READ)?;
    let q = query(q)?;
    let page = page(&q);
    let name = q.get("name").cloned();
    let rtype = q.get("type").cloned();
    let body = state
        .store
        .read(move |tx| {
            project_access(tx, &auth, &project_id)?;
            domains::load(tx, &project_id, &domain)?;
            let page = page?;
            let name = match name {
                Some(n) if is_record_name_input(&n) => match full_name(&n, &domain) {
                    Ok(full) => Some(full),
                    // Longer than any name in the zone can be: nothing matches.
                    Err(_) => return Ok(list_body(Vec::new(), &page)),
                },
                Some(_) => return Err(ApiError::invalid("name", "not a valid record name")),
                None => None,
            };
            if let Some(t) = &rtype {
                if !TYPES.contains(&t.as_str()) {
                    return Err(ApiError::invalid("type", "unknown record type"));
                }
            }
            let select = format!(
                "SELECT {COLS} FROM records WHERE domain = ?1
                 AND (?4 IS NULL OR name = ?4) AND (?5 IS NULL OR type = ?5)"
            );
            let rows = page_rows(
                tx,
                &select,
                "seq",
                &domain,
                &[&name, &rtype],
                &page,
                row_json,
            )?;
            Ok(list_body(rows, &page))
        })
        .await?;
    Ok(Json(body))
}

pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Path((project_id, domain)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Stored> {
    auth.require(DOMAIN_WRITE)?;
    let (bytes, v) = json_body(&state, &headers, body).await;
    let idem = Idem::new(&auth.user_id, &headers, "POST", uri.path(), &bytes);
    let input = v.and_then(record_input);
    state
        .store
        .write(move |tx| {
            project_access(tx, &auth, &project_id)?;
            domains::load(tx, &project_id, &domain)?;
            let input = input?;
            let name = full_name(&input.name, &domain)?;
            if let Some(s) = idem.replay(tx)? {
                return Ok(s);
            }
            check_conflicts(tx, &domain, &name, &input.rtype, None)?;
            let id = ids::new_id("rec");
            tx.execute(
                "INSERT INTO records (record_id, domain, project_id, name, type, vals, ttl, priority, managed_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9)",
                params![
                    id,
                    domain,
                    project_id,
                    name,
                    input.rtype,
                    serde_json::to_string(&input.values)?,
                    input.ttl,
                    input.priority,
                    ids::now_rfc3339()
                ],
            )?;
            let stored = Stored::created(
                format!("/v1/projects/{project_id}/domains/{domain}/records/{id}"),
                load(tx, &domain, &id)?,
            );
            idem.save(tx, &stored)?;
            Ok(stored)
        })
        .await
}

pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path((project_id, domain, record_id)): Path<(String, String, String)>,
) -> ApiResult<Json<Value>> {
    auth.require(DOMAIN_READ)?;
    let v = state
        .store
        .read(move |tx| {
            project_access(tx, &auth, &project_id)?;
            domains::load(tx, &project_id, &domain)?;
            load(tx, &domain, &record_id)
        })
        .await?;
    Ok(Json(v))
}

fn refuse_managed(record: &Value) -> ApiResult<()> {
    if let Some(host) = record["managed_by"].as_str() {
        return Err(ApiError::conflict(
            "record_managed",
            format!("this record is managed by the Automatic DNS hostname {host}; detach the hostname instead"),
        )
        .with_details(json!({ "managed_by": host })));
    }
    Ok(())
}

pub async fn replace(
    State(state): State<AppState>,
    auth: Auth,
    Path((project_id, domain, record_id)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<Value>> {
    auth.require(DOMAIN_WRITE)?;
    let (_, v) = json_body(&state, &headers, body).await;
    let input = v.and_then(record_input);
    let v = state
        .store
        .write(move |tx| {
            project_access(tx, &auth, &project_id)?;
            domains::load(tx, &project_id, &domain)?;
            let current = load(tx, &domain, &record_id)?;
            let input = input?;
            let name = full_name(&input.name, &domain)?;
            refuse_managed(&current)?;
            check_conflicts(tx, &domain, &name, &input.rtype, Some(&record_id))?;
            tx.execute(
                "UPDATE records SET name = ?1, type = ?2, vals = ?3, ttl = ?4, priority = ?5
                 WHERE record_id = ?6",
                params![
                    name,
                    input.rtype,
                    serde_json::to_string(&input.values)?,
                    input.ttl,
                    input.priority,
                    record_id
                ],
            )?;
            load(tx, &domain, &record_id)
        })
        .await?;
    Ok(Json(v))
}

pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    Path((project_id, domain, record_id)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    auth.require(DOMAIN_WRITE)?;
    state
        .store
        .write(move |tx| {
            project_access(tx, &auth, &project_id)?;
            domains::load(tx, &project_id, &domain)?;
            let current = load(tx, &domain, &record_id)?;
            refuse_managed(&current)?;
            tx.execute("DELETE FROM records WHERE record_id = ?1", [&record_id])?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
