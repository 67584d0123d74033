//! Registrar purchase: an **extension**. The seed names the scope `domain:purchase`, but no
//! purchase route is public; comwit-local serves these routes (shaped like their neighbours)
//! unless started with `--no-extensions`. The provider says so clearly on 404, 405 and 501.

use serde::{Deserialize, Serialize};

use super::endpoints::{seg, Listing, Located};
use super::{ApiError, Client};

/// The registrar's answer for one name (`GET /v1/registrar/availability`). Amounts are
/// decimal strings with two decimals (`"12.00"`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Availability {
    pub domain: String,
    pub available: bool,
    /// `taken` or `unsupported_tld` when not available.
    pub reason: Option<String>,
    pub premium: bool,
    pub currency: Option<String>,
    pub price_per_year: Option<String>,
    pub periods: Vec<i64>,
}

/// A domain bought through the registrar. `price` is the total charged for `years`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Registration {
    pub domain: String,
    pub project_id: String,
    pub years: i64,
    pub auto_renew: bool,
    pub price: String,
    pub currency: String,
    pub premium: bool,
    pub status: String,
    pub created_at: String,
    pub expires_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegistrationCreate<'a> {
    pub domain: &'a str,
    pub years: i64,
    pub auto_renew: bool,
    /// The total for `years` the caller agreed to (the availability price times `years`).
    pub expected_price: &'a str,
    pub currency: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegistrationUpdate {
    pub auto_renew: bool,
}

impl Located for Registration {
    const KEY: &'static str = "registration";
    fn id(&self) -> &str {
        &self.domain
    }
    fn listing(&self) -> Listing {
        Listing {
            path: format!("/v1/projects/{}/registrations", seg(&self.project_id)),
            key: "registrations",
            id_field: "domain",
        }
    }
}

/// Whether a registrar call was refused because the platform has no such route (404 on the
/// route itself, 405 or 501): the extension is missing, not the object.
pub fn is_missing_route(e: &ApiError) -> bool {
    match e.as_status() {
        Some(s) if s.status == 405 || s.status == 501 => true,
        // A 404 of a missing route, not of a missing registration: comwit-local's and most
        // routers' fallback says "no such resource"/"not found" with no object named.
        Some(s) if s.status == 404 => {
            let m = s.message.to_ascii_lowercase();
            m.contains("no such resource")
                || m.contains("no such route")
                || m.contains("no route")
                || m == "not found"
        }
        _ => false,
    }
}

impl Client {
    /// The project's registrations as one page, for the list resource.
    pub fn registration_pages(&self, project_id: &str) -> super::Pages<'_, Registration> {
        self.whole_list(
            format!("/v1/projects/{}/registrations", seg(project_id)),
            "registrations",
        )
    }
    // ---- registrar
    fn registration_path(project_id: &str, domain: &str) -> String {
        format!(
            "/v1/projects/{}/registrations/{}",
            seg(project_id),
            seg(domain)
        )
    }
    /// Whether `domain` can be registered, and at what price.
    /// (An extension: its answer is read enveloped, `{"availability":{...}}`, or flat.)
    pub async fn check_availability(&self, domain: &str) -> Result<Availability, ApiError> {
        self.get_one(
            &format!("/v1/registrar/availability?domain={}", seg(domain)),
            "availability",
        )
        .await
    }
    pub async fn list_registrations(
        &self,
        project_id: &str,
    ) -> Result<Vec<Registration>, ApiError> {
        self.list_of(
            &format!("/v1/projects/{}/registrations", seg(project_id)),
            "registrations",
        )
        .await
    }
    /// Buys a domain. Sent through [`Client::create`]: a purchase whose answer was lost is
    /// answered by the platform's replay (and adopted) when it is sent again, never bought twice.
    pub async fn register_domain(
        &self,
        project_id: &str,
        body: &RegistrationCreate<'_>,
    ) -> Result<Registration, ApiError> {
        self.create(
            &format!("/v1/projects/{}/registrations", seg(project_id)),
            body,
        )
        .await
    }
    pub async fn get_registration(
        &self,
        project_id: &str,
        domain: &str,
    ) -> Result<Registration, ApiError> {
        self.get_one(&Self::registration_path(project_id, domain), "registration")
            .await
    }
    pub async fn set_auto_renew(
        &self,
        project_id: &str,
        domain: &str,
        auto_renew: bool,
    ) -> Result<Registration, ApiError> {
        let path = Self::registration_path(project_id, domain);
        let answer: serde_json::Value = self
            .patch(&path, &RegistrationUpdate { auto_renew })
            .await?;
        super::endpoints::unwrap_one(answer, "registration", &path)
    }
}
