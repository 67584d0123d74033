//! `comwit_database.seed_file` (Terraform 1.11+): a database created from a SQLite file has
//! its rows (read back over the data plane); bad files fail at plan; another file content
//! replaces the database, a moved file does not; under faults, and with the upload's answer
//! lost, one apply makes one database with the data.

use std::path::Path;

use super::migration::scalar_in;
use super::{assert_mentions, databases, hcl, s};
use crate::support::platform::{create_project, Platform};

/// A SQLite file at `path` with `rows` users.
fn sqlite_with_users(path: &Path, rows: usize) {
    let _ = std::fs::remove_file(path);
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);")
        .unwrap();
    for i in 0..rows {
        conn.execute(
            "INSERT INTO users (name) VALUES (?1)",
            [format!("user-{i}")],
        )
        .unwrap();
    }
}

fn seeded(label: &str, file: &str, protection: bool) -> String {
    format!(
        "resource \"comwit_database\" \"{label}\" {{\n  name                = \"{label}\"\n  deletion_protection = {protection}\n  seed_file           = \"{file}\"\n}}\n"
    )
}

fn sha256_hex(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    hex::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &bytes).as_ref())
}

#[test]
fn a_seeded_database_has_the_files_rows() {
    let p = Platform::start();
    let Some(w) = p.workdir() else { return };
    let project = create_project(&p, "core-seed");
    let file = w.path().join("seed.sqlite");
    sqlite_with_users(&file, 3);

    // Bad files fail at plan, before anything is sent.
    w.write(
        "dump.sql",
        &"INSERT INTO users VALUES (1, 'a');\n".repeat(10),
    );
    w.config(&hcl(Some(&project), &seeded("db", "dump.sql", false)));
    assert_mentions(
        &w.plan_expect_error().text(),
        &["Invalid seed file", "not a SQLite database file"],
    );
    w.config(&hcl(Some(&project), &seeded("db", "missing.sqlite", false)));
    assert_mentions(
        &w.plan_expect_error().text(),
        &["Cannot read the seed file"],
    );
    w.write("seed.sqlite-wal", "x");
    w.config(&hcl(Some(&project), &seeded("db", "seed.sqlite", false)));
    assert_mentions(&w.plan_expect_error().text(), &[".backup out.sqlite"]);
    std::fs::remove_file(w.path().join("seed.sqlite-wal")).unwrap();
    let both = seeded("db", "seed.sqlite", false).replace(
        "seed_file",
        "restore_from = { database_id = \"db-1\", generation = \"g\" }\n  seed_file",
    );
    w.config(&hcl(Some(&project), &both));
    assert_mentions(&w.plan_expect_error().text(), &["set one of them"]);
    assert!(databases(&p, &project).is_empty(), "nothing was created");

    w.config(&hcl(Some(&project), &seeded("db", "seed.sqlite", true)));
    w.apply();
    w.assert_no_changes();
    let db = w.resource("comwit_database.db");
    assert_eq!(s(&db, "seed_file_sha256"), sha256_hex(&file));
    assert_eq!(s(&db, "status"), "cold");
    assert_eq!(
        scalar_in(&p, &w, "comwit_database.db", "SELECT count(*) FROM users"),
        3
    );

    // Other content: a replacement, refused while protected.
    sqlite_with_users(&w.path().join("other.sqlite"), 5);
    w.config(&hcl(Some(&project), &seeded("db", "other.sqlite", true)));
    assert_mentions(
        &w.plan_expect_error().text(),
        &["Replacing a protected database", "seed_file_sha256"],
    );

    // The same content elsewhere: only the state changes.
    std::fs::copy(&file, w.path().join("moved.sqlite")).unwrap();
    w.config(&hcl(Some(&project), &seeded("db", "moved.sqlite", false)));
    assert!(w.assert_changes().contains("updated in-place"));
    w.apply();
    w.assert_no_changes();
    let id = s(&w.resource("comwit_database.db"), "database_id");

    w.config(&hcl(Some(&project), &seeded("db", "other.sqlite", false)));
    assert!(w.assert_changes().contains("must be replaced"));
    w.apply();
    w.assert_no_changes();
    let replaced = w.resource("comwit_database.db");
    assert_ne!(s(&replaced, "database_id"), id, "a new database");
    assert_eq!(
        scalar_in(&p, &w, "comwit_database.db", "SELECT count(*) FROM users"),
        5
    );
    assert_eq!(databases(&p, &project).len(), 1, "the old one is gone");
    w.destroy();
    assert!(databases(&p, &project).is_empty());
    p.assert_public_contract();
}

/// At a 30% failure rate (half of the failures after the work was done), one apply seeds three
/// databases, each once: no second database, no file uploaded twice into a session.
#[test]
fn seeds_under_faults_make_one_database_each() {
    let p = Platform::start_with(|c| c.fail_rate = 0.3);
    let Some(w) = p.workdir() else { return };
    let project = create_project(&p, "core-seed-faults");
    let mut body = String::new();
    for i in 0..3 {
        sqlite_with_users(&w.path().join(format!("seed{i}.sqlite")), i + 1);
        body.push_str(&seeded(
            &format!("db{i}"),
            &format!("seed{i}.sqlite"),
            false,
        ));
    }
    w.config(&hcl(Some(&project), &body));
    w.apply();
    w.assert_no_changes();
    assert!(p.server_errors() > 0, "faults were injected");
    assert_eq!(databases(&p, &project).len(), 3);
    for i in 0..3 {
        assert_eq!(
            scalar_in(
                &p,
                &w,
                &format!("comwit_database.db{i}"),
                "SELECT count(*) FROM users"
            ),
            i as i64 + 1
        );
    }
    w.destroy();
    p.assert_public_contract();
}

/// The upload's answer is lost after the file landed: the provider reads the operation, sees
/// the file in, and goes on without uploading again.
#[test]
fn a_seed_whose_upload_answer_was_lost_is_not_uploaded_again() {
    let route = "PUT /v1/projects/{p}/databases/{d}/operations/{o}/content";
    let p = Platform::start_with(|c| c.lose_answers = vec![route.to_string()]);
    let Some(w) = p.workdir() else { return };
    let project = create_project(&p, "core-seed-lost");
    sqlite_with_users(&w.path().join("seed.sqlite"), 2);
    w.config(&hcl(Some(&project), &seeded("db", "seed.sqlite", false)));
    w.apply();
    w.assert_no_changes();
    assert_eq!(
        p.request_counts().get(&502).copied().unwrap_or_default(),
        1,
        "the upload's answer was lost once"
    );
    assert_eq!(
        p.request_counts().get(&409).copied().unwrap_or_default(),
        0,
        "no second upload was sent into the session"
    );
    assert_eq!(
        scalar_in(&p, &w, "comwit_database.db", "SELECT count(*) FROM users"),
        2
    );
    w.destroy();
    p.assert_public_contract();
}
