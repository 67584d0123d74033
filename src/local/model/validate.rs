//! Every rule comwit-local holds requests to: names, hostnames, record values, list parameters,
//! deploy bundles, and the typed request bodies with the rules of their fields. The provider
//! has validators of its own (`src/provider`); the two are kept apart on purpose, so that each
//! checks the other.

use std::collections::HashSet;

use axum::http::{header, HeaderMap};
use serde::de::{self, DeserializeOwned, Deserializer};
use serde::Deserialize;
use serde_json::Value;

use super::json;
use crate::local::error::{ApiError, ApiResult};

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
    s.len() >= 3 && s.len() <= max && labels_ok(s, false)
}

/// A target hostname in a record value (CNAME, MX, SRV): like a hostname, `_` allowed except in
/// the last label.
pub fn is_target_hostname(s: &str) -> bool {
    s.len() <= 253 && labels_ok(s, true)
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
    parts.len() == 3 && is_u16_text(parts[0]) && is_u16_text(parts[1]) && labels_ok(parts[2], true)
}

/// Two or more labels (`underscore`: with `_` but in the last), the last a top-level label.
fn labels_ok(s: &str, underscore: bool) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    labels.len() >= 2
        && labels[..labels.len() - 1]
            .iter()
            .all(|l| is_host_label(l, underscore))
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

// ---------- request bodies ----------
//
// Each body is a serde struct read by `json::from_value` (unknown fields first, then the fields
// in declaration order, each through its rule below); `Body::check` then applies the rules that
// need more than one field, reading the fields whose rules depend on another one. The first
// refusal is the one reported, so the order of the rules is part of the contract's behaviour.

/// A request body and the rules across its fields.
pub trait Body: DeserializeOwned {
    /// What a handler gets once every rule holds.
    type Valid;
    /// Fields whose rules come before the others'.
    const FIRST: &'static [&'static str] = &[];
    fn check(self) -> ApiResult<Self::Valid>;
}

/// Read a body of type `B` from parsed JSON.
pub fn body<B: Body>(v: Value) -> ApiResult<B::Valid> {
    json::from_value::<B>(v, B::FIRST)?.check()
}

/// Bodies whose rules are all rules of single fields.
macro_rules! field_rules_only {
    ($($t:ty),* $(,)?) => {$(
        impl Body for $t {
            type Valid = Self;
            fn check(self) -> ApiResult<Self> {
                Ok(self)
            }
        }
    )*};
}

field_rules_only!(
    ProjectInput,
    DatabaseInput,
    AppCreate,
    DomainInput,
    RollbackInput,
    RegistrationInput,
    RegistrationUpdate,
    DatabaseTokenInput,
    DatabaseTokenRenew,
    StorageInput,
    PublicAccessInput
);

/// `POST /v1/projects`, `PATCH /v1/projects/{project_id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectInput {
    #[serde(deserialize_with = "project_name")]
    pub name: String,
}

/// `POST .../databases`: `{"name"}`; newer CLIs add `"authentication":"comwit"` (the only
/// value comwit-local knows for a create).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseInput {
    #[serde(deserialize_with = "database_name")]
    pub name: String,
    #[serde(default, deserialize_with = "database_authentication")]
    pub authentication: Option<String>,
    /// A seed: the SQLite file the create announces (see [`super::seeds`]).
    #[serde(default)]
    pub source: Option<SeedSource>,
}

/// `source` of a seeded create: `{"type":"sqlite_file","content_length","sha256"}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSource {
    #[serde(rename = "type")]
    pub kind: String,
    pub content_length: i64,
    pub sha256: String,
}

fn database_authentication<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    let v = Option::<String>::deserialize(d)?;
    match v.as_deref() {
        None | Some("comwit") => Ok(v),
        Some(other) => Err(serde::de::Error::custom(format!(
            "authentication {other:?} is not known here; send \"comwit\" or leave it out"
        ))),
    }
}

