//! Write-only secrets: never in state, plan files or logs; a secret changed outside Terraform
//! is noticed and sent again; bumping `secret_env_wo_version` sends it again.

use comwit::api::models::{EnvReplace, EnvVarInput};

use super::{contains, digest_key, digest_of, get_env, hcl, keyed, read, s, sha, unzip_all};
use crate::support::platform::{create_project, Platform};

/// Given the recommended way: an ephemeral variable (TF_VAR_api_key).
const SECRET: &str = "sup3r-s3cret-Value-4217";
/// Written as a literal in the configuration.
const LITERAL_SECRET: &str = "an0ther-hidden-8890";

fn app(version: i64) -> String {
    format!(
        "variable \"api_key\" {{\n  type      = string\n  sensitive = true\n  ephemeral = true\n}}\n\n\
         resource \"comwit_app\" \"web\" {{\n  name    = \"web\"\n  runtime = \"next\"\n  env     = {{ MODE = \"production\" }}\n  secret_env_wo = {{\n    API_KEY     = var.api_key\n    SIGNING_KEY = \"{LITERAL_SECRET}\"\n  }}\n  secret_env_wo_version = {version}\n}}\n"
    )
}

/// Asserts that the state file holds neither the plain SHA-256 of a secret (which would let
/// its reader test guesses offline) nor the app's digest key.
fn assert_state_reveals_nothing(w: &crate::support::Workdir, key: &str) {
    let state = read(&w.path().join("terraform.tfstate"));
    assert!(contains(&state, "secret_env_digests"), "the state was read");
    for secret in [SECRET, LITERAL_SECRET] {
        assert!(
            !contains(&state, &sha(secret)),
            "the plain SHA-256 of a secret is in terraform.tfstate"
        );
    }
    assert!(
        !contains(&state, key),
        "the digest key is in terraform.tfstate"
    );
}

/// Asserts that neither secret value occurs in `bytes`.
fn assert_no_secret(what: &str, bytes: &[u8]) {
    for secret in [SECRET, LITERAL_SECRET] {
        assert!(!contains(bytes, secret), "a secret value is in {what}");
    }
}

