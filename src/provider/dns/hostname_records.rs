//! The `dns_records` of a hostname: a map keyed by purpose (`routing`, `ownership`) of
//! `{type, name, value, ttl}`. Keys, names, types and TTLs follow from the hostname alone, so
//! they are planned before the hostname exists and `for_each = ...dns_records` works in the
//! first apply; only the values wait for the platform.

use std::collections::BTreeMap;

use crate::api::models::{Hostname, HostnameDnsRecord};
use crate::tfplugin::cty::Value;
use crate::tfplugin::schema::{Attribute, NestedAttributes};

use super::names::challenge_name;

/// Every hostname record has this TTL.
pub const RECORD_TTL: i64 = 300;

pub const ROUTING: &str = "routing";
pub const OWNERSHIP: &str = "ownership";

/// The computed `dns_records` attribute.
pub fn dns_records_attribute(description: &str) -> Attribute {
    Attribute::nested(
        "dns_records",
        NestedAttributes::map(vec![
            Attribute::string("type").computed().description(
                "`A` (routing at a zone apex), `CNAME` (routing elsewhere) or `TXT` (ownership).",
            ),
            Attribute::string("name")
                .computed()
                .description("The record's full name, without a trailing dot."),
            Attribute::string("value").computed().description(
                "The record's value: the app's edge IPv4 address (`A`), its edge target \
                 hostname (`CNAME`) or the ownership token (`TXT`).",
            ),
            Attribute::int64("ttl")
                .computed()
                .description("The TTL to publish the record with, in seconds (300)."),
        ]),
    )
    .computed()
    .description(description)
}

fn record_object(rtype: Value, name: Value, value: Value) -> Value {
    Value::object([
        ("type", rtype),
        ("name", name),
        ("value", value),
        ("ttl", Value::int(RECORD_TTL)),
    ])
}

/// The records planned for a new hostname: known keys and TTLs; the names when the hostname is
/// known; the routing type when it can be told (see `names::routing_type`); unknown values.
pub fn planned_records(hostname: Option<&str>, routing_type: Option<&str>) -> Value {
    let name = |n: Option<String>| n.map_or(Value::Unknown, Value::string);
    Value::Map(BTreeMap::from([
        (
            ROUTING.to_string(),
            record_object(
                routing_type.map_or(Value::Unknown, Value::string),
                name(hostname.map(str::to_string)),
                Value::Unknown,
            ),
        ),
        (
            OWNERSHIP.to_string(),
            record_object(
                Value::string("TXT"),
                name(hostname.map(challenge_name)),
                Value::Unknown,
            ),
        ),
    ]))
}

/// The platform's records as the map, keyed by purpose.
pub fn records_value(records: &[HostnameDnsRecord]) -> Value {
    Value::Map(
        records
            .iter()
            .map(|r| {
                (
                    r.purpose.clone(),
                    Value::object([
                        ("type", Value::string(&r.record_type)),
                        ("name", Value::string(&r.name)),
                        ("value", Value::string(&r.value)),
                        ("ttl", Value::int(r.ttl)),
                    ]),
                )
            })
            .collect(),
    )
}

/// The records after a refresh: what the platform returns, plus every record of the prior
/// state that it no longer returns. Once a hostname is verified the platform may stop listing
/// its records; keeping them means the DNS records fed from them are never planned away.
pub fn refreshed_records(prior: &Value, records: &[HostnameDnsRecord]) -> Value {
    let Value::Map(mut current) = records_value(records) else {
        unreachable!("records_value builds a map")
    };
    if let Value::Map(prior) = prior {
        for (purpose, record) in prior {
            let complete = !record.contains_unknown() && !record.is_null();
            if complete && !current.contains_key(purpose) {
                current.insert(purpose.clone(), record.clone());
            }
        }
    }
    Value::Map(current)
}

