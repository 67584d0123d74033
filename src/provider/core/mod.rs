//! Projects, databases and the token: the `comwit_project` and `comwit_database` resources
//! (with identities) and list resources, and the `comwit_project`, `comwit_projects`,
//! `comwit_database` and `comwit_token` data sources.

mod database;
mod database_data_source;
mod database_list;
mod database_state;
mod database_wait;
mod lookup;
mod project;
mod project_data_source;
mod project_list;
mod projects_data_source;
mod token_data_source;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::Shared;
use crate::api::models::Project;
use crate::provider::common::{is_dns_label, is_platform_id};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::resource::{DataSource, ListResource, Resource};
use crate::tfplugin::schema::validators::{self, Matches};

pub fn resources(shared: &Shared) -> Vec<Arc<dyn Resource>> {
    vec![
        Arc::new(project::ProjectResource::new(shared.clone())),
        Arc::new(database::DatabaseResource::new(shared.clone())),
    ]
}

pub fn data_sources(shared: &Shared) -> Vec<Arc<dyn DataSource>> {
    vec![
        Arc::new(project_data_source::ProjectDataSource::new(shared.clone())),
        Arc::new(projects_data_source::ProjectsDataSource::new(
            shared.clone(),
        )),
        Arc::new(database_data_source::DatabaseDataSource::new(
            shared.clone(),
        )),
        Arc::new(token_data_source::TokenDataSource::new(shared.clone())),
    ]
}

/// The list resources (`terraform query`, Terraform 1.14+) of the same types.
pub fn list_resources(shared: &Shared) -> Vec<Arc<dyn ListResource>> {
    vec![
        Arc::new(project_list::ProjectList::new(shared.clone())),
        Arc::new(database_list::DatabaseList::new(shared.clone())),
    ]
}

/// Checks the IDs an `import` block's `identity` sets, `(attribute, noun, prefix)` each, so a
/// mistyped one is named with its attribute instead of answered "not found". Unset ones are
/// left to `query::import_id` (a default, or a "Missing" error).
fn check_identity_ids(identity: &Value, ids: &[(&str, &str, &str)]) -> Result<(), Diagnostics> {
    for (name, noun, prefix) in ids {
        match identity.get(name).and_then(Value::as_str) {
            Some(id) if !id.is_empty() && !is_platform_id(id, prefix) => {
                return Err(Diagnostic::error(
                    format!("Invalid {name} in the identity"),
                    format!(
                        "The import block's `identity` sets `{name}` to {id:?}, which is not a \
                         {noun} ID: those are `{prefix}_` followed by 16 lowercase hex digits, \
                         as the platform gives them. Correct it in the `identity` block."
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

/// The plan-time check of project and database names: the platform's DNS-label rule.
fn dns_label_validator() -> Matches {
    validators::matches(
        "be a DNS label: lowercase letters, digits and hyphens, starting with a letter, not \
         ending with a hyphen, at most 63 characters",
        is_dns_label,
    )
}

/// A project's attributes: the `comwit_project` resource's configuration and state, and an
/// item of the `comwit_projects` list (`id` and `created_at` are unknown until created).
#[derive(Serialize, Deserialize)]
struct ProjectModel {
    #[serde(default)]
    id: String,
    name: String,
    #[serde(default)]
    created_at: String,
}

impl From<Project> for ProjectModel {
    fn from(project: Project) -> Self {
        ProjectModel {
            id: project.project_id,
            name: project.name,
            created_at: project.created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tfplugin::cty::Value;

    #[test]
    fn every_schema_is_well_defined_and_documents_its_scopes() {
        let shared = Shared::default();
        let resources = resources(&shared);
        let data_sources = data_sources(&shared);
        let names: Vec<&str> = resources
            .iter()
            .map(|r| r.type_name())
            .chain(data_sources.iter().map(|d| d.type_name()))
            .collect();
        assert_eq!(
            names,
            [
                "comwit_project",
                "comwit_database",
                "comwit_project",
                "comwit_projects",
                "comwit_database",
                "comwit_token"
            ]
        );
        let schemas = resources
            .iter()
            .map(|r| (r.type_name(), r.schema()))
            .chain(data_sources.iter().map(|d| (d.type_name(), d.schema())));
        for (name, schema) in schemas {
            let d = schema.validate_definition();
            assert!(d.is_empty(), "{name}: {d}");
            let description = &schema.block.description;
            assert!(
                description.contains("\n\n**Token scopes:**"),
                "{name} must end with a token scopes paragraph"
            );
            for a in &schema.block.attributes {
                assert!(
                    !a.description.is_empty(),
                    "{name}.{} has no description",
                    a.name
                );
            }
        }
    }

    #[test]
    fn identities_name_state_attributes_and_lists_have_identities() {
        let shared = Shared::default();
        let resources = resources(&shared);
        for r in &resources {
            let identity = r.identity().expect("every resource has an identity");
            for a in &identity.attributes {
                let attribute = r
                    .schema()
                    .block
                    .attributes
                    .iter()
                    .find(|s| s.name == a.name);
                assert!(
                    attribute.is_some(),
                    "{}: identity attribute {} is not in the state",
                    r.type_name(),
                    a.name
                );
                assert!(!a.description.is_empty());
            }
        }
        let lists = list_resources(&shared);
        let names: Vec<&str> = lists.iter().map(|l| l.type_name()).collect();
        assert_eq!(names, ["comwit_project", "comwit_database"]);
        for l in &lists {
            assert!(resources.iter().any(|r| r.type_name() == l.type_name()));
            let d = l.schema().validate_definition();
            assert!(d.is_empty(), "{}: {d}", l.type_name());
            let description = &l.schema().block.description;
            assert!(description.contains("\n\n**Token scopes:**"));
            assert!(l
                .schema()
                .block
                .attributes
                .iter()
                .all(|a| !a.description.is_empty()));
        }
    }

    #[test]
    fn identity_ids_are_checked_by_kind() {
        let ids = [
            ("project_id", "project", "prj"),
            ("database_id", "database", "db"),
        ];
        let identity = |project: Value, database: Value| {
            Value::object([("project_id", project), ("database_id", database)])
        };
        let good = identity(
            Value::string("prj_0123456789abcdef"),
            Value::string("db_0123456789abcdef"),
        );
        assert!(check_identity_ids(&good, &ids).is_ok());
        // Unset ones are for `query::import_id` to default or report.
        let unset = identity(Value::Null, Value::string(""));
        assert!(check_identity_ids(&unset, &ids).is_ok());
        let swapped = identity(
            Value::string("db_0123456789abcdef"),
            Value::string("db_0123456789abcdef"),
        );
        let d = check_identity_ids(&swapped, &ids).unwrap_err();
        let e = d.iter().next().unwrap();
        assert_eq!(e.summary, "Invalid project_id in the identity");
        assert_eq!(e.attribute, Some(AttributePath::new("project_id")));
        assert!(e.detail.contains("not a project ID"), "{}", e.detail);
    }

    #[test]
    fn names_are_checked_as_dns_labels() {
        use crate::tfplugin::schema::Validator;
        let check = |s: &str| {
            let mut d = Diagnostics::new();
            dns_label_validator().validate(&Value::string(s), &AttributePath::new("name"), &mut d);
            d
        };
        assert!(check("main-db").is_empty());
        let d = check("Main_DB");
        assert!(d.has_errors());
        assert!(d.to_string().contains("DNS label"), "{d}");
    }
}
