//! Projects, databases and the token: the `comwit_project` and `comwit_database` resources,
//! and the `comwit_project`, `comwit_projects`, `comwit_database` and `comwit_token` data
//! sources.

mod database;
mod database_data_source;
mod database_state;
mod database_wait;
mod lookup;
mod project;
mod project_data_source;
mod projects_data_source;
mod token_data_source;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::Shared;
use crate::api::models::Project;
use crate::provider::common::is_dns_label;
use crate::tfplugin::resource::{DataSource, Resource};
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
    fn names_are_checked_as_dns_labels() {
        use crate::tfplugin::diag::{AttributePath, Diagnostics};
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
