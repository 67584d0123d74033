//! `comwit_database_token`: an app keeps a token through `secret_env_wo` +
//! `secret_env_wo_rotating` (empty second plan, rotation by `secret_env_wo_version`), a token
//! for the run itself is revoked when Terraform closes it, kept tokens are exactly those
//! minted, and no token is ever in the state, a saved plan or a trace log.

use std::collections::BTreeSet;
use std::path::Path;

use base64::Engine as _;

use super::{assert_mentions, hcl, s};
use crate::apps::{contains, digest_of, get_env, keyed, read, unzip_all};
use crate::support::platform::{create_project, Platform, ALL_SCOPES};
use crate::support::Workdir;

/// A database, an app that keeps a token (never revoked, 30 days), and a token for the run
/// itself that a provisioner uses once. The provisioner also writes both tokens it was given
/// to files, so the test knows their values.
fn config(version: i64) -> String {
    format!(
        r#"
resource "comwit_database" "main" {{
  name                = "orders"
  deletion_protection = false
}}

ephemeral "comwit_database_token" "app" {{
  database_id     = comwit_database.main.database_id
  expires_in      = "720h"
  revoke_on_close = false
}}

ephemeral "comwit_database_token" "run" {{
  database_id = comwit_database.main.database_id
  access      = "read_only"
}}

resource "comwit_app" "web" {{
  name    = "web"
  runtime = "next"
  env     = {{ DATABASE_URL = comwit_database.main.database_url }}
  secret_env_wo = {{
    DATABASE_TOKEN = ephemeral.comwit_database_token.app.token
  }}
  secret_env_wo_rotating = ["DATABASE_TOKEN"]
  secret_env_wo_version  = {version}
}}

resource "terraform_data" "migrate" {{
  triggers_replace = [comwit_database.main.database_id]
  provisioner "local-exec" {{
    command = "printf '%s\n' \"$RUN_TOKEN\" >> run-tokens.txt && printf '%s\n' \"$APP_TOKEN\" >> app-tokens.txt"
    environment = {{
      RUN_TOKEN = ephemeral.comwit_database_token.run.token
      APP_TOKEN = ephemeral.comwit_database_token.app.token
    }}
  }}
}}
"#
    )
}

/// Every JWT-shaped string (three base64url parts, the first two JSON objects) in `bytes`.
fn jwts(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let b64 = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut found = Vec::new();
    let mut rest: &str = &text;
    while let Some(at) = rest.find("eyJ") {
        let candidate: String = rest[at..]
            .chars()
            .take_while(|c| b64(*c) || *c == '.')
            .collect();
        let parts: Vec<&str> = candidate.split('.').collect();
        if parts.len() >= 3 && parts[1].starts_with("eyJ") && !parts[2].is_empty() {
            found.push(parts[..3].join("."));
        }
        rest = &rest[at + 3..];
    }
    found
}

/// The `jti` claim (the token's ID) of a JWT.
fn jti(jwt: &str) -> String {
    let payload = jwt.split('.').nth(1).expect("a JWT payload");
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    let claims: serde_json::Value = serde_json::from_slice(&json).expect("JSON claims");
    claims["jti"].as_str().expect("a jti claim").to_string()
}

/// The tokens the provider minted so far, from its log lines (hclog JSON, which Terraform
/// writes after its own prefix): (token ID, revoke_on_close).
fn minted(log: &Path) -> Vec<(String, bool)> {
    let text = String::from_utf8_lossy(&read(log)).into_owned();
    text.lines()
        .filter(|line| line.contains("\"database token minted\""))
        .map(|line| {
            let json = &line[line.find('{').expect("a JSON log line")..];
            let fields: serde_json::Value = serde_json::from_str(json).expect("JSON");
            let id = fields["token_id"].as_str().expect("token_id").to_string();
            let revoke = fields["revoke_on_close"]
                .as_bool()
                .expect("revoke_on_close");
            (id, revoke)
        })
        .collect()
}

/// The database's live tokens, as the platform lists them.
fn live(p: &Platform, project: &str, database: &str) -> BTreeSet<String> {
    p.block_on(p.api().list_database_tokens(project, database))
        .expect("list tokens")
        .into_iter()
        .map(|t| t.token_id)
        .collect()
}

fn is_revoked(p: &Platform, project: &str, database: &str, token_id: &str) -> bool {
    match p.block_on(p.api().get_database_token(project, database, token_id)) {
        Ok(_) => false,
        Err(e) if e.is_not_found() => true,
        Err(e) => panic!("read the token {token_id}: {e}"),
    }
}

