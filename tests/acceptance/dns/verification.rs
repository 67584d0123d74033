//! `comwit_app_hostname_verification`: waits for a Manual DNS hostname, fails naming the
//! records still missing, and insists that `record_fqdns` covers the records.

use crate::support::platform::{create_project, Platform};

use super::{add_record, assert_mentions, create_app, hcl, onboard, s};

fn config(app_id: &str, fqdns: &str, timeout: &str) -> String {
    format!(
        r#"
resource "comwit_app_hostname" "www" {{
  app_id   = "{app_id}"
  hostname = "www.example.com"
  dns_mode = "manual"
}}

resource "comwit_app_hostname_verification" "www" {{
  app_id       = "{app_id}"
  hostname     = comwit_app_hostname.www.hostname
  record_fqdns = {fqdns}

  timeouts {{
    create = "{timeout}"
  }}
}}
"#
    )
}

#[test]
fn waits_reports_missing_records_then_verifies() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "verify");
    let app_id = create_app(&platform, &project, "web");
    onboard(&platform, &project, "example.com");

    // record_fqdns leaves the TXT record out: refused at once.
    w.config(&hcl(
        &project,
        &config(&app_id, "[\"www.example.com\"]", "10m"),
    ));
    let started = std::time::Instant::now();
    let run = w.apply_expect_error();
    assert!(started.elapsed().as_secs() < 60, "it must not wait");
    assert_mentions(
        &run.text(),
        &[
            "Records missing from record_fqdns",
            "TXT _cf-challenge.www.example.com",
        ],
    );

    // Only the TXT record is published: after the timeout, the CNAME is named as missing.
    let host = w.resource("comwit_app_hostname.www");
    let txt = s(&host["dns_records"]["ownership"], "value");
    let edge = s(&host["dns_records"]["routing"], "value");
    add_record(
        &platform,
        &project,
        "example.com",
        "_cf-challenge.www",
        "TXT",
        &[&txt],
    );
    w.config(&hcl(
        &project,
        &config(
            &app_id,
            "[for r in comwit_app_hostname.www.dns_records : r.name]",
            "2s",
        ),
    ));
    let run = w.apply_expect_error();
    let text = run.text();
    assert_mentions(
        &text,
        &[
            "Hostname not verified in time",
            "www.example.com was still pending after 2s",
            &format!("CNAME www.example.com → \"{edge}\" (TTL 300): missing from the Comwit zone example.com"),
        ],
    );
    assert!(!text.contains("TXT _cf-challenge"), "{text}");

    // Both published: the verification succeeds.
    add_record(&platform, &project, "example.com", "www", "CNAME", &[&edge]);
    w.apply();
    w.assert_no_changes();
    let v = w.resource("comwit_app_hostname_verification.www");
    assert_eq!(s(&v, "status"), "active");

    // Changing record_fqdns or the timeout updates the state only.
    w.config(&hcl(
        &project,
        &config(
            &app_id,
            "[\"WWW.example.com.\", \"_cf-challenge.www.example.com\"]",
            "5m",
        ),
    ));
    let plan = w.assert_changes();
    assert!(plan.contains("updated in-place"), "{plan}");
    w.apply();
    w.assert_no_changes();

    // The hostname detached out of band: both are planned again.
    platform
        .block_on(
            platform
                .api()
                .detach_hostname(&project, &app_id, "www.example.com"),
        )
        .unwrap();
    let plan = w.assert_changes();
    assert!(
        plan.contains("comwit_app_hostname_verification.www will be created"),
        "{plan}"
    );
    w.destroy();
}
