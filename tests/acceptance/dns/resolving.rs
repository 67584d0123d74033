//! The zones over DNS: what Terraform puts in a zone (a `comwit_domain_record`, an Automatic
//! DNS hostname's records) resolves at comwit-local's DNS listener, asked by a stub resolver
//! (`hickory-resolver`) that knows only that listener; and a Manual DNS hostname whose records
//! are published in a hosted zone turns active through DNS.

use std::time::Duration;

use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::RecordType;
use hickory_resolver::Resolver;

use super::{hcl, records, s};
use crate::support::platform::{create_project, Platform};

/// A resolver that asks only the platform's DNS listener (UDP, then TCP). A new one for every
/// question, so nothing cached hides a change.
fn resolver(platform: &Platform) -> Resolver<TokioRuntimeProvider> {
    let addr = platform.dns_addr;
    let connections = [ConnectionConfig::udp(), ConnectionConfig::tcp()]
        .into_iter()
        .map(|mut c| {
            c.port = addr.port();
            c
        })
        .collect();
    let config = ResolverConfig::from_name_servers(vec![NameServerConfig::new(
        addr.ip(),
        true,
        connections,
    )]);
    let mut options = ResolverOpts::default();
    options.timeout = Duration::from_secs(2);
    options.attempts = 1;
    options.use_hosts_file = ResolveHosts::Never;
    Resolver::builder_with_config(config, TokioRuntimeProvider::default())
        .with_options(options)
        .build()
        .unwrap()
}

/// The answers to `name`/`rtype` as text, and whether the answer was authoritative.
fn lookup(
    platform: &Platform,
    name: &str,
    rtype: RecordType,
) -> Result<(Vec<String>, bool), NetError> {
    platform.block_on(async {
        let found = resolver(platform).lookup(name, rtype).await?;
        let texts = found
            .answers()
            .iter()
            .filter(|a| a.record_type() == rtype)
            .map(|a| a.data.to_string())
            .collect();
        Ok((texts, found.message().metadata.authoritative))
    })
}

fn answers(platform: &Platform, name: &str, rtype: RecordType) -> Vec<String> {
    let (texts, authoritative) =
        lookup(platform, name, rtype).unwrap_or_else(|e| panic!("{name} {rtype}: {e}"));
    assert!(authoritative, "{name} {rtype}: the AA flag");
    texts
}

/// A negative answer: its response code and the SOA's zone and primary name server.
fn negative(platform: &Platform, name: &str, rtype: RecordType) -> (ResponseCode, String, String) {
    match lookup(platform, name, rtype) {
        Ok(found) => panic!("{name} {rtype}: expected no records, got {found:?}"),
        Err(NetError::Dns(DnsError::NoRecordsFound(no))) => {
            let soa = no.soa.unwrap_or_else(|| panic!("{name} {rtype}: no SOA"));
            (
                no.response_code,
                soa.name.to_ascii(),
                soa.data.mname.to_ascii(),
            )
        }
        Err(e) => panic!("{name} {rtype}: {e}"),
    }
}

fn zone_config(api_ip: &str) -> String {
    format!(
        r#"
resource "comwit_app" "web" {{
  name    = "web"
}}

resource "comwit_domain" "main" {{
  domain = "example.com"
}}

resource "comwit_app_hostname" "app" {{
  app_id   = comwit_app.web.app_id
  hostname = "app.example.com"
  dns_mode = "automatic"
  domain   = comwit_domain.main.domain
}}

resource "comwit_domain_record" "api" {{
  domain = comwit_domain.main.domain
  name   = "api"
  type   = "A"
  values = ["{api_ip}"]
  ttl    = 60
}}

resource "comwit_domain_record" "spf" {{
  domain = comwit_domain.main.domain
  name   = "@"
  type   = "TXT"
  values = ["v=spf1 -all"]
}}
"#
    )
}

