//! Provider configuration errors, as a user meets them in `terraform plan`.

use crate::support::platform::{Platform, PROVIDER_HEADER};

#[test]
fn missing_token_names_both_ways_to_set_it() {
    let platform = Platform::start();
    let Some(mut w) = platform.workdir() else {
        return;
    };
    w.set_env("COMWIT_TOKEN", "");
    w.config(&format!(
        "{PROVIDER_HEADER}\nprovider \"comwit\" {{}}\ndata \"comwit_token\" \"me\" {{}}\n"
    ));
    let run = w.plan_expect_error();
    let text = run.text();
    assert!(text.contains("Missing Comwit token"), "{text}");
    assert!(text.contains("COMWIT_TOKEN"), "{text}");
    assert!(text.contains("token"), "{text}");
}

#[test]
fn malformed_token_and_plain_http_are_refused_at_plan() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    w.config(&format!(
        "{PROVIDER_HEADER}\nprovider \"comwit\" {{\n  token   = \"ghp_nottoken\"\n  api_url = \"http://example.com\"\n}}\ndata \"comwit_token\" \"me\" {{}}\n"
    ));
    let run = w.plan_expect_error();
    let text = run.text();
    assert!(text.contains("Invalid Comwit token"), "{text}");
    assert!(text.contains("Invalid API URL"), "{text}");
}

/// A mistyped project ID, in the provider block or on a resource, and a bad retry budget fail
/// at plan time with the expected form named, and nothing is created.
#[test]
fn malformed_ids_and_retry_budget_fail_at_plan_and_create_nothing() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    w.config(&format!(
        "{PROVIDER_HEADER}\nprovider \"comwit\" {{\n  project_id        = \"garbage\"\n  retry_max_elapsed = \"soon\"\n}}\nresource \"comwit_database\" \"db\" {{\n  name = \"main\"\n}}\n"
    ));
    let text = w.plan_expect_error().text();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Invalid project_id"), "{text}");
    assert!(flat.contains("prj_"), "{text}");
    assert!(flat.contains("Invalid retry_max_elapsed"), "{text}");

    w.config(&format!(
        "{PROVIDER_HEADER}\nprovider \"comwit\" {{}}\nresource \"comwit_project\" \"p\" {{\n  name = \"fine\"\n}}\nresource \"comwit_database\" \"db\" {{\n  project_id = \"prj_garbage\"\n  name       = \"main\"\n}}\n"
    ));
    let text = w.apply_expect_error().text();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("be a project ID"), "{text}");
    assert!(flat.contains("16 lowercase hex digits"), "{text}");
    let projects = platform
        .block_on(platform.api().list_projects())
        .expect("list projects");
    assert!(projects.is_empty(), "nothing was created: {projects:?}");
}
