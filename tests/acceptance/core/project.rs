//! `comwit_project`: create, rename in place, drift, destroy, and a destroy refused while the
//! project still holds databases.

use super::{
    assert_mentions, databases, destroy_expect_error, hcl, project as project_of, project_exists,
    projects, s,
};
use crate::support::platform::Platform;

fn project(name: &str) -> String {
    format!(
        "resource \"comwit_project\" \"main\" {{\n  name = \"{name}\"\n}}\n\n\
         output \"project_id\" {{\n  value = comwit_project.main.id\n}}\n"
    )
}

#[test]
fn create_rename_drift_destroy() {
    let platform = Platform::start_with_extensions();
    let Some(w) = platform.workdir() else {
        return;
    };
    let api = platform.api();

    // Create.
    w.config(&hcl(None, &project("core-shop")));
    w.apply();
    w.assert_no_changes();
    let r = w.resource("comwit_project.main");
    let id = s(&r, "id");
    assert_eq!(w.outputs()["project_id"]["value"], id.as_str());
    let remote = project_of(&platform, &id);
    assert_eq!(remote.name, "core-shop");

    // Rename: in place, same ID.
    w.config(&hcl(None, &project("core-store")));
    let plan = w.assert_changes();
    assert!(plan.contains("updated in-place"), "{plan}");
    assert!(!plan.contains("must be replaced"), "{plan}");
    w.apply();
    w.assert_no_changes();
    assert_eq!(s(&w.resource("comwit_project.main"), "id"), id);
    assert_eq!(project_of(&platform, &id).name, "core-store");

    // Renamed outside Terraform: the plan renames it back.
    platform
        .block_on(api.rename_project(&id, "renamed-elsewhere"))
        .unwrap();
    let plan = w.assert_changes();
    assert!(
        plan.contains("\"renamed-elsewhere\" -> \"core-store\""),
        "{plan}"
    );
    w.apply();
    assert_eq!(project_of(&platform, &id).name, "core-store");
    w.assert_no_changes();

    // Deleted outside Terraform: the plan creates it again.
    platform.block_on(api.delete_project(&id)).unwrap();
    let plan = w.assert_changes();
    assert!(plan.contains("will be created"), "{plan}");
    w.apply();
    w.assert_no_changes();
    let new_id = s(&w.resource("comwit_project.main"), "id");
    assert_ne!(new_id, id);
    assert!(project_exists(&platform, &new_id));

    // Destroy: comwit-local holds no project any more.
    w.destroy();
    assert!(!project_exists(&platform, &new_id));
    assert!(projects(&platform).is_empty(), "{:?}", projects(&platform));
}

#[test]
fn project_with_a_database_end_to_end_and_a_destroy_refused_while_not_empty() {
    let platform = Platform::start_with_extensions();
    let Some(w) = platform.workdir() else {
        return;
    };
    w.config(&hcl(
        None,
        &format!(
            "{}\nresource \"comwit_database\" \"main\" {{\n  project_id          = comwit_project.main.id\n  name                = \"main\"\n  deletion_protection = false\n}}\n",
            project("core-e2e")
        ),
    ));
    w.apply();
    w.assert_no_changes();
    let id = s(&w.resource("comwit_project.main"), "id");
    let db = w.resource("comwit_database.main");
    assert_eq!(s(&db, "project_id"), id);
    assert_eq!(s(&db, "status"), "cold");

    // A database made outside Terraform keeps the project from being destroyed; the one
    // Terraform manages goes first.
    let stray = platform
        .block_on(platform.api().create_database(&id, "stray"))
        .unwrap();
    let text = destroy_expect_error(&w);
    assert_mentions(
        &text,
        &[
            "Project is not empty",
            &format!("still holds 1 database(s) ({})", stray.database_id),
            "Destroy or remove those first",
        ],
    );
    assert!(project_exists(&platform, &id));
    let left: Vec<String> = databases(&platform, &id)
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(left, ["stray"], "the managed database was destroyed first");

    // Once it is gone the project can be destroyed.
    platform
        .block_on(platform.api().delete_database(&id, &stray.database_id))
        .unwrap();
    w.destroy();
    assert!(!project_exists(&platform, &id));
}

#[test]
fn taken_name_prints_the_import_command_that_works() {
    let platform = Platform::start_with_extensions();
    let Some(w) = platform.workdir() else {
        return;
    };
    let existing = crate::support::platform::create_project(&platform, "taken");
    w.config(&hcl(None, &project("taken")));
    let run = w.apply_expect_error();
    let command = format!("terraform import comwit_project.<name> {existing}");
    assert_mentions(
        &run.text(),
        &["The project name \"taken\" is taken", &command],
    );
    assert_eq!(projects(&platform).len(), 1, "nothing was created");

    // The printed command, with the placeholder filled in, imports it.
    w.import("comwit_project.main", &existing);
    w.assert_no_changes();
    assert_eq!(s(&w.resource("comwit_project.main"), "id"), existing);
}
