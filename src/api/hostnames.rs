//! App hostnames (`/v1/projects/{p}/apps/{a}/domains`): the public routes and shapes.
//!
//! The list shows `{domain, app_id, status}` only; the create answer adds `dns_mode` and the
//! `dns_records` to publish (Manual DNS). There is no single read: a hostname is read from its
//! app's list. Status values are not public: any string is accepted.

use serde::{Deserialize, Serialize};

use super::endpoints::{seg, Listing, Located};
use super::{ApiError, Client};

/// The public `dns_mode` of Manual DNS.
pub const EXTERNAL_RECORDS: &str = "external_records";
/// The public `dns_mode` of Automatic DNS.
pub const MANAGED_PROJECT_DOMAIN: &str = "managed_project_domain";

/// One record to publish for a hostname, as the create answer shows it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct HostnameDnsRecord {
    pub record_type: String,
    pub name: String,
    pub value: String,
    /// What the record is for (`routing` or `ownership`), told by the provider from its type
    /// and name (the platform does not say); empty until then.
    #[serde(skip)]
    pub purpose: String,
}

/// An app hostname: the list's `{domain, app_id, status}`, plus what only the create answer
/// carries (`dns_mode`, `dns_records`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Hostname {
    #[serde(rename = "domain")]
    pub hostname: String,
    #[serde(default)]
    pub app_id: String,
    #[serde(default)]
    pub status: String,
    /// `external_records` or `managed_project_domain`; absent from the list.
    #[serde(default)]
    pub dns_mode: Option<String>,
    /// Absent from the list.
    #[serde(default)]
    pub dns_records: Vec<HostnameDnsRecord>,
    /// Not sent: the project of the path it was read from.
    #[serde(skip)]
    pub project_id: String,
}

