//! `terraform apply` a project's database, take its one-time token from the resource's
//! `database_token`, rotate it with `token_rotation_trigger` (the old one is the revoked token),
//! mint a read-only and an expired token through the tokens extension (raw HTTP), drive the
//! database with `@libsql/client` (`scripts/libsql-client/check.mjs`) at its `database_url`
//! (`.../v1/<tenant_id>`, whose last segment the client drops), then `terraform destroy` and
//! check that the file and the tokens are gone.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::platform::{create_project, Platform, PROVIDER_HEADER};
use crate::support::repo_root;

/// The platform API, spoken directly (not through the provider's client).
struct Api<'a> {
    platform: &'a Platform,
    http: reqwest::Client,
}

impl Api<'_> {
    fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{path}", self.platform.url);
        let mut rb = self
            .http
            .request(method, url)
            .bearer_auth(&self.platform.token);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        self.platform.block_on(async {
            let resp = rb.send().await.expect("platform API");
            let status = resp.status().as_u16();
            (status, resp.json().await.unwrap_or(Value::Null))
        })
    }

    /// A new token of the database at `base` (`.../databases/{id}`): its id and JWT.
    fn token(&self, base: &str, body: Value) -> (String, String) {
        let (status, t) = self.call(reqwest::Method::POST, &format!("{base}/tokens"), Some(body));
        assert_eq!(status, 201, "{t}");
        (
            t["token_id"].as_str().unwrap().to_string(),
            t["token"].as_str().unwrap().to_string(),
        )
    }

    fn pipeline(&self, url: &str, token: &str) -> u16 {
        let rb = self
            .http
            .post(format!("{url}/v2/pipeline"))
            .bearer_auth(token)
            .json(&json!({"requests": [{"type": "execute", "stmt": {"sql": "SELECT 1"}}]}));
        self.platform
            .block_on(async { rb.send().await.expect("data plane").status().as_u16() })
    }
}

