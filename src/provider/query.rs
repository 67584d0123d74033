//! What identity, import by identity and list resources share across resource types: the
//! identity attributes every type uses, identities turned into import IDs, and listing a
//! platform collection page by page into a list resource's sink.

use super::common::{api_error, call, id_validator, is_platform_id, Shared};
use crate::api::{ApiError, Client, Pages};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, IdentityAttribute, ListResource, ListSink, Listed, Resource};
use crate::tfplugin::schema::{Attribute, Schema};
use async_trait::async_trait;
use serde::Deserialize;

/// The `project_id` of an identity: optional for import, the provider's `project_id` by default.
pub fn project_identity() -> IdentityAttribute {
    IdentityAttribute::optional(
        "project_id",
        "The project's ID, as the platform gives it. Defaults to the provider's `project_id`.",
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

/// Checks the IDs an `import` block's `identity` sets, `(attribute, noun with its article,
/// prefix)` each, so a mistyped one is named with its attribute instead of answered "not
/// found". `finding` (empty, or " (... finds them)") says where the IDs are to be found. Unset
/// ones are left to `import_id` (a default, or a "Missing" error).
pub fn check_identity_ids(
    identity: &Value,
    ids: &[(&str, &str, &str)],
    finding: &str,
) -> Result<(), Diagnostics> {
    for (name, noun, prefix) in ids {
        match identity.get(name).and_then(Value::as_str) {
            Some(id) if !id.is_empty() && !is_platform_id(id, prefix) => {
                return Err(Diagnostic::error(
                    format!("Invalid {name} in the identity"),
                    format!(
                        "The import block's `identity` sets `{name}` to {id:?}, which is not \
                         {noun} ID: IDs are opaque strings as the platform gives them, never \
                         empty and without whitespace or `/`{finding}. Correct it in the \
                         `identity` block."
                    ),
                )
                .with_attribute(AttributePath::new(*name))
                .into())
            }
            _ => {}
        }
    }
    Ok(())
}

/// The project a list reads: its configuration's `project_id`, else the provider's default.
/// `at` is the path the error names (the lists of core and apps name `project_id`).
pub fn list_project(
    project_id: Option<String>,
    shared: &Shared,
    at: AttributePath,
) -> Result<String, Diagnostics> {
    project_id
        .filter(|p| !p.is_empty())
        .or_else(|| shared.default_project())
        .ok_or_else(|| {
            Diagnostic::error(
                "Missing project_id",
                "The list names no project: set `project_id` in the list block's `config` \
                 block, or a default `project_id` in the provider block (or \
                 COMWIT_PROJECT, or the CLI login file's `default_project`). The \
                 `comwit_project` list resource finds your projects.",
            )
            .with_attribute(at)
            .into()
        })
}

/// The `config` block of the list of one collection of a project: which project.
#[derive(Debug, Default, Deserialize)]
pub struct ProjectListConfig {
    pub project_id: Option<String>,
}

/// A list resource over one collection of a project (its databases, domains, ...): the
/// `project_id` of its `config` (a [`ProjectListConfig`]), else the provider's; the collection
/// read a page at a time by `pages` (e.g. `Client::domain_pages`); each item made a result by
/// `listed`. `noun` names the collection in errors ("domains").
pub async fn list_of_project<T: serde::de::DeserializeOwned>(
    ctx: &Ctx,
    sink: &ListSink,
    shared: &Shared,
    config: &Value,
    pages: for<'c> fn(&'c Client, &str) -> Pages<'c, T>,
    noun: &str,
    mut listed: impl FnMut(T) -> Result<Listed, Diagnostics>,
) -> Diagnostics {
    let result = async {
        let ProjectListConfig { project_id } = model::get(config)?;
        let project = list_project(project_id, shared, AttributePath::new("project_id"))?;
        let configured = shared.get()?;
        let pages = pages(&configured.client, &project);
        let what = format!("the {noun} of the project {project}");
        send_pages(ctx, sink, pages, &what, |item| listed(item).map(Some)).await
    };
    finished(result.await)
}

/// The list resource of one collection of a project whose items the managed resource `R`
/// manages (`T` as the platform reports them): its databases, domains, registrations.
pub struct ProjectCollectionList<R, T> {
    pub(crate) shared: Shared,
    pub(crate) schema: Schema,
    /// Builds each result's state, exactly as the resource's import and `read` do.
    pub(crate) resource: R,
    /// Reads the collection a page at a time (e.g. `Client::domain_pages`).
    pub(crate) pages: for<'c> fn(&'c Client, &str) -> Pages<'c, T>,
    /// Names the collection in errors ("domains").
    pub(crate) noun: &'static str,
    /// The result of one item.
    pub(crate) listed: fn(&R, T) -> Result<Listed, Diagnostics>,
}

