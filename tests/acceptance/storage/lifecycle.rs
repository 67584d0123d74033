//! A storage through its life: a bad name refused at plan, create, the bucket used by boto3
//! (signed only while private; anonymous reads once public), public access switched in place,
//! the data source, import, a taken name, destroy; one apply under faults and with a lost
//! create answer makes each bucket once; `terraform query` finds storages made elsewhere.

use super::{assert_mentions, boto3_check, hcl, s, storage, storages};
use crate::support::platform::{create_project, Platform};

#[test]
fn a_storage_serves_its_bucket_and_public_access_switches_in_place() {
    let p = Platform::start();
    let Some(w) = p.workdir() else { return };
    let project = create_project(&p, "storage-life");

    w.config(&hcl(Some(&project), &storage("assets", "My_Assets", false)));
    assert_mentions(
        &w.plan_expect_error().text(),
        &[
            "My_Assets",
            "be a bucket name",
            "lowercase letters, digits and hyphens",
        ],
    );
    assert!(storages(&p, &project).is_empty(), "nothing was created");

    let data = "data \"comwit_storage\" \"by_name\" {\n  name = comwit_storage.assets.name\n}\n";
    let private = format!("{}{data}", storage("assets", "acc-assets", false));
    w.config(&hcl(Some(&project), &private));
    w.apply();
    w.assert_no_changes();
    let state = w.resource("comwit_storage.assets");
    let storage_id = s(&state, "storage_id");
    assert_eq!(s(&state, "bucket"), "acc-assets");
    assert_eq!(s(&state, "endpoint"), p.storage_url);
    assert_eq!(s(&state, "region"), "auto");
    assert_eq!(s(&state, "storage_provider"), "r2");
    assert_eq!(s(&state, "status"), "ready");
    assert_eq!(s(&state, "public_access"), "disabled");
    assert!(state["public_base_url"].is_null(), "{state}");
    let read = w.resource("data.comwit_storage.by_name");
    assert_eq!(s(&read, "storage_id"), storage_id);
    assert_eq!(read["public"], false);

    let seen = boto3_check(&p, &state);
    assert_eq!(seen["put"]["ok"], true, "{seen}");
    assert_eq!(seen["get"]["body"], "hello from boto3\n", "{seen}");
    assert_eq!(
        seen["list"]["keys"],
        serde_json::json!(["hello.txt"]),
        "{seen}"
    );
    assert_eq!(seen["wrong_secret_get"]["ok"], false, "{seen}");
    assert_eq!(
        seen["wrong_secret_get"]["code"], "SignatureDoesNotMatch",
        "{seen}"
    );
    assert_eq!(seen["anonymous_get"]["status"], 403, "{seen}");
    assert_eq!(seen["anonymous_get"]["code"], "AccessDenied", "{seen}");
    assert_eq!(seen["anonymous_put"]["ok"], false, "{seen}");

    // Public access: in place, same bucket, objects kept.
    let public = format!("{}{data}", storage("assets", "acc-assets", true));
    w.config(&hcl(Some(&project), &public));
    let plan = w.assert_changes();
    assert!(plan.contains("updated in-place"), "{plan}");
    w.apply();
    w.assert_no_changes();
    let state = w.resource("comwit_storage.assets");
    assert_eq!(s(&state, "storage_id"), storage_id);
    assert_eq!(s(&state, "public_access"), "enabled");
    let base = s(&state, "public_base_url");
    assert!(base.starts_with(&p.storage_url), "{base}");
    assert_eq!(w.resource("data.comwit_storage.by_name")["public"], true);
    let seen = boto3_check(&p, &state);
    assert_eq!(
        seen["anonymous_get"]["body"], "hello from boto3\n",
        "{seen}"
    );
    assert_eq!(seen["public_url_get"]["status"], 200, "{seen}");
    assert_eq!(
        seen["public_url_get"]["body"], "hello from boto3\n",
        "{seen}"
    );
    assert_eq!(seen["anonymous_put"]["ok"], false, "{seen}");

    // Switched off outside Terraform: drift, and apply turns it back on.
    p.block_on(p.api().set_storage_public(&project, &storage_id, false))
        .unwrap();
    assert!(w.assert_changes().contains("public"));
    w.apply();
    w.assert_no_changes();

    // Import by ID, and by name, give the same state.
    w.state_rm("comwit_storage.assets");
    w.import("comwit_storage.assets", &format!("{project}/{storage_id}"));
    w.assert_no_changes();
    w.state_rm("comwit_storage.assets");
    w.import("comwit_storage.assets", &format!("{project}/acc-assets"));
    w.assert_no_changes();
    assert_eq!(
        s(&w.resource("comwit_storage.assets"), "storage_id"),
        storage_id
    );

    // A second storage of the same name: the one in this project is named, with the import.
    let twice = format!("{public}{}", storage("again", "acc-assets", false));
    w.config(&hcl(Some(&project), &twice));
    assert_mentions(
        &w.apply_expect_error().text(),
        &["Storage name taken", &storage_id, "terraform import"],
    );
    // A name another project holds: the platform's refusal, and what to do.
    let other = create_project(&p, "storage-other");
    let Some(elsewhere) = p.workdir() else { return };
    elsewhere.config(&hcl(Some(&other), &storage("theirs", "acc-assets", false)));
    assert_mentions(
        &elsewhere.apply_expect_error().text(),
        &["Storage name taken", "another project holds it"],
    );
    assert!(storages(&p, &other).is_empty());
    w.config(&hcl(Some(&project), &public));
    w.assert_no_changes();

    w.destroy();
    assert!(storages(&p, &project).is_empty());
    p.assert_public_contract();
}

