//! The zones over DNS: an authoritative server (UDP and TCP, `hickory-server`) for every
//! onboarded domain. Each question is answered from the store as it is at that moment: the
//! domain's records (those of Automatic DNS hostnames among them, `managed_by` set), and the
//! SOA and NS records at the apex, made from the domain's row.

use std::net::SocketAddr;
use std::time::Duration;

use hickory_proto::op::{Edns, Header, HeaderCounts, MessageType, Metadata, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{CAA, CNAME, MX, NS, SOA, SRV, TXT};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use hickory_server::net::runtime::Time;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::zone_handler::MessageResponseBuilder;
use rusqlite::{params, OptionalExtension, Transaction};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::error::ApiResult;
use super::model::state::AppState;
use super::store::Store;

/// TTL of the apex SOA, which is also how long resolvers may cache "no such name": short, so
/// that a record added a moment later is found.
const SOA_TTL: u32 = 60;
/// TTL of the apex NS records.
const NS_TTL: u32 = 3600;
/// CNAMEs followed inside a zone before answering with what was found so far.
const MAX_CNAME_HOPS: usize = 8;
/// How long a TCP connection may stay idle.
const TCP_IDLE: Duration = Duration::from_secs(10);
/// Tries at one free port for both UDP and TCP when asked for port 0.
const BIND_TRIES: usize = 20;

/// Binds UDP and TCP on `addr` (port 0: one free port for both) and answers until `stop`.
pub async fn serve(
    addr: SocketAddr,
    state: AppState,
    stop: watch::Receiver<bool>,
) -> Result<(SocketAddr, JoinHandle<()>), String> {
    serve_store(addr, state.store.clone(), stop).await
}

/// [`serve`], with the zones of `store`.
pub(crate) async fn serve_store(
    addr: SocketAddr,
    store: Store,
    mut stop: watch::Receiver<bool>,
) -> Result<(SocketAddr, JoinHandle<()>), String> {
    let (udp, tcp) = bind_both(addr).await?;
    let bound = udp.local_addr().map_err(|e| e.to_string())?;
    let mut server = hickory_server::Server::new(Zones { store });
    server.register_socket(udp);
    server.register_listener(tcp, TCP_IDLE, 64);
    let task = tokio::spawn(async move {
        let _ = stop.wait_for(|s| *s).await;
        if let Err(e) = server.shutdown_gracefully().await {
            tracing::warn!(error = %e, "the DNS listener stopped with an error");
        }
    });
    Ok((bound, task))
}

/// UDP and TCP sockets on the same port. For port 0, the port UDP got may be taken for TCP:
/// then another one is tried.
async fn bind_both(
    addr: SocketAddr,
) -> Result<(tokio::net::UdpSocket, tokio::net::TcpListener), String> {
    let udp_error = |e: std::io::Error| format!("cannot listen on {addr} (DNS, UDP): {e}");
    let tries = if addr.port() == 0 { BIND_TRIES } else { 1 };
    let mut last = String::new();
    for _ in 0..tries {
        let udp = tokio::net::UdpSocket::bind(addr).await.map_err(udp_error)?;
        let bound = udp.local_addr().map_err(|e| e.to_string())?;
        match tokio::net::TcpListener::bind(bound).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(e) => last = format!("cannot listen on {bound} (DNS, TCP): {e}"),
        }
    }
    Err(last)
}

/// The request handler: every question read from the store.
struct Zones {
    store: Store,
}

