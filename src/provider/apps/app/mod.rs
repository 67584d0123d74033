//! `comwit_app`: a runtime app with its environment variables, its deployed package and its
//! active build, on the public routes (`/v1/projects/{p}/apps...`).

use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde::Deserialize;

use crate::api::models::{DeployOptions, EnvPut};
use crate::api::{ApiError, Client};
use crate::provider::common::{
    api_error, api_error_at, attr_or_null, call, plan_project, project_id_attribute, set_attr,
    split_import_id, timeout, timeouts_block,
};
use crate::tfplugin::cty::{Type, Value};
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, IdentitySchema, PlanRequest, Resource};
use crate::tfplugin::schema::{validators, Attribute, Block, Schema};

use super::app_identity;
use super::app_plan::{pack_source, plan_active, plan_source, Source};
use super::app_state::{fetch, AppModel};
use super::env::{self, Vars};
use super::{app_not_found, opaque_id_validator};

const TYPE_NAME: &str = AppResource::TYPE_NAME;
const IMPORT_FORM: &str = "<project_id>/<app_id>";

/// The state version. 0 and 1 had `runtime`, `secret_env_digests` (plain, then keyed),
/// `secret_env_wo_rotating`, `default_hostname` and `created_at`, which the public platform
/// does not have; 2 is on the public routes.
const SCHEMA_VERSION: i64 = 2;

/// How long a delete waits for the platform's cleanup by default.
const DEFAULT_DELETE_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// Between two DELETEs of an app whose cleanup is not complete (the official CLI's pace).
const DELETE_RETRY_INTERVAL: Duration = Duration::from_secs(2);

/// The platform's refusal of secret values, as documented.
const SECRETS_REFUSED: &str = "secret app env values are not enabled";

provider_type!(AppResource, "comwit_app");

impl AppResource {
    /// The state of a model: what `read` returns, and what the list resource sends.
    pub(super) fn state(&self, app: &AppModel) -> Result<Value, Diagnostics> {
        model::value_of(app, &self.schema)
    }
}

/// What the plan reads of the configuration through a model.
#[derive(Deserialize)]
struct PlanConfig {
    name: Option<String>,
    active_build_id: Option<String>,
}

