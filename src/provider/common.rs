//! Pieces every Comwit resource and data source shares: the configured client, turning API
//! errors into diagnostics that say what to do, cancellation, and value helpers.

use std::future::Future;
use std::sync::{Arc, RwLock};

use crate::api::{ApiError, Client};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::resource::Ctx;
use crate::tfplugin::schema::Attribute;

use super::config::ProviderConfig;

/// The configured provider: its settings and an API client.
pub struct Configured {
    pub config: ProviderConfig,
    pub client: Client,
}

/// Set by `ConfigureProvider`, read by every resource.
#[derive(Clone, Default)]
pub struct Shared(Arc<RwLock<Option<Arc<Configured>>>>);

impl Shared {
    pub fn set(&self, configured: Configured) {
        if let Ok(mut g) = self.0.write() {
            *g = Some(Arc::new(configured));
        }
    }

    /// The configured client, or an error explaining that configuration is missing.
    pub fn get(&self) -> Result<Arc<Configured>, Diagnostics> {
        self.0.read().ok().and_then(|g| g.clone()).ok_or_else(|| {
            Diagnostic::error(
                "Provider not configured",
                "The comwit provider has no configuration yet, usually because a provider \
                 argument depends on a value known only after apply. Give `token`, `api_url` \
                 and `project_id` values known at plan time (variables or environment).",
            )
            .into()
        })
    }

    /// The provider's default project, if any (for plan-time defaults).
    pub fn default_project(&self) -> Option<String> {
        self.0
            .read()
            .ok()
            .and_then(|g| g.as_ref().and_then(|c| c.config.project_id.clone()))
    }
}

/// Runs an API call, abandoning it if Terraform asks the provider to stop.
pub async fn call<T>(
    ctx: &Ctx,
    future: impl Future<Output = Result<T, ApiError>>,
) -> Result<T, ApiError> {
    tokio::select! {
        result = future => result,
        _ = ctx.stop.stopped() => Err(ApiError::Cancelled),
    }
}

/// Turns an API error into a diagnostic that says what happened, why, and what to do.
/// `action` reads like "create the database \"main\"".
pub fn api_error(action: &str, err: &ApiError) -> Diagnostics {
    let d = match err {
        ApiError::Status {
            status: 401,
            message,
            ..
        } => Diagnostic::error(
            "Comwit token rejected",
            format!(
                "Could not {action}: the platform rejected the token ({message}). It is \
                 invalid, expired or revoked. Create a new one with `comwit login` or in the \
                 console, and set it as the provider's `token` or COMWIT_TOKEN."
            ),
        ),
        ApiError::Status {
            status: 403,
            required_scope: Some(scope),
            ..
        } => Diagnostic::error(
            format!("Token lacks the {scope} scope"),
            format!(
                "Could not {action}: this needs the `{scope}` scope, which the token does not \
                 have. Create a token that includes {scope} (console → Personal access tokens, \
                 or `comwit login`) and use it as the provider's `token` or COMWIT_TOKEN. The \
                 data source `comwit_token` shows the current token's scopes."
            ),
        ),
        ApiError::Status {
            status: 403,
            message,
            ..
        } => Diagnostic::error(
            "Access to the project refused",
            format!(
                "Could not {action}: {message}. The token's user must be a member of the \
                 project: check `project_id`, or ask a member of the project to add you."
            ),
        ),
        ApiError::Status {
            status: 404,
            message,
            ..
        } => Diagnostic::error(
            "Not found",
            format!("Could not {action}: {message}. Check the IDs in the configuration."),
        ),
        ApiError::Status {
            status: 409,
            message,
            details,
            ..
        } => Diagnostic::error(
            "Conflict",
            format!(
                "Could not {action}: {message}.{}",
                if details.is_null() || details.as_object().is_some_and(|o| o.is_empty()) {
                    String::new()
                } else {
                    format!(" Details: {details}")
                }
            ),
        ),
        ApiError::Status {
            status: 422,
            message,
            field,
            ..
        } => Diagnostic::error(
            "Invalid value",
            format!(
                "Could not {action}: the platform rejected {}: {message}. Fix the value and \
                 apply again; nothing was changed.",
                field
                    .as_deref()
                    .map_or("the request".to_string(), |f| format!("`{f}`"))
            ),
        ),
        ApiError::Status {
            status, message, ..
        } if *status == 429 || *status >= 500 => Diagnostic::error(
            "Comwit platform unavailable",
            format!(
                "Could not {action}: the platform answered {status} ({message}) and kept doing \
                 so after the retries `max_retries` allows. Try again later, or raise \
                 `max_retries`."
            ),
        ),
        ApiError::Status {
            status, message, ..
        } => Diagnostic::error(
            "Unexpected answer from the Comwit platform",
            format!("Could not {action}: the platform answered {status}: {message}."),
        ),
        ApiError::Transport { message, .. } => Diagnostic::error(
            "Cannot reach the Comwit platform",
            format!(
                "Could not {action}: {message}. Check `api_url` (or COMWIT_API_URL) and the \
                 network, then try again."
            ),
        ),
        ApiError::Decode { message, .. } => Diagnostic::error(
            "Unreadable answer from the Comwit platform",
            format!(
                "Could not {action}: {message}. This provider version may not match the \
                 platform API; upgrade the provider."
            ),
        ),
        ApiError::Cancelled => Diagnostic::error(
            "Operation cancelled",
            format!("Stopped before finishing: {action}. Run apply again to continue."),
        ),
    };
    d.into()
}

