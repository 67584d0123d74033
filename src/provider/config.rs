//! Provider configuration: arguments, environment fallbacks, the official CLI's login file,
//! and their validation. Depends on nothing else of the provider (`common` uses it, not the
//! other way round).

use std::path::PathBuf;
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
                    "A Comwit token: a personal access token (`cwt_...`) or a project token \
                     (`cwp_...`). Falls back to the `COMWIT_TOKEN` environment variable, then \
                     to the official CLI's login file (`$COMWIT_CONFIG`, else \
                     `$XDG_CONFIG_HOME/comwit/config.json`, else \
                     `~/.config/comwit/config.json`, as `comwit login` writes it), so that \
                     after `comwit login` Terraform needs no setup. Its scopes decide what \
                     Terraform may do.",
                ),
            Attribute::string("api_url").optional().description(
                "Base URL of the platform API. Defaults to `https://api.cloud.comwit.io`, or \
                 the `COMWIT_API_URL` environment variable. `http://` is accepted only for \
                 loopback hosts (for comwit-local).",
            ),
            Attribute::string("project_id").optional().description(
                "Default project for resources that take a `project_id`. Falls back to \
                 `COMWIT_PROJECT` (and the legacy `COMWIT_PROJECT_ID`), then to the \
                 `default_project` of the CLI's login file. Project IDs are opaque: only an \
                 empty value, whitespace or a `/` is refused.",
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

/// Checks a token without revealing it. Its shape is not checked (`cwt_...` and `cwp_...` are
/// the public kinds; the platform's 401 speaks for the rest): only what cannot be a token.
pub fn validate_token(token: &str) -> Result<(), String> {
    if token.trim().is_empty() {
        return Err(
            "The token is empty. Copy the whole token from `comwit login` or the \
                    console."
                .into(),
        );
    }
    if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(
            "The token holds whitespace, which no Comwit token does: copy it again, \
                    without spaces or line breaks."
                .into(),
        );
    }
    Ok(())
}

/// An opaque ID: anything but empty, whitespace or a `/` (it goes into a URL path).
pub fn validate_opaque_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("it is empty".into());
    }
    if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("it holds whitespace".into());
    }
    if id.contains('/') {
        return Err("it holds a `/`".into());
    }
    Ok(())
}

/// The official CLI's login file: `{"token", "default_project"}` (other members ignored).
#[derive(Debug, Default, serde::Deserialize)]
pub struct LoginFile {
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub default_project: Option<String>,
}

/// Where the CLI keeps its login: `$COMWIT_CONFIG`, else `$XDG_CONFIG_HOME/comwit/config.json`,
/// else `~/.config/comwit/config.json`.
pub fn login_file_path() -> Option<PathBuf> {
    if let Some(p) = env("COMWIT_CONFIG") {
        return Some(PathBuf::from(p));
    }
    if let Some(x) = env("XDG_CONFIG_HOME") {
        return Some(PathBuf::from(x).join("comwit").join("config.json"));
    }
    env("HOME").map(|h| {
        PathBuf::from(h)
            .join(".config")
            .join("comwit")
            .join("config.json")
    })
}

/// The login file, if there is one. A file that exists but cannot be read as the CLI writes
/// it is an error naming the file (never its contents).
pub fn read_login_file() -> Result<Option<(PathBuf, LoginFile)>, String> {
    let Some(path) = login_file_path() else {
        return Ok(None);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(format!(
                "The Comwit CLI's login file {} cannot be read: {e}. Fix its permissions, or \
                 set the token another way.",
                path.display()
            ))
        }
    };
    match serde_json::from_slice::<LoginFile>(&bytes) {
        Ok(file) => Ok(Some((path, file))),
        Err(e) => Err(format!(
            "The Comwit CLI's login file {} is not the JSON `comwit login` writes \
             (`{{\"token\": \"...\", \"default_project\": \"...\"}}`): {}. Run `comwit login` \
             again, or set the token another way.",
            path.display(),
            // serde's message names a position and the expected type, never the values.
            e.classify_message()
        )),
    }
}

trait ClassifyMessage {
    fn classify_message(&self) -> String;
}

