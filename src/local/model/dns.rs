//! The DNS side of hostnames: the records a hostname needs, and finding them published: asked
//! over DNS (`hickory-resolver`) of comwit-local's own DNS listener, which serves the hosted
//! zones, and of `--resolver`. (The API's reads also look in the hosted zones' tables.)

use std::net::SocketAddr;
use std::time::Duration;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use futures::StreamExt;
use hickory_proto::rr::{Name, RData, Record, RecordType};
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::Resolver;
use rusqlite::{params, Transaction};
use serde::{Deserialize, Serialize};

use crate::local::error::ApiResult;
use crate::local::store::Store;
use crate::local::{ids, store};

pub const RECORD_TTL: i64 = 300;
pub const CHALLENGE_PREFIX: &str = "_cf-challenge.";

/// One record a hostname needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostRecord {
    pub purpose: String,
    #[serde(rename = "type")]
    pub rtype: String,
    pub name: String,
    pub value: String,
    pub ttl: i64,
}

/// The app's edge IPv4 address, for apex routing: `198.18.<b0>.<b1>`.
pub fn edge_ipv4(app_id: &str) -> String {
    let h = ids::sha256(app_id.as_bytes());
    format!("198.18.{}.{}", h[0], h[1])
}

/// The ownership TXT value.
pub fn ownership_value(app_id: &str, hostname: &str) -> String {
    let h = ids::sha256_hex(format!("{app_id}:{hostname}").as_bytes());
    format!("comwit-verify={}", &h[..32])
}

/// Whether `hostname` is a zone apex: two labels, or an onboarded domain.
pub fn is_apex(tx: &Transaction<'_>, hostname: &str) -> ApiResult<bool> {
    if hostname.split('.').count() == 2 {
        return Ok(true);
    }
    Ok(store::exists(
        tx,
        "SELECT 1 FROM domains WHERE domain = ?1",
        [hostname],
    )?)
}

/// The routing and ownership records of `hostname` on the app.
pub fn host_records(
    app_id: &str,
    default_hostname: &str,
    hostname: &str,
    apex: bool,
) -> Vec<HostRecord> {
    let routing = if apex {
        HostRecord {
            purpose: "routing".into(),
            rtype: "A".into(),
            name: hostname.into(),
            value: edge_ipv4(app_id),
            ttl: RECORD_TTL,
        }
    } else {
        HostRecord {
            purpose: "routing".into(),
            rtype: "CNAME".into(),
            name: hostname.into(),
            value: default_hostname.into(),
            ttl: RECORD_TTL,
        }
    };
    vec![
        routing,
        HostRecord {
            purpose: "ownership".into(),
            rtype: "TXT".into(),
            name: format!("{CHALLENGE_PREFIX}{hostname}"),
            value: ownership_value(app_id, hostname),
            ttl: RECORD_TTL,
        },
    ]
}

fn norm(s: &str) -> String {
    s.trim_end_matches('.').to_ascii_lowercase()
}

/// Whether `rec` is published in one of the hosted zones.
pub fn in_zones(tx: &Transaction<'_>, rec: &HostRecord) -> ApiResult<bool> {
    let mut stmt = tx.prepare_cached("SELECT vals FROM records WHERE name = ?1 AND type = ?2")?;
    let rows = stmt.query_map(params![rec.name, rec.rtype], |r| r.get::<_, String>(0))?;
    for vals in rows {
        let vals: Vec<String> = serde_json::from_str(&vals?)?;
        if vals
            .iter()
            .any(|v| value_matches(&rec.rtype, v, &rec.value))
        {
            return Ok(true);
        }
    }
    Ok(false)
}

fn value_matches(rtype: &str, found: &str, wanted: &str) -> bool {
    if rtype == "TXT" {
        found == wanted
    } else {
        norm(found) == norm(wanted)
    }
}

