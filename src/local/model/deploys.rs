//! Deployments, builds and the rollback extension.
//!
//! `POST .../deployments?hosts=..&env_ref=..&max_concurrent_requests=N` takes the package (a
//! zstd-compressed tar of a brrrd build folder with `manifest.json` at its root) as
//! `application/octet-stream`, stores it, makes a build and activates it:
//! `{"app_id","build_id","hosts":[...],"uploaded":true}`. `GET .../builds` lists
//! `{"builds":[{build_id, created_at, artifact_size, deployed_at_ms}]}` (no status).
//! `POST .../rollback {"build_id"}` (extension) answers `{"app":{...}}`.

use std::collections::HashMap;
use std::io::Read;

use rusqlite::params;
use serde::Serialize;
use serde_json::{json, Value};

use super::apps::{App, APPS};
use super::idempotency::{Idem, Stored};
use super::validate::RollbackInput;
use super::{to_json, Tx};
use crate::local::error::{ApiError, ApiResult};
use crate::local::{ids, store};

/// Largest total size of the files inside a package, to refuse decompression bombs.
const MAX_UNPACKED_BYTES: u64 = 1 << 30;
/// Largest manifest read.
const MAX_MANIFEST_BYTES: u64 = 8 << 20;

/// A build as `GET .../builds` and the app's read show it.
#[derive(Serialize, Clone)]
pub struct BuildView {
    pub build_id: String,
    pub created_at: String,
    pub artifact_size: i64,
    pub deployed_at_ms: i64,
}

