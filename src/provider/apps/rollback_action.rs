//! `comwit_app_rollback`: an action that makes an earlier build of an app active again, for
//! `terraform apply -invoke=action.comwit_app_rollback.<name>` or a resource's
//! `action_trigger`.

use async_trait::async_trait;
use serde::Deserialize;

use super::opaque_id_validator;
use crate::api::models::Build;
use crate::api::Client;
use crate::provider::common::{action_project, api_error, call};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::model;
use crate::tfplugin::resource::{Action, Ctx, Progress};
use crate::tfplugin::schema::{Attribute, Block, Schema};

provider_type!(AppRollbackAction, "comwit_app_rollback");

fn schema() -> Schema {
    let description = "\
Makes an earlier build of an app active again, at once: `build_id`, or by default the build \
deployed just before the active one. Invoke it with \
`terraform apply -invoke=action.comwit_app_rollback.<name>` (Terraform 1.14 or later), or \
from a resource's `lifecycle { action_trigger { ... } }`.

**What the next apply does.** A rollback changes the platform, not the configuration:

- If the app's `comwit_app` has `source_dir` and no `active_build_id`, the next plan shows \
`active_build_id` changing back to the last build Terraform deployed, and apply reverts the \
rollback. To keep the rolled-back build, set `active_build_id` to it (the action prints the \
line to add) before the next apply.
- If `active_build_id` is set, the next apply makes that build active again.
- If the `comwit_app` has neither, Terraform reports the active build without managing it: \
the rollback stays.

**Needs a platform route that is not public yet** (`POST .../apps/{app_id}/rollback`, an \
extension served by comwit-local): against a platform without it, the action fails with a \
clear error; deploy the old package again instead.

**Token scopes:** `app:read` (to find the builds) and `app:deploy`.";

    Schema::new(
        Block::from_attributes(vec![
            Attribute::string("project_id")
                .optional()
                .validator(opaque_id_validator())
                .description("The app's project. Defaults to the provider's `project_id`."),
            Attribute::string("app_id")
                .required()
                .validator(opaque_id_validator())
                .description("The app to roll back."),
            Attribute::string("build_id")
                .optional()
                .validator(opaque_id_validator())
                .description(
                    "The build to make active, one of the app's \
                     builds (see the `comwit_app_builds` data source). Defaults to the build \
                     deployed before the active one.",
                ),
        ])
        .description(description),
    )
}

#[derive(Deserialize)]
struct RollbackModel {
    project_id: Option<String>,
    app_id: String,
    build_id: Option<String>,
}

/// The rollback a configuration asks for, resolved against the app's builds.
struct Target {
    project: String,
    app_id: String,
    from: Option<String>,
    to: String,
}

impl AppRollbackAction {
    fn project(&self, config: &RollbackModel) -> Result<String, Diagnostics> {
        action_project(&config.project_id, &self.shared)
    }

    /// Finds the build to roll back to: the configured one (which must be the app's), else
    /// the newest build older than the active one.
    async fn target(
        &self,
        ctx: &Ctx,
        client: &Client,
        config: RollbackModel,
    ) -> Result<Target, Diagnostics> {
        let project = self.project(&config)?;
        let app_id = config.app_id;
        let builds = call(ctx, client.list_builds(&project, &app_id))
            .await
            .map_err(|e| {
                if e.is_not_found() {
                    no_such_app(&project, &app_id)
                } else {
                    api_error(&format!("list the builds of the app {app_id}"), &e)
                }
            })?;
        let from = call(ctx, client.get_app(&project, &app_id))
            .await
            .map_err(|e| {
                if e.is_not_found() {
                    no_such_app(&project, &app_id)
                } else {
                    api_error(&format!("read the app {app_id}"), &e)
                }
            })?
            .active_build_id;
        let to = match config.build_id {
            Some(wanted) if builds.iter().any(|b| b.build_id == wanted) => wanted,
            Some(wanted) => {
                return Err(Diagnostic::error(
                    "Build not found",
                    format!(
                        "{wanted} is not a build of the app {app_id}. The `comwit_app_builds` \
                         data source lists the app's builds."
                    ),
                )
                .with_attribute(AttributePath::new("build_id"))
                .into())
            }
            None => previous_build(&builds, from.as_deref()).ok_or_else(|| {
                Diagnostics::from(Diagnostic::error(
                    "No earlier build",
                    format!(
                        "The app {app_id} has no build older than its active one ({}), so there \
                         is nothing to roll back to. Deploy a new build instead, or set \
                         `build_id`.",
                        from.as_deref().unwrap_or("none")
                    ),
                ))
            })?,
        };
        Ok(Target {
            project,
            app_id,
            from,
            to,
        })
    }
}

