//! Where each route comes from: the public platform (documented, or what the official CLI
//! sends), an extension of ours (a capability the product names that has no public route), or
//! comwit-local itself. The request log counts requests by source, so a test can prove that a
//! run used nothing outside the public contract, and `--no-extensions` answers every extension
//! route as a platform without it would: 404.

use axum::http::Method;

/// Where a route is known from (`x-comwit-source` in docs/api/openapi.yaml).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// In the platform's public documentation.
    Documented,
    /// Sent by the official CLI (`burrr-ai/comwit-cli`); not in the documentation pages.
    OfficialCli,
    /// Not public: a capability the product names, served here behind `--no-extensions`.
    Extension,
    /// comwit-local's own routes (`/_local/...`): never part of the platform.
    Local,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Documented => "documented",
            Source::OfficialCli => "official-cli",
            Source::Extension => "extension",
            Source::Local => "local",
        }
    }
}

use Source::*;

/// Every route comwit-local serves, as `(method, path template, source)`. Path parameters are
/// written `{}` (their names do not matter here). Public operations that comwit-local does not
/// serve yet (app logs) are not rows: docs/api/openapi.yaml marks them
/// `x-comwit-local: not-served`, and they answer 404 like any unknown route.
pub const ROUTES: &[(&str, &str, Source)] = &[
    ("GET", "/healthz", Documented),
    ("GET", "/readyz", Documented),
    ("GET", "/openapi.json", Documented),
    ("GET", "/v1/projects", Documented),
    // Databases.
    ("POST", "/v1/projects/{}/databases", Documented),
    ("GET", "/v1/projects/{}/databases", Documented),
    ("DELETE", "/v1/projects/{}/databases/{}", OfficialCli),
    (
        "POST",
        "/v1/projects/{}/databases/{}/token/rotate",
        Documented,
    ),
    ("POST", "/v1/projects/{}/databases/{}/query", OfficialCli),
    (
        "GET",
        "/v1/projects/{}/databases/{}/restore-points",
        OfficialCli,
    ),
    ("POST", "/v1/projects/{}/databases/{}/restore", OfficialCli),
    // A seed's upload: clients PUT to the `upload_path` the create answered; this is the path
    // the official CLI's fixtures show.
    (
        "PUT",
        "/v1/projects/{}/databases/{}/operations/{}/content",
        OfficialCli,
    ),
    (
        "GET",
        "/v1/projects/{}/databases/{}/operations/{}",
        OfficialCli,
    ),
    (
        "POST",
        "/v1/projects/{}/databases/{}/aliases/{}",
        OfficialCli,
    ),
    (
        "DELETE",
        "/v1/projects/{}/databases/{}/aliases/{}",
        OfficialCli,
    ),
    // Apps.
    ("GET", "/v1/projects/{}/apps", Documented),
    ("POST", "/v1/projects/{}/apps", Documented),
    ("GET", "/v1/projects/{}/apps/{}", Documented),
    ("DELETE", "/v1/projects/{}/apps/{}", OfficialCli),
    ("GET", "/v1/projects/{}/apps/{}/builds", Documented),
    ("POST", "/v1/projects/{}/apps/{}/deployments", Documented),
    ("GET", "/v1/projects/{}/apps/{}/environment", Documented),
    ("PUT", "/v1/projects/{}/apps/{}/environment/{}", Documented),
    (
        "DELETE",
        "/v1/projects/{}/apps/{}/environment/{}",
        Documented,
    ),
    // App hostnames.
    ("GET", "/v1/projects/{}/apps/{}/domains", Documented),
    ("POST", "/v1/projects/{}/apps/{}/domains", Documented),
    (
        "POST",
        "/v1/projects/{}/apps/{}/domains/{}/finalize",
        Documented,
    ),
    ("DELETE", "/v1/projects/{}/apps/{}/domains/{}", Documented),
    // Project domains and records.
    ("GET", "/v1/projects/{}/domains", Documented),
    ("POST", "/v1/projects/{}/domains", Documented),
    (
        "POST",
        "/v1/projects/{}/domains/{}/delegation-check",
        Documented,
    ),
    ("DELETE", "/v1/projects/{}/domains/{}", Documented),
    ("GET", "/v1/projects/{}/domains/{}/records", Documented),
    ("POST", "/v1/projects/{}/domains/{}/records", Documented),
    ("PUT", "/v1/projects/{}/domains/{}/records/{}", Documented),
    (
        "DELETE",
        "/v1/projects/{}/domains/{}/records/{}",
        Documented,
    ),
    // Storage buckets (the official CLI's `comwit storage`).
    ("POST", "/v1/projects/{}/storages", OfficialCli),
    ("GET", "/v1/projects/{}/storages", OfficialCli),
    ("GET", "/v1/projects/{}/storages/{}", OfficialCli),
    ("DELETE", "/v1/projects/{}/storages/{}", OfficialCli),
    (
        "PUT",
        "/v1/projects/{}/storages/{}/public-access",
        OfficialCli,
    ),
    // Extensions: shaped like their neighbours, switched off by --no-extensions.
    ("POST", "/v1/projects", Extension),
    ("GET", "/v1/projects/{}", Extension),
    ("PATCH", "/v1/projects/{}", Extension),
    ("DELETE", "/v1/projects/{}", Extension),
    ("POST", "/v1/projects/{}/apps/{}/rollback", Extension),
    // Minted, expiring database tokens (the `comwit_database_token` ephemeral resource).
    ("GET", "/v1/projects/{}/databases/{}/tokens", Extension),
    ("POST", "/v1/projects/{}/databases/{}/tokens", Extension),
    ("GET", "/v1/projects/{}/databases/{}/tokens/{}", Extension),
    (
        "DELETE",
        "/v1/projects/{}/databases/{}/tokens/{}",
        Extension,
    ),
    (
        "POST",
        "/v1/projects/{}/databases/{}/tokens/{}/renew",
        Extension,
    ),
    // Registrar purchase: the seed names `domain:purchase`, no route is public.
    ("GET", "/v1/registrar/availability", Extension),
    ("GET", "/v1/projects/{}/registrations", Extension),
    ("POST", "/v1/projects/{}/registrations", Extension),
    ("GET", "/v1/projects/{}/registrations/{}", Extension),
    ("PATCH", "/v1/projects/{}/registrations/{}", Extension),
    // comwit-local's own.
    ("GET", "/_local/stats", Local),
];

/// `/v1/projects/{project_id}/apps` -> `/v1/projects/{}/apps`.
pub fn normalize(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut in_param = false;
    for c in template.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

/// The source of a matched route; None for a route missing from [`ROUTES`] (a test fails on
/// those: every served route must say where it comes from).
pub fn source_of(method: &Method, template: &str) -> Option<Source> {
    let template = normalize(template);
    ROUTES
        .iter()
        .find(|(m, t, _)| *m == method.as_str() && *t == template)
        .map(|(_, _, s)| *s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_normalized_and_classified() {
        assert_eq!(
            normalize("/v1/projects/{project_id}/apps/{app_id}"),
            "/v1/projects/{}/apps/{}"
        );
        assert_eq!(
            source_of(&Method::GET, "/v1/projects/{p}/apps/{a}"),
            Some(Documented)
        );
        assert_eq!(source_of(&Method::POST, "/v1/projects"), Some(Extension));
        assert_eq!(source_of(&Method::GET, "/v1/me"), None);
    }

    #[test]
    fn every_route_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for (m, t, _) in ROUTES {
            assert!(seen.insert((m, t)), "{m} {t} is listed twice");
        }
    }
}
