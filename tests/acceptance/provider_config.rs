//! Provider configuration, as a user meets it: the token and the default project from the
//! provider block, the environment, or the official CLI's login file (in that order), and the
//! errors of a configuration that cannot work, in `terraform plan`.

use crate::support::platform::{create_project, Platform, PROVIDER_HEADER};

fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn missing_token_names_all_three_ways_to_set_it() {
    let platform = Platform::start();
    let Some(mut w) = platform.workdir() else {
        return;
    };
    w.set_env("COMWIT_TOKEN", "");
    w.config(&format!(
        "{PROVIDER_HEADER}\nprovider \"comwit\" {{}}\ndata \"comwit_projects\" \"all\" {{}}\n"
    ));
    let text = flat(&w.plan_expect_error().text());
    for wanted in [
        "Missing Comwit token",
        "`token` in the provider \"comwit\" block",
        "COMWIT_TOKEN",
        "login file",
        "no-comwit-login.json",
        "comwit login",
    ] {
        assert!(text.contains(wanted), "missing {wanted:?} in {text}");
    }
}

#[test]
fn a_token_with_whitespace_and_plain_http_are_refused_at_plan() {
    let platform = Platform::start();
    let Some(mut w) = platform.workdir() else {
        return;
    };
    // From the environment, so that Terraform's echo of the configuration cannot show it.
    w.set_env("COMWIT_TOKEN", "cwt_not a secretvalue");
    w.config(&format!(
        "{PROVIDER_HEADER}\nprovider \"comwit\" {{}}\ndata \"comwit_projects\" \"all\" {{}}\n"
    ));
    let text = w.plan_expect_error().text();
    assert!(text.contains("Invalid COMWIT_TOKEN"), "{text}");
    assert!(text.contains("whitespace"), "{text}");
    assert!(
        !text.contains("secretvalue"),
        "the token is never shown: {text}"
    );
    w.config(&format!(
        "{PROVIDER_HEADER}\nprovider \"comwit\" {{\n  api_url = \"http://example.com\"\n}}\ndata \"comwit_projects\" \"all\" {{}}\n"
    ));
    let text = w.plan_expect_error().text();
    assert!(text.contains("Invalid API URL"), "{text}");
}

/// IDs are opaque: only what no ID can hold (whitespace, a `/`) fails at plan time, and a bad
/// retry budget too; nothing is created.
#[test]
fn impossible_ids_and_retry_budget_fail_at_plan_and_create_nothing() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    w.config(&format!(
        "{PROVIDER_HEADER}\nprovider \"comwit\" {{\n  project_id        = \"gar bage\"\n  retry_max_elapsed = \"soon\"\n}}\nresource \"comwit_database\" \"db\" {{\n  name = \"main\"\n}}\n"
    ));
    let text = flat(&w.plan_expect_error().text());
    assert!(text.contains("Invalid project_id"), "{text}");
    assert!(text.contains("it holds whitespace"), "{text}");
    assert!(text.contains("Invalid retry_max_elapsed"), "{text}");

    w.config(&format!(
        "{PROVIDER_HEADER}\nprovider \"comwit\" {{}}\nresource \"comwit_project\" \"p\" {{\n  name = \"fine\"\n}}\nresource \"comwit_database\" \"db\" {{\n  project_id = \"p/1\"\n  name       = \"main\"\n}}\n"
    ));
    let text = flat(&w.apply_expect_error().text());
    assert!(text.contains("be a project ID"), "{text}");
    assert!(text.contains("without whitespace or `/`"), "{text}");
    let projects = platform
        .block_on(platform.api().list_projects())
        .expect("list projects");
    assert!(projects.is_empty(), "nothing was created: {projects:?}");
}

/// After `comwit login` Terraform needs no setup: the token and the default project come from
/// the CLI's login file (`$XDG_CONFIG_HOME/comwit/config.json` here, then `$COMWIT_CONFIG`);
/// the environment wins over the file, and the token never reaches the state.
#[test]
fn the_cli_login_file_supplies_token_and_default_project() {
    let platform = Platform::start_public();
    let Some(mut w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "from-login");
    let other = create_project(&platform, "from-env");
    let xdg = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(xdg.path().join("comwit")).unwrap();
    let login = serde_json::json!({"token": platform.token, "default_project": project});
    std::fs::write(xdg.path().join("comwit/config.json"), login.to_string()).unwrap();
    w.set_env("COMWIT_TOKEN", "");
    w.set_env("COMWIT_CONFIG", "");
    w.set_env("XDG_CONFIG_HOME", xdg.path().display().to_string());
    let config = format!(
        "{PROVIDER_HEADER}\nprovider \"comwit\" {{}}\nresource \"comwit_database\" \"db\" {{\n  name                = \"main\"\n  deletion_protection = false\n}}\n"
    );
    w.config(&config);
    w.apply();
    w.assert_no_changes();
    let r = w.resource("comwit_database.db");
    assert_eq!(r["project_id"], project.as_str());
    assert!(!w.state_json().to_string().contains(&platform.token));
    w.destroy();

    // COMWIT_PROJECT wins over the file's default_project; COMWIT_CONFIG names another file.
    let elsewhere = xdg.path().join("elsewhere.json");
    std::fs::write(&elsewhere, login.to_string()).unwrap();
    w.set_env("COMWIT_CONFIG", elsewhere.display().to_string());
    w.set_env("XDG_CONFIG_HOME", "/nonexistent");
    w.set_env("COMWIT_PROJECT", other.clone());
    w.apply();
    assert_eq!(
        w.resource("comwit_database.db")["project_id"],
        other.as_str()
    );
    w.destroy();

    // COMWIT_TOKEN wins over the file's token (a broken one here).
    let broken = serde_json::json!({"token": "cwt_revoked", "default_project": project});
    std::fs::write(&elsewhere, broken.to_string()).unwrap();
    w.set_env("COMWIT_TOKEN", platform.token.clone());
    w.apply();
    w.destroy();

    // A login file that is not the CLI's JSON is named, never shown.
    w.set_env("COMWIT_TOKEN", "");
    std::fs::write(&elsewhere, "token = cwt_secretish").unwrap();
    let text = flat(&w.plan_expect_error().text());
    assert!(text.contains("Unreadable Comwit login file"), "{text}");
    assert!(text.contains("elsewhere.json"), "{text}");
    assert!(!text.contains("secretish"), "{text}");
    platform.assert_public_contract();
}
