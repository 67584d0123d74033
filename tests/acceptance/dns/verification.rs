//! `comwit_app_hostname_verification`: finalizes a Manual DNS hostname once its records are
//! visible, fails with the platform's reason while they are not, then verifies. (The public
//! hostname list carries no records, so the verification cannot name the missing ones or
//! check `record_fqdns` against them: the unit tests cover that for a platform that lists them.)

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

    // Nothing published: after the timeout, the platform's refusal is shown.
    w.config(&hcl(
        &project,
        &config(
            &app_id,
            "[for r in comwit_app_hostname.www.dns_records : r.name]",
            "2s",
        ),
    ));
    let run = w.apply_expect_error();
    assert_mentions(
        &run.text(),
        &[
            "Hostname not verified in time",
            "www.example.com was still pending after 2s",
            "are not visible yet",
        ],
    );

    // Only the TXT record is published: still refused.
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
    let run = w.apply_expect_error();
    assert_mentions(&run.text(), &["Hostname not verified in time"]);

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