/// `POST .../storages`: `{"name", "public", "location_hint"}` as the official CLI sends it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageInput {
    #[serde(deserialize_with = "bucket_name")]
    pub name: String,
    /// Absent reads as false (the CLI always sends it).
    #[serde(default)]
    pub public: Option<bool>,
    #[serde(default)]
    pub location_hint: Option<String>,
}

/// `PUT .../storages/{storage_id}/public-access`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicAccessInput {
    pub enabled: bool,
}

/// A storage's name is its R2 bucket's: 3-63 lowercase letters, digits and hyphens, a letter
/// or digit at both ends (R2's rule; the Comwit material states none of its own).
pub fn is_bucket_name(name: &str) -> bool {
    let b = name.as_bytes();
    (3..=63).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

fn bucket_name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    ruled(d, |v: String| {
        if is_bucket_name(&v) {
            Ok(v)
        } else {
            Err(
                "not a valid bucket name: 3 to 63 lowercase letters, digits and hyphens, \
                 beginning and ending with a letter or digit"
                    .into(),
            )
        }
    })
}

/// `POST .../apps`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppCreate {
    #[serde(deserialize_with = "app_name")]
    pub name: String,
}

/// `POST .../domains`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainInput {
    #[serde(deserialize_with = "domain")]
    pub domain: String,
    /// Only `route53_delegated` is public.
    #[serde(default, deserialize_with = "domain_dns_mode")]
    pub dns_mode: Option<String>,
}

fn domain_dns_mode<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(m) if m == "route53_delegated" => Ok(Some(m)),
        Some(_) => Err(de::Error::custom("dns_mode must be `route53_delegated`")),
    }
}

/// Longest app hostname, so that `_comwit-challenge.<hostname>` fits in 253.
pub const MAX_APP_HOSTNAME: usize = 235;

/// `POST .../apps/{app_id}/hostnames`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachInput {
    /// The hostname (`domain` on the wire).
    #[serde(rename = "domain", deserialize_with = "app_hostname")]
    pub hostname: String,
    /// `dns_mode`: `managed_project_domain` (true) or `external_records` (the default).
    #[serde(rename = "dns_mode", default, deserialize_with = "dns_mode")]
    pub automatic: bool,
}

impl Body for AttachInput {
    type Valid = Self;
    fn check(self) -> ApiResult<Self> {
        Ok(self)
    }
}

/// `POST .../apps/{app_id}/rollback`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollbackInput {
    #[serde(deserialize_with = "build_id")]
    pub build_id: String,
}

/// The periods a domain can be registered for, in years.
pub const REGISTRATION_YEARS: std::ops::RangeInclusive<i64> = 1..=10;

/// A name a registrar sells: one label under a TLD (`example.com`), lowercase.
pub fn is_registrable(s: &str) -> bool {
    is_hostname(s, 253) && s.split('.').count() == 2
}

/// An amount of money as the API writes it: digits, a point and two decimals (`12.00`).
pub fn is_amount(s: &str) -> bool {
    match s.split_once('.') {
        Some((units, cents)) => {
            !units.is_empty()
                && units.len() <= 9
                && cents.len() == 2
                && units
                    .bytes()
                    .chain(cents.bytes())
                    .all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// `POST .../registrations`: buy `domain` for `years` at the price the caller was shown.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationInput {
    #[serde(deserialize_with = "registrable_domain")]
    pub domain: String,
    #[serde(deserialize_with = "registration_years")]
    pub years: i64,
    pub auto_renew: bool,
    /// The total the caller expects to pay for `years` (what the availability check showed).
    #[serde(deserialize_with = "amount")]
    pub expected_price: String,
    #[serde(deserialize_with = "currency")]
    pub currency: String,
}

/// `PATCH .../registrations/{domain}`: the renewal setting.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationUpdate {
    pub auto_renew: bool,
}

/// How long a database token lives, in seconds: its bounds and its default.
pub const TOKEN_LIFETIME: std::ops::RangeInclusive<i64> = 60..=31_536_000;
pub const TOKEN_LIFETIME_DEFAULT: i64 = 3600;

/// What a database token may do on the data plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenAccess {
    FullAccess,
    ReadOnly,
}

