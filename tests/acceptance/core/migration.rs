//! `comwit_database_migration` (Terraform 1.11+) and the `comwit_database_execute` action
//! (1.14+), on the public query route: a migration runs once, in one transaction with its
//! record; a changed body fails at plan; a failed statement fails the apply with its message
//! and leaves nothing; import restores the body from the record; under faults one apply
//! converges without running anything twice; and the `comwit_database_restore_points` data
//! source shows the history those writes made. What the SQL did is read back over the data plane
//! (Hrana at `{database_url}/v3/pipeline`, the protocol as written), not through the provider.

use super::{assert_mentions, hcl, s};
use crate::support::platform::{create_project, Platform};
use crate::support::Workdir;

/// The integer in the first column of the first row `sql` answers over Hrana.
fn scalar(p: &Platform, w: &Workdir, sql: &str) -> i64 {
    scalar_in(p, w, "comwit_database.db", sql)
}

/// [`scalar`] on the database of the resource `address`.
pub(super) fn scalar_in(p: &Platform, w: &Workdir, address: &str, sql: &str) -> i64 {
    let db = w.resource(address);
    let (url, token) = (s(&db, "database_url"), s(&db, "database_token"));
    let body = serde_json::json!({"requests": [
        {"type": "execute", "stmt": {"sql": sql}}, {"type": "close"}
    ]});
    let answer: serde_json::Value = p.block_on(async {
        reqwest::Client::new()
            .post(format!("{url}/v3/pipeline"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .expect("data plane")
            .json()
            .await
            .expect("a Hrana answer")
    });
    let cell = &answer["results"][0]["response"]["result"]["rows"][0][0];
    cell["value"]
        .as_str()
        .and_then(|v| v.parse().ok())
        .or_else(|| cell["value"].as_i64())
        .unwrap_or_else(|| panic!("no integer answer to {sql}: {answer}"))
}

pub(super) const DATABASE: &str = "resource \"comwit_database\" \"db\" {\n  name                = \"app\"\n  deletion_protection = false\n}\n";

pub(super) fn migration(label: &str, name: &str, sql: &str, after: Option<&str>) -> String {
    let depends = after.map_or(String::new(), |a| {
        format!("  depends_on  = [comwit_database_migration.{a}]\n")
    });
    format!(
        "resource \"comwit_database_migration\" \"{label}\" {{\n  database_id = comwit_database.db.database_id\n  name        = \"{name}\"\n  sql         = <<-SQL\n{sql}\n  SQL\n{depends}}}\n"
    )
}

pub(super) const USERS: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\nINSERT INTO users (name) VALUES ('ada');";
const MORE: &str = "INSERT INTO users (name) VALUES ('grace'); -- the second";

#[test]
fn a_migration_runs_once_and_never_changes() {
    let p = Platform::start();
    let Some(w) = p.workdir() else { return };
    let project = create_project(&p, "core-migrations");
    let two = format!(
        "{DATABASE}{}{}",
        migration("users", "0001_users", USERS, None),
        migration("more", "0002_more", MORE, Some("users"))
    );
    w.config(&hcl(Some(&project), &two));
    w.apply();
    w.assert_no_changes();
    assert_eq!(scalar(&p, &w, "SELECT count(*) FROM users"), 2);
    assert_eq!(scalar(&p, &w, "SELECT count(*) FROM _comwit_migrations"), 2);
    let m = w.resource("comwit_database_migration.more");
    assert_eq!(s(&m, "sha256").len(), 64);
    assert!(!s(&m, "applied_at").is_empty());

    // A changed body is refused at plan, with the fix.
    let changed = two.replace("'grace'", "'grace hopper'");
    w.config(&hcl(Some(&project), &changed));
    let plan = w.plan_expect_error();
    assert_mentions(
        &plan.text(),
        &["A migration's SQL cannot change", "0002_more", "add a new"],
    );

    // A failed statement fails the apply with its message, and nothing of it stays.
    let failing = format!(
        "{two}{}",
        migration(
            "bad",
            "0003_bad",
            "INSERT INTO users (name) VALUES ('x');\nINSERT INTO nope VALUES (1);",
            Some("more")
        )
    );
    w.config(&hcl(Some(&project), &failing));
    let failed = w.apply_expect_error();
    assert_mentions(
        &failed.text(),
        &[
            "Migration failed",
            "Statement 2 of 2",
            "no such table: nope",
            "Nothing of it was applied",
        ],
    );
    assert_eq!(
        scalar(&p, &w, "SELECT count(*) FROM users"),
        2,
        "rolled back"
    );
    assert_eq!(scalar(&p, &w, "SELECT count(*) FROM _comwit_migrations"), 2);

    // SQL that cannot be sent as a migration fails at plan.
    let own_tx = format!(
        "{two}{}",
        migration(
            "tx",
            "0003_tx",
            "BEGIN;\nDELETE FROM users;\nCOMMIT;",
            Some("more")
        )
    );
    w.config(&hcl(Some(&project), &own_tx));
    assert_mentions(
        &w.plan_expect_error().text(),
        &["Invalid migration SQL", "must not begin"],
    );

    // A new state finds the record: import restores the body, and nothing runs again.
    w.config(&hcl(Some(&project), &two));
    w.apply();
    let db_id = s(&w.resource("comwit_database.db"), "database_id");
    assert!(w.state_rm("comwit_database_migration.more").ok());
    let imported = w.import(
        "comwit_database_migration.more",
        &format!("{project}/{db_id}/0002_more"),
    );
    assert!(imported.ok(), "{}", imported.text());
    w.assert_no_changes();
    // Forgotten and applied again from configuration: adopted, not run twice.
    assert!(w.state_rm("comwit_database_migration.more").ok());
    w.apply();
    w.assert_no_changes();
    assert_eq!(scalar(&p, &w, "SELECT count(*) FROM users"), 2);

    w.destroy();
    p.assert_public_contract();
}

/// Ten chained migrations at a 30% failure rate (half of the failures after the work was
/// done): one apply converges, each ran exactly once.
#[test]
fn migrations_converge_once_under_faults() {
    let p = Platform::start_with(|c| c.fail_rate = 0.3);
    let Some(w) = p.workdir() else { return };
    let project = create_project(&p, "core-migrations-faults");
    let mut body = DATABASE.to_string();
    body.push_str(&migration(
        "m0",
        "m0",
        "CREATE TABLE log (n INTEGER NOT NULL);",
        None,
    ));
    for i in 1..10 {
        body.push_str(&migration(
            &format!("m{i}"),
            &format!("m{i}"),
            &format!("INSERT INTO log VALUES ({i});"),
            Some(&format!("m{}", i - 1)),
        ));
    }
    w.config(&hcl(Some(&project), &body));
    w.apply();
    w.assert_no_changes();
    let faults = p.server_errors();
    assert!(faults > 0, "faults were injected");
    assert_eq!(
        scalar(&p, &w, "SELECT count(*) FROM log"),
        9,
        "no migration ran twice"
    );
    assert_eq!(scalar(&p, &w, "SELECT count(DISTINCT n) FROM log"), 9);
    assert_eq!(
        scalar(&p, &w, "SELECT count(*) FROM _comwit_migrations"),
        10
    );
    w.destroy();
    p.assert_public_contract();
}

#[test]
fn the_execute_action_reports_each_statement() {
    let p = Platform::start();
    let Some(w) = p.workdir_at_least(1, 14) else {
        return;
    };
    let project = create_project(&p, "core-execute");
    let action = |sql: &str| {
        format!(
            "{DATABASE}\naction \"comwit_database_execute\" \"run\" {{\n  config {{\n    database_id = comwit_database.db.database_id\n    sql         = <<-SQL\n{sql}\n    SQL\n  }}\n}}\n"
        )
    };
    let sql = "CREATE TABLE IF NOT EXISTS t (x TEXT);\nINSERT INTO t VALUES ('a'), ('b');\nSELECT count(*) AS n FROM t";
    w.config(&hcl(Some(&project), &action(sql)));
    w.apply();
    let invoke = |w: &Workdir| {
        w.run(&[
            "apply",
            "-no-color",
            "-auto-approve",
            "-invoke=action.comwit_database_execute.run",
        ])
    };
    let run = invoke(&w);
    assert!(run.ok(), "{}", run.text());
    assert_mentions(
        &run.text(),
        &[
            "Running 3 statement(s)",
            "statement 2",
            "2 row(s) changed",
            "statement 3",
            "n",
        ],
    );
    assert_eq!(scalar(&p, &w, "SELECT count(*) FROM t"), 2);

    // A failing statement fails the action with its message; the one before it ran.
    w.config(&hcl(
        Some(&project),
        &action("INSERT INTO t VALUES ('c');\nSELECT * FROM nope;\nINSERT INTO t VALUES ('d');"),
    ));
    let run = invoke(&w);
    assert!(!run.ok(), "{}", run.text());
    assert_mentions(
        &run.text(),
        &[
            "SQL statement failed",
            "Statement 2 of 3",
            "no such table: nope",
            "did not run",
        ],
    );
    assert_eq!(scalar(&p, &w, "SELECT count(*) FROM t"), 3);

    // Over the platform's limits: refused before anything is sent.
    w.config(&hcl(Some(&project), &action(&"SELECT 1;\n".repeat(251))));
    let run = invoke(&w);
    assert!(!run.ok());
    assert_mentions(&run.text(), &["Invalid SQL", "at most 250"]);
    assert_eq!(scalar(&p, &w, "SELECT count(*) FROM t"), 3);

    w.destroy();
    p.assert_public_contract();
}

/// A hundred migrations of one database (applied ten at a time by Terraform, on one SQLite
/// file): a refresh plan reads their record with one query, besides the database's list.
#[test]
fn a_refresh_of_a_hundred_migrations_is_one_query() {
    let p = Platform::start();
    let Some(w) = p.workdir() else { return };
    let project = create_project(&p, "core-migrations-many");
    let body = format!(
        "{DATABASE}{}resource \"comwit_database_migration\" \"many\" {{\n  count       = 100\n  database_id = comwit_database.db.database_id\n  name        = \"row_${{count.index}}\"\n  sql         = \"INSERT INTO log VALUES (${{count.index}})\"\n  depends_on  = [comwit_database_migration.log]\n}}\n",
        migration("log", "0000_log", "CREATE TABLE log (n INTEGER NOT NULL);", None)
    );
    w.config(&hcl(Some(&project), &body));
    w.apply();
    assert_eq!(scalar(&p, &w, "SELECT count(*) FROM log"), 100);
    let before = p.request_total();
    w.assert_no_changes();
    let calls = p.request_total() - before;
    eprintln!("refresh plan of 101 migrations and their database: {calls} API calls");
    assert!(
        calls <= 2,
        "a refresh of 101 migrations made {calls} API calls (the database list, one query)"
    );
    w.destroy();
    p.assert_public_contract();
}

/// `comwit_database_restore_points` lists the database's generations (one at its creation,
/// one after the migration wrote) and its aliases, as the platform keeps them.
#[test]
fn restore_points_list_the_history_of_a_database() {
    let p = Platform::start_with(|c| c.snapshot_interval = std::time::Duration::from_millis(100));
    let Some(w) = p.workdir() else { return };
    let project = create_project(&p, "core-restore-points");
    let body = format!(
        "{DATABASE}{}",
        migration("users", "0001_users", USERS, None)
    );
    w.config(&hcl(Some(&project), &body));
    w.apply();
    let db_id = s(&w.resource("comwit_database.db"), "database_id");
    let api = p.api();
    // The snapshot after the migration's write comes within the interval.
    super::restore::generations(&p, &w, &project, 2);
    let first = p
        .block_on(api.list_restore_points(&project, &db_id))
        .expect("restore points");
    assert_eq!(first.restore_points.len(), 2, "{first:?}");
    // An alias of the first generation (set with the platform's own route).
    let alias = p.block_on(async {
        reqwest::Client::new()
            .post(format!(
                "{}/v1/projects/{project}/databases/{db_id}/aliases/empty",
                p.url
            ))
            .bearer_auth(&p.token)
            .json(&serde_json::json!({"restore_to": {"generation": first.restore_points[0].generation_id}}))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    assert_eq!(alias, 200);
    let with_data = format!(
        "{body}\ndata \"comwit_database_restore_points\" \"history\" {{\n  database_id = comwit_database.db.database_id\n}}\n\noutput \"points\" {{\n  value = data.comwit_database_restore_points.history.restore_points\n}}\n\noutput \"aliases\" {{\n  value = data.comwit_database_restore_points.history.aliases\n}}\n"
    );
    w.config(&hcl(Some(&project), &with_data));
    w.apply();
    let out = w.outputs();
    let points = out["points"]["value"].as_array().unwrap();
    assert_eq!(points.len(), 2, "{out}");
    assert_eq!(
        points[0]["generation_id"],
        first.restore_points[0].generation_id.as_str()
    );
    assert_eq!(points[0]["pinned"], true);
    assert_eq!(points[1]["pinned"], false);
    assert!(points[1]["precise_until"].is_null());
    assert!(points[0]["created_at"].as_str().unwrap().ends_with('Z'));
    let aliases = out["aliases"]["value"].as_array().unwrap();
    assert_eq!(aliases[0]["alias"], "empty");
    assert_eq!(aliases[0]["target_kind"], "generation");
    w.destroy();
    p.assert_public_contract();
}
