//! What identity, import by identity and list resources share across resource types: the
//! identity attributes every type uses, identities turned into import IDs, and listing a
//! platform collection page by page into a list resource's sink.

use super::common::{api_error, call, id_validator, Shared};
use crate::api::Pages;
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::resource::{Ctx, IdentityAttribute, ListSink, Listed};
use crate::tfplugin::schema::Attribute;

/// The `project_id` of an identity: optional for import, the provider's `project_id` by default.
pub fn project_identity() -> IdentityAttribute {
    IdentityAttribute::optional(
        "project_id",
        "The project (`prj_` and 16 hex digits). Defaults to the provider's `project_id`.",
    )
}

/// The import ID (`a/b/c`, in the order of `names`) an identity stands for: the string import
/// logic then does the rest, with the same checks and messages. A null `project_id` is the
/// provider's default project; any other attribute must be set.
pub fn import_id(identity: &Value, names: &[&str], shared: &Shared) -> Result<String, Diagnostics> {
    let mut parts = Vec::with_capacity(names.len());
    for name in names {
        let given = identity.get(name).and_then(Value::as_str);
        let part = match (given, *name) {
            (Some(value), _) if !value.is_empty() => value.to_string(),
            (_, "project_id") => shared.default_project().ok_or_else(|| {
                Diagnostics::from(
                    Diagnostic::error(
                        "Missing project_id",
                        "The identity names no project: set `project_id` in the import \
                         block's `identity`, or a default `project_id` in the provider block \
                         (or COMWIT_PROJECT_ID).",
                    )
                    .with_attribute(AttributePath::new("project_id")),
                )
            })?,
            _ => {
                return Err(Diagnostic::error(
                    format!("Missing {name}"),
                    format!(
                        "The import block's `identity` must set `{name}`; it names the object \
                         to import."
                    ),
                )
                .with_attribute(AttributePath::new(*name))
                .into())
            }
        };
        parts.push(part);
    }
    Ok(parts.join("/"))
}

/// The `project_id` argument of a list resource's `config` block.
pub fn list_project_attribute() -> Attribute {
    Attribute::string("project_id")
        .validator(id_validator("project", "prj"))
        .optional()
        .description("The project to list. Defaults to the provider's `project_id`.")
}

/// Sends every item of a paged platform list that `keep` accepts, read a page at a time so that
/// a list Terraform stops early (its `limit`) reads no further pages. Returns false once the
/// sink refuses. `what` names the list in error messages ("the databases of the project ...").
pub async fn send_pages<T: serde::de::DeserializeOwned>(
    ctx: &Ctx,
    sink: &ListSink,
    mut pages: Pages<'_, T>,
    what: &str,
    mut listed: impl FnMut(T) -> Result<Option<Listed>, Diagnostics>,
) -> Result<bool, Diagnostics> {
    while let Some(page) = call(ctx, pages.next())
        .await
        .map_err(|e| api_error(&format!("list {what}"), &e))?
    {
        for item in page {
            if let Some(item) = listed(item)? {
                if !sink.send(item).await {
                    return Ok(false);
                }
            }
        }
    }
    Ok(true)
}

/// The diagnostics a list ends with: none when it sent everything or stopped on Terraform's
/// word, its error otherwise.
pub fn finished(result: Result<bool, Diagnostics>) -> Diagnostics {
    result.err().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().cloned())
    }

    #[test]
    fn identities_become_import_ids() {
        let shared = Shared::default();
        let id = import_id(
            &identity(&[
                ("project_id", Value::string("prj_1")),
                ("app_id", Value::string("app_2")),
            ]),
            &["project_id", "app_id"],
            &shared,
        )
        .unwrap();
        assert_eq!(id, "prj_1/app_2");
    }

    #[test]
    fn a_missing_attribute_is_named() {
        let shared = Shared::default();
        let err = import_id(
            &identity(&[("project_id", Value::Null), ("app_id", Value::string("a"))]),
            &["project_id", "app_id"],
            &shared,
        )
        .unwrap_err();
        assert!(err.to_string().contains("Missing project_id"), "{err}");
        let err = import_id(
            &identity(&[
                ("project_id", Value::string("prj_1")),
                ("app_id", Value::Null),
            ]),
            &["project_id", "app_id"],
            &shared,
        )
        .unwrap_err();
        assert!(err.to_string().contains("must set `app_id`"), "{err}");
    }
}
