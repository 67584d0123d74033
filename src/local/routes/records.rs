//! DNS records in a project domain's zone.

use axum::http::StatusCode;
use axum::Json;
use rusqlite::{params, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{by_name, Call, InDomain, Item, JsonBody, List, Listing, Table};
use crate::local::auth::{DOMAIN_READ, DOMAIN_WRITE};
use crate::local::error::{ApiError, ApiResult};
use crate::local::idempotency::Stored;
use crate::local::validate::{full_name, record_filters, RecordInput};
use crate::local::{ids, store};

#[derive(Serialize, Deserialize)]
pub struct Record {
    pub record_id: String,
    pub project_id: String,
    pub domain: String,
    pub name: String,
    #[serde(rename = "type")]
    pub rtype: String,
    #[serde(rename(deserialize = "vals"), deserialize_with = "store::json_text")]
    pub values: Vec<String>,
    pub ttl: i64,
    pub priority: Option<i64>,
    pub managed_by: Option<String>,
    pub created_at: String,
}

pub static RECORDS: Table<Record> = Table {
    select:
        "SELECT seq, record_id, project_id, domain, name, type, vals, ttl, priority, managed_by,
             created_at FROM records WHERE domain = ?1",
    key: "record_id",
    within: "in",
    valid: |id| ids::is_id(id, "rec"),
    row: by_name,
};

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
        let message = if t == rtype {
            format!("{domain} already has a {t} record named {name} ({id})")
        } else if t == "CNAME" || rtype == "CNAME" {
            format!("a CNAME cannot share its name: {name} already has a {t} record ({id})")
        } else {
            continue;
        };
        return Err(
            ApiError::conflict("record_conflict", message).with_details(json!({ "record_id": id }))
        );
    }
    Ok(())
}

/// 409 for a record an Automatic DNS hostname manages.
fn refuse_managed(record: &Record) -> ApiResult<()> {
    if let Some(host) = &record.managed_by {
        return Err(ApiError::conflict(
            "record_managed",
            format!("this record is managed by the Automatic DNS hostname {host}; detach the hostname instead"),
        )
        .with_details(json!({ "managed_by": host })));
    }
    Ok(())
}

pub async fn list(call: Call<InDomain>, q: Listing) -> ApiResult<Json<List<Record>>> {
    call.list(DOMAIN_READ, q, |t, p, q, page| {
        let Some((name, rtype)) = record_filters(q, &p.domain)? else {
            return Ok(Vec::new());
        };
        let filter = " AND (?4 IS NULL OR name = ?4) AND (?5 IS NULL OR type = ?5)";
        RECORDS.page(t, &p.domain, filter, &[&name, &rtype], page)
    })
    .await
}

pub async fn create(call: Call<InDomain>, body: JsonBody<RecordInput>) -> ApiResult<Stored> {
    let domain = call.path().domain.clone();
    let body = body.and_then(move |mut r| {
        r.name = full_name(&r.name, &domain)?;
        Ok(r)
    });
    call.post(DOMAIN_WRITE, body, |t, p, _, input| {
        let (project_id, domain) = (&p.project_id, &p.domain);
        check_conflicts(t, domain, &input.name, &input.rtype, None)?;
        let id = ids::new_id("rec");
        t.execute(
            "INSERT INTO records (record_id, domain, project_id, name, type, vals, ttl, priority, managed_by, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9)",
            params![
                id,
                domain,
                project_id,
                input.name,
                input.rtype,
                serde_json::to_string(&input.values)?,
                input.ttl,
                input.priority,
                ids::now_rfc3339()
            ],
        )?;
        let location = format!("/v1/projects/{project_id}/domains/{domain}/records/{id}");
        RECORDS.created(t, domain, &id, location)
    })
    .await
}

pub async fn get(call: Call<Item<InDomain>>) -> ApiResult<Json<Record>> {
    call.get_of(DOMAIN_READ, &RECORDS).await
}

pub async fn replace(
    call: Call<Item<InDomain>>,
    body: JsonBody<RecordInput>,
) -> ApiResult<Json<Record>> {
    let input = body.input;
    call.write(DOMAIN_WRITE, move |t, p, _| {
        let (domain, record_id) = (&p.parent.domain, &p.id);
        RECORDS.change(t, domain, record_id, |current| {
            let input = input?;
            let name = full_name(&input.name, domain)?;
            refuse_managed(&current)?;
            check_conflicts(t, domain, &name, &input.rtype, Some(record_id))?;
            t.execute(
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
            Ok(())
        })
    })
    .await
}

pub async fn delete(call: Call<Item<InDomain>>) -> ApiResult<StatusCode> {
    call.delete(DOMAIN_WRITE, |t, p, _| {
        refuse_managed(&RECORDS.get(t, &p.parent.domain, &p.id)?)?;
        t.execute("DELETE FROM records WHERE record_id = ?1", [&p.id])?;
        Ok(())
    })
    .await
}
