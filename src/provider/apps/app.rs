//! `comwit_app`: a runtime app with its environment variables, its deployed source and its
//! active build.

use async_trait::async_trait;

use crate::api::models::{AppCreate, AppUpdate, EnvReplace};
use crate::api::{ApiError, Client};
use crate::provider::common::{
    api_error, api_error_at, call, is_dns_label, plan_project, project_id_attribute, required_str,
    split_import_id, str_attr,
};
use crate::provider::Shared;
use crate::tfplugin::cty::{Type, Value};
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::resource::{Ctx, PlanRequest, Resource};
use crate::tfplugin::schema::{validators, Attribute, Block, Schema};

use super::app_plan::{self, pack_source, plan_active, plan_source};
use super::app_state::{self, fetch};
use super::{attr, env, set};

const TYPE_NAME: &str = "comwit_app";
const IMPORT_FORM: &str = "<project_id>/<app_id>";

pub struct AppResource {
    shared: Shared,
    schema: Schema,
}

impl AppResource {
    pub fn new(shared: Shared) -> Self {
        AppResource {
            shared,
            schema: schema(),
        }
    }
}

fn schema() -> Schema {
    let description = "\
A runtime app (Next.js or V8 isolate) with its environment variables and, optionally, its \
code: give `source_dir` and the provider packs the directory into a reproducible bundle, \
shows in the plan when its contents changed (`source_sha256`), and deploys it on apply. Each \
deploy creates a build; `active_build_id` pins an earlier build to roll back.

Secrets go in `secret_env_wo`, a write-only argument (Terraform 1.11 or later, OpenTofu 1.11 \
or later): their values are sent to the platform and never written to the plan or the state. \
Terraform keeps only their SHA-256 digests (`secret_env_digests`), so a secret changed outside \
Terraform shows up in the next plan, which sends the configured value again, and a new \
configured value is sent without further ado. To send the secrets again regardless, increase \
`secret_env_wo_version`.

**Import:** `terraform import comwit_app.<name> <project_id>/<app_id>`. After import `env` \
holds the app's plain variables; Terraform cannot know secret values, only their digests, so \
configure the same `secret_env_wo` and the plan stays empty when the values match (a \
different value plans an update that sends it). `build_id` and `source_sha256` describe the \
build that was active at import: when `source_dir` packs to the same digest nothing is \
deployed.

**Token scopes:** create needs `app:write` (plus `app:deploy` with `source_dir` or \
`active_build_id`); read, refresh and import need `app:read`; update needs `app:write` to \
rename or change variables and `app:deploy` to deploy or roll back; delete needs `app:write`.";

    Schema::new(
        Block::from_attributes(vec![
            Attribute::string("app_id")
                .computed()
                .use_state_for_unknown()
                .description("The app's ID (`app_` and 16 hex digits)."),
            project_id_attribute("app"),
            Attribute::string("name")
                .required()
                .validator(validators::matches(
                    "be a DNS label: lowercase letters, digits and hyphens, starting with a \
                     letter, not ending with a hyphen, at most 63 characters",
                    is_dns_label,
                ))
                .description(
                    "The app's name, unique within the project: a DNS label (lowercase \
                     letters, digits and hyphens, starting with a letter, at most 63 \
                     characters). Renaming updates the app in place; its `default_hostname` \
                     keeps the original name.",
                ),
            Attribute::string("runtime")
                .required()
                .requires_replace()
                .validator(validators::one_of(&["next", "isolate"]))
                .description(
                    "The runtime: `next` (Next.js) or `isolate` (V8 isolate). Changing it \
                     replaces the app.",
                ),
            Attribute::map("env", Type::String)
                .optional()
                .validator(env::names_validator())
                .validator(validators::string_length(0, env::MAX_VALUE_CHARS))
                .description(
                    "Plain environment variables, name to value. Values are not secret: they \
                     are stored in the state and shown in plans. Names start with a letter or \
                     an underscore and hold letters, digits and underscores. The app's whole \
                     environment (`env` and `secret_env_wo`, at most 100 variables) is \
                     replaced on each change.",
                ),
            Attribute::map("secret_env_wo", Type::String)
                .optional()
                .sensitive()
                .write_only()
                .validator(env::names_validator())
                .validator(validators::string_length(0, env::MAX_VALUE_CHARS))
                .description(
                    "Secret environment variables, name to value. **Write-only**: the values \
                     are sent to the platform and never stored in the plan or the state \
                     (needs Terraform 1.11 or later, or OpenTofu 1.11 or later; ephemeral \
                     values are accepted). A name may not also be in `env`.",
                ),
            Attribute::int64("secret_env_wo_version")
                .optional()
                .description(
                    "Any number; changing it sends `secret_env_wo` again. A changed secret \
                     value does not need it: Terraform compares the digests of the configured \
                     values with those the platform holds and sends what differs. Use it to \
                     force a re-send, as with other providers' `*_wo_version` arguments.",
                ),
            Attribute::map("secret_env_digests", Type::String)
                .computed()
                .sensitive()
                .description(
                    "Hex SHA-256 digest of each secret variable's value, by name, as the \
                     platform reports them. Terraform compares them with the digests of the \
                     configured `secret_env_wo` values to notice secrets changed outside \
                     Terraform.",
                ),
            Attribute::string("source_dir").optional().description(
                "A directory with the app's code, relative to where Terraform runs (use \
                     `\"${path.module}/...\"`). Everything under it is packed into a \
                     reproducible tar.gz bundle (sorted entries, no timestamps or owners), \
                     whose digest is computed at plan time: when it differs from \
                     `source_sha256`, apply deploys the bundle as a new build, which becomes \
                     active. Without `source_dir` Terraform deploys nothing and leaves the \
                     active build alone (unless `active_build_id` is set).",
            ),
            Attribute::string("source_sha256").computed().description(
                "Hex SHA-256 of the bundle packed from `source_dir`, the same value as the \
                     `source_sha256` of the build it deployed.",
            ),
            Attribute::string("build_id").computed().description(
                "The build created by the last deploy of `source_dir` (after import: the \
                     build that was active then).",
            ),
            Attribute::string("active_build_id")
                .optional()
                .computed()
                .validator(validators::matches(
                    "be a build ID: bld_ followed by 16 lowercase hex digits",
                    app_plan::is_build_id,
                ))
                .description(
                    "The build that serves traffic. Set it to an earlier build of this app to \
                     roll back (see the `comwit_app_builds` data source); a pinned build stays \
                     active even when a new `source_dir` is deployed. When unset with \
                     `source_dir`, the last deployed build is active, and a rollback made \
                     outside Terraform shows as a change that apply reverts. When unset \
                     without `source_dir`, Terraform reports the active build without \
                     managing it.",
                ),
            Attribute::string("default_hostname")
                .computed()
                .use_state_for_unknown()
                .description(
                    "The hostname the platform gives the app, `<name>-<8 hex>.comwit.app`; it \
                     keeps the original name after a rename.",
                ),
            Attribute::string("created_at")
                .computed()
                .use_state_for_unknown()
                .description("When the app was created (RFC 3339, UTC)."),
        ])
        .description(description),
    )
}

