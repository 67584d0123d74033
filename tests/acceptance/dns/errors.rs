//! Bad input gets a clear diagnostic naming what is wrong, and writes nothing.

use comwit::api::models::HostnameAttach;

use crate::support::platform::{create_project, Platform, ALL_SCOPES};

use super::{add_record, assert_mentions, create_app, domains, hcl, hostnames, onboard, records};

#[test]
fn invalid_arguments_fail_the_plan() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "bad-input");
    let app_id = create_app(&platform, &project, "web");
    let long = format!("{}.example.com", vec!["a".repeat(60); 4].join("."));
    w.config(&hcl(
        &project,
        &format!(
            r#"
resource "comwit_app_hostname" "no_domain" {{
  app_id   = "{app_id}"
  hostname = "app.example.com"
  dns_mode = "automatic"
}}

resource "comwit_app_hostname" "outside" {{
  app_id   = "{app_id}"
  hostname = "app.example.org"
  dns_mode = "automatic"
  domain   = "example.com"
}}

resource "comwit_app_hostname" "too_long" {{
  app_id   = "{app_id}"
  hostname = "{long}"
  dns_mode = "manual"
}}

resource "comwit_app_hostname" "bad_characters" {{
  app_id   = "{app_id}"
  hostname = "www_1.example.com"
  dns_mode = "manual"
}}

resource "comwit_app_hostname" "trailing_dot" {{
  app_id   = "{app_id}"
  hostname = "shop.example.com."
  dns_mode = "manual"
}}

resource "comwit_app_hostname" "platform_name" {{
  app_id   = "{app_id}"
  hostname = "mine.comwit.app"
  dns_mode = "manual"
}}

resource "comwit_domain" "uppercase" {{
  domain = "Example.COM"
}}

resource "comwit_domain_record" "not_ipv4" {{
  domain = "example.com"
  name   = "a"
  type   = "A"
  values = ["192.0.2.300"]
}}

resource "comwit_domain_record" "two_cnames" {{
  domain = "example.com"
  name   = "b"
  type   = "CNAME"
  values = ["one.example.net", "two.example.net"]
}}

resource "comwit_domain_record" "cname_at_apex" {{
  domain = "example.com"
  name   = "@"
  type   = "CNAME"
  values = ["one.example.net"]
}}

resource "comwit_domain_record" "mx_without_priority" {{
  domain = "example.com"
  name   = "@"
  type   = "MX"
  values = ["mx.example.net"]
}}

resource "comwit_domain_record" "txt_with_priority" {{
  domain   = "example.com"
  name     = "t"
  type     = "TXT"
  values   = ["hello"]
  priority = 10
}}

resource "comwit_domain_record" "bad_alias" {{
  domain = "example.com"
  name   = "@"
  type   = "A_ALIAS"
  values = ["https://edge.example.net"]
}}

resource "comwit_domain_record" "bad_name" {{
  domain = "example.com"
  name   = "no spaces"
  type   = "TXT"
  values = ["x"]
}}

resource "comwit_domain_record" "short_ttl" {{
  domain = "example.com"
  name   = "c"
  type   = "AAAA"
  values = ["2001:db8::1"]
  ttl    = 30
}}
"#
        ),
    ));
    let run = w.plan_expect_error();
    let text = run.text();
    assert_mentions(
        &text,
        &[
            "Missing domain for Automatic DNS",
            "with comwit_app_hostname.no_domain",
            "Hostname outside its domain",
            "The hostname \"app.example.org\" is not within the domain \"example.com\"",
            "it is 255 characters long; at most 235 are allowed",
            "it contains '_'",
            "write it without the trailing dot: \"shop.example.com\"",
            "names under comwit.app belong to the platform",
            "write it in lowercase: \"example.com\"",
            "\"192.0.2.300\" is not an IPv4 address",
            "a CNAME record has exactly one target; 2 were given",
            "CNAME record cannot be at the zone apex example.com",
            "MX records need a `priority`",
            "TXT records have no priority",
            "is not an alias target hostname",
            "\"no spaces\" is not a valid record name",
            "ttl",
            "between 60 and 86400",
        ],
    );
    // Each resource is named in its diagnostic.
    for address in [
        "comwit_app_hostname.outside",
        "comwit_app_hostname.too_long",
        "comwit_app_hostname.bad_characters",
        "comwit_app_hostname.trailing_dot",
        "comwit_domain.uppercase",
        "comwit_domain_record.not_ipv4",
        "comwit_domain_record.two_cnames",
        "comwit_domain_record.cname_at_apex",
        "comwit_domain_record.mx_without_priority",
        "comwit_domain_record.txt_with_priority",
        "comwit_domain_record.bad_alias",
        "comwit_domain_record.bad_name",
        "comwit_domain_record.short_ttl",
    ] {
        assert!(
            text.contains(&format!("with {address}")),
            "{address}:\n{text}"
        );
    }
    assert!(domains(&platform, &project).is_empty());
    assert!(hostnames(&platform, &project, &app_id).is_empty());
}

