//! Conformance of comwit-local with the public Comwit Cloud contract, written from the official
//! CLI's behaviour (`burrr-ai/comwit-cli`, `cmd/comwit/main.go`, `main_test.go`, `seed_test.go`)
//! and `/work/shared/comwit-cloud-api.md`, not from our client: every test sends exactly the
//! method, path, headers and body a CLI command sends (`Authorization: Bearer`, `Content-Type`
//! only with a body, `Idempotency-Key` where the CLI sets one) with raw `reqwest`, and checks the
//! answer has the status, envelope and fields the CLI's response types parse, as
//! `serde_json::Value`. src/api's types are never used here.
//!
//! One `#[test]` per CLI command, so a failure names the command. Also: the unauthenticated
//! routes, problem details on 401/403/404, the ROUTES table against docs/api/openapi.json, and
//! `--no-extensions` (every extension route answers 404 problem details).

use std::future::Future;
use std::time::{Duration, Instant};

use comwit::local::contract::{self, Source, ROUTES};
use comwit::local::{serve, Config, Server};
use reqwest::Method;
use serde_json::{json, Value};

/// The contract file comwit-local serves at `GET /openapi.json`.
const OPENAPI_JSON: &str = include_str!("../docs/api/openapi.json");

// ---------- the harness ----------

/// A comwit-local in this process, the dev user's token and one project the dev user is a
/// member of (made with the admin interface: projects are made in the console).
struct Cli {
    server: Server,
    _dir: tempfile::TempDir,
    http: reqwest::Client,
    base: String,
    token: String,
    project: String,
}

/// A request body as the CLI sends it.
enum Body {
    None,
    /// `postJSON` / `putJSON`: `Content-Type: application/json`.
    Json(Value),
    /// `postRaw`: the deploy package, `Content-Type: application/octet-stream`.
    Raw(Vec<u8>),
}

/// An answer: status, content type and the body as JSON (Null when empty or not JSON).
#[derive(Debug)]
struct Answer {
    status: u16,
    content_type: String,
    json: Value,
    text: String,
}

fn config(dir: &std::path::Path, extensions: bool) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        db_listen: "127.0.0.1:0".parse().unwrap(),
        apps_listen: "127.0.0.1:0".parse().unwrap(),
        storage_listen: "127.0.0.1:0".parse().unwrap(),
        dns_listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.to_path_buf(),
        database_provision_delay: Duration::from_millis(200),
        domain_activation_delay: Duration::from_millis(200),
        dns_check_interval: Duration::from_millis(100),
        extensions,
        ..Config::default()
    }
}

/// Run `body` against a fresh comwit-local (extensions on).
fn run<F, Fut>(body: F)
where
    F: FnOnce(Cli) -> Fut,
    Fut: Future<Output = ()>,
{
    run_with(true, body)
}

fn run_with<F, Fut>(extensions: bool, body: F)
where
    F: FnOnce(Cli) -> Fut,
    Fut: Future<Output = ()>,
{
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let server = serve(config(dir.path(), extensions))
            .await
            .expect("start comwit-local");
        let token = server.dev_token().expect("dev token");
        let project = server
            .admin()
            .create_project("conformance", &["dev"])
            .expect("create project");
        let cli = Cli {
            base: server.url(),
            server,
            _dir: dir,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            token,
            project,
        };
        body(cli).await;
    });
}

/// A fresh Idempotency-Key shaped like the CLI's (a UUID v4).
fn uuid_v4() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut bytes = [0u8; 16];
    for chunk in bytes.chunks_mut(8) {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos(),
        );
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let h = hex::encode(bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Go's `url.PathEscape` for the segments used here (IDs, names, hostnames).
fn esc(segment: &str) -> String {
    let mut out = String::new();
    for b in segment.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

impl Cli {
    fn p(&self) -> String {
        format!("/v1/projects/{}", esc(&self.project))
    }

    /// `client.do`: the bearer token, `Content-Type` only with a body.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Body,
        token: Option<&str>,
        idempotency_key: Option<&str>,
    ) -> Answer {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        if let Some(k) = idempotency_key {
            req = req.header("Idempotency-Key", k);
        }
        req = match body {
            Body::None => req,
            Body::Json(v) => req
                .header("Content-Type", "application/json")
                .body(serde_json::to_vec(&v).unwrap()),
            Body::Raw(bytes) => req
                .header("Content-Type", "application/octet-stream")
                .body(bytes),
        };
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = resp.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            content_type,
            json,
            text,
        }
    }

    async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, Body::None, Some(&self.token), None)
            .await
    }
    async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(
            Method::POST,
            path,
            Body::Json(body),
            Some(&self.token),
            None,
        )
        .await
    }
    async fn put(&self, path: &str, body: Value) -> Answer {
        self.send(Method::PUT, path, Body::Json(body), Some(&self.token), None)
            .await
    }
    async fn delete(&self, path: &str) -> Answer {
        self.send(Method::DELETE, path, Body::None, Some(&self.token), None)
            .await
    }

    /// `databases create --name NAME` (0.1.6: `{"name"}`, no Idempotency-Key).
    async fn create_database(&self, name: &str) -> Value {
        let a = self
            .post(&format!("{}/databases", self.p()), json!({ "name": name }))
            .await;
        ok(&a, "databases create");
        a.json
    }

    /// The database as `databases list` shows it, once it is no longer `creating`.
    async fn database_when_provisioned(&self, database_id: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let a = self.get(&format!("{}/databases", self.p())).await;
            ok(&a, "databases list");
            let found = arr(&a.json, "databases")
                .iter()
                .find(|d| d["database_id"] == database_id)
                .cloned()
                .unwrap_or_else(|| panic!("database {database_id} not listed: {}", a.text));
            if found["status"] != "creating" || Instant::now() > deadline {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `apps create --name NAME` -> the app's ID.
    async fn create_app(&self, name: &str) -> String {
        let a = self
            .post(&format!("{}/apps", self.p()), json!({ "name": name }))
            .await;
        ok(&a, "apps create");
        s(&a.json["app"], "app_id").to_string()
    }

    /// `domains add --domain NAME`.
    async fn add_domain(&self, name: &str) -> Value {
        let a = self
            .post(
                &format!("{}/domains", self.p()),
                json!({ "domain": name, "dns_mode": "route53_delegated" }),
            )
            .await;
        ok(&a, "domains add");
        a.json
    }
}

// ---------- what the CLI's response types parse ----------

fn ok(a: &Answer, what: &str) {
    assert!(
        (200..300).contains(&a.status),
        "{what}: expected 2xx, got {} {}",
        a.status,
        a.text
    );
    assert!(
        a.content_type.starts_with("application/json"),
        "{what}: content type {:?}",
        a.content_type
    );
}

/// A string member (Go: `string` field, present).
fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("`{key}` is not a string in {v}"))
}

fn b(v: &Value, key: &str) -> bool {
    v.get(key)
        .and_then(Value::as_bool)
        .unwrap_or_else(|| panic!("`{key}` is not a boolean in {v}"))
}

fn int(v: &Value, key: &str) -> i64 {
    v.get(key)
        .and_then(Value::as_i64)
        .unwrap_or_else(|| panic!("`{key}` is not an integer in {v}"))
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v.get(key)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("`{key}` is not an array in {v}"))
}

/// Go `*string`: absent, null or a string.
fn opt_str(v: &Value, key: &str) {
    match v.get(key) {
        None | Some(Value::Null) | Some(Value::String(_)) => {}
        Some(other) => panic!("`{key}` is neither null nor a string: {other}"),
    }
}

/// Problem details with `status` (`{title, status, detail}` documented, `code` from the CLI).
fn problem(a: &Answer, status: u16, what: &str) {
    assert_eq!(a.status, status, "{what}: {}", a.text);
    assert!(
        a.content_type.starts_with("application/problem+json"),
        "{what}: content type {:?} ({})",
        a.content_type,
        a.text
    );
    s(&a.json, "title");
    assert_eq!(int(&a.json, "status"), status as i64, "{what}: {}", a.text);
    s(&a.json, "detail");
    let code = s(&a.json, "code");
    assert!(!code.is_empty(), "{what}: empty code");
    assert!(
        a.json.get("error").is_none(),
        "{what}: an `error` envelope: {}",
        a.text
    );
}

