//! `comwit_database`: create (waiting while `creating`), the one-time token and its rotation,
//! deletion protection, replacement, drift, destroy, and a create that times out.

use std::time::Duration;

use super::{assert_mentions, databases, destroy_expect_error, hcl, s};
use crate::support::platform::{create_project, Platform};

/// A database resource plus the data source looking it up by name and by ID.
fn database(name: &str, extra: &str) -> String {
    format!(
        "resource \"comwit_database\" \"main\" {{\n  name = \"{name}\"\n{extra}}}\n\n\
         data \"comwit_database\" \"by_name\" {{\n  name       = comwit_database.main.name\n  depends_on = [comwit_database.main]\n}}\n\n\
         data \"comwit_database\" \"by_id\" {{\n  database_id = comwit_database.main.database_id\n}}\n\n\
         output \"by_name_id\" {{\n  value = data.comwit_database.by_name.database_id\n}}\n\
         output \"by_id_url\" {{\n  value = data.comwit_database.by_id.database_url\n}}\n"
    )
}

#[test]
fn create_protect_replace_drift_destroy() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    let api = platform.api();
    let project = create_project(&platform, "core-db");

    // Create: waits until ready; protected by default.
    w.config(&hcl(Some(&project), &database("main", "")));
    w.apply();
    w.assert_no_changes();
    let r = w.resource("comwit_database.main");
    let id = s(&r, "database_id");
    assert_eq!(s(&r, "project_id"), project);
    assert_eq!(s(&r, "status"), "cold");
    assert_eq!(r["deletion_protection"], true);
    assert!(
        !s(&r, "database_token").is_empty(),
        "the one-time token is kept"
    );
    assert!(r.get("created_at").is_none(), "{r}");
    let remote = platform.block_on(api.get_database(&project, &id)).unwrap();
    assert_eq!(remote.status, "cold");
    assert_eq!(s(&r, "database_url"), remote.database_url);
    // Shaped like the platform's: `<db listener>/v1/<tenant_id>`, the tenant not the ID.
    let tenant = remote
        .database_url
        .strip_prefix(&format!("{}/v1/", platform.db_url))
        .unwrap_or_else(|| panic!("{}", remote.database_url));
    assert!(
        !tenant.is_empty() && tenant != id && !tenant.contains('/'),
        "{tenant}"
    );
    let out = w.outputs();
    assert_eq!(out["by_name_id"]["value"], id.as_str());
    assert_eq!(out["by_id_url"]["value"], remote.database_url.as_str());

    // A new name replaces the database: refused at plan time while protected.
    w.config(&hcl(Some(&project), &database("main2", "")));
    let run = w.plan_expect_error();
    assert_mentions(
        &run.text(),
        &[
            "Replacing a protected database",
            "deletion_protection = false",
            "comwit_database.main",
        ],
    );

    // Turning protection off is an in-place change of the state only.
    w.config(&hcl(
        Some(&project),
        &database("main", "  deletion_protection = false\n"),
    ));
    let plan = w.assert_changes();
    assert!(plan.contains("updated in-place"), "{plan}");
    assert!(
        plan.contains("0 to add, 1 to change, 0 to destroy"),
        "{plan}"
    );
    w.apply();
    w.assert_no_changes();
    let r = w.resource("comwit_database.main");
    assert_eq!(s(&r, "database_id"), id);
    assert_eq!(r["deletion_protection"], false);

    // Now the new name replaces it.
    w.config(&hcl(
        Some(&project),
        &database("main2", "  deletion_protection = false\n"),
    ));
    let plan = w.assert_changes();
    assert!(plan.contains("must be replaced"), "{plan}");
    w.apply();
    w.assert_no_changes();
    let new_id = s(&w.resource("comwit_database.main"), "database_id");
    assert_ne!(new_id, id);
    let remote: Vec<(String, String)> = databases(&platform, &project)
        .into_iter()
        .map(|d| (d.database_id, d.name))
        .collect();
    assert_eq!(remote, [(new_id.clone(), "main2".to_string())]);

    // Deleted outside Terraform: the plan creates it again.
    platform
        .block_on(api.delete_database(&project, &new_id))
        .unwrap();
    let plan = w.assert_changes();
    assert!(plan.contains("will be created"), "{plan}");
    w.apply();
    w.assert_no_changes();
    let again = s(&w.resource("comwit_database.main"), "database_id");
    assert_ne!(again, new_id);
    assert_eq!(databases(&platform, &project).len(), 1);

    // Destroy: comwit-local holds no database any more.
    w.destroy();
    assert!(databases(&platform, &project).is_empty());
}

