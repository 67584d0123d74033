//! Record names (and hostname values) spelled differently but meaning the same record never
//! plan a change: `WWW`, `www`, `www.example.com` and `www.example.com.`.

use crate::support::platform::{create_project, Platform};

use super::{hcl, records, s};

fn config(name: &str, target: &str) -> String {
    format!(
        r#"
resource "comwit_domain" "main" {{
  domain = "example.com"
}}

resource "comwit_domain_record" "www" {{
  domain = comwit_domain.main.domain
  name   = "{name}"
  type   = "CNAME"
  values = ["{target}"]
}}

resource "comwit_domain_record" "apex" {{
  domain = comwit_domain.main.domain
  name   = "@"
  type   = "AAAA"
  values = ["2001:DB8:0::1"]
}}
"#
    )
}

#[test]
fn equivalent_names_plan_no_change() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "names");
    w.config(&hcl(&project, &config("WWW", "Target.Example.NET.")));
    w.apply();
    w.assert_no_changes();
    let r = w.resource("comwit_domain_record.www");
    assert_eq!(s(&r, "name"), "WWW", "the configured spelling is kept");
    assert_eq!(s(&r, "fqdn"), "www.example.com");
    let record_id = s(&r, "record_id");
    // The platform holds the lowercase full name and target.
    let remote = records(&platform, &project, "example.com");
    let www = remote.iter().find(|x| x.record_id == record_id).unwrap();
    assert_eq!(www.name, "www.example.com");
    assert_eq!(www.values, vec!["target.example.net"]);

    for (name, target) in [
        ("www", "target.example.net"),
        ("www.example.com", "TARGET.example.net"),
        ("www.example.com.", "target.example.net."),
        ("WWW.EXAMPLE.COM", "Target.Example.NET."),
    ] {
        w.config(&hcl(&project, &config(name, target)));
        w.assert_no_changes();
    }

    // The same holds after an import, which reads the name relative to the zone.
    w.state_rm("comwit_domain_record.www");
    w.import(
        "comwit_domain_record.www",
        &format!("{project}/example.com/{record_id}"),
    );
    assert_eq!(s(&w.resource("comwit_domain_record.www"), "name"), "www");
    w.assert_no_changes();

    // A different name is a change, made in place.
    w.config(&hcl(&project, &config("api", "target.example.net")));
    let plan = w.assert_changes();
    assert!(plan.contains("updated in-place"), "{plan}");
    w.apply();
    w.assert_no_changes();
    assert_eq!(
        s(&w.resource("comwit_domain_record.www"), "record_id"),
        record_id
    );
    w.destroy();
}