/// Where the platform's records differ from the planned names and types (which Terraform
/// promised at plan time); empty when they agree.
pub fn disagreements(planned: &Value, hostname: &Hostname) -> Vec<String> {
    let mut out = Vec::new();
    for purpose in [ROUTING, OWNERSHIP] {
        let want = match planned {
            Value::Map(m) => m.get(purpose),
            _ => None,
        };
        let Some(want) = want else { continue };
        let got = hostname.dns_records.iter().find(|r| r.purpose == purpose);
        for (field, got_value) in [
            ("type", got.map(|r| r.record_type.as_str())),
            ("name", got.map(|r| r.name.as_str())),
        ] {
            if let Some(w) = want.get(field).and_then(Value::as_str) {
                if got_value != Some(w) {
                    out.push(format!(
                        "the {purpose} record's {field} is {} (planned: {w})",
                        got_value.unwrap_or("missing")
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(purpose: &str, rtype: &str, name: &str, value: &str) -> HostnameDnsRecord {
        HostnameDnsRecord {
            purpose: purpose.into(),
            record_type: rtype.into(),
            name: name.into(),
            value: value.into(),
            ttl: 300,
        }
    }

    #[test]
    fn planned_keys_names_and_types_are_known() {
        let v = planned_records(Some("www.example.com"), Some("CNAME"));
        let Value::Map(m) = &v else { panic!() };
        assert_eq!(m.keys().collect::<Vec<_>>(), vec!["ownership", "routing"]);
        let routing = &m["routing"];
        assert_eq!(routing.get("type"), Some(&Value::string("CNAME")));
        assert_eq!(routing.get("name"), Some(&Value::string("www.example.com")));
        assert_eq!(routing.get("value"), Some(&Value::Unknown));
        assert_eq!(routing.get("ttl"), Some(&Value::int(300)));
        let ownership = &m["ownership"];
        assert_eq!(ownership.get("type"), Some(&Value::string("TXT")));
        assert_eq!(
            ownership.get("name"),
            Some(&Value::string("_comwit-challenge.www.example.com"))
        );
        // An unknown hostname still gives known keys.
        let Value::Map(m) = planned_records(None, None) else {
            panic!()
        };
        assert_eq!(m.len(), 2);
        assert_eq!(m["routing"].get("type"), Some(&Value::Unknown));
    }

    #[test]
    fn refresh_keeps_records_the_platform_stopped_returning() {
        let both = [
            rec("routing", "CNAME", "www.example.com", "web-1.comwit.app"),
            rec(
                "ownership",
                "TXT",
                "_comwit-challenge.www.example.com",
                "comwit-verify=1",
            ),
        ];
        let prior = records_value(&both);
        assert_eq!(refreshed_records(&prior, &both), prior);
        assert_eq!(refreshed_records(&prior, &both[..1]), prior);
        assert_eq!(refreshed_records(&prior, &[]), prior);
        // Fresh values from the platform win over the prior ones.
        let moved = [rec(
            "routing",
            "CNAME",
            "www.example.com",
            "web-2.comwit.app",
        )];
        let Value::Map(m) = refreshed_records(&prior, &moved) else {
            panic!()
        };
        assert_eq!(
            m["routing"].get("value"),
            Some(&Value::string("web-2.comwit.app"))
        );
        assert_eq!(m.len(), 2);
        // Nothing known before (import): the platform's records.
        assert_eq!(refreshed_records(&Value::Null, &both), prior);
    }

    #[test]
    fn disagreement_is_reported() {
        let host = Hostname {
            hostname: "shop.example.com".into(),
            app_id: "app_0000000000000001".into(),
            project_id: "prj_0000000000000001".into(),
            dns_mode: "manual".into(),
            domain: None,
            status: "pending".into(),
            dns_records: vec![
                rec("routing", "A", "shop.example.com", "198.18.0.1"),
                rec(
                    "ownership",
                    "TXT",
                    "_comwit-challenge.shop.example.com",
                    "x",
                ),
            ],
            created_at: "2025-01-01T00:00:00Z".into(),
        };
        let agreed = planned_records(Some("shop.example.com"), Some("A"));
        assert!(disagreements(&agreed, &host).is_empty());
        let planned = planned_records(Some("shop.example.com"), Some("CNAME"));
        let d = disagreements(&planned, &host);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].contains("type is A (planned: CNAME)"));
        // Unknown planned fields promise nothing.
        assert!(disagreements(&planned_records(Some("shop.example.com"), None), &host).is_empty());
    }
}
