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

/// A project and an onboarded domain made through the API (patiently, under faults).
fn project_with_domain(p: &Platform, name: &str, domain: &str) -> String {
    let api = p.patient_api();
    let project = p
        .block_on(api.create_project(name))
        .expect("create project")
        .project_id;
    p.block_on(api.onboard_domain(&project, domain))
        .expect("onboard domain");
    project
}

const FIFTY: &str = r#"
resource "comwit_project" "p" {
  name = "faulty"
}

resource "comwit_database" "db" {
  count               = 8
  project_id          = comwit_project.p.id
  name                = "db-${count.index}"
  deletion_protection = false
}

resource "comwit_app" "app" {
  count      = 10
  project_id = comwit_project.p.id
  name       = "app-${count.index}"
  runtime    = "isolate"
  env        = { INDEX = tostring(count.index) }
}

resource "comwit_domain" "d" {
  project_id = comwit_project.p.id
  domain     = "faulty.example.com"
}

resource "comwit_domain_record" "a" {
  count      = 30
  project_id = comwit_project.p.id
  domain     = comwit_domain.d.domain
  name       = "host-${count.index}"
  type       = "A"
  values     = ["192.0.2.${count.index + 1}"]
}
"#;

/// 50 resources at a 30% failure rate (half of the failures after the commit): one apply
/// converges, the platform holds exactly what state holds, a refresh plan under the same
/// faults is empty, and destroy under faults leaves nothing.
#[test]
fn fifty_resources_converge_in_one_apply_at_thirty_percent_faults() {
    let p = Platform::start_with(|c| c.fail_rate = 0.3);
    let Some(w) = p.workdir() else { return };
    w.config(&format!("{PROVIDER_HEADER}\n{FIFTY}"));
    let apply = w.apply();
    assert!(
        apply.stdout.contains("50 added"),
        "one apply creates all 50:\n{}",
        apply.stdout
    );
    let faults_so_far: u64 = p
        .request_counts()
        .iter()
        .filter(|(s, _)| **s >= 500)
        .map(|(_, n)| n)
        .sum();
    assert!(faults_so_far > 5, "faults were injected: {faults_so_far}");
    eprintln!(
        "50 resources at fail rate 0.3: {} requests, {faults_so_far} injected faults",
        p.request_total()
    );

    let api = p.patient_api();
    let project = w.resource("comwit_project.p")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let projects = p.block_on(api.list_projects()).unwrap();
    assert_eq!(
        projects.iter().map(|p| &p.project_id).collect::<Vec<_>>(),
        vec![&project],
        "exactly one project"
    );
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
    assert_eq!(records.len(), 30, "no duplicates, no orphans");

    w.assert_no_changes();
    w.destroy();
    assert!(
        p.block_on(api.list_projects()).unwrap().is_empty(),
        "destroy under faults leaves nothing"
    );
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

/// Database tokens at a 30% failure rate: one apply converges, the next plan is empty, the
/// run's token is revoked and no token is left that Terraform did not mean to keep. The app
/// keeps one token per run that opened it (plan and apply), and the one it was sent works.
#[test]
fn database_tokens_converge_and_leave_only_the_kept_ones_under_faults() {
    let p = Platform::start_with(|c| c.fail_rate = 0.3);
    let Some(w) = p.workdir() else { return };
    w.config(&format!(
        r#"{PROVIDER_HEADER}
resource "comwit_project" "p" {{
  name = "tokens"
}}

resource "comwit_database" "db" {{
  project_id          = comwit_project.p.id
  name                = "main"
  deletion_protection = false
}}

ephemeral "comwit_database_token" "app" {{
  project_id      = comwit_project.p.id
  database_id     = comwit_database.db.database_id
  expires_in      = "24h"
  revoke_on_close = false
}}

ephemeral "comwit_database_token" "run" {{
  project_id  = comwit_project.p.id
  database_id = comwit_database.db.database_id
  access      = "read_only"
}}

resource "comwit_app" "web" {{
  project_id             = comwit_project.p.id
  name                   = "web"
  runtime                = "isolate"
  secret_env_wo          = {{ DATABASE_TOKEN = ephemeral.comwit_database_token.app.token }}
  secret_env_wo_rotating = ["DATABASE_TOKEN"]
  secret_env_wo_version  = 1
}}

resource "terraform_data" "migrate" {{
  triggers_replace = [comwit_database.db.database_id]
  provisioner "local-exec" {{
    command = "printf '%s' \"$APP_TOKEN\" > app-token.txt && printf '%s' \"$RUN_TOKEN\" > run-token.txt"
    environment = {{
      APP_TOKEN = ephemeral.comwit_database_token.app.token
      RUN_TOKEN = ephemeral.comwit_database_token.run.token
    }}
  }}
}}
"#
    ));
    w.apply();
    w.assert_no_changes();
    let faults: u64 = p
        .request_counts()
        .iter()
        .filter(|(s, _)| **s >= 500)
        .map(|(_, n)| n)
        .sum();
    assert!(faults > 0, "faults were injected");

    let api = p.patient_api();
    let project = w.resource("comwit_project.p")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let database = w.resource("comwit_database.db")["database_id"]
        .as_str()
        .unwrap()
        .to_string();
    let live = p
        .block_on(api.list_database_tokens(&project, &database))
        .unwrap();
    // Opened twice: by apply, and by the empty plan (apply's own plan could not open it: the
    // database did not exist yet). Each run token was revoked.
    assert_eq!(live.len(), 2, "exactly the kept tokens are live: {live:?}");
    assert!(live.iter().all(|t| t.access == "full_access"), "{live:?}");

    // The token the app was sent answers SQL; the run's token is refused.
    let sql = |token: &str| {
        p.block_on(async {
            reqwest::Client::new()
                .post(format!("{}/{database}/v2/pipeline", p.db_url))
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
    let read = |name: &str| std::fs::read_to_string(w.path().join(name)).unwrap();
    assert_eq!(sql(&read("app-token.txt")), 200);
    assert_eq!(sql(&read("run-token.txt")), 401);
    w.destroy();
}