/// `databaseListItem`.
fn database_list_item(d: &Value) {
    s(d, "database_id");
    s(d, "name");
    s(d, "database_url");
    s(d, "status");
}

/// `appView`: `active_build_id` is a `*string`.
fn app_view(v: &Value) {
    s(v, "app_id");
    s(v, "name");
    assert!(
        v.get("active_build_id").is_some(),
        "`active_build_id` missing (null when no build): {v}"
    );
    opt_str(v, "active_build_id");
}

/// `domainView`.
fn domain_view(d: &Value) {
    for k in [
        "id",
        "project_id",
        "domain",
        "dns_mode",
        "status",
        "hosted_zone_id",
    ] {
        s(d, k);
    }
    arr(d, "nameservers");
    let delegation = &d["delegation"];
    assert!(delegation.is_object(), "`delegation` missing: {d}");
    b(delegation, "matched");
    if let Some(o) = delegation.get("observed_nameservers") {
        assert!(o.is_array() || o.is_null(), "observed_nameservers: {o}");
    }
    s(d, "created_at");
    s(d, "updated_at");
}

/// `dnsRecordView`.
fn record_view(r: &Value) {
    for k in ["id", "project_domain_id", "name", "type", "owner", "status"] {
        s(r, k);
    }
    int(r, "ttl");
    for v in arr(r, "values") {
        assert!(v.is_string(), "record value {v}");
    }
    assert!(
        ["user", "platform_app"].contains(&s(r, "owner")),
        "owner: {r}"
    );
    for k in [
        "owner_resource_type",
        "owner_resource_id",
        "route53_change_id",
        "last_error",
        "created_at",
        "updated_at",
    ] {
        opt_str(r, k);
    }
}

/// `appDomainView`.
fn app_domain_view(d: &Value) {
    s(d, "domain");
    s(d, "app_id");
    s(d, "status");
}

/// `appDeleteResponse`.
fn app_delete_view(v: &Value) {
    s(v, "app_id");
    b(v, "complete");
    b(v, "pointer_deleted");
    for k in [
        "cloudfront_tenants_deleted",
        "secrets_deleted",
        "artifacts_deleted",
        "artifacts_present",
        "env_keys_deleted",
        "domains_deleted",
    ] {
        int(v, k);
    }
    b(v, "catalog_deleted");
    for e in arr(v, "errors") {
        assert!(e.is_string(), "errors: {v}");
    }
}

// ---------- the unauthenticated routes ----------

#[test]
fn healthz_without_a_token() {
    run(|cli| async move {
        let a = cli
            .send(Method::GET, "/healthz", Body::None, None, None)
            .await;
        assert_eq!(a.status, 200, "{}", a.text);
    });
}

#[test]
fn readyz_without_a_token() {
    run(|cli| async move {
        let a = cli
            .send(Method::GET, "/readyz", Body::None, None, None)
            .await;
        assert_eq!(a.status, 200, "{}", a.text);
    });
}

#[test]
fn openapi_json_without_a_token_is_the_contract() {
    run(|cli| async move {
        let a = cli
            .send(Method::GET, "/openapi.json", Body::None, None, None)
            .await;
        ok(&a, "GET /openapi.json");
        let file: Value = serde_json::from_str(OPENAPI_JSON).unwrap();
        assert_eq!(a.json, file, "comwit-local serves another document");
        assert_eq!(s(&a.json, "openapi"), "3.1.0");
    });
}

// ---------- the contract document and the ROUTES table ----------

/// Every operation of docs/api/openapi.json as `(METHOD, normalized path, source)`.
fn openapi_operations() -> Vec<(String, String, String)> {
    let doc: Value = serde_json::from_str(OPENAPI_JSON).unwrap();
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            let source = op["x-comwit-source"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path}: no x-comwit-source"))
                .to_string();
            ops.push((method.to_uppercase(), contract::normalize(path), source));
        }
    }
    ops
}

#[test]
fn every_operation_says_where_it_is_known_from() {
    for (m, p, source) in openapi_operations() {
        assert!(
            ["documented", "official-cli", "extension"].contains(&source.as_str()),
            "{m} {p}: x-comwit-source {source}"
        );
    }
}

#[test]
fn every_operation_answers_problem_details_on_errors() {
    let doc: Value = serde_json::from_str(OPENAPI_JSON).unwrap();
    let problem = &doc["components"]["responses"]["Problem"]["content"]["application/problem+json"];
    assert!(problem.is_object(), "no Problem response");
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(responses) = op.get("responses").and_then(Value::as_object) else {
                continue;
            };
            for (status, r) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    assert_eq!(
                        r["$ref"], "#/components/responses/Problem",
                        "{method} {path} {status}: not problem details"
                    );
                }
            }
        }
    }
}

/// The operations of the document that comwit-local does not serve yet, marked
/// `x-comwit-local: not-served` (normalized as in [`openapi_operations`]).
fn not_served_operations() -> Vec<(String, String)> {
    let doc: Value = serde_json::from_str(OPENAPI_JSON).unwrap();
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            match op.get("x-comwit-local") {
                None => {}
                Some(v) if v == "not-served" => {
                    ops.push((method.to_uppercase(), contract::normalize(path)))
                }
                Some(v) => panic!("{method} {path}: x-comwit-local {v} (only `not-served`)"),
            }
        }
    }
    ops
}