impl Located for Hostname {
    const KEY: &'static str = "domain";
    fn id(&self) -> &str {
        &self.hostname
    }
    fn listing(&self) -> Listing {
        Listing {
            path: format!(
                "{}/domains",
                Client::app_path(&self.project_id, &self.app_id)
            ),
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
pub struct HostnameAttach<'a> {
    pub domain: &'a str,
    pub dns_mode: &'a str,
}

fn hostnames_path(project_id: &str, app_id: &str) -> String {
    format!("{}/domains", Client::app_path(project_id, app_id))
}

fn hostname_path(project_id: &str, app_id: &str, hostname: &str) -> String {
    format!("{}/{}", hostnames_path(project_id, app_id), seg(hostname))
}

/// A 404 for a hostname its app's list does not show.
pub(crate) fn not_listed(path: &str, what: String) -> ApiError {
    ApiError::Status(Box::new(super::error::StatusError {
        status: 404,
        code: "not_found".to_string(),
        title: Some("Not Found".to_string()),
        message: what,
        required_scope: None,
        field: None,
        details: serde_json::Value::Null,
        method: "GET".to_string(),
        path: path.to_string(),
    }))
}

impl Client {
    /// The app's hostnames as one page (`project_id` is not filled in).
    pub fn hostname_pages(&self, project_id: &str, app_id: &str) -> super::Pages<'_, Hostname> {
        self.whole_list(hostnames_path(project_id, app_id), "domains")
    }

    /// The app's hostnames, read now.
    pub async fn list_hostnames(
        &self,
        project_id: &str,
        app_id: &str,
    ) -> Result<Vec<Hostname>, ApiError> {
        let mut list: Vec<Hostname> = self
            .list_of(&hostnames_path(project_id, app_id), "domains")
            .await?;
        for h in &mut list {
            h.project_id = project_id.to_string();
            if h.app_id.is_empty() {
                h.app_id = app_id.to_string();
            }
        }
        Ok(list)
    }

    /// The app's hostnames, from this process's copy of the list when it has one.
    pub async fn read_hostnames(
        &self,
        project_id: &str,
        app_id: &str,
    ) -> Result<Vec<Hostname>, ApiError> {
        let path = hostnames_path(project_id, app_id);
        let cached = self
            .cache
            .get_or_fetch(&path, || async {
                let items = self.list_hostnames(project_id, app_id).await?;
                Ok::<_, ApiError>(super::cache::Listed::new(items, |h: &Hostname| {
                    h.hostname.clone()
                }))
            })
            .await;
        match cached {
            Some(listed) => Ok(listed.items.clone()),
            None => self.list_hostnames(project_id, app_id).await,
        }
    }

    /// Attaches a hostname; the answer holds the records to publish.
    pub async fn attach_hostname(
        &self,
        project_id: &str,
        app_id: &str,
        body: &HostnameAttach<'_>,
    ) -> Result<Hostname, ApiError> {
        let mut h: Hostname = self
            .create(&hostnames_path(project_id, app_id), body)
            .await?;
        h.project_id = project_id.to_string();
        if h.app_id.is_empty() {
            h.app_id = app_id.to_string();
        }
        Ok(h)
    }

    /// One hostname, from its app's list (no single read is public): the cached copy, else
    /// (or when it is not in the copy) the list read now; 404 when the list does not show it.
    pub async fn get_hostname(
        &self,
        project_id: &str,
        app_id: &str,
        hostname: &str,
    ) -> Result<Hostname, ApiError> {
        let found = |list: Vec<Hostname>| {
            list.into_iter()
                .find(|h| h.hostname.eq_ignore_ascii_case(hostname))
        };
        if let Some(h) = found(self.read_hostnames(project_id, app_id).await?) {
            return Ok(h);
        }
        match found(self.list_hostnames(project_id, app_id).await?) {
            Some(h) => Ok(h),
            None => Err(not_listed(
                &hostnames_path(project_id, app_id),
                format!("the app {app_id} has no hostname {hostname}"),
            )),
        }
    }

    /// [`Client::get_hostname`] (kept for the refresh callers).
    pub async fn read_hostname(
        &self,
        project_id: &str,
        app_id: &str,
        hostname: &str,
    ) -> Result<Hostname, ApiError> {
        self.get_hostname(project_id, app_id, hostname).await
    }

    /// Asks the platform to complete activation: `{"domain":{domain, app_id, status}}` once
    /// the records are visible; an error answer (e.g. 409) while they are not.
    pub async fn finalize_hostname(
        &self,
        project_id: &str,
        app_id: &str,
        hostname: &str,
    ) -> Result<Hostname, ApiError> {
        let path = format!("{}/finalize", hostname_path(project_id, app_id, hostname));
        let value: serde_json::Value = self.post(&path, &serde_json::json!({})).await?;
        let mut h: Hostname = super::endpoints::unwrap_one(value, "domain", &path)?;
        h.project_id = project_id.to_string();
        if h.app_id.is_empty() {
            h.app_id = app_id.to_string();
        }
        Ok(h)
    }

    /// Detaches a hostname; one already gone (404) counts as done.
    pub async fn detach_hostname(
        &self,
        project_id: &str,
        app_id: &str,
        hostname: &str,
    ) -> Result<(), ApiError> {
        self.delete(&hostname_path(project_id, app_id, hostname))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The shapes of the public material: the flat create answer and the list member.
    #[test]
    fn create_answer_and_list_member_are_read() {
        let h: Hostname = serde_json::from_value(json!({
            "domain": "app.example.com", "app_id": "app-1", "status": "pending",
            "dns_mode": "external_records",
            "dns_records": [
                {"record_type": "CNAME", "name": "app.example.com", "value": "edge.example.net"},
                {"record_type": "TXT", "name": "_cf-challenge.app.example.com", "value": "x"}
            ]
        }))
        .unwrap();
        assert_eq!(h.hostname, "app.example.com");
        assert_eq!(h.dns_records.len(), 2);
        assert_eq!(h.dns_records[1].record_type, "TXT");
        let l: Hostname = serde_json::from_value(
            json!({"domain": "app.example.com", "app_id": "app-1", "status": "weird-new"}),
        )
        .unwrap();
        assert!(l.dns_records.is_empty() && l.dns_mode.is_none());
        assert_eq!(l.status, "weird-new");
    }
}
