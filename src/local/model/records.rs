//! DNS records in a project domain's zone.

use rusqlite::{params, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::idempotency::Stored;
use super::validate::{self, full_name};
use super::{by_name, Table, Tx};
use crate::local::error::{ApiError, ApiResult};
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
    pub managed_by: Option<String>,
    pub owner_app: Option<String>,
    pub created_at: String,
}

impl Record {
    /// The public shape: `{id, project_domain_id, name, type, ttl, values, owner, ...}`.
    pub fn public(&self) -> Value {
        let platform = self.managed_by.is_some();
        json!({
            "id": self.record_id,
            "project_domain_id": super::domains::domain_id(&self.domain),
            "name": self.name,
            "type": self.rtype,
            "ttl": self.ttl,
            "values": self.values,
            "owner": if platform { "platform_app" } else { "user" },
            "owner_resource_type": if platform { Some("runtime_app") } else { None },
            "owner_resource_id": if platform { self.owner_app.clone() } else { None },
            "status": "in_sync",
            "route53_change_id": format!("C{}", &ids::sha256_hex(self.record_id.as_bytes())[..12].to_ascii_uppercase()),
            "last_error": null,
            "created_at": self.created_at,
            "updated_at": self.created_at,
        })
    }
}

/// A new record ID (`dnsrec_...`, as the public docs show them).
pub fn new_record_id() -> String {
    ids::new_id("dnsrec")
}

pub static RECORDS: Table<Record> = Table {
    select: "SELECT seq, record_id, project_id, domain, name, type, vals, ttl, managed_by,
             (SELECT h.app_id FROM hostnames h WHERE h.hostname = records.managed_by) AS owner_app,
             created_at FROM records WHERE domain = ?1",
    key: "record_id",
    within: "in",
    valid: |id| !id.is_empty() && !id.contains('/'),
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

/// `{"records":[...]}`, whole (the platform's records too).
pub fn list(t: &Tx<'_>, domain: &str) -> ApiResult<Value> {
    let records: Vec<Value> = RECORDS.all(t, domain)?.iter().map(Record::public).collect();
    Ok(json!({ "records": records }))
}

/// A new record in the zone (its name made full): 201 `{"record":{...}}`.
pub fn create(
    t: &Tx<'_>,
    project_id: &str,
    domain: &str,
    input: validate::Record,
) -> ApiResult<Stored> {
    check_conflicts(t, domain, &input.name, &input.rtype, None)?;
    let id = new_record_id();
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
            Option::<i64>::None,
            ids::now_rfc3339()
        ],
    )?;
    let location = format!("/v1/projects/{project_id}/domains/{domain}/records/{id}");
    let r = RECORDS.get(t, domain, &id)?;
    Ok(Stored::created(location, json!({ "record": r.public() })))
}

/// Replaces the record whole (the full-replacement PUT): `{"record":{...}}`. The input's
/// errors come after the record's 404; a record of the platform's is a 409.
pub fn replace(
    t: &Tx<'_>,
    domain: &str,
    record_id: &str,
    input: ApiResult<validate::Record>,
) -> ApiResult<Value> {
    let r = RECORDS.change(t, domain, record_id, |current| {
        let input = input?;
        let name = full_name(&input.name, domain)?;
        refuse_managed(&current)?;
        check_conflicts(t, domain, &name, &input.rtype, Some(record_id))?;
        t.execute(
            "UPDATE records SET name = ?1, type = ?2, vals = ?3, ttl = ?4, priority = NULL
             WHERE record_id = ?5",
            params![
                name,
                input.rtype,
                serde_json::to_string(&input.values)?,
                input.ttl,
                record_id
            ],
        )?;
        Ok(())
    })?;
    Ok(json!({ "record": r.public() }))
}

/// Deletes a user's record: `{"record":{...}}` as it was.
pub fn delete(t: &Tx<'_>, domain: &str, record_id: &str) -> ApiResult<Value> {
    let r = RECORDS.get(t, domain, record_id)?;
    refuse_managed(&r)?;
    t.execute("DELETE FROM records WHERE record_id = ?1", [record_id])?;
    Ok(json!({ "record": r.public() }))
}