/// `create the app "web"`, for error messages.
fn action(verb: &str, name: &str) -> String {
    format!("{verb} the app {name:?}")
}

#[async_trait]
impl Resource for AppResource {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        env::validate_combined(&attr(config, "env"), &attr(config, "secret_env_wo"))
    }

    async fn modify_plan(&self, _ctx: &mut Ctx, plan: &mut PlanRequest) -> Diagnostics {
        if let Err(d) = plan_project(plan, &self.shared) {
            return d;
        }
        let creating = plan.prior_state.is_null();
        // A replacement plans a new app: nothing of the old one carries over.
        let prior = if creating || !plan.requires_replace.is_empty() {
            Value::Null
        } else {
            plan.prior_state.clone()
        };

        let secrets = attr(&plan.config, "secret_env_wo");
        set(
            &mut plan.planned_state,
            "secret_env_digests",
            env::planned_digests(&secrets),
        );

        let source_dir = attr(&plan.config, "source_dir");
        let packed = match source_dir.as_str() {
            Some(dir) => match pack_source(dir).await {
                Ok(bundle) => Some(bundle.sha256),
                Err(d) => return d,
            },
            None => None,
        };
        let source = plan_source(&source_dir, packed.as_deref(), &prior);
        let active = plan_active(
            &attr(&plan.config, "active_build_id"),
            &source_dir,
            &source.build_id,
            &prior,
        );
        set(
            &mut plan.planned_state,
            "source_sha256",
            source.source_sha256,
        );
        set(&mut plan.planned_state, "build_id", source.build_id);
        set(&mut plan.planned_state, "active_build_id", active);
        Diagnostics::new()
    }

    async fn create(
        &self,
        ctx: &mut Ctx,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, Diagnostics> {
        self.converge(ctx, &Value::Null, planned, config).await
    }

    async fn read(&self, ctx: &mut Ctx, state: &Value) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let project = required_str(state, "project_id")?;
        let app_id = required_str(state, "app_id")?;
        match fetch(ctx, &configured.client, &project, &app_id).await {
            Ok(Some((app, remote_env))) => Ok(app_state::from_remote(&app, &remote_env, state)),
            Ok(None) => Ok(Value::Null),
            Err(e) => Err(api_error(&format!("read the app {app_id}"), &e)),
        }
    }

    async fn update(
        &self,
        ctx: &mut Ctx,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, Diagnostics> {
        self.converge(ctx, prior, planned, config).await
    }

    async fn delete(&self, ctx: &mut Ctx, prior: &Value) -> Result<(), Diagnostics> {
        let configured = self.shared.get()?;
        let project = required_str(prior, "project_id")?;
        let app_id = required_str(prior, "app_id")?;
        match call(ctx, configured.client.delete_app(&project, &app_id)).await {
            Ok(()) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(api_error(
                &action("delete", str_attr(prior, "name").unwrap_or(&app_id)),
                &e,
            )),
        }
    }

    async fn import(&self, ctx: &mut Ctx, id: &str) -> Result<Value, Diagnostics> {
        let parts = split_import_id(id, 2, IMPORT_FORM)?;
        let (project, app_id) = (&parts[0], &parts[1]);
        let configured = self.shared.get()?;
        let client = &configured.client;
        let app = match call(ctx, client.get_app(project, app_id)).await {
            Ok(app) => app,
            Err(e) if e.is_not_found() => {
                return Err(Diagnostic::error(
                    "App not found",
                    format!(
                        "Cannot import {id:?}: the project {project} has no app {app_id} (or \
                         the project does not exist). Check both IDs; the import ID has the \
                         form {IMPORT_FORM}. The `comwit_app` data source finds an app's ID \
                         by name."
                    ),
                )
                .into())
            }
            Err(e) => return Err(api_error(&format!("import the app {app_id}"), &e)),
        };
        let mut state = self.schema.null_object();
        app_state::apply_app(&mut state, &app);
        // Describe the build serving now as the one Terraform knows, so that a `source_dir`
        // holding the same code plans no deploy.
        if let Some(active) = &app.active_build_id {
            let build = call(ctx, client.get_build(project, app_id, active))
                .await
                .map_err(|e| api_error(&format!("read the active build {active}"), &e))?;
            set(&mut state, "build_id", Value::string(&build.build_id));
            set(
                &mut state,
                "source_sha256",
                Value::string(&build.source_sha256),
            );
        }
        Ok(state)
    }
}

