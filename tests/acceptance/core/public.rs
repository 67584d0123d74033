//! On a platform that serves only the public contract (`--no-extensions`): a project made in
//! the console, looked up with `data.comwit_project`, and a `comwit_database` in it apply,
//! re-plan empty and destroy with no request outside the contract; the `comwit_project`
//! resource and the `comwit_database_token` ephemeral resource fail with a clear diagnostic.

use super::{assert_mentions, databases, hcl, projects, s};
use crate::support::platform::{create_project, Platform};

#[test]
fn a_console_project_and_a_database_apply_replan_empty_and_destroy_on_the_public_contract() {
    let platform = Platform::start_public();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "console-made");
    w.config(&hcl(
        None,
        "data \"comwit_project\" \"main\" {\n  name = \"console-made\"\n}\n\n\
         resource \"comwit_database\" \"main\" {\n  project_id          = data.comwit_project.main.id\n  name                = \"orders\"\n  deletion_protection = false\n}\n\n\
         output \"url\" {\n  value = comwit_database.main.database_url\n}\n",
    ));
    w.apply();
    w.assert_no_changes();
    let r = w.resource("comwit_database.main");
    assert_eq!(s(&r, "project_id"), project);
    assert_eq!(s(&r, "status"), "cold");
    assert_eq!(databases(&platform, &project).len(), 1);
    w.destroy();
    assert!(databases(&platform, &project).is_empty());
    platform.assert_public_contract();
    let counts = platform.contract_counts();
    assert!(
        counts.by_source.get("documented").copied().unwrap_or(0) > 0,
        "{counts:?}"
    );
}

#[test]
fn the_project_resource_says_to_use_the_console_without_the_extension() {
    let platform = Platform::start_public();
    // The provider tries the extension's route: the point of the test.
    platform.expect_extension_attempts();
    let Some(w) = platform.workdir() else {
        return;
    };
    w.config(&hcl(
        None,
        "resource \"comwit_project\" \"main\" {\n  name = \"wanted\"\n}\n",
    ));
    let run = w.apply_expect_error();
    assert_mentions(
        &run.text(),
        &[
            "Projects cannot be managed through this platform's API",
            "Could not create the project \"wanted\"",
            "HTTP 404",
            "Create the project in the console",
            "data \"comwit_project\"",
            "terraform import comwit_project.<name> <project_id>",
        ],
    );
    assert!(projects(&platform).is_empty(), "nothing was created");

    // A console-made project is adopted by import and refreshed from the list; its destroy
    // also needs the console, and says so.
    let id = create_project(&platform, "wanted");
    w.import("comwit_project.main", &id);
    w.assert_no_changes();
    let text = super::destroy_expect_error(&w);
    assert_mentions(
        &text,
        &[
            "Projects cannot be managed through this platform's API",
            &format!("delete the project \"wanted\" ({id})"),
        ],
    );
    assert_eq!(projects(&platform).len(), 1);
}

#[test]
fn the_database_token_extension_fails_clearly_without_its_route() {
    let platform = Platform::start_public();
    // The provider tries the extension's route: the point of the test.
    platform.expect_extension_attempts();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "no-mint");
    let db = platform
        .block_on(platform.api().create_database(&project, "main"))
        .unwrap();
    w.config(&hcl(
        Some(&project),
        &format!(
            "ephemeral \"comwit_database_token\" \"t\" {{\n  database_id = \"{}\"\n}}\n\n\
             resource \"terraform_data\" \"use\" {{\n  input = \"x\"\n  provisioner \"local-exec\" {{\n    command     = \"true\"\n    environment = {{ T = ephemeral.comwit_database_token.t.token }}\n  }}\n}}\n",
            db.database_id
        ),
    ));
    let run = w.apply_expect_error();
    assert_mentions(
        &run.text(),
        &[
            "Database tokens cannot be minted on this platform",
            "needs a platform route that is not public yet",
            "token_rotation_trigger",
            "database:connect",
        ],
    );
}
