//! Terraform 1.12+ identity and 1.14+ list resources for `comwit_project` and
//! `comwit_database`: projects and databases created through the API (not Terraform) are found
//! by `terraform query`; the config `-generate-config-out` writes imports them with no other
//! change and leaves an empty plan; `import` blocks by identity work, and so do import IDs.

use comwit::api::models::Database;

use super::{assert_mentions, hcl};
use crate::support::platform::{create_project, Platform};
use crate::support::{find_resource, Workdir};

const NO_COLOR: &str = "-no-color";

/// Creates a database through the API (it leaves `creating` by itself shortly after), as
/// its project's list shows it.
fn create_database(p: &Platform, project: &str, name: &str) -> Database {
    let api = p.api();
    p.block_on(async {
        let created = api.create_database(project, name).await?;
        api.get_database(project, &created.database_id).await
    })
    .expect("create database")
}

/// `terraform query` that must succeed; returns its output.
fn query(w: &Workdir, extra: &[&str]) -> String {
    let mut args = vec!["query", NO_COLOR];
    args.extend_from_slice(extra);
    let run = w.run(&args);
    assert!(run.ok(), "terraform query failed:\n{}", run.text());
    run.text()
}

/// `terraform query` that must fail; returns its output.
fn query_expect_error(w: &Workdir) -> String {
    let run = w.run(&["query", NO_COLOR]);
    assert!(
        !run.ok(),
        "terraform query should have failed:\n{}",
        run.text()
    );
    run.text()
}

/// The lines of the query output that belong to `list.<type>.<name>`.
fn listed<'a>(output: &'a str, list: &str) -> Vec<&'a str> {
    output
        .lines()
        .filter(|l| l.trim_start().starts_with(list))
        .collect()
}

