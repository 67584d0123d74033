//! comwit-local with `fail_rate` 0.3: a client that retries with idempotency keys ends with
//! exactly the objects it asked for, even though some failures come after the change was
//! committed (a lost response).

mod local_common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use local_common::{package, start_with, Env, Resp};
use reqwest::Method;
use serde_json::{json, Value};

/// A client that retries 5xx and 429 answers, reusing one Idempotency-Key per logical POST.
struct Retrying<'a> {
    env: &'a Env,
    faults: AtomicUsize,
    replays: AtomicUsize,
    keys: AtomicUsize,
}

impl<'a> Retrying<'a> {
    fn new(env: &'a Env) -> Self {
        Retrying {
            env,
            faults: AtomicUsize::new(0),
            replays: AtomicUsize::new(0),
            keys: AtomicUsize::new(0),
        }
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        key: Option<&str>,
    ) -> Resp {
        let headers: Vec<(&str, &str)> = key
            .map(|k| vec![("idempotency-key", k)])
            .unwrap_or_default();
        self.env
            .call_with(method, path, Some(&self.env.token), body, &headers)
            .await
    }

    /// Retry until the answer is not a server error or a rate limit.
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let key = if method == Method::POST {
            Some(format!("op-{}", self.keys.fetch_add(1, Ordering::SeqCst)))
        } else {
            None
        };
        let mut failed_before = false;
        for _ in 0..60 {
            let r = self
                .send(method.clone(), path, body.clone(), key.as_deref())
                .await;
            if r.status >= 500 || r.status == 429 {
                self.faults.fetch_add(1, Ordering::SeqCst);
                failed_before = true;
                tokio::time::sleep(Duration::from_millis(5)).await;
                continue;
            }
            if r.headers.get("idempotency-replayed").is_some() {
                self.replays.fetch_add(1, Ordering::SeqCst);
            }
            // A DELETE whose first answer was lost finds the object gone: that is success.
            if method == Method::DELETE && failed_before && r.status == 404 {
                return Resp {
                    status: 204,
                    body: Value::Null,
                    headers: r.headers,
                    code: String::new(),
                };
            }
            return r;
        }
        panic!("{method} {path}: still failing after 60 attempts");
    }

    async fn must(&self, method: Method, path: &str, body: Option<Value>, status: u16) -> Value {
        let r = self.call(method.clone(), path, body).await;
        assert_eq!(r.status, status, "{method} {path}: {r:?}");
        r.body
    }

    /// A deploy (the package as `application/octet-stream`), retried with one key.
    async fn deploy(&self, path: &str, data: &[u8]) -> Value {
        let key = format!("deploy-{}", self.keys.fetch_add(1, Ordering::SeqCst));
        for _ in 0..60 {
            let r = self
                .env
                .http
                .post(self.env.url(path))
                .bearer_auth(&self.env.token)
                .header("content-type", "application/octet-stream")
                .header("idempotency-key", &key)
                .body(data.to_vec())
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            if status >= 500 || status == 429 {
                self.faults.fetch_add(1, Ordering::SeqCst);
                continue;
            }
            if r.headers().get("idempotency-replayed").is_some() {
                self.replays.fetch_add(1, Ordering::SeqCst);
            }
            assert_eq!(status, 200);
            return r.json().await.unwrap();
        }
        panic!("deploy still failing");
    }

    /// Every item of a list: the public lists are whole, `{"<things>":[...]}` (their one
    /// array member), with no paging parameters.
    async fn all(&self, path: &str) -> Vec<Value> {
        let list = self.must(Method::GET, path, None, 200).await;
        let obj = list
            .as_object()
            .unwrap_or_else(|| panic!("{path}: not a list: {list}"));
        assert!(
            obj.get("items").is_none() && obj.get("next_cursor").is_none(),
            "{path}: an old paged list: {list}"
        );
        let arrays: Vec<&Vec<Value>> = obj.values().filter_map(|v| v.as_array()).collect();
        assert_eq!(arrays.len(), 1, "{path}: not one list: {list}");
        arrays[0].clone()
    }
}