#[test]
fn routes_table_and_contract_document_agree() {
    let ops = openapi_operations();
    let not_served = not_served_operations();
    let mut problems = Vec::new();
    for (m, t, source) in ROUTES {
        if *source == Source::Local {
            continue;
        }
        match ops.iter().find(|(om, op, _)| om == m && op == t) {
            None => problems.push(format!(
                "ROUTES has {m} {t} ({}), the document does not",
                source.as_str()
            )),
            Some((_, _, s)) if s != source.as_str() => problems.push(format!(
                "{m} {t}: ROUTES says {}, the document {s}",
                source.as_str()
            )),
            Some(_) => {}
        }
        if not_served.iter().any(|(nm, nt)| nm == m && nt == t) {
            problems.push(format!(
                "{m} {t} is served (in ROUTES) but the document marks it x-comwit-local: not-served"
            ));
        }
    }
    for (m, t, s) in &ops {
        let listed = ROUTES.iter().any(|(rm, rt, _)| rm == m && rt == t);
        let marked = not_served.iter().any(|(nm, nt)| nm == m && nt == t);
        if !listed && !marked {
            problems.push(format!(
                "the document has {m} {t} ({s}), ROUTES does not (serve it, or mark it \
                 x-comwit-local: not-served)"
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn operations_marked_not_served_answer_404_problem() {
    // The marker tells the truth: comwit-local has no handler for these, so they answer as
    // any unknown route does (and a handler added later must drop the marker, see above).
    run(|cli| async move {
        let not_served = not_served_operations();
        assert!(!not_served.is_empty());
        for (m, t) in not_served {
            let path = t
                .replace("{}", "x-1")
                .replacen("x-1", &esc(&cli.project), 1);
            let method = Method::from_bytes(m.as_bytes()).unwrap();
            let body = if matches!(m.as_str(), "POST" | "PATCH" | "PUT") {
                Body::Json(json!({}))
            } else {
                Body::None
            };
            let a = cli.send(method, &path, body, Some(&cli.token), None).await;
            problem(&a, 404, &format!("{m} {path} (not served)"));
        }
    });
}

// ---------- auth and errors ----------

#[test]
fn no_token_is_401_problem() {
    run(|cli| async move {
        let a = cli
            .send(Method::GET, "/v1/projects", Body::None, None, None)
            .await;
        problem(&a, 401, "GET /v1/projects without a token");
        let path = format!("{}/databases", cli.p());
        let a = cli
            .send(Method::GET, &path, Body::None, Some("cwt_0000"), None)
            .await;
        problem(&a, 401, "an unknown token");
    });
}

#[test]
fn out_of_scope_is_403_problem() {
    run(|cli| async move {
        let narrow = cli
            .server
            .admin()
            .create_token("dev", &["app:read"], "narrow")
            .unwrap()
            .secret;
        let path = format!("{}/databases", cli.p());
        let a = cli
            .send(
                Method::POST,
                &path,
                Body::Json(json!({ "name": "nope" })),
                Some(&narrow),
                None,
            )
            .await;
        problem(&a, 403, "databases create with app:read only");
        let a = cli
            .send(Method::GET, &path, Body::None, Some(&narrow), None)
            .await;
        problem(&a, 403, "databases list with app:read only");
    });
}

#[test]
fn non_member_project_is_403_problem() {
    run(|cli| async move {
        let admin = cli.server.admin();
        admin.create_user("other").unwrap();
        let theirs = admin.create_project("theirs", &["other"]).unwrap();
        let a = cli
            .get(&format!("/v1/projects/{}/apps", esc(&theirs)))
            .await;
        problem(&a, 403, "apps list in a project of another user");
    });
}

#[test]
fn unknown_objects_are_404_problem() {
    run(|cli| async move {
        let a = cli
            .get(&format!("{}/apps/app-does-not-exist", cli.p()))
            .await;
        problem(&a, 404, "apps get of an unknown app");
        let a = cli
            .delete(&format!("{}/databases/db-does-not-exist", cli.p()))
            .await;
        problem(&a, 404, "databases delete of an unknown database");
        let a = cli
            .get(&format!("{}/domains/unknown.example/records", cli.p()))
            .await;
        problem(&a, 404, "domains records list of an unknown domain");
        let a = cli.get("/v1/no-such-route").await;
        problem(&a, 404, "an unknown route");
    });
}

// ---------- projects ----------

#[test]
fn projects_list() {
    run(|cli| async move {
        let a = cli.get("/v1/projects").await;
        ok(&a, "projects list");
        let projects = arr(&a.json, "projects");
        for p in projects {
            s(p, "project_id");
            s(p, "name");
        }
        assert!(
            projects
                .iter()
                .any(|p| p["project_id"] == cli.project.as_str() && p["name"] == "conformance"),
            "the member's project is not listed: {}",
            a.text
        );
    });
}

// ---------- databases ----------

#[test]
fn databases_create() {
    run(|cli| async move {
        let v = cli.create_database("orders").await;
        assert!(!s(&v, "database_id").is_empty());
        let url = s(&v, "database_url");
        assert!(
            url.starts_with("http") && url.contains("/v1/"),
            "database_url is not like https://db.cloud.comwit.io/v1/<tenant_id>: {url}"
        );
        assert!(b(&v, "created"), "created: {v}");
        opt_str(&v, "database_token");
        assert!(
            !s(&v, "database_token").is_empty(),
            "the one-time token is missing: {v}"
        );
    });
}

#[test]
fn databases_create_with_idempotency_key_replays() {
    // Newer CLIs: `"authentication":"comwit"` and a UUID Idempotency-Key; a retry sends the same.
    run(|cli| async move {
        let key = uuid_v4();
        let path = format!("{}/databases", cli.p());
        let body = json!({ "name": "keyed", "authentication": "comwit" });
        let first = cli
            .send(
                Method::POST,
                &path,
                Body::Json(body.clone()),
                Some(&cli.token),
                Some(&key),
            )
            .await;
        ok(&first, "databases create (keyed)");
        assert!(b(&first.json, "created"));
        let again = cli
            .send(
                Method::POST,
                &path,
                Body::Json(body),
                Some(&cli.token),
                Some(&key),
            )
            .await;
        ok(&again, "databases create (replay)");
        assert_eq!(s(&again.json, "database_id"), s(&first.json, "database_id"));
        assert!(
            !b(&again.json, "created"),
            "a replay did not provision: created must be false: {}",
            again.text
        );
        assert!(
            again.json.get("database_token").is_none_or(Value::is_null),
            "the one-time token is shown again on a replay: {}",
            again.text
        );
        let listed = cli.get(&path).await;
        let named = arr(&listed.json, "databases")
            .iter()
            .filter(|d| d["name"] == "keyed")
            .count();
        assert_eq!(named, 1, "a replay made another database: {}", listed.text);
    });
}

#[test]
fn databases_list() {
    run(|cli| async move {
        let a = cli.get(&format!("{}/databases", cli.p())).await;
        ok(&a, "databases list (none)");
        assert!(arr(&a.json, "databases").is_empty(), "{}", a.text);
        let id = s(&cli.create_database("listed").await, "database_id").to_string();
        let a = cli.get(&format!("{}/databases", cli.p())).await;
        ok(&a, "databases list");
        let dbs = arr(&a.json, "databases");
        dbs.iter().for_each(database_list_item);
        let d = dbs
            .iter()
            .find(|d| d["database_id"] == id.as_str())
            .unwrap();
        assert_eq!(d["name"], "listed");
        assert!(
            ["creating", "cold"].contains(&s(d, "status")),
            "a new database is `creating`, then `cold`: {d}"
        );
        let d = cli.database_when_provisioned(&id).await;
        assert_eq!(s(&d, "status"), "cold", "{d}");
    });
}

#[test]
fn databases_delete() {
    run(|cli| async move {
        let id = s(&cli.create_database("doomed").await, "database_id").to_string();
        cli.database_when_provisioned(&id).await;
        let a = cli
            .delete(&format!("{}/databases/{}", cli.p(), esc(&id)))
            .await;
        ok(&a, "databases delete");
        assert!(b(&a.json, "ok"), "{}", a.text);
        let d = &a.json["database"];
        assert_eq!(s(d, "database_id"), id);
        s(d, "database_url");
        assert_eq!(s(d, "status"), "deleted");
        let listed = cli.get(&format!("{}/databases", cli.p())).await;
        for d in arr(&listed.json, "databases") {
            if d["database_id"] == id.as_str() {
                assert_eq!(d["status"], "deleted", "a deleted database listed as {d}");
            }
        }
    });
}

/// `POST {database_url}/v3/pipeline` with `token`: the status (the CLI's data plane).
async fn pipeline_status(cli: &Cli, database_url: &str, token: &str) -> u16 {
    let body = json!({
        "baton": null,
        "requests": [
            { "type": "execute", "stmt": { "sql": "SELECT 1" } },
            { "type": "close" }
        ]
    });
    cli.http
        .post(format!(
            "{}/v3/pipeline",
            database_url.trim_end_matches('/')
        ))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("pipeline")
        .status()
        .as_u16()
}

#[test]
fn databases_token_rotate() {
    run(|cli| async move {
        let created = cli.create_database("rotated").await;
        let id = s(&created, "database_id").to_string();
        let url = s(&created, "database_url").to_string();
        let old = s(&created, "database_token").to_string();
        cli.database_when_provisioned(&id).await;
        assert_eq!(
            pipeline_status(&cli, &url, &old).await,
            200,
            "create's token"
        );
        let a = cli
            .post(
                &format!("{}/databases/{}/token/rotate", cli.p(), esc(&id)),
                json!({}),
            )
            .await;
        ok(&a, "databases token rotate");
        assert_eq!(s(&a.json, "database_id"), id);
        s(&a.json, "database_url");
        s(&a.json, "status");
        let new = s(&a.json, "database_token").to_string();
        assert_ne!(new, old, "rotate answered the same token");
        assert_eq!(
            pipeline_status(&cli, &url, &new).await,
            200,
            "the new token"
        );
        assert_eq!(
            pipeline_status(&cli, &url, &old).await,
            401,
            "the old token must stop working"
        );
    });
}

#[test]
fn databases_execute() {
    // `databases execute --command SQL` posts `{"sql"}`; `--file` posts `{"batch":[{"sql"}]}`.
    run(|cli| async move {
        let id = s(&cli.create_database("sql").await, "database_id").to_string();
        cli.database_when_provisioned(&id).await;
        let path = format!("{}/databases/{}/query", cli.p(), esc(&id));
        let a = cli.post(&path, json!({ "sql": "SELECT 1 AS one" })).await;
        ok(&a, "databases execute --command");
        let results = arr(&a.json, "results");
        assert_eq!(results.len(), 1, "{}", a.text);
        let r = &results[0];
        assert_eq!(int(r, "statement"), 1, "statements are 1-based: {r}");
        assert!(b(r, "success"));
        let cols = arr(r, "columns");
        assert_eq!(s(&cols[0], "name"), "one");
        let rows = arr(r, "rows");
        assert_eq!(rows[0][0]["type"], "integer", "{r}");
        assert_eq!(rows[0][0]["value"], "1", "integer values are strings: {r}");
        for k in ["affected_row_count", "rows_read", "rows_written"] {
            int(r, k);
        }
        assert!(r["query_duration_ms"].is_number(), "{r}");

        let a = cli
            .post(
                &path,
                json!({ "batch": [
                    { "sql": "CREATE TABLE t (x TEXT)" },
                    { "sql": "INSERT INTO t VALUES ('a')" },
                    { "sql": "SELECT * FROM no_such_table" }
                ]}),
            )
            .await;
        ok(&a, "databases execute --file (a failed statement is a 200)");
        let results = arr(&a.json, "results");
        assert_eq!(results.len(), 3, "{}", a.text);
        assert!(b(&results[1], "success"));
        assert_eq!(s(&results[1], "last_insert_rowid"), "1");
        assert!(!b(&results[2], "success"), "{}", a.text);
        let e = &results[2]["error"];
        s(e, "message");
        s(e, "code");
    });
}

/// Now in milliseconds since the epoch.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// `restorePoint` / `alias` members, as `databases restore-points list` and `aliases list` read.
fn restore_points_view(v: &Value) {
    for p in arr(v, "restore_points") {
        s(p, "generation_id");
        int(p, "created_at_ms");
        if let Some(x) = p.get("precise_until_ms") {
            assert!(x.is_null() || x.is_i64(), "precise_until_ms: {p}");
        }
    }
    for a in arr(v, "aliases") {
        s(a, "alias");
        s(a, "target_kind");
        // The CLI reads it into a string, also for a time.
        s(a, "target_value");
        int(a, "created_at_ms");
    }
}

#[test]
fn databases_restore_points_list() {
    run(|cli| async move {
        let id = s(&cli.create_database("history").await, "database_id").to_string();
        cli.database_when_provisioned(&id).await;
        let a = cli
            .get(&format!(
                "{}/databases/{}/restore-points",
                cli.p(),
                esc(&id)
            ))
            .await;
        ok(&a, "databases restore-points list");
        restore_points_view(&a.json);
    });
}

#[test]
fn databases_aliases_set_list_delete() {
    run(|cli| async move {
        let id = s(&cli.create_database("aliased").await, "database_id").to_string();
        cli.database_when_provisioned(&id).await;
        let path = format!(
            "{}/databases/{}/aliases/before-migration",
            cli.p(),
            esc(&id)
        );
        let a = cli
            .post(&path, json!({ "restore_to": { "timestamp_ms": now_ms() } }))
            .await;
        ok(&a, "databases aliases set");
        assert_eq!(s(&a.json, "database_id"), id);
        assert_eq!(s(&a.json, "alias"), "before-migration");
        let listed = cli
            .get(&format!(
                "{}/databases/{}/restore-points",
                cli.p(),
                esc(&id)
            ))
            .await;
        ok(&listed, "databases aliases list");
        restore_points_view(&listed.json);
        assert!(
            arr(&listed.json, "aliases")
                .iter()
                .any(|x| x["alias"] == "before-migration"),
            "{}",
            listed.text
        );
        let a = cli.delete(&path).await;
        ok(&a, "databases aliases delete");
        assert_eq!(s(&a.json, "alias"), "before-migration");
    });
}

/// An operation as `databases restore status` reads it.
fn operation_view(o: &Value) {
    s(o, "operation_id");
    s(o, "type");
    s(o, "status");
    opt_str(o, "resolved_restore_point");
    int(o, "created_at_ms");
    int(o, "updated_at_ms");
}

#[test]
fn databases_restore_and_status() {
    // `databases restore --at TS [--name N]`, then `databases restore status --operation OP`.
    run(|cli| async move {
        let id = s(&cli.create_database("source").await, "database_id").to_string();
        cli.database_when_provisioned(&id).await;
        let a = cli
            .post(
                &format!("{}/databases/{}/restore", cli.p(), esc(&id)),
                json!({ "restore_to": { "timestamp_ms": now_ms() }, "name": "restored" }),
            )
            .await;
        assert_eq!(a.status, 202, "databases restore: {}", a.text);
        operation_view(&a.json["operation"]);
        let db = &a.json["database"];
        let new_id = s(db, "database_id").to_string();
        assert_ne!(new_id, id, "a restore makes a new database");
        s(db, "name");
        s(db, "database_url");
        assert_eq!(s(db, "status"), "creating", "{}", a.text);
        opt_str(&a.json, "database_token");
        let op = s(&a.json["operation"], "operation_id").to_string();
        // The CLI reads the operation under the source database.
        let path = format!("{}/databases/{}/operations/{}", cli.p(), esc(&id), esc(&op));
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let a = cli.get(&path).await;
            ok(&a, "databases restore status");
            let o = &a.json["operation"];
            operation_view(o);
            assert_eq!(s(o, "type"), "database_restore");
            let status = s(o, "status");
            assert!(
                ["pending", "succeeded", "failed"].contains(&status),
                "restore operations are pending, then succeeded or failed: {o}"
            );
            if status != "pending" {
                assert_eq!(status, "succeeded", "{o}");
                break;
            }
            assert!(Instant::now() < deadline, "the restore never finished");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
}

// ---------- apps ----------

#[test]
fn apps_list() {
    run(|cli| async move {
        let a = cli.get(&format!("{}/apps", cli.p())).await;
        ok(&a, "apps list (none)");
        assert_eq!(a.json, json!({ "apps": [] }), "200 with [] for none");
        let id = cli.create_app("web").await;
        let a = cli.get(&format!("{}/apps", cli.p())).await;
        ok(&a, "apps list");
        let apps = arr(&a.json, "apps");
        apps.iter().for_each(app_view);
        assert!(apps.iter().any(|x| x["app_id"] == id.as_str()));
    });
}

#[test]
fn apps_create() {
    run(|cli| async move {
        let a = cli
            .post(&format!("{}/apps", cli.p()), json!({ "name": "web" }))
            .await;
        ok(&a, "apps create");
        let app = &a.json["app"];
        app_view(app);
        assert_eq!(s(app, "name"), "web");
        assert!(app["active_build_id"].is_null(), "{app}");
    });
}

#[test]
fn apps_get() {
    run(|cli| async move {
        let id = cli.create_app("web").await;
        let a = cli.get(&format!("{}/apps/{}", cli.p(), esc(&id))).await;
        ok(&a, "apps get");
        // Enveloped like create's answer, or flat: the public material shows both readings.
        let app = if a.json.get("app").is_some() {
            &a.json["app"]
        } else {
            &a.json
        };
        app_view(app);
        assert_eq!(s(app, "app_id"), id);
        arr(app, "builds");
    });
}

#[test]
fn apps_builds() {
    run(|cli| async move {
        let id = cli.create_app("web").await;
        let a = cli
            .get(&format!("{}/apps/{}/builds", cli.p(), esc(&id)))
            .await;
        ok(&a, "apps builds");
        assert!(arr(&a.json, "builds").is_empty(), "{}", a.text);
    });
}

#[test]
fn apps_env_set() {
    run(|cli| async move {
        let id = cli.create_app("web").await;
        let a = cli
            .put(
                &format!("{}/apps/{}/environment/GREETING", cli.p(), esc(&id)),
                json!({ "value": "hello", "secret": false }),
            )
            .await;
        ok(&a, "apps env set");
        assert_eq!(s(&a.json, "key"), "GREETING");
        assert!(!b(&a.json, "secret"));
        assert!(
            a.json.get("value").is_none(),
            "the answer repeats the value: {}",
            a.text
        );
        // Set again: create or update.
        let a = cli
            .put(
                &format!("{}/apps/{}/environment/GREETING", cli.p(), esc(&id)),
                json!({ "value": "hi", "secret": false }),
            )
            .await;
        ok(&a, "apps env set (update)");
    });
}

#[test]
fn apps_env_set_secret_is_refused() {
    run(|cli| async move {
        let id = cli.create_app("web").await;
        let a = cli
            .put(
                &format!("{}/apps/{}/environment/TOKEN", cli.p(), esc(&id)),
                json!({ "value": "s3cr3t", "secret": true }),
            )
            .await;
        problem(&a, 400, "apps env set with secret: true");
        assert!(
            s(&a.json, "detail").contains("secret app env values are not enabled"),
            "{}",
            a.text
        );
        assert!(!a.text.contains("s3cr3t"), "the value is echoed");
    });
}

#[test]
fn apps_env_list() {
    run(|cli| async move {
        let id = cli.create_app("web").await;
        let env = format!("{}/apps/{}/environment", cli.p(), esc(&id));
        let a = cli.get(&env).await;
        ok(&a, "apps env list (none)");
        assert!(arr(&a.json, "variables").is_empty(), "{}", a.text);
        cli.put(
            &format!("{env}/A_KEY"),
            json!({ "value": "one", "secret": false }),
        )
        .await;
        let a = cli.get(&env).await;
        ok(&a, "apps env list");
        let vars = arr(&a.json, "variables");
        assert_eq!(vars.len(), 1, "{}", a.text);
        assert_eq!(s(&vars[0], "key"), "A_KEY");
        assert_eq!(s(&vars[0], "value"), "one");
        assert!(!b(&vars[0], "secret"));
    });
}

#[test]
fn apps_env_unset() {
    run(|cli| async move {
        let id = cli.create_app("web").await;
        let env = format!("{}/apps/{}/environment", cli.p(), esc(&id));
        cli.put(
            &format!("{env}/GONE"),
            json!({ "value": "x", "secret": false }),
        )
        .await;
        let a = cli.delete(&format!("{env}/GONE")).await;
        assert!(
            (200..300).contains(&a.status),
            "apps env unset: {} {}",
            a.status,
            a.text
        );
        let a = cli.get(&env).await;
        assert!(arr(&a.json, "variables").is_empty(), "{}", a.text);
    });
}

#[test]
fn apps_delete_wait() {
    // `apps delete --wait`: the same DELETE until `complete` (the CLI: every 2 s, 30 times).
    run(|cli| async move {
        let id = cli.create_app("web").await;
        let path = format!("{}/apps/{}", cli.p(), esc(&id));
        let first = cli.delete(&path).await;
        ok(&first, "apps delete");
        app_delete_view(&first.json);
        assert_eq!(s(&first.json, "app_id"), id);
        assert!(
            !b(&first.json, "complete"),
            "an app DELETE first answers complete: false: {}",
            first.text
        );
        let mut done = false;
        for _ in 0..30 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let a = cli.delete(&path).await;
            ok(&a, "apps delete (again)");
            app_delete_view(&a.json);
            if b(&a.json, "complete") {
                done = true;
                break;
            }
        }
        assert!(done, "the delete never completed");
        let a = cli.get(&path).await;
        problem(&a, 404, "apps get after a complete delete");
    });
}

/// A brrrd build folder packed like `tar --zstd -cf app.tar.zst -C dist/brrrd .`: entries
/// `./manifest.json` and `./static/index`, one static route.
fn brrrd_package() -> Vec<u8> {
    let manifest = json!({
        "schemaVersion": 6,
        "build": { "buildId": "conformance-1" },
        "routes": [
            { "id": "index", "pattern": "^/$", "type": "static", "runtime": "static", "file": "index" }
        ],
        "staticDir": "static",
        "runtimeDir": "runtime",
        "routing": {},
        "artifacts": [],
        "compatibility": {}
    });
    let mut builder = tar::Builder::new(Vec::new());
    let mut add = |name: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        builder.append_data(&mut h, name, data).unwrap();
    };
    add("./manifest.json", manifest.to_string().as_bytes());
    add(
        "./static/index",
        b"<!doctype html><title>conformance</title>hello",
    );
    let tarball = builder.into_inner().unwrap();
    // zstd: the apps slice adds the `zstd` crate; until then the system `zstd` (which the CLI's
    // own `tar --zstd` needs too) compresses. With the crate: `zstd::encode_all(&tarball[..], 3)`.
    let mut child = std::process::Command::new("zstd")
        .args(["-q", "-c"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the zstd command (needed to pack a brrrd package)");
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&tarball).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "zstd failed");
    out.stdout
}

#[test]
fn deploy_zstd_brrrd_package() {
    run(|cli| async move {
        let id = cli.create_app("web").await;
        let path = format!("{}/apps/{}/deployments", cli.p(), esc(&id));
        let a = cli
            .send(
                Method::POST,
                &path,
                Body::Raw(brrrd_package()),
                Some(&cli.token),
                None,
            )
            .await;
        ok(&a, "deploy");
        assert_eq!(s(&a.json, "app_id"), id);
        let build = s(&a.json, "build_id").to_string();
        for h in arr(&a.json, "hosts") {
            assert!(h.is_string());
        }
        assert!(b(&a.json, "uploaded"), "{}", a.text);
        // The deploy uploads and activates the build.
        let app = cli.get(&format!("{}/apps/{}", cli.p(), esc(&id))).await;
        let app = app.json.get("app").cloned().unwrap_or(app.json);
        assert_eq!(s(&app, "active_build_id"), build, "{app}");
        let builds = cli
            .get(&format!("{}/apps/{}/builds", cli.p(), esc(&id)))
            .await;
        ok(&builds, "apps builds");
        let listed = arr(&builds.json, "builds");
        let bv = listed
            .iter()
            .find(|x| x["build_id"] == build.as_str())
            .unwrap_or_else(|| panic!("build not listed: {}", builds.text));
        opt_str(bv, "created_at");
        if let Some(size) = bv.get("artifact_size") {
            assert!(size.is_i64() || size.is_null(), "{bv}");
        }
        assert!(bv.get("status").is_none(), "builds have no status: {bv}");
    });
}

#[test]
fn deploy_with_query_parameters() {
    // `deploy --host a,b --env-ref R --max-concurrent-requests N`.
    run(|cli| async move {
        let id = cli.create_app("web").await;
        let path = format!(
            "{}/apps/{}/deployments?env_ref=prod&max_concurrent_requests=4",
            cli.p(),
            esc(&id)
        );
        let a = cli
            .send(
                Method::POST,
                &path,
                Body::Raw(brrrd_package()),
                Some(&cli.token),
                None,
            )
            .await;
        ok(&a, "deploy with env_ref and max_concurrent_requests");
        s(&a.json, "build_id");
    });
}

#[test]
fn deploy_without_manifest_is_a_problem() {
    run(|cli| async move {
        let id = cli.create_app("web").await;
        let path = format!("{}/apps/{}/deployments", cli.p(), esc(&id));
        let a = cli
            .send(
                Method::POST,
                &path,
                Body::Raw(b"not a package".to_vec()),
                Some(&cli.token),
                None,
            )
            .await;
        assert!(
            (400..500).contains(&a.status),
            "a body that is no package: {} {}",
            a.status,
            a.text
        );
        problem(&a, a.status, "deploy of a non-package");
    });
}

// ---------- app hostnames ----------

#[test]
fn apps_domains_add_manual() {
    run(|cli| async move {
        let id = cli.create_app("web").await;
        let a = cli
            .post(
                &format!("{}/apps/{}/domains", cli.p(), esc(&id)),
                json!({ "domain": "app.example.com", "dns_mode": "external_records" }),
            )
            .await;
        ok(&a, "apps domains add");
        // Flat `appAddDomainResponse`.
        app_domain_view(&a.json);
        assert_eq!(s(&a.json, "domain"), "app.example.com");
        assert_eq!(s(&a.json, "app_id"), id);
        assert_eq!(s(&a.json, "dns_mode"), "external_records");
        let records = arr(&a.json, "dns_records");
        for r in records {
            s(r, "record_type");
            s(r, "name");
            s(r, "value");
        }
        assert!(
            records.iter().any(|r| r["record_type"] == "CNAME"),
            "Manual DNS answers the CNAME to publish: {}",
            a.text
        );
    });
}

#[test]
fn apps_domains_list() {
    run(|cli| async move {
        let id = cli.create_app("web").await;
        let path = format!("{}/apps/{}/domains", cli.p(), esc(&id));
        let a = cli.get(&path).await;
        ok(&a, "apps domains list (none)");
        assert!(arr(&a.json, "domains").is_empty(), "{}", a.text);
        cli.post(
            &path,
            json!({ "domain": "app.example.com", "dns_mode": "external_records" }),
        )
        .await;
        let a = cli.get(&path).await;
        ok(&a, "apps domains list");
        let list = arr(&a.json, "domains");
        list.iter().for_each(app_domain_view);
        assert_eq!(list[0]["domain"], "app.example.com");
    });
}

#[test]
fn apps_domains_finalize() {
    // Manual DNS: publish the answered records (here in a project domain of the same platform),
    // then `finalize` until it completes.
    run(|cli| async move {
        let id = cli.create_app("web").await;
        cli.add_domain("example.com").await;
        let added = cli
            .post(
                &format!("{}/apps/{}/domains", cli.p(), esc(&id)),
                json!({ "domain": "app.example.com", "dns_mode": "external_records" }),
            )
            .await;
        ok(&added, "apps domains add");
        for r in arr(&added.json, "dns_records") {
            let a = cli
                .post(
                    &format!("{}/domains/example.com/records", cli.p()),
                    json!({
                        "name": s(r, "name"),
                        "type": s(r, "record_type"),
                        "ttl": 300,
                        "values": [s(r, "value")]
                    }),
                )
                .await;
            ok(&a, "publishing a record the hostname asked for");
        }
        let path = format!(
            "{}/apps/{}/domains/{}/finalize",
            cli.p(),
            esc(&id),
            esc("app.example.com")
        );
        let deadline = Instant::now() + Duration::from_secs(15);
        let a = loop {
            let a = cli.post(&path, json!({})).await;
            if (200..300).contains(&a.status) || Instant::now() > deadline {
                break a;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        };
        ok(&a, "apps domains finalize");
        let d = &a.json["domain"];
        app_domain_view(d);
        assert_eq!(s(d, "domain"), "app.example.com");
        assert_eq!(s(d, "app_id"), id);
    });
}

#[test]
fn apps_domains_add_managed() {
    // `apps domains add --managed`: the platform writes the records into the project domain.
    run(|cli| async move {
        let id = cli.create_app("web").await;
        cli.add_domain("example.com").await;
        let a = cli
            .post(
                &format!("{}/apps/{}/domains", cli.p(), esc(&id)),
                json!({ "domain": "shop.example.com", "dns_mode": "managed_project_domain" }),
            )
            .await;
        ok(&a, "apps domains add --managed");
        app_domain_view(&a.json);
        assert_eq!(s(&a.json, "dns_mode"), "managed_project_domain");
        let records = cli
            .get(&format!("{}/domains/example.com/records", cli.p()))
            .await;
        ok(&records, "domains records list");
        let platform: Vec<&Value> = arr(&records.json, "records")
            .iter()
            .filter(|r| r["owner"] == "platform_app")
            .collect();
        assert!(
            !platform.is_empty(),
            "Automatic DNS records are listed as owner platform_app: {}",
            records.text
        );
        for r in platform {
            record_view(r);
            assert_eq!(s(r, "owner_resource_id"), id, "{r}");
        }
    });
}

#[test]
fn apps_domains_remove() {
    run(|cli| async move {
        let id = cli.create_app("web").await;
        let path = format!("{}/apps/{}/domains", cli.p(), esc(&id));
        cli.post(
            &path,
            json!({ "domain": "app.example.com", "dns_mode": "external_records" }),
        )
        .await;
        let a = cli
            .delete(&format!("{path}/{}", esc("app.example.com")))
            .await;
        ok(&a, "apps domains remove");
        // Flat `appDeleteDomainResponse`.
        app_domain_view(&a.json);
        assert_eq!(s(&a.json, "domain"), "app.example.com");
        let a = cli.get(&path).await;
        assert!(arr(&a.json, "domains").is_empty(), "{}", a.text);
    });
}

// ---------- project domains ----------

#[test]
fn domains_add() {
    run(|cli| async move {
        let v = cli.add_domain("example.com").await;
        let d = &v["domain"];
        domain_view(d);
        assert_eq!(s(d, "domain"), "example.com");
        assert_eq!(s(d, "dns_mode"), "route53_delegated");
        assert_eq!(s(d, "project_id"), cli.project);
        assert!(
            !arr(d, "nameservers").is_empty(),
            "the hosted zone's nameservers to set at the registrar: {d}"
        );
    });
}

#[test]
fn domains_list() {
    run(|cli| async move {
        let a = cli.get(&format!("{}/domains", cli.p())).await;
        ok(&a, "domains list (none)");
        assert!(arr(&a.json, "domains").is_empty());
        cli.add_domain("example.com").await;
        let a = cli.get(&format!("{}/domains", cli.p())).await;
        ok(&a, "domains list");
        let list = arr(&a.json, "domains");
        list.iter().for_each(domain_view);
        assert_eq!(list[0]["domain"], "example.com");
    });
}

#[test]
fn domains_check() {
    run(|cli| async move {
        cli.add_domain("example.com").await;
        let a = cli
            .post(
                &format!("{}/domains/example.com/delegation-check", cli.p()),
                json!({}),
            )
            .await;
        ok(&a, "domains check");
        b(&a.json, "matched");
        domain_view(&a.json["domain"]);
    });
}

#[test]
fn domains_delete() {
    run(|cli| async move {
        cli.add_domain("example.com").await;
        let a = cli
            .delete(&format!("{}/domains/example.com", cli.p()))
            .await;
        ok(&a, "domains delete");
        domain_view(&a.json["domain"]);
        let a = cli.get(&format!("{}/domains", cli.p())).await;
        assert!(arr(&a.json, "domains").is_empty(), "{}", a.text);
    });
}

// ---------- DNS records ----------

/// `domains records create --name www --type CNAME --value target.example.net --ttl 300`.
async fn create_record(cli: &Cli) -> Value {
    let a = cli
        .post(
            &format!("{}/domains/example.com/records", cli.p()),
            json!({
                "name": "www",
                "type": "CNAME",
                "ttl": 300,
                "values": ["target.example.net"]
            }),
        )
        .await;
    ok(&a, "domains records create");
    a.json
}

#[test]
fn records_create() {
    run(|cli| async move {
        cli.add_domain("example.com").await;
        let v = create_record(&cli).await;
        let r = &v["record"];
        record_view(r);
        assert_eq!(
            s(r, "name"),
            "www.example.com",
            "names come back fully qualified"
        );
        assert_eq!(s(r, "type"), "CNAME");
        assert_eq!(int(r, "ttl"), 300);
        assert_eq!(r["values"], json!(["target.example.net"]));
        assert_eq!(s(r, "owner"), "user");
    });
}

#[test]
fn records_list() {
    run(|cli| async move {
        cli.add_domain("example.com").await;
        let id = s(&create_record(&cli).await["record"], "id").to_string();
        let a = cli
            .get(&format!("{}/domains/example.com/records", cli.p()))
            .await;
        ok(&a, "domains records list");
        let records = arr(&a.json, "records");
        records.iter().for_each(record_view);
        assert!(records.iter().any(|r| r["id"] == id.as_str()), "{}", a.text);
    });
}

#[test]
fn records_update() {
    // `domains records update --record ID --value target2.example.net --ttl 300`: the CLI reads
    // the list, finds the record, and PUTs all four fields.
    run(|cli| async move {
        cli.add_domain("example.com").await;
        let id = s(&create_record(&cli).await["record"], "id").to_string();
        let list = cli
            .get(&format!("{}/domains/example.com/records", cli.p()))
            .await;
        let existing = arr(&list.json, "records")
            .iter()
            .find(|r| r["id"] == id.as_str())
            .cloned()
            .unwrap();
        let a = cli
            .put(
                &format!("{}/domains/example.com/records/{}", cli.p(), esc(&id)),
                json!({
                    "name": existing["name"],
                    "type": existing["type"],
                    "ttl": 300,
                    "values": ["target2.example.net"]
                }),
            )
            .await;
        ok(&a, "domains records update");
        let r = &a.json["record"];
        record_view(r);
        assert_eq!(s(r, "id"), id);
        assert_eq!(r["values"], json!(["target2.example.net"]));
        assert_eq!(s(r, "name"), "www.example.com");
    });
}

#[test]
fn records_delete() {
    run(|cli| async move {
        cli.add_domain("example.com").await;
        let id = s(&create_record(&cli).await["record"], "id").to_string();
        let a = cli
            .delete(&format!(
                "{}/domains/example.com/records/{}",
                cli.p(),
                esc(&id)
            ))
            .await;
        ok(&a, "domains records delete");
        record_view(&a.json["record"]);
        assert_eq!(s(&a.json["record"], "id"), id);
        let a = cli
            .get(&format!("{}/domains/example.com/records", cli.p()))
            .await;
        assert!(
            !arr(&a.json, "records")
                .iter()
                .any(|r| r["id"] == id.as_str()),
            "{}",
            a.text
        );
    });
}

// ---------- extensions ----------

/// One request to every extension route of the document, with made-up path parameters.
async fn extension_requests(cli: &Cli) -> Vec<(String, String, Answer)> {
    let mut out = Vec::new();
    for (m, t, src) in openapi_operations() {
        if src != "extension" {
            continue;
        }
        let path = t
            .replace("{}", "x-1")
            .replacen("x-1", &esc(&cli.project), 1);
        let path = if path == "/v1/registrar/availability" {
            "/v1/registrar/availability?domain=example.com".to_string()
        } else {
            path
        };
        let method = Method::from_bytes(m.as_bytes()).unwrap();
        let body = if matches!(m.as_str(), "POST" | "PATCH" | "PUT") {
            Body::Json(json!({}))
        } else {
            Body::None
        };
        let a = cli.send(method, &path, body, Some(&cli.token), None).await;
        out.push((m, path, a));
    }
    out
}

#[test]
fn no_extensions_answers_404_problem_on_every_extension_route() {
    run_with(false, |cli| async move {
        let answers = extension_requests(&cli).await;
        assert!(!answers.is_empty());
        for (m, path, a) in answers {
            problem(&a, 404, &format!("{m} {path} with --no-extensions"));
        }
        // The public routes still answer.
        ok(&cli.get("/v1/projects").await, "projects list");
        ok(
            &cli.get(&format!("{}/apps", cli.p())).await,
            "apps list with --no-extensions",
        );
    });
}

#[test]
fn extension_project_create_is_shaped_like_its_neighbours() {
    run(|cli| async move {
        let a = cli
            .send(
                Method::POST,
                "/v1/projects",
                Body::Json(json!({ "name": "made-here" })),
                Some(&cli.token),
                Some(&uuid_v4()),
            )
            .await;
        ok(&a, "POST /v1/projects (extension)");
        let p = &a.json["project"];
        s(p, "project_id");
        assert_eq!(s(p, "name"), "made-here");
        let a = cli.post("/v1/projects", json!({})).await;
        problem(&a, 400, "POST /v1/projects without a name");
    });
}

#[test]
fn extension_rollback_is_shaped_like_its_neighbours() {
    run(|cli| async move {
        let id = cli.create_app("web").await;
        let deploy = format!("{}/apps/{}/deployments", cli.p(), esc(&id));
        let mut builds = Vec::new();
        for _ in 0..2 {
            let a = cli
                .send(
                    Method::POST,
                    &deploy,
                    Body::Raw(brrrd_package()),
                    Some(&cli.token),
                    None,
                )
                .await;
            ok(&a, "deploy");
            builds.push(s(&a.json, "build_id").to_string());
        }
        let a = cli
            .post(
                &format!("{}/apps/{}/rollback", cli.p(), esc(&id)),
                json!({ "build_id": builds[0] }),
            )
            .await;
        ok(&a, "rollback (extension)");
        let app = &a.json["app"];
        app_view(app);
        assert_eq!(s(app, "active_build_id"), builds[0]);
    });
}

#[test]
fn extension_lists_are_enveloped() {
    run(|cli| async move {
        let db = s(&cli.create_database("tokens").await, "database_id").to_string();
        cli.database_when_provisioned(&db).await;
        let a = cli
            .get(&format!("{}/databases/{}/tokens", cli.p(), esc(&db)))
            .await;
        ok(&a, "database tokens list (extension)");
        arr(&a.json, "tokens");
        let a = cli.get(&format!("{}/registrations", cli.p())).await;
        ok(&a, "registrations list (extension)");
        arr(&a.json, "registrations");
        let a = cli
            .get("/v1/registrar/availability?domain=example.com")
            .await;
        ok(&a, "registrar availability (extension)");
        let v = &a.json["availability"];
        s(v, "domain");
        b(v, "available");
    });
}

// ---------- the recorded public answers (tests/fixtures/public) ----------

/// Which operation's answer each fixture is: `(file, METHOD, path in the document, status)`.
const FIXTURES: &[(&str, &str, &str, &str)] = &[
    ("projects_list.json", "get", "/v1/projects", "200"),
    (
        "databases_list.json",
        "get",
        "/v1/projects/{project_id}/databases",
        "200",
    ),
    (
        "databases_create.json",
        "post",
        "/v1/projects/{project_id}/databases",
        "2XX",
    ),
    (
        "databases_create_replay.json",
        "post",
        "/v1/projects/{project_id}/databases",
        "2XX",
    ),
    (
        "databases_delete.json",
        "delete",
        "/v1/projects/{project_id}/databases/{database_id}",
        "200",
    ),
    (
        "databases_token_rotate.json",
        "post",
        "/v1/projects/{project_id}/databases/{database_id}/token/rotate",
        "200",
    ),
    (
        "databases_query.json",
        "post",
        "/v1/projects/{project_id}/databases/{database_id}/query",
        "200",
    ),
    (
        "apps_list.json",
        "get",
        "/v1/projects/{project_id}/apps",
        "200",
    ),
    (
        "apps_list_empty.json",
        "get",
        "/v1/projects/{project_id}/apps",
        "200",
    ),
    (
        "apps_create.json",
        "post",
        "/v1/projects/{project_id}/apps",
        "2XX",
    ),
    (
        "apps_get_enveloped.json",
        "get",
        "/v1/projects/{project_id}/apps/{app_id}",
        "200",
    ),
    (
        "apps_get_flat.json",
        "get",
        "/v1/projects/{project_id}/apps/{app_id}",
        "200",
    ),
    (
        "apps_delete_incomplete.json",
        "delete",
        "/v1/projects/{project_id}/apps/{app_id}",
        "200",
    ),
    (
        "apps_delete_complete.json",
        "delete",
        "/v1/projects/{project_id}/apps/{app_id}",
        "200",
    ),
    (
        "apps_builds.json",
        "get",
        "/v1/projects/{project_id}/apps/{app_id}/builds",
        "200",
    ),
    (
        "apps_environment.json",
        "get",
        "/v1/projects/{project_id}/apps/{app_id}/environment",
        "200",
    ),
    (
        "apps_environment_set.json",
        "put",
        "/v1/projects/{project_id}/apps/{app_id}/environment/{key}",
        "200",
    ),
    (
        "apps_deploy.json",
        "post",
        "/v1/projects/{project_id}/apps/{app_id}/deployments",
        "2XX",
    ),
    (
        "app_domains_list.json",
        "get",
        "/v1/projects/{project_id}/apps/{app_id}/domains",
        "200",
    ),
    (
        "app_domains_add_manual.json",
        "post",
        "/v1/projects/{project_id}/apps/{app_id}/domains",
        "2XX",
    ),
    (
        "app_domains_add_managed.json",
        "post",
        "/v1/projects/{project_id}/apps/{app_id}/domains",
        "2XX",
    ),
    (
        "app_domains_finalize.json",
        "post",
        "/v1/projects/{project_id}/apps/{app_id}/domains/{hostname}/finalize",
        "200",
    ),
    (
        "app_domains_delete.json",
        "delete",
        "/v1/projects/{project_id}/apps/{app_id}/domains/{hostname}",
        "200",
    ),
    (
        "domains_list.json",
        "get",
        "/v1/projects/{project_id}/domains",
        "200",
    ),
    (
        "domains_create.json",
        "post",
        "/v1/projects/{project_id}/domains",
        "2XX",
    ),
    (
        "domains_check.json",
        "post",
        "/v1/projects/{project_id}/domains/{domain}/delegation-check",
        "200",
    ),
    (
        "domains_check_unmatched.json",
        "post",
        "/v1/projects/{project_id}/domains/{domain}/delegation-check",
        "200",
    ),
    (
        "domains_delete.json",
        "delete",
        "/v1/projects/{project_id}/domains/{domain}",
        "200",
    ),
    (
        "records_list.json",
        "get",
        "/v1/projects/{project_id}/domains/{domain}/records",
        "200",
    ),
    (
        "records_create.json",
        "post",
        "/v1/projects/{project_id}/domains/{domain}/records",
        "2XX",
    ),
    (
        "records_update.json",
        "put",
        "/v1/projects/{project_id}/domains/{domain}/records/{record_id}",
        "200",
    ),
    (
        "records_delete.json",
        "delete",
        "/v1/projects/{project_id}/domains/{domain}/records/{record_id}",
        "200",
    ),
    (
        "problem_400.json",
        "put",
        "/v1/projects/{project_id}/apps/{app_id}/environment/{key}",
        "400",
    ),
    ("problem_401.json", "get", "/v1/projects", "401"),
    ("problem_403.json", "get", "/v1/projects", "403"),
    (
        "problem_404.json",
        "get",
        "/v1/projects/{project_id}/apps/{app_id}",
        "404",
    ),
    (
        "problem_422_open_transaction.json",
        "post",
        "/v1/projects/{project_id}/databases/{database_id}/query",
        "422",
    ),
    (
        "problem_503_code_only.json",
        "post",
        "/v1/projects/{project_id}/databases",
        "503",
    ),
];

/// The document's node at a `#/...` reference.
fn resolve<'a>(doc: &'a Value, reference: &str) -> &'a Value {
    let mut node = doc;
    for part in reference.trim_start_matches("#/").split('/') {
        node = &node[part];
    }
    assert!(!node.is_null(), "dangling $ref {reference}");
    node
}

/// The subset of JSON Schema the document uses: `$ref`, `type`, `const`, `enum`, `required`,
/// `properties`, `items`, `allOf`, `oneOf` (at least one branch).
fn conforms(doc: &Value, schema: &Value, v: &Value, at: &str) -> Result<(), String> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return conforms(doc, resolve(doc, r), v, at);
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let is = |t: &str| match t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            "null" => v.is_null(),
            _ => false,
        };
        if !types.iter().any(|t| is(t)) {
            return Err(format!("{at}: {v} is not {types:?}"));
        }
    }
    if let Some(c) = schema.get("const") {
        if c != v {
            return Err(format!("{at}: {v} is not {c}"));
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            return Err(format!("{at}: {v} is not one of {e:?}"));
        }
    }
    if let Some(obj) = v.as_object() {
        for r in schema["required"].as_array().into_iter().flatten() {
            let r = r.as_str().unwrap();
            if !obj.contains_key(r) {
                return Err(format!("{at}: `{r}` is required"));
            }
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (k, sub) in props {
                if let Some(x) = obj.get(k) {
                    conforms(doc, sub, x, &format!("{at}.{k}"))?;
                }
            }
        }
    }
    if let (Some(items), Some(a)) = (schema.get("items"), v.as_array()) {
        for (i, x) in a.iter().enumerate() {
            conforms(doc, items, x, &format!("{at}[{i}]"))?;
        }
    }
    for sub in schema["allOf"].as_array().into_iter().flatten() {
        conforms(doc, sub, v, at)?;
    }
    if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
        let errors: Vec<String> = branches
            .iter()
            .filter_map(|b| conforms(doc, b, v, at).err())
            .collect();
        if errors.len() == branches.len() {
            return Err(format!("{at}: no branch fits: {}", errors.join("; ")));
        }
    }
    Ok(())
}