#[async_trait::async_trait]
impl RequestHandler for Zones {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        mut response_handle: R,
    ) -> ResponseInfo {
        let edns = request.edns.as_ref().map(|asked| {
            let mut ours = Edns::new();
            ours.set_max_payload(asked.max_payload().max(512));
            ours
        });
        let mut builder = MessageResponseBuilder::from_message_request(request);
        if let Some(edns) = &edns {
            builder.edns(edns);
        }
        let metadata_with = |code| {
            let mut metadata = Metadata::response_from_request(&request.metadata);
            metadata.response_code = code;
            metadata
        };
        let question = match request.request_info() {
            _ if request.metadata.message_type != MessageType::Query => Err(ResponseCode::FormErr),
            _ if request.metadata.op_code != OpCode::Query => Err(ResponseCode::NotImp),
            Ok(info) if info.query.query_class() != DNSClass::IN => Err(ResponseCode::Refused),
            Ok(info) => Ok(info.query.original().clone()),
            Err(_) => Err(ResponseCode::FormErr),
        };
        let answer = match question {
            Ok(q) => {
                let (name, rtype) = (q.name().clone(), q.query_type());
                self.store
                    .read(move |tx| answer(tx, &name, rtype))
                    .await
                    .map_err(|e| {
                        tracing::warn!(error = %e, "answering a DNS question failed");
                        ResponseCode::ServFail
                    })
            }
            Err(code) => Err(code),
        };
        let sent = match &answer {
            Ok(a) => {
                let mut metadata = metadata_with(a.code);
                metadata.authoritative = a.authoritative;
                let response = builder.build(metadata, &a.answers, &a.authority, [], []);
                response_handle.send_response(response).await
            }
            Err(code) => {
                let response = builder.build_no_records(metadata_with(*code));
                response_handle.send_response(response).await
            }
        };
        sent.unwrap_or_else(|e| {
            tracing::debug!(error = %e, "a DNS response could not be sent");
            ResponseInfo::from(Header {
                metadata: metadata_with(ResponseCode::ServFail),
                counts: HeaderCounts::default(),
            })
        })
    }
}

/// What the server says to one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub code: ResponseCode,
    /// Set for every name inside a hosted zone.
    pub authoritative: bool,
    pub answers: Vec<Record>,
    /// The zone's SOA, when the answer is negative (NXDOMAIN, or no record of the type).
    pub authority: Vec<Record>,
}

/// One row of the records table, as the zone holds it.
struct Row {
    rtype: String,
    values: Vec<String>,
    ttl: u32,
    priority: Option<u16>,
}

/// The hosted zone that `name` (lowercase, no final dot) falls in: the longest onboarded
/// domain it is or is under, with its name servers.
fn zone_of(tx: &Transaction<'_>, name: &str) -> ApiResult<Option<(String, Vec<String>)>> {
    let zone = tx
        .query_row(
            "SELECT domain, name_servers FROM domains
             WHERE domain = ?1 OR substr(?1, -length(domain) - 1) = '.' || domain
             ORDER BY length(domain) DESC LIMIT 1",
            [name],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        )
        .optional()?;
    Ok(match zone {
        Some((domain, ns)) => Some((domain, serde_json::from_str(&ns)?)),
        None => None,
    })
}

fn rows_at(tx: &Transaction<'_>, zone: &str, name: &str) -> ApiResult<Vec<Row>> {
    let mut stmt = tx.prepare_cached(
        "SELECT type, vals, ttl, priority FROM records WHERE domain = ?1 AND name = ?2
         ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![zone, name], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, Option<i64>>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (rtype, vals, ttl, priority) = row?;
        out.push(Row {
            rtype,
            values: serde_json::from_str(&vals)?,
            ttl: u32::try_from(ttl).unwrap_or(0),
            priority: priority.and_then(|p| u16::try_from(p).ok()),
        });
    }
    Ok(out)
}

/// Whether `name` exists in the zone: the apex, a name with records, or an empty non-terminal
/// (a name with none whose descendants have some).
fn name_exists(tx: &Transaction<'_>, zone: &str, name: &str) -> ApiResult<bool> {
    Ok(name == zone
        || super::store::exists(
            tx,
            "SELECT 1 FROM records WHERE domain = ?1
               AND (name = ?2 OR substr(name, -length(?2) - 1) = '.' || ?2) LIMIT 1",
            params![zone, name],
        )?)
}

