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
