//! Input validation: names, hostnames, record values, and a strict JSON object reader that names
//! the offending field and refuses unknown ones.

use axum::http::{header, HeaderMap};
use serde_json::{Map, Value};

use super::error::{ApiError, ApiResult};

/// The platform's own app domain: custom hostnames and domains may not be under it.
pub const APPS_DOMAIN: &str = "comwit.app";

/// A DNS label used as a project, database or app name: `^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$`.
pub fn is_label(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 63 || !b[0].is_ascii_lowercase() {
        return false;
    }
    let last = b[b.len() - 1];
    (last.is_ascii_lowercase() || last.is_ascii_digit())
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}

/// One label of a hostname; `underscore` admits `_` (record names and targets).
fn is_host_label(l: &str, underscore: bool) -> bool {
    let b = l.as_bytes();
    if b.is_empty() || b.len() > 63 {
        return false;
    }
    let edge_ok = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit() || (underscore && c == b'_');
    edge_ok(b[0]) && edge_ok(b[b.len() - 1]) && b.iter().all(|&c| edge_ok(c) || c == b'-')
}

/// The last label of a hostname: starts with a letter.
fn is_tld(l: &str) -> bool {
    is_host_label(l, false) && l.as_bytes()[0].is_ascii_lowercase()
}

/// A lowercase hostname of two or more labels, at most `max` characters.
pub fn is_hostname(s: &str, max: usize) -> bool {
    if s.len() < 3 || s.len() > max {
        return false;
    }
    let labels: Vec<&str> = s.split('.').collect();
    labels.len() >= 2
        && labels[..labels.len() - 1]
            .iter()
            .all(|l| is_host_label(l, false))
        && is_tld(labels[labels.len() - 1])
}

/// A target hostname in a record value (CNAME, MX, SRV): like a hostname, `_` allowed except in
/// the last label.
pub fn is_target_hostname(s: &str) -> bool {
    s.len() <= 253 && target_labels_ok(s)
}

/// A record name as given in a request: `@`, `*`, or labels (with `_`), optionally led by `*.`.
pub fn is_record_name_input(s: &str) -> bool {
    if s.is_empty() || s.len() > 253 {
        return false;
    }
    if s == "@" || s == "*" {
        return true;
    }
    let rest = s.strip_prefix("*.").unwrap_or(s);
    !rest.is_empty() && rest.split('.').all(|l| is_host_label(l, true))
}

/// Whether `host` is `zone` or below it.
pub fn is_within(host: &str, zone: &str) -> bool {
    host == zone
        || (host.len() > zone.len()
            && host.ends_with(zone)
            && host.as_bytes()[host.len() - zone.len() - 1] == b'.')
}

/// A strict dotted-quad IPv4 address: std's parser refuses leading zeros and short forms.
pub fn is_ipv4(s: &str) -> bool {
    s.parse::<std::net::Ipv4Addr>().is_ok()
}

/// An IPv6 address in text form.
pub fn is_ipv6(s: &str) -> bool {
    s.len() <= 45
        && !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_hexdigit() || c == b':' || c == b'.')
        && s.parse::<std::net::Ipv6Addr>().is_ok()
}

/// Printable ASCII, 1 to 1024 characters.
pub fn is_txt_value(s: &str) -> bool {
    !s.is_empty() && s.len() <= 1024 && s.bytes().all(|c| (0x20..=0x7e).contains(&c))
}

/// `<flags> <tag> "<value>"`: flags 0 or 128; tag issue, issuewild or iodef; value printable
/// ASCII without `"`, at most 255 characters.
pub fn is_caa_value(s: &str) -> bool {
    let mut it = s.splitn(3, ' ');
    let (Some(flags), Some(tag), Some(value)) = (it.next(), it.next(), it.next()) else {
        return false;
    };
    if flags != "0" && flags != "128" {
        return false;
    }
    if !matches!(tag, "issue" | "issuewild" | "iodef") {
        return false;
    }
    let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
        return false;
    };
    value.len() >= 2
        && inner.len() <= 255
        && inner
            .bytes()
            .all(|c| (0x20..=0x7e).contains(&c) && c != b'"')
}

/// A decimal 0..=65535 without leading zeros.
fn is_u16_text(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 5
        && s.bytes().all(|c| c.is_ascii_digit())
        && (s.len() == 1 || !s.starts_with('0'))
        && s.parse::<u32>().is_ok_and(|v| v <= 65535)
}