/// The build deployed just before the active one. The platform lists builds oldest first;
/// creation times alone cannot order them (two deploys may share a second).
fn previous_build(builds: &[Build], active: Option<&str>) -> Option<String> {
    let position = builds
        .iter()
        .position(|b| Some(b.build_id.as_str()) == active)?;
    let previous = position.checked_sub(1)?;
    Some(builds[previous].build_id.clone())
}

fn no_such_app(project: &str, app_id: &str) -> Diagnostics {
    Diagnostic::error(
        "App not found",
        format!(
            "The project {project} has no app {app_id} (or the project does not exist). Check \
             `app_id` and `project_id`."
        ),
    )
    .with_attribute(AttributePath::new("app_id"))
    .into()
}

#[async_trait]
impl Action for AppRollbackAction {
    type_metadata!();

    /// Resolves the target build when the configuration is known, so a rollback that cannot
    /// happen fails before anyone approves it.
    async fn plan(&self, ctx: &mut Ctx, config: &Value) -> Diagnostics {
        if config.contains_unknown() {
            return Diagnostics::new();
        }
        let result = async {
            let configured = self.shared.get()?;
            let model = model::get(config)?;
            self.target(ctx, &configured.client, model).await
        }
        .await;
        result.err().unwrap_or_default()
    }

    async fn invoke(&self, ctx: &mut Ctx, config: &Value, progress: &Progress) -> Diagnostics {
        let result = async {
            let configured = self.shared.get()?;
            let client = &configured.client;
            let target = self.target(ctx, client, model::get(config)?).await?;
            let Target {
                project,
                app_id,
                from,
                to,
            } = &target;
            let from = from.as_deref().unwrap_or("no build");
            progress.report(format!("Rolling back the app {app_id} from {from} to {to}"));
            let app = call(ctx, client.rollback(project, app_id, to))
                .await
                .map_err(|e| super::app::rollback_error(app_id, to, &e))?;
            let active = app.active_build_id.unwrap_or_default();
            progress.report(format!(
                "The app {app_id} now serves {active}. To keep it through the next apply of a \
                 configuration that deploys `source_dir`, set active_build_id = \"{active}\" on \
                 its comwit_app."
            ));
            Ok::<_, Diagnostics>(())
        }
        .await;
        result.err().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(id: &str, created: &str, _active: bool) -> Build {
        Build {
            build_id: id.into(),
            created_at: Some(created.into()),
            ..Default::default()
        }
    }

    #[test]
    fn the_default_target_is_the_build_before_the_active_one() {
        // Oldest first, as the platform lists them; two deploys in the same second.
        let builds = [
            build("bld_c", "2026-01-01T00:00:00Z", false),
            build("bld_a", "2026-01-02T00:00:00Z", false),
            build("bld_b", "2026-01-02T00:00:00Z", true),
        ];
        let previous = previous_build(&builds, Some("bld_b"));
        assert_eq!(previous.as_deref(), Some("bld_a"));
        assert_eq!(previous_build(&builds, Some("bld_c")), None);
        assert_eq!(previous_build(&builds, None), None);
    }

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<RollbackModel>(&schema());
    }
}