#[test]
fn records_and_automatic_dns_hostnames_resolve() {
    let platform = Platform::start();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "dns-resolving");
    w.config(&hcl(&project, &zone_config("198.51.100.7")));
    w.apply();
    let app = w.resource("comwit_app.web");
    let host = w.resource("comwit_app_hostname.app");
    let name_servers: Vec<String> = w.resource("comwit_domain.main")["name_servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| format!("{}.", n.as_str().unwrap()))
        .collect();

    // A record of the configuration, at the TTL it was given.
    assert_eq!(
        answers(&platform, "api.example.com.", RecordType::A),
        ["198.51.100.7"]
    );
    assert_eq!(
        answers(&platform, "API.Example.COM.", RecordType::A),
        ["198.51.100.7"],
        "names are case-insensitive"
    );
    assert_eq!(
        answers(&platform, "example.com.", RecordType::TXT),
        ["v=spf1 -all"]
    );
    // The Automatic DNS hostname's records, which the platform wrote.
    let routing = s(&host["dns_records"]["routing"], "value");
    assert_eq!(routing, s(&app, "default_domain"));
    assert_eq!(
        answers(&platform, "app.example.com.", RecordType::CNAME),
        [format!("{routing}.")]
    );
    assert_eq!(
        answers(&platform, "_cf-challenge.app.example.com.", RecordType::TXT),
        [s(&host["dns_records"]["ownership"], "value")]
    );
    // The apex: SOA and NS, naming the domain's name servers.
    let soa = answers(&platform, "example.com.", RecordType::SOA);
    assert_eq!(soa.len(), 1);
    assert!(
        soa[0].starts_with(&format!("{} hostmaster.example.com.", name_servers[0])),
        "{soa:?}"
    );
    let mut ns = answers(&platform, "example.com.", RecordType::NS);
    ns.sort();
    let mut wanted = name_servers.clone();
    wanted.sort();
    assert_eq!(ns, wanted);

    // No such name: NXDOMAIN with the zone's SOA. A name without the type: NODATA.
    let nx = negative(&platform, "nope.example.com.", RecordType::A);
    assert_eq!(
        nx,
        (
            ResponseCode::NXDomain,
            "example.com.".to_string(),
            name_servers[0].clone()
        )
    );
    let nodata = negative(&platform, "api.example.com.", RecordType::TXT);
    assert_eq!(nodata.0, ResponseCode::NoError);
    assert_eq!(nodata.1, "example.com.");
    // A name outside every hosted zone is refused.
    match lookup(&platform, "example.org.", RecordType::A) {
        Err(NetError::Dns(DnsError::NoRecordsFound(no))) => {
            panic!("example.org is no hosted zone: {no:?}")
        }
        Err(_) => {}
        Ok(found) => panic!("example.org is no hosted zone: {found:?}"),
    }

    // A change is answered at once.
    w.config(&hcl(&project, &zone_config("198.51.100.8")));
    w.apply();
    assert_eq!(
        answers(&platform, "api.example.com.", RecordType::A),
        ["198.51.100.8"]
    );

    // Gone with the zone.
    w.destroy();
    assert!(lookup(&platform, "api.example.com.", RecordType::A).is_err());
}

const MANUAL: &str = r#"
resource "comwit_app" "web" {
  name    = "web"
}

resource "comwit_app_hostname" "www" {
  app_id   = comwit_app.web.app_id
  hostname = "www.example.com"
  dns_mode = "manual"
}

resource "comwit_domain" "zone" {
  domain = "example.com"
}

# The routing CNAME at its own name; the ownership TXT through a wildcard, which only a DNS
# answer (RFC 4592) turns into the _cf-challenge record the platform looks for.
resource "comwit_domain_record" "routing" {
  domain = comwit_domain.zone.domain
  name   = comwit_app_hostname.www.dns_records.routing.name
  type   = comwit_app_hostname.www.dns_records.routing.type
  values = [comwit_app_hostname.www.dns_records.routing.value]
}

resource "comwit_domain_record" "ownership" {
  domain = comwit_domain.zone.domain
  name   = "*.www"
  type   = "TXT"
  values = [comwit_app_hostname.www.dns_records.ownership.value]
}

resource "comwit_app_hostname_verification" "www" {
  app_id       = comwit_app.web.app_id
  hostname     = comwit_app_hostname.www.hostname
  record_fqdns = [for r in comwit_app_hostname.www.dns_records : r.name]
  depends_on   = [comwit_domain_record.routing, comwit_domain_record.ownership]

  timeouts {
    create = "1m"
  }
}
"#;

#[test]
fn manual_dns_hostnames_turn_active_through_the_dns_listener() {
    let platform = Platform::start_with(|c| c.dns_check_interval = Duration::from_millis(100));
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "dns-manual");
    w.config(&hcl(&project, MANUAL));
    let started = std::time::Instant::now();
    w.apply();
    assert!(started.elapsed() < Duration::from_secs(60));
    let verification = w.resource("comwit_app_hostname_verification.www");
    assert_eq!(s(&verification, "status"), "active");
    let host = w.resource("comwit_app_hostname.www");
    let txt = s(&host["dns_records"]["ownership"], "value");

    // The zone holds no record named _cf-challenge.www.example.com: the hostname was found
    // active by asking DNS, where the wildcard answers for that name.
    let published = records(&platform, &project, "example.com");
    assert!(
        published
            .iter()
            .all(|r| r.name != "_cf-challenge.www.example.com"),
        "{published:?}"
    );
    assert_eq!(
        answers(&platform, "_cf-challenge.www.example.com.", RecordType::TXT),
        [txt]
    );
    let api = platform.api();
    let app_id = s(&w.resource("comwit_app.web"), "app_id");
    let remote = platform
        .block_on(api.get_hostname(&project, &app_id, "www.example.com"))
        .unwrap();
    assert_eq!(remote.status, "active");
    w.assert_no_changes();

    w.destroy();
}
