//! Storage buckets (`/v1/projects/{p}/storages`, R2-backed): the routes and shapes the official
//! CLI uses (`comwit storage ...`). The create takes no Idempotency-Key that the public material
//! shows, and a bucket name is unique on the whole platform: a lost create answer is resolved
//! by the caller, by the name in the project's list.

use serde::{Deserialize, Serialize};

use super::cache::Listed;
use super::endpoints::{seg, unwrap_one};
use super::hostnames::not_listed;
use super::{ApiError, Client};

/// `status` of a storage that can be used (the one value the public material shows).
pub const READY: &str = "ready";
/// `public_access` of a storage whose default public domain is on.
pub const PUBLIC_ENABLED: &str = "enabled";

/// A storage as the platform shows it. Every member but `storage_id` may be missing.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Storage {
    pub storage_id: String,
    #[serde(default)]
    pub project_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub bucket: String,
    /// `r2`.
    #[serde(default)]
    pub provider: Option<String>,
    /// `ready`; the full set is not public.
    #[serde(default)]
    pub status: String,
    /// The S3 endpoint.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// `auto`.
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub default_domain: Option<String>,
    /// `enabled` or `disabled`.
    #[serde(default)]
    pub public_access: Option<String>,
    #[serde(default)]
    pub public_domain_status: Option<String>,
    #[serde(default)]
    pub public_tls_status: Option<String>,
    #[serde(default)]
    pub public_base_url: Option<String>,
    #[serde(default)]
    pub last_error: Option<String>,
}

impl Storage {
    /// Whether its default public domain is on.
    pub fn is_public(&self) -> bool {
        self.public_access
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case(PUBLIC_ENABLED))
    }

    /// A storage shown with status `deleted` (as a DELETE answers it) is gone.
    pub fn is_deleted(&self) -> bool {
        self.status.eq_ignore_ascii_case("deleted")
    }

    /// The platform's error, when it reports one.
    pub fn error(&self) -> Option<&str> {
        self.last_error.as_deref().filter(|e| !e.trim().is_empty())
    }

    fn owned_by(mut self, project_id: &str) -> Self {
        if self.project_id.is_empty() {
            self.project_id = project_id.to_string();
        }
        self
    }
}

/// `POST .../storages`.
#[derive(Debug, Clone, Serialize)]
pub struct StorageCreate<'a> {
    pub name: &'a str,
    pub public: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_hint: Option<&'a str>,
}

fn storages_path(project_id: &str) -> String {
    format!("/v1/projects/{}/storages", seg(project_id))
}

fn storage_path(project_id: &str, storage_id: &str) -> String {
    format!("{}/{}", storages_path(project_id), seg(storage_id))
}

impl Client {
    /// The project's storages as one page, for the list resource.
    pub fn storage_pages(&self, project_id: &str) -> super::Pages<'_, Storage> {
        self.whole_list(storages_path(project_id), "storages")
    }

    /// The project's storages, read now.
    pub async fn list_storages(&self, project_id: &str) -> Result<Vec<Storage>, ApiError> {
        let list: Vec<Storage> = self.list_of(&storages_path(project_id), "storages").await?;
        Ok(list.into_iter().map(|s| s.owned_by(project_id)).collect())
    }

    /// `POST .../storages`, sent once: without an Idempotency-Key (the route shows none), so
    /// the client never resends it after it may have arrived. 201 `{"storage"}` (a flat answer
    /// is read too).
    pub async fn create_storage(
        &self,
        project_id: &str,
        body: &StorageCreate<'_>,
    ) -> Result<Storage, ApiError> {
        let path = storages_path(project_id);
        let value: serde_json::Value = self.post_unkeyed(&path, body).await?;
        Ok(unwrap_one::<Storage>(value, "storage", &path)?.owned_by(project_id))
    }

    /// One storage: from this process's copy of the project's list (one request for a plan of
    /// many), else its own `GET .../storages/{id}`, whose 404 says it is gone.
    pub async fn read_storage(
        &self,
        project_id: &str,
        storage_id: &str,
    ) -> Result<Storage, ApiError> {
        let path = storages_path(project_id);
        let listed = self
            .cache
            .get_or_fetch(&path, || async {
                self.list_storages(project_id)
                    .await
                    .map(|l| Listed::new(l, |s: &Storage| s.storage_id.clone()))
            })
            .await;
        if let Some(s) = listed.as_ref().and_then(|l| l.get(storage_id)) {
            if !s.is_deleted() {
                return Ok(s.clone());
            }
        }
        let s = self.get_storage(project_id, storage_id).await?;
        if s.is_deleted() {
            return Err(not_listed(
                &storage_path(project_id, storage_id),
                format!("the storage {storage_id} is deleted"),
            ));
        }
        Ok(s)
    }

    /// `GET .../storages/{id}`, read now.
    pub async fn get_storage(
        &self,
        project_id: &str,
        storage_id: &str,
    ) -> Result<Storage, ApiError> {
        let path = storage_path(project_id, storage_id);
        let s: Storage = self.get_one(&path, "storage").await?;
        Ok(s.owned_by(project_id))
    }

    /// The storage named `name` in the project's list, read now.
    pub async fn storage_named(
        &self,
        project_id: &str,
        name: &str,
    ) -> Result<Option<Storage>, ApiError> {
        Ok(self
            .list_storages(project_id)
            .await?
            .into_iter()
            .find(|s| (s.name == name || s.bucket == name) && !s.is_deleted()))
    }

    /// `PUT .../storages/{id}/public-access {"enabled"}`: safe to send again.
    pub async fn set_storage_public(
        &self,
        project_id: &str,
        storage_id: &str,
        enabled: bool,
    ) -> Result<Storage, ApiError> {
        let path = format!("{}/public-access", storage_path(project_id, storage_id));
        let value: serde_json::Value = self
            .put(&path, &serde_json::json!({ "enabled": enabled }))
            .await?;
        Ok(unwrap_one::<Storage>(value, "storage", &path)?.owned_by(project_id))
    }

    /// `DELETE .../storages/{id}`; a 404 counts as done.
    pub async fn delete_storage(&self, project_id: &str, storage_id: &str) -> Result<(), ApiError> {
        self.delete(&storage_path(project_id, storage_id)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_official_cli_shapes_are_read() {
        // As `comwit storage get` reads it (cmd/comwit/storage.go's storageView).
        let s: Storage = serde_json::from_value(json!({
            "storage_id": "stg_0123456789abcdef0123456789abcdef", "project_id": "p1",
            "name": "assets", "bucket": "assets", "provider": "r2", "status": "ready",
            "endpoint": "https://acc.r2.cloudflarestorage.com", "region": "auto",
            "default_domain": "pub-1.r2.dev", "public_access": "enabled",
            "public_domain_status": "active", "public_tls_status": "active",
            "public_base_url": "https://pub-1.r2.dev"
        }))
        .unwrap();
        assert!(s.is_public());
        assert_eq!(s.error(), None);
        // Only the ID: every other member may be missing.
        let bare: Storage = serde_json::from_value(json!({"storage_id": "s"})).unwrap();
        assert!(!bare.is_public() && bare.status.is_empty());
        let failed: Storage = serde_json::from_value(
            json!({"storage_id": "s", "public_access": "disabled", "last_error": "R2 refused"}),
        )
        .unwrap();
        assert_eq!(failed.error(), Some("R2 refused"));
        assert_eq!(
            serde_json::to_value(StorageCreate {
                name: "assets",
                public: false,
                location_hint: None
            })
            .unwrap(),
            json!({"name": "assets", "public": false})
        );
    }
}