/// The records at `name`; for a name that does not exist, those of the wildcard at its
/// closest existing ancestor (RFC 4592). None: no such name.
fn rows_or_wildcard(tx: &Transaction<'_>, zone: &str, name: &str) -> ApiResult<Option<Vec<Row>>> {
    if name_exists(tx, zone, name)? {
        return rows_at(tx, zone, name).map(Some);
    }
    let mut encloser = name;
    while encloser != zone {
        encloser = encloser.split_once('.').map_or(zone, |(_, parent)| parent);
        if name_exists(tx, zone, encloser)? {
            break;
        }
    }
    let wildcard = rows_at(tx, zone, &format!("*.{encloser}"))?;
    Ok((!wildcard.is_empty()).then_some(wildcard))
}

/// The answer to `qname`/`qtype` from the zones in the store.
pub fn answer(tx: &Transaction<'_>, qname: &Name, qtype: RecordType) -> ApiResult<Answer> {
    let mut name = plain(qname);
    let Some((zone, name_servers)) = zone_of(tx, &name)? else {
        return Ok(Answer {
            code: ResponseCode::Refused,
            authoritative: false,
            answers: Vec::new(),
            authority: Vec::new(),
        });
    };
    let apex = absolute(&zone)?;
    let soa = soa_record(&apex, &name_servers)?;
    let mut owner = qname.clone();
    let mut answers = Vec::new();
    let mut hops = 0;
    let code = loop {
        let Some(rows) = rows_or_wildcard(tx, &zone, &name)? else {
            break ResponseCode::NXDomain;
        };
        let mut records = Vec::new();
        if name == zone {
            records.push(soa.clone());
            for ns in &name_servers {
                let ns = NS(absolute(ns)?);
                records.push(Record::from_rdata(owner.clone(), NS_TTL, RData::NS(ns)));
            }
        }
        for row in &rows {
            records.extend(to_records(&owner, row));
        }
        let wanted: Vec<Record> = records
            .iter()
            .filter(|r| qtype == RecordType::ANY || r.record_type() == qtype)
            .cloned()
            .collect();
        if !wanted.is_empty() {
            answers.extend(wanted);
            break ResponseCode::NoError;
        }
        let Some(cname) = records
            .into_iter()
            .find(|r| r.record_type() == RecordType::CNAME)
        else {
            break ResponseCode::NoError;
        };
        let RData::CNAME(CNAME(target)) = &cname.data else {
            break ResponseCode::NoError;
        };
        let target = target.clone();
        answers.push(cname);
        let next = plain(&target);
        hops += 1;
        // Followed only inside this zone: anything else is for the resolver to chase.
        if hops > MAX_CNAME_HOPS || !super::model::validate::is_within(&next, &zone) {
            return Ok(Answer {
                code: ResponseCode::NoError,
                authoritative: true,
                answers,
                authority: Vec::new(),
            });
        }
        name = next;
        owner = target;
    };
    let negative = code == ResponseCode::NXDomain
        || answers
            .last()
            .is_none_or(|a| a.record_type() == RecordType::CNAME && qtype != RecordType::CNAME);
    Ok(Answer {
        code,
        authoritative: true,
        answers,
        authority: if negative { vec![soa] } else { Vec::new() },
    })
}

/// A name as the store keeps it: lowercase ASCII, no final dot.
fn plain(name: &Name) -> String {
    name.to_lowercase()
        .to_ascii()
        .trim_end_matches('.')
        .to_string()
}

fn absolute(name: &str) -> ApiResult<Name> {
    let mut n = Name::from_ascii(name)
        .map_err(|e| super::error::ApiError::internal(format!("bad name {name}: {e}")))?;
    n.set_fqdn(true);
    Ok(n)
}