impl AppResource {
    /// Brings the app to the planned state: create or rename, replace the environment,
    /// deploy, roll back. On a failure half-way, `ctx.partial_state` holds what was done, so
    /// Terraform records it and the next plan finishes the job.
    async fn converge(
        &self,
        ctx: &mut Ctx,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let client = &configured.client;
        let project = required_str(planned, "project_id")?;
        let name = required_str(planned, "name")?;
        let creating = prior.is_null();

        let mut current = if creating {
            let runtime = required_str(planned, "runtime")?;
            let body = AppCreate {
                name: &name,
                runtime: &runtime,
            };
            let app = match call(ctx, client.create_app(&project, &body)).await {
                Ok(app) => app,
                Err(e) => return Err(self.create_error(ctx, client, &project, &name, &e).await),
            };
            let mut state = app_state::known_or_null(planned);
            app_state::apply_app(&mut state, &app);
            // Nothing else exists yet: a new app has no variables and no builds.
            for empty in ["env", "source_sha256", "build_id", "secret_env_wo_version"] {
                set(&mut state, empty, Value::Null);
            }
            set(
                &mut state,
                "secret_env_digests",
                Value::Map(Default::default()),
            );
            state
        } else {
            let mut state = prior.clone();
            set(&mut state, "secret_env_wo", Value::Null);
            state
        };
        ctx.partial_state = Some(current.clone());
        let app_id = required_str(&current, "app_id")?;

        if !creating && str_attr(prior, "name") != Some(name.as_str()) {
            let body = AppUpdate {
                name: Some(&name),
                runtime: None,
            };
            match call(ctx, client.update_app(&project, &app_id, &body)).await {
                Ok(app) => app_state::apply_app(&mut current, &app),
                Err(e) => return Err(self.rename_error(ctx, client, &project, &name, &e).await),
            }
            ctx.partial_state = Some(current.clone());
        }

        self.converge_env(
            ctx,
            client,
            &project,
            &app_id,
            prior,
            planned,
            config,
            &mut current,
        )
        .await?;

        let source_dir = attr(planned, "source_dir");
        set(&mut current, "source_dir", source_dir.clone());
        let planned_sha = attr(planned, "source_sha256");
        if let Some(dir) = source_dir.as_str() {
            if creating || planned_sha != attr(prior, "source_sha256") {
                let bundle = pack_source(dir).await?;
                if let Some(want) = planned_sha.as_str().filter(|w| *w != bundle.sha256) {
                    return Err(Diagnostic::error(
                        "source_dir changed after the plan",
                        format!(
                            "The plan was made for a bundle with SHA-256 {want}, but {dir:?} \
                             now packs to {}. Nothing was deployed; run plan again.",
                            bundle.sha256
                        ),
                    )
                    .with_attribute(AttributePath::new("source_dir"))
                    .into());
                }
                let sha = bundle.sha256.clone();
                let build = call(ctx, client.deploy(&project, &app_id, bundle.bytes))
                    .await
                    .map_err(|e| api_error(&format!("deploy {dir:?} to the app {name:?}"), &e))?;
                set(&mut current, "source_sha256", Value::string(sha));
                set(&mut current, "build_id", Value::string(&build.build_id));
                set(
                    &mut current,
                    "active_build_id",
                    Value::string(&build.build_id),
                );
                ctx.partial_state = Some(current.clone());
            }
        }

        // The environment is now as planned (or was already): keep the planned way of writing
        // an empty `env` (null or `{}`) and the planned `secret_env_wo_version`.
        set(&mut current, "env", attr(planned, "env"));
        set(
            &mut current,
            "secret_env_wo_version",
            attr(planned, "secret_env_wo_version"),
        );
        let Some((app, remote_env)) = fetch(ctx, client, &project, &app_id)
            .await
            .map_err(|e| api_error(&action("read", &name), &e))?
        else {
            return Err(Diagnostic::error(
                "App disappeared",
                format!("The app {app_id} was deleted while Terraform was changing it."),
            )
            .into());
        };
        let mut state = app_state::from_remote(&app, &remote_env, &current);

        // The build that should serve: a pin, else the last deploy when Terraform deploys.
        let desired = match attr(config, "active_build_id") {
            Value::String(pin) => Some(pin),
            _ if !source_dir.is_null() => str_attr(&state, "build_id").map(str::to_string),
            _ => None,
        };
        if let Some(want) = desired {
            if str_attr(&state, "active_build_id") != Some(want.as_str()) {
                ctx.partial_state = Some(state.clone());
                let app = call(ctx, client.rollback(&project, &app_id, &want))
                    .await
                    .map_err(|e| rollback_error(&name, &want, &e))?;
                app_state::apply_app(&mut state, &app);
            }
        }
        Ok(state)
    }

