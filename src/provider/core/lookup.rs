//! Finding objects by name, for data sources and for the "name taken" error of creates.

use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};

/// Checks that exactly one of `names` is set in a data source configuration. Unknown values
/// count as set: they will be known when the data source is read.
pub fn exactly_one_of(config: &Value, names: &[&str]) -> Diagnostics {
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

/// The outcome of looking an object up by name in a list.
#[derive(Debug, PartialEq)]
pub enum ByName<T> {
    Found(T),
    Missing,
    /// More than one object has the name: their IDs.
    Ambiguous(Vec<String>),
}

/// Picks the one item named `name`; `name_of` and `id_of` read an item's name and ID.
pub fn by_name<T>(
    items: Vec<T>,
    name: &str,
    name_of: impl Fn(&T) -> &str,
    id_of: impl Fn(&T) -> &str,
) -> ByName<T> {
    let mut found: Vec<T> = items.into_iter().filter(|i| name_of(i) == name).collect();
    match found.len() {
        0 => ByName::Missing,
        1 => ByName::Found(found.remove(0)),
        _ => ByName::Ambiguous(found.iter().map(|i| id_of(i).to_string()).collect()),
    }
}

/// The error of a create whose name is taken: names the existing object and, when its import
/// ID is known, gives the exact commands that bring it under Terraform instead.
/// `noun` is "project" or "database"; `place` says where the name is taken ("among your
/// projects", "in the project prj_x").
pub fn name_taken(
    type_name: &str,
    noun: &str,
    name: &str,
    place: &str,
    import_id: Option<&str>,
) -> Diagnostic {
    let mut detail = format!(
        "Could not create the {noun} {name:?}: a {noun} with that name already exists {place}."
    );
    match import_id {
        Some(id) => detail.push_str(&format!(
            " To manage the existing {noun} with Terraform instead of creating one, import it \
             (replace <name> with this resource's name):\n\n  \
             terraform import {type_name}.<name> {id}\n\n\
             or add an import block to the configuration:\n\n  \
             import {{\n    to = {type_name}.<name>\n    id = \"{id}\"\n  }}\n\n\
             Otherwise choose another name."
        )),
        None => detail.push_str(" Choose another name, or import the existing one."),
    }
    Diagnostic::error(format!("The {noun} name {name:?} is taken"), detail)
        .with_attribute(AttributePath::new("name"))
}

/// The details object of an error answer: the envelope's `details`, which the API client keeps
/// (with the envelope's other extra fields) in `StatusError::details`.
pub fn error_details(extra: &serde_json::Value) -> &serde_json::Value {
    extra.get("details").unwrap_or(extra)
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

    #[test]
    fn lookup_by_name() {
        let items = vec![("a", "1"), ("b", "2"), ("b", "3")];
        let pick = |name: &str| by_name(items.clone(), name, |i| i.0, |i| i.1);
        assert_eq!(pick("a"), ByName::Found(("a", "1")));
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
            Some("prj_1/db_2"),
        );
        assert_eq!(d.attribute, Some(AttributePath::new("name")));
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
        );
        assert!(!d.detail.contains("terraform import"));
    }

    #[test]
    fn details_are_found_inside_the_extra_fields() {
        let extra = serde_json::json!({"reason": "x", "details": {"apps": ["app_1"]}});
        assert_eq!(error_details(&extra)["apps"][0], "app_1");
    }
}
