//! Project domains (`/v1/projects/{p}/domains`, addressed by name) and their DNS records: the
//! public routes and shapes. Neither has a single read: both are read from their lists, which
//! this process reads once (see [`super::cache`]).

use serde::{Deserialize, Serialize};

use super::cache::Listed;
use super::endpoints::{seg, unwrap_one, Listing, Located};
use super::hostnames::not_listed;
use super::{ApiError, Client};

/// The one public `dns_mode` of a project domain.
pub const ROUTE53_DELEGATED: &str = "route53_delegated";

/// The last delegation check of a domain.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Delegation {
    #[serde(default)]
    pub checked_at: Option<String>,
    #[serde(default)]
    pub matched: bool,
    #[serde(default)]
    pub observed_nameservers: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Domain {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub project_id: String,
    pub domain: String,
    #[serde(default)]
    pub dns_mode: Option<String>,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub hosted_zone_id: Option<String>,
    #[serde(rename = "nameservers", default)]
    pub name_servers: Vec<String>,
    #[serde(default)]
    pub delegation: Option<Delegation>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

impl Located for Domain {
    const KEY: &'static str = "domain";
    // Paths and lists address a domain by its name, not its `id`.
    #[allow(clippy::misnamed_getters)]
    fn id(&self) -> &str {
        &self.domain
    }
    fn listing(&self) -> Listing {
        Listing {
            path: domains_path(&self.project_id),
            key: "domains",
            id_field: "domain",
        }
    }
    fn listing_from(&self, create_path: &str) -> Listing {
        Listing {
            path: create_path.to_string(),
            key: "domains",
            id_field: "domain",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DomainOnboard<'a> {
    pub domain: &'a str,
    pub dns_mode: &'a str,
}

/// `POST .../delegation-check`: the domain as checked, and whether its delegation matched.
#[derive(Debug, Clone)]
pub struct DelegationCheck {
    pub domain: Domain,
    pub matched: bool,
}

/// Who made a record: the user, or the platform for an Automatic DNS hostname.
pub const OWNER_PLATFORM_APP: &str = "platform_app";

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Record {
    #[serde(rename = "id")]
    pub record_id: String,
    #[serde(default)]
    pub project_domain_id: Option<String>,
    /// Fully qualified (`www.example.com`).
    pub name: String,
    #[serde(rename = "type")]
    pub record_type: String,
    #[serde(default)]
    pub ttl: i64,
    #[serde(default)]
    pub values: Vec<String>,
    /// `user` or `platform_app`.
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub owner_resource_type: Option<String>,
    #[serde(default)]
    pub owner_resource_id: Option<String>,
    /// `in_sync`, ... (not all values are public).
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub route53_change_id: Option<String>,
    #[serde(default)]
    pub last_error: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Not sent: the project and domain of the path it was read from.
    #[serde(skip)]
    pub project_id: String,
    #[serde(skip)]
    pub domain: String,
}

impl Record {
    /// Whether the platform made it (for an Automatic DNS hostname): never changed, never
    /// drift, never a stray.
    pub fn is_platform(&self) -> bool {
        self.owner.as_deref() == Some(OWNER_PLATFORM_APP)
    }

    /// For a platform record, the Automatic DNS hostname it serves: its name without leading
    /// `_` labels (`_cf-challenge.app.example.com` -> `app.example.com`). The platform names
    /// the owning app (`owner_resource_id`), not the hostname; the name tells the hostname.
    pub fn managed_by(&self) -> Option<String> {
        if !self.is_platform() {
            return None;
        }
        let mut name = self.name.trim_end_matches('.');
        while let Some((label, rest)) = name.split_once('.') {
            if !label.starts_with('_') {
                break;
            }
            name = rest;
        }
        Some(name.to_ascii_lowercase())
    }

    /// For a platform record, the resource that owns it (an app's ID for `runtime_app`).
    pub fn owner_app(&self) -> Option<&str> {
        if !self.is_platform() {
            return None;
        }
        self.owner_resource_id.as_deref()
    }

    /// The platform's error for a record it could not publish.
    pub fn error(&self) -> Option<&str> {
        self.last_error.as_deref().filter(|e| !e.trim().is_empty())
    }
}

impl Located for Record {
    const KEY: &'static str = "record";
    fn id(&self) -> &str {
        &self.record_id
    }
    fn listing(&self) -> Listing {
        Listing {
            path: records_path(&self.project_id, &self.domain),
            key: "records",
            id_field: "id",
        }
    }
    fn listing_from(&self, create_path: &str) -> Listing {
        Listing {
            path: create_path.to_string(),
            key: "records",
            id_field: "id",
        }
    }
}

/// A record's four fields, sent whole on create and on replace.
#[derive(Debug, Clone, Serialize)]
pub struct RecordInput<'a> {
    pub name: &'a str,
    #[serde(rename = "type")]
    pub record_type: &'a str,
    pub ttl: i64,
    pub values: &'a [String],
}

fn domains_path(project_id: &str) -> String {
    format!("/v1/projects/{}/domains", seg(project_id))
}

fn records_path(project_id: &str, domain: &str) -> String {
    format!("{}/records", Client::domain_path(project_id, domain))
}

fn record_path(project_id: &str, domain: &str, record_id: &str) -> String {
    format!("{}/{}", records_path(project_id, domain), seg(record_id))
}

impl Client {
    pub(crate) fn domain_path(project_id: &str, domain: &str) -> String {
        format!("{}/{}", domains_path(project_id), seg(domain))
    }

    /// The list at `path` from this process's copy, else read now.
    async fn cached<T>(
        &self,
        path: &str,
        id: fn(&T) -> String,
        fetch: impl std::future::Future<Output = Result<Vec<T>, ApiError>>,
    ) -> Result<std::sync::Arc<Listed<T>>, ApiError>
    where
        T: Clone + Send + Sync + 'static,
    {
        let mut error = None;
        let got = self
            .cache
            .get_or_fetch(path, || async {
                match fetch.await {
                    Ok(items) => Ok(Listed::new(items, id)),
                    Err(e) => {
                        error = Some(e.clone());
                        Err(e)
                    }
                }
            })
            .await;
        match (got, error) {
            (Some(l), _) => Ok(l),
            (None, Some(e)) => Err(e),
            // An earlier fetch in this process failed: the caller reads again itself.
            (None, None) => Err(ApiError::Decode {
                message: "the list could not be read earlier in this run".to_string(),
                path: path.to_string(),
            }),
        }
    }

    // ---- domains
    /// The project's domains as one page, for the list resources.
    pub fn domain_pages(&self, project_id: &str) -> super::Pages<'_, Domain> {
        self.whole_list(domains_path(project_id), "domains")
    }
    /// The domain's records as one page (`project_id`/`domain` are not filled in).
    pub fn record_pages(&self, project_id: &str, domain: &str) -> super::Pages<'_, Record> {
        self.whole_list(records_path(project_id, domain), "records")
    }
    pub async fn list_domains(&self, project_id: &str) -> Result<Vec<Domain>, ApiError> {
        let mut list: Vec<Domain> = self.list_of(&domains_path(project_id), "domains").await?;
        for d in &mut list {
            if d.project_id.is_empty() {
                d.project_id = project_id.to_string();
            }
        }
        Ok(list)
    }
    /// [`Client::list_domains`], once per process.
    pub async fn read_domains(&self, project_id: &str) -> Result<Vec<Domain>, ApiError> {
        let path = domains_path(project_id);
        match self
            .cached(
                &path,
                |d: &Domain| d.domain.clone(),
                self.list_domains(project_id),
            )
            .await
        {
            Ok(l) => Ok(l.items.clone()),
            Err(_) => self.list_domains(project_id).await,
        }
    }
    pub async fn onboard_domain(&self, project_id: &str, domain: &str) -> Result<Domain, ApiError> {
        let mut d: Domain = self
            .create(
                &domains_path(project_id),
                &DomainOnboard {
                    domain,
                    dns_mode: ROUTE53_DELEGATED,
                },
            )
            .await?;
        if d.project_id.is_empty() {
            d.project_id = project_id.to_string();
        }
        Ok(d)
    }
    /// One domain from the project's list (cached, then read now); 404 when it is not listed.
    pub async fn get_domain(&self, project_id: &str, domain: &str) -> Result<Domain, ApiError> {
        let find = |l: Vec<Domain>| {
            l.into_iter()
                .find(|d| d.domain.eq_ignore_ascii_case(domain))
        };
        if let Some(d) = find(self.read_domains(project_id).await?) {
            return Ok(d);
        }
        find(self.list_domains(project_id).await?).ok_or_else(|| {
            not_listed(
                &domains_path(project_id),
                format!("the project {project_id} has no domain {domain}"),
            )
        })
    }
    /// [`Client::get_domain`] (kept for the refresh callers).
    pub async fn read_domain(&self, project_id: &str, domain: &str) -> Result<Domain, ApiError> {
        self.get_domain(project_id, domain).await
    }
    /// Asks the platform to look at the domain's delegation now.
    pub async fn check_delegation(
        &self,
        project_id: &str,
        domain: &str,
    ) -> Result<DelegationCheck, ApiError> {
        let path = format!(
            "{}/delegation-check",
            Client::domain_path(project_id, domain)
        );
        let value: serde_json::Value = self.post(&path, &serde_json::json!({})).await?;
        let top_matched = value.get("matched").and_then(|m| m.as_bool());
        let mut d: Domain = unwrap_one(value, "domain", &path)?;
        if d.project_id.is_empty() {
            d.project_id = project_id.to_string();
        }
        let matched = top_matched
            .or_else(|| d.delegation.as_ref().map(|x| x.matched))
            .unwrap_or(false);
        Ok(DelegationCheck { domain: d, matched })
    }
    pub async fn remove_domain(&self, project_id: &str, domain: &str) -> Result<(), ApiError> {
        self.delete(&Client::domain_path(project_id, domain)).await
    }

    // ---- records
    fn own_records(list: &mut [Record], project_id: &str, domain: &str) {
        for r in list {
            r.project_id = project_id.to_string();
            r.domain = domain.to_string();
        }
    }
    /// The domain's records (platform-written ones too), read now.
    pub async fn list_records(
        &self,
        project_id: &str,
        domain: &str,
    ) -> Result<Vec<Record>, ApiError> {
        let mut list: Vec<Record> = self
            .list_of(&records_path(project_id, domain), "records")
            .await?;
        Self::own_records(&mut list, project_id, domain);
        Ok(list)
    }
    /// [`Client::list_records`], once per process.
    pub async fn read_records(
        &self,
        project_id: &str,
        domain: &str,
    ) -> Result<Vec<Record>, ApiError> {
        let path = records_path(project_id, domain);
        match self
            .cached(
                &path,
                |r: &Record| r.record_id.clone(),
                self.list_records(project_id, domain),
            )
            .await
        {
            Ok(l) => Ok(l.items.clone()),
            Err(_) => self.list_records(project_id, domain).await,
        }
    }
    pub async fn create_record(
        &self,
        project_id: &str,
        domain: &str,
        body: &RecordInput<'_>,
    ) -> Result<Record, ApiError> {
        let mut r: Record = self.create(&records_path(project_id, domain), body).await?;
        r.project_id = project_id.to_string();
        r.domain = domain.to_string();
        Ok(r)
    }
    /// One record from the domain's list: this process's copy, else (or when the copy lacks
    /// it: it may be newer) the list read now; 404 when the list does not show it.
    pub async fn get_record(
        &self,
        project_id: &str,
        domain: &str,
        record_id: &str,
    ) -> Result<Record, ApiError> {
        let path = records_path(project_id, domain);
        if let Ok(l) = self
            .cached(
                &path,
                |r: &Record| r.record_id.clone(),
                self.list_records(project_id, domain),
            )
            .await
        {
            if let Some(r) = l.get(record_id) {
                return Ok(r.clone());
            }
        }
        self.list_records(project_id, domain)
            .await?
            .into_iter()
            .find(|r| r.record_id == record_id)
            .ok_or_else(|| {
                not_listed(
                    &path,
                    format!("the domain {domain} has no record {record_id}"),
                )
            })
    }
    /// [`Client::get_record`] (kept for the refresh callers).
    pub async fn read_record(
        &self,
        project_id: &str,
        domain: &str,
        record_id: &str,
    ) -> Result<Record, ApiError> {
        self.get_record(project_id, domain, record_id).await
    }
    /// Replaces a record's four fields.
    pub async fn replace_record(
        &self,
        project_id: &str,
        domain: &str,
        record_id: &str,
        body: &RecordInput<'_>,
    ) -> Result<Record, ApiError> {
        let path = record_path(project_id, domain, record_id);
        let value: serde_json::Value = self.put(&path, body).await?;
        let mut r: Record = unwrap_one(value, "record", &path)?;
        r.project_id = project_id.to_string();
        r.domain = domain.to_string();
        Ok(r)
    }
    pub async fn delete_record(
        &self,
        project_id: &str,
        domain: &str,
        record_id: &str,
    ) -> Result<(), ApiError> {
        self.delete(&record_path(project_id, domain, record_id))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn domain_and_record_shapes_of_the_public_material_are_read() {
        let d: Domain = serde_json::from_value(json!({
            "id": "pd-1", "project_id": "p1", "domain": "example.com",
            "dns_mode": "route53_delegated", "status": "pending_delegation",
            "hosted_zone_id": "Z1", "nameservers": ["ns-1.awsdns-01.org"],
            "delegation": {"checked_at": null, "matched": false, "observed_nameservers": []},
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
        }))
        .unwrap();
        assert_eq!(d.name_servers, vec!["ns-1.awsdns-01.org"]);
        assert!(!d.delegation.unwrap().matched);
        let r: Record = serde_json::from_value(json!({
            "id": "dnsrec_1", "project_domain_id": "pd-1", "name": "www.example.com",
            "type": "CNAME", "ttl": 300, "values": ["a.example.net"], "owner": "platform_app",
            "owner_resource_type": "runtime_app", "owner_resource_id": "app-1",
            "status": "in_sync", "route53_change_id": "C1", "last_error": null,
            "created_at": "x", "updated_at": "y"
        }))
        .unwrap();
        assert!(r.is_platform());
        assert_eq!(r.owner_app(), Some("app-1"));
        assert_eq!(r.managed_by().as_deref(), Some("www.example.com"));
        let mut challenge = r.clone();
        challenge.name = "_cf-challenge.www.example.com.".into();
        assert_eq!(challenge.managed_by().as_deref(), Some("www.example.com"));
        assert_eq!(r.error(), None);
        let u: Record = serde_json::from_value(json!({
            "id": "dnsrec_2", "name": "a.example.com", "type": "A", "ttl": 60,
            "values": ["192.0.2.1"], "owner": "user", "last_error": "Route53 refused"
        }))
        .unwrap();
        assert!(!u.is_platform() && u.managed_by().is_none());
        assert_eq!(u.error(), Some("Route53 refused"));
    }
}