/// Every resource in state with its identity (`terraform show -json`).
fn identities(w: &Workdir) -> Vec<(String, serde_json::Value)> {
    let state = w.state_json();
    state["values"]["root_module"]["resources"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|r| {
                    (
                        r["address"].as_str().unwrap().to_string(),
                        r["identity"].clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn query_finds_what_the_api_made_and_its_generated_config_imports_it_unchanged() {
    let platform = Platform::start();
    let Some(w) = platform.workdir_at_least(1, 14) else {
        return;
    };
    let shop = create_project(&platform, "q-shop");
    let blog = create_project(&platform, "q-blog");
    let orders = create_database(&platform, &shop, "orders");
    let users = create_database(&platform, &shop, "users");
    let drafts = create_database(&platform, &blog, "drafts");

    w.config(&hcl(None, ""));
    w.write(
        "find.tfquery.hcl",
        &format!(
            "list \"comwit_project\" \"all\" {{\n  provider = comwit\n}}\n\n\
             list \"comwit_project\" \"blog\" {{\n  provider = comwit\n\n  config {{\n    name = \"q-blog\"\n  }}\n}}\n\n\
             list \"comwit_database\" \"shop\" {{\n  provider = comwit\n\n  config {{\n    project_id = \"{shop}\"\n  }}\n}}\n"
        ),
    );
    let before = platform.request_total();
    let out = query(&w, &[]);
    let calls = platform.request_total() - before;
    let all = listed(&out, "list.comwit_project.all");
    assert_eq!(all.len(), 2, "{out}");
    assert_mentions(&all.join("\n"), &[&shop, "q-shop", &blog, "q-blog"]);
    let named = listed(&out, "list.comwit_project.blog");
    assert_eq!(named.len(), 1, "{out}");
    assert_mentions(named[0], &[&blog, "q-blog"]);
    let databases = listed(&out, "list.comwit_database.shop");
    assert_eq!(databases.len(), 2, "{out}");
    assert_mentions(
        &databases.join("\n"),
        &[
            &orders.database_id,
            "orders",
            &users.database_id,
            "users",
            &shop,
        ],
    );
    assert!(!out.contains(&drafts.database_id), "{out}");
    // One page of each list: the projects twice (two lists), the databases once.
    eprintln!("terraform query of 2 + 1 projects and 2 databases: {calls} API requests");
    assert_eq!(calls, 3, "{out}");

    // The generated configuration imports every object and changes nothing.
    w.write(
        "find.tfquery.hcl",
        &format!(
            "list \"comwit_project\" \"all\" {{\n  provider = comwit\n}}\n\n\
             list \"comwit_database\" \"shop\" {{\n  provider = comwit\n\n  config {{\n    project_id = \"{shop}\"\n  }}\n}}\n\n\
             list \"comwit_database\" \"blog\" {{\n  provider = comwit\n\n  config {{\n    project_id = \"{blog}\"\n  }}\n}}\n"
        ),
    );
    let before = platform.request_total();
    query(&w, &["-generate-config-out=generated.tf"]);
    // Full objects come from the list pages too: no read per object.
    assert_eq!(platform.request_total() - before, 3);
    let generated = std::fs::read_to_string(w.path().join("generated.tf")).unwrap();
    assert_eq!(generated.matches("import {").count(), 5, "{generated}");
    assert_eq!(generated.matches("identity").count(), 5, "{generated}");
    let protected = generated
        .lines()
        .filter(|l| {
            let l: String = l.split_whitespace().collect();
            l == "deletion_protection=true"
        })
        .count();
    assert_eq!(protected, 3, "{generated}");
    for computed in ["database_token", "database_url", "status ="] {
        assert!(!generated.contains(computed), "{computed} in:\n{generated}");
    }
    let plan = w.assert_changes();
    assert_mentions(
        &plan,
        &["Plan: 5 to import, 0 to add, 0 to change, 0 to destroy."],
    );
    let applied = w.apply();
    assert_mentions(
        &applied.stdout,
        &["Apply complete! Resources: 5 imported, 0 added, 0 changed, 0 destroyed."],
    );
    w.assert_no_changes();
    let state = w.state_json();
    let dbs: Vec<_> = state["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "comwit_database")
        .collect();
    assert_eq!(dbs.len(), 3);
    for db in dbs {
        assert_eq!(db["values"]["deletion_protection"], true, "{db}");
        assert_eq!(db["values"]["status"], "cold", "{db}");
        let identity = &db["identity"];
        assert_eq!(identity["project_id"], db["values"]["project_id"], "{db}");
        assert_eq!(identity["database_id"], db["values"]["database_id"], "{db}");
    }
    // Imported, nothing else: the platform has what it had.
    assert_eq!(super::projects(&platform).len(), 2);
    assert_eq!(super::databases(&platform, &shop).len(), 2);
    assert_eq!(super::databases(&platform, &blog).len(), 1);

    // The imported databases are protected: a destroy deletes nothing of them (and the
    // imported projects' destroy tries the project extension, refused on this platform).
    platform.expect_extension_attempts();
    let text = super::destroy_expect_error(&w);
    assert_mentions(&text, &["Database is protected from deletion"]);
    assert_eq!(super::databases(&platform, &shop).len(), 2);
}

#[test]
fn import_blocks_by_identity_and_by_id_import_the_same() {
    let platform = Platform::start();
    let Some(w) = platform.workdir_at_least(1, 14) else {
        return;
    };
    let project = create_project(&platform, "q-ident");
    let db = create_database(&platform, &project, "main");
    let database_id = &db.database_id;
    let resources = "resource \"comwit_project\" \"main\" {\n  name = \"q-ident\"\n}\n\n\
        resource \"comwit_database\" \"main\" {\n  name = \"main\"\n}\n";

    // By identity; the database's `project_id` comes from the provider's default.
    let by_identity = format!(
        "{resources}\nimport {{\n  to       = comwit_project.main\n  identity = {{\n    id = \"{project}\"\n  }}\n}}\n\n\
         import {{\n  to       = comwit_database.main\n  identity = {{\n    database_id = \"{database_id}\"\n  }}\n}}\n"
    );
    w.config(&hcl(Some(&project), &by_identity));
    let plan = w.assert_changes();
    assert_mentions(
        &plan,
        &["Plan: 2 to import, 0 to add, 0 to change, 0 to destroy."],
    );
    w.apply();
    w.assert_no_changes();
    let project_state = w.resource("comwit_project.main");
    let database_state = w.resource("comwit_database.main");
    assert_eq!(project_state["id"], project.as_str());
    assert_eq!(database_state["database_id"], database_id.as_str());
    assert_eq!(database_state["project_id"], project.as_str());
    assert_eq!(database_state["deletion_protection"], true);
    let ids = identities(&w);
    assert!(ids.contains(&(
        "comwit_project.main".to_string(),
        serde_json::json!({ "id": project })
    )));
    assert!(ids.contains(&(
        "comwit_database.main".to_string(),
        serde_json::json!({ "project_id": project, "database_id": database_id })
    )));

    // The same with import IDs, in blocks and on the command line.
    w.state_rm("comwit_database.main");
    w.state_rm("comwit_project.main");
    let by_id = format!(
        "{resources}\nimport {{\n  to = comwit_project.main\n  id = \"{project}\"\n}}\n\n\
         import {{\n  to = comwit_database.main\n  id = \"{project}/{database_id}\"\n}}\n"
    );
    w.config(&hcl(Some(&project), &by_id));
    w.apply();
    w.assert_no_changes();
    crate::support::assert_same_attributes(
        &database_state,
        &w.resource("comwit_database.main"),
        &[],
    );
    assert_eq!(identities(&w).len(), 2);
    w.state_rm("comwit_database.main");
    w.config(&hcl(Some(&project), resources));
    w.import("comwit_database.main", &format!("{project}/{database_id}"));
    w.assert_no_changes();
    let state = w.state_json();
    assert_eq!(
        find_resource(&state, "comwit_database.main").unwrap(),
        database_state
    );

    // Mistyped identities (IDs are opaque: only whitespace or a `/` is refused) are named
    // before anything is read.
    w.state_rm("comwit_database.main");
    w.config(&hcl(
        Some(&project),
        &format!(
            "{resources}\nimport {{\n  to       = comwit_database.main\n  identity = {{\n    project_id  = \"{project}\"\n    database_id = \"ma in\"\n  }}\n}}\n"
        ),
    ));
    let run = w.plan_expect_error();
    assert_mentions(
        &run.text(),
        &[
            "Invalid database_id in the identity",
            "\"ma in\", which is not a database ID",
        ],
    );
}

#[test]
fn list_configurations_are_checked_and_limits_kept() {
    let platform = Platform::start();
    let Some(w) = platform.workdir_at_least(1, 14) else {
        return;
    };
    let project = create_project(&platform, "q-limits");
    for name in ["one", "two", "three"] {
        create_database(&platform, &project, name);
    }
    w.config(&hcl(None, ""));

    // Terraform's `limit`: only the first of them.
    w.write(
        "find.tfquery.hcl",
        &format!(
            "list \"comwit_database\" \"first\" {{\n  provider = comwit\n  limit    = 1\n\n  config {{\n    project_id = \"{project}\"\n  }}\n}}\n"
        ),
    );
    let out = query(&w, &[]);
    let first = listed(&out, "list.comwit_database.first");
    assert_eq!(first.len(), 1, "{out}");
    assert_mentions(first[0], &["one"]);

    // A malformed project ID fails validation.
    w.write(
        "find.tfquery.hcl",
        "list \"comwit_database\" \"bad\" {\n  provider = comwit\n\n  config {\n    project_id = \"q/limits\"\n  }\n}\n",
    );
    let text = query_expect_error(&w);
    assert_mentions(&text, &["project_id", "without whitespace or `/`"]);

    // No project at all: neither the list nor the provider names one.
    w.write(
        "find.tfquery.hcl",
        "list \"comwit_database\" \"none\" {\n  provider = comwit\n}\n",
    );
    let text = query_expect_error(&w);
    assert_mentions(
        &text,
        &["Missing project_id", "in the list block's `config` block"],
    );

    // A project that does not exist (or is not the user's).
    w.write(
        "find.tfquery.hcl",
        "list \"comwit_database\" \"gone\" {\n  provider = comwit\n\n  config {\n    project_id = \"prj_0000000000000000\"\n  }\n}\n",
    );
    let text = query_expect_error(&w);
    assert_mentions(
        &text,
        &["Could not list the databases of the project prj_0000000000000000"],
    );

    // A name no project can have.
    w.write(
        "find.tfquery.hcl",
        "list \"comwit_project\" \"bad\" {\n  provider = comwit\n\n  config {\n    name = \"My Shop\"\n  }\n}\n",
    );
    let text = query_expect_error(&w);
    assert_mentions(&text, &["DNS label"]);
}

#[test]
fn a_query_reads_the_whole_list_once_whatever_its_limit() {
    let platform = Platform::start();
    let Some(w) = platform.workdir_at_least(1, 14) else {
        return;
    };
    let project = create_project(&platform, "q-pages");
    // More than one page (the provider asks for 100 at a time).
    let total = 105;
    for i in 0..total {
        create_database(&platform, &project, &format!("db-{i:03}"));
    }
    w.config(&hcl(Some(&project), ""));
    let requests = |limit: usize| {
        w.write(
            "find.tfquery.hcl",
            &format!("list \"comwit_database\" \"all\" {{\n  provider = comwit\n  limit    = {limit}\n}}\n"),
        );
        let before = platform.request_total();
        let out = query(&w, &[]);
        let calls = platform.request_total() - before;
        (listed(&out, "list.comwit_database.all").len(), calls)
    };
    // The public lists are whole (no paging): one request, whatever the limit.
    assert_eq!(requests(5), (5, 1));
    assert_eq!(requests(500), (total, 1));
    eprintln!("terraform query of {total} databases: 1 API request; with limit = 5: 1");
}

#[test]
fn objects_made_by_an_older_terraform_get_their_identity_on_refresh() {
    let platform = Platform::start_with_extensions();
    // The resolved Terraform (1.11 in CI, which knows no identity) creates them...
    let Some(mut w) = platform.workdir() else {
        return;
    };
    let Some(newer) = crate::support::terraform_at_least(1, 14) else {
        return;
    };
    w.config(&hcl(
        None,
        "resource \"comwit_project\" \"main\" {\n  name = \"q-older\"\n}\n\n\
         resource \"comwit_database\" \"main\" {\n  project_id = comwit_project.main.id\n  name       = \"main\"\n}\n",
    ));
    w.apply();
    let project = w.resource("comwit_project.main");
    let database = w.resource("comwit_database.main");
    let older = crate::support::terraform_version(&w.terraform).unwrap();
    if older < (1, 12, 0) {
        assert!(identities(&w)
            .iter()
            .all(|(_, identity)| identity.is_null()));
    }
    // ...and a newer one finds nothing to change and records their identities.
    w.terraform = newer;
    w.assert_no_changes();
    w.apply();
    let ids = identities(&w);
    assert!(ids.contains(&(
        "comwit_project.main".to_string(),
        serde_json::json!({ "id": project["id"] })
    )));
    assert!(ids.contains(&(
        "comwit_database.main".to_string(),
        serde_json::json!({
            "project_id": database["project_id"],
            "database_id": database["database_id"],
        })
    )));
    w.assert_no_changes();
}
