//! The state of a `comwit_domain_record` from the platform's record, keeping the practitioner's
//! spelling of the name and values wherever it means the same as what the platform stores, so
//! that `WWW`, `www.example.com.` or `Target.Example.net.` never show as a change; and a record
//! as the `comwit_domain_records` data source lists it.

use serde::{Deserialize, Serialize};

use crate::api::models::Record;

use super::names::{relative_record_name, same_record_name};
use super::values::same_values;

/// The TTL of a record that does not set one (the schema's default).
pub(super) const DEFAULT_TTL: i64 = 300;

fn default_ttl() -> i64 {
    DEFAULT_TTL
}

/// The resource's configuration and state (`record_id` and `fqdn` are known once created,
/// `project_id` once planned).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct RecordModel {
    #[serde(default)]
    pub record_id: String,
    #[serde(default)]
    pub project_id: String,
    pub domain: String,
    pub name: String,
    #[serde(default)]
    pub fqdn: String,
    #[serde(rename = "type")]
    pub rtype: String,
    pub values: Vec<String>,
    #[serde(default = "default_ttl")]
    pub ttl: i64,
    pub priority: Option<i64>,
}

/// The state for `record`, given the state (or plan) it refreshes: `known` supplies the
/// spellings to keep; none on import.
pub(super) fn record_model(record: Record, known: Option<&RecordModel>) -> RecordModel {
    let rtype = record.record_type.as_str();
    let name = match known {
        Some(k) if same_record_name(&k.name, &record.name, &record.domain) => k.name.clone(),
        _ => relative_record_name(&record.name, &record.domain),
    };
    let (priority, wire_values) = split_priority(rtype, &record.values);
    let values = match known {
        Some(k) if same_values(rtype, &k.values, &wire_values) => k.values.clone(),
        _ => wire_values,
    };
    RecordModel {
        record_id: record.record_id,
        project_id: record.project_id,
        domain: record.domain,
        name,
        fqdn: record.name,
        rtype: record.record_type,
        values,
        ttl: record.ttl,
        priority,
    }
}

/// An MX record's values split into the preference they all lead with (`10 mail.example.com`)
/// and the hosts; other types (or MX values with differing or missing preferences) as they are.
pub(super) fn split_priority(rtype: &str, values: &[String]) -> (Option<i64>, Vec<String>) {
    if rtype != "MX" {
        return (None, values.to_vec());
    }
    let mut priority = None;
    let mut hosts = Vec::new();
    for v in values {
        let Some((p, host)) = v.trim().split_once(char::is_whitespace) else {
            return (None, values.to_vec());
        };
        let Ok(p) = p.parse::<i64>() else {
            return (None, values.to_vec());
        };
        if priority.is_some_and(|q| q != p) {
            return (None, values.to_vec());
        }
        priority = Some(p);
        hosts.push(host.trim().to_string());
    }
    (priority, hosts)
}

/// A record of a zone as one element of the `comwit_domain_records` data source.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct ListedRecord {
    pub record_id: String,
    pub name: String,
    pub relative_name: String,
    #[serde(rename = "type")]
    pub rtype: String,
    pub values: Vec<String>,
    pub ttl: i64,
    pub priority: Option<i64>,
    pub managed_by: Option<String>,
    pub created_at: String,
}

impl From<Record> for ListedRecord {
    fn from(record: Record) -> Self {
        let (priority, values) = split_priority(&record.record_type, &record.values);
        ListedRecord {
            managed_by: record.managed_by(),
            created_at: record.created_at.clone().unwrap_or_default(),
            relative_name: relative_record_name(&record.name, &record.domain),
            record_id: record.record_id,
            name: record.name,
            rtype: record.record_type,
            values,
            ttl: record.ttl,
            priority,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::dns::fixtures::zone_record as record;

    fn prior(name: &str, values: &[&str]) -> RecordModel {
        RecordModel {
            record_id: String::new(),
            project_id: String::new(),
            domain: "example.com".into(),
            name: name.into(),
            fqdn: String::new(),
            rtype: String::new(),
            values: values.iter().map(|v| v.to_string()).collect(),
            ttl: DEFAULT_TTL,
            priority: None,
        }
    }

    #[test]
    fn keeps_equivalent_spellings() {
        let r = record("www.example.com", "CNAME", &["target.example.net"]);
        for spelling in ["WWW", "www", "www.example.com.", "www.example.com"] {
            let s = record_model(r.clone(), Some(&prior(spelling, &["Target.Example.net."])));
            assert_eq!(s.name, spelling);
            assert_eq!(s.values, vec!["Target.Example.net.".to_string()]);
            assert_eq!(s.fqdn, "www.example.com");
        }
    }

    #[test]
    fn drift_and_import_use_the_platform_values() {
        let r = record("api.example.com", "A", &["192.0.2.1", "192.0.2.2"]);
        let s = record_model(r, Some(&prior("www", &["192.0.2.1"])));
        assert_eq!(s.name, "api");
        assert_eq!(
            s.values,
            vec!["192.0.2.1".to_string(), "192.0.2.2".to_string()]
        );
        let apex = record("example.com", "TXT", &["v=spf1 -all"]);
        let s = record_model(apex, None);
        assert_eq!(s.name, "@");
        assert_eq!(s.priority, None);
    }

    #[test]
    fn listed_records_carry_both_names() {
        let mut r = record("_dmarc.example.com", "TXT", &["v=DMARC1; p=none"]);
        r.owner = Some("platform_app".into());
        r.name = "_cf-challenge.www.example.com".into();
        r.owner_resource_id = Some("app_1".into());
        let v = ListedRecord::from(r);
        assert_eq!(v.relative_name, "_cf-challenge.www");
        // The hostname the record serves, told from its name (the owner is the app).
        assert_eq!(v.managed_by.as_deref(), Some("www.example.com"));
    }
}
