//! A platform that fails: transient 5xx before and after the work was committed, creates whose
//! answer is lost for good, a killed provider, and a rate limit. One `terraform apply` must
//! converge, the platform must hold exactly the objects in state, and refreshes must stay
//! cheap in API calls.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use comwit::api::Client;

use crate::support::platform::{create_project, Platform, PROVIDER_HEADER};
use crate::support::Workdir;

/// Every ID of `kind` (e.g. `comwit_database`, attribute `database_id`) in state.
fn state_ids(w: &Workdir, kind: &str, id_attr: &str) -> BTreeSet<String> {
    let state = w.state_json();
    let mut ids = BTreeSet::new();
    if let Some(resources) = state["values"]["root_module"]["resources"].as_array() {
        for r in resources.iter().filter(|r| r["type"] == kind) {
            ids.insert(r["values"][id_attr].as_str().unwrap().to_string());
        }
    }
    ids
}

/// The IDs of the records of a domain that no hostname manages, as the platform lists them.
fn platform_records(p: &Platform, api: &Client, project: &str, domain: &str) -> BTreeSet<String> {
    p.block_on(api.list_records(project, domain))
        .expect("list records")
        .into_iter()
        .filter(|r| !r.is_platform())
        .map(|r| r.record_id)
        .collect()
}

fn records_hcl(project: &str, domain: &str, count: usize, provider_extra: &str) -> String {
    format!(
        r#"{PROVIDER_HEADER}
provider "comwit" {{
  project_id = "{project}"
{provider_extra}}}

resource "comwit_domain_record" "a" {{
  count  = {count}
  domain = "{domain}"
  name   = "host-${{count.index}}"
  type   = "A"
  values = ["192.0.2.${{count.index % 250 + 1}}"]
}}
"#
    )
}

/// A project (made as the console does) and a domain onboarded through the API (patiently,
/// under faults).
fn project_with_domain(p: &Platform, name: &str, domain: &str) -> String {
    let api = p.patient_api();
    let project = create_project(p, name);
    p.block_on(api.onboard_domain(&project, domain))
        .expect("onboard domain");
    project
}

/// 50 resources in a project made beforehand (as the console does: no public route creates one).
const FIFTY: &str = r#"
resource "comwit_database" "db" {
  count               = 8
  name                = "db-${count.index}"
  deletion_protection = false
}

resource "comwit_app" "app" {
  count = 10
  name  = "app-${count.index}"
  env   = { INDEX = tostring(count.index) }
}

resource "comwit_domain" "d" {
  domain = "faulty.example.com"
}

resource "comwit_domain_record" "a" {
  count  = 31
  domain = comwit_domain.d.domain
  name   = "host-${count.index}"
  type   = "A"
  values = ["192.0.2.${count.index + 1}"]
}
"#;

/// 50 resources at a 30% failure rate (half of the failures after the commit): one apply
/// converges, the platform holds exactly what state holds, a refresh plan under the same
/// faults is empty, and destroy under faults leaves nothing. Extensions are off: every
/// request is one of the public contract's.
#[test]
fn fifty_resources_converge_in_one_apply_at_thirty_percent_faults() {
    let p = Platform::start_with(|c| {
        c.fail_rate = 0.3;
        c.extensions = false;
    });
    let Some(w) = p.workdir() else { return };
    let project = create_project(&p, "faulty");
    w.config(&format!(
        "{PROVIDER_HEADER}\nprovider \"comwit\" {{\n  project_id = \"{project}\"\n}}\n{FIFTY}"
    ));
    let apply = w.apply();
    assert!(
        apply.stdout.contains("50 added"),
        "one apply creates all 50:\n{}",
        apply.stdout
    );
    let faults_so_far = p.server_errors();
    assert!(faults_so_far > 5, "faults were injected: {faults_so_far}");
    eprintln!(
        "50 resources at fail rate 0.3: {} requests, {faults_so_far} injected faults",
        p.request_total()
    );

    let api = p.patient_api();
    let dbs: BTreeSet<String> = p
        .block_on(api.list_databases(&project))
        .unwrap()
        .into_iter()
        .map(|d| d.database_id)
        .collect();
    assert_eq!(dbs, state_ids(&w, "comwit_database", "database_id"));
    assert_eq!(dbs.len(), 8);
    let apps: BTreeSet<String> = p
        .block_on(api.list_apps(&project))
        .unwrap()
        .into_iter()
        .map(|a| a.app_id)
        .collect();
    assert_eq!(apps, state_ids(&w, "comwit_app", "app_id"));
    assert_eq!(apps.len(), 10);
    assert_eq!(p.block_on(api.list_domains(&project)).unwrap().len(), 1);
    let records = platform_records(&p, &api, &project, "faulty.example.com");
    assert_eq!(records, state_ids(&w, "comwit_domain_record", "record_id"));
    assert_eq!(records.len(), 31, "no duplicates, no orphans");

    w.assert_no_changes();
    w.destroy();
    assert!(
        p.block_on(api.live_databases(&project)).unwrap().is_empty()
            && p.block_on(api.list_apps(&project)).unwrap().is_empty()
            && p.block_on(api.list_domains(&project)).unwrap().is_empty(),
        "destroy under faults leaves nothing"
    );
    p.assert_public_contract();
}

