//! The DNS side of hostnames: the records a hostname needs, and finding them published (in the
//! zones comwit-local hosts, or at a resolver over UDP; the messages are `hickory-proto`'s).

use std::net::SocketAddr;
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, OpCode, Query};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use rusqlite::{params, Transaction};
use serde::{Deserialize, Serialize};

use super::error::ApiResult;
use super::{ids, store};

pub const RECORD_TTL: i64 = 300;
pub const CHALLENGE_PREFIX: &str = "_comwit-challenge.";

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

/// Whether every record is published at the resolver.
pub async fn at_resolver(resolver: SocketAddr, records: &[HostRecord]) -> bool {
    for rec in records {
        let rtype = match rec.rtype.as_str() {
            "A" => RecordType::A,
            "CNAME" => RecordType::CNAME,
            "TXT" => RecordType::TXT,
            _ => return false,
        };
        let answers = match query(resolver, &rec.name, rtype, QUERY_TIMEOUT).await {
            Ok(a) => a,
            Err(_) => return false,
        };
        if !answers.iter().any(|a| {
            a.record_type() == rtype
                && answer_text(a).is_some_and(|v| value_matches(&rec.rtype, &v, &rec.value))
        }) {
            return false;
        }
    }
    true
}

/// How long one question to the resolver may take.
const QUERY_TIMEOUT: Duration = Duration::from_millis(800);

/// Ask `resolver` for `name`/`rtype` over UDP, recursion desired; the answer records of the
/// first response that carries the query's id (other datagrams are passed over until `timeout`).
pub async fn query(
    resolver: SocketAddr,
    name: &str,
    rtype: RecordType,
    timeout: Duration,
) -> std::io::Result<Vec<Record>> {
    let invalid = |e: hickory_proto::ProtoError| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string())
    };
    let rnd = ids::random_bytes(2);
    let id = u16::from_le_bytes([rnd[0], rnd[1]]);
    let mut msg = Message::new(id, MessageType::Query, OpCode::Query);
    msg.metadata.recursion_desired = true;
    msg.add_query(Query::query(
        Name::from_ascii(name).map_err(invalid)?,
        rtype,
    ));
    let q = msg.to_vec().map_err(invalid)?;
    let bind: SocketAddr = if resolver.is_ipv4() {
        "0.0.0.0:0".parse().expect("literal")
    } else {
        "[::]:0".parse().expect("literal")
    };
    let sock = tokio::net::UdpSocket::bind(bind).await?;
    sock.connect(resolver).await?;
    sock.send(&q).await?;
    let mut buf = vec![0u8; 4096];
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let n = tokio::time::timeout_at(deadline, sock.recv(&mut buf))
            .await
            .map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::TimedOut, "DNS query timed out")
            })??;
        match Message::from_vec(&buf[..n]) {
            Ok(r) if r.metadata.id == id && r.metadata.message_type == MessageType::Response => {
                return Ok(r.answers)
            }
            _ => continue,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
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

    #[tokio::test]
    async fn queries_read_a_cname_and_txt_answers() {
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
        let t = Duration::from_secs(2);
        let texts =
            |answers: Vec<Record>| answers.iter().filter_map(answer_text).collect::<Vec<_>>();
        let txt = query(
            addr,
            "_comwit-challenge.www.example.com",
            RecordType::TXT,
            t,
        );
        assert_eq!(texts(txt.await.unwrap()), ["comwit-verify=abc"]);
        let a = query(addr, "example.com", RecordType::A, t);
        assert_eq!(texts(a.await.unwrap()), ["198.18.1.2"]);
        let cname = query(addr, "www.example.com", RecordType::CNAME, t);
        assert_eq!(texts(cname.await.unwrap()), ["web-12345678.comwit.app"]);

        let host = "www.example.com";
        let mut records = host_records(
            "app_0000000000000001",
            "web-12345678.comwit.app",
            host,
            false,
        );
        records[1].value = "comwit-verify=abc".into();
        assert!(at_resolver(addr, &records).await);
        records[1].value = "comwit-verify=abd".into();
        assert!(!at_resolver(addr, &records).await);
        task.abort();
    }

    #[tokio::test]
    async fn a_silent_resolver_times_out() {
        let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = sock.local_addr().unwrap();
        let e = query(
            addr,
            "example.com",
            RecordType::A,
            Duration::from_millis(100),
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
        drop(sock);
    }

    #[test]
    fn records_depend_on_hostname_for_names_and_types() {
        let a = host_records(
            "app_0000000000000001",
            "web-00000000.comwit.app",
            "www.example.com",
            false,
        );
        assert_eq!(a[0].rtype, "CNAME");
        assert_eq!(a[0].name, "www.example.com");
        assert_eq!(a[1].rtype, "TXT");
        assert_eq!(a[1].name, "_comwit-challenge.www.example.com");
        let b = host_records(
            "app_0000000000000001",
            "web-00000000.comwit.app",
            "example.com",
            true,
        );
        assert_eq!(b[0].rtype, "A");
        assert!(b[1].value.starts_with("comwit-verify="));
    }
}

/// Turn pending Manual DNS hostnames active once their records are published.
pub(crate) async fn verify_loop(
    store: super::store::Store,
    resolver: Option<SocketAddr>,
    interval: Duration,
) {
    let interval = interval.max(Duration::from_millis(50));
    loop {
        tokio::time::sleep(interval).await;
        if let Err(e) = store.write(|tx| verify_in_zones(tx, None)).await {
            tracing::warn!(error = %e, "checking pending hostnames failed");
        }
        let Some(resolver) = resolver else { continue };
        let pending = store
            .read(|tx| {
                let mut stmt = tx.prepare(
                    "SELECT hostname, dns_records FROM hostnames WHERE status = 'pending' LIMIT 200",
                )?;
                let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .await
            .unwrap_or_default();
        for (hostname, records) in pending {
            let Ok(records) = serde_json::from_str::<Vec<HostRecord>>(&records) else {
                continue;
            };
            if at_resolver(resolver, &records).await {
                tracing::info!(hostname = %hostname, "records found at the resolver; hostname active");
                let _ = store.write(move |tx| mark_active(tx, &hostname)).await;
            }
        }
    }
}