/// Runs check.mjs (installing the pinned client first when needed) and reads its report.
fn run_check(url: &str, tokens: &[(&str, &str)]) -> Value {
    let script: PathBuf = repo_root().join("scripts/libsql-client/run.sh");
    let mut cmd = Command::new("bash");
    cmd.arg(&script).env("LIBSQL_URL", url);
    for (name, value) in tokens {
        cmd.env(name, value);
    }
    let out = cmd
        .output()
        .expect("run scripts/libsql-client/run.sh (needs Node 20 and npm)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "check.mjs failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn typed(kind: &str, value: Value) -> Value {
    json!({"type": kind, "value": value})
}

#[test]
fn official_client_reads_and_writes_a_terraform_database() {
    let platform = Platform::start_with_extensions();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "data-plane");
    let config = |trigger: &str| {
        format!(
            "{PROVIDER_HEADER}\nprovider \"comwit\" {{\n  project_id = \"{project}\"\n}}\n\n\
             resource \"comwit_database\" \"main\" {{\n  name                = \"orders\"\n  deletion_protection = false\n{trigger}}}\n"
        )
    };
    w.config(&config(""));
    w.apply();
    let r = w.resource("comwit_database.main");
    let id = r["database_id"].as_str().unwrap().to_string();
    let url = r["database_url"].as_str().unwrap().to_string();
    let first = r["database_token"].as_str().unwrap().to_string();
    assert!(
        url.starts_with(&format!("{}/v1/", platform.db_url)) && !url.ends_with(&id),
        "{url}"
    );
    let file = platform
        .data_dir()
        .join("databases")
        .join(format!("{id}.db"));
    assert!(file.exists(), "{} is missing", file.display());
    // Rotated by Terraform: the first token is the revoked one.
    w.config(&config("  token_rotation_trigger = { n = \"1\" }\n"));
    w.apply();
    let full = w.resource("comwit_database.main")["database_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(full, first);
    let revoked = first;

    let api = Api {
        platform: &platform,
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap(),
    };
    let base = format!("/v1/projects/{project}/databases/{id}");
    let (_, read_only) = api.token(&base, json!({"access": "read_only"}));
    // The shortest lifetime is a minute: expire this one in the store rather than wait.
    let (expired_id, expired) = api.token(&base, json!({"expires_in": 60}));
    let store =
        rusqlite::Connection::open(platform.data_dir().join("comwit-local.sqlite3")).unwrap();
    store.busy_timeout(Duration::from_secs(10)).unwrap();
    let changed = store
        .execute(
            "UPDATE database_tokens SET expires_at_ms = 0 WHERE token_id = ?1",
            [&expired_id],
        )
        .unwrap();
    assert_eq!(changed, 1);

    let report = run_check(
        &url,
        &[
            ("TOKEN_FULL", &full),
            ("TOKEN_READ_ONLY", &read_only),
            ("TOKEN_REVOKED", &revoked),
            ("TOKEN_EXPIRED", &expired),
        ],
    );
    assert_eq!(
        report["insert_positional"],
        json!({"rows_affected": 1, "last_insert_rowid": "1"}),
        "{report}"
    );
    assert_eq!(
        report["insert_named"],
        json!({"rows_affected": 1, "last_insert_rowid": "2"})
    );
    let select = &report["select"];
    assert_eq!(select["columns"], json!(["n", "f", "s", "b", "z"]));
    assert_eq!(select["column_types"][0], "INTEGER");
    assert_eq!(
        select["rows"][0],
        json!([
            typed("bigint", json!("9007199254740993")),
            typed("number", json!(2.5)),
            typed("string", json!("héllo ✓")),
            typed("bytes", json!([0, 1, 254, 255])),
            {"type": "null"}
        ]),
        "{report}"
    );
    assert_eq!(select["rows"][1][0], typed("bigint", json!("-42")));
    assert_eq!(select["rows"][1][2], typed("string", json!("named")));
    assert_eq!(
        report["batch"],
        json!({"results": 3, "count": typed("bigint", json!("4"))})
    );
    assert_eq!(report["batch_failing"]["refused"], true);
    assert_eq!(
        report["after_failed_batch"],
        typed("bigint", json!("0")),
        "a failed batch rolls back"
    );
    assert_eq!(
        report["transaction"],
        json!({"inside_before_commit": typed("bigint", json!("1")), "after": ["tx-commit"]})
    );
    assert_eq!(report["sql_error"]["refused"], true);
    assert!(
        report["sql_error"]["message"]
            .as_str()
            .unwrap()
            .contains("syntax error"),
        "{report}"
    );
    assert_eq!(report["read_only_select"], typed("bigint", json!("5")));
    for refused in ["read_only_write", "read_only_ddl"] {
        assert_eq!(report[refused]["refused"], true, "{refused}: {report}");
        assert!(
            report[refused]["message"]
                .as_str()
                .unwrap()
                .contains("read_only"),
            "{report}"
        );
    }
    for (refused, why) in [("revoked", "revoked"), ("expired", "expired")] {
        assert_eq!(report[refused]["refused"], true, "{report}");
        assert_eq!(report[refused]["code"], "UNAUTHORIZED", "{report}");
        assert!(
            report[refused]["message"].as_str().unwrap().contains(why),
            "{report}"
        );
    }
    assert_eq!(report["final_count"], typed("bigint", json!("5")));

    // What the client wrote is in the database's own file.
    let data = rusqlite::Connection::open(&file).unwrap();
    let count: i64 = data
        .query_row("SELECT count(*) FROM items", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 5);
    drop(data);

    w.destroy();
    assert!(!file.exists(), "destroy removes the database's file");
    assert_eq!(api.pipeline(&url, &full), 401, "its tokens are gone");
    let (status, _) = api.call(reqwest::Method::GET, &format!("{base}/tokens"), None);
    assert_eq!(status, 404);
}