/// Creates whose answers are lost for good (no retries allowed, every injected fault after
/// the commit) leave objects on the platform that state does not know; the next apply adopts
/// them instead of creating them again.
#[test]
fn lost_creates_are_adopted_by_the_next_apply() {
    let p = Platform::start_with(|c| {
        c.fail_rate = 0.3;
        c.fail_after_share = 1.0;
    });
    let Some(w) = p.workdir() else { return };
    let project = project_with_domain(&p, "lost", "lost.example.com");
    let api = p.patient_api();

    w.config(&records_hcl(
        &project,
        "lost.example.com",
        20,
        "  retry_max_elapsed = \"0s\"\n",
    ));
    let first = w.apply_expect_error();
    assert!(
        first.text().contains("Comwit platform unavailable"),
        "{}",
        first.text()
    );
    let on_platform = platform_records(&p, &api, &project, "lost.example.com");
    let in_state = state_ids(&w, "comwit_domain_record", "record_id");
    assert!(
        on_platform.len() > in_state.len(),
        "the failed creates left objects behind: platform {} vs state {}",
        on_platform.len(),
        in_state.len()
    );

    w.config(&records_hcl(&project, "lost.example.com", 20, ""));
    w.apply();
    let on_platform = platform_records(&p, &api, &project, "lost.example.com");
    assert_eq!(on_platform.len(), 20, "exactly 20 records, none twice");
    assert_eq!(
        on_platform,
        state_ids(&w, "comwit_domain_record", "record_id")
    );
    w.assert_no_changes();
}

/// Terraform's provider process is killed in the middle of 20 creates (answers are on the
/// way, `--latency` holds half of each request after its commit); the next apply ends with
/// exactly 20 objects.
#[test]
fn a_killed_provider_leaves_nothing_behind() {
    let p = Platform::start_with(|c| c.latency = Duration::from_millis(600));
    let Some(w) = p.workdir() else { return };
    let project = create_project(&p, "killed");
    p.block_on(p.api().onboard_domain(&project, "killed.example.com"))
        .unwrap();
    let api = p.api();
    w.config(&records_hcl(&project, "killed.example.com", 20, ""));

    let mut apply = w.spawn(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let made = p.admin().record_count("killed.example.com").unwrap();
        if made >= 4 {
            break;
        }
        assert!(Instant::now() < deadline, "the apply never got going");
        std::thread::sleep(Duration::from_millis(5));
    }
    let killed = std::process::Command::new("pkill")
        .args(["-KILL", "-f"])
        .arg(p.provider_path())
        .status()
        .expect("run pkill");
    assert!(killed.success(), "a provider process was running");
    let status = apply.wait().expect("wait for terraform");
    assert!(
        !status.success(),
        "the apply fails once its provider is gone"
    );

    let on_platform = platform_records(&p, &api, &project, "killed.example.com");
    let in_state = state_ids(&w, "comwit_domain_record", "record_id");
    assert!(
        on_platform.len() > in_state.len(),
        "creates in flight were committed without Terraform knowing: platform {} vs state {}",
        on_platform.len(),
        in_state.len()
    );

    w.apply();
    let on_platform = platform_records(&p, &api, &project, "killed.example.com");
    assert_eq!(on_platform.len(), 20, "exactly 20 records, none twice");
    assert_eq!(
        on_platform,
        state_ids(&w, "comwit_domain_record", "record_id")
    );
}

/// 200 creates against 20 requests per second: no errors, few 429s (the provider paces
/// itself from the platform's `RateLimit-*` headers), and a refresh of all 200 costs a
/// handful of calls (one list per parent, not one read per record).
#[test]
fn two_hundred_creates_under_a_rate_limit() {
    let p = Platform::start_with(|c| c.rate_limit = Some(20));
    let Some(w) = p.workdir() else { return };
    let project = project_with_domain(&p, "paced", "paced.example.com");
    w.config(&records_hcl(&project, "paced.example.com", 200, ""));

    let before = p.request_counts();
    w.apply();
    let after = p.request_counts();
    let delta = |status: u16| after.get(&status).unwrap_or(&0) - before.get(&status).unwrap_or(&0);
    let total: u64 = after.values().sum::<u64>() - before.values().sum::<u64>();
    let limited = delta(429);
    eprintln!("200 creates at 20 requests/s: {total} requests, {limited} answered 429");
    assert!(
        limited * 20 <= total,
        "at most 5% of requests answered 429: {limited} of {total}"
    );
    let api = p.patient_api();
    assert_eq!(
        platform_records(&p, &api, &project, "paced.example.com").len(),
        200
    );

    let before = p.request_total();
    w.assert_no_changes();
    let calls = p.request_total() - before;
    eprintln!("refresh plan of 200 records: {calls} API calls");
    assert!(
        calls <= 10,
        "a refresh plan of 200 records made {calls} API calls (3 pages of records, the domain list)"
    );
}