pub(super) fn schema() -> Schema {
    let description = "\
A runtime app on Comwit Cloud with its environment variables and, optionally, its code: give \
`source_dir` (a brrrd build folder, the `dist/brrrd` that Next.js with `@brrrd/adapter` \
writes: `manifest.json` and `static/`) and the provider packs it into a reproducible \
zstd-compressed tar, or give `package`, a prebuilt `.tar.zst`. The plan checks the package \
(a root `manifest.json` with `schemaVersion` and `routes`) and shows when its contents \
changed (`source_sha256`); apply deploys it, which makes a build and activates it.

Environment variables are kept one by one: apply sends only the variables whose value \
changed and deletes those no longer configured.

**Secrets.** `secret_env_wo` (write-only, Terraform 1.11 or later) sends its values as \
secret variables. The platform does not accept secret values today: it answers \"secret app \
env values are not enabled; store plain env values only\", which the provider shows. Use \
`env` for plain values until the platform enables secrets.

**Rollback.** `active_build_id` pins a build (see `comwit_app_builds`). Making an earlier \
build active again needs a platform route that is not public yet (an extension, served by \
comwit-local); against a platform without it, apply fails with a clear error: deploy the old \
package again instead.

**Delete** repeats the platform's DELETE until it reports the cleanup complete, within the \
delete timeout (`timeouts { delete = \"5m\" }`), and says what is left if it never does.

**Import:** `terraform import comwit_app.<name> <project_id>/<app_id>`, or an `import` block \
with that `id` or, on Terraform 1.12 and later, \
`identity = { project_id = \"<project_id>\", app_id = \"<app_id>\" }` (`project_id` defaults \
to the provider's). On Terraform 1.14 and later, `terraform query` with a `comwit_app` list \
block finds a project's apps. After import, `env` holds the app's plain variables and the \
app's secrets stay as they are while `secret_env_wo` is not set; `build_id` is the build \
active at import.

**Token scopes:** create needs `app:write` (plus `app:deploy` to deploy); read, refresh and \
import need `app:read`; update needs `app:write` for variables and `app:deploy` to deploy or \
roll back; delete needs `app:write`.";

    Schema::new(
        Block::from_attributes(vec![
            Attribute::string("app_id")
                .computed()
                .use_state_for_unknown()
                .description("The app's ID, as the platform gives it."),
            project_id_attribute("app"),
            Attribute::string("name")
                .required()
                .requires_replace()
                .validator(validators::string_length(1, 1000))
                .description(
                    "The app's name, unique within the project. The platform has no public \
                     rename: changing it replaces the app.",
                ),
            Attribute::map("env", Type::String)
                .optional()
                .validator(env::names_validator())
                .description(
                    "Plain environment variables, name to value. Values are not secret: they \
                     are stored in the state and shown in plans. Names match \
                     `[A-Za-z_][A-Za-z0-9_]*`.",
                ),
            Attribute::map("secret_env_wo", Type::String)
                .optional()
                .sensitive()
                .write_only()
                .validator(env::names_validator())
                .description(
                    "Secret environment variables, name to value. **Write-only**: the values \
                     are sent with `secret: true` and never stored in the plan or the state. \
                     The platform refuses secret values today (\"secret app env values are \
                     not enabled\"): use `env` for plain values. Sent on create, for names the \
                     app does not have yet, and all again when `secret_env_wo_version` \
                     changes. A name may not also be in `env`.",
                ),
            Attribute::int64("secret_env_wo_version")
                .optional()
                .description("Any number; changing it sends `secret_env_wo` again."),
            Attribute::string("source_dir").optional().description(
                "A brrrd build folder (holding `manifest.json` and `static/`), relative to \
                 where Terraform runs (use `\"${path.module}/...\"`). It is packed into a \
                 reproducible zstd-compressed tar (entries `./manifest.json`, `./static/...`; \
                 sorted, no timestamps or owners), whose digest is computed at plan time: \
                 when it differs from `source_sha256`, apply deploys it as a new build, which \
                 becomes active. Conflicts with `package`.",
            ),
            Attribute::string("package").optional().description(
                "A prebuilt package: a zstd-compressed tar of a brrrd build folder \
                 (`tar --zstd -cf app.tar.zst -C dist/brrrd .`). Deployed when its SHA-256 \
                 changes. Conflicts with `source_dir`.",
            ),
            Attribute::string("env_ref").optional().description(
                "Passed to the deploy as `env_ref` when set (the platform's environment \
                 reference for the build).",
            ),
            Attribute::int64("max_concurrent_requests")
                .optional()
                .validator(validators::int_between(1, i64::MAX))
                .description(
                    "Passed to the deploy as `max_concurrent_requests` when set: how many \
                     requests one instance of the build serves at once.",
                ),
            Attribute::string("source_sha256")
                .computed()
                .description("Hex SHA-256 of the package deployed from `source_dir` or `package`."),
            Attribute::string("build_id").computed().description(
                "The build created by the last deploy (after import: the build active then).",
            ),
            Attribute::string("active_build_id")
                .optional()
                .computed()
                .validator(opaque_id_validator())
                .description(
                    "The build that serves traffic. A deploy makes its build active. Set it \
                     to an earlier build of this app to roll back (see `comwit_app_builds`): \
                     this needs a platform route that is not public yet (an extension); \
                     without it apply fails and says to deploy the old package again. When \
                     unset without `source_dir` or `package`, Terraform reports the active \
                     build without managing it. Not on a new app, which has no builds yet.",
                ),
            Attribute::string("default_url")
                .computed()
                .use_state_for_unknown()
                .description(
                    "The app's own URL, when the platform gives one (newer platform \
                     contracts); else null.",
                ),
            Attribute::string("default_domain")
                .computed()
                .use_state_for_unknown()
                .description(
                    "The hostname the platform serves the app at, when it gives one (newer \
                     platform contracts); else null.",
                ),
        ])
        .with_block(timeouts_block(&["delete"], "default 5m"))
        .description(description),
    )
    .version(SCHEMA_VERSION)
}

/// `create the app "web"`, for error messages.
fn action(verb: &str, name: &str) -> String {
    format!("{verb} the app {name:?}")
}

/// The configured package source (known values only).
fn source_of(model: &AppModel) -> Option<Source<'_>> {
    match (&model.source_dir, &model.package) {
        (Some(d), _) => Some(Source::Dir(d)),
        (None, Some(p)) => Some(Source::Package(p)),
        _ => None,
    }
}

