//! `comwit_project`: a project, the workspace that owns databases, apps and domains.

use std::sync::LazyLock;

use async_trait::async_trait;

use super::lookup::{error_details, holder_of, name_taken};
use super::{dns_label_validator, ProjectModel};
use crate::api::models::Project;
use crate::api::projects::is_missing_route;
use crate::api::{ApiError, Client};
use crate::provider::common::{api_error, api_error_at, call, ModelResource};
use crate::provider::query;
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::resource::{Ctx, IdentityAttribute, IdentitySchema};
use crate::tfplugin::schema::{Attribute, Block, Schema};

provider_type!(ProjectResource, "comwit_project");
const TYPE_NAME: &str = ProjectResource::TYPE_NAME;

/// A project is named by its ID alone.
static IDENTITY: LazyLock<IdentitySchema> = LazyLock::new(|| {
    IdentitySchema::new(vec![IdentityAttribute::required(
        "id",
        "The project's ID, as the platform gives it.",
    )])
});

fn schema() -> Schema {
    let description = "\
A project: the workspace that owns databases, apps and domains.

**Projects are made in the console.** The public platform API only lists projects \
(`GET /v1/projects`): the normal path is the `comwit_project` data source (by `id` or `name`) \
or `terraform import` of an existing project. Creating, renaming and deleting a project with \
this resource **needs a platform route that is not public yet** (an extension that \
comwit-local serves); against a platform without it, create, rename and destroy fail with a \
diagnostic that says so. Refresh and import read the project from the list.

A project can only be destroyed once it is empty (where the extension route exists).

**Import:** `terraform import comwit_project.<name> <project_id>`, or an `import` block with \
`id = \"<project_id>\"` or, on Terraform 1.12 and later, `identity = { id = \"<project_id>\" }`. \
On Terraform 1.14 and later, `terraform query` with a `comwit_project` list block finds your \
projects and writes their `import` and `resource` blocks (`-generate-config-out`).

**Token scopes:** read, refresh and import need `project:read`; the extension routes (create, \
rename, delete) need membership of the project.";

    Schema::new(
        Block::from_attributes(vec![
            Attribute::string("id")
                .computed()
                .use_state_for_unknown()
                .description(
                    "The project's ID, as the platform gives it (an opaque string): the \
                     `project_id` that databases, apps and domains take.",
                ),
            Attribute::string("name")
                .required()
                .validator(dns_label_validator())
                .description(
                    "The project's name, unique among the projects you are a member of: a DNS \
                     label (lowercase letters, digits and hyphens, starting with a letter, at \
                     most 63 characters). Changing it renames the project in place (through \
                     the extension route).",
                ),
        ])
        .description(description),
    )
}

/// The diagnostic for an extension route the platform does not serve (404, 405 or 501).
pub(super) fn needs_extension(action: &str, err: &ApiError) -> Diagnostic {
    let answer = err
        .status()
        .map_or_else(String::new, |s| format!(" (HTTP {s})"));
    Diagnostic::error(
        "Projects cannot be managed through this platform's API",
        format!(
            "Could not {action}: the platform does not offer this route{answer}. Its public API \
             only lists projects; creating, renaming and deleting one is done in the Comwit \
             console. Create the project in the console, then use it with a `data \
             \"comwit_project\"` block (by `id` or `name`) as the `project_id` of databases and \
             apps, or adopt it with `terraform import comwit_project.<name> <project_id>` (a \
             rename or destroy of an imported project still needs the console)."
        ),
    )
}

/// The project `id` from the list. `Ok(None)`: not listed (gone, or not visible to the token);
/// `Err` carries the listing's error.
async fn listed(ctx: &Ctx, client: &Client, id: &str) -> Result<Option<Project>, ApiError> {
    call(ctx, client.find_project(id)).await
}

#[async_trait]
impl ModelResource for ProjectResource {
    type Model = ProjectModel;
    type_metadata!();