#[async_trait]
impl<R, T> ListResource for ProjectCollectionList<R, T>
where
    R: Resource + 'static,
    T: serde::de::DeserializeOwned + Send + 'static,
{
    fn type_name(&self) -> &str {
        self.resource.type_name()
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn list(&self, ctx: &mut Ctx, config: &Value, sink: &ListSink) -> Diagnostics {
        let listed = |item| (self.listed)(&self.resource, item);
        list_of_project(
            ctx,
            sink,
            &self.shared,
            config,
            self.pages,
            self.noun,
            listed,
        )
        .await
    }
}

/// The `project_id` argument of a list resource's `config` block.
pub fn list_project_attribute() -> Attribute {
    Attribute::string("project_id")
        .validator(id_validator("project", "prj"))
        .optional()
        .description("The project to list. Defaults to the provider's `project_id`.")
}

/// Sends every item of a paged platform list that `listed` turns into a result (see
/// [`send_each`]). Returns false once the sink refuses. `what` names the list in error messages
/// ("the databases of the project ..."); a list that is not found is an error too.
pub async fn send_pages<T: serde::de::DeserializeOwned>(
    ctx: &Ctx,
    sink: &ListSink,
    pages: Pages<'_, T>,
    what: &str,
    listed: impl FnMut(T) -> Result<Option<Listed>, Diagnostics>,
) -> Result<bool, Diagnostics> {
    match send_each(ctx, sink, pages, what, listed).await? {
        Sent::All => Ok(sink.wants_more()),
        Sent::Stopped => Ok(false),
        Sent::Gone(e) => Err(api_error(&format!("list {what}"), &e)),
    }
}

/// How listing one collection ended.
#[derive(Debug)]
pub enum Sent {
    /// Every item was sent (or skipped by the filter).
    All,
    /// The sink refused: Terraform has what it asked for.
    Stopped,
    /// The collection does not exist (a 404 for its first page, or a later one).
    Gone(ApiError),
}

/// Sends every item of a paged collection that `listed` turns into a result, a page at a time,
/// so that a list Terraform stops early reads no further pages. `what` names the collection in
/// error messages ("the records of example.com"); a collection that may be gone by the time it
/// is read (the records of a domain, the hostnames of an app) ends `Gone`.
pub async fn send_each<T: serde::de::DeserializeOwned>(
    ctx: &Ctx,
    sink: &ListSink,
    mut pages: Pages<'_, T>,
    what: &str,
    mut listed: impl FnMut(T) -> Result<Option<Listed>, Diagnostics>,
) -> Result<Sent, Diagnostics> {
    loop {
        let page = match next_page(ctx, sink, &mut pages).await {
            Ok(Some(page)) => page,
            Ok(None) if sink.wants_more() => return Ok(Sent::All),
            Ok(None) => return Ok(Sent::Stopped),
            Err(e) if e.is_not_found() => return Ok(Sent::Gone(e)),
            Err(e) => return Err(api_error(&format!("list {what}"), &e)),
        };
        for item in page {
            if let Some(item) = listed(item)? {
                if !sink.send(item).await {
                    return Ok(Sent::Stopped);
                }
            }
        }
    }
}

/// The next page of a collection a list sends, `None` once it is complete or Terraform's
/// limit is reached: no page is read then.
pub async fn next_page<T: serde::de::DeserializeOwned>(
    ctx: &Ctx,
    sink: &ListSink,
    pages: &mut Pages<'_, T>,
) -> Result<Option<Vec<T>>, ApiError> {
    if !sink.wants_more() {
        return Ok(None);
    }
    call(ctx, pages.next()).await
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
    fn identity_ids_are_checked_by_kind() {
        let ids = [
            ("project_id", "a project", "prj"),
            ("database_id", "a database", "db"),
        ];
        let identity = |project: Value, database: Value| {
            Value::object([("project_id", project), ("database_id", database)])
        };
        let good = identity(
            Value::string("prj_0123456789abcdef"),
            Value::string("db_0123456789abcdef"),
        );
        assert!(check_identity_ids(&good, &ids, "").is_ok());
        // Unset ones are for `import_id` to default or report.
        let unset = identity(Value::Null, Value::string(""));
        assert!(check_identity_ids(&unset, &ids, "").is_ok());
        // IDs are opaque: a swapped one is not caught here (the platform's 404 is), one with
        // whitespace is.
        let swapped = identity(
            Value::string("db_0123456789abcdef"),
            Value::string("db_0123456789abcdef"),
        );
        assert!(check_identity_ids(&swapped, &ids, "").is_ok());
        let spaced = identity(Value::string("p 1"), Value::string("db_0123456789abcdef"));
        let d = check_identity_ids(&spaced, &ids, "").unwrap_err();
        let e = d.iter().next().unwrap();
        assert_eq!(e.summary, "Invalid project_id in the identity");
        assert_eq!(e.attribute, Some(AttributePath::new("project_id")));
        assert!(e.detail.contains("not a project ID"), "{}", e.detail);
        assert!(
            e.detail
                .ends_with("without whitespace or `/`. Correct it in the `identity` block."),
            "{}",
            e.detail
        );
    }

    #[test]
    fn the_list_project_is_the_configs_else_a_clear_error() {
        let shared = Shared::default();
        let at = || AttributePath::new("project_id");
        let project = list_project(Some("prj_0123456789abcdef".into()), &shared, at()).unwrap();
        assert_eq!(project, "prj_0123456789abcdef");
        // No provider default either (not configured).
        for none in [None, Some(String::new())] {
            let d = list_project(none, &shared, at()).unwrap_err();
            let e = d.iter().next().unwrap();
            assert_eq!(e.summary, "Missing project_id");
            assert_eq!(e.attribute, Some(AttributePath::new("project_id")));
        }
    }

    #[test]
    fn a_malformed_list_project_id_is_an_error() {
        use crate::tfplugin::plan;
        use crate::tfplugin::schema::{Block, Schema};
        let schema = Schema::new(Block::from_attributes(vec![list_project_attribute()]));
        let config = Value::object([("project_id", Value::string("shop/1"))]);
        let d = plan::validate_config(&schema, &config);
        assert!(d.has_errors(), "{d}");
        assert!(d.to_string().contains("without whitespace or `/`"), "{d}");
        let config = Value::object([("project_id", Value::string("shop"))]);
        assert!(plan::validate_config(&schema, &config).is_empty());
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