impl ClassifyMessage for serde_json::Error {
    fn classify_message(&self) -> String {
        let what = match self.classify() {
            serde_json::error::Category::Io => "it could not be read",
            serde_json::error::Category::Syntax => "it is not valid JSON",
            serde_json::error::Category::Data => "a member has the wrong type",
            serde_json::error::Category::Eof => "it ends too early",
        };
        format!("{what} (line {}, column {})", self.line(), self.column())
    }
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
        if let Err(why) = validate_opaque_id(&project) {
            d.attribute_error(
                AttributePath::new("project_id"),
                "Invalid project_id",
                format!(
                    "{project:?} cannot be a project ID: {why}. Project IDs are given by the \
                     platform (the `comwit_projects` data source and the console list them)."
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
    // The login file is read only when something is still missing from the other sources.
    let need_file = token.is_none() && env("COMWIT_TOKEN").is_none()
        || project_id.is_none()
            && env("COMWIT_PROJECT").is_none()
            && env("COMWIT_PROJECT_ID").is_none();
    let login = if need_file {
        match read_login_file() {
            Ok(file) => file,
            Err(why) => {
                d.error("Unreadable Comwit login file", why);
                None
            }
        }
    } else {
        None
    };
    let from_file = |pick: fn(&LoginFile) -> Option<&String>| {
        login.as_ref().and_then(|(path, f)| {
            pick(f)
                .filter(|v| !v.trim().is_empty())
                .map(|v| (path, v.clone()))
        })
    };
    let token = match (token, env("COMWIT_TOKEN")) {
        (Some(t), _) => Some(t),
        (None, Some(t)) => {
            if let Err(why) = validate_token(&t) {
                d.error("Invalid COMWIT_TOKEN", why);
            }
            Some(t)
        }
        (None, None) => from_file(|f| f.token.as_ref()).map(|(path, t)| {
            if let Err(why) = validate_token(&t) {
                d.error(
                    "Invalid token in the Comwit login file",
                    format!("The token in {}: {why}", path.display()),
                );
            }
            t
        }),
    };
    let token = match token {
        Some(t) => t,
        None => {
            let file = login_file_path().map_or_else(
                || "~/.config/comwit/config.json".to_string(),
                |p| p.display().to_string(),
            );
            d.error(
                "Missing Comwit token",
                format!(
                    "The provider needs a token to call the Comwit platform API, and found none \
                     in any of its three sources: (1) `token` in the provider \"comwit\" block \
                     (e.g. from a sensitive variable), (2) the COMWIT_TOKEN environment \
                     variable (COMWIT_TOKEN=cwt_...), (3) the official CLI's login file \
                     ({file}; set COMWIT_CONFIG to use another), which `comwit login` writes. \
                     Set one of them."
                ),
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
        None => {
            let from_env = [
                ("COMWIT_PROJECT", env("COMWIT_PROJECT")),
                ("COMWIT_PROJECT_ID", env("COMWIT_PROJECT_ID")),
            ]
            .into_iter()
            .find_map(|(name, v)| v.map(|v| (name.to_string(), v)));
            let found = from_env.or_else(|| {
                from_file(|f| f.default_project.as_ref())
                    .map(|(path, p)| (format!("`default_project` in {}", path.display()), p))
            });
            found.map(|(source, p)| {
                if let Err(why) = validate_opaque_id(&p) {
                    d.error(
                        "Invalid default project",
                        format!("{source} is {p:?}, which cannot be a project ID: {why}. Fix or unset it."),
                    );
                }
                p
            })
        }
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

/// Parses Go-style durations (Terraform's `time.ParseDuration` forms): `90s`, `10m`, `1h30m`,
/// `1.5h`, `500ms`, `0s`; the units are `ns`, `us`/`µs`, `ms`, `s`, `m` and `h`.
///
/// humantime also reads spaces, word units (`1 hour`, `2min`) and days to years, which Go
/// refuses: only digits, `.` and the letters of Go's units get through to it, so none of those
/// pass. Stricter than Go: no sign (`+1s`), no bare-point fractions (`.5s`, `1.s`), no digits
/// below a nanosecond, no surrounding spaces. Looser: no 292-year cap.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let go_alphabet =
        |c: char| c.is_ascii_digit() || matches!(c, '.' | 'n' | 'u' | 'µ' | 'm' | 's' | 'h');
    if !text.chars().all(go_alphabet) {
        return None;
    }
    humantime::parse_duration(text).ok()
}

/// A `retry_max_elapsed` value: a duration from 0s to an hour.
fn parse_retry_elapsed(text: &str) -> Result<Duration, String> {
    match parse_duration(text) {
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
    fn tokens_are_opaque_but_not_blank() {
        assert!(validate_token("cwt_0123456789abcdef0123").is_ok());
        assert!(validate_token("cwp_anything-goes").is_ok());
        assert!(validate_token("").is_err());
        assert!(validate_token("cwt_0123 4567").is_err());
        assert!(validate_token("cwt_0123\n").is_err());
    }

    #[test]
    fn ids_are_opaque() {
        assert!(validate_opaque_id("prj_0123456789abcdef").is_ok());
        assert!(validate_opaque_id("p-1").is_ok());
        assert!(validate_opaque_id("Shop.2026").is_ok());
        assert!(validate_opaque_id("").is_err());
        assert!(validate_opaque_id("a b").is_err());
        assert!(validate_opaque_id("a/b").is_err());
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
