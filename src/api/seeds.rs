//! Creating a database seeded from a SQLite file, as the official CLI does it: `POST
//! .../databases {"name", "source":{"type":"sqlite_file","content_length","sha256"}}` with an
//! Idempotency-Key answers 202 with the new database, its `operation` (`awaiting_upload`) and
//! a server-relative `upload_path`; `PUT {upload_path}` with the file (`application/vnd.sqlite3`,
//! exact `Content-Length`) answers 202 `{"operation"}`; the operation then goes `queued`,
//! `validating`, `publishing`, to `succeeded` or `failed`.

use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::databases::{databases_path, DatabaseCreated, Operation};
use super::endpoints::Listing;
use super::{ApiError, Client};

/// The smallest and largest seed file the platform takes (the official CLI checks both).
pub const MIN_SEED_BYTES: u64 = 100;
pub const MAX_SEED_BYTES: u64 = 2 << 30;

/// The upload's content type.
pub const SQLITE_CONTENT_TYPE: &str = "application/vnd.sqlite3";

/// The statuses of a seed operation once its file has landed.
pub fn upload_landed(status: &str) -> bool {
    ["queued", "validating", "publishing", "succeeded", "failed"]
        .iter()
        .any(|s| status.eq_ignore_ascii_case(s))
}

/// The status of a seed operation that still waits for its file.
pub const AWAITING_UPLOAD: &str = "awaiting_upload";

#[derive(Debug, Serialize)]
struct SeedCreate<'a> {
    name: &'a str,
    source: SeedSource<'a>,
}

#[derive(Debug, Serialize)]
struct SeedSource<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    content_length: u64,
    sha256: &'a str,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum UploadAnswer {
    Enveloped { operation: Operation },
    Flat(Operation),
}

impl Client {
    /// Opens the seed's upload session. The Idempotency-Key is derived from the request (see
    /// [`Client::create`]), so a create whose answer was lost is answered by the platform's
    /// replay (`created: false`), never by a second database.
    pub async fn create_seeded_database(
        &self,
        project_id: &str,
        name: &str,
        content_length: u64,
        sha256: &str,
    ) -> Result<DatabaseCreated, ApiError> {
        let path = databases_path(project_id);
        let listing = Listing {
            path: path.clone(),
            key: "databases",
            id_field: "database_id",
        };
        let body = SeedCreate {
            name,
            source: SeedSource {
                kind: "sqlite_file",
                content_length,
                sha256,
            },
        };
        self.create_listed(&path, &body, Some(listing)).await
    }

    /// `PUT {upload_path}` of the file, once (see [`Client::put_file`]). `upload_path` must be
    /// server-relative, as the platform hands it out: anything else is refused unsent.
    pub async fn upload_seed(
        &self,
        upload_path: &str,
        file: &Path,
        length: u64,
        timeout: Duration,
        sent: Arc<AtomicU64>,
    ) -> Result<Operation, ApiError> {
        if !upload_path.starts_with('/') || upload_path.starts_with("//") {
            return Err(ApiError::Decode {
                message: format!(
                    "the platform's upload_path {upload_path:?} is not a server-relative path"
                ),
                path: upload_path.to_string(),
            });
        }
        let opened = tokio::fs::File::open(file)
            .await
            .map_err(|e| ApiError::Transport {
                message: format!("cannot open {} for the upload: {e}", file.display()),
                method: "PUT".into(),
                path: upload_path.to_string(),
            })?;
        let answer: UploadAnswer = self
            .put_file(
                upload_path,
                SQLITE_CONTENT_TYPE,
                opened,
                length,
                timeout,
                sent,
            )
            .await?;
        Ok(match answer {
            UploadAnswer::Enveloped { operation } | UploadAnswer::Flat(operation) => operation,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_request_has_the_public_shape() {
        let body = SeedCreate {
            name: "main",
            source: SeedSource {
                kind: "sqlite_file",
                content_length: 4096,
                sha256: "ab",
            },
        };
        assert_eq!(
            serde_json::to_value(body).unwrap(),
            serde_json::json!({"name": "main", "source":
                {"type": "sqlite_file", "content_length": 4096, "sha256": "ab"}})
        );
        let created: DatabaseCreated = serde_json::from_str(
            r#"{"database_id":"db-1","database_url":"https://db/v1/t","created":true,
                "authentication":"hybrid","upload_path":"/v1/projects/p/databases/db-1/operations/op-1/content",
                "operation":{"operation_id":"op-1","type":"database_seed","status":"awaiting_upload"}}"#,
        )
        .unwrap();
        assert_eq!(created.operation.unwrap().status, AWAITING_UPLOAD);
        assert!(created.upload_path.unwrap().ends_with("/content"));
        assert!(upload_landed("Validating") && !upload_landed(AWAITING_UPLOAD));
    }
}
