//! The `dns_records` of a hostname: a map keyed by purpose (`routing`, `ownership`) of
//! `{type, name, value}`. Keys, names and types follow from the hostname alone, so
//! they are planned before the hostname exists and `for_each = ...dns_records` works in the
//! first apply; only the values wait for the platform.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::api::models::{Hostname, HostnameDnsRecord};
use crate::tfplugin::cty::Value;
use crate::tfplugin::schema::{Attribute, NestedAttributes};

use super::names::challenge_name;

pub(super) const ROUTING: &str = "routing";
pub(super) const OWNERSHIP: &str = "ownership";

/// One of the `dns_records`. Every field is known in a state; in a plan the value, and the
/// name and routing type where they cannot be told yet, are unknown and read as `None`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct DnsRecordModel {
    #[serde(rename = "type")]
    pub rtype: Option<String>,
    pub name: Option<String>,
    pub value: Option<String>,
}

/// The `dns_records`, keyed by purpose.
pub(super) type DnsRecords = BTreeMap<String, DnsRecordModel>;

impl From<&HostnameDnsRecord> for DnsRecordModel {
    fn from(r: &HostnameDnsRecord) -> Self {
        DnsRecordModel {
            rtype: Some(r.record_type.clone()),
            name: Some(r.name.clone()),
            value: Some(r.value.clone()),
        }
    }
}

impl DnsRecordModel {
    fn is_complete(&self) -> bool {
        self.rtype.is_some() && self.name.is_some() && self.value.is_some()
    }
}

/// The computed `dns_records` attribute.
pub(super) fn dns_records_attribute(description: &str) -> Attribute {
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
        ]),
    )
    .computed()
    .description(description)
}

fn record_object(rtype: Value, name: Value, value: Value) -> Value {
    Value::object([("type", rtype), ("name", name), ("value", value)])
}

/// The records planned for a new hostname: known keys; the names when the hostname is
/// known; the routing type when it can be told (see `names::routing_type`); unknown values.
pub(super) fn planned_records(hostname: Option<&str>, routing_type: Option<&str>) -> Value {
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

/// Tells each record of a create answer its purpose (the platform does not say): the one TXT
/// record is `ownership`, the one other record at the hostname is `routing`. An answer that
/// does not fit these two keys is an error (the keys were promised at plan time).
pub(crate) fn assign_purposes(
    hostname: &str,
    records: &mut [HostnameDnsRecord],
) -> Result<(), String> {
    let txt = records.iter().filter(|r| r.record_type == "TXT").count();
    let other = records.len() - txt;
    if txt != 1 || other != 1 {
        let shown: Vec<String> = records
            .iter()
            .map(|r| format!("{} {}", r.record_type, r.name))
            .collect();
        return Err(format!(
            "the platform sent {} record(s) ({}) where Terraform planned two, `routing` (the \
             record at {hostname}) and `ownership` (one TXT record)",
            records.len(),
            if shown.is_empty() {
                "none".to_string()
            } else {
                shown.join(", ")
            }
        ));
    }
    for r in records.iter_mut() {
        r.purpose = if r.record_type == "TXT" {
            OWNERSHIP
        } else {
            ROUTING
        }
        .to_string();
    }
    Ok(())
}

/// The platform's records, keyed by purpose.
pub(super) fn records_model(records: &[HostnameDnsRecord]) -> DnsRecords {
    records
        .iter()
        .map(|r| (r.purpose.clone(), DnsRecordModel::from(r)))
        .collect()
}

/// The records after a refresh: what the platform returns, plus every record of the prior
/// state that it no longer returns. Once a hostname is verified the platform may stop listing
/// its records; keeping them means the DNS records fed from them are never planned away.
pub(super) fn refreshed_records(prior: DnsRecords, records: &[HostnameDnsRecord]) -> DnsRecords {
    let mut current = records_model(records);
    for (purpose, record) in prior {
        if record.is_complete() {
            current.entry(purpose).or_insert(record);
        }
    }
    current
}

/// Where the platform's records differ from the planned names and types (which Terraform
/// promised at plan time); empty when they agree.
pub(super) fn disagreements(planned: &DnsRecords, hostname: &Hostname) -> Vec<String> {
    let mut out = Vec::new();
    for purpose in [ROUTING, OWNERSHIP] {
        let Some(want) = planned.get(purpose) else {
            continue;
        };
        let got = hostname.dns_records.iter().find(|r| r.purpose == purpose);
        for (field, wanted, got_value) in [
            ("type", &want.rtype, got.map(|r| r.record_type.as_str())),
            ("name", &want.name, got.map(|r| r.name.as_str())),
        ] {
            if let Some(w) = wanted.as_deref() {
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
    use crate::provider::dns::fixtures::{manual, rec};
    use crate::tfplugin::model;

    #[test]
    fn planned_keys_names_and_types_are_known() {
        let v = planned_records(Some("www.example.com"), Some("CNAME"));
        let Value::Map(m) = &v else { panic!() };
        assert_eq!(m.keys().collect::<Vec<_>>(), vec!["ownership", "routing"]);
        let routing = &m["routing"];
        assert_eq!(routing.get("type"), Some(&Value::string("CNAME")));
        assert_eq!(routing.get("name"), Some(&Value::string("www.example.com")));
        assert_eq!(routing.get("value"), Some(&Value::Unknown));
        let ownership = &m["ownership"];
        assert_eq!(ownership.get("type"), Some(&Value::string("TXT")));
        assert_eq!(
            ownership.get("name"),
            Some(&Value::string("_cf-challenge.www.example.com"))
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
                "_cf-challenge.www.example.com",
                "comwit-verify=1",
            ),
        ];
        let prior = records_model(&both);
        assert_eq!(refreshed_records(prior.clone(), &both), prior);
        assert_eq!(refreshed_records(prior.clone(), &both[..1]), prior);
        assert_eq!(refreshed_records(prior.clone(), &[]), prior);
        // Fresh values from the platform win over the prior ones.
        let moved = [rec(
            "routing",
            "CNAME",
            "www.example.com",
            "web-2.comwit.app",
        )];
        let m = refreshed_records(prior.clone(), &moved);
        assert_eq!(m["routing"].value.as_deref(), Some("web-2.comwit.app"));
        assert_eq!(m.len(), 2);
        // Nothing known before (import): the platform's records.
        assert_eq!(refreshed_records(DnsRecords::new(), &both), prior);
    }

    #[test]
    fn disagreement_is_reported() {
        let host = manual(
            "shop.example.com",
            vec![
                rec("routing", "A", "shop.example.com", "198.18.0.1"),
                rec("ownership", "TXT", "_cf-challenge.shop.example.com", "x"),
            ],
        );
        // The plan as create reads it, unknowns and all.
        let planned = |routing: Option<&str>| -> DnsRecords {
            model::get(&planned_records(Some("shop.example.com"), routing)).unwrap()
        };
        assert!(disagreements(&planned(Some("A")), &host).is_empty());
        let d = disagreements(&planned(Some("CNAME")), &host);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].contains("type is A (planned: CNAME)"));
        // Unknown planned fields promise nothing.
        assert!(disagreements(&planned(None), &host).is_empty());
    }
}
