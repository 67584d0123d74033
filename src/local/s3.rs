//! The storages' S3 endpoint: every storage's bucket, served path-style
//! (`<endpoint>/<bucket>/<key>`) by the `s3s` S3 server over `s3s-fs`'s file-system store
//! below `DIR/storage/`.
//!
//! How S3 clients authenticate to a Comwit bucket is not public; comwit-local's choice, like
//! a local MinIO's: one access key pair per data directory (`DIR/s3-credentials.json`, made on
//! first start), SigV4-signed requests with it may do anything to any bucket of a storage;
//! unsigned requests may only read objects (GET and HEAD) of a storage whose public access is
//! on. Buckets are made and removed only through the platform API (`/v1/.../storages`).

use std::path::Path;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::Router;
use s3s::access::{S3Access, S3AccessContext};
use s3s::auth::SimpleAuth;
use s3s::path::S3Path;
use s3s::service::{S3Service, S3ServiceBuilder};
use s3s::{s3_error, S3Result};
use serde::{Deserialize, Serialize};

use super::model::storages::{self, BUCKETS_DIR};
use super::store::files::write_private;
use super::store::Store;

/// File, in the data directory, with the S3 credentials.
pub const CREDENTIALS_FILE: &str = "s3-credentials.json";

/// The access key pair S3 clients sign with (`DIR/s3-credentials.json`).
#[derive(Clone, Serialize, Deserialize)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// The data directory's pair, made on first use.
    pub fn open(data_dir: &Path) -> Result<Credentials, String> {
        let path = data_dir.join(CREDENTIALS_FILE);
        if let Ok(text) = std::fs::read_to_string(&path) {
            return serde_json::from_str(&text)
                .map_err(|e| format!("{} is not readable: {e}", path.display()));
        }
        let made = Credentials {
            access_key_id: format!(
                "CWL{}",
                &hex::encode_upper(super::ids::random_bytes(9))[..17]
            ),
            secret_access_key: hex::encode(super::ids::random_bytes(20)),
        };
        let json = serde_json::to_string_pretty(&made).map_err(|e| e.to_string())?;
        write_private(&path, &format!("{json}\n"))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(made)
    }
}

/// Who may do what: signed requests anything but making or removing buckets; unsigned ones
/// only reads of a public storage's objects.
struct Access {
    store: Store,
}

#[async_trait::async_trait]
impl S3Access for Access {
    async fn check(&self, cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        let op = cx.s3_op().name();
        if matches!(op, "CreateBucket" | "DeleteBucket") {
            return Err(s3_error!(
                AccessDenied,
                "buckets are made and deleted through the platform API \
                 (POST/DELETE /v1/projects/{{project_id}}/storages)"
            ));
        }
        let bucket = match cx.s3_path() {
            S3Path::Root => None,
            S3Path::Bucket { bucket } | S3Path::Object { bucket, .. } => Some(bucket.to_string()),
        };
        let signed = cx.credentials().is_some();
        let Some(bucket) = bucket else {
            return if signed {
                Ok(())
            } else {
                Err(s3_error!(AccessDenied, "sign the request to list buckets"))
            };
        };
        let b = bucket.clone();
        let found = self
            .store
            .read(move |tx| storages::bucket(tx, &b))
            .await
            .map_err(|e| s3_error!(InternalError, "{}", e.message))?;
        let Some((_project, public)) = found else {
            return Err(s3_error!(
                NoSuchBucket,
                "no storage has the bucket {bucket}"
            ));
        };
        if signed || (public && matches!(op, "GetObject" | "HeadObject")) {
            return Ok(());
        }
        Err(s3_error!(
            AccessDenied,
            "the storage {bucket} is not public: sign the request (see {CREDENTIALS_FILE})"
        ))
    }
}

/// The S3 endpoint's router: every request goes to the S3 service.
pub fn router(store: Store, data_dir: &Path, credentials: &Credentials) -> Result<Router, String> {
    let root = data_dir.join(BUCKETS_DIR);
    std::fs::create_dir_all(&root).map_err(|e| format!("cannot make {}: {e}", root.display()))?;
    let fs = s3s_fs::FileSystem::new(&root).map_err(|e| format!("the bucket store: {e:?}"))?;
    let mut builder = S3ServiceBuilder::new(fs);
    builder.set_auth(SimpleAuth::from_single(
        credentials.access_key_id.clone(),
        credentials.secret_access_key.clone(),
    ));
    builder.set_access(Access { store });
    let service = builder.build();
    Ok(Router::new().fallback(serve).with_state(service))
}

async fn serve(State(service): State<S3Service>, req: Request) -> Response {
    let req = req.map(s3s::Body::http_body_unsync);
    match service.call(req).await {
        Ok(resp) => resp.map(Body::new),
        Err(e) => {
            tracing::warn!(error = ?e, "the S3 endpoint failed a request");
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "S3 endpoint error",
            )
                .into_response()
        }
    }
}
