//! The comwit-local platform API, end to end over HTTP, in the public contract's shapes
//! (/work/shared/comwit-cloud-api.md, docs/api/openapi.yaml): every served operation for
//! success, 401, 403 (missing scope and non-member), 404, 409 and 400 problem details;
//! whole `{"<things>":[...]}` lists; idempotent retries; restart persistence; concurrency.

mod local_common;

use std::time::Duration;

use local_common::{bundle, package, sha256_hex, start, start_with, Env, Resp};
use reqwest::Method;
use serde_json::{json, Value};

const FAKE_PRJ: &str = "prj_0000000000000000";

async fn app(env: &Env, pid: &str, name: &str) -> String {
    let r = env
        .post(&format!("/v1/projects/{pid}/apps"), json!({ "name": name }))
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    r.body["app"]["app_id"].as_str().unwrap().to_string()
}

async fn domain(env: &Env, pid: &str, d: &str) {
    let r = env
        .post(
            &format!("/v1/projects/{pid}/domains"),
            json!({ "domain": d, "dns_mode": "route53_delegated" }),
        )
        .await;
    assert_eq!(r.status, 201, "{r:?}");
}

#[tokio::test]
async fn authentication_and_problem_details() {
    let env = start().await;
    // No `/v1/me`: the platform has no such route.
    assert_eq!(env.get("/v1/me").await.status, 404);
    let r = env.get("/v1/projects").await;
    assert_eq!(r.status, 200);

    let none = env
        .call_with(Method::GET, "/v1/projects", None, None, &[])
        .await;
    assert_eq!(none.status, 401);
    assert_eq!(none.code(), "unauthorized");
    assert_eq!(
        none.headers["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let bad = env
        .call_as("not-a-token", Method::GET, "/v1/projects", None)
        .await;
    assert_eq!(bad.status, 401);
    let unknown = env
        .call_as(
            &format!("cwt_{}", "ab".repeat(32)),
            Method::GET,
            "/v1/projects",
            None,
        )
        .await;
    assert_eq!(unknown.status, 401);
    let basic = env
        .call_with(
            Method::GET,
            "/v1/projects",
            None,
            None,
            &[("authorization", "Basic Zm9vOmJhcg==")],
        )
        .await;
    assert_eq!(basic.status, 401);
    // 401 on every kind of route, before 404.
    let r = env
        .call_with(
            Method::DELETE,
            &format!("/v1/projects/{FAKE_PRJ}/apps/app_0000000000000000"),
            None,
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, 401);
    // Unknown paths get problem details too.
    let r = env.get("/v1/nothing-here").await;
    assert_eq!((r.status, r.code()), (404, "not_found"));
    env.server.shutdown().await;
}

#[tokio::test]
async fn projects_are_listed_and_their_extensions_can_be_switched_off() {
    let env = start().await;
    // Made in the console (the admin), listed by the public route: `{project_id, name}`.
    let pid = env.project("alpha").await;
    let list = env.get("/v1/projects").await;
    assert_eq!(list.status, 200);
    assert_eq!(
        list.body,
        json!({"projects": [{"project_id": pid, "name": "alpha"}]})
    );

    // Extensions, shaped like their neighbours: `{"project":{...}}`.
    let r = env.post("/v1/projects", json!({"name": "beta"})).await;
    assert_eq!(r.status, 201, "{r:?}");
    let beta = r.body["project"]["project_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(r.body["project"]["name"], "beta");
    let got = env.get(&format!("/v1/projects/{beta}")).await;
    assert_eq!(got.body["project"]["name"], "beta");
    let dup = env.post("/v1/projects", json!({"name": "alpha"})).await;
    assert_eq!((dup.status, dup.code()), (409, "name_taken"));
    let r = env.post("/v1/projects", json!({"name": "Alpha"})).await;
    assert_eq!(r.status, 400, "{r:?}");
    let r = env
        .patch(&format!("/v1/projects/{beta}"), json!({"name": "gamma"}))
        .await;
    assert_eq!(
        (r.status, r.body["project"]["name"].as_str()),
        (200, Some("gamma"))
    );
    // Not empty: 409.
    let db = env
        .post(
            &format!("/v1/projects/{beta}/databases"),
            json!({"name": "main"}),
        )
        .await
        .s("database_id");
    let r = env.delete(&format!("/v1/projects/{beta}")).await;
    assert_eq!((r.status, r.code()), (409, "project_not_empty"));
    env.delete(&format!("/v1/projects/{beta}/databases/{db}"))
        .await;
    assert_eq!(
        env.delete(&format!("/v1/projects/{beta}")).await.status,
        204
    );
    assert_eq!(env.get(&format!("/v1/projects/{beta}")).await.status, 404);
    env.server.shutdown().await;

    // Without extensions only the list answers; the rest is 404, as on the platform.
    let env = start_with(|c| c.extensions = false).await;
    let pid = env.project("alpha").await;
    assert_eq!(
        env.get("/v1/projects").await.body["projects"][0]["project_id"],
        pid.as_str()
    );
    for r in [
        env.post("/v1/projects", json!({"name": "beta"})).await,
        env.get(&format!("/v1/projects/{pid}")).await,
        env.patch(&format!("/v1/projects/{pid}"), json!({"name": "b"}))
            .await,
        env.delete(&format!("/v1/projects/{pid}")).await,
        env.post(&format!("/v1/projects/{pid}/databases/x/tokens"), json!({}))
            .await,
    ] {
        assert_eq!(r.status, 404, "{r:?}");
    }
    assert_eq!(
        env.get("/v1/projects").await.body["projects"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    env.server.shutdown().await;
}

#[tokio::test]
async fn each_operation_needs_its_scope() {
    let env = start().await;
    let p = format!("/v1/projects/{FAKE_PRJ}");
    let a = format!("{p}/apps/app-0000");
    let db = format!("{p}/databases/db-0000");
    let d = format!("{p}/domains/example.com");
    let rec = json!({"name": "www", "type": "A", "ttl": 300, "values": ["192.0.2.1"]});
    // Every served operation with the scope the contract document names for it.
    let cases: Vec<(Method, String, Option<Value>, &str)> = vec![
        (Method::GET, "/v1/projects".into(), None, "project:read"),
        (Method::GET, p.clone(), None, "project:read"),
        (Method::GET, format!("{p}/databases"), None, "database:read"),
        (
            Method::POST,
            format!("{p}/databases"),
            Some(json!({"name": "x"})),
            "database:write",
        ),
        (Method::DELETE, db.clone(), None, "database:write"),
        (
            Method::POST,
            format!("{db}/token/rotate"),
            Some(json!({})),
            "database:write",
        ),
        (Method::GET, format!("{db}/tokens"), None, "database:read"),
        (
            Method::POST,
            format!("{db}/tokens"),
            Some(json!({})),
            "database:write",
        ),
        (Method::GET, format!("{p}/apps"), None, "app:read"),
        (
            Method::POST,
            format!("{p}/apps"),
            Some(json!({"name": "x"})),
            "app:write",
        ),
        (Method::GET, a.clone(), None, "app:read"),
        (Method::DELETE, a.clone(), None, "app:write"),
        (Method::GET, format!("{a}/environment"), None, "app:read"),
        (
            Method::PUT,
            format!("{a}/environment/K"),
            Some(json!({"value": "v", "secret": false})),
            "app:write",
        ),
        (
            Method::DELETE,
            format!("{a}/environment/K"),
            None,
            "app:write",
        ),
        (Method::POST, format!("{a}/deployments"), None, "app:deploy"),
        (Method::GET, format!("{a}/builds"), None, "app:read"),
        (
            Method::POST,
            format!("{a}/rollback"),
            Some(json!({"build_id": "build-0000"})),
            "app:deploy",
        ),
        (Method::GET, format!("{a}/domains"), None, "app:read"),
        (
            Method::POST,
            format!("{a}/domains"),
            Some(json!({"domain": "www.example.com", "dns_mode": "external_records"})),
            "app:write",
        ),
        (
            Method::POST,
            format!("{a}/domains/www.example.com/finalize"),
            Some(json!({})),
            "app:write",
        ),
        (
            Method::DELETE,
            format!("{a}/domains/www.example.com"),
            None,
            "app:write",
        ),
        (Method::GET, format!("{p}/domains"), None, "domain:read"),
        (
            Method::POST,
            format!("{p}/domains"),
            Some(json!({"domain": "example.com", "dns_mode": "route53_delegated"})),
            "domain:write",
        ),
        (Method::DELETE, d.clone(), None, "domain:write"),
        (
            Method::POST,
            format!("{d}/delegation-check"),
            Some(json!({})),
            "domain:write",
        ),
        (Method::GET, format!("{d}/records"), None, "domain:read"),
        (
            Method::POST,
            format!("{d}/records"),
            Some(rec.clone()),
            "domain:write",
        ),
        (
            Method::PUT,
            format!("{d}/records/dnsrec_0000"),
            Some(rec.clone()),
            "domain:write",
        ),
        (
            Method::DELETE,
            format!("{d}/records/dnsrec_0000"),
            None,
            "domain:write",
        ),
        (
            Method::GET,
            format!("{p}/registrations"),
            None,
            "domain:read",
        ),
        (
            Method::GET,
            format!("{p}/registrations/example.com"),
            None,
            "domain:read",
        ),
        // Storages: the scope is not public; comwit-local's choice is `project:read`.
        (Method::GET, format!("{p}/storages"), None, "project:read"),
        (
            Method::POST,
            format!("{p}/storages"),
            Some(json!({"name": "scoped-bucket"})),
            "project:read",
        ),
        (
            Method::GET,
            format!("{p}/storages/stg_0"),
            None,
            "project:read",
        ),
        (
            Method::PUT,
            format!("{p}/storages/stg_0/public-access"),
            Some(json!({"enabled": true})),
            "project:read",
        ),
        (
            Method::DELETE,
            format!("{p}/storages/stg_0"),
            None,
            "project:read",
        ),
    ];
    let all = comwit::local::model::auth::ALL_SCOPES;
    let admin = env.server.admin();
    for (method, path, body, scope) in cases {
        let others: Vec<&str> = all.iter().copied().filter(|s| *s != scope).collect();
        let t = admin.create_token("dev", &others, "test").unwrap().secret;
        let r = env.call_as(&t, method.clone(), &path, body.clone()).await;
        // The platform sends no `required_scope` member: the problem's code and its detail,
        // which names the scope, are what a client sees.
        assert_eq!(
            (r.status, r.code()),
            (403, "forbidden"),
            "{method} {path}: {r:?}"
        );
        let detail = r.body["detail"].as_str().unwrap();
        assert!(detail.contains(scope), "{method} {path}: {detail}");
        assert!(r.body.get("error").is_none(), "{method} {path}: {r:?}");
        // With the scope (and only it) the check passes: the fake project is then a 404.
        let t = admin.create_token("dev", &[scope], "test").unwrap().secret;
        let r = env.call_as(&t, method.clone(), &path, body).await;
        assert_eq!(
            r.status,
            if path == "/v1/projects" { 200 } else { 404 },
            "{method} {path}: {r:?}"
        );
    }
    // The registrar's availability is above any project: with its scope it answers.
    let t = admin
        .create_token("dev", &["domain:read"], "t")
        .unwrap()
        .secret;
    let path = "/v1/registrar/availability?domain=shop.com";
    assert_eq!(env.call_as(&t, Method::GET, path, None).await.status, 200);
    let t = admin
        .create_token("dev", &["domain:write"], "t")
        .unwrap()
        .secret;
    let r = env.call_as(&t, Method::GET, path, None).await;
    assert_eq!((r.status, r.code()), (403, "forbidden"));

    // A token without any scope may still create, rename and delete its projects (the
    // extension), but not read them.
    let bare = admin.create_token("dev", &[], "bare").unwrap().secret;
    let r = env
        .call_as(
            &bare,
            Method::POST,
            "/v1/projects",
            Some(json!({"name": "mine"})),
        )
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    let pid = r.body["project"]["project_id"]
        .as_str()
        .unwrap()
        .to_string();
    for path in ["/v1/projects".to_string(), format!("/v1/projects/{pid}")] {
        let r = env.call_as(&bare, Method::GET, &path, None).await;
        assert_eq!((r.status, r.code()), (403, "forbidden"), "{path}");
        assert!(r.body["detail"].as_str().unwrap().contains("project:read"));
    }
    let r = env
        .call_as(
            &bare,
            Method::PATCH,
            &format!("/v1/projects/{pid}"),
            Some(json!({"name": "ours"})),
        )
        .await;
    assert_eq!(
        (r.status, r.body["project"]["name"].as_str()),
        (200, Some("ours"))
    );
    let r = env
        .call_as(&bare, Method::DELETE, &format!("/v1/projects/{pid}"), None)
        .await;
    assert_eq!(r.status, 204);
    env.server.shutdown().await;
}

#[tokio::test]
async fn non_members_are_refused() {
    let env = start().await;
    let pid = env.project("shared").await;
    let app_id = app(&env, &pid, "web").await;
    let admin = env.server.admin();
    admin.create_user("alice").unwrap();
    let alice = admin.create_token("alice", &["all"], "t").unwrap().secret;
    let p = format!("/v1/projects/{pid}");
    let a = format!("{p}/apps/{app_id}");
    let cases: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, p.clone(), None),
        (
            Method::PATCH,
            p.clone(),
            Some(json!({"name": "taken-over"})),
        ),
        (Method::DELETE, p.clone(), None),
        (Method::GET, format!("{p}/databases"), None),
        (
            Method::POST,
            format!("{p}/databases"),
            Some(json!({"name": "x"})),
        ),
        (Method::DELETE, format!("{p}/databases/db-0000"), None),
        (Method::GET, format!("{p}/apps"), None),
        (Method::GET, a.clone(), None),
        (Method::DELETE, a.clone(), None),
        (
            Method::PUT,
            format!("{a}/environment/K"),
            Some(json!({"value": "v"})),
        ),
        (Method::GET, format!("{a}/builds"), None),
        (Method::GET, format!("{a}/domains"), None),
        (
            Method::POST,
            format!("{a}/domains"),
            Some(json!({"domain": "www.example.com", "dns_mode": "external_records"})),
        ),
        (Method::GET, format!("{p}/domains"), None),
        (
            Method::POST,
            format!("{p}/domains"),
            Some(json!({"domain": "example.com", "dns_mode": "route53_delegated"})),
        ),
        (
            Method::GET,
            format!("{p}/domains/example.com/records"),
            None,
        ),
        (Method::GET, format!("{p}/registrations"), None),
    ];
    for (method, path, body) in &cases {
        let r = env
            .call_as(&alice, method.clone(), path, body.clone())
            .await;
        // No `reason` member on the platform: the code and the detail say it.
        assert_eq!(
            (r.status, r.code()),
            (403, "forbidden"),
            "{method} {path}: {r:?}"
        );
        assert!(
            r.body["detail"].as_str().unwrap().contains("not a member"),
            "{method} {path}: {r:?}"
        );
    }
    let r = env.call_as(&alice, Method::GET, "/v1/projects", None).await;
    assert_eq!(r.body, json!({"projects": []}));
    // Deploys are refused before the body is looked at.
    let r = env
        .call_as(&alice, Method::POST, &format!("{a}/deployments"), None)
        .await;
    assert_eq!(r.status, 403);
    // Membership granted by the admin API opens the project.
    admin.add_member(&pid, "alice").unwrap();
    let r = env.call_as(&alice, Method::GET, &a, None).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        env.call_as(&alice, Method::GET, "/v1/projects", None)
            .await
            .body["projects"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Unknown project is a 404 even for a stranger.
    for path in [
        format!("/v1/projects/{FAKE_PRJ}"),
        format!("/v1/projects/{FAKE_PRJ}/apps"),
    ] {
        let r = env.call_as(&alice, Method::GET, &path, None).await;
        assert_eq!(r.status, 404, "{path}");
    }
    env.server.shutdown().await;
}

#[tokio::test]
async fn databases_create_list_rotate_and_delete_as_the_platform_does() {
    let env = start().await;
    let pid = env.project("data").await;
    let base = format!("/v1/projects/{pid}/databases");
    let key = [("idempotency-key", "0b6c1c6a-1f7e-4b8e-9a53-6f4f4a7f2d11")];
    let r = env
        .call_with(
            Method::POST,
            &base,
            Some(&env.token),
            Some(json!({"name": "main"})),
            &key,
        )
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    let id = r.s("database_id");
    assert_eq!(r.body["created"], true);
    assert_eq!(r.s("authentication"), "comwit");
    let token = r.s("database_token");
    assert!(!token.is_empty(), "{r:?}");
    let url = r.s("database_url");
    let tenant = url
        .strip_prefix(&format!("{}/v1/", env.server.listeners().db))
        .unwrap_or_else(|| panic!("{url}"))
        .to_string();
    assert!(
        !tenant.is_empty() && tenant != id && !tenant.contains('/'),
        "{tenant}"
    );
    // Only the token's hash is kept.
    let store = rusqlite::Connection::open(env.dir.path().join("comwit-local.sqlite3")).unwrap();
    let dump: String = store
        .query_row(
            "SELECT group_concat(coalesce(body, ''), ' ') FROM idempotency",
            [],
            |r| r.get(0),
        )
        .unwrap_or_default();
    assert!(!dump.contains(&token), "the token is not stored for replay");
    drop(store);
    // A replay: `created: false`, no token.
    let again = env
        .call_with(
            Method::POST,
            &base,
            Some(&env.token),
            Some(json!({"name": "main"})),
            &key,
        )
        .await;
    assert_eq!(again.s("database_id"), id);
    assert_eq!(again.body["created"], false);
    assert!(again.body.get("database_token").is_none(), "{again:?}");
    // The newer CLI's field.
    let r = env
        .post(&base, json!({"name": "second", "authentication": "comwit"}))
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    let second = r.s("database_id");
    let dup = env.post(&base, json!({"name": "main"})).await;
    assert_eq!((dup.status, dup.code()), (409, "name_taken"));
    for bad in [
        json!({"name": "Main"}),
        json!({"name": "x", "size": 1}),
        json!({"name": "x", "authentication": "nope"}),
    ] {
        assert_eq!(env.post(&base, bad.clone()).await.status, 400, "{bad}");
    }
    // `creating`, then `cold`; the list is the only read.
    let list = env.get(&base).await;
    assert_eq!(list.body["databases"][0]["status"], "creating", "{list:?}");
    assert_eq!(
        list.body["databases"][0],
        json!({"database_id": id, "name": "main", "database_url": url, "status": "creating"})
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(env.get(&base).await.body["databases"][0]["status"], "cold");
    assert_eq!(env.get(&format!("{base}/{id}")).await.status, 405);
    // Rotation: a new token; the old one stops working.
    let rotated = env
        .post(&format!("{base}/{id}/token/rotate"), json!({}))
        .await;
    assert_eq!(rotated.status, 200, "{rotated:?}");
    assert_eq!(rotated.s("database_id"), id);
    assert_eq!(rotated.s("database_url"), url);
    assert_eq!(rotated.s("status"), "cold");
    let new_token = rotated.s("database_token");
    assert_ne!(new_token, token);
    let path = format!("/v1/{tenant}/v3/pipeline");
    let (status, _) = env
        .hrana(&path, Some(&token), json!({"requests": []}))
        .await;
    assert_eq!(status, 401);
    let (status, _) = env
        .hrana(&path, Some(&new_token), json!({"requests": []}))
        .await;
    assert_eq!(status, 200);
    // Delete: `{"ok":true,"database":{...,"status":"deleted"}}`; then it is gone from the list.
    let r = env.delete(&format!("{base}/{id}")).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        json!({"ok": true, "database": {"database_id": id, "database_url": url, "status": "deleted"}})
    );
    let left: Vec<Value> = env.get(&base).await.body["databases"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["database_id"], second.as_str());
    assert_eq!(env.delete(&format!("{base}/{id}")).await.status, 404);
    assert_eq!(
        env.post(&format!("{base}/{id}/token/rotate"), json!({}))
            .await
            .status,
        404
    );
    let (status, _) = env
        .hrana(&path, Some(&new_token), json!({"requests": []}))
        .await;
    assert_eq!(status, 401);
    env.server.shutdown().await;
}

#[tokio::test]
async fn apps_env_deployments_builds_and_rollback() {
    let env = start().await;
    let pid = env.project("apps").await;
    let base = format!("/v1/projects/{pid}/apps");
    // Create: `{"app":{app_id, name, active_build_id: null}}`.
    let r = env.post(&base, json!({"name": "web"})).await;
    assert_eq!(r.status, 201, "{r:?}");
    let id = r.body["app"]["app_id"].as_str().unwrap().to_string();
    assert_eq!(r.body["app"]["name"], "web");
    assert_eq!(r.body["app"]["active_build_id"], Value::Null);
    assert_eq!(env.post(&base, json!({"name": "web"})).await.status, 409);
    // `runtime` is not part of the public create.
    assert_eq!(
        env.post(&base, json!({"name": "api", "runtime": "next"}))
            .await
            .status,
        400
    );
    // The list: `{"apps":[...]}`, whole.
    let listed = env.get(&base).await;
    assert_eq!(
        listed.body,
        json!({"apps": [{"app_id": id, "name": "web", "active_build_id": null}]})
    );
    let a = format!("{base}/{id}");
    // The single read, with builds and the default hostname.
    let got = env.get(&a).await;
    assert_eq!(got.status, 200);
    let host = got.body["app"]["default_domain"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(host, format!("web-{}.comwit.app", &id[4..12]));
    assert_eq!(
        got.body["app"]["default_url"],
        format!("https://{host}").as_str()
    );
    assert_eq!(got.body["app"]["builds"], json!([]));
    // No public rename.
    let patched = env.patch(&a, json!({"name": "x"})).await.status;
    assert!(matches!(patched, 404 | 405), "{patched}");

    // Environment: one key at a time.
    let e = format!("{a}/environment");
    let r = env
        .put(
            &format!("{e}/PLAIN"),
            json!({"value": "hello", "secret": false}),
        )
        .await;
    assert_eq!(
        (r.status, r.body.clone()),
        (200, json!({"key": "PLAIN", "secret": false}))
    );
    let r = env.put(&format!("{e}/OTHER"), json!({"value": "1"})).await;
    assert_eq!(r.status, 200, "{r:?}");
    let r = env
        .put(
            &format!("{e}/PLAIN"),
            json!({"value": "changed", "secret": false}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        env.get(&e).await.body,
        json!({"variables": [
            {"key": "OTHER", "value": "1", "secret": false},
            {"key": "PLAIN", "value": "changed", "secret": false}
        ]})
    );
    // Secret values: refused as documented.
    let r = env
        .put(
            &format!("{e}/API_KEY"),
            json!({"value": "s3cret", "secret": true}),
        )
        .await;
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(
        r.body["detail"],
        "secret app env values are not enabled; store plain env values only"
    );
    let bad = env.put(&format!("{e}/1A"), json!({"value": "1"})).await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.body["detail"].as_str().unwrap().contains("key"),
        "{bad:?}"
    );
    assert_eq!(env.delete(&format!("{e}/OTHER")).await.status, 204);
    assert_eq!(env.delete(&format!("{e}/OTHER")).await.status, 404);
    assert_eq!(
        env.get(&e).await.body["variables"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Deployments: a zstd tar of a brrrd build folder.
    let d = format!("{a}/deployments");
    let manifest = r#"{"schemaVersion":6,"routes":[{"id":"/","pattern":"^/$","type":"static","file":"index"}]}"#;
    let p1 = package(&[("./manifest.json", manifest), ("./static/index", "v1")]);
    let r = env.deploy(&d, p1.clone(), "application/octet-stream").await;
    assert_eq!(r.status, 200, "{r:?}");
    let build1 = r.s("build_id");
    assert_eq!(r.body["app_id"], id.as_str());
    assert_eq!(r.body["uploaded"], true);
    assert_eq!(r.body["hosts"], json!([host]));
    assert_eq!(
        env.get(&a).await.body["app"]["active_build_id"],
        build1.as_str()
    );
    let p2 = package(&[("./manifest.json", manifest), ("./static/index", "v2")]);
    let r = env
        .deploy(
            &format!(
                "{d}?hosts=a.example.com,b.example.com&env_ref=main&max_concurrent_requests=8"
            ),
            p2,
            "application/octet-stream",
        )
        .await;
    assert_eq!(r.body["hosts"], json!(["a.example.com", "b.example.com"]));
    let build2 = r.s("build_id");
    assert_eq!(
        env.get(&a).await.body["app"]["active_build_id"],
        build2.as_str()
    );
    for (bytes, why) in [
        (package(&[("./static/index", "x")]), "manifest.json"),
        (package(&[("./manifest.json", "{")]), "not valid JSON"),
        (
            package(&[("./manifest.json", r#"{"routes":[]}"#)]),
            "schemaVersion",
        ),
        (bundle(&[("manifest.json", manifest)]), "zstd"),
        (b"not a package".to_vec(), "zstd"),
    ] {
        let r = env.deploy(&d, bytes, "application/octet-stream").await;
        assert_eq!(r.status, 400, "{why}: {r:?}");
        assert!(
            r.body["detail"].as_str().unwrap().contains(why),
            "{why}: {r:?}"
        );
    }
    let r = env
        .deploy(
            &format!("{d}?max_concurrent_requests=0"),
            p1.clone(),
            "application/octet-stream",
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        env.deploy(&d, p1.clone(), "application/gzip").await.status,
        415
    );
    assert_eq!(
        env.deploy(&d, vec![0u8; 2 << 20], "application/octet-stream")
            .await
            .status,
        413
    );
    // Builds: `{"builds":[...]}`, no status.
    let builds = env.get(&format!("{a}/builds")).await;
    let list = builds.body["builds"].as_array().unwrap().clone();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["build_id"], build1.as_str());
    assert_eq!(list[0]["artifact_size"], p1.len());
    assert!(list[0]["deployed_at_ms"].as_i64().unwrap() > 0);
    assert!(list[0].get("status").is_none());
    assert_eq!(env.get(&a).await.body["app"]["builds"], json!(list));

    // Rollback (extension).
    let r = env
        .post(&format!("{a}/rollback"), json!({"build_id": build1}))
        .await;
    assert_eq!(
        (r.status, r.body["app"]["active_build_id"].clone()),
        (200, json!(build1))
    );
    let r = env
        .post(
            &format!("{a}/rollback"),
            json!({"build_id": "build-unknown"}),
        )
        .await;
    assert_eq!(r.status, 404);
    let other = app(&env, &pid, "third").await;
    let r = env
        .post(
            &format!("{base}/{other}/rollback"),
            json!({"build_id": build1}),
        )
        .await;
    assert_eq!(r.status, 404, "a build of another app is not this app's");

    // DELETE: complete:false first (cleanup goes on), the app gone from every other route;
    // a repeat completes; then 404.
    let r = env.delete(&a).await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["app_id"], id.as_str());
    assert_eq!(r.body["complete"], false);
    assert_eq!(r.body["artifacts_present"], 2);
    assert_eq!(r.body["errors"], json!([]));
    assert_eq!(env.get(&a).await.status, 404);
    assert_eq!(env.get(&e).await.status, 404);
    assert!(env.get(&base).await.body["apps"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["app_id"] != id.as_str()));
    let r = env.delete(&a).await;
    assert_eq!((r.status, r.body["complete"].clone()), (200, json!(true)));
    assert_eq!(r.body["artifacts_deleted"], 2);
    assert_eq!(env.delete(&a).await.status, 404);
    env.server.shutdown().await;
}

#[tokio::test]
async fn manual_dns_hostnames() {
    let env = start().await;
    let pid = env.project("web").await;
    let app_id = app(&env, &pid, "site").await;
    let a = format!("/v1/projects/{pid}/apps/{app_id}");
    let h = format!("{a}/domains");
    let default_host = env.get(&a).await.body["app"]["default_domain"]
        .as_str()
        .unwrap()
        .to_string();
    // Manual DNS (`external_records`): flat, with the records to publish.
    let r = env
        .post(
            &h,
            json!({"domain": "www.example.org", "dns_mode": "external_records"}),
        )
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(r.s("domain"), "www.example.org");
    assert_eq!(r.s("app_id"), app_id);
    assert_eq!(r.s("status"), "pending");
    assert_eq!(r.s("dns_mode"), "external_records");
    let recs = r.body["dns_records"].as_array().unwrap().clone();
    assert_eq!(recs.len(), 2, "{r:?}");
    assert_eq!(
        recs[0],
        json!({"record_type": "CNAME", "name": "www.example.org", "value": default_host})
    );
    assert_eq!(recs[1]["record_type"], "TXT");
    assert_eq!(recs[1]["name"], "_cf-challenge.www.example.org");
    assert!(recs[1]["value"]
        .as_str()
        .unwrap()
        .starts_with("comwit-verify="));

    // An apex gets an A record; `external_records` is the default mode.
    let r = env.post(&h, json!({"domain": "example.net"})).await;
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(r.s("dns_mode"), "external_records");
    assert_eq!(r.body["dns_records"][0]["record_type"], "A");
    assert_eq!(r.body["dns_records"][0]["name"], "example.net");

    // One app per hostname, platform-wide.
    let other = app(&env, &pid, "other").await;
    let other_h = format!("/v1/projects/{pid}/apps/{other}/domains");
    let r = env
        .post(
            &other_h,
            json!({"domain": "www.example.org", "dns_mode": "external_records"}),
        )
        .await;
    assert_eq!((r.status, r.code()), (409, "hostname_taken"));
    for (bad, field) in [
        (json!({"domain": "WWW.example.org"}), "domain"),
        (json!({"domain": "localhost"}), "domain"),
        (json!({"domain": "a..b.org"}), "domain"),
        (json!({"domain": "x.comwit.app"}), "domain"),
        (
            json!({"domain": format!("{}.org", "a".repeat(240))}),
            "domain",
        ),
        (
            json!({"domain": "ok.example.org", "dns_mode": "manual"}),
            "dns_mode",
        ),
        (
            json!({"domain": "ok.example.org", "hostname": "ok.example.org"}),
            "hostname",
        ),
        // Automatic DNS needs a managed project domain at or above the hostname.
        (
            json!({"domain": "ok.example.org", "dns_mode": "managed_project_domain"}),
            "domain",
        ),
    ] {
        let r = env.post(&h, bad.clone()).await;
        assert_eq!((r.status, r.code()), (400, "bad_request"), "{bad}: {r:?}");
        let detail = r.body["detail"].as_str().unwrap();
        assert!(detail.starts_with(&format!("{field}:")), "{bad}: {detail}");
    }

    // Not visible yet: finalize refuses.
    let finalize = format!("{h}/www.example.org/finalize");
    let r = env.post(&finalize, json!({})).await;
    assert_eq!((r.status, r.code()), (409, "dns_records_not_visible"));
    let status_of = |list: &Value, host: &str| {
        list["domains"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["domain"] == host)
            .map(|d| d["status"].as_str().unwrap().to_string())
    };

    // Publish the records in a zone comwit-local hosts (another project's, even).
    let zone_pid = env.project("dns").await;
    domain(&env, &zone_pid, "example.org").await;
    let recs_path = format!("/v1/projects/{zone_pid}/domains/example.org/records");
    let r = env
        .post(
            &recs_path,
            json!({"name": "www", "type": "CNAME", "ttl": 300, "values": [recs[0]["value"]]}),
        )
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    let list = env.get(&h).await;
    assert_eq!(
        status_of(&list.body, "www.example.org").as_deref(),
        Some("pending")
    );
    let r = env
        .post(&recs_path, json!({"name": "_cf-challenge.www.example.org", "type": "TXT", "ttl": 300, "values": [recs[1]["value"]]}))
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    let list = env.get(&h).await;
    assert_eq!(
        status_of(&list.body, "www.example.org").as_deref(),
        Some("active"),
        "{list:?}"
    );
    assert_eq!(list.body["domains"].as_array().unwrap().len(), 2);
    assert_eq!(
        list.body["domains"][0],
        json!({"domain": "www.example.org", "app_id": app_id, "status": "active"})
    );
    let r = env.post(&finalize, json!({})).await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        r.body,
        json!({"domain": {"domain": "www.example.org", "app_id": app_id, "status": "active"}})
    );
    assert_eq!(
        env.post(&format!("{h}/nope.example.org/finalize"), json!({}))
            .await
            .status,
        404
    );
    assert_eq!(
        env.post(&format!("{h}/not_a_host/finalize"), json!({}))
            .await
            .status,
        404
    );
    // DELETE: flat, `deleted`; then gone.
    let r = env.delete(&format!("{h}/www.example.org")).await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        r.body,
        json!({"domain": "www.example.org", "app_id": app_id, "status": "deleted"})
    );
    assert_eq!(
        env.delete(&format!("{h}/www.example.org")).await.status,
        404
    );
    assert_eq!(status_of(&env.get(&h).await.body, "www.example.org"), None);
    // Now free for another app.
    let r = env
        .post(
            &other_h,
            json!({"domain": "www.example.org", "dns_mode": "external_records"}),
        )
        .await;
    assert_eq!(r.status, 201);
    env.server.shutdown().await;
}

#[tokio::test]
async fn automatic_dns_hostnames_write_managed_records() {
    let env = start().await;
    let pid = env.project("auto").await;
    let app_id = app(&env, &pid, "site").await;
    let a = format!("/v1/projects/{pid}/apps/{app_id}");
    let h = format!("{a}/domains");
    domain(&env, &pid, "example.com").await;
    let zone = format!("/v1/projects/{pid}/domains/example.com");
    let auto = |host: &str| json!({"domain": host, "dns_mode": "managed_project_domain"});
    let r = env.post(&h, auto("app.example.com")).await;
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(r.s("status"), "active");
    assert_eq!(r.s("dns_mode"), "managed_project_domain");
    // The platform writes the records into the zone: `owner: platform_app`.
    let r = env.get(&format!("{zone}/records")).await;
    let items = r.body["records"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2, "{r:?}");
    for i in &items {
        assert_eq!(i["owner"], "platform_app", "{i}");
        assert_eq!(i["owner_resource_type"], "runtime_app", "{i}");
        assert_eq!(i["owner_resource_id"], app_id.as_str(), "{i}");
    }
    assert_eq!(items[0]["type"], "CNAME");
    assert_eq!(items[0]["name"], "app.example.com");
    assert_eq!(items[1]["name"], "_cf-challenge.app.example.com");
    let managed = items[0]["id"].as_str().unwrap().to_string();
    let r = env
        .put(
            &format!("{zone}/records/{managed}"),
            json!({"name": "app", "type": "CNAME", "ttl": 300, "values": ["elsewhere.example.net"]}),
        )
        .await;
    assert_eq!((r.status, r.code()), (409, "record_managed"));
    let r = env.delete(&format!("{zone}/records/{managed}")).await;
    assert_eq!((r.status, r.code()), (409, "record_managed"));
    // The apex of the zone gets an A record.
    let r = env.post(&h, auto("example.com")).await;
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(r.body["dns_records"][0]["record_type"], "A");
    // A user record where the managed CNAME would go: 409.
    let r = env
        .post(
            &format!("{zone}/records"),
            json!({"name": "taken", "type": "A", "ttl": 300, "values": ["192.0.2.7"]}),
        )
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    let r = env.post(&h, auto("taken.example.com")).await;
    assert_eq!((r.status, r.code()), (409, "record_conflict"));
    // The hostname must be at or under one of the project's managed domains.
    let r = env.post(&h, auto("www.other.com")).await;
    assert_eq!(r.status, 400, "{r:?}");
    assert!(r.body["detail"].as_str().unwrap().starts_with("domain:"));
    // The domain cannot go while hostnames use it; the detail names them.
    let r = env.delete(&zone).await;
    assert_eq!((r.status, r.code()), (409, "domain_in_use"));
    let detail = r.body["detail"].as_str().unwrap();
    assert!(detail.contains("app.example.com, example.com"), "{detail}");
    assert_eq!(
        env.delete(&format!("{h}/app.example.com")).await.status,
        200
    );
    let left = env.get(&format!("{zone}/records")).await;
    assert_eq!(
        left.body["records"].as_array().unwrap().len(),
        3,
        "detach removes the managed records"
    );
    // Deleting the app (until complete) removes its hostnames' managed records too.
    assert_eq!(env.delete(&a).await.body["complete"], false);
    assert_eq!(env.delete(&a).await.body["complete"], true);
    let left = env.get(&format!("{zone}/records")).await;
    let left = left.body["records"].as_array().unwrap().clone();
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["owner"], "user");
    let r = env.delete(&zone).await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["domain"]["domain"], "example.com");
    assert_eq!(r.body["domain"]["status"], "deleted");
    assert_eq!(
        env.get(&format!("/v1/projects/{pid}/domains")).await.body,
        json!({"domains": []})
    );
    assert_eq!(env.get(&format!("{zone}/records")).await.status, 404);
    env.server.shutdown().await;
}

#[tokio::test]
async fn domains_onboarding() {
    let env = start_with(|c| c.domain_activation_delay = Duration::from_millis(300)).await;
    let pid = env.project("zones").await;
    let base = format!("/v1/projects/{pid}/domains");
    let delegated = |d: &str| json!({"domain": d, "dns_mode": "route53_delegated"});
    let r = env.post(&base, delegated("example.com")).await;
    assert_eq!(r.status, 201, "{r:?}");
    let d = &r.body["domain"];
    assert_eq!(d["domain"], "example.com");
    assert_eq!(d["project_id"], pid.as_str());
    assert_eq!(d["dns_mode"], "route53_delegated");
    assert_eq!(d["status"], "pending_delegation");
    assert_eq!(d["nameservers"].as_array().unwrap().len(), 4);
    assert_eq!(d["delegation"]["matched"], false);
    assert!(d["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(
        r.headers["location"],
        format!("{base}/example.com").as_str()
    );
    let check = format!("{base}/example.com/delegation-check");
    let r = env.post(&check, json!({})).await;
    assert_eq!((r.status, r.body["matched"].clone()), (200, json!(false)));
    tokio::time::sleep(Duration::from_millis(350)).await;
    let r = env.post(&check, json!({})).await;
    assert_eq!(r.body["matched"], true, "{r:?}");
    assert_eq!(r.body["domain"]["status"], "active");
    assert_eq!(env.get(&base).await.body["domains"][0]["status"], "active");
    for (body, code) in [
        (delegated("example.com"), 409),
        (delegated("sub.example.com"), 409),
        (delegated("com"), 400),
        (delegated("Example.org"), 400),
        (delegated("x.comwit.app"), 400),
        (delegated("a_b.org"), 400),
        (json!({"domain": "ok.org", "dns_mode": "external"}), 400),
        (
            json!({"domain": "ok.org", "dns_mode": "route53_delegated", "x": 1}),
            400,
        ),
    ] {
        let r = env.post(&base, body.clone()).await;
        assert_eq!(r.status, code, "{body}: {r:?}");
    }
    // Platform-wide: another project cannot onboard it (nor a parent of it).
    let other = env.project("other").await;
    let other_base = format!("/v1/projects/{other}/domains");
    assert_eq!(
        env.post(&other_base, delegated("example.com")).await.status,
        409
    );
    let sub = env
        .post(&other_base, delegated("deep.sub.example.org"))
        .await;
    assert_eq!(sub.status, 201);
    assert_eq!(env.post(&base, delegated("example.org")).await.status, 409);
    // Another project's domain is not found here.
    for r in [
        env.post(
            &format!("{base}/deep.sub.example.org/delegation-check"),
            json!({}),
        )
        .await,
        env.get(&format!("{base}/deep.sub.example.org/records"))
            .await,
        env.delete(&format!("{base}/deep.sub.example.org")).await,
    ] {
        assert_eq!(r.status, 404, "{r:?}");
    }
    assert_eq!(
        env.get(&base).await.body["domains"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    env.server.shutdown().await;
}

#[tokio::test]
async fn records_are_validated_per_type() {
    let env = start().await;
    let pid = env.project("dns").await;
    domain(&env, &pid, "example.com").await;
    let base = format!("/v1/projects/{pid}/domains/example.com/records");
    // The public shape: all four fields, `ttl` required; MX carries its preference in the value.
    let ok = [
        json!({"name": "www", "type": "A", "values": ["192.0.2.1", "192.0.2.2"], "ttl": 60}),
        json!({"name": "www.example.com", "type": "AAAA", "values": ["2001:db8::1"], "ttl": 300}),
        json!({"name": "@", "type": "MX", "values": ["10 mx1.example.net"], "ttl": 3600}),
        json!({"name": "@", "type": "TXT", "values": ["v=spf1 -all"], "ttl": 300}),
        json!({"name": "blog", "type": "CNAME", "values": ["site-12345678.comwit.app"], "ttl": 300}),
        json!({"name": "*.dev", "type": "A", "values": ["192.0.2.9"], "ttl": 86400}),
        json!({"name": "@", "type": "A_ALIAS", "values": ["site-12345678.comwit.app"], "ttl": 300}),
    ];
    let mut ids = Vec::new();
    for body in ok {
        let r = env.post(&base, body.clone()).await;
        assert_eq!(r.status, 201, "{body}: {r:?}");
        let rec = &r.body["record"];
        assert!(rec["id"].as_str().unwrap().starts_with("dnsrec_"), "{r:?}");
        assert_eq!(rec["type"], body["type"]);
        assert_eq!(rec["ttl"], body["ttl"]);
        assert_eq!(rec["values"], body["values"]);
        assert_eq!(rec["owner"], "user");
        assert!(rec["project_domain_id"].is_string(), "{r:?}");
        ids.push(rec["id"].as_str().unwrap().to_string());
    }
    // No single read: the list holds them, names fully qualified.
    let listed = env.get(&base).await;
    let by_id = |id: &str| {
        listed.body["records"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} not listed"))
    };
    assert_eq!(by_id(&ids[0])["name"], "www.example.com");
    assert_eq!(by_id(&ids[0])["ttl"], 60);
    assert_eq!(by_id(&ids[2])["name"], "example.com");
    assert_eq!(by_id(&ids[2])["values"], json!(["10 mx1.example.net"]));
    assert_eq!(by_id(&ids[5])["name"], "*.dev.example.com");
    assert_eq!(by_id(&ids[6])["name"], "example.com");
    assert_eq!(env.get(&format!("{base}/{}", ids[0])).await.status, 405);

    let r = |v: Value| v;
    let bad = [
        (
            r(json!({"name": "a", "type": "A", "values": ["256.0.0.1"], "ttl": 300})),
            "values[0]",
        ),
        (
            r(json!({"name": "a", "type": "A", "values": ["192.0.2.1", "01.2.3.4"], "ttl": 300})),
            "values[1]",
        ),
        (
            r(json!({"name": "a", "type": "A", "values": ["192.0.2.1", "192.0.2.1"], "ttl": 300})),
            "values[1]",
        ),
        (
            r(json!({"name": "a", "type": "A", "values": [], "ttl": 300})),
            "values",
        ),
        (
            r(json!({"name": "a", "type": "AAAA", "values": ["192.0.2.1"], "ttl": 300})),
            "values[0]",
        ),
        (
            r(
                json!({"name": "a", "type": "CNAME", "values": ["x.example.net", "y.example.net"], "ttl": 300}),
            ),
            "values",
        ),
        (
            r(json!({"name": "a", "type": "CNAME", "values": ["not a host"], "ttl": 300})),
            "values[0]",
        ),
        (
            r(json!({"name": "a", "type": "TXT", "values": ["tab\there"], "ttl": 300})),
            "values[0]",
        ),
        (
            r(json!({"name": "a", "type": "MX", "values": ["mx.example.net"], "ttl": 300})),
            "values[0]",
        ),
        (
            r(json!({"name": "a", "type": "MX", "values": ["70000 mx.example.net"], "ttl": 300})),
            "values[0]",
        ),
        (
            r(json!({"name": "a", "type": "A_ALIAS", "values": ["192.0.2.1 x"], "ttl": 300})),
            "values[0]",
        ),
        (
            r(json!({"name": "a", "type": "A", "values": ["192.0.2.1"]})),
            "ttl",
        ),
        (
            r(json!({"name": "a", "type": "A", "values": ["192.0.2.1"], "ttl": 59})),
            "ttl",
        ),
        (
            r(json!({"name": "a", "type": "A", "values": ["192.0.2.1"], "ttl": 86401})),
            "ttl",
        ),
        (
            r(json!({"name": "a", "type": "A", "values": ["192.0.2.1"], "ttl": 1.5})),
            "ttl",
        ),
        (
            r(json!({"name": "a", "type": "NS", "values": ["ns.example.net"], "ttl": 300})),
            "type",
        ),
        (
            r(
                json!({"name": "a", "type": "SRV", "values": ["5 5060 sip.example.com"], "ttl": 300}),
            ),
            "type",
        ),
        (
            r(json!({"name": "a", "type": "CAA", "values": ["0 issue \"x.org\""], "ttl": 300})),
            "type",
        ),
        (
            r(json!({"name": "A", "type": "A", "values": ["192.0.2.1"], "ttl": 300})),
            "name",
        ),
        (
            r(json!({"name": "a.*", "type": "A", "values": ["192.0.2.1"], "ttl": 300})),
            "name",
        ),
        // `priority` is no member of the public record: MX puts it in the value.
        (
            r(
                json!({"name": "a", "type": "MX", "values": ["10 mx.example.net"], "ttl": 300, "priority": 10}),
            ),
            "priority",
        ),
        (
            r(
                json!({"name": "a", "type": "A", "values": ["192.0.2.1"], "ttl": 300, "comment": "x"}),
            ),
            "comment",
        ),
        (
            json!({"name": format!("{}.{}.{}.{}", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(50)), "type": "A", "values": ["192.0.2.1"], "ttl": 300}),
            "name",
        ),
    ];
    for (body, field) in bad {
        let r = env.post(&base, body.clone()).await;
        // A plain 400 problem whose detail names the field (no `field` member is public).
        assert_eq!((r.status, r.code()), (400, "bad_request"), "{body}: {r:?}");
        let detail = r.body["detail"].as_str().unwrap();
        assert!(
            detail.starts_with(&format!("{field}: ")),
            "{body}: {detail}"
        );
    }
    let conflicts = [
        json!({"name": "www", "type": "A", "values": ["192.0.2.3"], "ttl": 300}),
        json!({"name": "www", "type": "CNAME", "values": ["x.example.net"], "ttl": 300}),
        json!({"name": "blog", "type": "TXT", "values": ["hi"], "ttl": 300}),
        json!({"name": "@", "type": "CNAME", "values": ["x.example.net"], "ttl": 300}),
    ];
    for body in conflicts {
        let r = env.post(&base, body.clone()).await;
        assert_eq!(
            (r.status, r.code()),
            (409, "record_conflict"),
            "{body}: {r:?}"
        );
    }
    assert_eq!(
        env.get(&base).await.body["records"]
            .as_array()
            .unwrap()
            .len(),
        7
    );

    // Replace (the full four fields) keeps the id, may change name and type.
    let one = format!("{base}/{}", ids[0]);
    let r = env
        .put(
            &one,
            json!({"name": "www2", "type": "TXT", "values": ["moved"], "ttl": 120}),
        )
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let rec = &r.body["record"];
    assert_eq!(
        (
            rec["id"].clone(),
            rec["name"].clone(),
            rec["type"].clone(),
            rec["ttl"].clone()
        ),
        (
            json!(ids[0]),
            json!("www2.example.com"),
            json!("TXT"),
            json!(120)
        )
    );
    let r = env
        .put(
            &one,
            json!({"name": "blog", "type": "TXT", "values": ["x"], "ttl": 300}),
        )
        .await;
    assert_eq!((r.status, r.code()), (409, "record_conflict"));
    let r = env
        .put(
            &one,
            json!({"name": "www2", "type": "A", "values": ["x"], "ttl": 300}),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = env
        .put(
            &one,
            json!({"name": "www2", "type": "TXT", "values": ["x"]}),
        )
        .await;
    assert_eq!(r.status, 400, "a replacement has all four fields: {r:?}");
    assert!(r.body["detail"].as_str().unwrap().starts_with("ttl: "));
    assert_eq!(
        env.put(
            &format!("{base}/dnsrec_0000000000000000"),
            json!({"name": "x", "type": "TXT", "values": ["x"], "ttl": 300})
        )
        .await
        .status,
        404
    );
    // DELETE answers the record; then it is gone.
    let r = env.delete(&one).await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["record"]["id"], ids[0].as_str());
    assert_eq!(r.body["record"]["name"], "www2.example.com");
    assert_eq!(env.delete(&one).await.status, 404);
    assert!(env.get(&base).await.body["records"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["id"] != ids[0].as_str()));
    assert_eq!(
        env.get(&format!("/v1/projects/{pid}/domains/nope.com/records"))
            .await
            .status,
        404
    );
    env.server.shutdown().await;
}

#[tokio::test]
async fn lists_are_whole() {
    // The public lists take no paging parameters and answer everything at once,
    // `{"<things>":[...]}`; there is no `items`/`next_cursor` envelope.
    let env = start().await;
    for i in 0..7 {
        env.project(&format!("p{i}")).await;
    }
    for path in [
        "/v1/projects",
        "/v1/projects?limit=3",
        "/v1/projects?cursor=abc",
    ] {
        let r = env.get(path).await;
        assert_eq!(r.status, 200, "{path}: {r:?}");
        let obj = r.body.as_object().unwrap();
        assert_eq!(obj.keys().collect::<Vec<_>>(), vec!["projects"], "{path}");
        let names: Vec<&str> = r.body["projects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            (0..7).map(|i| format!("p{i}")).collect::<Vec<_>>(),
            "{path}"
        );
    }
    // More than any old page (100) comes in one answer.
    let pid = env.project("many").await;
    for i in 0..105 {
        app(&env, &pid, &format!("app{i}")).await;
    }
    let r = env.get(&format!("/v1/projects/{pid}/apps")).await;
    let apps = r.body["apps"].as_array().unwrap();
    assert_eq!(apps.len(), 105);
    assert!(r.body.get("next_page_token").is_none());
    assert_eq!(apps[0]["name"], "app0");
    assert_eq!(apps[104]["name"], "app104");
    env.server.shutdown().await;
}

#[tokio::test]
async fn idempotent_retries() {
    let env = start().await;
    let key = [("idempotency-key", "create-alpha-1")];
    let first = env
        .call_with(
            Method::POST,
            "/v1/projects",
            Some(&env.token),
            Some(json!({"name": "alpha"})),
            &key,
        )
        .await;
    assert_eq!(first.status, 201);
    assert!(first.headers.get("idempotency-replayed").is_none());
    let again = env
        .call_with(
            Method::POST,
            "/v1/projects",
            Some(&env.token),
            Some(json!({"name": "alpha"})),
            &key,
        )
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body);
    assert_eq!(again.headers["idempotency-replayed"], "true");
    assert_eq!(again.headers["location"], first.headers["location"]);
    let other = env
        .call_with(
            Method::POST,
            "/v1/projects",
            Some(&env.token),
            Some(json!({"name": "beta"})),
            &key,
        )
        .await;
    assert_eq!((other.status, other.code()), (400, "idempotency_mismatch"));
    assert_eq!(
        env.get("/v1/projects").await.body["projects"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Keys are per user.
    let admin = env.server.admin();
    admin.create_user("bob").unwrap();
    let bob = admin.create_token("bob", &["all"], "t").unwrap().secret;
    let r = env
        .call_with(
            Method::POST,
            "/v1/projects",
            Some(&bob),
            Some(json!({"name": "beta"})),
            &key,
        )
        .await;
    assert_eq!(r.status, 201);
    // Bad keys.
    let long = "k".repeat(256);
    let r = env
        .call_with(
            Method::POST,
            "/v1/projects",
            Some(&env.token),
            Some(json!({"name": "gamma"})),
            &[("idempotency-key", long.as_str())],
        )
        .await;
    // A plain 400 whose detail names the header (no `field` member is public).
    assert_eq!(r.status, 400, "{r:?}");
    assert!(r.body["detail"]
        .as_str()
        .unwrap()
        .starts_with("Idempotency-Key: "));
    // A failed request does not bind a key.
    let pid = first.body["project"]["project_id"]
        .as_str()
        .unwrap()
        .to_string();
    let k2 = [("idempotency-key", "db-1")];
    let db_path = format!("/v1/projects/{pid}/databases");
    let r = env
        .call_with(
            Method::POST,
            &db_path,
            Some(&env.token),
            Some(json!({"name": "BAD"})),
            &k2,
        )
        .await;
    assert_eq!(r.status, 400);
    let r1 = env
        .call_with(
            Method::POST,
            &db_path,
            Some(&env.token),
            Some(json!({"name": "good"})),
            &k2,
        )
        .await;
    assert_eq!(r1.status, 201);
    let r2 = env
        .call_with(
            Method::POST,
            &db_path,
            Some(&env.token),
            Some(json!({"name": "good"})),
            &k2,
        )
        .await;
    // The replay: the same database, `created: false`, without the one-time token.
    assert_eq!((r2.status, r2.s("database_id")), (201, r1.s("database_id")));
    assert_eq!(r2.body["created"], false);
    assert!(r2.body.get("database_token").is_none());
    assert_eq!(
        env.get(&db_path).await.body["databases"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Deploys too: same bytes, same build.
    let app_id = app(&env, &pid, "web").await;
    let dpath = format!("/v1/projects/{pid}/apps/{app_id}/deployments");
    let b = package(&[("./manifest.json", r#"{"schemaVersion":6,"routes":[]}"#)]);
    let mut builds = Vec::new();
    for _ in 0..2 {
        let r = env
            .http
            .post(env.url(&dpath))
            .bearer_auth(&env.token)
            .header("content-type", "application/octet-stream")
            .header("idempotency-key", "deploy-1")
            .body(b.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        builds.push(r.json::<Value>().await.unwrap()["build_id"].clone());
    }
    assert_eq!(builds[0], builds[1]);
    assert_eq!(
        env.get(&format!("/v1/projects/{pid}/apps/{app_id}/builds"))
            .await
            .body["builds"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    env.server.shutdown().await;
}

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = local_common::config(dir.path());
    let server = comwit::local::serve(cfg.clone()).await.unwrap();
    let token = server.dev_token().unwrap();
    let http = reqwest::Client::new();
    let r: Value = http
        .post(format!("{}/v1/projects", server.url()))
        .bearer_auth(&token)
        .json(&json!({"name": "kept"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let pid = r["project"]["project_id"].as_str().unwrap().to_string();
    let alice = server.admin().create_user("alice").unwrap();
    let alice_token = server
        .admin()
        .create_token("alice", &["project:read"], "t")
        .unwrap()
        .secret;
    server.admin().add_member(&pid, "alice").unwrap();
    let addr_file = std::fs::read_to_string(dir.path().join("address")).unwrap();
    assert_eq!(addr_file.trim(), server.addr().to_string());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("dev-token"))
            .unwrap()
            .trim(),
        token
    );
    server.shutdown().await;

    let server = comwit::local::serve(cfg).await.unwrap();
    assert_eq!(server.dev_token().unwrap(), token, "the dev token is kept");
    let r: Value = http
        .get(format!("{}/v1/projects/{pid}", server.url()))
        .bearer_auth(&alice_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["project"]["name"], "kept");
    assert_eq!(server.admin().users().unwrap().len(), 2);
    assert!(server.admin().users().unwrap().contains(&alice));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_lose_and_duplicate_nothing() {
    let env = std::sync::Arc::new(start().await);
    let pid = env.project("busy").await;
    let path = format!("/v1/projects/{pid}/databases");
    let mut tasks = Vec::new();
    for i in 0..60 {
        let env = env.clone();
        let path = path.clone();
        tasks.push(tokio::spawn(async move {
            env.post(&path, json!({"name": format!("db{i}")}))
                .await
                .status
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 201);
    }
    // The list is whole: every database once.
    let mut seen = std::collections::HashSet::new();
    let r = env.get(&path).await;
    for i in r.body["databases"].as_array().unwrap() {
        assert!(seen.insert(i["name"].as_str().unwrap().to_string()));
    }
    assert_eq!(seen.len(), 60);
    // The same name from many clients at once: exactly one wins.
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let env = env.clone();
        let pid = pid.clone();
        tasks.push(tokio::spawn(async move {
            env.post(&format!("/v1/projects/{pid}/apps"), json!({"name": "same"}))
                .await
                .status
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 19);
    // The same idempotency key from many clients at once: one object.
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let env = env.clone();
        let pid = pid.clone();
        tasks.push(tokio::spawn(async move {
            env.call_with(
                Method::POST,
                &format!("/v1/projects/{pid}/domains"),
                Some(&env.token),
                Some(json!({"domain": "race.example", "dns_mode": "route53_delegated"})),
                &[("idempotency-key", "race")],
            )
            .await
            .status
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 201);
    }
    assert_eq!(
        env.get(&format!("/v1/projects/{pid}/domains")).await.body["domains"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused_and_nothing_is_written() {
    let env = start().await;
    let pid = env.project("big").await;
    let app_id = app(&env, &pid, "web").await;
    let e = format!("/v1/projects/{pid}/apps/{app_id}/environment");
    let r = env
        .put(&format!("{e}/BIG"), json!({ "value": "x".repeat(2 << 20) }))
        .await;
    assert_eq!((r.status, r.code()), (413, "payload_too_large"));
    assert_eq!(env.get(&e).await.body["variables"], json!([]));
    env.server.shutdown().await;
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let env = start_with(|c| c.rate_limit = Some(5)).await;
    let mut limited = None;
    for _ in 0..20 {
        let r = env.get("/v1/projects").await;
        if r.status == 429 {
            limited = Some(r);
            break;
        }
        assert_eq!(r.status, 200);
    }
    let r = limited.expect("a burst beyond the limit is refused");
    assert_eq!(r.code(), "rate_limited");
    let wait: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(wait >= 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(env.get("/v1/projects").await.status, 200);
    env.server.shutdown().await;
}

#[tokio::test]
async fn latency_is_added() {
    let env = start_with(|c| c.latency = Duration::from_millis(150)).await;
    let t = std::time::Instant::now();
    assert_eq!(env.get("/v1/projects").await.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(150));
    env.server.shutdown().await;
}

/// A fake DNS server that publishes a hostname's records: the background check finds them.
#[tokio::test]
async fn manual_dns_found_at_the_resolver() {
    use hickory_proto::op::{Message, OpCode};
    use hickory_proto::rr::rdata::{A, CNAME, TXT};
    use hickory_proto::rr::{Name, RData, Record};
    let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let resolver = sock.local_addr().unwrap();
    let published: std::sync::Arc<std::sync::Mutex<Vec<(Name, RData)>>> = Default::default();
    let zone = published.clone();
    let dns_task = tokio::spawn(async move {
        let mut buf = [0u8; 1500];
        loop {
            let Ok((n, from)) = sock.recv_from(&mut buf).await else {
                return;
            };
            let Ok(q) = Message::from_vec(&buf[..n]) else {
                continue;
            };
            let Some(question) = q.queries.first().cloned() else {
                continue;
            };
            let mut r = Message::response(q.metadata.id, OpCode::Query);
            r.add_query(question.clone());
            for (name, data) in zone.lock().unwrap().iter() {
                if *name == *question.name() && data.record_type() == question.query_type() {
                    r.add_answer(Record::from_rdata(name.clone(), 300, data.clone()));
                }
            }
            let _ = sock.send_to(&r.to_vec().unwrap(), from).await;
        }
    });
    let env = start_with(|c| c.resolver = Some(resolver)).await;
    let pid = env.project("ext").await;
    let app_id = app(&env, &pid, "web").await;
    let a = format!("/v1/projects/{pid}/apps/{app_id}");
    let status_of = |list: &Value| {
        list["domains"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["domain"] == "shop.example.io")
            .map(|d| d["status"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let r = env
        .post(
            &format!("{a}/domains"),
            json!({"domain": "shop.example.io", "dns_mode": "external_records"}),
        )
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        status_of(&env.get(&format!("{a}/domains")).await.body),
        "pending"
    );
    for rec in r.body["dns_records"].as_array().unwrap() {
        let value = rec["value"].as_str().unwrap();
        let data = match rec["record_type"].as_str().unwrap() {
            "CNAME" => RData::CNAME(CNAME(Name::from_ascii(value).unwrap())),
            "TXT" => RData::TXT(TXT::new(vec![value.to_string()])),
            _ => RData::A(A(value.parse().unwrap())),
        };
        // Fully qualified, as the question's name arrives.
        let name = Name::from_ascii(format!("{}.", rec["name"].as_str().unwrap())).unwrap();
        published.lock().unwrap().push((name, data));
    }
    let mut status = String::new();
    for _ in 0..50 {
        status = status_of(&env.get(&format!("{a}/domains")).await.body);
        if status == "active" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "active");
    env.server.shutdown().await;
    dns_task.abort();
}

#[tokio::test]
async fn admin_tokens_carry_chosen_scopes() {
    let env = start().await;
    let admin = env.server.admin();
    assert!(admin.create_user("Bad Name").is_err());
    admin.create_user("carol").unwrap();
    assert!(admin.create_user("carol").is_err());
    assert!(admin.create_token("carol", &["app:fly"], "t").is_err());
    assert!(admin.create_token("nobody", &["all"], "t").is_err());
    let t = admin
        .create_token("carol", &["app:read", "project:read"], "ci")
        .unwrap();
    assert!(t.secret.starts_with("cwt_"));
    // No `/v1/me` on the platform: the scopes show in what the token may do.
    let r = env
        .call_as(&t.secret, Method::GET, "/v1/projects", None)
        .await;
    assert_eq!(r.status, 200, "{r:?}");
    let r = env
        .call_as(
            &t.secret,
            Method::GET,
            &format!("/v1/projects/{FAKE_PRJ}/apps"),
            None,
        )
        .await;
    assert_eq!(r.status, 404, "app:read passes: {r:?}");
    let r = env
        .call_as(
            &t.secret,
            Method::GET,
            &format!("/v1/projects/{FAKE_PRJ}/databases"),
            None,
        )
        .await;
    assert_eq!((r.status, r.code()), (403, "forbidden"));
    assert!(r.body["detail"].as_str().unwrap().contains("database:read"));
    // Secrets are stored hashed only.
    let db = std::fs::read(env.dir.path().join(comwit::local::store::DB_FILE)).unwrap();
    let needle = t.secret.as_bytes();
    assert!(!db.windows(needle.len()).any(|w| w == needle));
    admin.revoke_token(&t.token_id).unwrap();
    assert_eq!(
        env.call_as(&t.secret, Method::GET, "/v1/projects", None)
            .await
            .status,
        401
    );
    env.server.shutdown().await;
}

#[tokio::test]
async fn registrar_prices_buys_once_and_never_deletes() {
    let env = start_with(|c| c.domain_activation_delay = Duration::from_millis(300)).await;
    let pid = env.project("shop").await;
    let avail = |d: &str| format!("/v1/registrar/availability?domain={d}");

    // Deterministic availability: list price, premium, taken, unsupported TLD, invalid.
    // The extension is shaped like its neighbours: `{"availability":{...}}`.
    let r = env.get(&avail("my-shop.com")).await;
    assert_eq!(r.status, 200, "{r:?}");
    let v = &r.body["availability"];
    assert_eq!(v["domain"], "my-shop.com");
    assert_eq!(v["available"], true);
    assert_eq!(v["premium"], false);
    assert_eq!(v["price_per_year"], "12.00");
    assert_eq!(v["currency"], "USD");
    assert_eq!(v["periods"].as_array().unwrap().len(), 10);
    let v = env.get(&avail("premium-shop.io")).await.body["availability"].clone();
    assert_eq!(
        (v["premium"].clone(), v["price_per_year"].clone()),
        (json!(true), json!("780.00"))
    );
    let v = env.get(&avail("taken-shop.com")).await.body["availability"].clone();
    assert_eq!(v["available"], false);
    assert_eq!(v["reason"], "taken");
    assert!(v["price_per_year"].is_null());
    let v = env.get(&avail("shop.zz")).await.body["availability"].clone();
    assert_eq!(v["reason"], "unsupported_tld");
    for bad in ["www.shop.com", "Shop.com", "com"] {
        let r = env.get(&avail(bad)).await;
        assert_eq!(r.status, 400, "{bad}: {r:?}");
        assert!(r.body["detail"].as_str().unwrap().starts_with("domain: "));
    }
    assert_eq!(env.get("/v1/registrar/availability").await.status, 400);

    // Scopes: reading prices needs domain:read, buying and renewal settings domain:purchase.
    let reader = env
        .server
        .admin()
        .create_token("dev", &["domain:read", "domain:write"], "reader")
        .unwrap()
        .secret;
    let base = format!("/v1/projects/{pid}/registrations");
    let buy = json!({"domain": "my-shop.com", "years": 2, "auto_renew": true, "expected_price": "24.00", "currency": "USD"});
    let r = env
        .call_as(&reader, Method::POST, &base, Some(buy.clone()))
        .await;
    assert_eq!((r.status, r.code()), (403, "forbidden"));
    assert!(r.body["detail"]
        .as_str()
        .unwrap()
        .contains("domain:purchase"));
    let none = env
        .server
        .admin()
        .create_token("dev", &["project:read"], "none")
        .unwrap()
        .secret;
    let r = env
        .call_as(&none, Method::GET, &avail("my-shop.com"), None)
        .await;
    assert_eq!((r.status, r.code()), (403, "forbidden"));
    assert!(r.body["detail"].as_str().unwrap().contains("domain:read"));

    // A price that is no longer the registrar's is refused, and nothing is bought.
    let mut stale = buy.clone();
    stale["expected_price"] = json!("12.00");
    let r = env.post(&base, stale).await;
    assert_eq!((r.status, r.code()), (409, "price_changed"), "{r:?}");
    assert!(
        r.body["detail"]
            .as_str()
            .unwrap()
            .contains("costs 24.00 USD"),
        "{r:?}"
    );
    assert_eq!(env.get(&base).await.body, json!({"registrations": []}));
    let r = env.post(&base, json!({"domain": "taken-x.com", "years": 1, "auto_renew": true, "expected_price": "12.00", "currency": "USD"})).await;
    assert_eq!((r.status, r.code()), (409, "domain_unavailable"));
    for (field, body) in [
        (
            "years",
            json!({"domain": "a-b.com", "years": 11, "auto_renew": true, "expected_price": "1.00", "currency": "USD"}),
        ),
        (
            "expected_price",
            json!({"domain": "a-b.com", "years": 1, "auto_renew": true, "expected_price": "1", "currency": "USD"}),
        ),
        (
            "domain",
            json!({"domain": "x.a-b.com", "years": 1, "auto_renew": true, "expected_price": "1.00", "currency": "USD"}),
        ),
    ] {
        let r = env.post(&base, body).await;
        assert_eq!(r.status, 400, "{field}: {r:?}");
        assert!(r.body["detail"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{field}: ")));
    }

    // Bought once per Idempotency-Key: the retry is a replay.
    let key = [("idempotency-key", "buy-my-shop")];
    let first = env
        .call_with(
            Method::POST,
            &base,
            Some(&env.token),
            Some(buy.clone()),
            &key,
        )
        .await;
    assert_eq!(first.status, 201, "{first:?}");
    let reg = &first.body["registration"];
    assert_eq!(reg["domain"], "my-shop.com");
    assert_eq!(reg["status"], "registering");
    assert_eq!(reg["price"], "24.00");
    assert_eq!(reg["auto_renew"], true);
    assert_eq!(
        first.headers["location"],
        format!("{base}/my-shop.com").as_str()
    );
    let again = env
        .call_with(
            Method::POST,
            &base,
            Some(&env.token),
            Some(buy.clone()),
            &key,
        )
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.headers["idempotency-replayed"], "true");
    assert_eq!(again.body, first.body);
    assert_eq!(
        env.get(&base).await.body["registrations"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Without the key, a second purchase finds the name taken.
    assert_eq!(env.post(&base, buy).await.code(), "domain_unavailable");
    assert_eq!(
        env.get(&avail("my-shop.com")).await.body["availability"]["reason"],
        "taken"
    );

    // The domain is the project's at once, active when registered; expiry is years later.
    let domains = format!("/v1/projects/{pid}/domains");
    let listed = env.get(&domains).await;
    assert_eq!(listed.body["domains"][0]["domain"], "my-shop.com");
    tokio::time::sleep(Duration::from_millis(350)).await;
    let reg = env.get(&format!("{base}/my-shop.com")).await;
    let reg = &reg.body["registration"];
    assert_eq!(reg["status"], "registered");
    assert_eq!(
        env.get(&domains).await.body["domains"][0]["status"],
        "active"
    );
    let created: i32 = reg["created_at"].as_str().unwrap()[..4].parse().unwrap();
    let expires: i32 = reg["expires_at"].as_str().unwrap()[..4].parse().unwrap();
    assert_eq!(expires - created, 2);

    // Renewal is the only change; there is no deletion.
    let r = env
        .patch(&format!("{base}/my-shop.com"), json!({"auto_renew": false}))
        .await;
    assert_eq!(
        (r.status, r.body["registration"]["auto_renew"].clone()),
        (200, json!(false))
    );
    let r = env
        .call_as(
            &reader,
            Method::PATCH,
            &format!("{base}/my-shop.com"),
            Some(json!({"auto_renew": true})),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(env.delete(&format!("{base}/my-shop.com")).await.status, 405);
    assert_eq!(env.get(&format!("{base}/other.com")).await.status, 404);
    env.server.shutdown().await;
}

// ---------- database tokens and the data plane ----------

#[tokio::test]
async fn database_tokens_are_made_renewed_and_revoked() {
    let env = start().await;
    let pid = env.project("tokens").await;
    let r = env
        .post(
            &format!("/v1/projects/{pid}/databases"),
            json!({"name": "main"}),
        )
        .await;
    let db = r.s("database_id");
    let base = format!("/v1/projects/{pid}/databases/{db}/tokens");
    let file = env.dir.path().join("databases").join(format!("{db}.db"));
    assert!(file.exists(), "a database has its own SQLite file");

    let made = env.post(&base, json!({})).await;
    assert_eq!(made.status, 201, "{made:?}");
    let id = made.s("token_id");
    assert!(id.starts_with("dbt_") && id.len() == 20, "{id}");
    assert_eq!(made.s("access"), "full_access");
    assert_eq!(made.s("database_id"), db);
    assert_eq!(made.s("token").split('.').count(), 3);
    let lifetime = |r: &local_common::Resp| {
        let at = |k: &str| {
            time::OffsetDateTime::parse(&r.s(k), &time::format_description::well_known::Rfc3339)
                .unwrap()
                .unix_timestamp()
        };
        at("expires_at") - at("created_at")
    };
    assert!((3599..=3601).contains(&lifetime(&made)), "{made:?}");
    assert_eq!(
        made.headers["location"].to_str().unwrap(),
        format!("{base}/{id}")
    );

    for (body, field) in [
        (json!({"expires_in": 59}), "expires_in"),
        (json!({"expires_in": 31_536_001}), "expires_in"),
        (json!({"expires_in": "60"}), "expires_in"),
        (json!({"access": "admin"}), "access"),
        (json!({"access": null}), "access"),
        (json!({"access": "read_only", "ttl": 5}), "ttl"),
    ] {
        let r = env.post(&base, body.clone()).await;
        assert_eq!(r.status, 400, "{body} {r:?}");
        assert!(
            r.body["detail"].as_str().unwrap().contains(field),
            "{body} {r:?}"
        );
    }
    let ro = env
        .post(&base, json!({"access": "read_only", "expires_in": 60}))
        .await;
    assert_eq!((ro.status, ro.s("access").as_str()), (201, "read_only"));
    assert!((59..=61).contains(&lifetime(&ro)));

    let list = env.get(&base).await;
    assert_eq!(list.status, 200);
    let items = list.body["tokens"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|t| t.get("token").is_none()), "{list:?}");
    let got = env.get(&format!("{base}/{id}")).await;
    assert_eq!((got.status, got.s("token_id")), (200, id.clone()));
    assert!(got.body.get("token").is_none());

    let renewed = env
        .post(&format!("{base}/{id}/renew"), json!({"expires_in": 7200}))
        .await;
    assert_eq!(renewed.status, 200, "{renewed:?}");
    assert!((7199..=7201).contains(&lifetime(&renewed)));
    let bad = env
        .post(&format!("{base}/{id}/renew"), json!({"expires_in": 1}))
        .await;
    assert_eq!(bad.status, 400);

    // Scopes: reading needs database:read, making database:write.
    let reader = env
        .server
        .admin()
        .create_token("dev", &["database:read"], "r")
        .unwrap()
        .secret;
    let r = env
        .call_as(&reader, Method::POST, &base, Some(json!({})))
        .await;
    assert_eq!(r.status, 403, "{r:?}");
    assert_eq!(
        env.call_as(&reader, Method::GET, &base, None).await.status,
        200
    );

    assert_eq!(env.delete(&format!("{base}/{id}")).await.status, 204);
    for r in [
        env.get(&format!("{base}/{id}")).await,
        env.delete(&format!("{base}/{id}")).await,
        env.post(&format!("{base}/{id}/renew"), json!({})).await,
        env.get(&format!("{base}/dbt_0000000000000000")).await,
        env.get(&format!(
            "/v1/projects/{pid}/databases/db_0000000000000000/tokens"
        ))
        .await,
    ] {
        assert_eq!(r.status, 404, "{r:?}");
    }
    assert_eq!(
        env.get(&base).await.body["tokens"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Deleting the database deletes its tokens and its file.
    let token = ro.s("token");
    let dbp = env.db_path(&pid, &db).await;
    let (status, _) = env
        .hrana(
            &format!("{dbp}/v2/pipeline"),
            Some(&token),
            json!({"requests": []}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        env.delete(&format!("/v1/projects/{pid}/databases/{db}"))
            .await
            .status,
        200
    );
    assert!(!file.exists(), "the file goes with its database");
    let (status, body) = env
        .hrana(
            &format!("{dbp}/v2/pipeline"),
            Some(&token),
            json!({"requests": []}),
        )
        .await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("revoked"),
        "{body}"
    );
    env.server.shutdown().await;
}

fn exec(sql: &str, args: Value) -> Value {
    json!({"type": "execute", "stmt": {"sql": sql, "args": args}})
}

/// The responses of a pipeline's results (panics on an error result).
fn ok(body: &Value, i: usize) -> &Value {
    assert_eq!(body["results"][i]["type"], "ok", "{body}");
    &body["results"][i]["response"]
}

#[tokio::test]
async fn hrana_values_statements_and_batches() {
    let env = start().await;
    let pid = env.project("hrana").await;
    let (db, token) = env.database_with_token(&pid, "main", "full_access").await;
    let dbp = env.db_path(&pid, &db).await;
    let path = format!("{dbp}/v3/pipeline");
    let (status, body) = env
        .hrana(
            &path,
            Some(&token),
            json!({"baton": null, "requests": [
                {"type": "sequence", "sql": "CREATE TABLE t (i INTEGER, f REAL, s TEXT, b BLOB, n); CREATE TABLE u (k TEXT UNIQUE)"},
                exec("INSERT INTO t VALUES (?, ?, ?, ?, ?)", json!([
                    {"type": "integer", "value": "-9223372036854775808"},
                    {"type": "float", "value": 0.25},
                    {"type": "text", "value": "ünï"},
                    {"type": "blob", "base64": "AP8="},
                    {"type": "null"}
                ])),
                {"type": "execute", "stmt": {"sql": "INSERT INTO t (s) VALUES (:s)", "named_args": [{"name": "s", "value": {"type": "text", "value": "named"}}]}},
                {"type": "execute", "stmt": {"sql": "SELECT i, f, s, b, n FROM t ORDER BY rowid"}},
                {"type": "execute", "stmt": {"sql": "SELECT * FROM t", "want_rows": false}},
                exec("SELEC 1", json!([])),
                exec("SELECT ?", json!([])),
                {"type": "describe", "sql": "SELECT s AS label FROM t WHERE i = :i"},
                {"type": "store_sql", "sql_id": 7, "sql": "SELECT count(*) FROM t"},
                {"type": "execute", "stmt": {"sql_id": 7}},
                {"type": "close_sql", "sql_id": 7},
                {"type": "execute", "stmt": {"sql_id": 7}},
                {"type": "get_autocommit"},
                {"type": "close"},
                {"type": "get_autocommit"}
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["baton"], Value::Null, "closed");
    let insert = &ok(&body, 1)["result"];
    assert_eq!(
        (
            insert["affected_row_count"].as_u64(),
            insert["last_insert_rowid"].as_str()
        ),
        (Some(1), Some("1"))
    );
    assert_eq!(ok(&body, 2)["result"]["last_insert_rowid"], "2");
    let select = &ok(&body, 3)["result"];
    assert_eq!(
        select["cols"][0],
        json!({"name": "i", "decltype": "INTEGER"})
    );
    assert_eq!(select["cols"][4], json!({"name": "n", "decltype": null}));
    assert_eq!(
        select["rows"][0],
        json!([
            {"type": "integer", "value": "-9223372036854775808"},
            {"type": "float", "value": 0.25},
            {"type": "text", "value": "ünï"},
            {"type": "blob", "base64": "AP8="},
            {"type": "null"}
        ])
    );
    assert_eq!(
        select["rows"][1][2],
        json!({"type": "text", "value": "named"})
    );
    assert_eq!(select["affected_row_count"], 0);
    assert_eq!(ok(&body, 4)["result"]["affected_row_count"], 0);
    assert_eq!(ok(&body, 4)["result"]["rows"], json!([]));
    assert_eq!(body["results"][5]["type"], "error");
    assert_eq!(body["results"][5]["error"]["code"], "SQLITE_ERROR");
    assert!(body["results"][5]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("syntax error"));
    assert_eq!(body["results"][6]["error"]["code"], "ARGS_INVALID");
    assert_eq!(
        ok(&body, 7)["result"],
        json!({"params": [{"name": ":i"}], "cols": [{"name": "label", "decltype": "TEXT"}], "is_explain": false, "is_readonly": true})
    );
    assert_eq!(ok(&body, 9)["result"]["rows"][0][0]["value"], "2");
    assert_eq!(
        body["results"][11]["type"], "error",
        "a closed SQL text is gone"
    );
    assert_eq!(ok(&body, 12)["is_autocommit"], true);
    assert_eq!(ok(&body, 13)["type"], "close");
    assert_eq!(body["results"][14]["error"]["code"], "STREAM_CLOSED");

    // A batch: conditions over earlier steps' outcomes.
    let step = |sql: &str, cond: Value| json!({"stmt": {"sql": sql}, "condition": cond});
    let (_, body) = env
        .hrana(
            &path,
            Some(&token),
            json!({"requests": [{"type": "batch", "batch": {"steps": [
                step("INSERT INTO u VALUES ('a')", Value::Null),
                step("INSERT INTO u VALUES ('a')", Value::Null),
                step("SELECT 'after error'", json!({"type": "error", "step": 1})),
                step("SELECT 'skipped'", json!({"type": "ok", "step": 1})),
                step("SELECT 'not'", json!({"type": "not", "cond": {"type": "ok", "step": 1}})),
                step("SELECT 'and'", json!({"type": "and", "conds": [{"type": "ok", "step": 0}, {"type": "is_autocommit"}]})),
                step("SELECT 'or'", json!({"type": "or", "conds": [{"type": "ok", "step": 3}, {"type": "error", "step": 3}]})),
                step("SELECT 'later'", json!({"type": "ok", "step": 9}))
            ]}}]}),
        )
        .await;
    let batch = &ok(&body, 0)["result"];
    let ran: Vec<bool> = batch["step_results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| !r.is_null())
        .collect();
    assert_eq!(
        ran,
        [true, false, true, false, true, true, false, false],
        "{batch}"
    );
    assert_eq!(batch["step_errors"][1]["code"], "SQLITE_CONSTRAINT");
    assert!(batch["step_errors"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .all(|(i, e)| e.is_null() == (i != 1)));
    assert!(body["baton"].is_string(), "an open stream has a baton");
    env.server.shutdown().await;
}

#[tokio::test]
async fn hrana_streams_keep_transactions_across_batons() {
    let env = start().await;
    let pid = env.project("batons").await;
    let (db, token) = env.database_with_token(&pid, "main", "full_access").await;
    // The root path: the token names the database.
    let path = "/v2/pipeline";
    let (_, first) = env
        .hrana(
            path,
            Some(&token),
            json!({"requests": [
                {"type": "sequence", "sql": "CREATE TABLE t (x)"},
                exec("BEGIN", json!([])),
                exec("INSERT INTO t VALUES (1)", json!([])),
                {"type": "get_autocommit"}
            ]}),
        )
        .await;
    assert_eq!(ok(&first, 3)["is_autocommit"], false, "{first}");
    let baton = first["baton"].as_str().unwrap().to_string();

    // Another stream does not see the open transaction's row.
    let (_, other) = env
        .hrana(
            path,
            Some(&token),
            json!({"requests": [exec("SELECT count(*) FROM t", json!([])), {"type": "close"}]}),
        )
        .await;
    assert_eq!(ok(&other, 0)["result"]["rows"][0][0]["value"], "0");

    let (_, second) = env
        .hrana(
            path,
            Some(&token),
            json!({"baton": baton, "requests": [
                exec("SELECT count(*) FROM t", json!([])),
                exec("ROLLBACK", json!([])),
                {"type": "get_autocommit"},
                exec("INSERT INTO t VALUES (2)", json!([])),
                exec("CREATE TABLE w (y)", json!([]))
            ]}),
        )
        .await;
    assert_eq!(ok(&second, 0)["result"]["rows"][0][0]["value"], "1");
    assert_eq!(ok(&second, 2)["is_autocommit"], true);
    assert_eq!(ok(&second, 3)["result"]["affected_row_count"], 1);
    assert_eq!(
        ok(&second, 4)["result"]["affected_row_count"],
        0,
        "DDL changes no row"
    );
    let next = second["baton"].as_str().unwrap().to_string();
    assert_ne!(next, baton);

    // A used baton is refused.
    let (status, refused) = env
        .hrana(path, Some(&token), json!({"baton": baton, "requests": []}))
        .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (400, Some("STREAM_EXPIRED")),
        "{refused}"
    );
    let (_, last) = env
        .hrana(path, Some(&token), json!({"baton": next, "requests": [exec("SELECT x FROM t", json!([])), {"type": "close"}]}))
        .await;
    assert_eq!(
        ok(&last, 0)["result"]["rows"],
        json!([[{"type": "integer", "value": "2"}]])
    );
    assert_eq!(last["baton"], Value::Null);

    // A baton works only with a token of its database.
    let (db2, token2) = env.database_with_token(&pid, "other", "full_access").await;
    let (_, open) = env.hrana(path, Some(&token), json!({"requests": []})).await;
    let (status, _) = env
        .hrana(
            path,
            Some(&token2),
            json!({"baton": open["baton"], "requests": []}),
        )
        .await;
    assert_eq!(status, 400);
    assert_ne!(db, db2);
    env.server.shutdown().await;
}

#[tokio::test]
async fn hrana_refuses_bad_tokens_and_read_only_writes() {
    let env = start().await;
    let pid = env.project("hauth").await;
    let (db, full) = env.database_with_token(&pid, "main", "full_access").await;
    let dbp = env.db_path(&pid, &db).await;
    let ro = env.db_token(&pid, &db, "read_only").await;
    let (db2, other) = env.database_with_token(&pid, "other", "full_access").await;
    let path = format!("{dbp}/v2/pipeline");
    let empty = json!({"requests": []});
    let no_connect = env
        .server
        .admin()
        .create_token("dev", &["database:read", "database:write"], "nc")
        .unwrap()
        .secret;
    let elsewhere = env.project("elsewhere").await;
    let foreign = env
        .server
        .admin()
        .create_project_token(&elsewhere, &["database:connect"], "w")
        .unwrap()
        .secret;
    for (token, what) in [
        (None, "Authorization"),
        (Some("garbage"), "not a database token"),
        (
            Some(no_connect.as_str()),
            "does not hold `database:connect`",
        ),
        (Some(foreign.as_str()), "cannot reach the project"),
        (
            Some(other.as_str()),
            &*format!("for database {db2}, not {db}"),
        ),
    ] {
        let (status, body) = env.hrana(&path, token, empty.clone()).await;
        assert_eq!(status, 401, "{body}");
        assert!(body["message"].as_str().unwrap().contains(what), "{body}");
        assert_eq!(body["code"], "UNAUTHORIZED");
    }
    // The database gateway: a user's `cwt_` token with `database:connect` (the dev token
    // holds every scope) or the project's `cwp_` token, at the database's URL.
    let project_token = env
        .server
        .admin()
        .create_project_token(&pid, &["database:connect"], "app")
        .unwrap()
        .secret;
    assert!(project_token.starts_with("cwp_"));
    for token in [env.token.as_str(), project_token.as_str()] {
        let (status, body) = env.hrana(&path, Some(token), empty.clone()).await;
        assert_eq!(status, 200, "{body}");
    }
    // Without the URL's tenant segment (as `@libsql/client` resolves it), such a token names
    // no database; the database's own token does.
    let (status, body) = env
        .hrana("/v1/v2/pipeline", Some(&env.token), empty.clone())
        .await;
    assert_eq!(status, 401, "{body}");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("does not name a database"));
    let (status, body) = env
        .hrana("/v1/v2/pipeline", Some(&full), empty.clone())
        .await;
    assert_eq!(status, 200, "{body}");
    // A rotation ends the old one-time token at once.
    let rotated = env
        .post(
            &format!("/v1/projects/{pid}/databases/{db}/token/rotate"),
            json!({}),
        )
        .await;
    assert_eq!(rotated.status, 200, "{rotated:?}");
    let (status, body) = env.hrana(&path, Some(&full), empty.clone()).await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("revoked"),
        "{body}"
    );
    let full = rotated.s("database_token");
    // A signature made with another key.
    let mut forged: Vec<String> = ro.split('.').map(str::to_string).collect();
    forged[2] = forged[2].chars().rev().collect();
    let (status, body) = env
        .hrana(&path, Some(&forged.join(".")), empty.clone())
        .await;
    assert_eq!(status, 401, "{body}");

    let (_, body) = env
        .hrana(&path, Some(&full), json!({"requests": [{"type": "sequence", "sql": "CREATE TABLE t (x); INSERT INTO t VALUES (1)"}]}))
        .await;
    ok(&body, 0);
    let (status, body) = env
        .hrana(
            &path,
            Some(&ro),
            json!({"requests": [
                exec("SELECT x FROM t", json!([])),
                exec("INSERT INTO t VALUES (2)", json!([])),
                {"type": "sequence", "sql": "SELECT 1; DELETE FROM t"},
                {"type": "batch", "batch": {"steps": [{"stmt": {"sql": "UPDATE t SET x = 3"}}]}},
                exec("BEGIN", json!([])),
                exec("ROLLBACK", json!([])),
                exec("SELECT count(*) FROM t WHERE x = 1", json!([]))
            ]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(ok(&body, 0)["result"]["rows"][0][0]["value"], "1");
    assert_eq!(
        body["results"][1]["error"]["code"], "SQLITE_READONLY",
        "{body}"
    );
    assert_eq!(body["results"][2]["error"]["code"], "SQLITE_READONLY");
    assert_eq!(
        ok(&body, 3)["result"]["step_errors"][0]["code"],
        "SQLITE_READONLY"
    );
    ok(&body, 4);
    ok(&body, 5);
    assert_eq!(ok(&body, 6)["result"]["rows"][0][0]["value"], "1");

    // Attaching another file is refused, whatever the token.
    let (_, body) = env
        .hrana(
            &path,
            Some(&full),
            json!({"requests": [exec("ATTACH 'elsewhere.db' AS e", json!([]))]}),
        )
        .await;
    assert_eq!(body["results"][0]["type"], "error", "{body}");

    // Expiry is the platform's: a token past it is refused (set in the store, not waited for).
    let conn = rusqlite::Connection::open(env.dir.path().join("comwit-local.sqlite3")).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn.execute(
        "UPDATE database_tokens SET expires_at_ms = 0 WHERE access = 'read_only'",
        [],
    )
    .unwrap();
    let (status, body) = env.hrana(&path, Some(&ro), empty.clone()).await;
    assert_eq!(status, 401);
    assert!(
        body["message"].as_str().unwrap().contains("expired"),
        "{body}"
    );

    // The protocol's other endpoints.
    let get = |p: &str| {
        env.http
            .get(format!("{}{p}", env.server.listeners().db))
            .send()
    };
    for (p, status) in [
        ("/v2", 200),
        ("/v3", 200),
        (&*format!("{dbp}/v3"), 200),
        ("/v3-protobuf", 404),
        ("/health", 200),
        ("/version", 200),
        ("/v2/pipeline", 405),
        ("/nothing", 404),
    ] {
        assert_eq!(get(p).await.unwrap().status().as_u16(), status, "{p}");
    }
    let (status, _) = env
        .hrana(&path, Some(&full), json!({"requests": "x"}))
        .await;
    assert_eq!(status, 400);
    env.server.shutdown().await;
}

#[tokio::test]
async fn hrana_cursor_answers_a_batch_as_lines() {
    let env = start().await;
    let pid = env.project("cursor").await;
    let (db, token) = env.database_with_token(&pid, "main", "full_access").await;
    let dbp = env.db_path(&pid, &db).await;
    let url = format!("{}{dbp}/v3/cursor", env.server.listeners().db);
    let step = |sql: &str, cond: Value| json!({"stmt": {"sql": sql}, "condition": cond});
    let resp = env
        .http
        .post(&url)
        .bearer_auth(&token)
        .json(&json!({"baton": null, "batch": {"steps": [
            step("CREATE TABLE t (x INTEGER)", Value::Null),
            step("INSERT INTO t VALUES (1), (2)", Value::Null),
            step("SELECT x FROM t ORDER BY x", Value::Null),
            step("SELECT nope FROM t", Value::Null),
            step("SELECT 'skipped'", json!({"type": "ok", "step": 3}))
        ]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let text = resp.text().await.unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines[0]["baton"].is_string(), "{text}");
    let kinds: Vec<&str> = lines[1..]
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "step_begin",
            "step_end",
            "step_begin",
            "step_end",
            "step_begin",
            "row",
            "row",
            "step_end",
            "step_error"
        ],
        "{text}"
    );
    assert_eq!(lines[4]["affected_row_count"], 2);
    assert_eq!(lines[5]["step"], 2);
    assert_eq!(lines[6]["row"], json!([{"type": "integer", "value": "1"}]));
    assert_eq!(lines[9]["step"], 3);
    assert_eq!(lines[9]["error"]["code"], "SQLITE_ERROR");

    // The baton continues the stream in a pipeline; no token, no cursor.
    let (_, body) = env
        .hrana(
            &format!("{dbp}/v3/pipeline"),
            Some(&token),
            json!({"baton": lines[0]["baton"], "requests": [exec("SELECT count(*) FROM t", json!([])), {"type": "close"}]}),
        )
        .await;
    assert_eq!(ok(&body, 0)["result"]["rows"][0][0]["value"], "2");
    let refused = env
        .http
        .post(&url)
        .json(&json!({"batch": {"steps": []}}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    env.server.shutdown().await;
}

/// Restore points are real: each generation is a snapshot of the database's file as it was
/// (the first at its creation, then after writes), readable by SQLite; aliases name points of
/// that history and pin their generation.
#[tokio::test]
async fn restore_points_are_snapshots_of_the_data_as_it_was() {
    let env = start_with(|c| c.snapshot_interval = Duration::from_millis(100)).await;
    let pid = env.project("history").await;
    let (id, _) = env
        .database_with_token(&pid, "history", "full_access")
        .await;
    let db = format!("/v1/projects/{pid}/databases/{id}");
    let rp = format!("{db}/restore-points");
    let first = env.get(&rp).await;
    assert_eq!(first.status, 200, "{first:?}");
    assert_eq!(first.body["restore_points"].as_array().unwrap().len(), 1);
    assert!(first.body["restore_points"][0]["precise_until_ms"].is_null());

    let query = format!("{db}/query");
    for sql in ["CREATE TABLE t (x)", "INSERT INTO t VALUES (1)"] {
        assert_eq!(env.post(&query, json!({ "sql": sql })).await.status, 200);
    }
    let second = generations_at_least(&env, &rp, 2).await;
    let r = env
        .post(&query, json!({ "sql": "INSERT INTO t VALUES (2)" }))
        .await;
    assert_eq!(r.status, 200);
    let third = generations_at_least(&env, &rp, 3).await;
    // A read does not make a generation.
    let r = env.post(&query, json!({ "sql": "SELECT * FROM t" })).await;
    assert_eq!(r.status, 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after_read = env.get(&rp).await;
    assert_eq!(
        after_read.body["restore_points"].as_array().unwrap().len(),
        3
    );

    let gens: Vec<Value> = third.body["restore_points"].as_array().unwrap().clone();
    let rows = |g: &Value| {
        let file = env
            .dir
            .path()
            .join("databases")
            .join(format!("{id}.gen"))
            .join(format!("{}.db", g["generation_id"].as_str().unwrap()));
        let conn = rusqlite::Connection::open(file).unwrap();
        conn.query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0))
            .unwrap_or(-1)
    };
    assert_eq!(
        rows(&gens[0]),
        -1,
        "the first generation is the empty database"
    );
    assert_eq!(rows(&gens[1]), 1);
    assert_eq!(rows(&gens[2]), 2);
    assert_eq!(gens[0]["precise_until_ms"], gens[1]["created_at_ms"]);
    assert_eq!(second.body["restore_points"][1]["pinned"], false);

    // An alias at the second generation's time pins it.
    let at = gens[1]["created_at_ms"].as_i64().unwrap();
    let set = env
        .post(
            &format!("{db}/aliases/before-two"),
            json!({ "restore_to": { "timestamp_ms": at } }),
        )
        .await;
    assert_eq!(set.status, 200, "{set:?}");
    assert_eq!(
        set.body,
        json!({ "database_id": id, "alias": "before-two" })
    );
    let listed = env.get(&rp).await;
    assert_eq!(listed.body["restore_points"][1]["pinned"], true);
    assert_eq!(listed.body["aliases"][0]["target_kind"], "timestamp_ms");
    assert_eq!(listed.body["aliases"][0]["target_value"], at.to_string());
    for (body, status) in [
        (
            json!({ "restore_to": { "timestamp_ms": at, "generation": "x" } }),
            400,
        ),
        (json!({ "restore_to": { "timestamp_ms": 1 } }), 400),
        (json!({ "restore_to": { "timestamp_ms": i64::MAX } }), 400),
        (
            json!({ "restore_to": { "generation": "gen-unknown" } }),
            404,
        ),
    ] {
        let r = env.post(&format!("{db}/aliases/bad"), body.clone()).await;
        assert_eq!(r.status, status, "{body}: {r:?}");
    }
    assert_eq!(
        env.delete(&format!("{db}/aliases/before-two")).await.status,
        200
    );
    assert_eq!(
        env.delete(&format!("{db}/aliases/before-two")).await.status,
        404
    );
    // Deleting the database removes its snapshots.
    assert_eq!(env.delete(&db).await.status, 200);
    assert!(!env
        .dir
        .path()
        .join("databases")
        .join(format!("{id}.gen"))
        .exists());
}

/// The restore points once there are `n` generations (snapshots come after writes).
async fn generations_at_least(env: &Env, path: &str, n: usize) -> local_common::Resp {
    for _ in 0..100 {
        let r = env.get(path).await;
        if r.body["restore_points"].as_array().unwrap().len() >= n {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no generation {n}");
}

/// A restore makes a new database with the data as it was at the point: its rows are read back
/// over the data plane's file; a retry with the same key is the first answer (no second copy,
/// no token); the name is the project's.
#[tokio::test]
async fn a_restore_gives_the_data_as_it_was_then() {
    let env = start_with(|c| c.snapshot_interval = Duration::from_millis(100)).await;
    let pid = env.project("restore").await;
    let (id, _) = env.database_with_token(&pid, "source", "full_access").await;
    let db = format!("/v1/projects/{pid}/databases/{id}");
    let (query, rp) = (format!("{db}/query"), format!("{db}/restore-points"));
    for sql in ["CREATE TABLE t (x)", "INSERT INTO t VALUES (1)"] {
        assert_eq!(env.post(&query, json!({ "sql": sql })).await.status, 200);
    }
    generations_at_least(&env, &rp, 2).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let then = comwit_now_ms();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let r = env
        .post(&query, json!({ "sql": "INSERT INTO t VALUES (2)" }))
        .await;
    assert_eq!(r.status, 200);
    generations_at_least(&env, &rp, 3).await;

    let key = "restore-key-0001";
    let restore = |name: &str| json!({ "restore_to": { "timestamp_ms": then }, "name": name });
    let first = env
        .call_with(
            Method::POST,
            &format!("{db}/restore"),
            Some(&env.token),
            Some(restore("as-then")),
            &[("Idempotency-Key", key)],
        )
        .await;
    assert_eq!(first.status, 202, "{first:?}");
    let new_id = first.body["database"]["database_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(first.body["database"]["status"], "creating");
    assert!(first.body["database_token"].is_string());
    let again = env
        .call_with(
            Method::POST,
            &format!("{db}/restore"),
            Some(&env.token),
            Some(restore("as-then")),
            &[("Idempotency-Key", key)],
        )
        .await;
    assert_eq!(again.status, 202);
    assert_eq!(again.body["database"]["database_id"], new_id.as_str());
    assert!(again.body.get("database_token").is_none(), "{again:?}");
    // The name is taken now: a restore without the key cannot make a second copy.
    let taken = env.post(&format!("{db}/restore"), restore("as-then")).await;
    assert_eq!((taken.status, taken.code()), (409, "name_taken"));

    let rows = |database: &str| {
        let conn = rusqlite::Connection::open(
            env.dir
                .path()
                .join("databases")
                .join(format!("{database}.db")),
        )
        .unwrap();
        conn.query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0))
            .unwrap()
    };
    assert_eq!(rows(&new_id), 1, "the data as it was then");
    assert_eq!(rows(&id), 2, "the source is untouched");

    let op = first.body["operation"]["operation_id"].as_str().unwrap();
    let status = env.get(&format!("{db}/operations/{op}")).await;
    assert_eq!(status.status, 200);
    assert_eq!(status.body["operation"]["type"], "database_restore");
    for (body, code) in [
        (json!({ "restore_to": { "timestamp_ms": 1 } }), 400),
        (json!({ "restore_to": { "timestamp_ms": i64::MAX } }), 400),
        (json!({ "restore_to": { "generation": "gen-none" } }), 404),
        (json!({ "restore_to": { "alias": "none" } }), 404),
        (
            json!({ "restore_to": { "timestamp_ms": then, "alias": "x" } }),
            400,
        ),
    ] {
        let r = env.post(&format!("{db}/restore"), body.clone()).await;
        assert_eq!(r.status, code, "{body}: {r:?}");
    }
}

fn comwit_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A seed's raw `PUT` of `bytes` to `upload_path`, with these headers.
async fn put_seed(env: &Env, upload_path: &str, bytes: Vec<u8>, content_type: &str) -> Resp {
    let resp = env
        .http
        .put(env.url(upload_path))
        .bearer_auth(&env.token)
        .header("content-type", content_type)
        .body(bytes)
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

fn sqlite_bytes(rows: usize) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seed.sqlite");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE t (x)").unwrap();
    for i in 0..rows {
        conn.execute("INSERT INTO t VALUES (?1)", [i as i64])
            .unwrap();
    }
    drop(conn);
    std::fs::read(path).unwrap()
}

/// The official CLI's seed flow: the 202 session, the checks of the upload (content type,
/// length, digest: the public error codes, the session kept for a good retry), the phases to
/// `succeeded`, the rows in the database, a replay of the create, a second upload refused, a
/// taken name, and a file that is no SQLite database failing the operation.
#[tokio::test]
async fn seeds_are_uploaded_checked_and_published() {
    let env = start().await;
    let pid = env.project("seeds").await;
    let bytes = sqlite_bytes(3);
    let source = |bytes: &[u8]| json!({"type": "sqlite_file", "content_length": bytes.len(), "sha256": sha256_hex(bytes)});
    let dbs = format!("/v1/projects/{pid}/databases");
    let key = [("Idempotency-Key", "seed-key-0001")];
    let body = json!({"name": "seeded", "source": source(&bytes)});
    let created = env
        .call_with(
            Method::POST,
            &dbs,
            Some(&env.token),
            Some(body.clone()),
            &key,
        )
        .await;
    assert_eq!(created.status, 202, "{created:?}");
    assert_eq!(created.body["operation"]["status"], "awaiting_upload");
    assert_eq!(created.body["operation"]["type"], "database_seed");
    assert!(created.body["operation"]["upload_expires_at_ms"].is_i64());
    let upload = created.s("upload_path");
    assert!(
        upload.starts_with('/') && upload.ends_with("/content"),
        "{upload}"
    );
    let id = created.s("database_id");
    let op = created.body["operation"]["operation_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        env.get(&dbs).await.body["databases"][0]["status"],
        "creating"
    );

    let r = put_seed(&env, &upload, bytes.clone(), "application/octet-stream").await;
    assert_eq!(
        (r.status, r.code()),
        (415, "seed_content_type_unsupported"),
        "{r:?}"
    );
    let r = put_seed(
        &env,
        &upload,
        bytes[..bytes.len() - 1].to_vec(),
        "application/vnd.sqlite3",
    )
    .await;
    assert_eq!((r.status, r.code()), (422, "seed_length_mismatch"), "{r:?}");
    let mut changed = bytes.clone();
    *changed.last_mut().unwrap() ^= 1;
    let r = put_seed(&env, &upload, changed, "application/vnd.sqlite3").await;
    assert_eq!((r.status, r.code()), (422, "seed_digest_mismatch"), "{r:?}");

    // The session survived the bad tries.
    let r = put_seed(&env, &upload, bytes.clone(), "application/vnd.sqlite3").await;
    assert_eq!(r.status, 202, "{r:?}");
    assert!(
        ["queued", "validating", "publishing", "succeeded"]
            .contains(&r.body["operation"]["status"].as_str().unwrap()),
        "{r:?}"
    );
    let r = put_seed(&env, &upload, bytes.clone(), "application/vnd.sqlite3").await;
    assert_eq!(
        (r.status, r.code()),
        (409, "seed_content_already_fixed"),
        "{r:?}"
    );
    let op_path = format!("{dbs}/{id}/operations/{op}");
    let mut status = String::new();
    for _ in 0..100 {
        status = env.get(&op_path).await.body["operation"]["status"]
            .as_str()
            .unwrap()
            .to_string();
        if status == "succeeded" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, "succeeded");
    let rows = env
        .post(
            &format!("{dbs}/{id}/query"),
            json!({"sql": "SELECT count(*) FROM t"}),
        )
        .await;
    assert_eq!(
        rows.body["results"][0]["rows"][0][0]["value"], "3",
        "{rows:?}"
    );

    // A replay shows the session as it is now; a taken name is the seed's own code.
    let replay = env
        .call_with(Method::POST, &dbs, Some(&env.token), Some(body), &key)
        .await;
    assert_eq!(replay.status, 202);
    assert_eq!(replay.body["created"], false);
    assert_eq!(replay.body["operation"]["status"], "succeeded");
    assert!(replay.body["database_token"].is_null());
    let again = env
        .post(&dbs, json!({"name": "seeded", "source": source(&bytes)}))
        .await;
    assert_eq!(
        (again.status, again.code()),
        (409, "tenant_seed_target_exists")
    );
    let small = env
        .post(&dbs, json!({"name": "tiny", "source": {"type": "sqlite_file", "content_length": 10, "sha256": sha256_hex(b"x")}}))
        .await;
    assert_eq!((small.status, small.code()), (400, "seed_file_too_small"));

    // Not a SQLite file: the operation fails and the database goes.
    let junk = vec![b'x'; 4096];
    let created = env
        .post(&dbs, json!({"name": "junk", "source": source(&junk)}))
        .await;
    assert_eq!(created.status, 202);
    let r = put_seed(
        &env,
        &created.s("upload_path"),
        junk,
        "application/vnd.sqlite3",
    )
    .await;
    assert_eq!(r.status, 202);
    assert_eq!(r.body["operation"]["status"], "failed");
    assert_eq!(
        r.body["operation"]["error"]["code"],
        "SEED_INTEGRITY_CHECK_FAILED"
    );
    let names: Vec<String> = env.get(&dbs).await.body["databases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["seeded"]);
}

/// Storages on the raw API: a bad bucket name and a bad body are 400 and make nothing, a name
/// is global (409 `name_taken` from another project too), an unknown storage is 404, and the
/// bucket's folder comes and goes with the storage.
#[tokio::test]
async fn storages_are_checked_global_by_name_and_backed_by_a_bucket() {
    let env = start().await;
    let pid = env.project("buckets").await;
    let other = env.project("buckets-other").await;
    let base = format!("/v1/projects/{pid}/storages");
    for bad in [
        json!({"name": "Bad_Name"}),
        json!({"name": "ab"}),
        json!({"name": "-edge"}),
        json!({"name": "fine-name", "public": "yes"}),
        json!({"name": "fine-name", "colour": "blue"}),
    ] {
        let r = env.post(&base, bad.clone()).await;
        assert_eq!(r.status, 400, "{bad}: {r:?}");
    }
    assert_eq!(env.get(&base).await.body["storages"], json!([]));

    let r = env
        .post(&base, json!({"name": "raw-bucket", "public": true}))
        .await;
    assert_eq!(r.status, 201, "{r:?}");
    let id = r.body["storage"]["storage_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(id.starts_with("stg_") && id.len() == 36, "{id}");
    assert_eq!(r.body["storage"]["public_access"], "enabled");
    let folder = env.dir.path().join("storage").join("raw-bucket");
    assert!(folder.is_dir(), "the bucket's folder");

    let r = env
        .post(
            &format!("/v1/projects/{other}/storages"),
            json!({"name": "raw-bucket"}),
        )
        .await;
    assert_eq!((r.status, r.code()), (409, "name_taken"), "{r:?}");
    assert!(
        r.body["project_id"].is_null(),
        "another project is not named: {r:?}"
    );

    let r = env.get(&format!("{base}/stg_unknown")).await;
    assert_eq!(r.status, 404, "{r:?}");
    let r = env
        .put(
            &format!("{base}/{id}/public-access"),
            json!({"enabled": "no"}),
        )
        .await;
    assert_eq!(r.status, 400, "{r:?}");

    let r = env.delete(&format!("{base}/{id}")).await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body["storage"]["status"], "deleted");
    assert!(!folder.exists(), "the bucket went with its storage");
    assert_eq!(env.get(&format!("{base}/{id}")).await.status, 404);
}