/// At a 30% failure rate (half of the failures after the work was done), one apply makes three
/// buckets, each once, and destroys them.
#[test]
fn storages_under_faults_are_made_once_each() {
    let p = Platform::start_with(|c| c.fail_rate = 0.3);
    let Some(w) = p.workdir() else { return };
    let project = create_project(&p, "storage-faults");
    let body: String = (0..3)
        .map(|i| storage(&format!("s{i}"), &format!("acc-faults-{i}"), i == 0))
        .collect();
    w.config(&hcl(Some(&project), &body));
    w.apply();
    w.assert_no_changes();
    assert!(p.server_errors() > 0, "faults were injected");
    let made = storages(&p, &project);
    assert_eq!(made.len(), 3, "{made:?}");
    assert!(made
        .iter()
        .any(|s| s.name == "acc-faults-0" && s.is_public()));
    w.destroy();
    assert!(storages(&p, &project).is_empty(), "0 orphans");
    p.assert_public_contract();
}

/// The create's answer is lost after the bucket was made: the storage is found by its name and
/// adopted, not made twice (the route takes no Idempotency-Key).
#[test]
fn a_storage_whose_create_answer_was_lost_is_adopted() {
    let route = "POST /v1/projects/{p}/storages";
    let p = Platform::start_with(|c| c.lose_answers = vec![route.to_string()]);
    let Some(w) = p.workdir() else { return };
    let project = create_project(&p, "storage-lost");
    w.config(&hcl(Some(&project), &storage("lost", "acc-lost", false)));
    w.apply();
    w.assert_no_changes();
    assert_eq!(
        p.request_counts().get(&502).copied().unwrap_or_default(),
        1,
        "the create's answer was lost once"
    );
    let made = storages(&p, &project);
    assert_eq!(made.len(), 1);
    assert_eq!(
        s(&w.resource("comwit_storage.lost"), "storage_id"),
        made[0].storage_id
    );
    w.destroy();
    p.assert_public_contract();
}

/// `terraform query` (Terraform 1.14+) finds storages made outside Terraform, and the
/// configuration it generates imports them without a change.
#[test]
fn query_finds_storages_and_its_generated_config_imports_them_unchanged() {
    let p = Platform::start();
    let Some(w) = p.workdir_at_least(1, 14) else {
        return;
    };
    let project = create_project(&p, "storage-query");
    for (name, public) in [("acc-q-one", false), ("acc-q-two", true)] {
        let body = comwit::api::storages::StorageCreate {
            name,
            public,
            location_hint: None,
        };
        p.block_on(p.api().create_storage(&project, &body)).unwrap();
    }
    w.config(&hcl(Some(&project), ""));
    w.write(
        "find.tfquery.hcl",
        "list \"comwit_storage\" \"all\" {\n  provider = comwit\n}\n",
    );
    let run = w.run(&["query", "-no-color", "-generate-config-out=generated.tf"]);
    assert!(run.ok(), "terraform query failed:\n{}", run.text());
    let generated = std::fs::read_to_string(w.path().join("generated.tf")).unwrap();
    assert_eq!(generated.matches("import {").count(), 2, "{generated}");
    assert_mentions(&generated, &["name = \"acc-q-one\"", "public = true"]);
    for computed in ["endpoint", "public_base_url", "bucket"] {
        assert!(!generated.contains(computed), "{computed} in:\n{generated}");
    }
    // generated.tf sits beside main.tf (the provider block) and is read with it.
    let plan = w.assert_changes();
    assert_mentions(
        &plan,
        &["Plan: 2 to import, 0 to add, 0 to change, 0 to destroy."],
    );
    w.apply();
    w.assert_no_changes();
    p.assert_public_contract();
}