impl TokenAccess {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenAccess::FullAccess => "full_access",
            TokenAccess::ReadOnly => "read_only",
        }
    }

    pub fn parse(s: &str) -> Option<TokenAccess> {
        match s {
            "full_access" => Some(TokenAccess::FullAccess),
            "read_only" => Some(TokenAccess::ReadOnly),
            _ => None,
        }
    }
}

/// `POST .../databases/{database_id}/tokens`: both fields optional (full access, one hour).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseTokenInput {
    #[serde(default, deserialize_with = "token_access")]
    pub access: Option<TokenAccess>,
    #[serde(default, deserialize_with = "token_lifetime")]
    pub expires_in: Option<i64>,
}

/// `POST .../tokens/{token_id}/renew`: the new lifetime from now (default one hour).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseTokenRenew {
    #[serde(default, deserialize_with = "token_lifetime")]
    pub expires_in: Option<i64>,
}

fn token_access<'de, D: Deserializer<'de>>(d: D) -> Result<Option<TokenAccess>, D::Error> {
    let v = Option::<String>::deserialize(d)?;
    v.map(|s| {
        TokenAccess::parse(&s)
            .ok_or_else(|| de::Error::custom("access must be `full_access` or `read_only`"))
    })
    .transpose()
}

fn token_lifetime<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    ruled_opt(d, |v: i64| {
        if TOKEN_LIFETIME.contains(&v) {
            Ok(v)
        } else {
            Err(format!(
                "`expires_in` must be between {} and {} seconds",
                TOKEN_LIFETIME.start(),
                TOKEN_LIFETIME.end()
            ))
        }
    })
}

fn registrable_domain<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    ruled(d, |v: String| {
        if is_registrable(&v) {
            Ok(v)
        } else {
            Err(
                "not a registrable domain: one lowercase label under a TLD, such as example.com"
                    .into(),
            )
        }
    })
}

fn registration_years<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    ruled(d, |v: i64| {
        if REGISTRATION_YEARS.contains(&v) {
            Ok(v)
        } else {
            Err("`years` must be between 1 and 10".into())
        }
    })
}

fn amount<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    ruled(d, |v: String| {
        if is_amount(&v) {
            Ok(v)
        } else {
            Err("an amount is digits, a point and two decimals, such as \"24.00\"".into())
        }
    })
}

fn currency<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    ruled(d, |v: String| {
        if v.len() == 3 && v.bytes().all(|c| c.is_ascii_uppercase()) {
            Ok(v)
        } else {
            Err("a currency is an ISO 4217 code, such as USD".into())
        }
    })
}

/// The record types a zone takes.
pub const RECORD_TYPES: [&str; 6] = ["A", "AAAA", "CNAME", "TXT", "MX", "A_ALIAS"];

/// `POST .../records`, `PUT .../records/{record_id}`. `type` is checked first; `values`,
/// `ttl` and `priority` are read in [`Body::check`], since the rules of the first and the last
/// depend on the type.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordInput {
    #[serde(deserialize_with = "record_name")]
    pub name: String,
    #[serde(rename = "type", deserialize_with = "record_type")]
    pub rtype: String,
    pub values: Option<Value>,
    pub ttl: Option<Value>,
}

/// A record as a request gives it, every rule checked.
pub struct Record {
    /// As given: relative, full, or `@` (see [`full_name`]).
    pub name: String,
    pub rtype: String,
    pub values: Vec<String>,
    pub ttl: i64,
}

/// An MX value: a preference (0 to 65535), a space, a mail server hostname.
fn is_mx_value(v: &str) -> bool {
    match v.split_once(' ') {
        Some((p, host)) => p.parse::<u16>().is_ok() && is_target_hostname(host),
        None => false,
    }
}

