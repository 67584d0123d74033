//! The `comwit_project`, `comwit_projects` and `comwit_database` data sources, read with a
//! token holding only the read scopes they document, on the public contract alone (the
//! `comwit_token` data source is gone with `/v1/me`, which the platform does not have).

use std::time::Duration;

use super::{assert_mentions, hcl};
use crate::support::platform::{create_project, Platform};
use crate::support::Workdir;

const READ_SCOPES: &[&str] = &["project:read", "database:read"];

#[test]
fn lookups_by_id_and_name() {
    // Databases created at once: the data sources read the same status on every plan.
    let platform = Platform::start_with(|c| {
        c.database_provision_delay = Duration::ZERO;
        c.extensions = false;
    });
    let token = platform.token_with_scopes(READ_SCOPES);
    let Some(w) = platform.workdir_with_token(&token) else {
        return;
    };
    let alpha = create_project(&platform, "alpha");
    let beta = create_project(&platform, "beta");
    let db = platform
        .block_on(platform.api().create_database(&alpha, "orders"))
        .unwrap();
    w.config(&hcl(
        Some(&alpha),
        &format!(
            "data \"comwit_project\" \"by_name\" {{\n  name = \"alpha\"\n}}\n\n\
             data \"comwit_project\" \"by_id\" {{\n  id = \"{beta}\"\n}}\n\n\
             data \"comwit_projects\" \"all\" {{}}\n\n\
             data \"comwit_database\" \"by_name\" {{\n  name = \"orders\"\n}}\n\n\
             data \"comwit_database\" \"by_id\" {{\n  project_id  = data.comwit_project.by_name.id\n  database_id = \"{}\"\n}}\n\n\
             output \"alpha\" {{\n  value = data.comwit_project.by_name\n}}\n\
             output \"beta\" {{\n  value = data.comwit_project.by_id\n}}\n\
             output \"all\" {{\n  value = data.comwit_projects.all.projects\n}}\n\
             output \"db_by_name\" {{\n  value = data.comwit_database.by_name\n}}\n\
             output \"db_by_id\" {{\n  value = data.comwit_database.by_id\n}}\n",
            db.database_id
        ),
    ));
    w.apply();
    w.assert_no_changes();
    let out = w.outputs();
    assert_eq!(out["alpha"]["value"]["id"], alpha.as_str());
    assert_eq!(out["alpha"]["value"]["name"], "alpha");
    assert!(out["alpha"]["value"].get("created_at").is_none());
    assert_eq!(out["beta"]["value"]["name"], "beta");
    let all: Vec<(String, String)> = out["all"]["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_string(),
                p["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        all,
        [
            (alpha.clone(), "alpha".into()),
            (beta.clone(), "beta".into())
        ]
    );
    for key in ["db_by_name", "db_by_id"] {
        let v = &out[key]["value"];
        assert_eq!(v["database_id"], db.database_id.as_str(), "{key}");
        assert_eq!(v["name"], "orders", "{key}");
        assert_eq!(v["project_id"], alpha.as_str(), "{key}");
        assert_eq!(v["database_url"], db.database_url.as_str(), "{key}");
        assert_eq!(v["status"], "cold", "{key}");
    }
    assert!(
        !w.state_json().to_string().contains(&token),
        "no secret in state"
    );
    platform.assert_public_contract();
}

fn expect_plan_error(w: &Workdir, project: &str, body: &str, wanted: &[&str]) {
    w.config(&hcl(Some(project), body));
    let run = w.plan_expect_error();
    assert_mentions(&run.text(), wanted);
}

#[test]
fn lookups_that_cannot_succeed_are_clear_errors() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "gamma");
    let cases: &[(&str, &[&str])] = &[
        (
            "data \"comwit_project\" \"x\" {}\n",
            &["Missing lookup argument", "Set exactly one of `id` or `name`"],
        ),
        (
            "data \"comwit_project\" \"x\" {\n  id   = \"prj_0000000000000000\"\n  name = \"gamma\"\n}\n",
            &["Conflicting lookup arguments", "`id` and `name` are both set"],
        ),
        (
            "data \"comwit_project\" \"x\" {\n  name = \"nope\"\n}\n",
            &["Project not found", "None of the 1 projects you are a member of is named \"nope\""],
        ),
        (
            "data \"comwit_project\" \"x\" {\n  id = \"prj_0000000000000000\"\n}\n",
            &["Project not found", "None of the projects your token lists has the ID \"prj_0000000000000000\""],
        ),
        (
            "data \"comwit_database\" \"x\" {}\n",
            &["Missing lookup argument", "`database_id` or `name`"],
        ),
        (
            "data \"comwit_database\" \"x\" {\n  name = \"nope\"\n}\n",
            &["Database not found", &format!("The project {project} has no database named \"nope\"")],
        ),
        (
            "data \"comwit_database\" \"x\" {\n  database_id = \"db_0000000000000000\"\n}\n",
            &["Database not found", "no database \"db_0000000000000000\""],
        ),
    ];
    for (body, wanted) in cases {
        expect_plan_error(&w, &project, body, wanted);
    }
}
