//! Hostnames attached to apps, with Manual or Automatic DNS. Reading them checks the hosted
//! zones first, so that a Manual DNS hostname whose records were published there turns active.

use axum::http::StatusCode;
use axum::Json;
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{by_name, records, Call, InApp, Item, JsonBody, List, Listing, Table};
use crate::local::auth::{APP_READ, APP_WRITE};
use crate::local::dns::{self, HostRecord};
use crate::local::error::{ApiError, ApiResult};
use crate::local::idempotency::Stored;
use crate::local::validate::{is_hostname, is_within, AttachInput, MAX_APP_HOSTNAME};
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

pub async fn list(call: Call<InApp>, q: Listing) -> ApiResult<Json<List<Hostname>>> {
    call.writing()
        .list(APP_READ, q, |t, p, _, page| {
            dns::verify_in_zones(t, Some(&p.app_id))?;
            HOSTNAMES.list(t, &p.app_id, page)
        })
        .await
}

pub async fn attach(call: Call<InApp>, body: JsonBody<AttachInput>) -> ApiResult<Stored> {
    call.post(APP_WRITE, body, |t, p, app, input| {
        let (project_id, app_id, host) = (&p.project_id, &p.app_id, &input.hostname);
        let owner = "SELECT app_id FROM hostnames WHERE hostname = ?1";
        if let Some(owner) = store::first::<String>(t, owner, [host])? {
            let msg = if owner == *app_id {
                format!("{host} is already attached to this app")
            } else {
                format!("{host} is already attached to another app")
            };
            return Err(ApiError::conflict("hostname_taken", msg));
        }
        if let Some(domain) = &input.domain {
            let ours = "SELECT 1 FROM domains WHERE domain = ?1 AND project_id = ?2";
            if !store::exists(t, ours, [domain, project_id])? {
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
        let apex = dns::is_apex(t, host)?;
        let recs = dns::host_records(app_id, &app.default_hostname, host, apex);
        let now = ids::now_rfc3339();
        if let Some(domain) = &input.domain {
            for rec in &recs {
                records::check_conflicts(t, domain, &rec.name, &rec.rtype, None)?;
            }
            for rec in &recs {
                t.execute(
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
        t.execute(
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
            dns::verify_in_zones(t, Some(app_id))?;
        }
        let location = format!("/v1/projects/{project_id}/apps/{app_id}/hostnames/{host}");
        HOSTNAMES.created(t, app_id, host, location)
    })
    .await
}

pub async fn get(call: Call<Item<InApp>>) -> ApiResult<Json<Hostname>> {
    call.writing()
        .read(APP_READ, |t, p, _| {
            HOSTNAMES.get(t, &p.parent.app_id, &p.id)?;
            dns::verify_in_zones(t, Some(&p.parent.app_id))?;
            HOSTNAMES.get(t, &p.parent.app_id, &p.id)
        })
        .await
}

pub async fn detach(call: Call<Item<InApp>>) -> ApiResult<StatusCode> {
    call.delete(APP_WRITE, |t, p, _| {
        HOSTNAMES.get(t, &p.parent.app_id, &p.id)?;
        t.execute("DELETE FROM records WHERE managed_by = ?1", [&p.id])?;
        t.execute("DELETE FROM hostnames WHERE hostname = ?1", [&p.id])?;
        Ok(())
    })
    .await
}
