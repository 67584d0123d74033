//! The registrar: availability checks and domain registrations (purchases).
//!
//! comwit-local plays a deterministic registrar: a price list per TLD (USD), names that are
//! taken (the first label starts with `taken`, a few reserved names, and every domain already
//! registered or onboarded on this platform), and premium names at twenty times the price
//! (the first label starts with `premium`, or has at most three characters). A registration is
//! `registering` for `--domain-delay`, then `registered`; it is never deleted (only its
//! auto-renewal turned off), and it makes the domain a project domain delegated to Comwit, at
//! once: the domain turns `active` when the registration turns `registered`.

use std::collections::HashMap;

use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::idempotency::Stored;
use super::validate::{
    is_hostname, is_registrable, RegistrationInput, RegistrationUpdate, REGISTRATION_YEARS,
};
use super::{by_name, Table, Tx};
use crate::local::error::{ApiError, ApiResult};
use crate::local::{ids, store};

/// The yearly price of a name under each TLD, in cents (USD).
pub const TLD_PRICES: &[(&str, u64)] = &[
    ("com", 1200),
    ("net", 1400),
    ("org", 1300),
    ("io", 3900),
    ("dev", 1500),
    ("app", 1800),
    ("cloud", 2400),
];

/// The currency of every price.
pub const CURRENCY: &str = "USD";

/// How much more a premium name costs.
pub const PREMIUM_FACTOR: u64 = 20;

/// Names that are never available.
const RESERVED: &[&str] = &[
    "example.com",
    "example.net",
    "example.org",
    "comwit.app",
    "comwit.io",
];

/// What the registrar says about one name.
#[derive(Debug, Serialize)]
pub struct Availability {
    pub domain: String,
    pub available: bool,
    /// `taken` or `unsupported_tld` when not available.
    pub reason: Option<&'static str>,
    pub premium: bool,
    pub currency: Option<&'static str>,
    pub price_per_year: Option<String>,
    /// The numbers of years a registration may be bought for.
    pub periods: Vec<i64>,
}