#[test]
fn recorded_public_answers_fit_the_contract() {
    let doc: Value = serde_json::from_str(OPENAPI_JSON).unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/public");
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    let mut failures = Vec::new();
    for (file, method, path, status) in FIXTURES {
        assert!(
            readme.contains(&format!("`{file}`")),
            "{file} is not described in the fixtures' README"
        );
        let body: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
        let response = &doc["paths"][*path][*method]["responses"][*status];
        assert!(
            !response.is_null(),
            "{method} {path} has no {status} answer"
        );
        let response = match response.get("$ref").and_then(Value::as_str) {
            Some(r) => resolve(&doc, r),
            None => response,
        };
        let content = response["content"].as_object().unwrap();
        let schema = &content.values().next().unwrap()["schema"];
        if let Err(e) = conforms(&doc, schema, &body, file) {
            failures.push(e);
        }
    }
    let listed: Vec<&str> = FIXTURES.iter().map(|f| f.0).collect();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".json") {
            assert!(
                listed.contains(&name.as_str()),
                "{name} is in no FIXTURES row"
            );
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

// ---------- storage (cmd/comwit/storage.go) ----------

/// `storageView`: every member the CLI's struct names without `omitempty` is a string here;
/// `public_base_url` and `last_error` may be missing. `writeStorageEnv` needs `storage_id`,
/// `endpoint` and `bucket` non-empty.
fn storage_view(v: &Value) {
    for k in [
        "storage_id",
        "project_id",
        "name",
        "bucket",
        "provider",
        "status",
        "endpoint",
        "region",
        "default_domain",
        "public_access",
        "public_domain_status",
        "public_tls_status",
    ] {
        s(v, k);
    }
    for k in ["storage_id", "endpoint", "bucket"] {
        assert!(!s(v, k).trim().is_empty(), "`{k}` is empty: {v}");
    }
    opt_str(v, "public_base_url");
    opt_str(v, "last_error");
}

#[test]
fn storage_create_list_get_public_delete() {
    run(|cli| async move {
        let base = format!("{}/storages", cli.p());
        // `storage create --name assets` (the CLI's default `--location-hint apac`).
        let a = cli
            .post(
                &base,
                json!({ "name": "conf-assets", "public": false, "location_hint": "apac" }),
            )
            .await;
        ok(&a, "storage create");
        assert_eq!(a.status, 201, "{}", a.text);
        let created = &a.json["storage"];
        storage_view(created);
        assert_eq!(s(created, "name"), "conf-assets");
        assert_eq!(s(created, "bucket"), "conf-assets");
        assert_eq!(s(created, "provider"), "r2");
        assert_eq!(s(created, "status"), "ready");
        assert_eq!(s(created, "region"), "auto");
        assert_eq!(s(created, "public_access"), "disabled");
        let id = s(created, "storage_id").to_string();

        // `storage list`: `{"storages":[storageView]}`.
        let a = cli.get(&base).await;
        ok(&a, "storage list");
        let listed = arr(&a.json, "storages");
        assert_eq!(listed.len(), 1, "{}", a.text);
        storage_view(&listed[0]);

        // `storage get --storage ID`.
        let one = format!("{base}/{}", esc(&id));
        let a = cli.get(&one).await;
        ok(&a, "storage get");
        storage_view(&a.json["storage"]);
        assert_eq!(s(&a.json["storage"], "storage_id"), id);

        // `storage public enable|disable`: PUT `{"enabled"}` -> `{"storage"}`.
        let a = cli
            .put(&format!("{one}/public-access"), json!({ "enabled": true }))
            .await;
        ok(&a, "storage public enable");
        storage_view(&a.json["storage"]);
        assert_eq!(s(&a.json["storage"], "public_access"), "enabled");
        assert!(
            !s(&a.json["storage"], "public_base_url").is_empty(),
            "a public storage has its base URL: {}",
            a.text
        );
        let a = cli
            .put(&format!("{one}/public-access"), json!({ "enabled": false }))
            .await;
        ok(&a, "storage public disable");
        assert_eq!(s(&a.json["storage"], "public_access"), "disabled");

        // Names are global: a second create of the name is refused with problem details.
        let a = cli
            .post(&base, json!({ "name": "conf-assets", "public": false }))
            .await;
        problem(&a, 409, "storage create of a taken name");

        // `storage delete`: `{"storage"}`; afterwards the storage is gone.
        let a = cli.delete(&one).await;
        ok(&a, "storage delete");
        storage_view(&a.json["storage"]);
        let a = cli.get(&one).await;
        problem(&a, 404, "storage get after delete");
        let a = cli.get(&base).await;
        assert!(arr(&a.json, "storages").is_empty(), "{}", a.text);
    });
}