#[async_trait]
impl Resource for AppResource {
    type_metadata!();

    /// A generated configuration has no package, so it leaves the active build to whoever
    /// deploys: no `active_build_id`, which would pin it.
    fn generate_config(&self, state: &Value) -> Value {
        let mut config = crate::tfplugin::plan::config_from_state(&self.schema, state);
        set_attr(&mut config, "active_build_id", Value::Null);
        config
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = env::validate_combined(
            &attr_or_null(config, "env"),
            &attr_or_null(config, "secret_env_wo"),
        );
        let (dir, package) = (
            attr_or_null(config, "source_dir"),
            attr_or_null(config, "package"),
        );
        if !dir.is_null() && !package.is_null() {
            d.attribute_error(
                AttributePath::new("package"),
                "Conflicting package sources",
                "Both `source_dir` and `package` are set. Give the build folder to pack \
                 (`source_dir`) or a prebuilt `.tar.zst` (`package`), not both.",
            );
        }
        d
    }

    async fn modify_plan(&self, ctx: &mut Ctx, plan: &mut PlanRequest) -> Diagnostics {
        let _ = ctx;
        match self.plan(plan).await {
            Ok(()) => Diagnostics::new(),
            Err(d) => d,
        }
    }

    async fn create(
        &self,
        ctx: &mut Ctx,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, Diagnostics> {
        self.converge(ctx, None, planned, config).await
    }

    async fn read(&self, ctx: &mut Ctx, state: &Value) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let state: AppModel = model::get(state)?;
        match fetch(ctx, &configured.client, &state.project_id, &state.app_id).await {
            Ok(Some((app, remote_env))) => self.state(&state.refreshed(&app, &remote_env)),
            Ok(None) => Ok(Value::Null),
            Err(e) => Err(api_error(&format!("read the app {}", state.app_id), &e)),
        }
    }

    async fn update(
        &self,
        ctx: &mut Ctx,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, Diagnostics> {
        let prior: AppModel = model::get(prior)?;
        self.converge(ctx, Some(&prior), planned, config).await
    }

    async fn delete(&self, ctx: &mut Ctx, prior: &Value) -> Result<(), Diagnostics> {
        let configured = self.shared.get()?;
        let limit = timeout(prior, "delete", DEFAULT_DELETE_TIMEOUT);
        let AppModel {
            project_id,
            app_id,
            name,
            ..
        } = model::get(prior)?;
        delete_until_complete(
            ctx,
            &configured.client,
            (&project_id, &app_id, &name),
            limit,
        )
        .await
    }

    /// Versions 0 and 1 had attributes the public platform does not have: they are dropped
    /// (the current schema's decoder ignores them); the next refresh fills in the rest.
    async fn upgrade_state(&self, _version: i64, raw_json: &[u8]) -> Result<Value, Diagnostics> {
        let mut json: serde_json::Value = serde_json::from_slice(raw_json).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Unable to Read Prior State",
                format!("The stored state of this app is not valid JSON ({e})."),
            ))
        })?;
        if let Some(o) = json.as_object_mut() {
            for gone in [
                "runtime",
                "secret_env_digests",
                "secret_env_wo_rotating",
                "default_hostname",
                "created_at",
            ] {
                o.remove(gone);
            }
        }
        let raw = serde_json::to_vec(&json).unwrap_or_default();
        crate::tfplugin::plan::upgrade_raw_state(&self.schema, &raw)
    }

    async fn import(&self, ctx: &mut Ctx, id: &str) -> Result<Value, Diagnostics> {
        let parts = split_import_id(id, 2, IMPORT_FORM)?;
        let (project, app_id) = (&parts[0], &parts[1]);
        let configured = self.shared.get()?;
        let client = &configured.client;
        let (app, remote_env) = match fetch(ctx, client, project, app_id).await {
            Ok(Some(found)) => found,
            Ok(None) => {
                return Err(app_not_found(format!(
                    "Cannot import {id:?}: the project {project} has no app {app_id} (or the \
                     project does not exist). Check both IDs; the import ID has the form \
                     {IMPORT_FORM}. The `comwit_app` data source finds an app's ID by name."
                )))
            }
            Err(e) => return Err(api_error(&format!("import the app {app_id}"), &e)),
        };
        let mut state = AppModel::listed(&app, &remote_env);
        state.project_id.clone_from(project);
        state.build_id.clone_from(&app.active_build_id);
        self.state(&state)
    }

    fn identity(&self) -> Option<&IdentitySchema> {
        Some(&app_identity::IDENTITY)
    }

    async fn import_identity(&self, ctx: &mut Ctx, identity: &Value) -> Result<Value, Diagnostics> {
        let id = app_identity::import_id(identity, &self.shared)?;
        self.import(ctx, &id).await
    }
}