impl Body for RecordInput {
    type Valid = Record;
    const FIRST: &'static [&'static str] = &["type"];
    fn check(self) -> ApiResult<Record> {
        let rtype = self.rtype;
        // 1 to 32 values (a CNAME: one), counted before any is read.
        let max = if rtype == "CNAME" { 1 } else { 32 };
        if let Some(Value::Array(items)) = &self.values {
            if items.is_empty() || items.len() > max {
                return Err(ApiError::invalid(
                    "values",
                    format!("`values` must hold between 1 and {max} items"),
                ));
            }
        }
        let values: Vec<String> = json::field("", "values", self.values)?;
        let (check, what): (fn(&str) -> bool, &str) = match rtype.as_str() {
            "A" => (is_ipv4, "an IPv4 address"),
            "AAAA" => (is_ipv6, "an IPv6 address"),
            "CNAME" | "A_ALIAS" => (is_target_hostname, "a lowercase hostname"),
            "MX" => (
                is_mx_value,
                "`<preference> <hostname>`, such as \"10 mail.example.com\"",
            ),
            _ => (is_txt_value, "1 to 1024 printable ASCII characters"),
        };
        let mut seen = HashSet::new();
        for (i, v) in values.iter().enumerate() {
            if !check(v) {
                return Err(ApiError::invalid(
                    format!("values[{i}]"),
                    format!("a {rtype} value must be {what}"),
                ));
            }
            if !seen.insert(v.as_str()) {
                return Err(ApiError::invalid(
                    format!("values[{i}]"),
                    "values must be distinct",
                ));
            }
        }
        let ttl = match json::field::<Option<i64>>("", "ttl", self.ttl)? {
            Some(ttl) => in_range("ttl", ttl, 60, 86400)?,
            None => return Err(ApiError::invalid("ttl", "`ttl` is required")),
        };
        Ok(Record {
            name: self.name,
            rtype,
            values,
            ttl,
        })
    }
}

fn in_range(key: &str, v: i64, min: i64, max: i64) -> ApiResult<i64> {
    if (min..=max).contains(&v) {
        Ok(v)
    } else {
        Err(ApiError::invalid(
            key,
            format!("`{key}` must be between {min} and {max}"),
        ))
    }
}

/// The full name of a request's record name inside `domain`.
pub fn full_name(name: &str, domain: &str) -> ApiResult<String> {
    let full = if name == "@" {
        domain.to_string()
    } else if is_within(name, domain) {
        name.to_string()
    } else {
        format!("{name}.{domain}")
    };
    if full.len() > 253 {
        return Err(ApiError::invalid(
            "name",
            "the full record name is longer than 253 characters",
        ));
    }
    Ok(full)
}

// ---------- the rules of single fields (`deserialize_with`) ----------

/// A field read as `T` and then held to `rule`, whose refusal is the field's message.
fn ruled<'de, D, T>(d: D, rule: impl FnOnce(T) -> Result<T, String>) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    rule(T::deserialize(d)?).map_err(de::Error::custom)
}

/// [`ruled`] for an optional field: absent is `None`, null refused.
fn ruled_opt<'de, D, T>(
    d: D,
    rule: impl FnOnce(T) -> Result<T, String>,
) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d)?
        .map(rule)
        .transpose()
        .map_err(de::Error::custom)
}

fn label(what: &str) -> impl FnOnce(String) -> Result<String, String> + '_ {
    move |v| {
        if is_label(&v) {
            Ok(v)
        } else {
            Err(format!(
                "a {what} name must be a DNS label: 1-63 characters of a-z, 0-9 and '-', starting with a letter and not ending with '-'"
            ))
        }
    }
}

fn project_name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    ruled(d, label("project"))
}

fn database_name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    ruled(d, label("database"))
}

fn app_name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    ruled(d, label("app"))
}

fn domain<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    ruled(d, |v: String| {
        if !is_hostname(&v, 253) {
            Err("not a valid domain name: lowercase, two or more labels".into())
        } else if is_within(&v, APPS_DOMAIN) {
            Err(format!("{APPS_DOMAIN} belongs to the platform"))
        } else {
            Ok(v)
        }
    })
}

