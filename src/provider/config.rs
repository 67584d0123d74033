//! Provider configuration: arguments, environment fallbacks and their validation.

use std::time::Duration;

use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostics};
use crate::tfplugin::schema::{Attribute, Block, Schema};

pub const DEFAULT_API_URL: &str = "https://api.cloud.comwit.io";
pub const DEFAULT_MAX_RETRIES: i64 = crate::api::client::DEFAULT_MAX_RETRIES as i64;
/// Longest `retry_max_elapsed` accepted.
const MAX_RETRY_ELAPSED: Duration = Duration::from_secs(3600);

/// The provider's settings after defaults and environment fallbacks.
#[derive(Clone, Debug)]
pub struct ProviderConfig {
    pub token: String,
    pub api_url: String,
    pub project_id: Option<String>,
    pub max_retries: u32,
    pub retry_max_elapsed: Duration,
}

pub fn schema() -> Schema {
    Schema::new(
        Block::from_attributes(vec![
            Attribute::string("token")
                .optional()
                .sensitive()
                .description(
                    "A Comwit personal access token (`cwt_<hex>`). Falls back to the \
                     `COMWIT_TOKEN` environment variable. Create one with `comwit login` or in \
                     the console; its scopes decide what Terraform may do.",
                ),
            Attribute::string("api_url").optional().description(
                "Base URL of the platform API. Defaults to `https://api.cloud.comwit.io`, or \
                 the `COMWIT_API_URL` environment variable. `http://` is accepted only for \
                 loopback hosts (for comwit-local).",
            ),
            Attribute::string("project_id").optional().description(
                "Default project for resources that take a `project_id`. Falls back to \
                 `COMWIT_PROJECT_ID`.",
            ),
            Attribute::int64("max_retries").optional().description(
                "At most this many retries of one request, 0 to 100. Default 20; \
                 `retry_max_elapsed` usually ends the retries first. Retried are rate limits \
                 (429, after `Retry-After`), server errors (5xx but 501), timeouts and lost \
                 connections, for reads, updates, deletes and creates (which carry an \
                 Idempotency-Key, so a repeat never creates twice); other errors never are.",
            ),
            Attribute::string("retry_max_elapsed")
                .optional()
                .description(
                    "How long one API call may keep retrying, as a duration such as `2m`, `90s` \
                 or `0s` (no retries). Default `2m`. Waits between retries grow \
                 exponentially with random jitter, up to 10 seconds each.",
                ),
        ])
        .description("Manage Comwit Cloud projects, databases, apps, hostnames and DNS."),
    )
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A known string attribute, or None when null. Unknown values yield Err(()).
fn string_attr(config: &Value, name: &str) -> Result<Option<String>, ()> {
    match config.get(name) {
        Some(Value::Unknown) => Err(()),
        Some(v) => Ok(v.as_str().map(str::to_string)),
        None => Ok(None),
    }
}

/// Checks the shape of a token without revealing it.
pub fn validate_token(token: &str) -> Result<(), String> {
    let Some(hex) = token.strip_prefix("cwt_") else {
        return Err("A Comwit token starts with `cwt_` followed by hexadecimal digits.".into());
    };
    if hex.len() < 16 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(
            "A Comwit token is `cwt_` followed by at least 16 hexadecimal digits; this value \
             is not. Copy the whole token from `comwit login` or the console."
                .into(),
        );
    }
    Ok(())
}