impl AppResource {
    /// The plan's decisions (see `app_plan`), written into the planned state as values.
    async fn plan(&self, plan: &mut PlanRequest) -> Result<(), Diagnostics> {
        plan_project(plan, &self.shared)?;
        let creating = plan.prior_state.is_null();
        let prior: Option<AppModel> = if plan.requires_replace.is_empty() {
            model::get(&plan.prior_state)?
        } else {
            None
        };
        let config: PlanConfig = model::get(&plan.config)?;
        if let (None, Some(pin)) = (&prior, &config.active_build_id) {
            return Err(pin_on_new_app(pin, config.name.as_deref(), creating));
        }
        let dir = attr_or_null(&plan.config, "source_dir");
        let package = attr_or_null(&plan.config, "package");
        let pin = attr_or_null(&plan.config, "active_build_id");
        // One value that says whether (and from what) Terraform deploys.
        let (source_value, source) = match (dir.as_str(), package.as_str()) {
            (Some(d), _) => (dir.clone(), Some(Source::Dir(d))),
            (None, Some(p)) if dir.is_null() => (package.clone(), Some(Source::Package(p))),
            _ if dir.is_unknown() || package.is_unknown() => (Value::Unknown, None),
            _ => (Value::Null, None),
        };
        let packed = match source {
            Some(source) => Some(pack_source(source).await?.sha256),
            None => None,
        };
        let mut planned_source = plan_source(&source_value, packed.as_deref(), prior.as_ref());
        // New deploy options only reach the platform with a deploy: the same package is
        // deployed again.
        if let Some(prior) = &prior {
            let env_ref = attr_or_null(&plan.config, "env_ref");
            let max = attr_or_null(&plan.config, "max_concurrent_requests");
            let changed = env_ref.is_unknown()
                || max.is_unknown()
                || env_ref.as_str() != prior.env_ref.as_deref()
                || max.as_i64() != prior.max_concurrent_requests;
            if !source_value.is_null() && changed {
                planned_source.build_id = Value::Unknown;
            }
        }
        let active = plan_active(
            &pin,
            &source_value,
            &planned_source.build_id,
            prior.as_ref(),
        );
        let planned = &mut plan.planned_state;
        set_attr(planned, "source_sha256", planned_source.source_sha256);
        set_attr(planned, "build_id", planned_source.build_id);
        set_attr(planned, "active_build_id", active);
        Ok(())
    }

