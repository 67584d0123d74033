//! `comwit_app`: a runtime app with its environment variables, its deployed source and its
//! active build.

use async_trait::async_trait;

use crate::api::models::{AppCreate, AppUpdate, EnvReplace};
use crate::api::{ApiError, Client};
use crate::provider::common::{
    api_error, api_error_at, call, id_validator, is_dns_label, plan_project, project_id_attribute,
    required_str, split_import_id, str_attr,
};
use crate::provider::Shared;
use crate::tfplugin::cty::{Type, Value};
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::resource::{Ctx, PlanRequest, Resource};
use crate::tfplugin::schema::{validators, Attribute, Block, Schema};

use super::app_plan::{pack_source, plan_active, plan_source};
use super::app_state::{self, fetch};
use super::env::{DigestKey, DigestKeys};
use super::{attr, env, set};

const TYPE_NAME: &str = "comwit_app";
const IMPORT_FORM: &str = "<project_id>/<app_id>";

/// The state version. 0 kept plain SHA-256 digests in `secret_env_digests`; 1 keeps the
/// platform's keyed digests (HMAC-SHA256 under the app's `env_digest_key`).
const SCHEMA_VERSION: i64 = 1;

pub struct AppResource {
    shared: Shared,
    schema: Schema,
    /// The digest keys of the apps read by this provider process (never in state).
    keys: DigestKeys,
}

