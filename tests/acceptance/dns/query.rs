//! Terraform 1.12+ identity and 1.14+ list resources for `comwit_domain`,
//! `comwit_domain_record` and `comwit_app_hostname`: domains, records and hostnames made through
//! the API (not Terraform) are found by `terraform query`, records of Automatic DNS hostnames
//! only when asked for; the configuration `-generate-config-out` writes imports them with no
//! other change and leaves an empty plan; `import` blocks by identity work, and so do import IDs.

use comwit::api::models::{HostnameAttach, RecordInput};

use super::{assert_mentions, create_app, domains, hcl, hostnames, onboard, records, s};
use crate::support::platform::{create_project, Platform};
use crate::support::Workdir;

const NO_COLOR: &str = "-no-color";

/// Creates a record through the API; returns its ID.
fn record(
    p: &Platform,
    project: &str,
    domain: &str,
    (name, rtype, values, priority): (&str, &str, &[&str], Option<i64>),
) -> String {
    // The public record has no priority: it leads an MX value.
    let values: Vec<String> = values
        .iter()
        .map(|v| match priority {
            Some(p) => format!("{p} {v}"),
            None => v.to_string(),
        })
        .collect();
    let input = RecordInput {
        name,
        record_type: rtype,
        values: &values,
        ttl: 300,
    };
    p.block_on(p.api().create_record(project, domain, &input))
        .expect("create record")
        .record_id
}

/// Attaches a hostname through the API: Automatic DNS in `domain` when given, else Manual.
fn attach(p: &Platform, project: &str, app_id: &str, hostname: &str, domain: Option<&str>) {
    let body = HostnameAttach {
        domain: hostname,
        dns_mode: if domain.is_some() {
            "managed_project_domain"
        } else {
            "external_records"
        },
    };
    p.block_on(p.api().attach_hostname(project, app_id, &body))
        .expect("attach hostname");
}

/// `terraform query` that must succeed; returns its output.
fn query(w: &Workdir, extra: &[&str]) -> String {
    let mut args = vec!["query", NO_COLOR];
    args.extend_from_slice(extra);
    let run = w.run(&args);
    assert!(run.ok(), "terraform query failed:\n{}", run.text());
    run.text()
}

/// `terraform query` over `file` that must fail; returns its output.
fn query_expect_error(w: &Workdir, file: &str) -> String {
    w.write("find.tfquery.hcl", file);
    let run = w.run(&["query", NO_COLOR]);
    assert!(
        !run.ok(),
        "terraform query should have failed:\n{}",
        run.text()
    );
    run.text()
}

/// The lines of the query output that belong to `list.<type>.<name>`.
fn listed<'a>(output: &'a str, list: &str) -> Vec<&'a str> {
    output
        .lines()
        .filter(|l| l.trim_start().starts_with(&format!("{list} ")))
        .collect()
}

/// A `list` block of the default provider, with a `config` body unless it is empty.
fn list(rtype: &str, name: &str, config: &str) -> String {
    let config = if config.is_empty() {
        String::new()
    } else {
        format!("\n  config {{\n{config}\n  }}\n")
    };
    format!("list \"{rtype}\" \"{name}\" {{\n  provider = comwit\n{config}}}\n\n")
}

