//! `comwit_domain_availability`: whether a domain can be registered, and what it costs.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{
    cents, number, registrable_domain_argument, registrar_error, years_argument, MIN_YEARS,
};
use crate::provider::common::call;
use crate::tfplugin::cty::{Type, Value};
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, DataSource};
use crate::tfplugin::schema::{Attribute, Block, Schema};

provider_type!(AvailabilityDataSource, "comwit_domain_availability");

/// The configuration (`domain`, `years`) and the registrar's answer.
#[derive(Debug, Default, Serialize, Deserialize)]
struct AvailabilityModel {
    domain: String,
    years: Option<i64>,
    available: Option<bool>,
    reason: Option<String>,
    premium: Option<bool>,
    currency: Option<String>,
    price_per_year: Option<f64>,
    price: Option<f64>,
    periods: Option<Vec<i64>>,
}

fn schema() -> Schema {
    Schema::new(
        Block::from_attributes(vec![
            registrable_domain_argument().description(
                "The domain to check: one lowercase label under a TLD, such as `example.com`.",
            ),
            years_argument(
                "The registration period to price, 1 to 10 years (default 1): `price` is the \
                 total for it.",
            ),
            Attribute::bool("available")
                .computed()
                .description("Whether the domain can be registered now."),
            Attribute::string("reason").computed().description(
                "Why it cannot: `taken` (registered already, by anyone, or onboarded on the \
                 platform) or `unsupported_tld` (the registrar does not sell names under its \
                 TLD); null when it is available.",
            ),
            Attribute::bool("premium").computed().description(
                "Whether the domain is a premium name, sold at a higher price than its TLD's.",
            ),
            Attribute::string("currency").computed().description(
                "The currency of the prices (ISO 4217, such as `USD`); null when not available.",
            ),
            Attribute::number("price_per_year")
                .computed()
                .description("The price of one year; null when not available."),
            Attribute::number("price").computed().description(
                "The total for `years` (`price_per_year` times `years`): what \
                 `comwit_domain_registration` would charge; null when not available.",
            ),
            Attribute::list("periods", Type::Number)
                .computed()
                .description(
                "The numbers of years the domain can be registered for (empty when not available).",
            ),
        ])
        .description(
            "Asks the registrar whether a domain can be registered and at what price, without \
             buying anything. `comwit_domain_registration` does the same check when it plans, \
             so its plan shows the price it will charge; this data source is for looking \
             before writing the resource, or for outputs and checks.\n\n\
             **Token scopes:** `domain:read`.",
        ),
    )
}

#[async_trait]
impl DataSource for AvailabilityDataSource {
    type_metadata!();

    async fn read(&self, ctx: &mut Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let mut m: AvailabilityModel = model::get(config)?;
        let years = m.years.unwrap_or(MIN_YEARS);
        let a = call(ctx, configured.client.check_availability(&m.domain))
            .await
            .map_err(|e| {
                registrar_error(&format!("check whether {} can be registered", m.domain), &e)
            })?;
        let per_year = a.price_per_year.as_deref().and_then(cents);
        m.years = Some(years);
        m.available = Some(a.available);
        m.reason = a.reason;
        m.premium = Some(a.premium);
        m.currency = a.currency;
        m.price_per_year = per_year.map(number);
        m.price = per_year.map(|c| number(c * years as u64));
        m.periods = Some(a.periods);
        model::value_of(&m, &self.schema)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<AvailabilityModel>(&schema());
    }
}
