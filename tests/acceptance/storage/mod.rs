//! Acceptance tests for `comwit_storage` (resource, data source, list resource) with real
//! Terraform against comwit-local, and its buckets used by an S3 client nobody here wrote
//! (boto3, hash-pinned in scripts/s3-client).

mod lifecycle;

use std::process::Command;

use comwit::api::storages::Storage;
use serde_json::Value;

use crate::support::platform::Platform;
use crate::support::repo_root;

pub use crate::core::{assert_mentions, hcl, s};

pub fn storages(p: &Platform, project: &str) -> Vec<Storage> {
    p.block_on(p.api().list_storages(project))
        .expect("list storages")
}

/// A storage resource block.
pub fn storage(label: &str, name: &str, public: bool) -> String {
    format!(
        "resource \"comwit_storage\" \"{label}\" {{\n  name   = \"{name}\"\n  public = {public}\n}}\n"
    )
}

/// comwit-local's S3 credentials (its documented choice: `DIR/s3-credentials.json`).
fn credentials(p: &Platform) -> (String, String) {
    let path = p.data_dir().join(comwit::local::s3::CREDENTIALS_FILE);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    (
        v["access_key_id"].as_str().unwrap().to_string(),
        v["secret_access_key"].as_str().unwrap().to_string(),
    )
}

/// Runs scripts/s3-client/check.py against the bucket of `state` (a `comwit_storage`'s
/// values) and returns what boto3 saw.
pub fn boto3_check(p: &Platform, state: &Value) -> Value {
    let (key_id, secret) = credentials(p);
    let out = Command::new("bash")
        .arg(repo_root().join("scripts/s3-client/run.sh"))
        .env("S3_ENDPOINT", s(state, "endpoint"))
        .env("S3_REGION", s(state, "region"))
        .env("S3_BUCKET", s(state, "bucket"))
        .env("S3_ACCESS_KEY_ID", key_id)
        .env("S3_SECRET_ACCESS_KEY", secret)
        .env(
            "PUBLIC_BASE_URL",
            state["public_base_url"].as_str().unwrap_or_default(),
        )
        .output()
        .expect("run scripts/s3-client/run.sh (needs python3 with venv and pip)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "check.py failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}
