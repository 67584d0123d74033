//! `for_each` over `dns_records` plans in the very first plan: keys, names and types are known
//! before the hostname exists; after verification a refresh plans nothing.

use crate::support::platform::{create_project, Platform};

use super::{add_record, create_app, hcl, onboard};

#[test]
fn keys_names_and_types_are_known_in_the_first_plan() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "foreach");
    let app_id = create_app(&platform, &project, "web");
    // A three-label domain onboarded in the project makes `shop.example.io` a zone apex.
    onboard(&platform, &project, "shop.example.io");
    w.config(&hcl(
        &project,
        &format!(
            r#"
locals {{
  hostnames = toset(["www.example.org", "example.org", "shop.example.io"])
}}

resource "comwit_app_hostname" "h" {{
  for_each = local.hostnames
  app_id   = "{app_id}"
  hostname = each.key
  dns_mode = "manual"
}}

resource "terraform_data" "published" {{
  for_each = merge([
    for host, h in comwit_app_hostname.h : {{ for purpose, r in h.dns_records : "${{host}}/${{purpose}}" => r }}
  ]...)
  input = each.value
}}
"#
        ),
    ));
    let run = w.run(&["plan", "-out=first.tfplan", "-no-color", "-input=false"]);
    assert!(run.ok(), "the first plan must succeed:\n{}", run.text());
    let shown = w.run(&["show", "-json", "first.tfplan"]);
    let plan: serde_json::Value = serde_json::from_str(&shown.stdout).expect("plan json");
    let changes = plan["resource_changes"].as_array().unwrap();
    let planned = |address: &str| -> (serde_json::Value, serde_json::Value) {
        let c = changes
            .iter()
            .find(|c| c["address"] == address)
            .unwrap_or_else(|| panic!("{address} not planned"));
        (
            c["change"]["after"]["input"].clone(),
            c["change"]["after_unknown"]["input"].clone(),
        )
    };
    let cases = [
        ("www.example.org", "routing", "CNAME", "www.example.org"),
        (
            "www.example.org",
            "ownership",
            "TXT",
            "_cf-challenge.www.example.org",
        ),
        ("example.org", "routing", "A", "example.org"),
        (
            "example.org",
            "ownership",
            "TXT",
            "_cf-challenge.example.org",
        ),
        ("shop.example.io", "routing", "A", "shop.example.io"),
        (
            "shop.example.io",
            "ownership",
            "TXT",
            "_cf-challenge.shop.example.io",
        ),
    ];
    for (host, purpose, rtype, name) in cases {
        let (after, unknown) = planned(&format!("terraform_data.published[\"{host}/{purpose}\"]"));
        assert_eq!(after["type"], rtype, "{host}/{purpose}: {after}");
        assert_eq!(after["name"], name, "{host}/{purpose}: {after}");
        assert!(after.get("ttl").is_none(), "{host}/{purpose}: {after}");
        assert_eq!(
            unknown["value"], true,
            "the value waits for apply: {unknown}"
        );
    }

    let run = w.run(&["apply", "-no-color", "first.tfplan"]);
    assert!(run.ok(), "{}", run.text());
    w.assert_no_changes();
    let www = w.resource("comwit_app_hostname.h[\"www.example.org\"]");
    assert_eq!(www["status"], "pending");
    let routing = &www["dns_records"]["routing"];
    let ownership = &www["dns_records"]["ownership"];
    let edge = routing["value"].as_str().unwrap();
    assert!(edge.ends_with(".comwit.app"), "{edge}");
    let published = w.resource("terraform_data.published[\"www.example.org/routing\"]");
    assert_eq!(published["output"]["value"], edge);

    // Publish www's records out of band (in a zone comwit-local hosts).
    onboard(&platform, &project, "example.org");
    add_record(&platform, &project, "example.org", "www", "CNAME", &[edge]);
    add_record(
        &platform,
        &project,
        "example.org",
        "_cf-challenge.www",
        "TXT",
        &[ownership["value"].as_str().unwrap()],
    );
    // The platform activates it when asked to finalize, now that the records are visible.
    platform
        .block_on(
            platform
                .api()
                .finalize_hostname(&project, &app_id, "www.example.org"),
        )
        .expect("finalize once the records are visible");
    let h = platform
        .block_on(
            platform
                .api()
                .get_hostname(&project, &app_id, "www.example.org"),
        )
        .unwrap();
    assert_eq!(h.status, "active");

    // Verified: the refresh sees `active`, and still nothing is planned for the records.
    w.assert_no_changes();
    let run = w.run(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
    assert!(run.ok(), "{}", run.text());
    let www = w.resource("comwit_app_hostname.h[\"www.example.org\"]");
    assert_eq!(www["status"], "active");
    assert_eq!(www["dns_records"]["routing"], *routing);
    assert_eq!(www["dns_records"]["ownership"], *ownership);
    w.assert_no_changes();
}