/// Like [`api_error`], pointing the diagnostic at `attribute` when the platform named the
/// field at fault (a 422) and the field maps to it.
pub fn api_error_at(action: &str, err: &ApiError, fields: &[(&str, &str)]) -> Diagnostics {
    let mut d = api_error(action, err);
    if let ApiError::Status {
        field: Some(field), ..
    } = err
    {
        let root = field.split(['[', '.']).next().unwrap_or_default();
        if let Some((_, attr)) = fields.iter().find(|(f, _)| *f == root) {
            d = d
                .into_iter()
                .map(|diag| diag.with_attribute(AttributePath::new(*attr)))
                .collect();
        }
    }
    d
}

pub fn str_attr<'a>(value: &'a Value, name: &str) -> Option<&'a str> {
    value.get(name).and_then(Value::as_str)
}

/// A string attribute that must be set (used after validation guaranteed it).
pub fn required_str(value: &Value, name: &str) -> Result<String, Diagnostics> {
    str_attr(value, name).map(str::to_string).ok_or_else(|| {
        Diagnostic::error(
            format!("Missing {name}"),
            format!("The `{name}` argument has no value."),
        )
        .with_attribute(AttributePath::new(name))
        .into()
    })
}

pub fn string_or_null(s: Option<&str>) -> Value {
    s.map_or(Value::Null, Value::string)
}

/// The standard `project_id` argument: optional, taken from the provider when unset, and a
/// change moves the object to another project, i.e. replaces it.
pub fn project_id_attribute(noun: &str) -> Attribute {
    Attribute::string("project_id")
        .optional()
        .computed()
        .requires_replace()
        .description(format!(
            "The project that owns the {noun}. Defaults to the provider's `project_id`. \
             Changing it replaces the {noun}."
        ))
}

/// Resolves `project_id` for a plan: the configured value, else the provider's default.
/// An unknown value stays unknown.
pub fn plan_project_id(config: &Value, shared: &Shared) -> Result<Value, Diagnostics> {
    match config.get("project_id") {
        Some(Value::Unknown) => Ok(Value::Unknown),
        Some(Value::String(s)) => Ok(Value::string(s.clone())),
        _ => match shared.default_project() {
            Some(p) => Ok(Value::string(p)),
            None => Err(Diagnostic::error(
                "Missing project_id",
                "No project was given: set `project_id` on this resource, or a default \
                 `project_id` in the provider block (or COMWIT_PROJECT_ID).",
            )
            .with_attribute(AttributePath::new("project_id"))
            .into()),
        },
    }
}

/// Splits an import ID of the form `a/b/c` into exactly `parts` pieces, or explains the form.
pub fn split_import_id(id: &str, parts: usize, form: &str) -> Result<Vec<String>, Diagnostics> {
    let pieces: Vec<String> = id.split('/').map(str::to_string).collect();
    if pieces.len() != parts || pieces.iter().any(String::is_empty) {
        return Err(Diagnostic::error(
            "Invalid import ID",
            format!("Expected an import ID of the form `{form}`, got {id:?}."),
        )
        .into());
    }
    Ok(pieces)
}

/// True when the value is a DNS label as the platform requires for names.
pub fn is_dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && *b.last().unwrap() != b'-'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert!(is_dns_label("web"));
        assert!(is_dns_label("a1-b2"));
        assert!(!is_dns_label("1web"));
        assert!(!is_dns_label("Web"));
        assert!(!is_dns_label("web-"));
        assert!(!is_dns_label(""));
        assert!(!is_dns_label(&"a".repeat(64)));
    }

    #[test]
    fn import_ids() {
        assert_eq!(
            split_import_id("prj_1/db_2", 2, "<project_id>/<database_id>").unwrap(),
            vec!["prj_1", "db_2"]
        );
        assert!(split_import_id("prj_1", 2, "x/y").is_err());
        assert!(split_import_id("prj_1//", 3, "x/y/z").is_err());
    }

    #[test]
    fn scope_error_names_the_scope() {
        let err = ApiError::Status {
            status: 403,
            code: "forbidden".into(),
            message: "missing scope".into(),
            required_scope: Some("app:write".into()),
            field: None,
            details: serde_json::Value::Null,
            method: "POST".into(),
            path: "/v1/x".into(),
        };
        let d = api_error("create the app", &err);
        let text = d.to_string();
        assert!(text.contains("app:write"), "{text}");
    }
}