    /// Brings the app to the planned state: create, set the environment, deploy, roll back.
    /// On a failure half-way, `ctx.partial_state` holds what was done.
    async fn converge(
        &self,
        ctx: &mut Ctx,
        prior: Option<&AppModel>,
        planned_value: &Value,
        config: &Value,
    ) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let client = &configured.client;
        let planned: AppModel = model::get(planned_value)?;
        // The configuration holds the write-only secrets, and tells a pin from the build the
        // plan filled in.
        let config: AppModel = model::get(config)?;
        let (project, name) = (&planned.project_id, &planned.name);

        let mut current = match prior {
            None => {
                let app = match call(ctx, client.create_app(project, name)).await {
                    Ok(app) => app,
                    Err(e) => return Err(name_error(ctx, client, project, name, &e).await),
                };
                AppModel {
                    project_id: project.clone(),
                    ..AppModel::from(&app)
                }
            }
            Some(prior) => prior.clone(),
        };
        current.timeouts.clone_from(&planned.timeouts);
        ctx.partial_state = Some(self.state(&current)?);
        let app_id = current.app_id.clone();

        // The environment, diffed against the platform's list.
        let resend = prior.is_none_or(|p| p.secret_env_wo_version != planned.secret_env_wo_version);
        let plain = planned.env.clone().unwrap_or_default();
        self.converge_env(
            ctx,
            client,
            &current,
            &plain,
            config.secret_env_wo.as_ref(),
            resend,
        )
        .await?;
        current.env.clone_from(&planned.env);
        current.secret_env_wo_version = planned.secret_env_wo_version;
        ctx.partial_state = Some(self.state(&current)?);

        // The package.
        current.source_dir.clone_from(&planned.source_dir);
        current.package.clone_from(&planned.package);
        current.env_ref.clone_from(&planned.env_ref);
        current.max_concurrent_requests = planned.max_concurrent_requests;
        if let Some(source) = source_of(&planned) {
            let new_code = is_unknown(planned_value, "source_sha256")
                || is_unknown(planned_value, "build_id")
                || prior.is_none_or(|p| p.source_sha256 != planned.source_sha256);
            if new_code {
                let bundle = pack_source(source).await?;
                let attribute = if planned.source_dir.is_some() {
                    "source_dir"
                } else {
                    "package"
                };
                if let Some(want) = planned
                    .source_sha256
                    .as_deref()
                    .filter(|w| *w != bundle.sha256)
                {
                    return Err(Diagnostic::error(
                        format!("{attribute} changed after the plan"),
                        format!(
                            "The plan was made for a package with SHA-256 {want}, but it is \
                             now {}. Nothing was deployed; run plan again.",
                            bundle.sha256
                        ),
                    )
                    .with_attribute(AttributePath::new(attribute))
                    .into());
                }
                let options = DeployOptions {
                    hosts: Vec::new(),
                    env_ref: planned.env_ref.clone(),
                    max_concurrent_requests: planned.max_concurrent_requests,
                };
                let sha = bundle.sha256.clone();
                let deployed = call(ctx, client.deploy(project, &app_id, bundle.bytes, &options))
                    .await
                    .map_err(|e| {
                        api_error_at(
                            &format!("deploy the {attribute} of the app {name:?}"),
                            &e,
                            &[("body", attribute)],
                        )
                    })?;
                current.source_sha256 = Some(sha);
                current.active_build_id = Some(deployed.build_id.clone());
                current.build_id = Some(deployed.build_id);
                ctx.partial_state = Some(self.state(&current)?);
            }
        }

        let Some((app, remote_env)) = fetch(ctx, client, project, &app_id)
            .await
            .map_err(|e| api_error(&action("read", name), &e))?
        else {
            return Err(app_disappeared(&app_id));
        };
        let mut state = current.refreshed(&app, &remote_env);