    /// Replaces the environment when the plain variables, the secrets' digests or
    /// `secret_env_wo_version` changed (or, on create, when there is anything to set).
    #[allow(clippy::too_many_arguments)]
    async fn converge_env(
        &self,
        ctx: &mut Ctx,
        client: &Client,
        project: &str,
        app_id: &str,
        prior: &Value,
        planned: &Value,
        config: &Value,
        current: &mut Value,
    ) -> Result<(), Diagnostics> {
        let plain = attr(planned, "env");
        let secrets = attr(config, "secret_env_wo");
        let digests = env::planned_digests(&secrets);
        let planned_digests = attr(planned, "secret_env_digests");
        if !planned_digests.is_unknown() && !digests.semantic_eq(&planned_digests) {
            // An ephemeral source produced different values at apply than at plan.
            return Err(Diagnostic::error(
                "secret_env_wo changed after the plan",
                "The secret values given at apply differ from those the plan was made with \
                 (an ephemeral value that changes on every run?). Nothing was sent; run plan \
                 again.",
            )
            .with_attribute(AttributePath::new("secret_env_wo"))
            .into());
        }
        let changed = if prior.is_null() {
            let empty =
                |v: &Value| matches!(v, Value::Null) || v == &Value::Map(Default::default());
            !empty(&plain) || !empty(&secrets)
        } else {
            !plain.semantic_eq(&attr(prior, "env"))
                || !digests.semantic_eq(&attr(prior, "secret_env_digests"))
                || attr(planned, "secret_env_wo_version") != attr(prior, "secret_env_wo_version")
        };
        if !changed {
            return Ok(());
        }
        let body = EnvReplace {
            variables: env::replacement(&plain, &secrets),
        };
        let remote = call(ctx, client.replace_env(project, app_id, &body))
            .await
            .map_err(|e| {
                let name = str_attr(current, "name").unwrap_or(app_id).to_string();
                api_error_at(
                    &format!("set the environment variables of the app {name:?}"),
                    &e,
                    &[("variables", "env")],
                )
            })?;
        let (plain, digests) = env::state_values(&remote, &plain);
        set(current, "env", plain);
        set(current, "secret_env_digests", digests);
        set(
            current,
            "secret_env_wo_version",
            attr(planned, "secret_env_wo_version"),
        );
        ctx.partial_state = Some(current.clone());
        Ok(())
    }