/// Accepts https URLs, and http only for loopback hosts.
pub fn validate_api_url(url: &str) -> Result<String, String> {
    let trimmed = url.trim_end_matches('/');
    let (scheme, rest) = trimmed
        .split_once("://")
        .ok_or_else(|| format!("{url:?} is not a URL: expected https://host[:port]."))?;
    let host_port = rest.split('/').next().unwrap_or_default();
    let host = if let Some(stripped) = host_port.strip_prefix('[') {
        stripped.split(']').next().unwrap_or_default()
    } else {
        host_port.rsplit_once(':').map_or(host_port, |(h, _)| h)
    };
    if host.is_empty() {
        return Err(format!("{url:?} has no host."));
    }
    match scheme {
        "https" => Ok(trimmed.to_string()),
        "http" if is_loopback(host) => Ok(trimmed.to_string()),
        "http" => Err(format!(
            "{url:?} uses plain http to a non-loopback host, which would send the token \
             unencrypted. Use https://, or http:// only with localhost/127.0.0.1/[::1]."
        )),
        _ => Err(format!("{url:?} must start with https://.")),
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Static checks at validate time: only what is known. Reports each problem on its attribute.
pub fn validate(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    if let Ok(Some(token)) = string_attr(config, "token") {
        if let Err(why) = validate_token(&token) {
            d.attribute_error(AttributePath::new("token"), "Invalid Comwit token", why);
        }
    }
    if let Ok(Some(url)) = string_attr(config, "api_url") {
        if let Err(why) = validate_api_url(&url) {
            d.attribute_error(AttributePath::new("api_url"), "Invalid API URL", why);
        }
    }
    if let Ok(Some(project)) = string_attr(config, "project_id") {
        if !super::common::is_platform_id(&project, "prj") {
            d.attribute_error(
                AttributePath::new("project_id"),
                "Invalid project_id",
                format!(
                    "{project:?} is not a project ID: those are `prj_` followed by 16 lowercase \
                     hex digits (the `comwit_projects` data source and the console list them)."
                ),
            );
        }
    }
    if let Some(n) = config.get("max_retries").and_then(Value::as_i64) {
        if !(0..=100).contains(&n) {
            d.attribute_error(
                AttributePath::new("max_retries"),
                "Invalid max_retries",
                format!("max_retries must be between 0 and 100; got {n}."),
            );
        }
    }
    if let Ok(Some(text)) = string_attr(config, "retry_max_elapsed") {
        if let Err(why) = parse_retry_elapsed(&text) {
            d.attribute_error(
                AttributePath::new("retry_max_elapsed"),
                "Invalid retry_max_elapsed",
                why,
            );
        }
    }
    d
}

/// Resolves the configuration with environment fallbacks. `Ok(None)` when a value is still
/// unknown (a validation-only run); errors name every way to fix them.
pub fn resolve(config: &Value) -> Result<Option<ProviderConfig>, Diagnostics> {
    let (Ok(token), Ok(api_url), Ok(project_id)) = (
        string_attr(config, "token"),
        string_attr(config, "api_url"),
        string_attr(config, "project_id"),
    ) else {
        return Ok(None);
    };
    let mut d = validate(config);
    let token = token.or_else(|| env("COMWIT_TOKEN"));
    let token = match token {
        Some(t) => {
            if let Err(why) = validate_token(&t) {
                if config.get("token").is_some_and(Value::is_null) {
                    d.error("Invalid COMWIT_TOKEN", why);
                }
            }
            t
        }
        None => {
            d.error(
                "Missing Comwit token",
                "The provider needs a token to call the Comwit platform API. Set `token` in \
                 the provider \"comwit\" block (e.g. from a sensitive variable), or export \
                 COMWIT_TOKEN=cwt_... in the environment that runs Terraform.",
            );
            String::new()
        }
    };
    let api_url = match api_url.or_else(|| env("COMWIT_API_URL")) {
        Some(url) => match validate_api_url(&url) {
            Ok(u) => u,
            Err(why) => {
                if config.get("api_url").is_some_and(Value::is_null) {
                    d.error("Invalid COMWIT_API_URL", why);
                }
                url
            }
        },
        None => DEFAULT_API_URL.to_string(),
    };
    let max_retries = config
        .get("max_retries")
        .and_then(Value::as_i64)
        .unwrap_or(DEFAULT_MAX_RETRIES)
        .clamp(0, 100) as u32;
    let retry_max_elapsed = match string_attr(config, "retry_max_elapsed") {
        Ok(Some(text)) => {
            parse_retry_elapsed(&text).unwrap_or(crate::api::client::DEFAULT_RETRY_MAX_ELAPSED)
        }
        _ => crate::api::client::DEFAULT_RETRY_MAX_ELAPSED,
    };
    let project_id = match project_id {
        Some(p) => Some(p),
        None => env("COMWIT_PROJECT_ID").inspect(|p| {
            if !super::common::is_platform_id(p, "prj") {
                d.error(
                    "Invalid COMWIT_PROJECT_ID",
                    format!(
                        "COMWIT_PROJECT_ID is {p:?}, which is not a project ID: those are \
                         `prj_` followed by 16 lowercase hex digits. Fix or unset it."
                    ),
                );
            }
        }),
    };
    if d.has_errors() {
        return Err(d);
    }
    Ok(Some(ProviderConfig {
        token,
        api_url,
        project_id,
        max_retries,
        retry_max_elapsed,
    }))
}

/// A `retry_max_elapsed` value: a duration from 0s to an hour.
fn parse_retry_elapsed(text: &str) -> Result<Duration, String> {
    match super::common::parse_duration(text) {
        Some(d) if d <= MAX_RETRY_ELAPSED => Ok(d),
        Some(_) => Err(format!(
            "retry_max_elapsed is at most 1h; got {text:?}. A call that has failed for an hour \
             is better reported than retried."
        )),
        None => Err(format!(
            "{text:?} is not a duration: write it like \"2m\", \"90s\", \"1m30s\" or \"0s\"."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert!(validate_token("cwt_0123456789abcdef0123").is_ok());
        assert!(validate_token("cwt_short").is_err());
        assert!(validate_token("ghp_0123456789abcdef0123").is_err());
        assert!(validate_token("cwt_0123456789abcdefXYZ0").is_err());
    }

    #[test]
    fn retry_budget() {
        assert_eq!(parse_retry_elapsed("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_retry_elapsed("0s"), Ok(Duration::ZERO));
        assert!(parse_retry_elapsed("2h").is_err());
        assert!(parse_retry_elapsed("soon").is_err());
    }

    #[test]
    fn urls() {
        assert!(validate_api_url("https://api.cloud.comwit.io").is_ok());
        assert!(validate_api_url("http://127.0.0.1:8787").is_ok());
        assert!(validate_api_url("http://localhost:8787/").is_ok());
        assert!(validate_api_url("http://[::1]:8787").is_ok());
        assert!(validate_api_url("http://example.com").is_err());
        assert!(validate_api_url("ftp://x").is_err());
        assert!(validate_api_url("nope").is_err());
    }
}