#[test]
fn secrets_never_leak_and_drift_is_repaired() {
    let platform = Platform::start();
    let Some(mut w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "apps-secrets");
    w.set_env("TF_VAR_api_key", SECRET);
    w.config(&hcl(&project, &app(1)));

    // Apply with a full trace log.
    let trace = w.path().join("trace.log");
    w.set_env("TF_LOG", "trace");
    w.set_env("TF_LOG_PATH", trace.display().to_string());
    w.apply();
    let r = w.resource("comwit_app.web");
    let app_id = s(&r, "app_id");

    // The platform holds the right values; their digests are keyed, not plain SHA-256.
    let env = get_env(&platform, &project, &app_id);
    let key_of = |value: &str| keyed(&platform, &project, &app_id, value);
    assert_eq!(digest_of(&env, "API_KEY"), key_of(SECRET));
    assert_eq!(digest_of(&env, "SIGNING_KEY"), key_of(LITERAL_SECRET));
    assert_ne!(digest_of(&env, "API_KEY"), sha(SECRET));
    let api_key = env.variables.iter().find(|v| v.name == "API_KEY").unwrap();
    assert!(api_key.secret && api_key.value.is_none());
    assert_eq!(
        env.variables
            .iter()
            .find(|v| v.name == "MODE")
            .unwrap()
            .value
            .as_deref(),
        Some("production")
    );

    // Terraform keeps digests, never values.
    assert!(r["secret_env_wo"].is_null(), "{r}");
    assert_eq!(r["secret_env_digests"]["API_KEY"], key_of(SECRET).as_str());
    assert_state_reveals_nothing(&w, &digest_key(&platform, &project, &app_id));

    // A saved plan (with changes, so the configuration is in it) holds no secret either.
    w.config(&hcl(&project, &app(2)));
    let run = w.run(&["plan", "-out=p", "-no-color", "-input=false"]);
    assert!(run.ok(), "{}", run.text());
    assert_no_secret("the plan output", run.text().as_bytes());
    let plan_file = read(&w.path().join("p"));
    assert!(
        !contains(&plan_file, SECRET),
        "the secret is in the raw plan file"
    );
    let files = unzip_all(&plan_file);
    assert!(
        files.iter().any(|(name, _)| name == "tfplan"),
        "the plan file was read: {:?}",
        files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for (name, content) in &files {
        // The plan keeps a copy of the configuration files (tfconfig/), which hold whatever
        // literal the user wrote there; an ephemeral variable's value is in no file at all.
        if name.starts_with("tfconfig/") {
            assert!(!contains(content, SECRET), "the secret is in {name}");
        } else {
            assert_no_secret(&format!("{name} inside the plan file"), content);
        }
    }
    let shown = w.run(&["show", "-json", "-no-color", "p"]);
    assert!(shown.ok(), "{}", shown.text());
    assert!(shown.stdout.contains("secret_env_wo_version"));
    assert_no_secret(
        "`terraform show -json` of the plan",
        shown.stdout.as_bytes(),
    );
    let run = w.run(&["apply", "-auto-approve", "-no-color", "-input=false", "p"]);
    assert!(run.ok(), "{}", run.text());

    // Neither the state nor the trace log holds a secret.
    let state = read(&w.path().join("terraform.tfstate"));
    assert!(contains(&state, "secret_env_digests"), "the state was read");
    assert_no_secret("terraform.tfstate", &state);
    assert_state_reveals_nothing(&w, &digest_key(&platform, &project, &app_id));
    let log = read(&trace);
    assert!(
        contains(&log, "ApplyResourceChange") && contains(&log, "API request"),
        "the trace log covers the provider's calls and its own log lines"
    );
    assert_no_secret("the TF_LOG=trace output", &log);
    w.env.retain(|(k, _)| k != "TF_LOG" && k != "TF_LOG_PATH");
    w.assert_no_changes();

    // A secret changed outside Terraform: the plan shows it, apply sends the configured value.
    let tamper = |value: &str| tamper_api_key(&platform, &project, &app_id, value);
    tamper("changed-by-someone");
    let plan = w.assert_changes();
    assert!(plan.contains("secret_env_digests"), "{plan}");
    assert_no_secret("the plan output", plan.as_bytes());
    w.apply();
    w.assert_no_changes();
    assert_eq!(
        digest_of(&get_env(&platform, &project, &app_id), "API_KEY"),
        key_of(SECRET)
    );

    // Bumping the version sends the secrets again. Without a refresh Terraform cannot see the
    // tampering, so only the re-send can restore the value.
    tamper("changed-again");
    w.config(&hcl(&project, &app(3)));
    let run = w.run(&[
        "apply",
        "-refresh=false",
        "-auto-approve",
        "-no-color",
        "-input=false",
    ]);
    assert!(run.ok(), "{}", run.text());
    assert!(run.stdout.contains("1 changed"), "{}", run.stdout);
    assert_eq!(
        digest_of(&get_env(&platform, &project, &app_id), "API_KEY"),
        key_of(SECRET)
    );
    w.assert_no_changes();

    // Removing the secrets removes them from the app.
    w.config(&hcl(
        &project,
        "resource \"comwit_app\" \"web\" {\n  name    = \"web\"\n  runtime = \"next\"\n  env     = { MODE = \"production\" }\n}\n",
    ));
    w.apply();
    w.assert_no_changes();
    let env = get_env(&platform, &project, &app_id);
    assert_eq!(env.variables.len(), 1);
    assert_eq!(env.variables[0].name, "MODE");

    w.destroy();
}

/// Rewrites the state file as a provider of schema version 0 wrote it: `schema_version` 0 and
/// plain SHA-256 digests (`digests`: name to secret value).
fn write_old_state(w: &crate::support::Workdir, digests: &[(&str, &str)]) {
    let path = w.path().join("terraform.tfstate");
    let mut state: serde_json::Value = serde_json::from_slice(&read(&path)).unwrap();
    let resources = state["resources"].as_array_mut().unwrap();
    let app = resources
        .iter_mut()
        .find(|r| r["type"] == "comwit_app")
        .expect("comwit_app in state");
    let instance = &mut app["instances"][0];
    assert_eq!(instance["schema_version"], 1, "the current state version");
    instance["schema_version"] = 0.into();
    instance["attributes"]["secret_env_digests"] = digests
        .iter()
        .map(|(name, value)| (name.to_string(), serde_json::Value::String(sha(value))))
        .collect::<serde_json::Map<_, _>>()
        .into();
    state["serial"] = (state["serial"].as_i64().unwrap() + 1).into();
    std::fs::write(&path, serde_json::to_vec_pretty(&state).unwrap()).unwrap();
}

#[test]
fn states_with_plain_digests_upgrade_to_an_empty_plan() {
    let platform = Platform::start();
    let Some(mut w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "apps-upgrade");
    w.set_env("TF_VAR_api_key", SECRET);
    w.config(&hcl(&project, &app(1)));
    w.apply();
    let app_id = s(&w.resource("comwit_app.web"), "app_id");
    let key = digest_key(&platform, &project, &app_id);
    assert_state_reveals_nothing(&w, &key);
    // Known digests without a refresh: the plan reads the app's key itself.
    let run = w.run(&[
        "plan",
        "-refresh=false",
        "-detailed-exitcode",
        "-no-color",
        "-input=false",
    ]);
    assert_eq!(run.code, 0, "{}", run.text());

    // A state from the previous provider version: schema 0, plain SHA-256 digests.
    write_old_state(&w, &[("API_KEY", SECRET), ("SIGNING_KEY", LITERAL_SECRET)]);
    let old = read(&w.path().join("terraform.tfstate"));
    assert!(contains(&old, &sha(SECRET)), "the old format was written");

    // Upgraded and refreshed, the unchanged secrets plan nothing.
    w.assert_no_changes();
    // Without a refresh the old digests are gone and the keyed ones unknown to the state:
    // the plan sends the secrets again rather than trust what it cannot compare.
    let run = w.run(&[
        "plan",
        "-refresh=false",
        "-detailed-exitcode",
        "-no-color",
        "-input=false",
    ]);
    assert_eq!(run.code, 2, "{}", run.text());
    assert!(run.stdout.contains("secret_env_digests"), "{}", run.stdout);

    // A refresh-only apply rewrites the state: current version, keyed digests only.
    let run = w.run(&[
        "apply",
        "-refresh-only",
        "-auto-approve",
        "-no-color",
        "-input=false",
    ]);
    assert!(run.ok(), "{}", run.text());
    let state: serde_json::Value =
        serde_json::from_slice(&read(&w.path().join("terraform.tfstate"))).unwrap();
    let instance = &state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "comwit_app")
        .unwrap()["instances"][0];
    assert_eq!(instance["schema_version"], 1);
    let digests = &instance["attributes"]["secret_env_digests"];
    assert_eq!(
        digests["API_KEY"],
        keyed(&platform, &project, &app_id, SECRET).as_str()
    );
    assert_eq!(
        digests["SIGNING_KEY"],
        keyed(&platform, &project, &app_id, LITERAL_SECRET).as_str()
    );
    assert_state_reveals_nothing(&w, &key);
    assert_no_secret(
        "terraform.tfstate",
        &read(&w.path().join("terraform.tfstate")),
    );
    w.assert_no_changes();
    let run = w.run(&[
        "plan",
        "-refresh=false",
        "-detailed-exitcode",
        "-no-color",
        "-input=false",
    ]);
    assert_eq!(run.code, 0, "{}", run.text());

    // Drift is still noticed after the upgrade, and repaired.
    tamper_api_key(&platform, &project, &app_id, "changed-by-someone");
    let plan = w.assert_changes();
    assert!(plan.contains("secret_env_digests"), "{plan}");
    w.apply();
    w.assert_no_changes();
    assert_eq!(
        digest_of(&get_env(&platform, &project, &app_id), "API_KEY"),
        keyed(&platform, &project, &app_id, SECRET)
    );
    w.destroy();
}

/// Replaces the app's environment outside Terraform: MODE and SIGNING_KEY as configured,
/// API_KEY set to `value`.
fn tamper_api_key(platform: &Platform, project: &str, app_id: &str, value: &str) {
    platform
        .block_on(platform.api().replace_env(
            project,
            app_id,
            &EnvReplace {
                variables: vec![
                    EnvVarInput {
                        name: "MODE",
                        value: "production",
                        secret: false,
                    },
                    EnvVarInput {
                        name: "API_KEY",
                        value,
                        secret: true,
                    },
                    EnvVarInput {
                        name: "SIGNING_KEY",
                        value: LITERAL_SECRET,
                        secret: true,
                    },
                ],
            },
        ))
        .unwrap();
}