/// Cents as the API writes amounts: `1200` is `12.00`.
pub fn amount(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// The yearly price (cents) and whether the name is premium, by the rules alone (not whether
/// it is taken); `None` for a TLD the registrar does not sell.
pub fn list_price(domain: &str) -> Option<(u64, bool)> {
    let (label, tld) = domain.split_once('.')?;
    let base = TLD_PRICES.iter().find(|(t, _)| *t == tld)?.1;
    let premium = label.starts_with("premium") || label.len() <= 3;
    Some((if premium { base * PREMIUM_FACTOR } else { base }, premium))
}

/// Whether `domain` is registered or onboarded on this platform (or overlaps such a domain).
fn in_use(t: &Tx<'_>, domain: &str) -> ApiResult<bool> {
    let registered = store::exists(t, "SELECT 1 FROM registrations WHERE domain = ?1", [domain])?;
    let onboarded = store::exists(
        t,
        "SELECT 1 FROM domains
         WHERE domain = ?1
            OR substr(?1, -length(domain) - 1) = '.' || domain
            OR substr(domain, -length(?1) - 1) = '.' || ?1",
        [domain],
    )?;
    Ok(registered || onboarded)
}

/// The registrar's answer for a registrable `domain`.
fn quote(t: &Tx<'_>, domain: &str) -> ApiResult<Availability> {
    let mut a = Availability {
        domain: domain.to_string(),
        available: false,
        reason: None,
        premium: false,
        currency: None,
        price_per_year: None,
        periods: Vec::new(),
    };
    let Some((cents, premium)) = list_price(domain) else {
        a.reason = Some("unsupported_tld");
        return Ok(a);
    };
    let label = domain.split('.').next().unwrap_or_default();
    if label.starts_with("taken") || RESERVED.contains(&domain) || in_use(t, domain)? {
        a.reason = Some("taken");
        return Ok(a);
    }
    a.available = true;
    a.premium = premium;
    a.currency = Some(CURRENCY);
    a.price_per_year = Some(amount(cents));
    a.periods = REGISTRATION_YEARS.collect();
    Ok(a)
}

/// `?domain=` -> `{"availability":{...}}` (the extension is shaped like its neighbours:
/// single answers are enveloped).
pub fn availability(t: &Tx<'_>, q: &HashMap<String, String>) -> ApiResult<Value> {
    let domain = match q.get("domain") {
        None => return Err(ApiError::invalid("domain", "`domain` is required")),
        Some(d) if !is_registrable(d) => {
            return Err(ApiError::invalid(
                "domain",
                "not a registrable domain: one lowercase label under a TLD, such as \
                     example.com",
            ))
        }
        Some(d) => d.clone(),
    };
    Ok(json!({ "availability": quote(t, &domain)? }))
}

#[derive(Serialize, Deserialize)]
pub struct Registration {
    pub domain: String,
    pub project_id: String,
    pub years: i64,
    #[serde(deserialize_with = "store::sql_bool")]
    pub auto_renew: bool,
    /// The total paid for `years`.
    pub price: String,
    pub currency: String,
    #[serde(deserialize_with = "store::sql_bool")]
    pub premium: bool,
    #[serde(rename(deserialize = "registered_at_ms"), deserialize_with = "status")]
    pub status: String,
    pub created_at: String,
    pub expires_at: String,
}

store::reached_status!(status: "registered", else "registering");

pub static REGISTRATIONS: Table<Registration> = Table {
    select: "SELECT seq, domain, project_id, years, auto_renew, price, currency, premium,
                    registered_at_ms, created_at, expires_at FROM registrations
             WHERE project_id = ?1",
    key: "domain",
    within: "registered in project",
    valid: |d| is_hostname(d, 253),
    row: by_name,
};

/// `years` after the time `ms`, on the same day (28 February for 29 February).
fn years_later(ms: i64, years: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let year = t.year() + years as i32;
    let later = t
        .replace_year(year)
        .or_else(|_| t.replace_day(28).and_then(|t| t.replace_year(year)))
        .unwrap_or(t);
    ids::rfc3339((later.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// `{"registration":{...}}`, the envelope of the extension's single answers.
fn enveloped(r: Registration) -> Value {
    json!({ "registration": r })
}

/// `{"registrations":[...]}`, whole.
pub fn list(t: &Tx<'_>, project_id: &str) -> ApiResult<Value> {
    Ok(json!({ "registrations": REGISTRATIONS.all(t, project_id)? }))
}

/// Buys `input.domain` at the price the caller expects (409 `price_changed` otherwise), and
/// makes it a project domain delegated to Comwit: 201 `{"registration":{...}}`.
pub fn register(t: &Tx<'_>, project_id: &str, input: RegistrationInput) -> ApiResult<Stored> {
    let domain = &input.domain;
    let quote = quote(t, domain)?;
    let Some(per_year) = quote.price_per_year.as_deref().filter(|_| quote.available) else {
        let reason = quote.reason.unwrap_or("taken");
        let why = match reason {
            "unsupported_tld" => "the registrar does not sell names under its TLD",
            _ => "it is registered already",
        };
        return Err(ApiError::conflict(
            "domain_unavailable",
            format!("{domain} cannot be registered: {why}"),
        )
        .with_details(json!({ "domain": domain, "reason": reason })));
    };
    let (cents, premium) = list_price(domain).unwrap_or((0, false));
    let price = amount(cents * input.years as u64);
    if input.expected_price != price || input.currency != CURRENCY {
        return Err(ApiError::conflict(
            "price_changed",
            format!(
                "registering {domain} for {} year(s) costs {price} {CURRENCY}, not the \
                     expected {} {}; check the availability again and confirm the new price",
                input.years, input.expected_price, input.currency
            ),
        )
        .with_details(json!({
            "price": price,
            "currency": CURRENCY,
            "price_per_year": per_year,
            "years": input.years,
        })));
    }
    let now = ids::now_ms();
    let registered_at = now + t.settings.domain_activation_delay.as_millis() as i64;
    t.execute(
        "INSERT INTO registrations (domain, project_id, years, auto_renew, price, currency,
                                        premium, created_at, registered_at_ms, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            domain,
            project_id,
            input.years,
            input.auto_renew,
            price,
            CURRENCY,
            premium,
            ids::rfc3339(now),
            registered_at,
            years_later(registered_at, input.years)
        ],
    )?;
    // The domain is the project's at once, delegated to Comwit by the registrar itself:
    // active as soon as it is registered.
    super::domains::insert(t, domain, project_id, now, registered_at)?;
    let location = format!("/v1/projects/{project_id}/registrations/{domain}");
    let r = REGISTRATIONS.get(t, project_id, domain)?;
    Ok(Stored::created(location, enveloped(r)))
}

/// `{"registration":{...}}`.
pub fn get(t: &Tx<'_>, project_id: &str, domain: &str) -> ApiResult<Value> {
    Ok(enveloped(REGISTRATIONS.get(t, project_id, domain)?))
}

/// Turns auto-renewal on or off (a registration is never deleted).
pub fn update(
    t: &Tx<'_>,
    project_id: &str,
    domain: &str,
    input: RegistrationUpdate,
) -> ApiResult<Value> {
    let r = REGISTRATIONS.change(t, project_id, domain, |_| {
        t.execute(
            "UPDATE registrations SET auto_renew = ?1 WHERE domain = ?2",
            params![input.auto_renew, domain],
        )?;
        Ok(())
    })?;
    Ok(enveloped(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_follow_the_list() {
        assert_eq!(list_price("quickstart.com"), Some((1200, false)));
        assert_eq!(list_price("premium-shop.io"), Some((78000, true)));
        assert_eq!(list_price("abc.dev"), Some((30000, true)));
        assert_eq!(list_price("something.zz"), None);
        assert_eq!(amount(2400), "24.00");
        assert_eq!(amount(5), "0.05");
    }

    #[test]
    fn expiry_is_years_later() {
        // 2024-02-29T12:00:00Z
        let leap = 1_709_208_000_000;
        assert_eq!(years_later(leap, 1), "2025-02-28T12:00:00Z");
        assert_eq!(years_later(leap, 4), "2028-02-29T12:00:00Z");
    }
}
