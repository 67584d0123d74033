//! `comwit_app`: a runtime app with its environment variables, its deployed source and its
//! active build.

use std::collections::BTreeSet;

use async_trait::async_trait;
use serde::Deserialize;

use crate::api::models::{AppCreate, AppUpdate, EnvReplace};
use crate::api::{ApiError, Client};
use crate::provider::common::{
    api_error, api_error_at, attr_or_null, call, id_validator, is_dns_label, plan_project,
    project_id_attribute, set_attr, split_import_id,
};
use crate::tfplugin::cty::{Type, Value};
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, IdentitySchema, PlanRequest, Resource};
use crate::tfplugin::schema::{validators, Attribute, Block, Schema};

use super::app_identity;
use super::app_plan::{
    pack_source, plan_active, plan_kept_secrets, plan_rotating_digests, plan_source,
    secrets_would_be_deleted,
};
use super::app_state::{fetch, AppModel, AppPrivate};
use super::env::{self, DigestKey, DigestKeys, Vars};
use super::{app_not_found, is_unknown};

const TYPE_NAME: &str = AppResource::TYPE_NAME;
const IMPORT_FORM: &str = "<project_id>/<app_id>";

/// The state version. 0 kept plain SHA-256 digests in `secret_env_digests`; 1 keeps the
/// platform's keyed digests (HMAC-SHA256 under the app's `env_digest_key`).
const SCHEMA_VERSION: i64 = 1;

provider_type!(AppResource, "comwit_app", |shared| {
    /// The digest keys of the apps read by this provider process (never in state).
    keys: DigestKeys = DigestKeys::default(),
});

impl AppResource {
    /// The state of a model: what `read` returns, and (for an app as the platform reports it)
    /// what the list resource sends.
    pub(super) fn state(&self, app: &AppModel) -> Result<Value, Diagnostics> {
        model::value_of(app, &self.schema)
    }
}

/// What the plan reads of the configuration through a model. Its other inputs may be unknown,
/// which decides the plan but which a model reads as absent, so they stay values.
#[derive(Deserialize)]
struct PlanConfig {
    name: Option<String>,
    active_build_id: Option<String>,
}

