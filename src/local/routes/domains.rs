//! Project domains (delegated DNS zones).

use axum::http::StatusCode;
use axum::Json;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{by_name, Call, InDomain, InProject, JsonBody, List, Listing, Table, Tx};
use crate::local::auth::{DOMAIN_READ, DOMAIN_WRITE};
use crate::local::error::{ApiError, ApiResult};
use crate::local::idempotency::Stored;
use crate::local::validate::{is_hostname, DomainInput};
use crate::local::{ids, store};

#[derive(Serialize, Deserialize)]
pub struct Domain {
    pub domain: String,
    pub project_id: String,
    #[serde(deserialize_with = "store::json_text")]
    pub name_servers: Vec<String>,
    #[serde(rename(deserialize = "active_at_ms"), deserialize_with = "status")]
    pub status: String,
    pub created_at: String,
}

store::reached_status!(status: "active", else "pending_delegation");

pub static DOMAINS: Table<Domain> = Table {
    select: "SELECT seq, domain, project_id, name_servers, created_at, active_at_ms FROM domains
             WHERE project_id = ?1",
    key: "domain",
    within: "in project",
    valid: |d| is_hostname(d, 253),
    row: by_name,
};

/// The four name servers to delegate `domain` to.
pub fn name_servers(domain: &str) -> Vec<String> {
    let h = ids::sha256(domain.as_bytes());
    ["net", "com", "org", "io"]
        .iter()
        .enumerate()
        .map(|(i, tld)| format!("ns{}-{:02}.comwit-dns.{tld}", i + 1, h[i] % 64))
        .collect()
}

pub async fn list(call: Call<InProject>, q: Listing) -> ApiResult<Json<List<Domain>>> {
    call.list_of(DOMAIN_READ, q, &DOMAINS).await
}

pub async fn onboard(call: Call<InProject>, body: JsonBody<DomainInput>) -> ApiResult<Stored> {
    call.post(DOMAIN_WRITE, body, |t, p, _, input| {
        let (project_id, domain) = (&p.project_id, &input.domain);
        let clash: Option<(String, String)> = t
            .query_row(
                "SELECT domain, project_id FROM domains
                 WHERE domain = ?1
                    OR substr(?1, -length(domain) - 1) = '.' || domain
                    OR substr(domain, -length(?1) - 1) = '.' || ?1
                 LIMIT 1",
                [domain],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((other, other_project)) = clash {
            let msg = if other == *domain {
                format!("{domain} is already onboarded")
            } else {
                format!("{domain} overlaps the onboarded domain {other}")
            };
            let details = if other_project == *project_id {
                json!({ "domain": other, "project_id": other_project })
            } else {
                json!({ "domain": other })
            };
            return Err(ApiError::conflict("domain_taken", msg).with_details(details));
        }
        let now = ids::now_ms();
        let delay = t.settings.domain_activation_delay.as_millis() as i64;
        insert(t, domain, project_id, now, now + delay)?;
        let location = format!("/v1/projects/{project_id}/domains/{domain}");
        DOMAINS.created(t, project_id, domain, location)
    })
    .await
}

/// Add `domain` to the project, made at `now` and active from `active_at_ms` (both ms).
pub fn insert(
    t: &Tx<'_>,
    domain: &str,
    project_id: &str,
    now: i64,
    active_at_ms: i64,
) -> ApiResult<()> {
    t.execute(
        "INSERT INTO domains (domain, project_id, name_servers, created_at, active_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            domain,
            project_id,
            serde_json::to_string(&name_servers(domain))?,
            ids::rfc3339(now),
            active_at_ms
        ],
    )?;
    Ok(())
}

pub async fn get(call: Call<InDomain>) -> ApiResult<Json<Domain>> {
    call.read(DOMAIN_READ, |_, _, domain| Ok(domain)).await
}

pub async fn remove(call: Call<InDomain>) -> ApiResult<StatusCode> {
    call.delete(DOMAIN_WRITE, |t, p, _| {
        let domain = &p.domain;
        let users: Vec<String> = {
            let mut stmt =
                t.prepare("SELECT hostname FROM hostnames WHERE domain = ?1 ORDER BY seq")?;
            let rows = stmt.query_map([domain], |r| r.get(0))?;
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
        t.execute("DELETE FROM records WHERE domain = ?1", [domain])?;
        t.execute("DELETE FROM domains WHERE domain = ?1", [domain])?;
        Ok(())
    })
    .await
}
