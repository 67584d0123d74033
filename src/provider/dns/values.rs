//! Record types and values: what each type accepts (checked at plan time, with the value and
//! the reason named), the form sent to the platform, and when two value sets mean the same.

use std::collections::BTreeSet;
use std::net::Ipv6Addr;

/// The public record types; `A_ALIAS` is an apex alias (a zone apex cannot hold a CNAME).
pub const RECORD_TYPES: [&str; 6] = ["A", "AAAA", "CNAME", "TXT", "MX", "A_ALIAS"];

/// Most values in one record set.
pub const MAX_VALUES: usize = 32;

/// Whether records of `rtype` carry a priority (and must have one).
pub fn has_priority(rtype: &str) -> bool {
    rtype == "MX"
}

/// What a value of `rtype` looks like, for error messages.
pub fn expected_form(rtype: &str) -> &'static str {
    match rtype {
        "A" => "an IPv4 address such as \"192.0.2.10\"",
        "AAAA" => "an IPv6 address such as \"2001:db8::10\"",
        "CNAME" => "one target hostname such as \"target.example.net\"",
        "MX" => {
            "a mail server hostname such as \"mx1.example.net\" (the preference goes in `priority`)"
        }
        "TXT" => "1 to 1024 printable ASCII characters",
        "A_ALIAS" => "an alias target hostname such as \"edge.example.net\" (or an IPv4 address)",
        _ => "a value of a known record type",
    }
}

/// A strict dotted-quad IPv4 address: std's parser refuses leading zeros and short forms.
fn is_ipv4(s: &str) -> bool {
    s.parse::<std::net::Ipv4Addr>().is_ok()
}

fn parse_ipv6(s: &str) -> Option<Ipv6Addr> {
    if s.len() > 45
        || !s
            .bytes()
            .all(|c| c.is_ascii_hexdigit() || c == b':' || c == b'.')
    {
        return None;
    }
    s.parse().ok()
}

/// A target hostname (CNAME, MX, A_ALIAS), already folded: labels of `a-z 0-9 - _`, at least two,
/// the last starting with a letter and without `_`.
fn is_target(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    let label_ok = |l: &str, underscore: bool| {
        let b = l.as_bytes();
        let edge =
            |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit() || (underscore && c == b'_');
        !b.is_empty()
            && b.len() <= 63
            && edge(b[0])
            && edge(b[b.len() - 1])
            && b.iter().all(|&c| edge(c) || c == b'-')
    };
    s.len() <= 253
        && labels.len() >= 2
        && labels[..labels.len() - 1].iter().all(|l| label_ok(l, true))
        && label_ok(labels[labels.len() - 1], false)
        && labels[labels.len() - 1].as_bytes()[0].is_ascii_lowercase()
}

/// The form sent to the platform: hostnames (CNAME, MX and alias targets) are folded to
/// lowercase without a trailing dot, as the platform stores them; other values are sent as
/// written.
pub fn wire_value(rtype: &str, value: &str) -> String {
    match rtype {
        "CNAME" | "MX" => super::names::fold(value),
        "A_ALIAS" if !is_ipv4(value) => super::names::fold(value),
        _ => value.to_string(),
    }
}

/// The key two values are compared by: the wire form, with IPv6 addresses in canonical form.
fn comparison_key(rtype: &str, value: &str) -> String {
    let wire = wire_value(rtype, value);
    if rtype == "AAAA" {
        if let Some(addr) = parse_ipv6(&wire) {
            return addr.to_string();
        }
    }
    wire
}

/// What is wrong with `value` as a value of an `rtype` record; `None` when it is fine.
pub fn value_problem(rtype: &str, value: &str) -> Option<String> {
    let ok = match rtype {
        "A" => is_ipv4(value),
        "AAAA" => parse_ipv6(value).is_some(),
        "CNAME" | "MX" => is_target(&wire_value(rtype, value)),
        "TXT" => {
            if value.len() > 1024 {
                return Some(format!(
                    "it is {} characters long; a TXT value holds at most 1024 (split longer \
                     text into several values)",
                    value.len()
                ));
            }
            !value.is_empty() && value.bytes().all(|c| (0x20..=0x7e).contains(&c))
        }
        "A_ALIAS" => is_ipv4(value) || is_target(&wire_value(rtype, value)),
        _ => return None,
    };
    (!ok).then(|| format!("{value:?} is not {}", expected_form(rtype)))
}

/// Problems with a whole value set of an `rtype` record: how many values, and duplicates
/// (values that only differ in spelling count as duplicates). Per-value shape is checked by
/// [`value_problem`].
pub fn set_problem(rtype: &str, values: &[&str]) -> Option<String> {
    if values.is_empty() {
        return Some("a record needs at least one value".into());
    }
    if rtype == "CNAME" && values.len() > 1 {
        return Some(format!(
            "a CNAME record has exactly one target; {} were given",
            values.len()
        ));
    }
    if values.len() > MAX_VALUES {
        return Some(format!(
            "a record holds at most {MAX_VALUES} values; {} were given",
            values.len()
        ));
    }
    let mut seen = BTreeSet::new();
    for v in values {
        if !seen.insert(comparison_key(rtype, v)) {
            return Some(format!(
                "{v:?} is given twice (values are compared as the platform stores them)"
            ));
        }
    }
    None
}

