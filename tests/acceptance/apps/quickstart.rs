//! examples/quickstart runs as documented against comwit-local: apply, an empty second plan,
//! destroy. It uses only public routes (the project is made here, beforehand, as the console
//! would; the quickstart reads it with `data.comwit_project`).

use std::path::Path;

use super::{env_pairs, get_app, s};
use crate::support::platform::{create_project, Platform};
use crate::support::repo_root;

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
    let project = create_project(&platform, "quickstart");
    let example = repo_root().join("examples/quickstart");
    copy_dir(&example, &w.path());
    // Leftovers of a local run of the example must not leak into the test.
    for stale in [".terraform", "terraform.tfstate", ".terraform.lock.hcl"] {
        let _ = std::fs::remove_dir_all(w.path().join(stale));
        let _ = std::fs::remove_file(w.path().join(stale));
    }
    w.set_env("TF_VAR_project_id", project.clone());

    w.apply();
    w.assert_no_changes();
    let out = w.outputs();
    assert_eq!(out["project_id"]["value"], project.as_str());
    let app = w.resource("comwit_app.web");
    let app_id = s(&app, "app_id");
    let remote = get_app(&platform, &project, &app_id);
    assert!(remote.active_build_id.is_some(), "the site was deployed");
    assert_eq!(
        out["active_build_id"]["value"].as_str(),
        remote.active_build_id.as_deref()
    );
    assert_eq!(
        out["app_url"]["value"].as_str(),
        remote.default_url.as_deref()
    );
    // The Automatic DNS hostname is live (the dns slice's part).
    assert_eq!(out["www_status"]["value"], "active");
    let records = platform
        .block_on(
            platform
                .api()
                .list_records(&project, "quickstart.example.com"),
        )
        .unwrap();
    assert!(
        records.iter().any(|r| r.is_platform()
            && (r.name == "www.quickstart.example.com"
                || r.name
                    .ends_with(&format!(".{}", "www.quickstart.example.com")))),
        "platform-managed records: {records:?}"
    );
    let env = platform
        .block_on(platform.api().get_env(&project, &app_id))
        .unwrap();
    let names: Vec<String> = env_pairs(&env).into_iter().map(|(k, _)| k).collect();
    assert_eq!(names, vec!["DATABASE_URL", "GREETING"]);

    // The site answers through the Automatic DNS hostname on the apps listener, from the
    // package's manifest routes: `/` is static/index, `/about` static/about.
    let active = remote.active_build_id.clone().unwrap();
    for (path, file) in [("/", "site/static/index"), ("/about", "site/static/about")] {
        let (status, build, page) = platform.block_on(async {
            let r = reqwest::Client::new()
                .get(format!("{}{path}", platform.apps_url))
                .header(reqwest::header::HOST, "www.quickstart.example.com")
                .send()
                .await
                .unwrap();
            let build = r.headers().get("x-comwit-build").cloned();
            (r.status(), build, r.text().await.unwrap())
        });
        assert_eq!(status, 200, "{path}: {page}");
        assert_eq!(build.unwrap().to_str().unwrap(), active);
        assert_eq!(page, std::fs::read_to_string(example.join(file)).unwrap());
    }
    let database_url = out["database_url"]["value"].as_str().unwrap().to_string();
    assert!(database_url.starts_with(&platform.db_url), "{database_url}");

    w.destroy();
    let apps = platform
        .block_on(platform.api().list_apps(&project))
        .unwrap();
    assert!(apps.is_empty(), "the app is gone: {apps:?}");
}
