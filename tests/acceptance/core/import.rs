//! Import of `comwit_project` and `comwit_database`, with the CLI and with `import` blocks:
//! the imported attributes equal those Terraform created, except the one-time
//! `database_token`, which is null after an import. IDs that do not exist are clear errors.

use super::{assert_mentions, hcl, import_expect_error};
use crate::support::assert_same_attributes;
use crate::support::platform::Platform;

const CONFIG: &str = "resource \"comwit_project\" \"main\" {\n  name = \"core-import\"\n}\n\n\
resource \"comwit_database\" \"main\" {\n  project_id = comwit_project.main.id\n  name       = \"main\"\n\n  timeouts {\n    create = \"5m\"\n  }\n}\n";

fn import_blocks(project_id: &str, database_id: &str) -> String {
    format!(
        "import {{\n  to = comwit_project.main\n  id = \"{project_id}\"\n}}\n\n\
         import {{\n  to = comwit_database.main\n  id = \"{project_id}/{database_id}\"\n}}\n"
    )
}

#[test]
fn cli_and_block_imports_match_what_was_created() {
    let platform = Platform::start_with_extensions();
    let Some(w) = platform.workdir() else {
        return;
    };
    w.config(&hcl(None, CONFIG));
    w.apply();
    let project = w.resource("comwit_project.main");
    let database = w.resource("comwit_database.main");
    let project_id = project["id"].as_str().unwrap().to_string();
    let database_id = database["database_id"].as_str().unwrap().to_string();

    // CLI import into an empty state.
    w.state_rm("comwit_database.main");
    w.state_rm("comwit_project.main");
    w.import("comwit_project.main", &project_id);
    w.import(
        "comwit_database.main",
        &format!("{project_id}/{database_id}"),
    );
    assert_same_attributes(&project, &w.resource("comwit_project.main"), &[]);
    // `timeouts` lives in the configuration only; the next apply records it.
    assert_same_attributes(
        &database,
        &w.resource("comwit_database.main"),
        &["timeouts", "database_token"],
    );
    assert!(database["database_token"].is_string(), "{database}");
    assert!(w.resource("comwit_database.main")["database_token"].is_null());
    assert_eq!(
        w.resource("comwit_database.main")["deletion_protection"],
        true
    );
    w.apply();
    assert_same_attributes(
        &database,
        &w.resource("comwit_database.main"),
        &["database_token"],
    );
    w.assert_no_changes();

    // `import` blocks.
    w.state_rm("comwit_database.main");
    w.state_rm("comwit_project.main");
    w.config(&hcl(
        None,
        &format!("{CONFIG}\n{}", import_blocks(&project_id, &database_id)),
    ));
    let plan = w.assert_changes();
    assert!(plan.contains("2 to import"), "{plan}");
    w.apply();
    assert_same_attributes(&project, &w.resource("comwit_project.main"), &[]);
    assert_same_attributes(
        &database,
        &w.resource("comwit_database.main"),
        &["database_token"],
    );
    w.assert_no_changes();
}

#[test]
fn imports_of_missing_or_malformed_ids_are_clear_errors() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project_id = crate::support::platform::create_project(&platform, "core-missing");
    w.config(&hcl(
        None,
        &format!(
            "resource \"comwit_project\" \"main\" {{\n  name = \"x\"\n}}\n\n\
             resource \"comwit_database\" \"main\" {{\n  project_id = \"{project_id}\"\n  name       = \"main\"\n}}\n"
        ),
    ));
    let text = import_expect_error(&w, "comwit_project.main", "prj_0000000000000000");
    assert_mentions(
        &text,
        &[
            "Project not found",
            "\"prj_0000000000000000\"",
            "none of the projects your token lists has that ID",
        ],
    );
    let missing = format!("{project_id}/db_0000000000000000");
    let text = import_expect_error(&w, "comwit_database.main", &missing);
    assert_mentions(
        &text,
        &[
            "Database not found",
            &format!("the project {project_id} has no database db_0000000000000000"),
        ],
    );
    let text = import_expect_error(&w, "comwit_database.main", "db_0000000000000000");
    assert_mentions(
        &text,
        &["Invalid import ID", "`<project_id>/<database_id>`"],
    );

    // The same with an import block: the plan fails.
    w.config(&hcl(
        None,
        &format!(
            "resource \"comwit_database\" \"main\" {{\n  project_id = \"{project_id}\"\n  name       = \"main\"\n}}\n\n\
             import {{\n  to = comwit_database.main\n  id = \"{missing}\"\n}}\n"
        ),
    ));
    let run = w.plan_expect_error();
    assert_mentions(&run.text(), &["Database not found"]);
    assert!(super::databases(&platform, &project_id).is_empty());
}