/// `<weight> <port> <target>`, at most 300 characters; the target has the syntax of a target
/// hostname (its length is bounded by the whole value's).
pub fn is_srv_value(s: &str) -> bool {
    if s.len() > 300 {
        return false;
    }
    let parts: Vec<&str> = s.split(' ').collect();
    parts.len() == 3 && is_u16_text(parts[0]) && is_u16_text(parts[1]) && target_labels_ok(parts[2])
}

fn target_labels_ok(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    labels.len() >= 2
        && labels[..labels.len() - 1]
            .iter()
            .all(|l| is_host_label(l, true))
        && is_tld(labels[labels.len() - 1])
}

/// An environment variable name: `^[A-Za-z_][A-Za-z0-9_]{0,127}$`.
pub fn is_env_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphabetic() || b[0] == b'_')
        && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_')
}

/// The printable-ASCII Idempotency-Key, 1 to 255 characters.
pub fn is_idempotency_key(s: &str) -> bool {
    !s.is_empty() && s.len() <= 255 && s.bytes().all(|c| (0x21..=0x7e).contains(&c))
}

/// The media type of a request, lowercased, without parameters.
pub fn media_type(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(
        v.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
    )
}

/// Parse a JSON request body (after checking its Content-Type).
pub fn parse_json(headers: &HeaderMap, body: &[u8]) -> ApiResult<Value> {
    if media_type(headers).as_deref() != Some("application/json") {
        return Err(ApiError::unsupported_media_type("application/json"));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))
}

/// A JSON object being read field by field; `finish` refuses the fields nobody asked for.
pub struct Obj {
    map: Map<String, Value>,
    prefix: String,
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl Obj {
    /// `prefix` is prepended to field names in errors (e.g. `variables[2].`).
    pub fn new(v: Value, prefix: &str, allowed: &[&str]) -> ApiResult<Obj> {
        let Value::Object(map) = v else {
            let field = prefix.trim_end_matches('.');
            return Err(ApiError::invalid(
                if field.is_empty() { "body" } else { field },
                format!("expected a JSON object, got {}", type_name(&v)),
            ));
        };
        if let Some(k) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(ApiError::invalid(
                format!("{prefix}{k}"),
                format!("unknown field `{k}`; allowed: {}", allowed.join(", ")),
            ));
        }
        Ok(Obj {
            map,
            prefix: prefix.to_string(),
        })
    }

    pub fn field(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }

    /// The raw value of `key`, if present (null included).
    pub fn take(&mut self, key: &str) -> Option<Value> {
        self.map.remove(key)
    }

    pub fn req_string(&mut self, key: &str) -> ApiResult<String> {
        match self.take(key) {
            Some(Value::String(s)) => Ok(s),
            None => Err(ApiError::invalid(
                self.field(key),
                format!("`{key}` is required"),
            )),
            Some(v) => Err(ApiError::invalid(
                self.field(key),
                format!("`{key}` must be a string, got {}", type_name(&v)),
            )),
        }
    }

    /// Absent: None. Present: must be a string (null refused).
    pub fn opt_string(&mut self, key: &str) -> ApiResult<Option<String>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(ApiError::invalid(
                self.field(key),
                format!("`{key}` must be a string, got {}", type_name(&v)),
            )),
        }
    }

    /// Absent or null: None.
    pub fn opt_nullable_string(&mut self, key: &str) -> ApiResult<Option<String>> {
        match self.take(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(ApiError::invalid(
                self.field(key),
                format!("`{key}` must be a string or null, got {}", type_name(&v)),
            )),
        }
    }

    /// Absent: None; must be a boolean when present.
    pub fn opt_bool(&mut self, key: &str) -> ApiResult<Option<bool>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(v) => Err(ApiError::invalid(
                self.field(key),
                format!("`{key}` must be a boolean, got {}", type_name(&v)),
            )),
        }
    }

    /// An integer in `min..=max`; `Ok(None)` when absent; `nullable` admits null as absent.
    pub fn opt_int(
        &mut self,
        key: &str,
        min: i64,
        max: i64,
        nullable: bool,
    ) -> ApiResult<Option<i64>> {
        let field = self.field(key);
        match self.take(key) {
            None => Ok(None),
            Some(Value::Null) if nullable => Ok(None),
            Some(Value::Number(n)) => {
                let v = n.as_i64().or_else(|| {
                    n.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                        .map(|f| f as i64)
                });
                match v {
                    Some(v) if (min..=max).contains(&v) => Ok(Some(v)),
                    Some(_) => Err(ApiError::invalid(
                        field,
                        format!("`{key}` must be between {min} and {max}"),
                    )),
                    None => Err(ApiError::invalid(
                        field,
                        format!("`{key}` must be an integer"),
                    )),
                }
            }
            Some(v) => Err(ApiError::invalid(
                field,
                format!("`{key}` must be an integer, got {}", type_name(&v)),
            )),
        }
    }

    /// An array of strings, `min..=max` items.
    pub fn req_string_array(
        &mut self,
        key: &str,
        min: usize,
        max: usize,
    ) -> ApiResult<Vec<String>> {
        let field = self.field(key);
        let Some(v) = self.take(key) else {
            return Err(ApiError::invalid(field, format!("`{key}` is required")));
        };
        let Value::Array(items) = v else {
            return Err(ApiError::invalid(
                field,
                format!("`{key}` must be an array, got {}", type_name(&v)),
            ));
        };
        if items.len() < min || items.len() > max {
            return Err(ApiError::invalid(
                field,
                format!("`{key}` must hold between {min} and {max} items"),
            ));
        }
        items
            .into_iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s),
                other => Err(ApiError::invalid(
                    format!("{field}[{i}]"),
                    format!("must be a string, got {}", type_name(&other)),
                )),
            })
            .collect()
    }
}

