//! `comwit_domain` and its data source: create, read, import, drift, destroy.

use crate::support::assert_same_attributes;
use crate::support::platform::{create_project, Platform};

use super::{assert_mentions, domains, hcl, s};

const CONFIG: &str = r#"
resource "comwit_domain" "main" {
  domain = "example.com"
}

data "comwit_domain" "main" {
  domain = comwit_domain.main.domain
}

output "looked_up_name_servers" {
  value = data.comwit_domain.main.name_servers
}
"#;

#[test]
fn create_import_drift_replace_destroy() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "domains");
    w.config(&hcl(&project, CONFIG));
    w.apply();
    w.assert_no_changes();
    let r = w.resource("comwit_domain.main");
    assert_eq!(s(&r, "project_id"), project);
    assert_eq!(s(&r, "status"), "pending_delegation");
    assert_eq!(r["delegation"]["matched"], false, "{r}");
    let name_servers = r["name_servers"].as_array().unwrap().clone();
    assert_eq!(name_servers.len(), 4, "{r}");
    let remote = domains(&platform, &project);
    assert_eq!(remote.len(), 1);
    assert_eq!(remote[0].name_servers.len(), 4);
    assert_eq!(
        w.outputs()["looked_up_name_servers"]["value"],
        serde_json::Value::Array(name_servers)
    );

    // Import: an unknown domain is a clear error; the real one gives an equal state.
    w.state_rm("comwit_domain.main");
    let run = w.run(&[
        "import",
        "-no-color",
        "comwit_domain.main",
        &format!("{project}/example.org"),
    ]);
    assert!(!run.ok());
    assert_mentions(&run.text(), &["Domain not found", "no domain example.org"]);
    w.import("comwit_domain.main", &format!("{project}/example.com"));
    let imported = w.resource("comwit_domain.main");
    // The status and the delegation check move on with time (comwit-local delegates after a
    // delay): the rest is equal.
    assert_same_attributes(&r, &imported, &["status", "delegation"]);
    w.assert_no_changes();

    // Removed out of band: the next plan onboards it again.
    platform
        .block_on(platform.api().remove_domain(&project, "example.com"))
        .unwrap();
    let plan = w.assert_changes();
    assert!(
        plan.contains("comwit_domain.main will be created"),
        "{plan}"
    );
    w.apply();
    w.assert_no_changes();

    // A new domain name replaces it.
    w.config(&hcl(
        &project,
        &CONFIG.replace("example.com", "example.org"),
    ));
    let plan = w.assert_changes();
    assert!(plan.contains("must be replaced"), "{plan}");
    w.apply();
    let names: Vec<String> = domains(&platform, &project)
        .into_iter()
        .map(|d| d.domain)
        .collect();
    assert_eq!(names, vec!["example.org"]);

    w.destroy();
    assert!(domains(&platform, &project).is_empty());
}
