//! Projects, databases and tokens: the `comwit_project` and `comwit_database` resources
//! (with identities) and list resources, the `comwit_project`, `comwit_projects`,
//! `comwit_database` data sources, and the `comwit_database_token`
//! ephemeral resource.

mod database;
mod database_alias;
mod database_data_source;
mod database_execute;
mod database_list;
mod database_migration;
mod database_restore;
mod database_seed;
mod database_state;
mod database_token;
mod database_wait;
mod lookup;
mod project;
mod project_data_source;
mod project_list;
mod projects_data_source;
mod restore_points_data_source;
mod sql;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::Shared;
use crate::api::models::Project;
use crate::provider::common::is_dns_label;
use crate::tfplugin::resource::{DataSource, EphemeralResource, ListResource, Resource};
use crate::tfplugin::schema::validators::{self, Matches};

/// The `database_id` of an object below a database: required, and a new one replaces it.
fn parent_database_attribute(description: &str) -> crate::tfplugin::schema::Attribute {
    crate::tfplugin::schema::Attribute::string("database_id")
        .required()
        .requires_replace()
        .validator(crate::provider::common::id_validator("database", "db"))
        .description(description)
}

/// The name of an object below a database (a migration, an alias): required, a new one
/// replaces it, and no `/` or whitespace (the import ID separates its parts with `/`).
fn name_below_database(name: &str, description: &str) -> crate::tfplugin::schema::Attribute {
    crate::tfplugin::schema::Attribute::string(name)
        .required()
        .requires_replace()
        .validator(validators::string_length(1, 200))
        .validator(validators::matches(
            "be a name without `/` or whitespace (the import ID separates its parts with `/`)",
            |s| !s.contains('/') && !s.chars().any(char::is_whitespace),
        ))
        .description(description)
}

/// The IDs an identity below a database holds: `(attribute, noun, prefix)`.
const DATABASE_IDENTITY_IDS: [(&str, &str, &str); 2] = [
    ("project_id", "a project", "prj"),
    ("database_id", "a database", "db"),
];

pub fn resources(shared: &Shared) -> Vec<Arc<dyn Resource>> {
    vec![
        Arc::new(project::ProjectResource::new(shared.clone())),
        Arc::new(database::DatabaseResource::new(shared.clone())),
        Arc::new(database_migration::DatabaseMigrationResource::new(
            shared.clone(),
        )),
        Arc::new(database_alias::DatabaseAliasResource::new(shared.clone())),
    ]
}

pub fn database_execute_action(shared: &Shared) -> Arc<dyn crate::tfplugin::resource::Action> {
    Arc::new(database_execute::DatabaseExecuteAction::new(shared.clone()))
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
        Arc::new(restore_points_data_source::RestorePointsDataSource::new(
            shared.clone(),
        )),
    ]
}

/// The list resources (`terraform query`, Terraform 1.14+) of the same types.
pub fn list_resources(shared: &Shared) -> Vec<Arc<dyn ListResource>> {
    vec![
        Arc::new(project_list::ProjectList::new(shared.clone())),
        Arc::new(database_list::DatabaseList::new(shared.clone())),
    ]
}

/// The ephemeral resources (Terraform 1.10+): values Terraform never stores.
pub fn ephemeral_resources(shared: &Shared) -> Vec<Arc<dyn EphemeralResource>> {
    vec![Arc::new(database_token::DatabaseTokenResource::new(
        shared.clone(),
    ))]
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
/// item of the `comwit_projects` list (`id` is unknown until created).
#[derive(Serialize, Deserialize)]
pub(crate) struct ProjectModel {
    #[serde(default)]
    id: String,
    name: String,
}

impl From<Project> for ProjectModel {
    fn from(project: Project) -> Self {
        ProjectModel {
            id: project.project_id,
            name: project.name,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::common::FolderTypes;
    use crate::tfplugin::cty::Value;
    use crate::tfplugin::diag::{AttributePath, Diagnostics};

    #[test]
    fn every_schema_is_well_defined_and_documents_its_scopes() {
        FolderTypes::new(resources, data_sources, list_resources).check(&[
            "comwit_project",
            "comwit_database",
            "comwit_database_migration",
            "comwit_database_alias",
            "comwit_project",
            "comwit_projects",
            "comwit_database",
            "comwit_database_restore_points",
            "comwit_project",
            "comwit_database",
        ]);
    }

    #[test]
    fn every_resource_has_an_identity() {
        for r in resources(&Shared::default()) {
            assert!(r.identity().is_some(), "{}", r.type_name());
        }
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