/// Turn pending Manual DNS hostnames (of `app_id`, or all) active when both records are in the
/// hosted zones.
pub fn verify_in_zones(tx: &Transaction<'_>, app_id: Option<&str>) -> ApiResult<()> {
    let pending: Vec<(String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT hostname, dns_records FROM hostnames
             WHERE status = 'pending' AND (?1 IS NULL OR app_id = ?1)",
        )?;
        let rows = stmt.query_map([app_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (hostname, records) in pending {
        let records: Vec<HostRecord> = serde_json::from_str(&records)?;
        let mut all = true;
        for rec in &records {
            if !in_zones(tx, rec)? {
                all = false;
                break;
            }
        }
        if all {
            mark_active(tx, &hostname)?;
        }
    }
    Ok(())
}

pub fn mark_active(tx: &Transaction<'_>, hostname: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE hostnames SET status = 'active' WHERE hostname = ?1 AND status = 'pending'",
        [hostname],
    )?;
    Ok(())
}

/// How long one question to a DNS server may take.
const QUERY_TIMEOUT: Duration = Duration::from_millis(800);
/// Pending hostnames checked at once.
const CONCURRENT_CHECKS: usize = 16;

/// A stub resolver (`hickory-resolver`) that asks only `server`, over UDP and then TCP, with
/// recursion desired (a recursive resolver needs it; an authoritative server ignores it).
pub fn resolver_at(server: SocketAddr) -> Result<Resolver<TokioRuntimeProvider>, String> {
    // A listener on the unspecified address is reached on loopback.
    let ip = match server.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let connections = [ConnectionConfig::udp(), ConnectionConfig::tcp()]
        .into_iter()
        .map(|mut c| {
            c.port = server.port();
            c
        })
        .collect();
    let config =
        ResolverConfig::from_name_servers(vec![NameServerConfig::new(ip, true, connections)]);
    let mut options = ResolverOpts::default();
    options.timeout = QUERY_TIMEOUT;
    options.attempts = 1;
    options.ndots = 0;
    options.use_hosts_file = ResolveHosts::Never;
    Resolver::builder_with_config(config, TokioRuntimeProvider::default())
        .with_options(options)
        .build()
        .map_err(|e| format!("cannot make a resolver for {server}: {e}"))
}

/// Whether `resolver` finds `rec` (its name, type and value).
pub async fn published(resolver: &Resolver<TokioRuntimeProvider>, rec: &HostRecord) -> bool {
    let rtype = match rec.rtype.as_str() {
        "A" => RecordType::A,
        "CNAME" => RecordType::CNAME,
        "TXT" => RecordType::TXT,
        _ => return false,
    };
    let Ok(name) = Name::from_ascii(format!("{}.", norm(&rec.name))) else {
        return false;
    };
    match resolver.lookup(name, rtype).await {
        Ok(lookup) => lookup.answers().iter().any(|a| {
            a.record_type() == rtype
                && answer_text(a).is_some_and(|v| value_matches(&rec.rtype, &v, &rec.value))
        }),
        Err(_) => false,
    }
}

/// Whether every record is found by one of `resolvers` at least.
pub async fn all_published(
    resolvers: &[Resolver<TokioRuntimeProvider>],
    records: &[HostRecord],
) -> bool {
    for rec in records {
        let mut found = false;
        for resolver in resolvers {
            if published(resolver, rec).await {
                found = true;
                break;
            }
        }
        if !found {
            return false;
        }
    }
    true
}

/// An A, CNAME or TXT answer as text: the dotted quad, the name without its final dot, the
/// character strings joined.
fn answer_text(record: &Record) -> Option<String> {
    match &record.data {
        RData::A(a) => Some(a.0.to_string()),
        RData::CNAME(c) => Some(c.0.to_ascii().trim_end_matches('.').to_string()),
        RData::TXT(t) => Some(
            t.txt_data
                .iter()
                .map(|s| String::from_utf8_lossy(s))
                .collect(),
        ),
        _ => None,
    }
}

/// One pass over the pending Manual DNS hostnames: those whose records `servers` answer turn
/// active. Returns the hostnames turned active.
pub async fn check_pending(store: &Store, servers: &[SocketAddr]) -> ApiResult<Vec<String>> {
    let pending = store
        .read(|tx| {
            let mut stmt = tx.prepare(
                "SELECT hostname, dns_records FROM hostnames WHERE status = 'pending'
                 ORDER BY seq LIMIT 200",
            )?;
            let rows =
                stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await?;
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    // Fresh resolvers every pass: nothing cached from the last one hides a new record.
    let resolvers = servers
        .iter()
        .filter_map(|s| {
            resolver_at(*s)
                .inspect_err(|e| tracing::warn!(error = %e, "Manual DNS checks"))
                .ok()
        })
        .collect::<Vec<_>>();
    let resolvers = &resolvers;
    let found: Vec<String> = futures::stream::iter(pending)
        .map(|(hostname, records)| async move {
            let records: Vec<HostRecord> = serde_json::from_str(&records).ok()?;
            all_published(resolvers, &records).await.then_some(hostname)
        })
        .buffer_unordered(CONCURRENT_CHECKS)
        .filter_map(|h| async move { h })
        .collect()
        .await;
    for hostname in &found {
        tracing::info!(hostname = %hostname, "DNS records found; hostname active");
        let h = hostname.clone();
        store.write(move |tx| mark_active(tx, &h)).await?;
    }
    Ok(found)
}

/// Turn pending Manual DNS hostnames active once DNS answers their records: `servers` are
/// comwit-local's own DNS listener (the hosted zones) and `--resolver`, if given.
pub(crate) async fn verify_loop(store: Store, servers: Vec<SocketAddr>, interval: Duration) {
    let interval = interval.max(Duration::from_millis(50));
    loop {
        tokio::time::sleep(interval).await;
        if let Err(e) = check_pending(&store, &servers).await {
            tracing::warn!(error = %e, "checking pending hostnames failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::op::{Message, OpCode};
    use hickory_proto::rr::rdata::{A, CNAME, TXT};

    /// A fake resolver on loopback: answers each question from `zone`, after first sending a
    /// datagram that is not a response and a response with another id (both passed over).
    async fn fake_resolver(
        zone: Vec<(RecordType, RData)>,
    ) -> (SocketAddr, tokio::task::JoinHandle<()>) {
        let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = sock.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let mut buf = [0u8; 1500];
            loop {
                let Ok((n, from)) = sock.recv_from(&mut buf).await else {
                    return;
                };
                let q = Message::from_vec(&buf[..n]).unwrap();
                assert!(q.metadata.recursion_desired);
                let question = q.queries[0].clone();
                let _ = sock.send_to(b"not dns", from).await;
                let mut other = Message::response(q.metadata.id.wrapping_add(1), OpCode::Query);
                other.add_query(question.clone());
                let _ = sock.send_to(&other.to_vec().unwrap(), from).await;
                let mut r = Message::response(q.metadata.id, OpCode::Query);
                r.add_query(question.clone());
                for (t, data) in &zone {
                    if *t == question.query_type() {
                        r.add_answer(Record::from_rdata(
                            question.name().clone(),
                            300,
                            data.clone(),
                        ));
                    }
                }
                let _ = sock.send_to(&r.to_vec().unwrap(), from).await;
            }
        });
        (addr, task)
    }

    fn resolver(addr: SocketAddr) -> Resolver<TokioRuntimeProvider> {
        resolver_at(addr).unwrap()
    }

    #[tokio::test]
    async fn a_resolver_finds_a_cname_and_txt_records() {
        let zone = vec![
            (RecordType::A, RData::A(A::new(198, 18, 1, 2))),
            (
                RecordType::CNAME,
                RData::CNAME(CNAME(Name::from_ascii("web-12345678.comwit.app.").unwrap())),
            ),
            (
                RecordType::TXT,
                RData::TXT(TXT::new(vec!["comwit-verify=".into(), "abc".into()])),
            ),
        ];
        let (addr, task) = fake_resolver(zone).await;
        let host = "www.example.com";
        let mut records = host_records(
            "app_0000000000000001",
            "web-12345678.comwit.app",
            host,
            false,
        );
        records[1].value = "comwit-verify=abc".into();
        let resolvers = [resolver(addr)];
        assert!(all_published(&resolvers, &records).await);
        records[1].value = "comwit-verify=abd".into();
        assert!(!all_published(&resolvers, &records).await);
        let mut apex = host_records("app_1", "web-1.comwit.app", "example.com", true);
        apex[0].value = "198.18.1.2".into();
        assert!(published(&resolvers[0], &apex[0]).await);
        apex[0].value = "198.18.1.3".into();
        assert!(!published(&resolvers[0], &apex[0]).await);
        task.abort();
    }

    #[tokio::test]
    async fn a_silent_resolver_finds_nothing_in_time() {
        let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = sock.local_addr().unwrap();
        let records = host_records("app_1", "web-1.comwit.app", "www.example.com", false);
        let started = std::time::Instant::now();
        assert!(!all_published(&[resolver(addr)], &records).await);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        drop(sock);
    }

    /// The whole path: a pending hostname whose records sit in a hosted zone turns active once
    /// comwit-local's DNS listener answers them; another, unpublished, stays pending.
    #[tokio::test]
    async fn pending_hostnames_turn_active_through_the_dns_listener() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let records = host_records("app_1", "web-1.comwit.app", "www.example.com", false);
        let other = host_records("app_1", "web-1.comwit.app", "shop.example.net", false);
        let json = serde_json::to_string(&records).unwrap();
        let other_json = serde_json::to_string(&other).unwrap();
        let txt = records[1].value.clone();
        store
            .write_blocking(move |tx| {
                tx.execute_batch(
                    "INSERT INTO projects (project_id, name, created_at) VALUES ('prj_1', 'p', 'now');
                     INSERT INTO apps (app_id, project_id, name, runtime, default_hostname, created_at)
                       VALUES ('app_1', 'prj_1', 'web', 'isolate', 'web-1.comwit.app', 'now');
                     INSERT INTO domains (domain, project_id, name_servers, created_at, active_at_ms)
                       VALUES ('example.com', 'prj_1', '[\"ns1.comwit-dns.net\"]', 'now', 0);
                     INSERT INTO records (record_id, domain, project_id, name, type, vals, ttl, created_at)
                       VALUES ('rec_1', 'example.com', 'prj_1', 'www.example.com', 'CNAME', '[\"web-1.comwit.app\"]', 300, 'now');",
                )?;
                // The ownership TXT through a wildcard: only a DNS answer finds it there.
                tx.execute(
                    "INSERT INTO records (record_id, domain, project_id, name, type, vals, ttl, created_at)
                     VALUES ('rec_2', 'example.com', 'prj_1', '*.www.example.com', 'TXT', ?1, 300, 'now')",
                    [serde_json::to_string(&[txt])?],
                )?;
                for (host, recs) in [("www.example.com", &json), ("shop.example.net", &other_json)] {
                    tx.execute(
                        "INSERT INTO hostnames (hostname, app_id, project_id, dns_mode, status, dns_records, created_at)
                         VALUES (?1, 'app_1', 'prj_1', 'manual', 'pending', ?2, 'now')",
                        [host, recs.as_str()],
                    )?;
                }
                Ok(())
            })
            .unwrap();
        let (_stop, stopped) = tokio::sync::watch::channel(false);
        let (addr, task) = crate::local::dns_server::serve_store(
            "127.0.0.1:0".parse().unwrap(),
            store.clone(),
            stopped,
        )
        .await
        .unwrap();
        let activated = check_pending(&store, &[addr]).await.unwrap();
        assert_eq!(activated, ["www.example.com"]);
        let status = |host: &'static str| {
            store
                .read_blocking(|tx| {
                    Ok(tx.query_row(
                        "SELECT status FROM hostnames WHERE hostname = ?1",
                        [host],
                        |r| r.get::<_, String>(0),
                    )?)
                })
                .unwrap()
        };
        assert_eq!(status("www.example.com"), "active");
        assert_eq!(status("shop.example.net"), "pending");
        assert!(check_pending(&store, &[addr]).await.unwrap().is_empty());
        task.abort();
    }

    #[test]
    fn records_depend_on_hostname_for_names_and_types() {
        let records_of = |hostname, apex| {
            host_records(
                "app_0000000000000001",
                "web-00000000.comwit.app",
                hostname,
                apex,
            )
        };
        let a = records_of("www.example.com", false);
        assert_eq!(a[0].rtype, "CNAME");
        assert_eq!(a[0].name, "www.example.com");
        assert_eq!(a[1].rtype, "TXT");
        assert_eq!(a[1].name, "_cf-challenge.www.example.com");
        let b = records_of("example.com", true);
        assert_eq!(b[0].rtype, "A");
        assert!(b[1].value.starts_with("comwit-verify="));
    }
}