    async fn create(&self, ctx: &mut Ctx, planned: ProjectModel) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let client = &configured.client;
        let name = planned.name;
        match call(ctx, client.create_project(&name)).await {
            Ok(project) => self.state(project),
            Err(e) if is_missing_route(&e) => {
                Err(needs_extension(&format!("create the project {name:?}"), &e).into())
            }
            Err(e) if e.is_conflict() => Err(taken(ctx, client, &name, &e).await.into()),
            Err(e) => Err(api_error_at(
                &format!("create the project {name:?}"),
                &e,
                &[("name", "name")],
            )),
        }
    }

    async fn read(&self, ctx: &mut Ctx, known: ProjectModel) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        match listed(ctx, &configured.client, &known.id).await {
            Ok(Some(project)) => self.state(project),
            Ok(None) => Ok(Value::Null),
            // Listing not enabled for this token: keep what the state knows (as the CLI falls
            // back to its configured project).
            Err(e) if matches!(e.status(), Some(404 | 501)) => self.state(known),
            Err(e) => Err(api_error(&format!("read the project {}", known.id), &e)),
        }
    }

    async fn update(
        &self,
        ctx: &mut Ctx,
        prior: ProjectModel,
        planned: ProjectModel,
    ) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let (id, name) = (&prior.id, planned.name);
        if prior.name == name {
            return self.state(prior);
        }
        match call(ctx, configured.client.rename_project(id, &name)).await {
            Ok(project) => self.state(project),
            Err(e) if is_missing_route(&e) => {
                Err(needs_extension(&format!("rename the project {id} to {name:?}"), &e).into())
            }
            Err(e) if e.is_conflict() => Err(Diagnostic::error(
                format!("The project name {name:?} is taken"),
                format!(
                    "Could not rename the project {id} to {name:?}: you are already a member of \
                     a project with that name. Choose another name."
                ),
            )
            .with_attribute(AttributePath::new("name"))
            .into()),
            Err(e) => Err(api_error_at(
                &format!("rename the project {id} to {name:?}"),
                &e,
                &[("name", "name")],
            )),
        }
    }

    async fn delete(&self, ctx: &mut Ctx, prior: ProjectModel) -> Result<(), Diagnostics> {
        let configured = self.shared.get()?;
        let client = &configured.client;
        let ProjectModel { id, name } = prior;
        let action = format!("delete the project {name:?} ({id})");
        match call(ctx, client.delete_project(&id)).await {
            Ok(()) => Ok(()),
            // 404: gone already, or no such route. The list tells which.
            Err(e) if e.is_not_found() => match listed(ctx, client, &id).await {
                Ok(None) => Ok(()),
                Ok(Some(_)) => Err(needs_extension(&action, &e).into()),
                Err(_) => Err(needs_extension(&action, &e).into()),
            },
            Err(e) if is_missing_route(&e) => Err(needs_extension(&action, &e).into()),
            Err(e) if e.is_conflict() => Err(not_empty(&id, &name, &e).into()),
            Err(e) => Err(api_error(&action, &e)),
        }
    }

    async fn import(&self, ctx: &mut Ctx, id: &str) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        match listed(ctx, &configured.client, id).await {
            Ok(Some(project)) => self.state(project),
            Ok(None) => Err(Diagnostic::error(
                "Project not found",
                format!(
                    "Cannot import {id:?}: none of the projects your token lists has that ID. \
                     The import ID is the project ID; the `comwit_projects` data source lists \
                     the projects your token can see."
                ),
            )
            .into()),
            Err(e) => Err(api_error(&format!("import the project {id:?}"), &e)),
        }
    }

    fn identity(&self) -> Option<&IdentitySchema> {
        Some(&IDENTITY)
    }

    fn identity_import_id(&self, identity: &Value) -> Result<String, Diagnostics> {
        query::check_identity_ids(identity, &[("id", "a project", "prj")], "")?;
        query::import_id(identity, &["id"], &self.shared)
    }
}

/// The 409 of a create: the name is taken among the user's projects. Finds the project that
/// holds it (listing needs `project:read`; the error's details name it too) for the import
/// command.
async fn taken(ctx: &Ctx, client: &Client, name: &str, err: &ApiError) -> Diagnostic {
    let holder = holder_of(ctx, client.list_projects(), name, err).await;
    let place = "among the projects you are a member of";
    name_taken(
        TYPE_NAME,
        "project",
        name,
        place,
        holder.as_deref(),
        str::to_string,
    )
}