/// Read `name` as a DNS-label name.
pub fn label_field(obj: &mut Obj, key: &str, what: &str) -> ApiResult<String> {
    let v = obj.req_string(key)?;
    check_label(obj, key, what, v)
}

pub fn check_label(obj: &Obj, key: &str, what: &str, v: String) -> ApiResult<String> {
    if is_label(&v) {
        Ok(v)
    } else {
        Err(ApiError::invalid(
            obj.field(key),
            format!(
                "a {what} name must be a DNS label: 1-63 characters of a-z, 0-9 and '-', starting with a letter and not ending with '-'"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert!(is_label("a"));
        assert!(is_label("web-1"));
        assert!(!is_label("1web"));
        assert!(!is_label("web-"));
        assert!(!is_label("Web"));
        assert!(!is_label(""));
        assert!(is_label(&"a".repeat(63)));
        assert!(!is_label(&"a".repeat(64)));
    }

    #[test]
    fn hostnames() {
        assert!(is_hostname("example.com", 253));
        assert!(is_hostname("a.b.c.example.com", 253));
        assert!(is_hostname("3com.com", 253));
        assert!(!is_hostname("example", 253));
        assert!(!is_hostname("example.123", 253));
        assert!(!is_hostname("-a.com", 253));
        assert!(!is_hostname("a..com", 253));
        assert!(!is_hostname("a.com.", 253));
        assert!(!is_hostname("A.com", 253));
        assert!(!is_hostname("a_b.com", 253));
        assert!(is_target_hostname("_sip.example.com"));
        assert!(!is_target_hostname("example._com"));
    }

    #[test]
    fn record_names() {
        assert!(is_record_name_input("@"));
        assert!(is_record_name_input("*"));
        assert!(is_record_name_input("*.dev"));
        assert!(is_record_name_input("_dmarc"));
        assert!(is_record_name_input("www.example.com"));
        assert!(!is_record_name_input("a.*"));
        assert!(!is_record_name_input("-a"));
        assert!(!is_record_name_input("a."));
        assert!(is_within("www.example.com", "example.com"));
        assert!(is_within("example.com", "example.com"));
        assert!(!is_within("wexample.com", "example.com"));
    }

    #[test]
    fn values() {
        assert!(is_ipv4("192.0.2.1"));
        assert!(is_ipv4("0.0.0.0"));
        assert!(!is_ipv4("01.2.3.4"));
        assert!(!is_ipv4("256.1.1.1"));
        assert!(!is_ipv4("1.2.3"));
        assert!(is_ipv6("2001:db8::1"));
        assert!(is_ipv6("::ffff:1.2.3.4"));
        assert!(!is_ipv6("2001:db8::1%eth0"));
        assert!(is_caa_value("0 issue \"letsencrypt.org\""));
        assert!(is_caa_value("128 iodef \"\""));
        assert!(!is_caa_value("1 issue \"x\""));
        assert!(is_srv_value("10 5060 sip.example.com"));
        assert!(!is_srv_value("10 65536 sip.example.com"));
        assert!(!is_srv_value("010 1 sip.example.com"));
        assert!(is_env_name("DATABASE_URL"));
        assert!(!is_env_name("1X"));
        assert!(is_txt_value("v=spf1 -all"));
        assert!(!is_txt_value(""));
    }
}
