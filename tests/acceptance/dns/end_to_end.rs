//! The whole story in one `terraform apply` from an empty state, with the applied example
//! `examples/manual-dns/comwit-zone`: an app, a Manual DNS hostname whose records are fed by
//! `for_each` into another project's zone, its verification, and an Automatic DNS hostname.

use crate::support::platform::{create_project, Platform};
use crate::support::{assert_same_attributes, repo_root};

use super::{domains, s};

#[test]
fn one_apply_without_target_then_import_and_destroy() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "e2e-app");
    let dns_project = create_project(&platform, "e2e-dns");
    let example = repo_root().join("examples/manual-dns/comwit-zone/main.tf");
    w.write("main.tf", &std::fs::read_to_string(example).unwrap());
    w.write(
        "terraform.tfvars",
        &format!("project_id     = \"{project}\"\ndns_project_id = \"{dns_project}\"\n"),
    );

    // One apply from an empty state, no -target.
    w.apply();
    let app_id = s(&w.resource("comwit_app.web"), "app_id");
    let api = platform.api();
    for host in ["www.example.com", "app.example.net"] {
        let h = platform
            .block_on(api.get_hostname(&project, &app_id, host))
            .expect("hostname exists");
        assert_eq!(h.status, "active", "{host}");
    }
    // The Manual DNS records sit in the other project's zone, unmanaged; the Automatic DNS
    // ones in the app project's zone, managed by their hostname.
    let published = super::records(&platform, &dns_project, "example.com");
    let mut names: Vec<(&str, &str)> = published
        .iter()
        .map(|r| (r.record_type.as_str(), r.name.as_str()))
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            ("CNAME", "www.example.com"),
            ("TXT", "_cf-challenge.www.example.com")
        ]
    );
    assert!(published.iter().all(|r| !r.is_platform()));
    let managed = super::records(&platform, &project, "example.net");
    assert_eq!(managed.len(), 2, "{managed:?}");
    assert!(managed.iter().all(|r| r.is_platform()
        && (r.name == "app.example.net" || r.name.ends_with(&format!(".{}", "app.example.net")))));
    let verification = w.resource("comwit_app_hostname_verification.www");
    assert_eq!(verification["status"], "active");

    w.assert_no_changes();
    // After a refresh the state says active too, and nothing is planned.
    w.run(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
    assert_eq!(w.resource("comwit_app_hostname.www")["status"], "active");
    assert_eq!(w.resource("comwit_app_hostname.app")["status"], "active");
    w.assert_no_changes();

    // Every resource imports with the same attributes.
    let routing_id = s(
        &w.resource("comwit_domain_record.www[\"routing\"]"),
        "record_id",
    );
    let ownership_id = s(
        &w.resource("comwit_domain_record.www[\"ownership\"]"),
        "record_id",
    );
    let imports: Vec<(String, String, Vec<&str>)> = vec![
        (
            "comwit_app.web".into(),
            format!("{project}/{app_id}"),
            vec![],
        ),
        (
            "comwit_domain.zone".into(),
            format!("{dns_project}/example.com"),
            vec![],
        ),
        (
            "comwit_domain.apps".into(),
            format!("{project}/example.net"),
            vec![],
        ),
        // Not `comwit_app_hostname.www`: a Manual DNS hostname's records are only in the
        // attach answer (the public list has none), so its import has empty `dns_records` and
        // the records fed from them would be planned away (lifecycle_hostname tests that import).
        (
            "comwit_app_hostname.app".into(),
            format!("{project}/{app_id}/app.example.net"),
            vec!["timeouts"],
        ),
        (
            "comwit_domain_record.www[\"routing\"]".into(),
            format!("{dns_project}/example.com/{routing_id}"),
            // Configured as the full name, imported relative to the zone: equivalent.
            vec!["name"],
        ),
        (
            "comwit_domain_record.www[\"ownership\"]".into(),
            format!("{dns_project}/example.com/{ownership_id}"),
            vec!["name"],
        ),
        (
            "comwit_app_hostname_verification.www".into(),
            format!("{project}/{app_id}/www.example.com"),
            // Configuration only: an import cannot know them.
            vec!["timeouts", "record_fqdns"],
        ),
    ];
    for (address, id, ignore) in &imports {
        let before = w.resource(address);
        w.state_rm(address);
        w.import(address, id);
        let after = w.resource(address);
        assert_same_attributes(&before, &after, ignore);
        assert_same_attributes(&after, &before, ignore);
    }
    let routing = w.resource("comwit_domain_record.www[\"routing\"]");
    assert_eq!(routing["name"], "www");
    assert_eq!(routing["fqdn"], "www.example.com");
    // The equivalent record names plan nothing; only the verification's configuration-only
    // arguments are written back to the state.
    let plan = w.assert_changes();
    assert!(
        plan.contains("0 to add, 1 to change, 0 to destroy"),
        "{plan}"
    );
    assert!(
        plan.contains("comwit_app_hostname_verification.www will be updated in-place"),
        "{plan}"
    );
    w.apply();
    w.assert_no_changes();

    // Destroy leaves comwit-local empty.
    w.destroy();
    for p in [&project, &dns_project] {
        assert!(domains(&platform, p).is_empty(), "domains left in {p}");
        let apps = platform.block_on(api.list_apps(p)).unwrap();
        assert!(apps.is_empty(), "apps left in {p}: {apps:?}");
    }
    // A new client: `api` keeps the lists it read earlier, as a provider process does.
    assert!(platform
        .block_on(
            platform
                .api()
                .get_hostname(&project, &app_id, "www.example.com")
        )
        .is_err_and(|e| e.is_not_found()));
}
