//! Helpers shared by the comwit-local tests: start a server in-process on 127.0.0.1:0 with a
//! temporary data directory, and a small JSON client.

#![allow(dead_code)]

use std::time::Duration;

use comwit::local::{serve, Config, Server};
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::Value;

pub struct Env {
    pub server: Server,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
    pub token: String,
}

pub fn config(dir: &std::path::Path) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        db_listen: "127.0.0.1:0".parse().unwrap(),
        apps_listen: "127.0.0.1:0".parse().unwrap(),
        storage_listen: "127.0.0.1:0".parse().unwrap(),
        dns_listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.to_path_buf(),
        database_provision_delay: Duration::from_millis(300),
        domain_activation_delay: Duration::ZERO,
        dns_check_interval: Duration::from_millis(100),
        max_json_bytes: 256 * 1024,
        max_bundle_bytes: 1 << 20,
        ..Config::default()
    }
}

pub async fn start() -> Env {
    start_with(|_| {}).await
}

pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path());
    tweak(&mut cfg);
    let server = serve(cfg).await.unwrap();
    let token = server.dev_token().unwrap();
    Env {
        server,
        dir,
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
        token,
    }
}

pub struct Resp {
    pub status: u16,
    pub body: Value,
    pub headers: HeaderMap,
    /// The problem's `code`, lower-cased (comwit-local sends it upper-cased).
    pub code: String,
}

impl Resp {
    pub fn code(&self) -> &str {
        &self.code
    }
    pub fn s(&self, key: &str) -> String {
        self.body[key].as_str().unwrap_or_default().to_string()
    }
}

impl std::fmt::Debug for Resp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.body)
    }
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.url(), path)
    }

    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut rb = self.http.request(method, self.url(path));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let resp = rb.send().await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                panic!(
                    "non-JSON body ({status}): {}",
                    String::from_utf8_lossy(&bytes)
                )
            })
        };
        if status >= 400 {
            // Problem details (RFC 9457) with the platform's machine `code`.
            assert!(
                body["title"].is_string()
                    && body["status"] == status
                    && body["detail"].is_string()
                    && body["code"].is_string(),
                "error without problem details: {status} {body}"
            );
        }
        let code = body["code"].as_str().unwrap_or("").to_lowercase();
        Resp {
            status,
            body,
            headers,
            code,
        }
    }

    pub async fn call_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Resp {
        self.call_with(method, path, Some(token), body, &[]).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.call_as(&self.token, Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.call_as(&self.token, Method::POST, path, Some(body))
            .await
    }
    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.call_as(&self.token, Method::PUT, path, Some(body))
            .await
    }
    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.call_as(&self.token, Method::PATCH, path, Some(body))
            .await
    }
    pub async fn delete(&self, path: &str) -> Resp {
        self.call_as(&self.token, Method::DELETE, path, None).await
    }

    /// Upload a bundle.
    pub async fn deploy(&self, path: &str, bundle: Vec<u8>, content_type: &str) -> Resp {
        let resp = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.token)
            .header("content-type", content_type)
            .body(bundle)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        let code = body["code"].as_str().unwrap_or("").to_lowercase();
        Resp {
            status,
            body,
            headers,
            code,
        }
    }

    /// Create a project as the console does (comwit-local's admin, no API call) with the
    /// `dev` user as member, and return its id.
    pub async fn project(&self, name: &str) -> String {
        self.server
            .admin()
            .create_project(name, &["dev"])
            .expect("create project")
    }
}

/// A deploy package: a zstd-compressed tar with the given entries (name, content).
pub fn package(files: &[(&str, &str)]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (name, content) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(content.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, name, content.as_bytes()).unwrap();
    }
    zstd::encode_all(&tar.into_inner().unwrap()[..], 3).unwrap()
}

/// A tar.gz with the given files (not a package: the platform refuses it).
pub fn bundle(files: &[(&str, &str)]) -> Vec<u8> {
    let enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(enc);
    for (name, content) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(content.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, name, content.as_bytes()).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap()
}

/// A tar.gz bundle with one entry whose raw name is `name` (even one the tar crate would refuse).
pub fn bundle_raw_name(name: &str, content: &str) -> Vec<u8> {
    let enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(enc);
    let mut h = tar::Header::new_old();
    h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    h.set_size(content.len() as u64);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    tar.append(&h, content.as_bytes()).unwrap();
    tar.into_inner().unwrap().finish().unwrap()
}

pub fn sha256_hex(data: &[u8]) -> String {
    comwit::local::ids::sha256_hex(data)
}

/// A database's data plane (Hrana over HTTP) for the tests.
impl Env {
    /// A new database of project `pid` and a token for it: its one-time token for
    /// `full_access`, a minted one (the tokens extension) for `read_only`.
    pub async fn database_with_token(
        &self,
        pid: &str,
        name: &str,
        access: &str,
    ) -> (String, String) {
        let r = self
            .post(
                &format!("/v1/projects/{pid}/databases"),
                serde_json::json!({ "name": name }),
            )
            .await;
        assert_eq!(r.status, 201, "{r:?}");
        let id = r.s("database_id");
        let token = match access {
            "full_access" => r.s("database_token"),
            _ => self.db_token(pid, &id, access).await,
        };
        (id, token)
    }

    /// The path of database `id`'s URL on the database listener: `/v1/<tenant_id>`.
    pub async fn db_path(&self, pid: &str, id: &str) -> String {
        let list = self.get(&format!("/v1/projects/{pid}/databases")).await;
        let url = list.body["databases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["database_id"] == id)
            .and_then(|d| d["database_url"].as_str())
            .unwrap_or_else(|| panic!("database {id} not listed: {list:?}"))
            .to_string();
        url.strip_prefix(&self.server.listeners().db)
            .unwrap_or_else(|| panic!("{url}"))
            .to_string()
    }

    /// A new token of database `id`.
    pub async fn db_token(&self, pid: &str, id: &str, access: &str) -> String {
        let r = self
            .post(
                &format!("/v1/projects/{pid}/databases/{id}/tokens"),
                serde_json::json!({ "access": access }),
            )
            .await;
        assert_eq!(r.status, 201, "{r:?}");
        r.s("token")
    }

    /// `POST <db listener><path>` with `token` (if any); the status and the JSON answer.
    pub async fn hrana(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        let url = format!("{}{path}", self.server.listeners().db);
        let mut rb = self.http.post(url).json(&body);
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        let resp = rb.send().await.unwrap();
        let status = resp.status().as_u16();
        let body = resp.json().await.unwrap_or(Value::Null);
        (status, body)
    }
}