/// The 409 of a delete: the project still holds databases, apps or domains.
fn not_empty(id: &str, name: &str, err: &ApiError) -> Diagnostic {
    let empty = serde_json::Value::Null;
    let details = err
        .as_status()
        .map_or(&empty, |s| error_details(&s.details));
    let held = held_list(details);
    let what = if held.is_empty() {
        err.as_status()
            .map_or_else(|| err.to_string(), |s| s.message.clone())
    } else {
        format!("it still holds {}", held.join("; "))
    };
    Diagnostic::error(
        "Project is not empty",
        format!(
            "Could not delete the project {name:?} ({id}): {what}. Destroy or \
             remove those first: if Terraform manages them, destroy them (resources that use \
             `project_id = comwit_project.<name>.id` are destroyed before the project); if \
             they were created elsewhere, delete them with the console or the CLI. Then run \
             the destroy again."
        ),
    )
}

/// "2 databases (db_1, db_2)" and the like, for each non-empty list in the details.
fn held_list(details: &serde_json::Value) -> Vec<String> {
    [
        ("databases", "database", "databases"),
        ("apps", "app", "apps"),
        ("domains", "domain", "domains"),
    ]
    .iter()
    .filter_map(|(key, one, many)| {
        let items: Vec<&str> = details
            .get(*key)?
            .as_array()?
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        match items.len() {
            0 => None,
            1 => Some(format!("1 {one} ({})", items[0])),
            n => Some(format!("{n} {many} ({})", items.join(", "))),
        }
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::error::StatusError;
    use crate::tfplugin::model;
    use crate::tfplugin::resource::Resource;

    fn conflict(details: serde_json::Value) -> ApiError {
        ApiError::Status(Box::new(StatusError {
            title: None,
            status: 409,
            code: "project_not_empty".into(),
            message: "project prj_1 still holds things".into(),
            required_scope: None,
            field: None,
            details,
            method: "DELETE".into(),
            path: "/v1/projects/prj_1".into(),
        }))
    }

    #[test]
    fn not_empty_lists_what_the_project_holds() {
        let err = conflict(serde_json::json!({
            "details": {"databases": ["db_1", "db_2"], "apps": ["app_1"], "domains": []}
        }));
        let d = not_empty("prj_1", "shop", &err);
        assert!(
            d.detail
                .contains("it still holds 2 databases (db_1, db_2); 1 app (app_1)."),
            "{}",
            d.detail
        );
        assert!(d.detail.contains("Destroy or remove those first"));
    }

    #[test]
    fn not_empty_without_details_uses_the_message() {
        let d = not_empty("prj_1", "shop", &conflict(serde_json::Value::Null));
        assert!(
            d.detail.contains(": project prj_1 still holds things."),
            "{}",
            d.detail
        );
    }

    #[tokio::test]
    async fn identities_are_checked_before_any_call() {
        let r = ProjectResource::new(crate::provider::Shared::default());
        let (_tx, stop) = crate::tfplugin::resource::StopSignal::new();
        let mut ctx = Ctx::new(stop, Default::default(), Vec::new());
        let identity = |id: Value| Value::object([("id", id)]);
        let err = r.import_identity(&mut ctx, &identity(Value::Null)).await;
        let err = err.unwrap_err().to_string();
        assert!(err.contains("must set `id`"), "{err}");
        // IDs are opaque: only whitespace or a `/` is refused before a call.
        let err = r
            .import_identity(&mut ctx, &identity(Value::string("a b")))
            .await;
        let err = err.unwrap_err().to_string();
        assert!(err.contains("Invalid id in the identity"), "{err}");
        // A well-formed one goes on to the API (here: not configured).
        let id = identity(Value::string("prj_0123456789abcdef"));
        let err = r.import_identity(&mut ctx, &id).await.unwrap_err();
        assert!(err.to_string().contains("not configured"), "{err}");
    }

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<ProjectModel>(&schema());
    }
}