/// The lines of a file the provisioner wrote.
fn lines(w: &Workdir, name: &str) -> Vec<String> {
    String::from_utf8_lossy(&read(&w.path().join(name)))
        .lines()
        .map(str::to_string)
        .collect()
}

/// Asserts that no token (nor anything shaped like one) is in `bytes`.
fn assert_no_token(what: &str, bytes: &[u8], known: &[String]) {
    for token in known {
        assert!(!contains(bytes, token), "a database token is in {what}");
    }
    assert!(jwts(bytes).is_empty(), "a JWT-shaped string is in {what}");
}

#[test]
fn tokens_reach_the_app_and_nothing_else_and_only_kept_ones_stay() {
    let platform = Platform::start();
    let Some(mut w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "db-tokens");
    let log = w.path().join("tf.log");
    w.set_env("TF_LOG", "trace");
    w.set_env("TF_LOG_PATH", log.display().to_string());
    w.config(&hcl(Some(&project), &config(1)));
    w.apply();

    let db = w.resource("comwit_database.main");
    let database = s(&db, "database_id");
    let app_id = s(&w.resource("comwit_app.web"), "app_id");
    // The provisioner got both tokens of the apply; the app holds the kept one.
    let (run_tokens, app_tokens) = (lines(&w, "run-tokens.txt"), lines(&w, "app-tokens.txt"));
    assert_eq!((run_tokens.len(), app_tokens.len()), (1, 1));
    // The detector finds what it must not find elsewhere.
    assert_eq!(jwts(app_tokens[0].as_bytes()), [app_tokens[0].clone()]);
    let env = get_env(&platform, &project, &app_id);
    let first_digest = digest_of(&env, "DATABASE_TOKEN");
    assert_eq!(
        first_digest,
        keyed(&platform, &project, &app_id, &app_tokens[0])
    );
    assert!(live(&platform, &project, &database).contains(&jti(&app_tokens[0])));
    assert!(is_revoked(
        &platform,
        &project,
        &database,
        &jti(&run_tokens[0])
    ));
    let known: Vec<String> = run_tokens.iter().chain(&app_tokens).cloned().collect();
    assert_no_token(
        "terraform.tfstate",
        &read(&w.path().join("terraform.tfstate")),
        &known,
    );

    // A new token on every run, and yet the next plan is empty.
    w.assert_no_changes();

    // Rotation: a new version sends this run's token. A saved plan holds no token either.
    w.config(&hcl(Some(&project), &config(2)));
    let run = w.run(&["plan", "-out=p", "-no-color", "-input=false"]);
    assert!(run.ok(), "{}", run.text());
    assert!(
        run.stdout.contains("secret_env_wo_version"),
        "{}",
        run.stdout
    );
    let plan_file = read(&w.path().join("p"));
    assert_no_token("the saved plan", &plan_file, &known);
    let files = unzip_all(&plan_file);
    assert!(files.iter().any(|(name, _)| name == "tfplan"));
    for (name, content) in &files {
        assert_no_token(&format!("{name} in the saved plan"), content, &known);
    }
    let run = w.run(&["apply", "-auto-approve", "-no-color", "-input=false", "p"]);
    assert!(run.ok(), "{}", run.text());
    let rotated = digest_of(&get_env(&platform, &project, &app_id), "DATABASE_TOKEN");
    assert_ne!(rotated, first_digest, "the app got a new token");
    w.assert_no_changes();
    assert_eq!(
        digest_of(&get_env(&platform, &project, &app_id), "DATABASE_TOKEN"),
        rotated,
        "and keeps it"
    );

    // Never in the state or the trace log of all those runs.
    let trace = read(&log);
    assert!(
        contains(&trace, "OpenEphemeralResource") && contains(&trace, "API request"),
        "the trace log covers the provider's calls"
    );
    assert_no_token("the TF_LOG=trace log", &trace, &known);
    assert_no_token(
        "terraform.tfstate",
        &read(&w.path().join("terraform.tfstate")),
        &known,
    );

    // Kept tokens: exactly those minted, one a run that opened them (the first plan could
    // not: the database did not exist yet). The others are all revoked.
    let minted = minted(&log);
    let kept: BTreeSet<String> = minted
        .iter()
        .filter(|m| !m.1)
        .map(|m| m.0.clone())
        .collect();
    let revoked: Vec<&String> = minted.iter().filter(|m| m.1).map(|m| &m.0).collect();
    // apply (its apply step), plan, plan -out, apply of the plan, plan.
    assert_eq!(kept.len(), 5, "{minted:?}");
    assert_eq!(revoked.len(), 5, "{minted:?}");
    assert_eq!(live(&platform, &project, &database), kept);
    for id in revoked {
        assert!(is_revoked(&platform, &project, &database, id), "{id}");
    }

    w.env.retain(|(k, _)| k != "TF_LOG" && k != "TF_LOG_PATH");
    w.destroy();
}