    /// A failed create; a taken name gets the command that imports the existing app.
    async fn create_error(
        &self,
        ctx: &Ctx,
        client: &Client,
        project: &str,
        name: &str,
        err: &ApiError,
    ) -> Diagnostics {
        if !err.is_conflict() {
            return api_error_at(&action("create", name), err, &[("name", "name")]);
        }
        let existing = call(ctx, client.list_apps(project))
            .await
            .ok()
            .and_then(|apps| apps.into_iter().find(|a| a.name == name));
        let how = match existing {
            Some(app) => format!(
                " To manage the existing app with Terraform instead, import it:\n\n  \
                 terraform import {TYPE_NAME}.<name> {project}/{}\n\nor add an `import` block \
                 with `id = \"{project}/{}\"`.",
                app.app_id, app.app_id
            ),
            None => String::new(),
        };
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

    /// A failed rename; a taken name says which app holds it.
    async fn rename_error(
        &self,
        ctx: &Ctx,
        client: &Client,
        project: &str,
        name: &str,
        err: &ApiError,
    ) -> Diagnostics {
        if !err.is_conflict() {
            return api_error_at(
                &format!("rename the app to {name:?}"),
                err,
                &[("name", "name")],
            );
        }
        let holder = call(ctx, client.list_apps(project))
            .await
            .ok()
            .and_then(|apps| apps.into_iter().find(|a| a.name == name))
            .map_or(String::new(), |a| format!(" ({})", a.app_id));
        Diagnostic::error(
            "App name already taken",
            format!(
                "Could not rename the app to {name:?}: another app of the project {project} has \
                 that name{holder}. Choose another `name`."
            ),
        )
        .with_attribute(AttributePath::new("name"))
        .into()
    }
}

/// A failed rollback; an unknown build points at `active_build_id`.
fn rollback_error(name: &str, build_id: &str, err: &ApiError) -> Diagnostics {
    if err.is_not_found() {
        return Diagnostic::error(
            "Build not found",
            format!(
                "Could not make {build_id} the active build of the app {name:?}: it is not a \
                 build of this app. The `comwit_app_builds` data source lists the app's builds."
            ),
        )
        .with_attribute(AttributePath::new("active_build_id"))
        .into();
    }
    api_error(
        &format!("make {build_id} the active build of the app {name:?}"),
        err,
    )
}
