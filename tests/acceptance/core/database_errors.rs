//! Bad input gets a clear diagnostic and writes nothing: invalid names (at plan time), a
//! token without `database:write`, a project the user is not a member of, a taken name.

use super::{assert_mentions, databases, hcl, projects, s};
use crate::support::platform::{create_project, Platform};

#[test]
fn invalid_names_fail_at_plan_naming_the_attribute() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "core-names");
    let cases = [
        ("comwit_project", "Bad_Name"),
        ("comwit_project", "1st"),
        ("comwit_database", "-db"),
        ("comwit_database", &"a".repeat(64)),
    ];
    for (type_name, name) in cases {
        w.config(&hcl(
            Some(&project),
            &format!("resource \"{type_name}\" \"bad\" {{\n  name = \"{name}\"\n}}\n"),
        ));
        let run = w.plan_expect_error();
        assert_mentions(
            &run.text(),
            &[
                "Invalid Attribute Value Match",
                &format!("Attribute name is \"{name}\""),
                "must be a DNS label",
                &format!("in resource \"{type_name}\" \"bad\""),
            ],
        );
    }
    assert_eq!(projects(&platform).len(), 1, "plans create no project");
    assert!(databases(&platform, &project).is_empty());
}

#[test]
fn token_without_database_write_is_told_the_scope_and_writes_nothing() {
    let platform = Platform::start();
    let token = platform.token_with_scopes(&["project:read", "database:read"]);
    let Some(w) = platform.workdir_with_token(&token) else {
        return;
    };
    let project = create_project(&platform, "core-scopes");
    w.config(&hcl(
        Some(&project),
        "resource \"comwit_database\" \"main\" {\n  name = \"main\"\n}\n",
    ));
    let run = w.apply_expect_error();
    assert_mentions(
        &run.text(),
        &[
            "Token lacks the database:write scope",
            "create the database \"main\"",
            "needs the `database:write` scope",
        ],
    );
    assert!(!run.text().contains(&token), "the token is never printed");
    assert!(databases(&platform, &project).is_empty());
    assert!(w.state_json()["values"].is_null(), "nothing in the state");
}

#[test]
fn project_of_another_user_is_refused_and_untouched() {
    let platform = Platform::start_with_extensions();
    let Some(w) = platform.workdir() else {
        return;
    };
    platform.admin().create_user("other").unwrap();
    let their_token = platform
        .admin()
        .create_token("other", &["all"], "theirs")
        .unwrap()
        .secret;
    let theirs = platform.api_with(&their_token);
    let their_project = platform
        .block_on(theirs.create_project("theirs"))
        .unwrap()
        .project_id;

    w.config(&hcl(
        None,
        &format!(
            "resource \"comwit_database\" \"main\" {{\n  project_id = \"{their_project}\"\n  name       = \"main\"\n}}\n"
        ),
    ));
    let run = w.apply_expect_error();
    assert_mentions(
        &run.text(),
        &[
            "Access to the project refused",
            &format!("not a member of project {their_project}"),
            "check `project_id`",
        ],
    );
    let left = platform
        .block_on(theirs.list_databases(&their_project))
        .unwrap();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn taken_name_prints_the_import_command_that_works() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "core-taken");
    let existing = platform
        .block_on(platform.api().create_database(&project, "taken"))
        .unwrap();
    w.config(&hcl(
        Some(&project),
        "resource \"comwit_database\" \"main\" {\n  name = \"taken\"\n}\n",
    ));
    let run = w.apply_expect_error();
    let import_id = format!("{project}/{}", existing.database_id);
    assert_mentions(
        &run.text(),
        &[
            "The database name \"taken\" is taken",
            &format!("already exists in the project {project}"),
            &format!("terraform import comwit_database.<name> {import_id}"),
            &format!("id = \"{import_id}\""),
        ],
    );
    assert_eq!(databases(&platform, &project).len(), 1, "nothing created");

    w.import("comwit_database.main", &import_id);
    w.assert_no_changes();
    assert_eq!(
        s(&w.resource("comwit_database.main"), "database_id"),
        existing.database_id
    );
}
