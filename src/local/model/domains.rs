//! Project domains (delegated DNS zones).

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::idempotency::Stored;
use super::validate::{is_hostname, DomainInput};
use super::{by_name, Table, Tx};
use crate::local::error::{ApiError, ApiResult};
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

/// A domain's opaque ID, derived from its name (stable across restarts).
pub fn domain_id(domain: &str) -> String {
    format!("pd_{}", &ids::sha256_hex(domain.as_bytes())[..24])
}

impl Domain {
    /// The public shape: `{id, project_id, domain, dns_mode, status, hosted_zone_id,
    /// nameservers, delegation:{checked_at, matched, observed_nameservers}, created_at,
    /// updated_at}`. comwit-local's delegation "matches" once the activation delay passed.
    pub fn public(&self) -> serde_json::Value {
        let matched = self.status == "active";
        json!({
            "id": domain_id(&self.domain),
            "project_id": self.project_id,
            "domain": self.domain,
            "dns_mode": "route53_delegated",
            "status": self.status,
            "hosted_zone_id": format!("Z{}", &ids::sha256_hex(self.domain.as_bytes())[..20].to_ascii_uppercase()),
            "nameservers": self.name_servers,
            "delegation": {
                "checked_at": if matched { Some(self.created_at.clone()) } else { None },
                "matched": matched,
                "observed_nameservers": if matched { self.name_servers.clone() } else { Vec::new() },
            },
            "created_at": self.created_at,
            "updated_at": self.created_at,
        })
    }
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

/// `{"domains":[...]}`, whole.
pub fn list(t: &Tx<'_>, project_id: &str) -> ApiResult<Value> {
    let domains: Vec<Value> = DOMAINS
        .all(t, project_id)?
        .iter()
        .map(Domain::public)
        .collect();
    Ok(json!({ "domains": domains }))
}

/// `{"domain":domain,"matched":bool}`.
pub fn delegation_check(domain: &Domain) -> Value {
    let public = domain.public();
    let matched = public["delegation"]["matched"].clone();
    json!({ "domain": public, "matched": matched })
}

/// A new project domain, `pending_delegation` for the activation delay: 201
/// `{"domain":{...}}`; 409 `domain_taken` when it or a domain above or below it is onboarded.
pub fn onboard(t: &Tx<'_>, project_id: &str, input: DomainInput) -> ApiResult<Stored> {
    let domain = &input.domain;
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
        let details = if other_project == project_id {
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
    let d = DOMAINS.get(t, project_id, domain)?;
    Ok(Stored::created(location, json!({ "domain": d.public() })))
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

/// Removes the domain and its records: `{"domain":{..., status:"deleted"}}`; 409
/// `domain_in_use` while Automatic DNS hostnames use it.
pub fn remove(t: &Tx<'_>, found: &Domain) -> ApiResult<Value> {
    let domain = &found.domain;
    let users: Vec<String> = {
        let mut stmt =
            t.prepare("SELECT hostname FROM hostnames WHERE domain = ?1 ORDER BY seq")?;
        let rows = stmt.query_map([domain], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    if !users.is_empty() {
        return Err(ApiError::conflict(
            "domain_in_use",
            // Problem details carry no other members: the detail names them.
            format!(
                "{domain} is used by {} Automatic DNS hostname(s): {}; detach them first",
                users.len(),
                users.join(", ")
            ),
        )
        .with_details(json!({ "hostnames": users })));
    }
    t.execute("DELETE FROM records WHERE domain = ?1", [domain])?;
    t.execute("DELETE FROM domains WHERE domain = ?1", [domain])?;
    let mut gone = found.public();
    gone["status"] = json!("deleted");
    Ok(json!({ "domain": gone }))
}