#[test]
fn conflicts_at_apply_are_explained_and_write_nothing() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "conflicts");
    let app_id = create_app(&platform, &project, "web");
    let other_app = create_app(&platform, &project, "other");
    let api = platform.api();
    onboard(&platform, &project, "example.com");
    let a_id = add_record(
        &platform,
        &project,
        "example.com",
        "www",
        "A",
        &["192.0.2.1"],
    );
    let txt_id = add_record(
        &platform,
        &project,
        "example.com",
        "@",
        "TXT",
        &["v=spf1 -all"],
    );
    for (host, app, mode, domain) in [
        ("taken.example.org", &other_app, "manual", None),
        ("mine.example.org", &app_id, "manual", None),
        (
            "auto.example.com",
            &other_app,
            "automatic",
            Some("example.com"),
        ),
    ] {
        platform
            .block_on(api.attach_hostname(
                &project,
                app,
                &HostnameAttach {
                    domain: host,
                    dns_mode: match (mode, domain) {
                        ("automatic", Some(_)) => "managed_project_domain",
                        _ => "external_records",
                    },
                },
            ))
            .expect("attach");
    }
    let records_before = records(&platform, &project, "example.com");
    w.config(&hcl(
        &project,
        &format!(
            r#"
resource "comwit_app_hostname" "taken" {{
  app_id   = "{app_id}"
  hostname = "taken.example.org"
  dns_mode = "manual"
}}

resource "comwit_app_hostname" "mine" {{
  app_id   = "{app_id}"
  hostname = "mine.example.org"
  dns_mode = "manual"
}}

resource "comwit_domain" "again" {{
  domain = "example.com"
}}

resource "comwit_domain_record" "cname_beside_a" {{
  domain = "example.com"
  name   = "www"
  type   = "CNAME"
  values = ["target.example.net"]
}}

resource "comwit_domain_record" "same_name_and_type" {{
  domain = "example.com"
  name   = "@"
  type   = "TXT"
  values = ["v=spf1 include:example.net -all"]
}}

resource "comwit_domain_record" "managed" {{
  domain = "example.com"
  name   = "_cf-challenge.auto"
  type   = "TXT"
  values = ["mine now"]
}}
"#
        ),
    ));
    let run = w.apply_expect_error();
    let text = run.text();
    assert_mentions(
        &text,
        &[
            "Hostname already attached",
            &format!("taken.example.org is already attached to the app \"other\" ({other_app}) of this project"),
            &format!("terraform import comwit_app_hostname.<name> {project}/{app_id}/mine.example.org"),
            "Domain already onboarded",
            &format!("terraform import comwit_domain.<name> {project}/example.com"),
            &format!("a CNAME cannot share its name with any other record, and www.example.com already has an A record ({a_id})"),
            &format!("terraform import comwit_domain_record.<name> {project}/example.com/{txt_id}"),
            "Record managed by Automatic DNS",
            "is managed by the Automatic DNS hostname auto.example.com",
        ],
    );
    assert!(!text.contains("Provider produced inconsistent"), "{text}");
    // Nothing was written.
    assert_eq!(records(&platform, &project, "example.com"), records_before);
    assert!(hostnames(&platform, &project, &app_id)
        .iter()
        .all(|h| h.hostname == "mine.example.org"));
    assert_eq!(domains(&platform, &project).len(), 1);

    // A managed record cannot be imported either.
    let managed_id = records_before
        .iter()
        .find(|r| r.is_platform())
        .unwrap()
        .record_id
        .clone();
    w.config(&hcl(
        &project,
        r#"
resource "comwit_domain_record" "managed" {
  domain = "example.com"
  name   = "_cf-challenge.auto"
  type   = "TXT"
  values = ["x"]
}
"#,
    ));
    let run = w.run(&[
        "import",
        "-no-color",
        "comwit_domain_record.managed",
        &format!("{project}/example.com/{managed_id}"),
    ]);
    assert!(!run.ok());
    assert_mentions(
        &run.text(),
        &[
            "managed by the Automatic DNS hostname auto.example.com",
            "cannot be managed as a `comwit_domain_record`",
        ],
    );
    // Importing something that does not exist says so.
    let run = w.run(&[
        "import",
        "-no-color",
        "comwit_domain_record.managed",
        &format!("{project}/example.com/rec_0000000000000000"),
    ]);
    assert!(!run.ok());
    assert_mentions(
        &run.text(),
        &["Record not found", "<project_id>/<domain>/<record_id>"],
    );
}

#[test]
fn a_token_without_domain_write_is_told_which_scope_it_lacks() {
    let platform = Platform::start();
    let scopes: Vec<&str> = ALL_SCOPES
        .iter()
        .copied()
        .filter(|s| *s != "domain:write")
        .collect();
    let token = platform.token_with_scopes(&scopes);
    let Some(w) = platform.workdir_with_token(&token) else {
        return;
    };
    let project = create_project(&platform, "scopes");
    onboard(&platform, &project, "example.org");
    w.config(&hcl(
        &project,
        r#"
resource "comwit_domain" "main" {
  domain = "example.com"
}

resource "comwit_domain_record" "www" {
  domain = "example.org"
  name   = "www"
  type   = "A"
  values = ["192.0.2.1"]
}
"#,
    ));
    let run = w.apply_expect_error();
    let text = run.text();
    assert_mentions(
        &text,
        &[
            "Token lacks the domain:write scope",
            "Could not onboard the domain example.com",
            "Could not create the A record www.example.org",
        ],
    );
    assert_eq!(domains(&platform, &project).len(), 1);
    assert!(records(&platform, &project, "example.org").is_empty());
}