fn app_hostname<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    ruled(d, |v: String| {
        if !is_hostname(&v, MAX_APP_HOSTNAME) {
            Err(format!("not a valid hostname: lowercase, two or more labels, at most {MAX_APP_HOSTNAME} characters"))
        } else if is_within(&v, APPS_DOMAIN) {
            Err(format!(
                "hostnames under {APPS_DOMAIN} belong to the platform"
            ))
        } else {
            Ok(v)
        }
    })
}

/// `external_records` (Manual DNS) is the documented default: an absent `dns_mode` is that.
fn dns_mode<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    match Option::<String>::deserialize(d)?.as_deref() {
        None | Some("external_records") => Ok(false),
        Some("managed_project_domain") => Ok(true),
        _ => Err(de::Error::custom(
            "dns_mode must be `external_records` or `managed_project_domain`",
        )),
    }
}

fn build_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    ruled(d, |v: String| {
        // IDs are opaque: an unknown one is a 404, not a 400.
        if !v.is_empty() {
            Ok(v)
        } else {
            Err("build_id must not be empty".into())
        }
    })
}

fn record_type<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    ruled(d, |v: String| {
        if RECORD_TYPES.contains(&v.as_str()) {
            Ok(v)
        } else {
            Err(format!("type must be one of {}", RECORD_TYPES.join(", ")))
        }
    })
}

fn record_name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    ruled(d, |v: String| {
        if is_record_name_input(&v) {
            Ok(v)
        } else {
            Err("not a valid record name: a full or relative name (labels of a-z, 0-9, '-', '_'; an optional leading '*'), or '@'".into())
        }
    })
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

    /// The field and message of a body's first refusal.
    fn refusal<B: Body>(v: Value) -> (String, String) {
        match body::<B>(v) {
            Ok(_) => panic!("accepted"),
            Err(e) => (e.field.clone().unwrap_or_default(), e.message.clone()),
        }
    }

    #[test]
    fn bodies_report_their_first_refusal() {
        use serde_json::json;
        let field = |(f, _): (String, String)| f;
        assert_eq!(field(refusal::<AppCreate>(json!({"name": "Bad"}))), "name");
        let record = |v| field(refusal::<RecordInput>(v));
        assert_eq!(record(json!({"name": "BAD", "type": "NS"})), "type");
        assert_eq!(
            record(json!({"type": "A", "values": ["x"], "ttl": 5})),
            "name"
        );
        assert_eq!(
            record(json!({"name": "a", "type": "A", "values": ["bad"], "ttl": 5})),
            "values[0]"
        );
        assert_eq!(
            record(json!({"name": "a", "type": "CNAME", "values": ["a.example.com", 5]})),
            "values"
        );
        assert_eq!(
            record(json!({"name": "a", "type": "MX", "values": ["10 mx.example.com"], "ttl": "x"})),
            "ttl"
        );
        // An MX value carries its preference.
        assert_eq!(
            record(json!({"name": "a", "type": "MX", "values": ["mx.example.com"], "ttl": 300})),
            "values[0]"
        );
        assert_eq!(
            refusal::<RecordInput>(json!({"ttl": "x", "name": "a", "type": "A", "comment": 1})),
            (
                "comment".into(),
                "comment: unknown field `comment`; allowed: name, type, values, ttl".into()
            )
        );
        // The detail names the field (the platform's 400 carries no field member).
        assert_eq!(
            refusal::<RecordInput>(json!({"name": "a", "type": "A", "values": ["192.0.2.1"]})),
            ("ttl".into(), "ttl: `ttl` is required".into())
        );
        let attach = |v| field(refusal::<AttachInput>(v));
        assert_eq!(
            attach(json!({"domain": "x.comwit.app", "dns_mode": "dns"})),
            "domain"
        );
        assert_eq!(
            attach(json!({"domain": "www.example.com", "dns_mode": "manual"})),
            "dns_mode"
        );
        assert_eq!(
            attach(
                json!({"domain": "www.example.com", "dns_mode": "external_records", "hostname": "x"})
            ),
            "hostname"
        );
        assert!(body::<AttachInput>(json!({"domain": "www.example.com"})).is_ok());
    }
}