/// Every resource in state: address, type and identity (`terraform show -json`).
fn identities(w: &Workdir) -> Vec<(String, String, serde_json::Value)> {
    let state = w.state_json();
    state["values"]["root_module"]["resources"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|r| (s(r, "address"), s(r, "type"), r["identity"].clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// The platform as the tests set it up: two domains with records of their own, an Automatic
/// DNS hostname whose two records are in the first zone, and a Manual DNS hostname.
struct Setup {
    project: String,
    web: String,
    api: String,
    www: String,
}

/// What `setup` makes: 2 domains, 6 records of their own (+2 managed), 2 hostnames.
fn setup(p: &Platform, name: &str) -> Setup {
    let project = create_project(p, name);
    let web = create_app(p, &project, "web");
    let api = create_app(p, &project, "api");
    onboard(p, &project, "example.com");
    onboard(p, &project, "example.org");
    let www = record(
        p,
        &project,
        "example.com",
        ("www.example.com", "CNAME", &["target.example.net"], None),
    );
    record(
        p,
        &project,
        "example.com",
        ("example.com", "TXT", &["v=spf1 -all"], None),
    );
    record(
        p,
        &project,
        "example.com",
        ("example.com", "MX", &["mx1.example.net"], Some(10)),
    );
    record(
        p,
        &project,
        "example.org",
        ("example.org", "A", &["192.0.2.10", "192.0.2.11"], None),
    );
    record(
        p,
        &project,
        "example.org",
        ("mail.example.org", "MX", &["mx.example.net"], Some(10)),
    );
    record(
        p,
        &project,
        "example.org",
        ("v6.example.org", "AAAA", &["2001:db8::10"], None),
    );
    attach(p, &project, &web, "app.example.com", Some("example.com"));
    attach(p, &project, &api, "www.shop.net", None);
    Setup {
        project,
        web,
        api,
        www,
    }
}

#[test]
fn query_finds_what_the_api_made_and_its_generated_config_imports_it_unchanged() {
    let platform = Platform::start();
    let Some(w) = platform.workdir_at_least(1, 14) else {
        return;
    };
    let Setup {
        project,
        web,
        api,
        www,
    } = setup(&platform, "q-dns");
    let managed: Vec<String> = records(&platform, &project, "example.com")
        .into_iter()
        .filter(|r| r.is_platform())
        .map(|r| r.record_id)
        .collect();
    assert_eq!(managed.len(), 2);

    w.config(&hcl(&project, ""));
    w.write(
        "find.tfquery.hcl",
        &[
            list("comwit_domain", "all", ""),
            list("comwit_domain_record", "all", ""),
            list("comwit_domain_record", "txt", "    type = \"TXT\""),
            list(
                "comwit_domain_record",
                "www",
                "    domain = \"example.com\"\n    name   = \"WWW\"",
            ),
            list(
                "comwit_domain_record",
                "zone",
                "    domain          = \"example.com\"\n    include_managed = true",
            ),
            list("comwit_app_hostname", "all", ""),
            list(
                "comwit_app_hostname",
                "api",
                &format!("    app_id = \"{api}\""),
            ),
        ]
        .concat(),
    );
    let before = platform.request_total();
    let out = query(&w, &[]);
    let calls = platform.request_total() - before;

    let domains_found = listed(&out, "list.comwit_domain.all");
    assert_eq!(domains_found.len(), 2, "{out}");
    assert_mentions(
        &domains_found.join("\n"),
        &["example.com", "example.org", &project],
    );
    // Every record of their own in both zones; none of the hostname's.
    let all = listed(&out, "list.comwit_domain_record.all");
    assert_eq!(all.len(), 6, "{out}");
    assert_mentions(
        &all.join("\n"),
        &[
            &www,
            "www.example.com CNAME",
            "example.com TXT",
            "example.com MX",
            "example.org A",
            "mail.example.org MX",
            "v6.example.org AAAA",
        ],
    );
    for id in &managed {
        assert!(!all.join("\n").contains(id.as_str()), "{out}");
    }
    let txt = listed(&out, "list.comwit_domain_record.txt");
    assert_eq!(txt.len(), 1, "{out}");
    assert_mentions(txt[0], &["example.com TXT"]);
    let by_name = listed(&out, "list.comwit_domain_record.www");
    assert_eq!(by_name.len(), 1, "{out}");
    assert_mentions(by_name[0], &[&www]);
    // Asked for: the zone with the hostname's records, said to be theirs, and a warning.
    let zone = listed(&out, "list.comwit_domain_record.zone");
    assert_eq!(zone.len(), 5, "{out}");
    assert_mentions(
        &zone.join("\n"),
        &[
            &managed[0],
            &managed[1],
            "app.example.com CNAME (managed by app.example.com)",
            "_cf-challenge.app.example.com TXT (managed by app.example.com)",
        ],
    );
    assert_mentions(
        &out,
        &[
            "Records managed by Automatic DNS listed",
            "found 2 record(s)",
        ],
    );
    let hosts = listed(&out, "list.comwit_app_hostname.all");
    assert_eq!(hosts.len(), 2, "{out}");
    assert_mentions(
        &hosts.join("\n"),
        &["app.example.com", &web, "www.shop.net", &api],
    );
    let of_api = listed(&out, "list.comwit_app_hostname.api");
    assert_eq!(of_api.len(), 1, "{out}");
    assert_mentions(of_api[0], &["www.shop.net"]);
    // A page per list and per zone or app: domains 1; records of every zone 1 + 2, TXT
    // 1 + 2, of one zone 1 + 1; hostnames of every app 1 + 2, of one app 1; and what tells
    // the hostnames' `dns_mode` (the public hostname list does not), once per process: the
    // domains 1 and the zone of app.example.com 1 (www.shop.net is in no zone).
    eprintln!(
        "terraform query of 2 domains, 8 records and 2 hostnames over 7 lists: {calls} API \
         requests"
    );
    assert_eq!(calls, 15, "{out}");

    // The generated configuration imports every object and changes nothing.
    w.write(
        "find.tfquery.hcl",
        &[
            list("comwit_domain", "all", ""),
            list("comwit_domain_record", "all", ""),
            list("comwit_app_hostname", "all", ""),
        ]
        .concat(),
    );
    let before = platform.request_total();
    query(&w, &["-generate-config-out=generated.tf"]);
    // Full objects come from the lists too: no read per object. Domains 1; records 1 + 2;
    // hostnames 1 + 2; what tells the hostnames' modes: the domains 1, one zone 1.
    assert_eq!(platform.request_total() - before, 9);
    let generated = std::fs::read_to_string(w.path().join("generated.tf")).unwrap();
    assert_eq!(generated.matches("import {").count(), 10, "{generated}");
    assert_eq!(generated.matches("identity").count(), 10, "{generated}");
    for computed in [
        "name_servers",
        "fqdn",
        "dns_records",
        "created_at",
        "status",
        "managed_by",
    ] {
        assert!(!generated.contains(computed), "{computed} in:\n{generated}");
    }
    assert_mentions(
        &generated,
        &[
            "dns_mode = \"automatic\"",
            "dns_mode = \"manual\"",
            "domain = \"example.com\"",
            "name = \"mail\"",
            "name = \"@\"",
            "priority = 10",
        ],
    );
    let plan = w.assert_changes();
    assert_mentions(
        &plan,
        &["Plan: 10 to import, 0 to add, 0 to change, 0 to destroy."],
    );
    let applied = w.apply();
    assert_mentions(
        &applied.stdout,
        &["Apply complete! Resources: 10 imported, 0 added, 0 changed, 0 destroyed."],
    );
    w.assert_no_changes();

    let ids = identities(&w);
    assert_eq!(ids.len(), 10);
    let state = w.state_json();
    for r in state["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
    {
        let identity = &r["identity"];
        let names: &[&str] = match r["type"].as_str().unwrap() {
            "comwit_domain" => &["project_id", "domain"],
            "comwit_domain_record" => &["project_id", "domain", "record_id"],
            "comwit_app_hostname" => &["project_id", "app_id", "hostname"],
            other => panic!("unexpected {other}"),
        };
        assert_eq!(identity.as_object().unwrap().len(), names.len(), "{r}");
        for name in names {
            assert_eq!(identity[name], r["values"][name], "{r}");
        }
    }
    // Imported, nothing else: the platform has what it had.
    assert_eq!(domains(&platform, &project).len(), 2);
    assert_eq!(records(&platform, &project, "example.com").len(), 5);
    assert_eq!(records(&platform, &project, "example.org").len(), 3);
    assert_eq!(hostnames(&platform, &project, &web).len(), 1);
    assert_eq!(hostnames(&platform, &project, &api).len(), 1);
}

#[test]
fn import_blocks_by_identity_and_by_id_import_the_same() {
    let platform = Platform::start();
    let Some(w) = platform.workdir_at_least(1, 14) else {
        return;
    };
    let Setup {
        project, web, www, ..
    } = setup(&platform, "q-dns-ident");
    let resources = format!(
        "resource \"comwit_domain\" \"main\" {{\n  domain = \"example.com\"\n}}\n\n\
         resource \"comwit_domain_record\" \"www\" {{\n  domain = comwit_domain.main.domain\n  \
         name   = \"www\"\n  type   = \"CNAME\"\n  values = [\"target.example.net\"]\n}}\n\n\
         resource \"comwit_app_hostname\" \"app\" {{\n  app_id   = \"{web}\"\n  hostname = \
         \"app.example.com\"\n  dns_mode = \"automatic\"\n  domain   = \
         comwit_domain.main.domain\n}}\n"
    );

    // By identity; the domain's and the hostname's `project_id` come from the provider.
    let by_identity = format!(
        "{resources}\nimport {{\n  to       = comwit_domain.main\n  identity = {{\n    domain = \"example.com\"\n  }}\n}}\n\n\
         import {{\n  to       = comwit_domain_record.www\n  identity = {{\n    project_id = \"{project}\"\n    domain     = \"example.com\"\n    record_id  = \"{www}\"\n  }}\n}}\n\n\
         import {{\n  to       = comwit_app_hostname.app\n  identity = {{\n    app_id   = \"{web}\"\n    hostname = \"app.example.com\"\n  }}\n}}\n"
    );
    w.config(&hcl(&project, &by_identity));
    let plan = w.assert_changes();
    assert_mentions(
        &plan,
        &["Plan: 3 to import, 0 to add, 0 to change, 0 to destroy."],
    );
    w.apply();
    w.assert_no_changes();
    let ids = identities(&w);
    let want = [
        (
            "comwit_domain.main",
            serde_json::json!({ "project_id": project, "domain": "example.com" }),
        ),
        (
            "comwit_domain_record.www",
            serde_json::json!({ "project_id": project, "domain": "example.com", "record_id": www }),
        ),
        (
            "comwit_app_hostname.app",
            serde_json::json!({ "project_id": project, "app_id": web, "hostname": "app.example.com" }),
        ),
    ];
    for (address, identity) in &want {
        assert!(
            ids.iter().any(|(a, _, i)| a == address && i == identity),
            "{address}: {ids:?}"
        );
    }
    let by_identity_state: Vec<serde_json::Value> =
        want.iter().map(|(a, _)| w.resource(a)).collect();
    assert_eq!(s(&by_identity_state[2], "dns_mode"), "automatic");

    // The same with import IDs, in blocks and on the command line.
    for (address, _) in &want {
        w.state_rm(address);
    }
    let by_id = format!(
        "{resources}\nimport {{\n  to = comwit_domain.main\n  id = \"{project}/example.com\"\n}}\n\n\
         import {{\n  to = comwit_domain_record.www\n  id = \"{project}/example.com/{www}\"\n}}\n\n\
         import {{\n  to = comwit_app_hostname.app\n  id = \"{project}/{web}/app.example.com\"\n}}\n"
    );
    w.config(&hcl(&project, &by_id));
    let applied = w.apply();
    assert_mentions(
        &applied.stdout,
        &["Apply complete! Resources: 3 imported, 0 added, 0 changed, 0 destroyed."],
    );
    w.assert_no_changes();
    w.state_rm("comwit_domain_record.www");
    w.config(&hcl(&project, &resources));
    w.import(
        "comwit_domain_record.www",
        &format!("{project}/example.com/{www}"),
    );
    w.assert_no_changes();
    for ((address, _), before) in want.iter().zip(&by_identity_state) {
        crate::support::assert_same_attributes(before, &w.resource(address), &[]);
    }
    assert_eq!(identities(&w).len(), 3);

    // Mistyped identities are named before anything is read; a record of the Automatic DNS
    // hostname cannot be imported.
    w.state_rm("comwit_domain_record.www");
    let managed = records(&platform, &project, "example.com")
        .into_iter()
        .find(|r| r.is_platform())
        .unwrap();
    for (identity, wanted) in [
        (
            "domain = \"example.com\"\n    record_id = \"www/1\"".to_string(),
            vec![
                "Invalid record_id in the identity",
                "\"www/1\", but it is not a record ID",
            ],
        ),
        (
            format!("domain = \"Example.com\"\n    record_id = \"{www}\""),
            vec!["Invalid domain in the identity", "uppercase"],
        ),
        (
            format!(
                "domain = \"example.com\"\n    record_id = \"{}\"",
                managed.record_id
            ),
            vec!["Record managed by Automatic DNS", "app.example.com"],
        ),
    ] {
        w.config(&hcl(
            &project,
            &format!(
                "{resources}\nimport {{\n  to       = comwit_domain_record.www\n  identity = {{\n    {identity}\n  }}\n}}\n"
            ),
        ));
        let run = w.plan_expect_error();
        assert_mentions(&run.text(), &wanted);
    }
}

#[test]
fn list_configurations_are_checked_and_limits_kept() {
    let platform = Platform::start();
    let Some(w) = platform.workdir_at_least(1, 14) else {
        return;
    };
    let Setup { project, .. } = setup(&platform, "q-dns-limits");
    w.config(&hcl(&project, ""));

    // More zones and apps, one record or hostname each: a query of everything reads a page
    // per zone or app.
    for (i, domain) in ["example.net", "example.info", "example.dev", "example.io"]
        .into_iter()
        .enumerate()
    {
        onboard(&platform, &project, domain);
        let address = format!("192.0.2.{}", 20 + i);
        record(
            &platform,
            &project,
            domain,
            (domain, "A", &[&address], None),
        );
        let app_id = create_app(&platform, &project, &format!("app-{i}"));
        attach(&platform, &project, &app_id, &format!("www.{domain}"), None);
    }
    let requests = |rtype: &str, limit: usize| {
        w.write(
            "find.tfquery.hcl",
            &format!(
                "list \"{rtype}\" \"first\" {{\n  provider = comwit\n  limit    = {limit}\n}}\n"
            ),
        );
        let before = platform.request_total();
        let out = query(&w, &[]);
        let calls = platform.request_total() - before;
        (listed(&out, &format!("list.{rtype}.first")).len(), calls)
    };
    // Everything: the domains' list and one list per zone (6); the apps' list and one list per
    // app (6), plus what tells each hostname's `dns_mode` (the public hostname list does not):
    // the domains' list once and the records of each zone a hostname sits in, once (5:
    // www.shop.net is in none).
    assert_eq!(requests("comwit_domain_record", 100), (10, 7));
    assert_eq!(requests("comwit_app_hostname", 100), (6, 13));
    // Terraform's `limit`: the list stops once Terraform has what it asked for. It may have
    // read one page ahead by then (results are buffered), never the rest.
    let (found, calls) = requests("comwit_domain_record", 1);
    assert_eq!(found, 1);
    assert!((2..=3).contains(&calls), "{calls} requests for one record");
    // One hostname: the apps, one app's hostnames, the domains and the hostname's zone.
    let (found, calls) = requests("comwit_app_hostname", 1);
    assert_eq!(found, 1);
    assert!(
        (4..=5).contains(&calls),
        "{calls} requests for one hostname"
    );
    assert_eq!(requests("comwit_domain", 1), (1, 1));
    eprintln!(
        "terraform query of 10 records in 6 zones: 7 API requests (13 for its 6 hostnames); with limit = 1: at most 3 (5 for a hostname)"
    );

    let no_domain = format!("The project {project} has no domain nope.example");
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            list("comwit_domain_record", "bad", "    type = \"cname\""),
            vec!["type", "CNAME"],
        ),
        (
            list(
                "comwit_domain_record",
                "bad",
                "    domain = \"Example.com\"",
            ),
            vec!["Invalid domain", "uppercase"],
        ),
        (
            list(
                "comwit_domain_record",
                "bad",
                "    domain = \"example.com\"\n    name   = \"bad name\"",
            ),
            vec![
                "Invalid record name",
                "in the zone example.com",
                "on find.tfquery.hcl line 6",
            ],
        ),
        (
            list("comwit_app_hostname", "bad", "    app_id = \"web/1\""),
            vec!["app_id", "without whitespace or `/`"],
        ),
        (
            list("comwit_domain", "bad", "    project_id = \"q dns\""),
            vec!["project_id", "without whitespace or `/`"],
        ),
        (
            list(
                "comwit_domain_record",
                "gone",
                "    domain = \"nope.example\"",
            ),
            vec!["Domain not found", &no_domain],
        ),
        (
            list(
                "comwit_app_hostname",
                "gone",
                "    app_id = \"app_0000000000000000\"",
            ),
            vec!["App not found", "has no app app_0000000000000000"],
        ),
        (
            list(
                "comwit_domain",
                "gone",
                "    project_id = \"prj_0000000000000000\"",
            ),
            vec!["Could not list the domains of the project prj_0000000000000000"],
        ),
    ];
    for (file, wanted) in cases {
        let text = query_expect_error(&w, &file);
        assert_mentions(&text, &wanted);
    }
}