#[test]
fn refusals_name_the_cause_and_mint_nothing() {
    let platform = Platform::start();
    let project = create_project(&platform, "db-token-errors");
    let database = platform
        .block_on(platform.api().create_database(&project, "main"))
        .expect("create database")
        .database_id;
    let token = |database_id: &str, extra: &str| {
        format!(
            "ephemeral \"comwit_database_token\" \"t\" {{\n  database_id = \"{database_id}\"\n{extra}}}\n"
        )
    };

    // A provider token without database:write.
    let scopes: Vec<&str> = ALL_SCOPES
        .iter()
        .copied()
        .filter(|s| *s != "database:write")
        .collect();
    let Some(w) = platform.workdir_with_token(&platform.token_with_scopes(&scopes)) else {
        return;
    };
    w.config(&hcl(Some(&project), &token(&database, "")));
    let run = w.plan_expect_error();
    assert_mentions(
        &run.text(),
        &[
            "Token lacks the database:write scope",
            "comwit_database_token.t",
        ],
    );

    let Some(w) = platform.workdir() else {
        return;
    };
    w.config(&hcl(Some(&project), &token("db_0000000000000000", "")));
    let run = w.plan_expect_error();
    assert_mentions(
        &run.text(),
        &["Database not found", "db_0000000000000000", "database_id"],
    );

    for (extra, wanted) in [
        ("  expires_in = \"2d\"\n", "Invalid expires_in"),
        ("  expires_in = \"30s\"\n", "from 1m"),
        ("  access = \"admin\"\n", "full_access"),
    ] {
        w.config(&hcl(Some(&project), &token(&database, extra)));
        let run = w.plan_expect_error();
        assert_mentions(&run.text(), &[wanted]);
    }
    assert!(live(&platform, &project, &database).is_empty());
}

/// Seconds since the Unix epoch of an RFC 3339 timestamp.
fn epoch(rfc3339: &str) -> i64 {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{rfc3339}: {e}"))
        .unix_timestamp()
}

/// Terraform renews a token while the run that opened it lasts: a one-minute token outlives a
/// provisioner that takes longer than four fifths of it.
#[test]
fn a_token_is_renewed_while_the_run_lasts() {
    let platform = Platform::start();
    let Some(mut w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "db-token-renew");
    let database = platform
        .block_on(platform.api().create_database(&project, "main"))
        .expect("create database")
        .database_id;
    let log = w.path().join("tf.log");
    w.set_env("TF_LOG", "debug");
    w.set_env("TF_LOG_PATH", log.display().to_string());
    w.config(&hcl(
        Some(&project),
        &format!(
            r#"
ephemeral "comwit_database_token" "slow" {{
  database_id     = "{database}"
  expires_in      = "1m"
  revoke_on_close = false
}}

resource "terraform_data" "slow_migration" {{
  provisioner "local-exec" {{
    command     = "sleep 55"
    environment = {{ DATABASE_TOKEN = ephemeral.comwit_database_token.slow.token }}
  }}
}}
"#
        ),
    ));
    w.apply();
    // The plan's token and the apply's; the apply's was renewed after 48 s, which made it
    // valid for a minute from then.
    let minted = minted(&log);
    assert_eq!(minted.len(), 2, "{minted:?}");
    let applied = &minted[1].0;
    let trace = String::from_utf8_lossy(&read(&log)).into_owned();
    assert!(
        trace
            .lines()
            .any(|l| l.contains("\"database token renewed\"") && l.contains(applied.as_str())),
        "no renewal of {applied}"
    );
    let token = platform
        .block_on(
            platform
                .api()
                .get_database_token(&project, &database, applied),
        )
        .expect("the kept token is live");
    let lifetime = epoch(&token.expires_at) - epoch(&token.created_at);
    assert!(lifetime >= 100, "renewed: {token:?}");
}
