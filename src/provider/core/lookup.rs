//! Finding objects by name, for data sources and for the "name taken" error of creates.

use std::future::Future;

use crate::api::models::{Database, Project};
use crate::api::ApiError;
use crate::provider::common::call;
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::resource::Ctx;

/// Checks that exactly one of `names` is set in a data source configuration. Unknown values
/// count as set: they will be known when the data source is read.
pub(super) fn exactly_one_of(config: &Value, names: &[&str]) -> Diagnostics {
    let set: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| config.get(n).is_some_and(|v| !v.is_null()))
        .collect();
    let listed = names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" or ");
    match set.len() {
        1 => Diagnostics::new(),
        0 => Diagnostic::error(
            "Missing lookup argument",
            format!("Set exactly one of {listed} to say which object to look up."),
        )
        .into(),
        _ => set
            .iter()
            .map(|n| {
                Diagnostic::error(
                    "Conflicting lookup arguments",
                    format!(
                        "{} are {} set; set exactly one of {listed}.",
                        set.iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(" and "),
                        if set.len() == 2 { "both" } else { "all" }
                    ),
                )
                .with_attribute(AttributePath::new(*n))
            })
            .collect(),
    }
}

/// A platform object with a name (unique where it lives) and an ID.
pub(super) trait Named {
    /// Where the details of a create's 409 "name taken" give the existing object's ID.
    const ID_KEY: &'static str;
    fn name(&self) -> &str;
    fn id(&self) -> &str;
}

impl Named for Project {
    const ID_KEY: &'static str = "project_id";
    fn name(&self) -> &str {
        &self.name
    }
    fn id(&self) -> &str {
        &self.project_id
    }
}

impl Named for Database {
    const ID_KEY: &'static str = "database_id";
    fn name(&self) -> &str {
        &self.name
    }
    fn id(&self) -> &str {
        &self.database_id
    }
}

/// The outcome of looking an object up by name in a list.
#[derive(Debug, PartialEq)]
pub(super) enum ByName<T> {
    Found(T),
    Missing,
    /// More than one object has the name: their IDs.
    Ambiguous(Vec<String>),
}

/// Picks the one item named `name`.
pub(super) fn by_name<T: Named>(items: Vec<T>, name: &str) -> ByName<T> {
    let mut found: Vec<T> = items.into_iter().filter(|i| i.name() == name).collect();
    match found.len() {
        0 => ByName::Missing,
        1 => ByName::Found(found.remove(0)),
        _ => ByName::Ambiguous(found.iter().map(|i| i.id().to_string()).collect()),
    }
}

/// What a data source looking up `name` among `all` finds: the one object of that name, else
/// the error at `name`: "<Noun> not found" saying `missing`, or "<Noun> name is ambiguous"
/// when `holder` ("The project prj_… has", "You are a member of") has several, pointing to the
/// lookup by `by_id` instead.
pub(super) fn one_named<T: Named>(
    all: Vec<T>,
    name: &str,
    noun: &str,
    holder: &str,
    missing: String,
    by_id: &str,
) -> Result<T, Diagnostics> {
    let mut title = noun.to_string();
    title[..1].make_ascii_uppercase();
    match by_name(all, name) {
        ByName::Found(object) => Ok(object),
        ByName::Missing => Err(lookup_failed(
            &format!("{title} not found"),
            missing,
            "name",
        )),
        // Names are unique where they live; should the platform ever disagree, say so.
        ByName::Ambiguous(ids) => Err(lookup_failed(
            &format!("{title} name is ambiguous"),
            format!(
                "{holder} {} {noun}s named {name:?} ({}). Look the {noun} up by `{by_id}` \
                 instead.",
                ids.len(),
                ids.join(", ")
            ),
            "name",
        )),
    }
}

/// A data source's lookup that found no object, or more than one: the error, pointing at the
/// argument (`id`, `name`, ...) that chose what to look for.
pub(super) fn lookup_failed(summary: &str, detail: String, attribute: &str) -> Diagnostics {
    Diagnostic::error(summary, detail)
        .with_attribute(AttributePath::new(attribute))
        .into()
}

/// The ID of the object holding `name`, after a create was answered 409 because the name is
/// taken: found by listing (which may need a scope the create did not), else in the error's
/// details.
pub(super) async fn holder_of<T: Named>(
    ctx: &Ctx,
    listing: impl Future<Output = Result<Vec<T>, ApiError>>,
    name: &str,
    err: &ApiError,
) -> Option<String> {
    let listed = call(ctx, listing).await.ok().and_then(|all| {
        all.iter()
            .find(|i| i.name() == name)
            .map(|i| i.id().to_string())
    });
    listed.or_else(|| {
        err.as_status()
            .and_then(|s| error_details(&s.details).get(T::ID_KEY))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    })
}