impl AppResource {
    pub fn new(shared: Shared) -> Self {
        AppResource {
            shared,
            schema: schema(),
            keys: DigestKeys::default(),
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
Terraform keeps only their digests (`secret_env_digests`), so a secret changed outside \
Terraform shows up in the next plan, which sends the configured value again, and a new \
configured value is sent without further ado. To send the secrets again regardless, increase \
`secret_env_wo_version`. The digests are keyed (HMAC-SHA256 under a key the platform holds \
for each app and hands only to `app:read` tokens; the provider keeps it in memory, never in \
the state), so a state file alone does not let anyone test guesses of a secret.

**Upgrading** from a provider version that kept plain SHA-256 digests: the state is upgraded \
on the next plan, which drops the old digests and reads the keyed ones from the platform, so \
the plan stays empty while the secrets are unchanged (with `-refresh=false` it plans sending \
the secrets again instead). The state file holds the old digests until the next apply (`terraform \
apply -refresh-only` rewrites it without changing anything).

**Import:** `terraform import comwit_app.<name> <project_id>/<app_id>`. After import `env` \
holds the app's plain variables; Terraform cannot know secret values, only their digests, so \
configure the same `secret_env_wo` and the plan stays empty when the values match (a \
different value plans an update that sends it). `build_id` and `source_sha256` describe the \
build that was active at import: when `source_dir` packs to the same digest nothing is \
deployed.

**Token scopes:** create needs `app:write` (plus `app:deploy` with `source_dir`) and \
`app:read`; plan, read, refresh and import need `app:read` (a plan reads the app's digest key \
with it, also under `-refresh=false`); update needs `app:write` to rename or change variables \
and `app:deploy` to deploy or roll back; delete needs `app:write`.";

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
                    "The digest of each secret variable's value, by name, as the platform \
                     reports them: hex HMAC-SHA256 of the value under the app's digest key, \
                     which the platform holds and hands only to tokens with `app:read`. The \
                     key is never stored in the state, so these digests do not let anyone who \
                     reads the state test guesses of a secret. At plan time Terraform computes \
                     the digests of the configured `secret_env_wo` values with the same key \
                     and compares, to notice secrets changed outside Terraform. Known after \
                     apply on a new app (it has no key yet).",
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
                .validator(id_validator("build", "bld"))
                .description(
                    "The build that serves traffic. Set it to an earlier build of this app to \
                     roll back (see the `comwit_app_builds` data source); a pinned build stays \
                     active even when a new `source_dir` is deployed. When unset with \
                     `source_dir`, the last deployed build is active, and a rollback made \
                     outside Terraform shows as a change that apply reverts. When unset \
                     without `source_dir`, Terraform reports the active build without \
                     managing it. Not on a new app, which has no builds yet: the plan \
                     refuses it; apply without it first (with `source_dir` to deploy), then \
                     pin one of the app's builds.",
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
    .version(SCHEMA_VERSION)
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

    async fn modify_plan(&self, ctx: &mut Ctx, plan: &mut PlanRequest) -> Diagnostics {
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

        if prior.is_null() {
            if let Value::String(pin) = attr(&plan.config, "active_build_id") {
                return pin_on_new_app(&pin, str_attr(&plan.config, "name"), creating);
            }
        }

        // Digests of the configured secrets, with the app's key: a new app has none yet (its
        // digests are known after apply).
        let secrets = attr(&plan.config, "secret_env_wo");
        let key = match (env::needs_key(&secrets), str_attr(&prior, "app_id")) {
            (true, Some(app_id)) => {
                let project = str_attr(&prior, "project_id").unwrap_or_default();
                match self.digest_key(ctx, project, app_id).await {
                    Ok(key) => key,
                    Err(d) => return d,
                }
            }
            _ => None,
        };
        set(
            &mut plan.planned_state,
            "secret_env_digests",
            env::planned_digests(&secrets, key.as_ref()),
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
            Ok(Some((app, remote_env))) => {
                self.keys.remember(&app);
                Ok(app_state::from_remote(&app, &remote_env, state))
            }
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
            // The client counts a DELETE answered 404 as done.
            Ok(()) => Ok(()),
            Err(e) => Err(api_error(
                &action("delete", str_attr(prior, "name").unwrap_or(&app_id)),
                &e,
            )),
        }
    }

    /// Version 0 kept the plain SHA-256 of each secret in `secret_env_digests`, which lets
    /// anyone holding the state test guesses of a weak secret. They are dropped: the refresh
    /// that follows the upgrade reads the keyed digests from the platform, and the plan compares
    /// them with the configured values' digests under the same key (empty when unchanged).
    /// Without a refresh the plan sends the secrets again, which is harmless.
    async fn upgrade_state(&self, version: i64, raw_json: &[u8]) -> Result<Value, Diagnostics> {
        let state = crate::tfplugin::plan::upgrade_raw_state(&self.schema, raw_json)?;
        Ok(upgrade_from(version, state))
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
        self.keys.remember(&app);
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
    /// The digest key of an existing app: remembered from an earlier read in this process,
    /// else read from the platform (one GET, e.g. under `-refresh=false` or at apply). None
    /// when the app is gone.
    async fn digest_key(
        &self,
        ctx: &Ctx,
        project: &str,
        app_id: &str,
    ) -> Result<Option<DigestKey>, Diagnostics> {
        if let Some(key) = self.keys.get(app_id) {
            return Ok(Some(key));
        }
        let configured = self.shared.get()?;
        let app = match call(ctx, configured.client.get_app(project, app_id)).await {
            Ok(app) => app,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => {
                return Err(api_error(
                    &format!("read the app {app_id} (for the key of its secrets' digests)"),
                    &e,
                ))
            }
        };
        match self.keys.remember(&app) {
            Some(key) => Ok(Some(key)),
            None => Err(Diagnostic::error(
                "No digest key from the platform",
                format!(
                    "The platform's answer for the app {app_id} holds no valid \
                     `env_digest_key`, which Terraform needs to compare the configured secrets \
                     with those the app holds. The API at `api_url` may be older than this \
                     provider: use a platform that sends it, or an older provider version."
                ),
            )
            .into()),
        }
    }

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
            self.keys.remember(&app);
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
            return Err(app_disappeared(&app_id));
        };
        self.keys.remember(&app);
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
        let key = if env::needs_key(&secrets) {
            match self.digest_key(ctx, project, app_id).await? {
                Some(key) => Some(key),
                None => return Err(app_disappeared(app_id)),
            }
        } else {
            None
        };
        let digests = env::planned_digests(&secrets, key.as_ref());
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

/// A state of schema `version` (decoded with the current schema) made current.
fn upgrade_from(version: i64, mut state: Value) -> Value {
    if version < 1 && !state.is_null() {
        set(
            &mut state,
            "secret_env_digests",
            Value::Map(Default::default()),
        );
    }
    state
}

fn app_disappeared(app_id: &str) -> Diagnostics {
    Diagnostic::error(
        "App disappeared",
        format!("The app {app_id} was deleted while Terraform was changing it."),
    )
    .into()
}

/// `active_build_id` on an app the plan creates (or replaces): a new app has no builds, so
/// apply would create the app and then fail to make the build active.
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
             `source_dir` to deploy the app's code, which creates its first build), then set \
             `active_build_id` to one of the app's builds (the `comwit_app_builds` data source \
             lists them) to pin it."
        ),
    )
    .with_attribute(AttributePath::new("active_build_id"))
    .into()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::App;

    fn resource() -> AppResource {
        AppResource::new(Shared::default())
    }

    fn config(pairs: &[(&str, Value)]) -> Value {
        let mut c = schema().null_object();
        set(&mut c, "project_id", Value::string("prj_0123456789abcdef"));
        set(&mut c, "name", Value::string("web"));
        set(&mut c, "runtime", Value::string("next"));
        for (k, v) in pairs {
            set(&mut c, k, v.clone());
        }
        c
    }

    fn secrets(pairs: &[(&str, &str)]) -> Value {
        Value::Map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), Value::string(*v)))
                .collect(),
        )
    }

    fn prior_state() -> Value {
        let mut s = config(&[]);
        set(&mut s, "app_id", Value::string("app_00000000000000aa"));
        set(&mut s, "secret_env_digests", Value::Map(Default::default()));
        s
    }

    async fn modify(r: &AppResource, prior: Value, config: Value) -> (PlanRequest, Diagnostics) {
        let mut p = PlanRequest {
            prior_state: prior,
            planned_state: config.clone(),
            config,
            requires_replace: Vec::new(),
        };
        let (_tx, stop) = crate::tfplugin::resource::StopSignal::new();
        let mut ctx = Ctx::new(stop, Default::default(), Vec::new());
        let d = r.modify_plan(&mut ctx, &mut p).await;
        (p, d)
    }

    #[test]
    fn schema_version_is_bumped_for_keyed_digests() {
        assert_eq!(schema().version, 1);
        let text = format!("{:?}", schema().block.attributes);
        assert!(
            !text.contains("Hex SHA-256 digest of each secret"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn a_pin_on_a_new_app_fails_at_plan() {
        let r = resource();
        let c = config(&[("active_build_id", Value::string("bld_0123456789abcdef"))]);
        let (_, d) = modify(&r, Value::Null, c.clone()).await;
        assert!(d.has_errors(), "{d}");
        let e = d.iter().next().unwrap();
        assert_eq!(e.attribute, Some(AttributePath::new("active_build_id")));
        for want in [
            "new app has no builds",
            "without `active_build_id`",
            "source_dir",
        ] {
            assert!(e.detail.contains(want), "{want}: {}", e.detail);
        }
        // A replacement is a new app too.
        let mut p = PlanRequest {
            prior_state: prior_state(),
            planned_state: c.clone(),
            config: c,
            requires_replace: vec![AttributePath::new("runtime")],
        };
        let (_tx, stop) = crate::tfplugin::resource::StopSignal::new();
        let mut ctx = Ctx::new(stop, Default::default(), Vec::new());
        let d = r.modify_plan(&mut ctx, &mut p).await;
        assert!(d.to_string().contains("replaces"), "{d}");
        // Unknown (decided at apply) or on an existing app: no objection.
        let (_, d) = modify(
            &r,
            Value::Null,
            config(&[("active_build_id", Value::Unknown)]),
        )
        .await;
        assert!(d.is_empty(), "{d}");
        let pinned = config(&[("active_build_id", Value::string("bld_0123456789abcdef"))]);
        let (_, d) = modify(&r, prior_state(), pinned).await;
        assert!(d.is_empty(), "{d}");
    }

    #[tokio::test]
    async fn new_app_digests_are_known_after_apply() {
        let r = resource();
        let c = config(&[("secret_env_wo", secrets(&[("K", "v")]))]);
        let (p, d) = modify(&r, Value::Null, c).await;
        assert!(d.is_empty(), "{d}");
        assert!(attr(&p.planned_state, "secret_env_digests").is_unknown());
        // Without secrets there is nothing to wait for.
        let (p, _) = modify(&r, Value::Null, config(&[])).await;
        assert_eq!(
            attr(&p.planned_state, "secret_env_digests"),
            Value::Map(Default::default())
        );
    }

    #[tokio::test]
    async fn existing_app_digests_use_the_remembered_key() {
        let r = resource();
        let app = App {
            app_id: "app_00000000000000aa".into(),
            project_id: "prj_0123456789abcdef".into(),
            name: "web".into(),
            runtime: "next".into(),
            active_build_id: None,
            default_hostname: "web-00000000.comwit.app".into(),
            created_at: "2025-01-01T00:00:00Z".into(),
            env_digest_key: Some(crate::api::models::DigestKey::new("0f".repeat(32))),
        };
        let key = r.keys.remember(&app).unwrap();
        let c = config(&[("secret_env_wo", secrets(&[("K", "v")]))]);
        let (p, d) = modify(&r, prior_state(), c).await;
        assert!(d.is_empty(), "{d}");
        assert_eq!(
            attr(&p.planned_state, "secret_env_digests"),
            secrets(&[("K", &env::digest(&key, "v"))])
        );
        // Without a remembered key the plan reads the app, which needs a configured provider.
        let other = resource();
        let c = config(&[("secret_env_wo", secrets(&[("K", "v")]))]);
        let (_, d) = modify(&other, prior_state(), c).await;
        assert!(d.to_string().contains("not configured"), "{d}");
    }

    #[tokio::test]
    async fn version_0_states_lose_their_plain_digests() {
        let r = resource();
        let mut v0 = serde_json::json!({
            "app_id": "app_00000000000000aa",
            "project_id": "prj_0123456789abcdef",
            "name": "web",
            "runtime": "next",
            "env": {"MODE": "production"},
            "secret_env_digests": {"K": crate::provider::apps::sha256_hex(b"v")},
            "secret_env_wo_version": 1,
            "created_at": "2025-01-01T00:00:00Z",
        });
        let raw = serde_json::to_vec(&v0).unwrap();
        let up = r.upgrade_state(0, &raw).await.unwrap();
        assert_eq!(
            attr(&up, "secret_env_digests"),
            Value::Map(Default::default())
        );
        assert_eq!(attr(&up, "app_id"), Value::string("app_00000000000000aa"));
        assert_eq!(attr(&up, "secret_env_wo_version"), Value::int(1));
        assert_eq!(attr(&up, "env"), secrets(&[("MODE", "production")]));
        // A current state keeps its (keyed) digests.
        v0["secret_env_digests"] = serde_json::json!({"K": "keyed"});
        let raw = serde_json::to_vec(&v0).unwrap();
        let same = r.upgrade_state(1, &raw).await.unwrap();
        assert_eq!(
            attr(&same, "secret_env_digests"),
            secrets(&[("K", "keyed")])
        );
        assert_eq!(r.upgrade_state(0, b"null").await.unwrap(), Value::Null);
    }
}