        // The build that should serve: a pin, else the last deploy when Terraform deploys.
        let desired = match config.active_build_id {
            Some(pin) => Some(pin),
            None if source_of(&planned).is_some() => state.build_id.clone(),
            None => None,
        };
        if let Some(want) = desired {
            if state.active_build_id.as_deref() != Some(want.as_str()) {
                ctx.partial_state = Some(self.state(&state)?);
                let app = call(ctx, client.rollback(project, &app_id, &want))
                    .await
                    .map_err(|e| rollback_error(name, &want, &e))?;
                state.apply(&app);
            }
        }
        self.state(&state)
    }

    /// Sends what differs between the platform's environment and the wanted one.
    async fn converge_env(
        &self,
        ctx: &Ctx,
        client: &Client,
        current: &AppModel,
        plain: &Vars,
        secrets: Option<&Vars>,
        resend: bool,
    ) -> Result<(), Diagnostics> {
        let (project, app_id, name) = (&current.project_id, &current.app_id, &current.name);
        let remote = match call(ctx, client.get_env(project, app_id)).await {
            Ok(remote) => remote,
            Err(e) if e.is_not_found() => return Err(app_disappeared(app_id)),
            Err(e) => {
                return Err(api_error(
                    &format!("read the environment variables of the app {name:?}"),
                    &e,
                ))
            }
        };
        let changes = env::changes(&remote, plain, secrets, resend);
        for (key, value) in &changes.put_plain {
            let body = EnvPut {
                value,
                secret: false,
            };
            call(ctx, client.put_env(project, app_id, key, &body))
                .await
                .map_err(|e| {
                    api_error_at(
                        &format!("set the variable {key} of the app {name:?}"),
                        &e,
                        &[("value", "env")],
                    )
                })?;
        }
        for (key, value) in &changes.put_secret {
            let body = EnvPut {
                value,
                secret: true,
            };
            if let Err(e) = call(ctx, client.put_env(project, app_id, key, &body)).await {
                return Err(secret_error(name, key, &e));
            }
        }
        for key in &changes.delete {
            call(ctx, client.delete_env(project, app_id, key))
                .await
                .map_err(|e| {
                    api_error(
                        &format!("delete the variable {key} of the app {name:?}"),
                        &e,
                    )
                })?;
        }
        Ok(())
    }
}

/// Whether a planned attribute is unknown.
fn is_unknown(value: &Value, name: &str) -> bool {
    value.get(name).is_some_and(Value::is_unknown)
}

/// Repeats the app's DELETE until the platform reports the cleanup complete (or the app gone),
/// within `limit`, 2 s apart.
async fn delete_until_complete(
    ctx: &Ctx,
    client: &Client,
    (project, app_id, name): (&str, &str, &str),
    limit: Duration,
) -> Result<(), Diagnostics> {
    let started = Instant::now();
    let mut tries = 0u32;
    loop {
        tries += 1;
        let report = match call(ctx, client.delete_app(project, app_id)).await {
            Ok(None) => return Ok(()),
            Ok(Some(report)) if report.complete => return Ok(()),
            Ok(Some(report)) => report,
            Err(e) => return Err(api_error(&action("delete", name), &e)),
        };
        if started.elapsed() + DELETE_RETRY_INTERVAL > limit {
            return Err(Diagnostic::error(
                "App deletion not complete",
                format!(
                    "The platform accepted the deletion of the app {name:?} ({app_id}) but \
                     reported its cleanup incomplete after {tries} tries in {}s (the delete \
                     timeout is {}s). What it reports: {}. Run destroy again to continue \
                     (the DELETE is repeated until the cleanup is complete), or raise \
                     `timeouts {{ delete = ... }}`.",
                    started.elapsed().as_secs(),
                    limit.as_secs(),
                    report.summary()
                ),
            )
            .into());
        }
        tokio::select! {
            _ = tokio::time::sleep(DELETE_RETRY_INTERVAL) => {}
            _ = ctx.stop.stopped() => {
                return Err(api_error(&action("delete", name), &ApiError::Cancelled));
            }
        }
    }
}

