//! examples/quickstart runs as documented against comwit-local: apply, an empty second plan,
//! destroy.

use std::path::Path;

use super::{contains, get_app, read, s};
use crate::support::platform::Platform;
use crate::support::repo_root;

const SESSION_SECRET: &str = "quickstart-session-secret-5531";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn quickstart_applies_replans_empty_and_destroys() {
    let platform = Platform::start();
    let Some(mut w) = platform.workdir() else {
        return;
    };
    let example = repo_root().join("examples/quickstart");
    copy_dir(&example, &w.path());
    // Leftovers of a local run of the example must not leak into the test.
    for stale in [".terraform", "terraform.tfstate", ".terraform.lock.hcl"] {
        let _ = std::fs::remove_dir_all(w.path().join(stale));
        let _ = std::fs::remove_file(w.path().join(stale));
    }
    w.set_env("TF_VAR_session_secret", SESSION_SECRET);

    w.apply();
    w.assert_no_changes();
    let out = w.outputs();
    let project = out["project_id"]["value"].as_str().unwrap().to_string();
    let app = w.resource("comwit_app.web");
    let app_id = s(&app, "app_id");
    let remote = get_app(&platform, &project, &app_id);
    assert!(remote.active_build_id.is_some(), "the site was deployed");
    assert_eq!(
        out["active_build_id"]["value"].as_str(),
        remote.active_build_id.as_deref()
    );
    assert_eq!(
        out["app_url"]["value"].as_str().unwrap(),
        format!("https://{}", remote.default_hostname)
    );
    // The Automatic DNS hostname is live, its records written into the domain's zone.
    assert_eq!(out["www_status"]["value"], "active");
    let records = platform
        .block_on(
            platform
                .api()
                .list_records(&project, "quickstart.example.com"),
        )
        .unwrap();
    assert!(
        records.iter().any(|r| (r.is_platform()
            && (r.name == "www.quickstart.example.com"
                || r.name
                    .ends_with(&format!(".{}", "www.quickstart.example.com"))))),
        "platform-managed records: {records:?}"
    );
    let env = platform
        .block_on(platform.api().get_env(&project, &app_id))
        .unwrap();
    let names: Vec<&str> = env.variables.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "DATABASE_TOKEN",
            "DATABASE_URL",
            "GREETING",
            "SESSION_SECRET"
        ]
    );
    assert!(!contains(
        &read(&w.path().join("terraform.tfstate")),
        SESSION_SECRET
    ));

    // What the outputs name answers: the site through the Automatic DNS hostname on the apps
    // listener, and the database over libSQL with a token minted through the platform.
    let active = remote.active_build_id.clone().unwrap();
    let (status, build, page) = platform.block_on(async {
        let r = reqwest::Client::new()
            .get(format!("{}/", platform.apps_url))
            .header(reqwest::header::HOST, "www.quickstart.example.com")
            .send()
            .await
            .unwrap();
        let build = r.headers().get("x-comwit-build").cloned();
        (r.status(), build, r.text().await.unwrap())
    });
    assert_eq!(status, 200, "{page}");
    assert_eq!(build.unwrap().to_str().unwrap(), active);
    let site = std::fs::read_to_string(example.join("site/index.html")).unwrap();
    assert_eq!(page, site);
    let database_url = out["database_url"]["value"].as_str().unwrap().to_string();
    let database_id = out["database_id"]["value"].as_str().unwrap().to_string();
    assert!(database_url.starts_with(&platform.db_url), "{database_url}");
    let answer: serde_json::Value = platform.block_on(async {
        let http = reqwest::Client::new();
        let minted: serde_json::Value = http
            .post(format!(
                "{}/v1/projects/{project}/databases/{database_id}/tokens",
                platform.url
            ))
            .bearer_auth(&platform.token)
            .json(&serde_json::json!({"access": "read_only", "expires_in": 60}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        http.post(format!("{database_url}/v2/pipeline"))
            .bearer_auth(minted["token"].as_str().unwrap())
            .json(&serde_json::json!({"requests": [
                {"type": "execute", "stmt": {"sql": "SELECT 40 + 2 AS answer"}},
                {"type": "close"}
            ]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let result = &answer["results"][0]["response"]["result"];
    assert_eq!(result["rows"][0][0]["value"], "42", "{answer}");

    w.destroy();
    let projects = platform.block_on(platform.api().list_projects()).unwrap();
    assert!(
        projects.iter().all(|p| p.project_id != project),
        "the project is gone: {projects:?}"
    );
}