/// Database tokens at a 30% failure rate: one apply creates the database (its one-time
/// `database_token` kept in state) and an app whose environment carries it; the next plan is
/// empty. A rotation through `token_rotation_trigger` under the same faults converges too: the
/// token in state and in the app's environment is the newest, it answers SQL at
/// `database_url`, and the one before it is refused. Extensions are off.
#[test]
fn database_tokens_converge_and_leave_only_the_kept_ones_under_faults() {
    let p = Platform::start_with(|c| {
        c.fail_rate = 0.3;
        c.extensions = false;
    });
    let Some(w) = p.workdir() else { return };
    let project = create_project(&p, "tokens");
    let config = |trigger: &str| {
        format!(
            r#"{PROVIDER_HEADER}
provider "comwit" {{
  project_id = "{project}"
}}

resource "comwit_database" "db" {{
  name                   = "main"
  deletion_protection    = false
  token_rotation_trigger = {{ n = "{trigger}" }}
}}

resource "comwit_app" "web" {{
  name = "web"
  env = {{
    DATABASE_URL   = comwit_database.db.database_url
    DATABASE_TOKEN = comwit_database.db.database_token
  }}
}}
"#
        )
    };
    let sql = |url: &str, token: &str| {
        p.block_on(async {
            reqwest::Client::new()
                .post(format!("{url}/v2/pipeline"))
                .bearer_auth(token)
                .json(&serde_json::json!({"requests": [
                    {"type": "execute", "stmt": {"sql": "SELECT 1"}}, {"type": "close"}
                ]}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    };
    let api = p.patient_api();
    // The token in state, and the one the platform holds in the app's environment.
    let tokens = || {
        let db = w.resource("comwit_database.db");
        let app_id = w.resource("comwit_app.web")["app_id"]
            .as_str()
            .unwrap()
            .to_string();
        let env = p.block_on(api.get_env(&project, &app_id)).expect("env");
        let in_app = env
            .iter()
            .find(|v| v.key == "DATABASE_TOKEN")
            .map(|v| v.value.clone().unwrap_or_default())
            .unwrap_or_default();
        (
            db["database_url"].as_str().unwrap().to_string(),
            db["database_token"].as_str().unwrap().to_string(),
            in_app,
        )
    };

    w.config(&config("1"));
    w.apply();
    w.assert_no_changes();
    let (url, first, in_app) = tokens();
    assert!(!first.is_empty(), "the one-time token is kept in state");
    assert_eq!(in_app, first, "the app was sent the token in state");
    assert_eq!(sql(&url, &first), 200);

    w.config(&config("2"));
    w.apply();
    w.assert_no_changes();
    let (url, second, in_app) = tokens();
    assert_ne!(second, first, "the token was rotated");
    assert_eq!(
        in_app, second,
        "the app was sent the rotated token in the same apply"
    );
    assert_eq!(sql(&url, &second), 200);
    assert_eq!(sql(&url, &first), 401, "the token rotated away is refused");

    let faults = p.server_errors();
    assert!(faults > 0, "faults were injected");
    w.destroy();
    p.assert_public_contract();
}

/// The answer of a database's create is lost after the platform made it (deterministically:
/// `lose_answers`): the provider's retry is answered by the replay, which carries no one-time
/// token, so the provider rotates it. State then holds the one token that works, exactly one
/// database exists, and the next plan is empty. Extensions are off.
#[test]
fn a_database_whose_create_answer_was_lost_gets_a_token_that_works() {
    let p = Platform::start_with(|c| {
        c.lose_answers = vec!["POST /v1/projects/{project_id}/databases".to_string()];
    });
    let Some(w) = p.workdir() else { return };
    let project = create_project(&p, "lost-token");
    w.config(&format!(
        r#"{PROVIDER_HEADER}
provider "comwit" {{
  project_id = "{project}"
}}

resource "comwit_database" "db" {{
  name                = "main"
  deletion_protection = false
}}
"#
    ));
    w.apply();
    w.assert_no_changes();
    let lost = p.request_counts().get(&502).copied().unwrap_or_default();
    assert_eq!(lost, 1, "the create's answer was lost once");

    let db = w.resource("comwit_database.db");
    let (url, token) = (
        db["database_url"].as_str().unwrap().to_string(),
        db["database_token"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    );
    assert!(!token.is_empty(), "state holds a token after the replay");
    let status = p.block_on(async {
        reqwest::Client::new()
            .post(format!("{url}/v2/pipeline"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"requests": [
                {"type": "execute", "stmt": {"sql": "SELECT 1"}}, {"type": "close"}
            ]}))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    assert_eq!(status, 200, "the token in state opens the database");
    let listed = p
        .block_on(p.api().list_databases(&project))
        .expect("databases");
    assert_eq!(listed.len(), 1, "one database, not two: {listed:?}");
    w.destroy();
    p.assert_public_contract();
}