/// A refused secret: the platform's own answer, and what to do.
fn secret_error(name: &str, key: &str, err: &ApiError) -> Diagnostics {
    match err.as_status() {
        Some(e) if e.status == 400 || e.message.contains(SECRETS_REFUSED) => Diagnostic::error(
            "Secret environment variables refused by the platform",
            format!(
                "Could not set the secret variable {key} of the app {name:?}: the platform \
                 answered {}: {}. The platform does not store secret values today. Move \
                 plain values from `secret_env_wo` to `env` (they are then kept in the \
                 state and shown in plans), or leave them out until the platform enables \
                 secret values.",
                e.status, e.message
            ),
        )
        .with_attribute(AttributePath::new("secret_env_wo").key(key.to_string()))
        .into(),
        _ => api_error(
            &format!("set the secret variable {key} of the app {name:?}"),
            err,
        ),
    }
}

/// A failed create. A taken name says which app holds it, with the command that imports it.
async fn name_error(
    ctx: &Ctx,
    client: &Client,
    project: &str,
    name: &str,
    err: &ApiError,
) -> Diagnostics {
    if !err.is_conflict() {
        return api_error_at(&action("create", name), err, &[("name", "name")]);
    }
    let holder = call(ctx, client.list_apps(project))
        .await
        .ok()
        .and_then(|apps| apps.into_iter().find(|a| a.name == name));
    let how = holder.map_or(String::new(), |app| {
        format!(
            " To manage the existing app with Terraform instead, import it:\n\n  \
             terraform import {TYPE_NAME}.<name> {project}/{}\n\nor add an `import` \
             block with `id = \"{project}/{}\"`.",
            app.app_id, app.app_id
        )
    });
    Diagnostic::error(
        "App name already taken",
        format!(
            "Could not create the app {name:?}: the project {project} already has an app \
             with that name. Choose another `name`.{how}"
        ),
    )
    .with_attribute(AttributePath::new("name"))
    .into()
}

fn app_disappeared(app_id: &str) -> Diagnostics {
    Diagnostic::error(
        "App disappeared",
        format!("The app {app_id} was deleted while Terraform was changing it."),
    )
    .into()
}

/// `active_build_id` on an app the plan creates (or replaces): a new app has no builds.
fn pin_on_new_app(pin: &str, name: Option<&str>, creating: bool) -> Diagnostics {
    let app = name.map_or("the app".to_string(), |n| format!("the app {n:?}"));
    let why = if creating {
        format!("this plan creates {app}, and a new app has no builds yet")
    } else {
        format!(
            "this plan replaces {app} (an argument that forces replacement changed), and the \
             new app has no builds yet: {pin} is a build of the old one"
        )
    };
    Diagnostic::error(
        "active_build_id cannot be set on a new app",
        format!(
            "`active_build_id` is {pin:?}, but {why}, so apply would create the app and then \
             fail to make the build active. Apply without `active_build_id` first (give \
             `source_dir` or `package` to deploy, which creates the first build), then set \
             `active_build_id` to one of the app's builds (the `comwit_app_builds` data \
             source lists them)."
        ),
    )
    .with_attribute(AttributePath::new("active_build_id"))
    .into()
}

/// A failed rollback. The route is an extension: 404/405/501 say what to do instead.
pub(super) fn rollback_error(name: &str, build_id: &str, err: &ApiError) -> Diagnostics {
    match err.status() {
        Some(status @ (404 | 405 | 501)) => Diagnostic::error(
            "Rollback not available",
            format!(
                "Could not make {build_id} the active build of the app {name:?}: the platform \
                 answered {status} ({}). Making an earlier build active again needs a platform \
                 route that is not public yet (`POST .../apps/{{app_id}}/rollback`, an \
                 extension that comwit-local serves), or {build_id} is not a build of this \
                 app (the `comwit_app_builds` data source lists them). To go back to earlier \
                 code on this platform, deploy its package again (`source_dir` or `package`) \
                 and remove `active_build_id`.",
                err.as_status()
                    .map(|e| e.message.as_str())
                    .unwrap_or_default()
            ),
        )
        .with_attribute(AttributePath::new("active_build_id"))
        .into(),
        _ => api_error(
            &format!("make {build_id} the active build of the app {name:?}"),
            err,
        ),
    }
}

#[cfg(test)]
mod tests;