/// The error of a create whose name is taken: names the existing object (`holder`, its ID, when
/// known) and gives the exact commands that bring it under Terraform instead (`import_id` makes
/// the import ID from the holder's ID).
/// `noun` is "project" or "database"; `place` says where the name is taken ("among your
/// projects", "in the project prj_x").
pub(super) fn name_taken(
    type_name: &str,
    noun: &str,
    name: &str,
    place: &str,
    holder: Option<&str>,
    import_id: impl Fn(&str) -> String,
) -> Diagnostic {
    let mut detail = format!(
        "Could not create the {noun} {name:?}: a {noun} with that name already exists {place}."
    );
    let summary = match holder {
        Some(holder) => {
            let id = import_id(holder);
            detail.push_str(&format!(
                " To manage the existing {noun} with Terraform instead of creating one, import \
                 it (replace <name> with this resource's name):\n\n  \
                 terraform import {type_name}.<name> {id}\n\n\
                 or add an import block to the configuration:\n\n  \
                 import {{\n    to = {type_name}.<name>\n    id = \"{id}\"\n  }}\n\n\
                 Otherwise choose another name."
            ));
            format!("The {noun} name {name:?} is taken (by {holder})")
        }
        None => {
            detail.push_str(" Choose another name, or import the existing one.");
            format!("The {noun} name {name:?} is taken")
        }
    };
    Diagnostic::error(summary, detail).with_attribute(AttributePath::new("name"))
}

/// The details object of an error answer: the envelope's `details`, which the API client keeps
/// (with the envelope's other extra fields) in `StatusError::details`.
pub(super) fn error_details(extra: &serde_json::Value) -> &serde_json::Value {
    extra.get("details").unwrap_or(extra)
}

/// Sends every item of a whole list that `listed` turns into a result; `Ok(false)` once
/// Terraform has what it asked for.
pub(super) async fn send_all<T>(
    sink: &crate::tfplugin::resource::ListSink,
    items: Vec<T>,
    mut listed: impl FnMut(T) -> Result<Option<crate::tfplugin::resource::Listed>, Diagnostics>,
) -> Result<bool, Diagnostics> {
    for item in items {
        if let Some(item) = listed(item)? {
            if !sink.send(item).await {
                return Ok(false);
            }
        }
    }
    Ok(sink.wants_more())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().map(|(k, v)| (*k, v.clone())))
    }

    #[test]
    fn exactly_one_argument() {
        let names = ["id", "name"];
        let one = config(&[("id", Value::string("prj_1")), ("name", Value::Null)]);
        assert!(exactly_one_of(&one, &names).is_empty());
        let unknown = config(&[("id", Value::Unknown), ("name", Value::Null)]);
        assert!(exactly_one_of(&unknown, &names).is_empty());

        let none = config(&[("id", Value::Null), ("name", Value::Null)]);
        let d = exactly_one_of(&none, &names);
        assert!(d.has_errors());
        assert!(d.to_string().contains("`id` or `name`"), "{d}");

        let both = config(&[("id", Value::string("x")), ("name", Value::Unknown)]);
        let d = exactly_one_of(&both, &names);
        assert_eq!(d.len(), 2);
        let paths: Vec<_> = d.iter().map(|x| x.attribute.clone().unwrap()).collect();
        assert_eq!(
            paths,
            [AttributePath::new("id"), AttributePath::new("name")]
        );
    }

    /// A name and an ID.
    #[derive(Clone, Debug, PartialEq)]
    struct Item(&'static str, &'static str);

    impl Named for Item {
        const ID_KEY: &'static str = "id";
        fn name(&self) -> &str {
            self.0
        }
        fn id(&self) -> &str {
            self.1
        }
    }

    #[test]
    fn lookup_by_name() {
        let items = vec![Item("a", "1"), Item("b", "2"), Item("b", "3")];
        let pick = |name: &str| by_name(items.clone(), name);
        assert_eq!(pick("a"), ByName::Found(Item("a", "1")));
        assert_eq!(pick("c"), ByName::Missing);
        assert_eq!(
            pick("b"),
            ByName::Ambiguous(vec!["2".to_string(), "3".to_string()])
        );
    }

    #[test]
    fn name_taken_prints_the_import_command() {
        let d = name_taken(
            "comwit_database",
            "database",
            "main",
            "in the project prj_1",
            Some("db_2"),
            |id| format!("prj_1/{id}"),
        );
        assert_eq!(d.attribute, Some(AttributePath::new("name")));
        assert_eq!(d.summary, "The database name \"main\" is taken (by db_2)");
        assert!(d
            .detail
            .contains("terraform import comwit_database.<name> prj_1/db_2"));
        assert!(d.detail.contains("id = \"prj_1/db_2\""));
        let d = name_taken(
            "comwit_project",
            "project",
            "x",
            "among your projects",
            None,
            str::to_string,
        );
        assert!(!d.detail.contains("terraform import"));
        assert_eq!(d.summary, "The project name \"x\" is taken");
    }

    #[test]
    fn details_are_found_inside_the_extra_fields() {
        let extra = serde_json::json!({"reason": "x", "details": {"apps": ["app_1"]}});
        assert_eq!(error_details(&extra)["apps"][0], "app_1");
    }
}
