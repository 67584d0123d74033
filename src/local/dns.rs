//! The DNS side of hostnames: the records a hostname needs, finding them published (in the
//! zones comwit-local hosts, or at a resolver over UDP), and a minimal DNS wire codec.

use std::net::SocketAddr;
use std::time::Duration;

use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::error::ApiResult;
use super::ids;

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

impl HostRecord {
    pub fn to_json(&self) -> Value {
        json!({
            "purpose": self.purpose,
            "type": self.rtype,
            "name": self.name,
            "value": self.value,
            "ttl": self.ttl,
        })
    }
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
    let d: Option<i64> = tx
        .query_row("SELECT 1 FROM domains WHERE domain = ?1", [hostname], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(d.is_some())
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
        let qtype = match rec.rtype.as_str() {
            "A" => TYPE_A,
            "CNAME" => TYPE_CNAME,
            "TXT" => TYPE_TXT,
            _ => return false,
        };
        let answers = match query(resolver, &rec.name, qtype, Duration::from_millis(800)).await {
            Ok(a) => a,
            Err(_) => return false,
        };
        if !answers
            .iter()
            .any(|(t, v)| *t == qtype && value_matches(&rec.rtype, v, &rec.value))
        {
            return false;
        }
    }
    true
}

pub const TYPE_A: u16 = 1;
pub const TYPE_CNAME: u16 = 5;
pub const TYPE_TXT: u16 = 16;

/// Ask `resolver` for `name`/`qtype` over UDP; the answers as `(type, text)`.
pub async fn query(
    resolver: SocketAddr,
    name: &str,
    qtype: u16,
    timeout: Duration,
) -> std::io::Result<Vec<(u16, String)>> {
    let bind: SocketAddr = if resolver.is_ipv4() {
        "0.0.0.0:0".parse().expect("literal")
    } else {
        "[::]:0".parse().expect("literal")
    };
    let sock = tokio::net::UdpSocket::bind(bind).await?;
    sock.connect(resolver).await?;
    let rnd = ids::random_bytes(2);
    let id = u16::from_le_bytes([rnd[0], rnd[1]]);
    let q = wire::build_query(id, name, qtype);
    sock.send(&q).await?;
    let mut buf = vec![0u8; 4096];
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let n = tokio::time::timeout_at(deadline, sock.recv(&mut buf))
            .await
            .map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::TimedOut, "DNS query timed out")
            })??;
        match wire::parse_response(&buf[..n]) {
            Some((rid, answers)) if rid == id => return Ok(answers),
            _ => continue,
        }
    }
}

/// The DNS wire format, just enough for A, CNAME and TXT.
pub mod wire {
    /// A query with recursion desired.
    pub fn build_query(id: u16, name: &str, qtype: u16) -> Vec<u8> {
        let mut q = Vec::with_capacity(name.len() + 18);
        q.extend_from_slice(&id.to_be_bytes());
        q.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
        encode_name(&mut q, name);
        q.extend_from_slice(&qtype.to_be_bytes());
        q.extend_from_slice(&1u16.to_be_bytes());
        q
    }

    pub fn encode_name(out: &mut Vec<u8>, name: &str) {
        for label in name.trim_end_matches('.').split('.') {
            if label.is_empty() {
                continue;
            }
            out.push(label.len().min(63) as u8);
            out.extend_from_slice(&label.as_bytes()[..label.len().min(63)]);
        }
        out.push(0);
    }

    /// Read a possibly compressed name at `pos`; the name and the position after it.
    pub fn read_name(msg: &[u8], mut pos: usize) -> Option<(String, usize)> {
        let mut labels = Vec::new();
        let mut end = None;
        let mut jumps = 0;
        loop {
            let len = *msg.get(pos)? as usize;
            if len & 0xC0 == 0xC0 {
                let ptr = ((len & 0x3F) << 8) | *msg.get(pos + 1)? as usize;
                end.get_or_insert(pos + 2);
                jumps += 1;
                if jumps > 32 {
                    return None;
                }
                pos = ptr;
                continue;
            }
            if len == 0 {
                let after = end.unwrap_or(pos + 1);
                return Some((labels.join("."), after));
            }
            let label = msg.get(pos + 1..pos + 1 + len)?;
            labels.push(String::from_utf8_lossy(label).into_owned());
            pos += 1 + len;
        }
    }