pub(super) fn schema() -> Schema {
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

**Secrets that are new on every run**, such as a token of the `comwit_database_token` \
ephemeral resource (Terraform opens it anew on every plan and apply), go in `secret_env_wo` \
with their names in `secret_env_wo_rotating`: their digests are not compared, so the next plan \
stays empty. They are sent on create, when a name is first configured, when \
`secret_env_wo_version` changes, and whenever the environment is replaced for another change. \
For a database token the app keeps, give the ephemeral resource `revoke_on_close = false` and \
a long `expires_in`, and rotate the token by increasing `secret_env_wo_version` (each plan and \
apply mints a token that stays valid until it expires; see `comwit_database_token`):

```terraform
ephemeral \"comwit_database_token\" \"app\" {
  database_id     = comwit_database.main.database_id
  expires_in      = \"720h\"
  revoke_on_close = false
}

resource \"comwit_app\" \"web\" {
  # ...
  secret_env_wo          = { DATABASE_TOKEN = ephemeral.comwit_database_token.app.token }
  secret_env_wo_rotating = [\"DATABASE_TOKEN\"]
  secret_env_wo_version  = 1 # increase to send a new token
}
```

**Upgrading** from a provider version that kept plain SHA-256 digests: the state is upgraded \
on the next plan, which drops the old digests and reads the keyed ones from the platform, so \
the plan stays empty while the secrets are unchanged (with `-refresh=false` it plans sending \
the secrets again instead). The state file holds the old digests until the next apply (`terraform \
apply -refresh-only` rewrites it without changing anything).

**Import:** `terraform import comwit_app.<name> <project_id>/<app_id>`, or an `import` block \
with that `id` or, on Terraform 1.12 and later, \
`identity = { project_id = \"<project_id>\", app_id = \"<app_id>\" }` (`project_id` defaults \
to the provider's). On Terraform 1.14 and later, `terraform query` with a `comwit_app` list \
block finds a project's apps and writes their `import` and `resource` blocks \
(`-generate-config-out`), which apply imports without changing anything.

**After import** `env` holds the app's plain variables. Terraform cannot know secret values, \
only their digests, so an imported app's secrets stay as they are on the platform while the \
configuration sets no `secret_env_wo`: nothing is planned for them, and a change of `env` is \
refused while the app has any (the platform replaces the whole environment at once, which \
would delete them). Configure the same `secret_env_wo` and the plan stays empty when the \
values match (a different value plans an update that sends it). Once an apply has updated the \
app with `secret_env_wo` set, the secrets are Terraform's, as on an app it created: leaving \
`secret_env_wo` out then deletes them (`secret_env_wo = {}` always does). `build_id` and \
`source_sha256` describe the build that was active at import: when `source_dir` packs to the \
same digest nothing is deployed; without `source_dir` (generated configurations have none) \
nothing is deployed and the app keeps its build. A generated configuration sets no \
`active_build_id`, so the active build stays unmanaged: deploys and rollbacks made outside \
Terraform (or by the `comwit_app_rollback` action) are reported, not reverted. Add \
`source_dir` to have Terraform deploy, or `active_build_id` to pin a build.

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
            Attribute::set("secret_env_wo_rotating", Type::String)
                .optional()
                .description(
                    "Names of `secret_env_wo` variables whose values are new on every run, \
                     such as `DATABASE_TOKEN = ephemeral.comwit_database_token.<name>.token`. \
                     Their digests are not compared at plan and a new value at apply is not \
                     refused as changed after the plan, so they plan nothing by themselves. \
                     They are sent when the app is created, when the name is first \
                     configured, when `secret_env_wo_version` changes, and whenever the \
                     environment is replaced for another change (`env` or another secret: the \
                     platform replaces the whole environment at once), each time with that \
                     run's value; a change made to them outside Terraform is not noticed. \
                     Every name must be in `secret_env_wo`. For a database token that the app \
                     keeps, the `comwit_database_token` needs `revoke_on_close = false` and a \
                     long `expires_in` (rotate it by increasing `secret_env_wo_version`): with \
                     its default `revoke_on_close = true` the token is revoked when the run \
                     ends, and the app would keep a revoked token.",
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
    type_metadata!();

    /// A generated configuration never has `source_dir`, so it leaves the active build to
    /// whoever deploys: no `active_build_id`, which would pin the build and revert later
    /// deploys and rollbacks.
    fn generate_config(&self, state: &Value) -> Value {
        let mut config = crate::tfplugin::plan::config_from_state(&self.schema, state);
        if attr_or_null(&config, "source_dir").is_null() {
            set_attr(&mut config, "active_build_id", Value::Null);
        }
        config
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        // Values, not the model: an unknown map is checked once it is known.
        let secrets = attr_or_null(config, "secret_env_wo");
        let mut d = env::validate_combined(&attr_or_null(config, "env"), &secrets);
        d.extend(env::validate_rotating(
            &secrets,
            &attr_or_null(config, "secret_env_wo_rotating"),
        ));
        d
    }

    async fn modify_plan(&self, ctx: &mut Ctx, plan: &mut PlanRequest) -> Diagnostics {
        match self.plan(ctx, plan).await {
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
            Ok(Some((app, remote_env))) => {
                self.keys.remember(&app);
                self.state(&state.refreshed(&app, &remote_env))
            }
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
        let AppModel {
            project_id,
            app_id,
            name,
            ..
        } = model::get(prior)?;
        match call(ctx, configured.client.delete_app(&project_id, &app_id)).await {
            // The client counts a DELETE answered 404 as done.
            Ok(()) => Ok(()),
            Err(e) => Err(api_error(&action("delete", &name), &e)),
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
                return Err(app_not_found(format!(
                    "Cannot import {id:?}: the project {project} has no app {app_id} (or the \
                     project does not exist). Check both IDs; the import ID has the form \
                     {IMPORT_FORM}. The `comwit_app` data source finds an app's ID by name."
                )))
            }
            Err(e) => return Err(api_error(&format!("import the app {app_id}"), &e)),
        };
        self.keys.remember(&app);
        // Terraform never knew this app's secrets: they stay the platform's until a
        // configuration sets `secret_env_wo`.
        ctx.private = AppPrivate::imported().to_bytes();
        let mut state = AppModel::from(&app);
        // Describe the build serving now as the one Terraform knows, so that a `source_dir`
        // holding the same code plans no deploy.
        if let Some(active) = &app.active_build_id {
            let build = call(ctx, client.get_build(project, app_id, active))
                .await
                .map_err(|e| api_error(&format!("read the active build {active}"), &e))?;
            state.build_id = Some(build.build_id);
            state.source_sha256 = Some(build.source_sha256);
        }
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
    /// The plan's decisions (see `app_plan`), written into the planned state as values: they
    /// may be unknown, known after apply.
    async fn plan(&self, ctx: &mut Ctx, plan: &mut PlanRequest) -> Result<(), Diagnostics> {
        plan_project(plan, &self.shared)?;
        let creating = plan.prior_state.is_null();
        // A replacement plans a new app: nothing of the old one carries over.
        let prior: Option<AppModel> = if plan.requires_replace.is_empty() {
            model::get(&plan.prior_state)?
        } else {
            None
        };
        let config: PlanConfig = model::get(&plan.config)?;
        if let (None, Some(pin)) = (&prior, &config.active_build_id) {
            return Err(pin_on_new_app(pin, config.name.as_deref(), creating));
        }
        // Unknown here means "decided at apply", so these stay values.
        let secrets = attr_or_null(&plan.config, "secret_env_wo");
        let source_dir = attr_or_null(&plan.config, "source_dir");
        let pin = attr_or_null(&plan.config, "active_build_id");

        let rotating_config = attr_or_null(&plan.config, "secret_env_wo_rotating");
        let rotating = env::rotating_names(&rotating_config).filter(|names| !names.is_empty());
        let digests = match &prior {
            // Which secrets rotate is decided at apply: so is what is sent.
            Some(_) if rotating_config.is_unknown() && !secrets.is_null() => Value::Unknown,
            // An imported app's secrets, left out of the configuration: they stay.
            Some(prior) if secrets.is_null() && AppPrivate::read(&ctx.private).imported_secrets => {
                plan_kept_secrets(prior, &attr_or_null(&plan.planned_state, "env"))?
            }
            // Some secrets are new on every run: theirs are not compared.
            Some(prior) if rotating.is_some() => {
                let key = if env::has_known_value(&secrets) {
                    self.digest_key(ctx, &prior.project_id, &prior.app_id)
                        .await?
                } else {
                    None
                };
                let other_changes = env_or_version_changes(plan, prior)?;
                let rotating = rotating.unwrap_or_default();
                plan_rotating_digests(&secrets, &rotating, key.as_ref(), prior, other_changes)
            }
            // Digests of the configured secrets, with the app's key: a new app has none yet
            // (its digests are known after apply).
            Some(prior) if env::needs_key(&secrets) => {
                let key = self
                    .digest_key(ctx, &prior.project_id, &prior.app_id)
                    .await?;
                env::planned_digests(&secrets, key.as_ref())
            }
            _ => env::planned_digests(&secrets, None),
        };
        set_attr(&mut plan.planned_state, "secret_env_digests", digests);

        let packed = match source_dir.as_str() {
            Some(dir) => Some(pack_source(dir).await?.sha256),
            None => None,
        };
        let source = plan_source(&source_dir, packed.as_deref(), prior.as_ref());
        let active = plan_active(&pin, &source_dir, &source.build_id, prior.as_ref());
        let planned = &mut plan.planned_state;
        set_attr(planned, "source_sha256", source.source_sha256);
        set_attr(planned, "build_id", source.build_id);
        set_attr(planned, "active_build_id", active);
        Ok(())
    }

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
    /// Terraform records it and the next plan finishes the job. `prior` is None on create.
    async fn converge(
        &self,
        ctx: &mut Ctx,
        prior: Option<&AppModel>,
        planned_value: &Value,
        config: &Value,
    ) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let client = &configured.client;
        // Rotating secrets may leave some planned digests unknown, which the model cannot
        // read: the digests are taken as a value.
        let planned_digests = attr_or_null(planned_value, "secret_env_digests");
        let planned: AppModel = model::get(&without_partial_digests(planned_value))?;
        // The configuration holds the write-only secrets, and tells a pin from the build the
        // plan filled in.
        let config: AppModel = model::get(config)?;
        let (project, name) = (&planned.project_id, &planned.name);

        let mut current = match prior {
            None => {
                let body = AppCreate {
                    name,
                    runtime: &planned.runtime,
                };
                let app = match call(ctx, client.create_app(project, &body)).await {
                    Ok(app) => app,
                    Err(e) => return Err(name_error(ctx, client, project, name, true, &e).await),
                };
                self.keys.remember(&app);
                // Nothing else exists yet: a new app has no variables and no builds.
                AppModel {
                    secret_env_digests: Some(Vars::new()),
                    source_dir: planned.source_dir.clone(),
                    ..AppModel::from(&app)
                }
            }
            Some(prior) => prior.clone(),
        };
        ctx.partial_state = Some(self.state(&current)?);
        let app_id = current.app_id.clone();

        if prior.is_some_and(|p| p.name != *name) {
            let body = AppUpdate {
                name: Some(name),
                runtime: None,
            };
            match call(ctx, client.update_app(project, &app_id, &body)).await {
                Ok(app) => current.apply(&app),
                Err(e) => return Err(name_error(ctx, client, project, name, false, &e).await),
            }
            ctx.partial_state = Some(self.state(&current)?);
        }

        // An imported app's secrets stay the platform's while the configuration leaves them
        // out; the first update with `secret_env_wo` set makes them Terraform's.
        let kept = match (prior, &config.secret_env_wo) {
            (Some(prior), None) if AppPrivate::read(&ctx.private).imported_secrets => Some(prior),
            _ => None,
        };
        match kept {
            Some(prior) => {
                self.keep_secrets(ctx, client, prior, &planned, &mut current)
                    .await?
            }
            None => {
                let secrets = config.secret_env_wo.unwrap_or_default();
                let planned_env = PlannedEnv {
                    model: &planned,
                    digests: &planned_digests,
                };
                self.converge_env(ctx, client, prior, planned_env, &secrets, &mut current)
                    .await?;
                ctx.private = AppPrivate::default().to_bytes();
            }
        }

        current.source_dir.clone_from(&planned.source_dir);
        if let Some(dir) = &planned.source_dir {
            // An unknown digest (the directory was not known at plan time) may be new code.
            let new_code = is_unknown(planned_value, "source_sha256")
                || prior.is_none_or(|p| p.source_sha256 != planned.source_sha256);
            if new_code {
                let bundle = pack_source(dir).await?;
                if let Some(want) = planned
                    .source_sha256
                    .as_deref()
                    .filter(|w| *w != bundle.sha256)
                {
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
                let build = call(ctx, client.deploy(project, &app_id, bundle.bytes))
                    .await
                    .map_err(|e| api_error(&format!("deploy {dir:?} to the app {name:?}"), &e))?;
                current.source_sha256 = Some(sha);
                current.active_build_id = Some(build.build_id.clone());
                current.build_id = Some(build.build_id);
                ctx.partial_state = Some(self.state(&current)?);
            }
        }

        // The environment is now as planned (or was already): keep the planned way of writing
        // an empty `env` (null or `{}`) and the planned `secret_env_wo_version`.
        current.env.clone_from(&planned.env);
        current.secret_env_wo_version = planned.secret_env_wo_version;
        current
            .secret_env_wo_rotating
            .clone_from(&planned.secret_env_wo_rotating);
        let Some((app, remote_env)) = fetch(ctx, client, project, &app_id)
            .await
            .map_err(|e| api_error(&action("read", name), &e))?
        else {
            return Err(app_disappeared(&app_id));
        };
        self.keys.remember(&app);
        let mut state = current.refreshed(&app, &remote_env);

        // The build that should serve: a pin, else the last deploy when Terraform deploys.
        let desired = match config.active_build_id {
            Some(pin) => Some(pin),
            None if planned.source_dir.is_some() => state.build_id.clone(),
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

    /// The environment of an imported app whose secrets the configuration leaves out: they
    /// stay, so only a change of the plain variables replaces the environment, and only when
    /// the app has no secrets to lose (the plan refused it otherwise; checked again against
    /// the platform, which the plan may not have seen, e.g. under `-refresh=false`).
    async fn keep_secrets(
        &self,
        ctx: &mut Ctx,
        client: &Client,
        prior: &AppModel,
        planned: &AppModel,
        current: &mut AppModel,
    ) -> Result<(), Diagnostics> {
        let plain = planned.env.clone().unwrap_or_default();
        if plain == prior.env.clone().unwrap_or_default() {
            return Ok(());
        }
        let (project, app_id) = (&planned.project_id, current.app_id.clone());
        let remote = match call(ctx, client.get_env(project, &app_id)).await {
            Ok(remote) => remote,
            Err(e) if e.is_not_found() => return Err(app_disappeared(&app_id)),
            Err(e) => {
                let what = format!(
                    "read the environment variables of the app {:?}",
                    current.name
                );
                return Err(api_error(&what, &e));
            }
        };
        let (_, secrets) = env::split(&remote);
        if !secrets.is_empty() {
            return Err(secrets_would_be_deleted(&current.name, &secrets));
        }
        let no_secrets = Vars::new();
        replace_env(
            ctx,
            client,
            project,
            (&plain, &no_secrets),
            planned,
            current,
        )
        .await?;
        ctx.partial_state = Some(self.state(current)?);
        Ok(())
    }

    /// Replaces the environment when the plain variables, the secrets' digests or
    /// `secret_env_wo_version` changed (or, on create, when there is anything to set). A
    /// rotating secret (`secret_env_wo_rotating`) counts as changed only when the plan left its
    /// digest unknown: the plan decided then whether the environment is replaced.
    async fn converge_env(
        &self,
        ctx: &mut Ctx,
        client: &Client,
        prior: Option<&AppModel>,
        planned_env: PlannedEnv<'_>,
        secrets: &Vars,
        current: &mut AppModel,
    ) -> Result<(), Diagnostics> {
        let PlannedEnv {
            model: planned,
            digests: planned_digests,
        } = planned_env;
        let (project, app_id) = (&planned.project_id, current.app_id.clone());
        let digests = if secrets.is_empty() {
            Vars::new()
        } else {
            match self.digest_key(ctx, project, &app_id).await? {
                Some(key) => env::digests(secrets, &key),
                None => return Err(app_disappeared(&app_id)),
            }
        };
        let rotating = planned.secret_env_wo_rotating.clone().unwrap_or_default();
        // Unknown when the plan could not compute them (a new app has no key yet).
        if changed_after_the_plan(planned_digests, &digests, &rotating) {
            // An ephemeral source produced different values at apply than at plan.
            return Err(Diagnostic::error(
                "secret_env_wo changed after the plan",
                "The secret values given at apply differ from those the plan was made with \
                 (an ephemeral value that changes on every run? Name it in \
                 `secret_env_wo_rotating`). Nothing was sent; run plan again.",
            )
            .with_attribute(AttributePath::new("secret_env_wo"))
            .into());
        }
        let plain = planned.env.clone().unwrap_or_default();
        let changed = match prior {
            None => !plain.is_empty() || !secrets.is_empty(),
            Some(prior) => {
                planned.env != prior.env
                    || prior.secret_env_digests.as_ref()
                        != Some(&as_planned(planned_digests, digests, &rotating))
                    || planned.secret_env_wo_version != prior.secret_env_wo_version
            }
        };
        if !changed {
            return Ok(());
        }
        replace_env(ctx, client, project, (&plain, secrets), planned, current).await?;
        current.secret_env_wo_version = planned.secret_env_wo_version;
        current
            .secret_env_wo_rotating
            .clone_from(&planned.secret_env_wo_rotating);
        ctx.partial_state = Some(self.state(current)?);
        Ok(())
    }
}

/// The planned model of the app and the planned digests as a value (some may be unknown).
#[derive(Clone, Copy)]
struct PlannedEnv<'a> {
    model: &'a AppModel,
    digests: &'a Value,
}

/// The planned state with `secret_env_digests` unknown as a whole when some of them are (the
/// model reads it as absent then).
fn without_partial_digests(planned: &Value) -> Value {
    let mut planned = planned.clone();
    if attr_or_null(&planned, "secret_env_digests").contains_unknown() {
        set_attr(&mut planned, "secret_env_digests", Value::Unknown);
    }
    planned
}

/// Whether the digests of the secrets given at apply (`digests`) differ from those the plan
/// knew, leaving out rotating secrets, whose values are new on every run.
fn changed_after_the_plan(planned: &Value, digests: &Vars, rotating: &BTreeSet<String>) -> bool {
    let Value::Map(planned) = planned else {
        return false;
    };
    if !planned.keys().eq(digests.keys()) {
        return true;
    }
    planned.iter().any(|(name, want)| match want.as_str() {
        Some(want) if !rotating.contains(name) => {
            digests.get(name).map(String::as_str) != Some(want)
        }
        _ => false,
    })
}

/// The digests the environment has after this apply if it is not replaced for another reason:
/// those of the secrets given now, but a rotating secret's planned digest where the plan knew
/// it (the prior one: the plan decided not to send it).
fn as_planned(planned: &Value, digests: Vars, rotating: &BTreeSet<String>) -> Vars {
    let planned = match planned {
        Value::Map(planned) => planned.clone(),
        _ => Default::default(),
    };
    digests
        .into_iter()
        .map(|(name, digest)| {
            let kept = match planned.get(&name).and_then(Value::as_str) {
                Some(planned) if rotating.contains(&name) => planned.to_string(),
                _ => digest,
            };
            (name, kept)
        })
        .collect()
}

/// Whether a plan replaces the environment for a reason other than the secrets' digests: a
/// new (or unknown) `env` or `secret_env_wo_version`.
fn env_or_version_changes(plan: &PlanRequest, prior: &AppModel) -> Result<bool, Diagnostics> {
    let planned_env = attr_or_null(&plan.planned_state, "env");
    let version = attr_or_null(&plan.config, "secret_env_wo_version");
    if planned_env.contains_unknown() || version.is_unknown() {
        return Ok(true);
    }
    let planned_env: Option<Vars> = model::get(&planned_env)?;
    let version: Option<i64> = model::get(&version)?;
    Ok(planned_env != prior.env || version != prior.secret_env_wo_version)
}

/// Replaces the environment of the app `current` with the variables `plain` and the secrets
/// `secrets`, and takes what the platform then holds into `current`: its plain variables (spelled
/// as `planned` has them) and its secrets' digests.
async fn replace_env(
    ctx: &Ctx,
    client: &Client,
    project: &str,
    (plain, secrets): (&Vars, &Vars),
    planned: &AppModel,
    current: &mut AppModel,
) -> Result<(), Diagnostics> {
    let body = EnvReplace {
        variables: env::replacement(plain, secrets),
    };
    let remote = call(ctx, client.replace_env(project, &current.app_id, &body))
        .await
        .map_err(|e| {
            let what = format!(
                "set the environment variables of the app {:?}",
                current.name
            );
            api_error_at(&what, &e, &[("variables", "env")])
        })?;
    let (plain, digests) = env::state_values(&remote, planned.env.as_ref());
    current.env = plain;
    current.secret_env_digests = Some(digests);
    Ok(())
}

/// A failed create or rename. A taken name says which app holds it; on create, with the
/// command that imports that app.
async fn name_error(
    ctx: &Ctx,
    client: &Client,
    project: &str,
    name: &str,
    creating: bool,
    err: &ApiError,
) -> Diagnostics {
    if !err.is_conflict() {
        let action = if creating {
            action("create", name)
        } else {
            format!("rename the app to {name:?}")
        };
        return api_error_at(&action, err, &[("name", "name")]);
    }
    // The app holding the name, when the list can be read.
    let holder = call(ctx, client.list_apps(project))
        .await
        .ok()
        .and_then(|apps| apps.into_iter().find(|a| a.name == name));
    let detail = if creating {
        let how = holder.map_or(String::new(), |app| {
            format!(
                " To manage the existing app with Terraform instead, import it:\n\n  \
                 terraform import {TYPE_NAME}.<name> {project}/{}\n\nor add an `import` \
                 block with `id = \"{project}/{}\"`.",
                app.app_id, app.app_id
            )
        });
        format!(
            "Could not create the app {name:?}: the project {project} already has an app \
             with that name. Choose another `name`.{how}"
        )
    } else {
        let holder = holder.map_or(String::new(), |a| format!(" ({})", a.app_id));
        format!(
            "Could not rename the app to {name:?}: another app of the project {project} has \
             that name{holder}. Choose another `name`."
        )
    };
    Diagnostic::error("App name already taken", detail)
        .with_attribute(AttributePath::new("name"))
        .into()
}

/// A state of schema `version` (decoded with the current schema) made current. Edited as a
/// value: only the digests change, where a model would also fill in what an old state lacks.
fn upgrade_from(version: i64, mut state: Value) -> Value {
    if version < 1 && !state.is_null() {
        set_attr(
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
mod tests;