fn names(items: &[Value], key: &str) -> Vec<String> {
    let mut v: Vec<String> = items
        .iter()
        .map(|i| i[key].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_with_idempotency_keys_end_with_exactly_the_requested_objects() {
    let env = start_with(|c| {
        c.fail_rate = 0.3;
        c.database_provision_delay = Duration::ZERO;
    })
    .await;
    let c = Retrying::new(&env);

    // Projects are made in the console (no public create route).
    let pid = env.project("faulty").await;
    let p = format!("/v1/projects/{pid}");

    // Databases: create ten, delete three.
    let mut dbs = Vec::new();
    for i in 0..10 {
        let d = c
            .must(
                Method::POST,
                &format!("{p}/databases"),
                Some(json!({"name": format!("db{i}")})),
                201,
            )
            .await;
        dbs.push(d["database_id"].as_str().unwrap().to_string());
    }
    for id in &dbs[..3] {
        // 200 with the deleted database; 204 stands for a lost answer whose retry found it gone.
        let r = c
            .call(Method::DELETE, &format!("{p}/databases/{id}"), None)
            .await;
        assert!(matches!(r.status, 200 | 204), "{r:?}");
    }

    // Apps: four, each with an environment and two deploys; roll the first back.
    let manifest = r#"{"schemaVersion":6,"routes":[{"id":"/","pattern":"^/$","type":"static","file":"index"}]}"#;
    let mut apps = Vec::new();
    for i in 0..4 {
        let a = c
            .must(
                Method::POST,
                &format!("{p}/apps"),
                Some(json!({"name": format!("app{i}")})),
                201,
            )
            .await;
        let id = a["app"]["app_id"].as_str().unwrap().to_string();
        for (key, value) in [("N", format!("{i}")), ("S", "x".to_string())] {
            let r = c
                .must(
                    Method::PUT,
                    &format!("{p}/apps/{id}/environment/{key}"),
                    Some(json!({"value": value, "secret": false})),
                    200,
                )
                .await;
            assert_eq!(r, json!({"key": key, "secret": false}));
        }
        let mut builds = Vec::new();
        for v in 0..2 {
            let content = format!("page {i}{v}");
            let b = c
                .deploy(
                    &format!("{p}/apps/{id}/deployments"),
                    &package(&[
                        ("./manifest.json", manifest),
                        ("./static/index", content.as_str()),
                    ]),
                )
                .await;
            builds.push(b["build_id"].as_str().unwrap().to_string());
        }
        apps.push((id, builds));
    }
    let (app0, builds0) = &apps[0];
    c.must(
        Method::POST,
        &format!("{p}/apps/{app0}/rollback"),
        Some(json!({"build_id": builds0[0]})),
        200,
    )
    .await;

    // A domain with records and Automatic DNS hostnames.
    c.must(
        Method::POST,
        &format!("{p}/domains"),
        Some(json!({"domain": "faulty.example", "dns_mode": "route53_delegated"})),
        201,
    )
    .await;
    let z = format!("{p}/domains/faulty.example");
    let mut recs = Vec::new();
    for i in 0..6 {
        let r = c
            .must(
                Method::POST,
                &format!("{z}/records"),
                Some(json!({"name": format!("h{i}"), "type": "A", "ttl": 300, "values": [format!("192.0.2.{i}")]})),
                201,
            )
            .await;
        recs.push(r["record"]["id"].as_str().unwrap().to_string());
    }
    // 200 with the deleted record; 204 stands for a lost answer whose retry found it gone.
    let r = c
        .call(Method::DELETE, &format!("{z}/records/{}", recs[0]), None)
        .await;
    assert!(matches!(r.status, 200 | 204), "{r:?}");
    c.must(
        Method::PUT,
        &format!("{z}/records/{}", recs[1]),
        Some(json!({"name": "h1", "type": "A", "values": ["198.51.100.1"], "ttl": 600})),
        200,
    )
    .await;
    let (app1, _) = &apps[1];
    for h in ["www.faulty.example", "api.faulty.example"] {
        c.must(
            Method::POST,
            &format!("{p}/apps/{app1}/domains"),
            Some(json!({"domain": h, "dns_mode": "managed_project_domain"})),
            201,
        )
        .await;
    }
    c.must(
        Method::POST,
        &format!("{p}/apps/{app1}/domains"),
        Some(json!({"domain": "shop.elsewhere.example", "dns_mode": "external_records"})),
        201,
    )
    .await;

    // Exactly what was asked for.
    let projects = c.all("/v1/projects").await;
    assert_eq!(names(&projects, "name"), vec!["faulty"]);
    let got_dbs = c.all(&format!("{p}/databases")).await;
    assert_eq!(
        names(&got_dbs, "name"),
        (3..10).map(|i| format!("db{i}")).collect::<Vec<_>>()
    );
    let got_apps = c.all(&format!("{p}/apps")).await;
    assert_eq!(
        names(&got_apps, "name"),
        vec!["app0", "app1", "app2", "app3"]
    );
    for (i, (id, builds)) in apps.iter().enumerate() {
        let got = c.all(&format!("{p}/apps/{id}/builds")).await;
        assert_eq!(names(&got, "build_id"), {
            let mut b = builds.clone();
            b.sort();
            b
        });
        let app = c
            .must(Method::GET, &format!("{p}/apps/{id}"), None, 200)
            .await;
        let want = if i == 0 { &builds[0] } else { &builds[1] };
        assert_eq!(app["app"]["active_build_id"], want.as_str(), "app{i}");
        let env_vars = c.all(&format!("{p}/apps/{id}/environment")).await;
        assert_eq!(names(&env_vars, "key"), vec!["N", "S"]);
    }
    let got_recs = c.all(&format!("{z}/records")).await;
    let user: Vec<&Value> = got_recs.iter().filter(|r| r["owner"] == "user").collect();
    let managed: Vec<&Value> = got_recs
        .iter()
        .filter(|r| r["owner"] == "platform_app")
        .collect();
    assert_eq!(user.len(), 5);
    assert_eq!(managed.len(), 4, "{got_recs:?}");
    assert!(managed
        .iter()
        .all(|r| r["owner_resource_id"] == app1.as_str()));
    let h1 = user
        .iter()
        .find(|r| r["name"] == "h1.faulty.example")
        .unwrap();
    assert_eq!(
        (h1["values"].clone(), h1["ttl"].clone()),
        (json!(["198.51.100.1"]), json!(600))
    );
    let hosts = c.all(&format!("{p}/apps/{app1}/domains")).await;
    assert_eq!(
        names(&hosts, "domain"),
        vec![
            "api.faulty.example",
            "shop.elsewhere.example",
            "www.faulty.example"
        ]
    );
    assert_eq!(c.all(&format!("{p}/domains")).await.len(), 1);

    let faults = c.faults.load(Ordering::SeqCst);
    assert!(faults > 0, "the fault injection never fired");
    eprintln!(
        "faults retried: {faults}; stored responses replayed: {}",
        c.replays.load(Ordering::SeqCst)
    );
    env.server.shutdown().await;
}

/// Without idempotency keys, a lost response makes a retried create a conflict or a duplicate:
/// the fault injection really does fail some requests after committing them.
#[tokio::test]
async fn some_faults_come_after_the_commit() {
    let env = start_with(|c| c.fail_rate = 1.0).await;
    let mut committed = 0;
    for i in 0..20 {
        let r = env
            .post("/v1/projects", json!({"name": format!("p{i}")}))
            .await;
        assert!(r.status >= 500, "{r:?}");
    }
    // Read the truth straight from the store.
    for p in env.server.admin().projects().unwrap() {
        if p.name.starts_with('p') {
            committed += 1;
        }
    }
    assert!(
        committed > 0 && committed < 20,
        "committed {committed} of 20"
    );
    env.server.shutdown().await;
}