/// What is wrong with `priority` for an `rtype` record; `None` when it is fine.
pub fn priority_problem(rtype: &str, priority: Option<i64>) -> Option<String> {
    match (has_priority(rtype), priority) {
        (true, None) => Some(format!(
            "{rtype} records need a `priority` (0 to 65535; lower is preferred)"
        )),
        (true, Some(p)) if !(0..=65535).contains(&p) => {
            Some(format!("`priority` is {p}; it must be between 0 and 65535"))
        }
        (false, Some(_)) => Some(format!(
            "{rtype} records have no priority; remove `priority` (only MX records have one)"
        )),
        _ => None,
    }
}

/// Whether two value sets of an `rtype` record mean the same (order and spelling aside).
pub fn same_values(rtype: &str, a: &[String], b: &[String]) -> bool {
    let keys =
        |v: &[String]| -> BTreeSet<String> { v.iter().map(|x| comparison_key(rtype, x)).collect() };
    a.len() == b.len() && keys(a) == keys(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_type_values() {
        let good = [
            ("A", "192.0.2.10"),
            ("A", "0.0.0.0"),
            ("AAAA", "2001:db8::10"),
            ("AAAA", "2001:DB8::1"),
            ("AAAA", "::ffff:192.0.2.1"),
            ("CNAME", "target.example.net"),
            ("CNAME", "Target.Example.NET."),
            ("CNAME", "_x.example.net"),
            ("MX", "mx1.example.net"),
            ("TXT", "v=spf1 include:example.net -all"),
            ("A_ALIAS", "edge.example.net"),
            ("A_ALIAS", "Edge.Example.NET."),
            ("A_ALIAS", "192.0.2.10"),
        ];
        for (t, v) in good {
            assert_eq!(value_problem(t, v), None, "{t} {v}");
        }
        let bad = [
            ("A", "192.0.2.256"),
            ("A", "192.0.2"),
            ("A", "192.0.2.01"),
            ("A", "2001:db8::1"),
            ("AAAA", "192.0.2.1"),
            ("AAAA", "2001:db8::g"),
            ("CNAME", "192.0.2.1"),
            ("CNAME", "no-dots"),
            ("CNAME", "https://example.net"),
            ("MX", "10 mx.example.net"),
            ("TXT", ""),
            ("TXT", "tab\there"),
            ("TXT", "é"),
            ("A_ALIAS", "2001:db8::1"),
            ("A_ALIAS", "no-dots"),
            ("A_ALIAS", "https://example.net"),
        ];
        for (t, v) in bad {
            let p = value_problem(t, v).unwrap_or_else(|| panic!("{t} {v} should be refused"));
            assert!(p.contains(expected_form(t)), "{p}");
        }
        assert!(value_problem("TXT", &"x".repeat(1025))
            .unwrap()
            .contains("1024"));
        assert_eq!(value_problem("TXT", &"x".repeat(1024)), None);
    }

    #[test]
    fn wire_forms() {
        assert_eq!(
            wire_value("CNAME", "Target.Example.NET."),
            "target.example.net"
        );
        assert_eq!(wire_value("MX", "MX.example.net."), "mx.example.net");
        assert_eq!(
            wire_value("A_ALIAS", "Edge.Example.net."),
            "edge.example.net"
        );
        assert_eq!(wire_value("A_ALIAS", "192.0.2.1"), "192.0.2.1");
        assert_eq!(wire_value("TXT", "Keep Case."), "Keep Case.");
        assert_eq!(wire_value("AAAA", "2001:DB8::1"), "2001:DB8::1");
    }

    #[test]
    fn value_sets() {
        assert_eq!(set_problem("A", &["192.0.2.1", "192.0.2.2"]), None);
        assert!(set_problem("A", &[]).unwrap().contains("at least one"));
        assert!(set_problem("CNAME", &["a.example", "b.example"])
            .unwrap()
            .contains("exactly one"));
        let many: Vec<String> = (0..33).map(|i| format!("192.0.2.{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(set_problem("A", &many).unwrap().contains("at most 32"));
        assert!(set_problem("MX", &["mx.example.net", "MX.example.net."])
            .unwrap()
            .contains("twice"));
        assert!(set_problem("AAAA", &["2001:db8::1", "2001:DB8:0::1"]).is_some());
        assert_eq!(set_problem("TXT", &["a", "A"]), None);
    }

    #[test]
    fn priorities() {
        assert_eq!(priority_problem("MX", Some(10)), None);
        assert_eq!(priority_problem("A", None), None);
        assert!(priority_problem("MX", None)
            .unwrap()
            .contains("need a `priority`"));
        assert!(priority_problem("MX", Some(70000))
            .unwrap()
            .contains("between 0 and 65535"));
        assert!(priority_problem("TXT", Some(1))
            .unwrap()
            .contains("no priority"));
    }

    #[test]
    fn equivalence() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(same_values(
            "A",
            &s(&["192.0.2.1", "192.0.2.2"]),
            &s(&["192.0.2.2", "192.0.2.1"])
        ));
        assert!(same_values(
            "CNAME",
            &s(&["T.example.net."]),
            &s(&["t.example.net"])
        ));
        assert!(same_values(
            "AAAA",
            &s(&["2001:DB8:0::1"]),
            &s(&["2001:db8::1"])
        ));
        assert!(!same_values("TXT", &s(&["A"]), &s(&["a"])));
        assert!(!same_values(
            "A",
            &s(&["192.0.2.1"]),
            &s(&["192.0.2.1", "192.0.2.2"])
        ));
    }
}
