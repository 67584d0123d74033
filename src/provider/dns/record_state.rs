//! The state of a `comwit_domain_record` from the platform's record, keeping the practitioner's
//! spelling of the name and values wherever it means the same as what the platform stores, so
//! that `WWW`, `www.example.com.` or `Target.Example.net.` never show as a change.

use crate::api::models::Record;
use crate::tfplugin::cty::Value;

use super::names::{relative_record_name, same_record_name};
use super::values::same_values;
use super::{attr, known_strings};

/// The state for `record`, given the state (or plan) it refreshes: `known` supplies the
/// spellings to keep; null on import.
pub fn record_state(record: &Record, known: &Value) -> Value {
    let rtype = record.record_type.as_str();
    let name = match attr(known, "name").as_str() {
        Some(n) if same_record_name(n, &record.name, &record.domain) => Value::string(n),
        _ => Value::string(relative_record_name(&record.name, &record.domain)),
    };
    let prior_values = attr(known, "values");
    let values = match known_strings(&prior_values) {
        Some(v) if same_values(rtype, &v, &record.values) => prior_values,
        _ => Value::Set(record.values.iter().map(Value::string).collect()),
    };
    Value::object([
        ("record_id", Value::string(&record.record_id)),
        ("project_id", Value::string(&record.project_id)),
        ("domain", Value::string(&record.domain)),
        ("name", name),
        ("fqdn", Value::string(&record.name)),
        ("type", Value::string(rtype)),
        ("values", values),
        ("ttl", Value::int(record.ttl)),
        ("priority", record.priority.map_or(Value::Null, Value::int)),
    ])
}

/// A record of a zone as one element of the `comwit_domain_records` data source.
pub fn listed_record(record: &Record) -> Value {
    Value::object([
        ("record_id", Value::string(&record.record_id)),
        ("name", Value::string(&record.name)),
        (
            "relative_name",
            Value::string(relative_record_name(&record.name, &record.domain)),
        ),
        ("type", Value::string(&record.record_type)),
        (
            "values",
            Value::List(record.values.iter().map(Value::string).collect()),
        ),
        ("ttl", Value::int(record.ttl)),
        ("priority", record.priority.map_or(Value::Null, Value::int)),
        (
            "managed_by",
            record
                .managed_by
                .as_deref()
                .map_or(Value::Null, Value::string),
        ),
        ("created_at", Value::string(&record.created_at)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(name: &str, rtype: &str, values: &[&str]) -> Record {
        Record {
            record_id: "rec_0000000000000001".into(),
            project_id: "prj_0000000000000001".into(),
            domain: "example.com".into(),
            name: name.into(),
            record_type: rtype.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
            ttl: 300,
            priority: None,
            managed_by: None,
            created_at: "2025-01-01T00:00:00Z".into(),
        }
    }

    fn prior(name: &str, values: &[&str]) -> Value {
        Value::object([
            ("name", Value::string(name)),
            (
                "values",
                Value::Set(values.iter().map(|v| Value::string(*v)).collect()),
            ),
        ])
    }

    #[test]
    fn keeps_equivalent_spellings() {
        let r = record("www.example.com", "CNAME", &["target.example.net"]);
        for spelling in ["WWW", "www", "www.example.com.", "www.example.com"] {
            let s = record_state(&r, &prior(spelling, &["Target.Example.net."]));
            assert_eq!(s.get("name"), Some(&Value::string(spelling)));
            assert_eq!(
                s.get("values"),
                Some(&Value::Set(vec![Value::string("Target.Example.net.")]))
            );
            assert_eq!(s.get("fqdn"), Some(&Value::string("www.example.com")));
        }
    }

    #[test]
    fn drift_and_import_use_the_platform_values() {
        let r = record("api.example.com", "A", &["192.0.2.1", "192.0.2.2"]);
        let s = record_state(&r, &prior("www", &["192.0.2.1"]));
        assert_eq!(s.get("name"), Some(&Value::string("api")));
        assert_eq!(
            s.get("values"),
            Some(&Value::Set(vec![
                Value::string("192.0.2.1"),
                Value::string("192.0.2.2")
            ]))
        );
        let apex = record("example.com", "TXT", &["v=spf1 -all"]);
        let s = record_state(&apex, &Value::Null);
        assert_eq!(s.get("name"), Some(&Value::string("@")));
        assert_eq!(s.get("priority"), Some(&Value::Null));
    }

    #[test]
    fn listed_records_carry_both_names() {
        let mut r = record("_dmarc.example.com", "TXT", &["v=DMARC1; p=none"]);
        r.managed_by = Some("www.example.com".into());
        let v = listed_record(&r);
        assert_eq!(v.get("relative_name"), Some(&Value::string("_dmarc")));
        assert_eq!(v.get("managed_by"), Some(&Value::string("www.example.com")));
    }
}
