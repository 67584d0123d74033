//! `comwit_domain_record` and `comwit_domain_records`: create, update in place, replace,
//! import, drift, destroy.

use comwit::api::models::RecordInput;

use crate::support::assert_same_attributes;
use crate::support::platform::{create_project, Platform};

use super::{hcl, records, s};

fn config(domain: &str, mx_values: &str, ttl: u32, txt_name: &str) -> String {
    format!(
        r#"
resource "comwit_domain" "one" {{
  domain = "example.com"
}}

resource "comwit_domain" "two" {{
  domain = "example.org"
}}

resource "comwit_domain_record" "mx" {{
  domain   = comwit_domain.{domain}.domain
  name     = "@"
  type     = "MX"
  values   = {mx_values}
  ttl      = {ttl}
  priority = 10
}}

resource "comwit_domain_record" "txt" {{
  domain = comwit_domain.one.domain
  name   = "{txt_name}"
  type   = "TXT"
  values = ["hello world"]
}}

data "comwit_domain_records" "one" {{
  domain     = comwit_domain.one.domain
  depends_on = [comwit_domain_record.mx, comwit_domain_record.txt]
}}

data "comwit_domain_records" "txt_only" {{
  domain     = comwit_domain.one.domain
  type       = "TXT"
  name       = "{txt_name}"
  depends_on = [comwit_domain_record.txt]
}}

output "listed" {{
  value = sort([for r in data.comwit_domain_records.one.records : "${{r.type}} ${{r.name}}"])
}}

output "txt_only" {{
  value = [for r in data.comwit_domain_records.txt_only.records : r.record_id]
}}
"#
    )
}

#[test]
fn create_update_replace_import_drift_destroy() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "records");
    let api = platform.api();

    w.config(&hcl(
        &project,
        &config(
            "one",
            "[\"mx1.example.net\", \"mx2.example.net\"]",
            300,
            "note",
        ),
    ));
    w.apply();
    w.assert_no_changes();
    let mx = w.resource("comwit_domain_record.mx");
    let mx_id = s(&mx, "record_id");
    assert_eq!(s(&mx, "fqdn"), "example.com");
    assert_eq!(mx["priority"], 10);
    let txt_id = s(&w.resource("comwit_domain_record.txt"), "record_id");
    let remote = records(&platform, &project, "example.com");
    assert_eq!(remote.len(), 2);
    let out = w.outputs();
    assert_eq!(
        out["listed"]["value"],
        serde_json::json!(["MX example.com", "TXT note.example.com"])
    );
    assert_eq!(out["txt_only"]["value"], serde_json::json!([txt_id]));

    // Values, TTL and name change in place: same record IDs.
    w.config(&hcl(
        &project,
        &config("one", "[\"mx3.example.net\"]", 3600, "memo"),
    ));
    let plan = w.assert_changes();
    assert!(
        plan.contains("0 to add, 2 to change, 0 to destroy"),
        "{plan}"
    );
    w.apply();
    w.assert_no_changes();
    let remote = platform
        .block_on(api.get_record(&project, "example.com", &mx_id))
        .unwrap();
    // The public record has no priority: the preference leads the value.
    assert_eq!(remote.values, vec!["10 mx3.example.net"]);
    assert_eq!(remote.ttl, 3600);
    let txt = platform
        .block_on(api.get_record(&project, "example.com", &txt_id))
        .unwrap();
    assert_eq!(txt.name, "memo.example.com");

    // Changed out of band: the plan puts it back.
    let values = vec!["192.0.2.9".to_string()];
    platform
        .block_on(api.replace_record(
            &project,
            "example.com",
            &txt_id,
            &RecordInput {
                name: "memo",
                record_type: "A",
                values: &values,
                ttl: 300,
            },
        ))
        .unwrap();
    let plan = w.assert_changes();
    assert!(
        plan.contains("comwit_domain_record.txt will be updated in-place"),
        "{plan}"
    );
    w.apply();
    let txt = platform
        .block_on(api.get_record(&project, "example.com", &txt_id))
        .unwrap();
    assert_eq!(
        (txt.record_type.as_str(), txt.values.clone()),
        ("TXT", vec!["hello world".to_string()])
    );

    // Deleted out of band: the plan creates it again.
    platform
        .block_on(api.delete_record(&project, "example.com", &txt_id))
        .unwrap();
    let plan = w.assert_changes();
    assert!(
        plan.contains("comwit_domain_record.txt will be created"),
        "{plan}"
    );
    w.apply();
    w.assert_no_changes();

    // Import gives the same attributes.
    let before = w.resource("comwit_domain_record.mx");
    w.state_rm("comwit_domain_record.mx");
    w.import(
        "comwit_domain_record.mx",
        &format!("{project}/example.com/{mx_id}"),
    );
    assert_same_attributes(&before, &w.resource("comwit_domain_record.mx"), &[]);
    w.assert_no_changes();

    // Another domain replaces the record.
    w.config(&hcl(
        &project,
        &config("two", "[\"mx3.example.net\"]", 3600, "memo"),
    ));
    let plan = w.assert_changes();
    assert!(
        plan.contains("comwit_domain_record.mx must be replaced"),
        "{plan}"
    );
    w.apply();
    w.assert_no_changes();
    assert_eq!(records(&platform, &project, "example.org").len(), 1);
    assert_eq!(records(&platform, &project, "example.com").len(), 1);

    w.destroy();
    assert!(platform
        .block_on(api.list_domains(&project))
        .unwrap()
        .is_empty());
}
