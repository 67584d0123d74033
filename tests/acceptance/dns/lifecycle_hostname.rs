//! `comwit_app_hostname` and its data source: Manual and Automatic DNS, import, drift,
//! replacement, destroy.

use crate::support::assert_same_attributes;
use crate::support::platform::{create_project, Platform};

use super::{create_app, hcl, hostnames, records, s};

fn config(app_id: &str, manual_host: &str) -> String {
    format!(
        r#"
resource "comwit_domain" "main" {{
  domain = "example.com"
}}

resource "comwit_app_hostname" "manual" {{
  app_id   = "{app_id}"
  hostname = "{manual_host}"
  dns_mode = "manual"
}}

resource "comwit_app_hostname" "automatic" {{
  app_id   = "{app_id}"
  hostname = "app.example.com"
  dns_mode = "automatic"
  domain   = comwit_domain.main.domain
}}

data "comwit_app_hostname" "automatic" {{
  app_id   = "{app_id}"
  hostname = comwit_app_hostname.automatic.hostname
}}

output "looked_up" {{
  value = data.comwit_app_hostname.automatic.dns_records
}}
"#
    )
}

#[test]
fn manual_and_automatic_lifecycle() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "hostnames");
    let app_id = create_app(&platform, &project, "web");
    let api = platform.api();
    let app = platform.block_on(api.get_app(&project, &app_id)).unwrap();

    w.config(&hcl(&project, &config(&app_id, "www.example.org")));
    w.apply();
    w.assert_no_changes();

    let manual = w.resource("comwit_app_hostname.manual");
    assert_eq!(s(&manual, "status"), "pending");
    assert!(manual["domain"].is_null());
    let routing = &manual["dns_records"]["routing"];
    assert_eq!(routing["type"], "CNAME");
    assert_eq!(routing["name"], "www.example.org");
    assert_eq!(
        routing["value"],
        app.default_domain.as_deref().unwrap_or_default()
    );
    // The public answer has no TTL for these records: the attribute is gone.
    assert!(routing.get("ttl").is_none(), "{routing}");
    let ownership = &manual["dns_records"]["ownership"];
    assert_eq!(ownership["name"], "_cf-challenge.www.example.org");
    assert!(ownership["value"]
        .as_str()
        .unwrap()
        .starts_with("comwit-verify="));

    // Automatic DNS: active, its records managed in the zone.
    let automatic = w.resource("comwit_app_hostname.automatic");
    assert_eq!(s(&automatic, "status"), "active");
    assert_eq!(s(&automatic, "domain"), "example.com");
    let zone = records(&platform, &project, "example.com");
    let mut managed: Vec<(String, String, Vec<String>)> = zone
        .iter()
        .filter(|r| {
            r.is_platform()
                && (r.name == "app.example.com"
                    || r.name.ends_with(&format!(".{}", "app.example.com")))
        })
        .map(|r| (r.record_type.clone(), r.name.clone(), r.values.clone()))
        .collect();
    managed.sort();
    let mut expected: Vec<(String, String, Vec<String>)> = ["routing", "ownership"]
        .iter()
        .map(|p| {
            let r = &automatic["dns_records"][*p];
            (s(r, "type"), s(r, "name"), vec![s(r, "value")])
        })
        .collect();
    expected.sort();
    assert_eq!(managed, expected);
    assert_eq!(w.outputs()["looked_up"]["value"], automatic["dns_records"]);

    // Import both, with equal attributes; except that a Manual DNS hostname's records are
    // only in the attach answer (the public list has none), so its import has none.
    for (address, host, ignore) in [
        (
            "comwit_app_hostname.manual",
            "www.example.org",
            &["dns_records"][..],
        ),
        ("comwit_app_hostname.automatic", "app.example.com", &[][..]),
    ] {
        let before = w.resource(address);
        w.state_rm(address);
        let run = w.run(&[
            "import",
            "-no-color",
            address,
            &format!("{project}/{app_id}/nope.example.org"),
        ]);
        assert!(!run.ok());
        assert!(run.text().contains("Hostname not found"), "{}", run.text());
        w.import(address, &format!("{project}/{app_id}/{host}"));
        let imported = w.resource(address);
        assert_same_attributes(&before, &imported, ignore);
        if !ignore.is_empty() {
            assert_eq!(imported["dns_records"], serde_json::json!({}), "{imported}");
        }
    }
    w.assert_no_changes();

    // Detached out of band: the plan attaches it again.
    platform
        .block_on(api.detach_hostname(&project, &app_id, "www.example.org"))
        .unwrap();
    let plan = w.assert_changes();
    assert!(
        plan.contains("comwit_app_hostname.manual will be created"),
        "{plan}"
    );
    w.apply();
    w.assert_no_changes();

    // A new timeout only updates the state.
    w.config(&hcl(
        &project,
        &config(&app_id, "www.example.org").replace(
            "domain   = comwit_domain.main.domain\n",
            "domain   = comwit_domain.main.domain\n\n  timeouts {\n    create = \"3m\"\n  }\n",
        ),
    ));
    let plan = w.assert_changes();
    assert!(
        plan.contains("0 to add, 1 to change, 0 to destroy"),
        "{plan}"
    );
    w.apply();
    w.assert_no_changes();
    let automatic_now = w.resource("comwit_app_hostname.automatic");
    assert_eq!(automatic_now["dns_records"], automatic["dns_records"]);
    assert_eq!(automatic_now["timeouts"]["create"], "3m");

    // Another hostname replaces it.
    w.config(&hcl(&project, &config(&app_id, "shop.example.org")));
    let plan = w.assert_changes();
    assert!(
        plan.contains("comwit_app_hostname.manual must be replaced"),
        "{plan}"
    );
    assert!(plan.contains("_cf-challenge.shop.example.org"), "{plan}");
    w.apply();
    w.assert_no_changes();
    let mut names: Vec<String> = hostnames(&platform, &project, &app_id)
        .into_iter()
        .map(|h| h.hostname)
        .collect();
    names.sort();
    assert_eq!(names, vec!["app.example.com", "shop.example.org"]);

    // Destroy detaches both and removes the managed records.
    w.destroy();
    assert!(hostnames(&platform, &project, &app_id).is_empty());
    assert!(platform
        .block_on(api.list_domains(&project))
        .unwrap()
        .is_empty());
}