    /// The id and the `(type, text)` answers of a response.
    pub fn parse_response(msg: &[u8]) -> Option<(u16, Vec<(u16, String)>)> {
        if msg.len() < 12 || msg[2] & 0x80 == 0 {
            return None;
        }
        let id = u16::from_be_bytes([msg[0], msg[1]]);
        let qd = u16::from_be_bytes([msg[4], msg[5]]) as usize;
        let an = u16::from_be_bytes([msg[6], msg[7]]) as usize;
        let mut pos = 12;
        for _ in 0..qd {
            let (_, p) = read_name(msg, pos)?;
            pos = p + 4;
        }
        let mut out = Vec::new();
        for _ in 0..an {
            let (_, p) = read_name(msg, pos)?;
            let rtype = u16::from_be_bytes([*msg.get(p)?, *msg.get(p + 1)?]);
            let rdlen = u16::from_be_bytes([*msg.get(p + 8)?, *msg.get(p + 9)?]) as usize;
            let rd = p + 10;
            let rdata = msg.get(rd..rd + rdlen)?;
            let text = match rtype {
                super::TYPE_A if rdlen == 4 => {
                    format!("{}.{}.{}.{}", rdata[0], rdata[1], rdata[2], rdata[3])
                }
                super::TYPE_CNAME => read_name(msg, rd)?.0,
                super::TYPE_TXT => {
                    let mut s = String::new();
                    let mut i = 0;
                    while i < rdata.len() {
                        let l = rdata[i] as usize;
                        s.push_str(&String::from_utf8_lossy(rdata.get(i + 1..i + 1 + l)?));
                        i += 1 + l;
                    }
                    s
                }
                _ => String::new(),
            };
            out.push((rtype, text));
            pos = rd + rdlen;
        }
        Some((id, out))
    }

    /// A response to `query` with the given answers (for tests and fake resolvers): each answer
    /// is `(type, text)`; A is dotted IPv4, CNAME a name, TXT one string.
    pub fn build_response(query: &[u8], answers: &[(u16, String)]) -> Option<Vec<u8>> {
        if query.len() < 12 {
            return None;
        }
        let (_, qend) = read_name(query, 12)?;
        let question = query.get(12..qend + 4)?;
        let mut r = Vec::new();
        r.extend_from_slice(&query[0..2]);
        r.extend_from_slice(&[0x81, 0x80, 0, 1]);
        r.extend_from_slice(&(answers.len() as u16).to_be_bytes());
        r.extend_from_slice(&[0, 0, 0, 0]);
        r.extend_from_slice(question);
        for (t, text) in answers {
            r.extend_from_slice(&[0xC0, 12]);
            r.extend_from_slice(&t.to_be_bytes());
            r.extend_from_slice(&[0, 1, 0, 0, 1, 44]);
            let mut rdata = Vec::new();
            match *t {
                super::TYPE_A => {
                    for p in text.split('.') {
                        rdata.push(p.parse::<u8>().ok()?);
                    }
                }
                super::TYPE_CNAME => encode_name(&mut rdata, text),
                _ => {
                    for chunk in text.as_bytes().chunks(255) {
                        rdata.push(chunk.len() as u8);
                        rdata.extend_from_slice(chunk);
                    }
                }
            }
            r.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
            r.extend_from_slice(&rdata);
        }
        Some(r)
    }

    /// The name and type asked in a query.
    pub fn question(query: &[u8]) -> Option<(String, u16)> {
        let (name, p) = read_name(query, 12)?;
        Some((
            name,
            u16::from_be_bytes([*query.get(p)?, *query.get(p + 1)?]),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_round_trip() {
        let q = wire::build_query(7, "_comwit-challenge.www.example.com", TYPE_TXT);
        assert_eq!(
            wire::question(&q),
            Some(("_comwit-challenge.www.example.com".to_string(), TYPE_TXT))
        );
        let r = wire::build_response(
            &q,
            &[
                (TYPE_TXT, "comwit-verify=abc".into()),
                (TYPE_A, "198.18.1.2".into()),
                (TYPE_CNAME, "web-12345678.comwit.app".into()),
            ],
        )
        .unwrap();
        let (id, answers) = wire::parse_response(&r).unwrap();
        assert_eq!(id, 7);
        assert_eq!(
            answers,
            vec![
                (TYPE_TXT, "comwit-verify=abc".to_string()),
                (TYPE_A, "198.18.1.2".to_string()),
                (TYPE_CNAME, "web-12345678.comwit.app".to_string()),
            ]
        );
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
