//! `comwit_database.restore_from` (Terraform 1.11+): a new database with the source's data as
//! it was at a time (read back over the data plane: the copy has what the source had then);
//! bad points fail at plan; a new point replaces the copy; under faults one apply makes one
//! copy.

use super::migration::{migration, scalar_in, DATABASE, USERS};
use super::{assert_mentions, databases, hcl, s};
use crate::support::platform::{create_project, Platform};
use crate::support::Workdir;

fn copy(point: &str) -> String {
    format!(
        "resource \"comwit_database\" \"copy\" {{\n  name                = \"copy\"\n  deletion_protection = false\n  restore_from = {{\n    database_id = comwit_database.db.database_id\n    {point}\n  }}\n}}\n"
    )
}

/// A project with the source database `db` and its first migration applied: the workdir, the
/// project and the configuration so far (None without Terraform).
fn with_users(p: &Platform, project_name: &str) -> Option<(Workdir, String, String)> {
    let w = p.workdir()?;
    let project = create_project(p, project_name);
    let one = format!(
        "{DATABASE}{}",
        migration("users", "0001_users", USERS, None)
    );
    w.config(&hcl(Some(&project), &one));
    w.apply();
    Some((w, project, one))
}

/// Waits for the source's `n`th generation (snapshots come after writes).
pub(super) fn generations(p: &Platform, w: &Workdir, project: &str, n: usize) -> Vec<String> {
    let id = s(&w.resource("comwit_database.db"), "database_id");
    for _ in 0..200 {
        let listed = p
            .block_on(p.api().list_restore_points(project, &id))
            .expect("restore points");
        if listed.restore_points.len() >= n {
            return listed
                .restore_points
                .into_iter()
                .map(|g| g.generation_id)
                .collect();
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("no generation {n}");
}

/// Now, to the millisecond (what the platform keeps of a time).
fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let now = now
        .replace_nanosecond(now.nanosecond() / 1_000_000 * 1_000_000)
        .unwrap();
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[test]
fn a_restore_to_a_time_has_the_data_as_it_was_then() {
    let p = Platform::start_with(|c| c.snapshot_interval = std::time::Duration::from_millis(100));
    let Some((w, project, one)) = with_users(&p, "core-restore") else {
        return;
    };
    generations(&p, &w, &project, 2);
    std::thread::sleep(std::time::Duration::from_millis(50));
    let then = now_rfc3339();
    std::thread::sleep(std::time::Duration::from_millis(50));
    let two = format!(
        "{one}{}",
        migration(
            "more",
            "0002_more",
            "INSERT INTO users (name) VALUES ('grace');",
            Some("users")
        )
    );
    w.config(&hcl(Some(&project), &two));
    w.apply();
    let gens = generations(&p, &w, &project, 3);

    // Bad points fail at plan.
    let future = "timestamp = \"2999-01-01T00:00:00Z\"";
    for (point, wanted) in [
        (future, "Restore time in the future"),
        ("timestamp = \"yesterday\"", "RFC 3339"),
        ("generation = \"g\"\n    alias = \"a\"", "exactly one of"),
    ] {
        w.config(&hcl(Some(&project), &format!("{two}{}", copy(point))));
        assert_mentions(&w.plan_expect_error().text(), &[wanted]);
    }
    // A point the source's history does not hold: the platform's refusal, about restore_from.
    w.config(&hcl(
        Some(&project),
        &format!("{two}{}", copy("generation = \"gen-none\"")),
    ));
    assert_mentions(&w.apply_expect_error().text(), &["gen-none"]);

    w.config(&hcl(
        Some(&project),
        &format!("{two}{}", copy(&format!("timestamp = \"{then}\""))),
    ));
    w.apply();
    w.assert_no_changes();
    let copy_db = w.resource("comwit_database.copy");
    assert!(
        !s(&copy_db, "database_token").is_empty(),
        "the copy has a token"
    );
    assert_eq!(
        scalar_in(&p, &w, "comwit_database.copy", "SELECT count(*) FROM users"),
        1,
        "the copy has the data as it was then"
    );
    assert_eq!(
        scalar_in(&p, &w, "comwit_database.db", "SELECT count(*) FROM users"),
        2,
        "the source is untouched"
    );

    // Another point is another copy: the plan replaces it.
    let newest = gens.last().unwrap();
    w.config(&hcl(
        Some(&project),
        &format!("{two}{}", copy(&format!("generation = \"{newest}\""))),
    ));
    let plan = w.assert_changes();
    assert!(plan.contains("must be replaced"), "{plan}");
    w.apply();
    assert_eq!(
        scalar_in(&p, &w, "comwit_database.copy", "SELECT count(*) FROM users"),
        2
    );
    assert_eq!(databases(&p, &project).len(), 2, "the old copy is gone");
    w.destroy();
    p.assert_public_contract();
}

/// At a 30% failure rate (half of the failures after the work was done), one apply restores
/// one copy: a lost answer is resolved by the name, never by a second restore.
#[test]
fn a_restore_under_faults_makes_one_copy() {
    let p = Platform::start_with(|c| {
        c.snapshot_interval = std::time::Duration::from_millis(100);
        c.fail_rate = 0.3;
    });
    let Some((w, project, one)) = with_users(&p, "core-restore-faults") else {
        return;
    };
    let gens = generations(&p, &w, &project, 2);
    let mut body = one.clone();
    for i in 0..3 {
        body.push_str(
            &copy(&format!("generation = \"{}\"", gens[1]))
                .replace("\"copy\"", &format!("\"copy{i}\"")),
        );
    }
    w.config(&hcl(Some(&project), &body));
    w.apply();
    w.assert_no_changes();
    assert!(p.server_errors() > 0, "faults were injected");
    let names: Vec<String> = databases(&p, &project)
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(
        names.len(),
        4,
        "the source and three copies, no more: {names:?}"
    );
    for i in 0..3 {
        assert_eq!(
            scalar_in(
                &p,
                &w,
                &format!("comwit_database.copy{i}"),
                "SELECT count(*) FROM users"
            ),
            1
        );
    }
    w.destroy();
    p.assert_public_contract();
}

/// `comwit_database_alias`: set by generation, moved to a time in place, read back (drift
/// shows), restorable by name, imported, deleted on destroy.
#[test]
fn an_alias_names_a_point_and_restores_by_name() {
    let p = Platform::start_with(|c| c.snapshot_interval = std::time::Duration::from_millis(100));
    let Some((w, project, one)) = with_users(&p, "core-alias") else {
        return;
    };
    let gens = generations(&p, &w, &project, 2);
    let alias = |point: &str| {
        format!(
            "resource \"comwit_database_alias\" \"before\" {{\n  database_id = comwit_database.db.database_id\n  alias       = \"before-users\"\n  {point}\n}}\n"
        )
    };
    let by_generation = format!("{one}{}", alias(&format!("generation = \"{}\"", gens[0])));
    w.config(&hcl(Some(&project), &by_generation));
    w.apply();
    w.assert_no_changes();
    let id = s(&w.resource("comwit_database.db"), "database_id");
    let listed = || {
        p.block_on(p.api().list_restore_points(&project, &id))
            .expect("restore points")
    };
    assert_eq!(listed().aliases[0].alias, "before-users");
    assert!(listed().restore_points[0].pinned);

    // A copy restored by the alias has the data of its point: none yet.
    let with_copy = format!(
        "{by_generation}{}",
        copy("alias = comwit_database_alias.before.alias")
    );
    w.config(&hcl(Some(&project), &with_copy));
    w.apply();
    assert_eq!(
        scalar_in(
            &p,
            &w,
            "comwit_database.copy",
            "SELECT count(*) FROM sqlite_master WHERE name = 'users'"
        ),
        0
    );

    // Moved to a time, in place.
    std::thread::sleep(std::time::Duration::from_millis(50));
    let at = now_rfc3339();
    let by_time = format!("{one}{}", alias(&format!("timestamp = \"{at}\"")));
    w.config(&hcl(Some(&project), &by_time));
    let plan = w.assert_changes();
    assert!(plan.contains("updated in-place"), "{plan}");
    w.apply();
    w.assert_no_changes();
    assert_eq!(listed().aliases[0].target_kind, "timestamp_ms");

    // Deleted outside Terraform: the plan makes it again; import takes it back.
    p.block_on(p.api().delete_database_alias(&project, &id, "before-users"))
        .unwrap();
    assert!(w.assert_changes().contains("will be created"));
    w.apply();
    assert!(w.state_rm("comwit_database_alias.before").ok());
    let imported = w.import(
        "comwit_database_alias.before",
        &format!("{project}/{id}/before-users"),
    );
    assert!(imported.ok(), "{}", imported.text());
    w.assert_no_changes();
    w.destroy();
    p.assert_public_contract();
}
