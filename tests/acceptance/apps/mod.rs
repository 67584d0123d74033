//! Acceptance tests for the apps area: `comwit_app` (with its identity and list resource) and
//! the `comwit_app` / `comwit_app_builds` data sources, with real Terraform against
//! comwit-local.

mod deploy;
mod errors;
mod import;
mod lifecycle;
mod query;
mod quickstart;
mod rollback_action;
mod secrets;
mod serving;

use std::path::Path;

use comwit::api::models::{App, Build, EnvVar};

use crate::support::platform::{Platform, PROVIDER_HEADER};
use crate::support::Workdir;

/// A configuration: the provider block (with the test project as default) and `body`.
pub fn hcl(project_id: &str, body: &str) -> String {
    format!("{PROVIDER_HEADER}\nprovider \"comwit\" {{\n  project_id = \"{project_id}\"\n}}\n\n{body}\n")
}

/// Writes a brrrd build folder under `dir` in the working directory: a `manifest.json`
/// (schema version 6, a static route `/` -> `index`, a runtime route `/api/hello`) and `files` under `static/` (relative
/// path, content); `index.html` is stored as the page `static/index`, as brrrd stores pages.
pub fn write_site(w: &Workdir, dir: &str, files: &[(&str, &str)]) {
    let manifest = r#"{"schemaVersion":6,"staticDir":"static","routes":[{"id":"/","pattern":"^/$","type":"static","runtime":"static","file":"index"},{"id":"/api/hello","pattern":"^/api/hello$","type":"route","runtime":"node"}]}"#;
    let root = w.path().join(dir);
    std::fs::create_dir_all(root.join("static")).unwrap();
    std::fs::write(root.join("manifest.json"), manifest).unwrap();
    for (name, content) in files {
        let name = if *name == "index.html" { "index" } else { name };
        let path = root.join("static").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
}

/// The string attribute `name` of a resource or data source in `terraform show -json`.
pub fn s(values: &serde_json::Value, name: &str) -> String {
    values[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} is not a string in {values}"))
        .to_string()
}

pub fn get_app(p: &Platform, project: &str, app_id: &str) -> App {
    p.block_on(p.api().get_app(project, app_id))
        .expect("app exists")
}

pub fn list_apps(p: &Platform, project: &str) -> Vec<App> {
    p.block_on(p.api().list_apps(project)).expect("list apps")
}

pub fn get_env(p: &Platform, project: &str, app_id: &str) -> Vec<EnvVar> {
    p.block_on(p.api().get_env(project, app_id)).expect("env")
}

/// The variables as `(key, value)`, sorted.
pub fn env_pairs(env: &[EnvVar]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = env
        .iter()
        .map(|v| (v.key.clone(), v.value.clone().unwrap_or_default()))
        .collect();
    pairs.sort();
    pairs
}

pub fn list_builds(p: &Platform, project: &str, app_id: &str) -> Vec<Build> {
    p.block_on(p.api().list_builds(project, app_id))
        .expect("builds")
}

/// The files inside a zip archive (a saved plan), by name, decompressed.
#[allow(dead_code)] // for core/database_token.rs, off in slice-apps until the database slice merges
pub fn unzip_all(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]) as usize;
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap()) as usize;
    // End of central directory: the last "PK\x05\x06".
    let eocd = (0..=bytes.len() - 22)
        .rev()
        .find(|&i| bytes[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])
        .expect("a zip archive");
    let entries = u16_at(eocd + 10);
    let mut at = u32_at(eocd + 16);
    let mut out = Vec::new();
    for _ in 0..entries {
        assert_eq!(bytes[at..at + 4], [0x50, 0x4b, 0x01, 0x02]);
        let method = u16_at(at + 10);
        let compressed = u32_at(at + 20);
        let (name_len, extra_len, comment_len) =
            (u16_at(at + 28), u16_at(at + 30), u16_at(at + 32));
        let name = String::from_utf8_lossy(&bytes[at + 46..at + 46 + name_len]).into_owned();
        let local = u32_at(at + 42);
        let data = local + 30 + u16_at(local + 26) + u16_at(local + 28);
        let raw = &bytes[data..data + compressed];
        let mut content = Vec::new();
        match method {
            0 => content.extend_from_slice(raw),
            8 => {
                flate2::read::DeflateDecoder::new(raw)
                    .read_to_end(&mut content)
                    .expect("inflate a zip entry");
            }
            m => panic!("unexpected zip compression method {m}"),
        }
        out.push((name, content));
        at += 46 + name_len + extra_len + comment_len;
    }
    out
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Terraform wraps diagnostic text to the terminal width: compare with whitespace runs
/// collapsed to single spaces.
pub fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