/// The builds of an app, oldest first.
pub fn builds_of(t: &Tx<'_>, app_id: &str) -> ApiResult<Vec<BuildView>> {
    let mut stmt = t.prepare(
        "SELECT build_id, created_at, size_bytes FROM builds WHERE app_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt
        .query_map([app_id], |r| {
            let created_at: String = r.get(1)?;
            Ok(BuildView {
                build_id: r.get(0)?,
                deployed_at_ms: rfc3339_ms(&created_at),
                created_at,
                artifact_size: r.get(2)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

fn rfc3339_ms(text: &str) -> i64 {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .unwrap_or_default()
}

/// Checks a package: zstd, a tar with relative paths only, a root `manifest.json` that is a
/// JSON object with `schemaVersion` and a `routes` list. Returns the manifest.
pub fn check_package(data: &[u8]) -> ApiResult<Value> {
    let bad = |m: String| {
        ApiError::bad_request(format!(
            "the package is not a zstd-compressed tar of a brrrd build: {m}"
        ))
    };
    if !data.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        return Err(bad("it does not start with a zstd frame".into()));
    }
    let dec = zstd::stream::Decoder::new(data).map_err(|e| bad(e.to_string()))?;
    let mut archive = tar::Archive::new(dec);
    let mut total = 0u64;
    let mut manifest = None;
    for entry in archive.entries().map_err(|e| bad(e.to_string()))? {
        let mut entry = entry.map_err(|e| bad(e.to_string()))?;
        let path = entry.path().map_err(|e| bad(e.to_string()))?.into_owned();
        if path.is_absolute()
            || path
                .components()
                .any(|c| matches!(c, std::path::Component::ParentDir))
        {
            return Err(bad(format!("entry {} leaves the package", path.display())));
        }
        total = total.saturating_add(entry.size());
        if total > MAX_UNPACKED_BYTES {
            return Err(bad("the unpacked package is larger than 1 GiB".into()));
        }
        let name = path.to_string_lossy();
        if entry.header().entry_type().is_file() && name.trim_start_matches("./") == "manifest.json"
        {
            let mut text = Vec::new();
            (&mut entry)
                .take(MAX_MANIFEST_BYTES)
                .read_to_end(&mut text)
                .map_err(|e| bad(e.to_string()))?;
            manifest = Some(text);
            continue;
        }
        // Read the data through, so that a truncated archive is caught here.
        std::io::copy(&mut entry, &mut std::io::sink()).map_err(|e| bad(e.to_string()))?;
    }
    let Some(text) = manifest else {
        return Err(bad("it has no manifest.json at its root".into()));
    };
    let manifest: Value = serde_json::from_slice(&text)
        .map_err(|e| bad(format!("manifest.json is not valid JSON ({e})")))?;
    if !manifest.is_object() || manifest.get("schemaVersion").is_none() {
        return Err(bad("manifest.json has no `schemaVersion`".into()));
    }
    if !manifest.get("routes").is_some_and(Value::is_array) {
        return Err(bad("manifest.json has no `routes` list".into()));
    }
    Ok(manifest)
}

/// The deploy's query, each optional: `max_concurrent_requests` is checked, `hosts` (a comma
/// list) is what the answer names.
pub fn deploy_options(q: &HashMap<String, String>) -> ApiResult<Option<Vec<String>>> {
    if let Some(n) = q.get("max_concurrent_requests") {
        match n.parse::<i64>() {
            Ok(n) if n >= 1 => {}
            _ => {
                return Err(ApiError::invalid(
                    "max_concurrent_requests",
                    "max_concurrent_requests must be a positive integer",
                ))
            }
        }
    }
    Ok(q.get("hosts").map(|h| {
        h.split(',')
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(str::to_string)
            .collect()
    }))
}

/// Stores a checked package as a new build of `app` and activates it:
/// `{"app_id","build_id","hosts":[...],"uploaded":true}`; a retry with the same
/// Idempotency-Key gets the first answer.
pub fn deploy(
    t: &Tx<'_>,
    app: &App,
    idem: Idem,
    package: &[u8],
    hosts: Option<Vec<String>>,
) -> ApiResult<Stored> {
    let (project_id, app_id) = (&app.project_id, &app.app_id);
    idem.run(t, || {
        let id = ids::new_id("bld");
        let (sha, size, now) = (ids::sha256_hex(package), package.len() as i64, ids::now_rfc3339());
        t.execute(
            "INSERT INTO builds (build_id, app_id, project_id, source_sha256, size_bytes, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, app_id, project_id, sha, size, now],
        )?;
        t.execute(
            "INSERT INTO bundles (build_id, data) VALUES (?1, ?2)",
            params![id, package],
        )?;
        t.execute(
            "UPDATE apps SET active_build_id = ?1 WHERE app_id = ?2",
            [&id, app_id],
        )?;
        let hosts = hosts.unwrap_or_else(|| vec![app.default_hostname.clone()]);
        Ok(Stored::ok(json!({
            "app_id": app_id,
            "build_id": id,
            "hosts": hosts,
            "uploaded": true,
        })))
    })
}

/// `{"builds":[...]}`, whole, oldest first.
pub fn list(t: &Tx<'_>, app_id: &str) -> ApiResult<Value> {
    Ok(json!({ "builds": builds_of(t, app_id)? }))
}

/// **Extension**: makes an earlier build of the app active again; `{"app":{...}}`.
pub fn rollback(t: &Tx<'_>, app: &App, input: RollbackInput) -> ApiResult<Stored> {
    let (project_id, app_id) = (&app.project_id, &app.app_id);
    let known = store::exists(
        t,
        "SELECT 1 FROM builds WHERE app_id = ?1 AND build_id = ?2",
        [app_id, &input.build_id],
    )?;
    if !known {
        return Err(ApiError::not_found(format!(
            "no build {} of app {app_id}",
            input.build_id
        )));
    }
    t.execute(
        "UPDATE apps SET active_build_id = ?1 WHERE app_id = ?2",
        [&input.build_id, app_id],
    )?;
    let app = APPS.get(t, project_id, app_id)?;
    Ok(Stored::ok(json!({ "app": to_json(&app.summary())? })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(entries: &[(&str, &str)]) -> Vec<u8> {
        let mut tar = tar::Builder::new(Vec::new());
        for (path, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            tar.append_data(&mut h, path, data.as_bytes()).unwrap();
        }
        zstd::encode_all(&tar.into_inner().unwrap()[..], 3).unwrap()
    }

    #[test]
    fn packages_need_zstd_tar_and_a_root_manifest() {
        let m = r#"{"schemaVersion":6,"routes":[]}"#;
        assert!(check_package(&package(&[
            ("./manifest.json", m),
            ("./static/index", "hi")
        ]))
        .is_ok());
        assert!(check_package(&package(&[("manifest.json", m)])).is_ok());
        for (p, why) in [
            (package(&[("./static/index", "hi")]), "no manifest.json"),
            (package(&[("./sub/manifest.json", m)]), "no manifest.json"),
            (package(&[("./manifest.json", "{")]), "not valid JSON"),
            (
                package(&[("./manifest.json", r#"{"routes":[]}"#)]),
                "schemaVersion",
            ),
            (
                package(&[("./manifest.json", r#"{"schemaVersion":6}"#)]),
                "routes",
            ),
            (b"\x1f\x8b\x08 gzip".to_vec(), "zstd frame"),
        ] {
            let e = check_package(&p).unwrap_err();
            assert_eq!(e.status.as_u16(), 400);
            assert!(e.message.contains(why), "{why}: {}", e.message);
        }
    }
}
