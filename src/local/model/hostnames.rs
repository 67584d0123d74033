//! Hostnames attached to apps, with Manual or Automatic DNS. Reading them checks the hosted
//! zones first, so that a Manual DNS hostname whose records were published there turns active.

use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::apps::App;
use super::dns::{self, HostRecord};
use super::idempotency::Stored;
use super::validate::{is_hostname, is_within, AttachInput, MAX_APP_HOSTNAME};
use super::{by_name, records, Table, Tx};
use crate::local::error::{ApiError, ApiResult};
use crate::local::{ids, store};

#[derive(Serialize, Deserialize)]
pub struct Hostname {
    pub hostname: String,
    pub app_id: String,
    pub project_id: String,
    pub dns_mode: String,
    pub domain: Option<String>,
    pub status: String,
    #[serde(deserialize_with = "store::json_text")]
    pub dns_records: Vec<HostRecord>,
    pub created_at: String,
}

pub static HOSTNAMES: Table<Hostname> = Table {
    select: "SELECT seq, hostname, app_id, project_id, dns_mode, domain, status, dns_records,
             created_at FROM hostnames WHERE app_id = ?1",
    key: "hostname",
    within: "on app",
    valid: |h| is_hostname(h, MAX_APP_HOSTNAME),
    row: by_name,
};

/// The public list member: `{domain, app_id, status}`.
fn listed(h: &Hostname) -> Value {
    json!({ "domain": h.hostname, "app_id": h.app_id, "status": h.status })
}

/// The public create answer: flat, with the records to publish (`{record_type, name, value}`).
fn created(h: &Hostname) -> Value {
    let records: Vec<Value> = h
        .dns_records
        .iter()
        .map(|r| json!({ "record_type": r.rtype, "name": r.name, "value": r.value }))
        .collect();
    json!({
        "domain": h.hostname,
        "app_id": h.app_id,
        "status": h.status,
        "dns_mode": if h.dns_mode == "automatic" { "managed_project_domain" } else { "external_records" },
        "dns_records": records,
    })
}

/// `{"domains":[...]}` (whole). Manual DNS hostnames whose records are published in the
/// hosted zones turn active first (the list is the read: no single GET is public), so this is
/// a write.
pub fn list(t: &Tx<'_>, app_id: &str) -> ApiResult<Value> {
    dns::verify_in_zones(t, Some(app_id))?;
    let domains: Vec<Value> = HOSTNAMES.all(t, app_id)?.iter().map(listed).collect();
    Ok(json!({ "domains": domains }))
}

/// `{"domain":{...}}` once the records are visible (Manual DNS: in the hosted zones or over
/// DNS, as the background check finds them); 409 `DNS_RECORDS_NOT_VISIBLE` while they are not.
pub fn finalize(t: &Tx<'_>, app_id: &str, hostname: &str) -> ApiResult<Value> {
    HOSTNAMES.get(t, app_id, hostname)?;
    dns::verify_in_zones(t, Some(app_id))?;
    let h = HOSTNAMES.get(t, app_id, hostname)?;
    if h.status != "active" {
        return Err(ApiError::conflict(
            "dns_records_not_visible",
            format!(
                "the DNS records of {} are not visible yet; publish them and try again",
                h.hostname
            ),
        ));
    }
    Ok(json!({ "domain": listed(&h) }))
}

/// Attaches a hostname to `app`: Manual DNS (`pending` until its records are visible) or
/// Automatic DNS (its records written in the project domain, `active`). 201, flat, with the
/// records to publish.
pub fn attach(t: &Tx<'_>, app: &App, input: AttachInput) -> ApiResult<Stored> {
    let (project_id, app_id, host) = (&app.project_id, &app.app_id, &input.hostname);
    let owner = "SELECT app_id FROM hostnames WHERE hostname = ?1";
    if let Some(owner) = store::first::<String>(t, owner, [host])? {
        let msg = if owner == *app_id {
            format!("{host} is already attached to this app")
        } else {
            format!("{host} is already attached to another app")
        };
        return Err(ApiError::conflict("hostname_taken", msg));
    }
    // Automatic DNS: the longest managed project domain at or above the hostname.
    let zone: Option<String> = if input.automatic {
        let mut stmt = t.prepare(
            "SELECT domain FROM domains WHERE project_id = ?1 ORDER BY length(domain) DESC",
        )?;
        let domains = stmt
            .query_map([project_id], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        match domains.into_iter().find(|d| is_within(host, d)) {
            Some(d) => Some(d),
            None => {
                return Err(ApiError::invalid(
                    "domain",
                    format!(
                        "dns_mode managed_project_domain needs {host} to be at or under a \
                             managed project domain of project {project_id}"
                    ),
                ))
            }
        }
    } else {
        None
    };
    let apex = dns::is_apex(t, host)?;
    let recs = dns::host_records(app_id, &app.default_hostname, host, apex);
    let now = ids::now_rfc3339();
    if let Some(domain) = &zone {
        for rec in &recs {
            records::check_conflicts(t, domain, &rec.name, &rec.rtype, None)?;
        }
        for rec in &recs {
            t.execute(
                    "INSERT INTO records (record_id, domain, project_id, name, type, vals, ttl, priority, managed_by, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8, ?9)",
                    params![
                        records::new_record_id(),
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
    t.execute(
            "INSERT INTO hostnames (hostname, app_id, project_id, dns_mode, domain, status, dns_records, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                host,
                app_id,
                project_id,
                if input.automatic { "automatic" } else { "manual" },
                zone,
                if input.automatic { "active" } else { "pending" },
                serde_json::to_string(&recs)?,
                now
            ],
        )?;
    if !input.automatic {
        // The records may be published already.
        dns::verify_in_zones(t, Some(app_id))?;
    }
    let location = format!("/v1/projects/{project_id}/apps/{app_id}/domains/{host}");
    let h = HOSTNAMES.get(t, app_id, host)?;
    Ok(Stored::created(location, created(&h)))
}

/// Detaches the hostname (and its Automatic DNS records): flat `{domain, app_id, status}`.
pub fn detach(t: &Tx<'_>, app_id: &str, hostname: &str) -> ApiResult<Value> {
    let h = HOSTNAMES.get(t, app_id, hostname)?;
    t.execute("DELETE FROM records WHERE managed_by = ?1", [hostname])?;
    t.execute("DELETE FROM hostnames WHERE hostname = ?1", [hostname])?;
    let mut gone = listed(&h);
    gone["status"] = Value::String("deleted".to_string());
    Ok(gone)
}