/// The zone's SOA: the first name server as primary, `hostmaster.<zone>` as contact, and the
/// time of the answer as serial (it only grows, as a serial must across changes).
fn soa_record(apex: &Name, name_servers: &[String]) -> ApiResult<Record> {
    let primary = match name_servers.first() {
        Some(ns) => absolute(ns)?,
        None => apex.clone(),
    };
    let contact = absolute(&format!("hostmaster.{}", plain(apex)))?;
    let serial = u32::try_from(super::ids::now_ms() / 1000).unwrap_or(u32::MAX);
    let soa = SOA::new(primary, contact, serial, 7200, 900, 1_209_600, SOA_TTL);
    Ok(Record::from_rdata(apex.clone(), SOA_TTL, RData::SOA(soa)))
}

/// The DNS records of one stored record set (a value the zone cannot carry is left out).
fn to_records(owner: &Name, row: &Row) -> Vec<Record> {
    row.values
        .iter()
        .filter_map(|v| match rdata(&row.rtype, v, row.priority) {
            Some(data) => Some(Record::from_rdata(owner.clone(), row.ttl, data)),
            None => {
                tracing::warn!(name = %owner, rtype = %row.rtype, "a stored value is not valid DNS data");
                None
            }
        })
        .collect()
}

/// One value, in the text form the API takes, as DNS data.
fn rdata(rtype: &str, value: &str, priority: Option<u16>) -> Option<RData> {
    let host = |s: &str| absolute(s).ok();
    Some(match rtype {
        "A" => RData::A(value.parse::<std::net::Ipv4Addr>().ok()?.into()),
        "AAAA" => RData::AAAA(value.parse::<std::net::Ipv6Addr>().ok()?.into()),
        "CNAME" => RData::CNAME(CNAME(host(value)?)),
        // The public record has no priority: an MX value leads with its preference
        // (`10 mail.example.com`); rows stored before that kept it apart.
        "MX" => match value.split_once(' ') {
            Some((p, target)) if p.parse::<u16>().is_ok() => {
                RData::MX(MX::new(p.parse().ok()?, host(target)?))
            }
            _ => RData::MX(MX::new(priority?, host(value)?)),
        },
        // An apex alias: served as the A record of an address; an alias to a name outside
        // the zone is for the platform's edge to resolve, which comwit-local does not have.
        "A_ALIAS" => RData::A(value.parse::<std::net::Ipv4Addr>().ok()?.into()),
        // A character string holds at most 255 bytes; longer text goes in several.
        "TXT" => RData::TXT(TXT::new(
            value
                .as_bytes()
                .chunks(255)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect(),
        )),
        "SRV" => {
            let mut parts = value.split(' ');
            let weight = parts.next()?.parse().ok()?;
            let port = parts.next()?.parse().ok()?;
            RData::SRV(SRV::new(priority?, weight, port, host(parts.next()?)?))
        }
        "CAA" => {
            let mut parts = value.splitn(3, ' ');
            let critical = parts.next()? == "128";
            let tag = parts.next()?;
            let inner = parts.next()?.strip_prefix('"')?.strip_suffix('"')?;
            // The value goes out as the API holds it, whatever the tag.
            let mut caa = CAA::new_issue(critical, None, Vec::new());
            caa.tag = tag.to_string();
            caa.value = inner.as_bytes().to_vec();
            RData::CAA(caa)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    /// A store with example.com (a few records, an Automatic DNS hostname's, a wildcard, an
    /// empty non-terminal) and sub.example.org.
    fn fixture() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .write_blocking(|tx| {
                tx.execute_batch(
                    r#"
INSERT INTO projects (project_id, name, created_at) VALUES ('prj_1', 'p', 'now');
INSERT INTO domains (domain, project_id, name_servers, created_at, active_at_ms) VALUES
  ('example.com', 'prj_1', '["ns1-01.comwit-dns.net","ns2-02.comwit-dns.com"]', 'now', 0),
  ('sub.example.org', 'prj_1', '["ns1-03.comwit-dns.net"]', 'now', 0);
INSERT INTO records (record_id, domain, project_id, name, type, vals, ttl, priority, managed_by, created_at) VALUES
  ('rec_1', 'example.com', 'prj_1', 'example.com', 'A', '["198.18.0.1"]', 300, NULL, NULL, 'now'),
  ('rec_2', 'example.com', 'prj_1', 'example.com', 'MX', '["mx.example.com"]', 300, 10, NULL, 'now'),
  ('rec_3', 'example.com', 'prj_1', 'www.example.com', 'CNAME', '["web.example.com"]', 120, NULL, NULL, 'now'),
  ('rec_4', 'example.com', 'prj_1', 'web.example.com', 'A', '["198.18.0.2","198.18.0.3"]', 300, NULL, NULL, 'now'),
  ('rec_5', 'example.com', 'prj_1', 'app.example.com', 'CNAME', '["app-1234.comwit.app"]', 300, NULL, 'app.example.com', 'now'),
  ('rec_6', 'example.com', 'prj_1', '_cf-challenge.app.example.com', 'TXT', '["comwit-verify=abc"]', 300, NULL, 'app.example.com', 'now'),
  ('rec_7', 'example.com', 'prj_1', '*.wild.example.com', 'TXT', '["wild"]', 300, NULL, NULL, 'now'),
  ('rec_8', 'example.com', 'prj_1', 'a.b.example.com', 'AAAA', '["2001:db8::1"]', 300, NULL, NULL, 'now'),
  ('rec_9', 'example.com', 'prj_1', 'dangling.example.com', 'CNAME', '["gone.example.com"]', 300, NULL, NULL, 'now'),
  ('rec_10', 'example.com', 'prj_1', '_sip._tcp.example.com', 'SRV', '["5 5060 sip.example.com"]', 300, 1, NULL, 'now'),
  ('rec_11', 'example.com', 'prj_1', 'example.com', 'CAA', '["0 issue \"letsencrypt.org\""]', 300, NULL, NULL, 'now');
"#,
                )?;
                Ok(())
            })
            .unwrap();
        (dir, store)
    }

    fn ask(store: &Store, name: &str, rtype: RecordType) -> Answer {
        let name = Name::from_ascii(name).unwrap();
        store.read_blocking(|tx| answer(tx, &name, rtype)).unwrap()
    }

    fn texts(records: &[Record]) -> Vec<String> {
        records.iter().map(|r| r.data.to_string()).collect()
    }

    #[test]
    fn records_answer_with_the_authoritative_flag() {
        let (_dir, store) = fixture();
        let a = ask(&store, "web.example.com.", RecordType::A);
        assert_eq!(a.code, ResponseCode::NoError);
        assert!(a.authoritative);
        assert_eq!(texts(&a.answers), ["198.18.0.2", "198.18.0.3"]);
        assert!(a.authority.is_empty());
        assert_eq!(a.answers[0].ttl, 300);
        // Names are case-insensitive; the answer carries the name as asked.
        let a = ask(&store, "WEB.Example.COM.", RecordType::A);
        assert_eq!(a.answers.len(), 2);
        assert_eq!(a.answers[0].name.to_ascii(), "WEB.Example.COM.");
        let mx = ask(&store, "example.com.", RecordType::MX);
        assert_eq!(texts(&mx.answers), ["10 mx.example.com."]);
        let srv = ask(&store, "_sip._tcp.example.com.", RecordType::SRV);
        assert_eq!(texts(&srv.answers), ["1 5 5060 sip.example.com."]);
        let caa = ask(&store, "example.com.", RecordType::CAA);
        assert_eq!(caa.answers.len(), 1);
        assert!(
            texts(&caa.answers)[0].contains("letsencrypt.org"),
            "{caa:?}"
        );
    }

    #[test]
    fn automatic_dns_records_are_in_the_zone() {
        let (_dir, store) = fixture();
        let a = ask(&store, "app.example.com.", RecordType::CNAME);
        assert_eq!(texts(&a.answers), ["app-1234.comwit.app."]);
        let t = ask(&store, "_cf-challenge.app.example.com.", RecordType::TXT);
        assert_eq!(texts(&t.answers), ["comwit-verify=abc"]);
    }

    #[test]
    fn the_apex_has_soa_and_ns() {
        let (_dir, store) = fixture();
        let soa = ask(&store, "example.com.", RecordType::SOA);
        assert_eq!(soa.answers.len(), 1);
        let RData::SOA(s) = &soa.answers[0].data else {
            panic!("{soa:?}")
        };
        assert_eq!(s.mname.to_ascii(), "ns1-01.comwit-dns.net.");
        assert_eq!(s.rname.to_ascii(), "hostmaster.example.com.");
        let ns = ask(&store, "example.com.", RecordType::NS);
        assert_eq!(
            texts(&ns.answers),
            ["ns1-01.comwit-dns.net.", "ns2-02.comwit-dns.com."]
        );
        let any = ask(&store, "example.com.", RecordType::ANY);
        assert_eq!(any.answers.len(), 1 + 2 + 3, "SOA, NS, A, MX, CAA: {any:?}");
    }

    #[test]
    fn negative_answers_carry_the_soa() {
        let (_dir, store) = fixture();
        let nx = ask(&store, "nope.example.com.", RecordType::A);
        assert_eq!(nx.code, ResponseCode::NXDomain);
        assert!(nx.authoritative && nx.answers.is_empty());
        assert_eq!(nx.authority.len(), 1);
        assert_eq!(nx.authority[0].record_type(), RecordType::SOA);
        assert_eq!(nx.authority[0].name.to_ascii(), "example.com.");
        // NODATA: the name exists, not with this type.
        let nodata = ask(&store, "web.example.com.", RecordType::TXT);
        assert_eq!(nodata.code, ResponseCode::NoError);
        assert!(nodata.answers.is_empty());
        assert_eq!(nodata.authority[0].record_type(), RecordType::SOA);
        // An empty non-terminal exists too.
        let ent = ask(&store, "b.example.com.", RecordType::A);
        assert_eq!(ent.code, ResponseCode::NoError);
        assert!(ent.answers.is_empty());
    }

    #[test]
    fn names_outside_the_zones_are_refused() {
        let (_dir, store) = fixture();
        for name in [
            "example.net.",
            "example.org.",
            "other.example.org.",
            "xexample.com.",
        ] {
            let r = ask(&store, name, RecordType::A);
            assert_eq!(r.code, ResponseCode::Refused, "{name}");
            assert!(!r.authoritative);
        }
        let inside = ask(&store, "x.sub.example.org.", RecordType::A);
        assert_eq!(inside.code, ResponseCode::NXDomain);
        assert_eq!(inside.authority[0].name.to_ascii(), "sub.example.org.");
    }

    #[test]
    fn cnames_are_answered_and_followed_inside_the_zone() {
        let (_dir, store) = fixture();
        let a = ask(&store, "www.example.com.", RecordType::A);
        assert_eq!(a.code, ResponseCode::NoError);
        assert_eq!(
            texts(&a.answers),
            ["web.example.com.", "198.18.0.2", "198.18.0.3"]
        );
        assert_eq!(a.answers[0].ttl, 120);
        assert_eq!(a.answers[1].name.to_ascii(), "web.example.com.");
        let c = ask(&store, "www.example.com.", RecordType::CNAME);
        assert_eq!(texts(&c.answers), ["web.example.com."]);
        // Out of the zone: the CNAME alone, for the resolver to follow.
        let out = ask(&store, "app.example.com.", RecordType::A);
        assert_eq!(texts(&out.answers), ["app-1234.comwit.app."]);
        assert!(out.authority.is_empty());
        // To a name the zone does not have: NXDOMAIN, with the CNAME (RFC 6604).
        let d = ask(&store, "dangling.example.com.", RecordType::A);
        assert_eq!(d.code, ResponseCode::NXDomain);
        assert_eq!(texts(&d.answers), ["gone.example.com."]);
        // To a name without the type: NODATA after the CNAME.
        let t = ask(&store, "www.example.com.", RecordType::TXT);
        assert_eq!(
            (t.code, t.answers.len(), t.authority.len()),
            (ResponseCode::NoError, 1, 1)
        );
    }

    #[test]
    fn wildcards_answer_for_names_that_do_not_exist() {
        let (_dir, store) = fixture();
        let w = ask(&store, "anything.wild.example.com.", RecordType::TXT);
        assert_eq!(w.code, ResponseCode::NoError);
        assert_eq!(texts(&w.answers), ["wild"]);
        assert_eq!(w.answers[0].name.to_ascii(), "anything.wild.example.com.");
        let deeper = ask(&store, "a.b.wild.example.com.", RecordType::TXT);
        assert_eq!(texts(&deeper.answers), ["wild"]);
        // Not above the wildcard, nor for another type.
        assert_eq!(
            ask(&store, "wild.example.com.", RecordType::TXT)
                .answers
                .len(),
            0
        );
        let other = ask(&store, "x.wild.example.com.", RecordType::A);
        assert_eq!(
            (other.code, other.answers.len()),
            (ResponseCode::NoError, 0)
        );
    }

    #[test]
    fn long_txt_values_are_split_into_strings() {
        let long = "v".repeat(600);
        let Some(RData::TXT(t)) = rdata("TXT", &long, None) else {
            panic!()
        };
        let lens: Vec<usize> = t.txt_data.iter().map(|s| s.len()).collect();
        assert_eq!(lens, [255, 255, 90]);
        assert!(rdata("A", "not an address", None).is_none());
        assert!(
            rdata("MX", "mx.example.com", None).is_none(),
            "MX needs a priority"
        );
    }

    #[test]
    fn answers_follow_the_store_at_once() {
        let (dir, store) = fixture();
        assert_eq!(
            ask(&store, "new.example.com.", RecordType::A).code,
            ResponseCode::NXDomain
        );
        // Another connection to the same file, as the API's writes would be.
        let other = Connection::open(dir.path().join(crate::local::store::DB_FILE)).unwrap();
        other
            .execute(
                "INSERT INTO records (record_id, domain, project_id, name, type, vals, ttl, created_at)
                 VALUES ('rec_n', 'example.com', 'prj_1', 'new.example.com', 'A', '[\"198.18.9.9\"]', 60, 'now')",
                [],
            )
            .unwrap();
        assert_eq!(
            texts(&ask(&store, "new.example.com.", RecordType::A).answers),
            ["198.18.9.9"]
        );
    }

    /// Over the network: a UDP and a TCP question to one port.
    #[tokio::test]
    async fn udp_and_tcp_on_one_port() {
        use hickory_proto::op::{Message, Query};
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (_dir, store) = fixture();
        let mut server = hickory_server::Server::new(Zones { store });
        let (udp, tcp) = bind_both("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let addr = udp.local_addr().unwrap();
        assert_eq!(tcp.local_addr().unwrap(), addr);
        server.register_socket(udp);
        server.register_listener(tcp, TCP_IDLE, 16);
        let mut q = Message::query();
        q.metadata.id = 4242;
        q.add_query(Query::query(
            Name::from_ascii("web.example.com.").unwrap(),
            RecordType::A,
        ));
        let bytes = q.to_vec().unwrap();

        let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        sock.send_to(&bytes, addr).await.unwrap();
        let mut buf = [0u8; 1500];
        let n = sock.recv(&mut buf).await.unwrap();
        let r = Message::from_vec(&buf[..n]).unwrap();
        assert_eq!(r.metadata.id, 4242);
        assert!(r.metadata.authoritative);
        assert_eq!(r.answers.len(), 2);

        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(&(bytes.len() as u16).to_be_bytes())
            .await
            .unwrap();
        stream.write_all(&bytes).await.unwrap();
        let len = stream.read_u16().await.unwrap() as usize;
        let mut body = vec![0u8; len];
        stream.read_exact(&mut body).await.unwrap();
        let r = Message::from_vec(&body).unwrap();
        assert_eq!(r.answers.len(), 2);
        server.shutdown_gracefully().await.unwrap();
    }
}