#[test]
fn deletion_protection_refuses_destroy_until_turned_off() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "core-protect");
    let config = |extra: &str| {
        hcl(
            Some(&project),
            &format!("resource \"comwit_database\" \"keep\" {{\n  name = \"keep\"\n{extra}}}\n"),
        )
    };
    w.config(&config(""));
    w.apply();
    let id = s(&w.resource("comwit_database.keep"), "database_id");

    let text = destroy_expect_error(&w);
    assert_mentions(
        &text,
        &[
            "Database is protected from deletion",
            &format!("did not delete the database \"keep\" ({id})"),
            "set `deletion_protection = false`",
        ],
    );
    let remote = databases(&platform, &project);
    assert_eq!(remote.len(), 1, "nothing was deleted");
    assert_eq!(remote[0].database_id, id);
    // Removing it from the configuration is refused the same way.
    w.config(&hcl(Some(&project), ""));
    let run = w.apply_expect_error();
    assert_mentions(&run.text(), &["Database is protected from deletion"]);
    assert_eq!(databases(&platform, &project).len(), 1);
    assert_eq!(s(&w.resource("comwit_database.keep"), "database_id"), id);

    // Off, applied, then destroyed.
    w.config(&config("  deletion_protection = false\n"));
    w.apply();
    w.assert_no_changes();
    assert_eq!(databases(&platform, &project).len(), 1);
    w.destroy();
    assert!(databases(&platform, &project).is_empty());
}

#[test]
fn create_timeout_keeps_the_database_tainted() {
    let platform = Platform::start_with(|c| {
        c.database_provision_delay = Duration::from_secs(3600);
    });
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "core-slow");
    w.config(&hcl(
        Some(&project),
        "resource \"comwit_database\" \"slow\" {\n  name                = \"slow\"\n  deletion_protection = false\n\n  timeouts {\n    create = \"2s\"\n  }\n}\n",
    ));
    let started = std::time::Instant::now();
    let run = w.apply_expect_error();
    assert!(started.elapsed() < Duration::from_secs(60));
    let remote = databases(&platform, &project);
    assert_eq!(remote.len(), 1);
    let id = &remote[0].database_id;
    assert_mentions(
        &run.text(),
        &[
            "Database not created in time",
            &format!("The database \"slow\" ({id}) was created"),
            "still \"creating\"",
            "after 2s",
            "terraform untaint",
        ],
    );
    // Kept in the state, tainted, with what the platform said.
    let state = w.state_json();
    let resource = state["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "comwit_database.slow")
        .expect("the database is in the state")
        .clone();
    assert_eq!(resource["tainted"], true, "{resource}");
    assert_eq!(resource["values"]["database_id"], id.as_str());
    assert_eq!(resource["values"]["status"], "creating");
    let plan = w.assert_changes();
    assert!(plan.contains("tainted, so must be replaced"), "{plan}");

    w.destroy();
    assert!(databases(&platform, &project).is_empty());
}

/// `SELECT 1` over Hrana at `{url}/v3/pipeline` with `token`: the status.
fn select_one(platform: &Platform, url: &str, token: &str) -> u16 {
    let rb = reqwest::Client::new()
        .post(format!("{url}/v3/pipeline"))
        .bearer_auth(token)
        .json(&serde_json::json!({"requests": [{"type": "execute", "stmt": {"sql": "SELECT 1"}}]}));
    platform.block_on(async { rb.send().await.expect("data plane").status().as_u16() })
}

#[test]
fn the_token_is_kept_once_rotated_in_place_and_null_after_import() {
    let platform = Platform::start_public();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "core-rotate");
    let config = |trigger: &str| {
        hcl(
            Some(&project),
            &format!(
                "resource \"comwit_database\" \"main\" {{\n  name                = \"main\"\n  deletion_protection = false\n{trigger}}}\n"
            ),
        )
    };
    w.config(&config(""));
    w.apply();
    w.assert_no_changes();
    let r = w.resource("comwit_database.main");
    let (id, url, first) = (
        s(&r, "database_id"),
        s(&r, "database_url"),
        s(&r, "database_token"),
    );
    assert_eq!(select_one(&platform, &url, &first), 200);

    // A new trigger rotates the token in place: the old one stops working.
    w.config(&config("  token_rotation_trigger = { rotated = \"1\" }\n"));
    let plan = w.assert_changes();
    assert!(plan.contains("updated in-place"), "{plan}");
    assert!(!plan.contains("must be replaced"), "{plan}");
    assert!(!plan.contains(&first), "the token never shows in a plan");
    w.apply();
    w.assert_no_changes();
    let r = w.resource("comwit_database.main");
    let second = s(&r, "database_token");
    assert_eq!(s(&r, "database_id"), id);
    assert_ne!(second, first);
    assert_eq!(select_one(&platform, &url, &second), 200);
    assert_eq!(
        select_one(&platform, &url, &first),
        401,
        "the old token stops working"
    );
    // The same trigger again changes nothing.
    w.assert_no_changes();

    // Imported, the token is null (the platform never shows it again).
    w.run(&["state", "rm", "comwit_database.main"]);
    w.import("comwit_database.main", &format!("{project}/{id}"));
    let r = w.resource("comwit_database.main");
    assert!(r["database_token"].is_null(), "{r}");
    assert_eq!(s(&r, "status"), "cold");
    // The configured trigger differs from the imported (null) one: the apply rotates, and
    // records `deletion_protection = false`.
    w.apply();
    let r = w.resource("comwit_database.main");
    let third = s(&r, "database_token");
    assert_eq!(select_one(&platform, &url, &third), 200);
    assert_eq!(select_one(&platform, &url, &second), 401);
    w.destroy();
    assert!(databases(&platform, &project).is_empty());
    platform.assert_public_contract();
}
