//! The registrar: buying domains (`comwit_domain_registration`) and checking whether a name
//! can be bought, and at what price (`comwit_domain_availability`).

mod availability_data_source;
mod registration;
mod registration_list;

use std::sync::Arc;

use super::Shared;
use crate::api::ApiError;
use crate::provider::common::{api_error, api_error_at};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::Diagnostic;
use crate::tfplugin::diag::{AttributePath, Diagnostics};
use crate::tfplugin::resource::{DataSource, ListResource, Resource};
use crate::tfplugin::schema::{validators, Attribute, Validator};

/// The diagnostic of a failed registrar call. Registration is an extension (no public
/// route yet): a platform without it answers 404/405/501, which says what to do instead.
pub(super) fn registrar_error(action: &str, err: &ApiError) -> Diagnostics {
    registrar_error_at(action, err, &[])
}

/// [`registrar_error`], pointing at the attribute a refusal names.
pub(super) fn registrar_error_at(
    action: &str,
    err: &ApiError,
    fields: &[(&str, &str)],
) -> Diagnostics {
    if crate::api::registrar::is_missing_route(err) {
        let answer = err
            .status()
            .map_or_else(String::new, |s| format!(" (HTTP {s})"));
        return Diagnostic::error(
            "Domain registration is not available on this platform",
            format!(
                "Could not {action}: the platform does not offer the registrar route{answer}. \
                 Buying and renewing domains through the API is an extension that Comwit \
                 Cloud's public API does not have yet. Register the domain at a registrar (or \
                 in the Comwit console), then onboard it with `comwit_domain` and set the \
                 name servers it shows at the registrar; remove `comwit_domain_registration` \
                 and `data.comwit_domain_availability` from the configuration."
            ),
        )
        .into();
    }
    if fields.is_empty() {
        api_error(action, err)
    } else {
        api_error_at(action, err, fields)
    }
}

pub fn resources(shared: &Shared) -> Vec<Arc<dyn Resource>> {
    vec![Arc::new(registration::RegistrationResource::new(
        shared.clone(),
    ))]
}

pub fn data_sources(shared: &Shared) -> Vec<Arc<dyn DataSource>> {
    vec![Arc::new(
        availability_data_source::AvailabilityDataSource::new(shared.clone()),
    )]
}

/// The list resources (`terraform query`, Terraform 1.14+).
pub fn list_resources(shared: &Shared) -> Vec<Arc<dyn ListResource>> {
    vec![Arc::new(registration_list::RegistrationList::new(
        shared.clone(),
    ))]
}

/// The periods a domain can be registered for.
const MIN_YEARS: i64 = 1;
const MAX_YEARS: i64 = 10;

/// Whether `s` is a name a registrar sells: one lowercase label under a TLD (`example.com`).
pub fn is_registrable(s: &str) -> bool {
    let Some((label, tld)) = s.split_once('.') else {
        return false;
    };
    let label_ok = |l: &str, first_letter: bool| {
        let b = l.as_bytes();
        !b.is_empty()
            && b.len() <= 63
            && b.iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
            && (!first_letter || b[0].is_ascii_lowercase())
    };
    label_ok(label, false) && label_ok(tld, true)
}

/// The `domain` argument of the registrar's types.
fn registrable_domain_argument() -> Attribute {
    Attribute::string("domain")
        .required()
        .validator(registrable_validator())
}

fn registrable_validator() -> impl Validator {
    validators::custom_described(
        "a registrable domain: one lowercase label under a TLD, such as `example.com`",
        |value: &Value, path: &AttributePath, diags: &mut Diagnostics| {
            if let Some(s) = value.as_str() {
                if !is_registrable(s) {
                    diags.attribute_error(
                        path.clone(),
                        "Invalid domain",
                        format!(
                            "{s:?} cannot be registered: a registrar sells one label under a \
                             TLD, such as \"example.com\" (lowercase letters, digits and \
                             hyphens, without a trailing dot). Subdomains come with the \
                             domain: register \"example.com\" and add records or hostnames \
                             under it."
                        ),
                    );
                }
            }
        },
    )
}

/// The `years` argument: 1 to 10, 1 by default.
fn years_argument(description: &str) -> Attribute {
    Attribute::int64("years")
        .optional()
        .computed()
        .default(Value::int(MIN_YEARS))
        .validator(validators::int_between(MIN_YEARS, MAX_YEARS))
        .description(description)
}

/// An amount as the API writes it (`"12.00"`) in cents.
pub fn cents(amount: &str) -> Option<u64> {
    let (units, fraction) = amount.split_once('.')?;
    if fraction.len() != 2 || units.is_empty() {
        return None;
    }
    Some(units.parse::<u64>().ok()? * 100 + fraction.parse::<u64>().ok()?)
}

/// Cents as the API writes amounts.
pub fn amount(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// Cents as a Terraform number.
pub fn number(cents: u64) -> f64 {
    cents as f64 / 100.0
}

/// A Terraform number (a price limit) in whole cents, rounded down.
pub fn limit_cents(limit: f64) -> u64 {
    (limit * 100.0 + 1e-6).floor().max(0.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::error::StatusError;
    use crate::provider::common::FolderTypes;

    fn answered(status: u16, message: &str) -> ApiError {
        ApiError::Status(Box::new(StatusError {
            title: None,
            status,
            code: "NOT_FOUND".into(),
            message: message.into(),
            required_scope: None,
            field: None,
            details: serde_json::Value::Null,
            method: "POST".into(),
            path: "/v1/projects/p/registrations".into(),
        }))
    }

    #[test]
    fn a_platform_without_the_registrar_is_told_what_to_do_instead() {
        for err in [
            answered(404, "no such route on this platform (extensions are off)"),
            answered(404, "Not Found"),
            answered(405, "method not allowed"),
            answered(501, "not implemented"),
        ] {
            let text = registrar_error("buy shop.com", &err).to_string();
            assert!(
                text.contains("Domain registration is not available on this platform")
                    && text.contains("onboard it with `comwit_domain`"),
                "{text}"
            );
        }
        // A 404 that names the object is about the object, not the route.
        let text = registrar_error("read shop.com", &answered(404, "no registration shop.com"))
            .to_string();
        assert!(!text.contains("not available on this platform"), "{text}");
    }

    #[test]
    fn every_schema_is_well_defined_and_documents_its_scopes() {
        FolderTypes::new(resources, data_sources, list_resources).check(&[
            "comwit_domain_registration",
            "comwit_domain_availability",
            "comwit_domain_registration",
        ]);
    }

    #[test]
    fn registrable_names() {
        assert!(is_registrable("example.com"));
        assert!(is_registrable("my-shop2.io"));
        assert!(!is_registrable("www.example.com"));
        assert!(!is_registrable("Example.com"));
        assert!(!is_registrable("example"));
        assert!(!is_registrable("-x.com"));
        assert!(!is_registrable("x.1com"));
    }

    #[test]
    fn amounts() {
        assert_eq!(cents("12.00"), Some(1200));
        assert_eq!(cents("0.05"), Some(5));
        assert_eq!(cents("12"), None);
        assert_eq!(cents("12.5"), None);
        assert_eq!(amount(2598), "25.98");
        assert_eq!(number(2598), 25.98);
        assert_eq!(limit_cents(25.98), 2598);
        assert_eq!(limit_cents(20.0), 2000);
        assert_eq!(limit_cents(19.999), 1999);
    }
}
