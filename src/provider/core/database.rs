//! `comwit_database`: a libSQL database in a project, with deletion protection.

use std::sync::LazyLock;
use std::time::Duration;

use async_trait::async_trait;

use super::database_restore::{check_restore_from, restore_from_attribute};
use super::database_seed::{self, seed_file_attributes};
use super::database_state::{DatabaseModel, DEFAULT_PROTECTION};
use super::database_wait::{self, WaitError, CREATING};
use super::dns_label_validator;
use super::lookup::{holder_of, name_taken};
use crate::api::models::Database;
use crate::api::{ApiError, Client};
use crate::provider::common::{
    api_error, api_error_at, call, found, plan_project, project_id_attribute, set_attr,
    split_import_id, timeouts_block, CreateTimeouts, ModelResource,
};
use crate::provider::query;
use crate::tfplugin::cty::Type;
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, IdentityAttribute, IdentitySchema, PlanRequest};
use crate::tfplugin::schema::{Attribute, Block, Schema};

provider_type!(DatabaseResource, "comwit_database");
const TYPE_NAME: &str = DatabaseResource::TYPE_NAME;
const IMPORT_FORM: &str = "<project_id>/<database_id>";
const DEFAULT_CREATE_TIMEOUT: Duration = Duration::from_secs(600);

/// A database is named by its project and its ID, in the order of the import ID.
const IDENTITY_ORDER: [&str; 2] = ["project_id", "database_id"];
static IDENTITY: LazyLock<IdentitySchema> = LazyLock::new(|| {
    IdentitySchema::new(vec![
        query::project_identity(),
        IdentityAttribute::required(
            "database_id",
            "The database's ID, as the platform gives it.",
        ),
    ])
});

pub(super) fn schema() -> Schema {
    let description = "\
A libSQL database in a project, reachable at its `database_url`. Creating one waits while the \
platform reports it `creating` (at most `timeouts.create`, 10 minutes by default); its next \
status is `cold`.

**The database token.** The platform shows a database's token once, in the answer to the \
create: Terraform keeps it in the sensitive `database_token` attribute (stored in the state: \
protect the state accordingly). Changing `token_rotation_trigger` rotates it in place \
(`POST .../token/rotate`): the new token replaces the old one, which stops working. \
`database_token` is null after an import (the platform never shows a token again; set or \
change `token_rotation_trigger` to get a fresh one) and when the platform returns none, for a \
database that uses token auth through `database:connect`: then connect with a project token \
(`cwp_...`) that holds `database:connect`.

**Seeding.** With `seed_file`, the new database starts with the data of a SQLite file, \
uploaded as the official CLI's `databases create --from-file` does it: Terraform checks the \
file at plan (one standalone SQLite file of 100 B to 2 GiB, no `-wal`/`-shm` beside it) and \
keeps its SHA-256 in `seed_file_sha256`; at apply it runs SQLite's integrity and foreign-key \
checks, opens an upload session, streams the file once (a lost answer is resolved by reading \
the upload's operation, never by sending the file twice), and waits while the platform \
validates and publishes it (`queued`, `validating`, `publishing`, then `succeeded`), within \
`timeouts.create`. The upload's progress is in the provider's log (`TF_LOG=info`). A file with \
other content later replaces the database (see `seed_file`).

Databases are protected from deletion by default: while `deletion_protection` is `true`, \
`terraform destroy`, removing the resource from the configuration, and changes that replace \
the database (a new `name` or `project_id`) fail without deleting anything. To delete or \
replace a database, first set `deletion_protection = false` and apply, which changes only \
Terraform's state.

**Import:** `terraform import comwit_database.<name> <project_id>/<database_id>`, or an \
`import` block with that `id` or, on Terraform 1.12 and later, \
`identity = { project_id = \"<project_id>\", database_id = \"<database_id>\" }` (`project_id` \
defaults to the provider's). An imported database is protected (`deletion_protection = true`) \
unless the configuration says otherwise. On Terraform 1.14 and later, `terraform query` with a \
`comwit_database` list block finds a project's databases and writes their `import` and \
`resource` blocks (`-generate-config-out`), with `deletion_protection = true`.

**Token scopes:** create needs `database:write` and `database:read` (to wait while the \
database is `creating`, and to read a seed's operation); read, refresh and import need `database:read`; delete and a token \
rotation need `database:write`. Changing `deletion_protection` or `timeouts` needs none.";

    let [seed_file, seed_file_sha256] = seed_file_attributes();
    Schema::new(
        Block::from_attributes(vec![
            Attribute::string("database_id")
                .computed()
                .use_state_for_unknown()
                .description("The database's ID, as the platform gives it (e.g. `db-...`)."),
            project_id_attribute("database"),
            Attribute::string("name")
                .required()
                .requires_replace()
                .validator(dns_label_validator())
                .description(
                    "The database's name, unique within the project: a DNS label (lowercase \
                     letters, digits and hyphens, starting with a letter, at most 63 \
                     characters). Databases cannot be renamed: changing it replaces the \
                     database, deleting the existing one and its data (refused while \
                     `deletion_protection` is on).",
                ),
            Attribute::bool("deletion_protection")
                .optional()
                .computed()
                .default(Value::Bool(DEFAULT_PROTECTION))
                .description(
                    "Whether Terraform refuses to delete the database (on destroy, on removal \
                     from the configuration, or on a replacement). Defaults to `true`. \
                     Changing it only updates Terraform's state; set it to `false` and apply \
                     before destroying or replacing the database.",
                ),
            Attribute::string("database_url")
                .computed()
                .use_state_for_unknown()
                .description(
                    "The URL clients connect to (libSQL over HTTPS, Hrana at \
                     `<database_url>/v3/pipeline`), like \
                     `https://db.cloud.comwit.io/v1/<tenant_id>`.",
                ),
            Attribute::string("status")
                .computed()
                .use_state_for_unknown()
                .description(
                    "The platform's status of the database: `creating` right after creation, \
                     then `cold` (any other status the platform reports is shown as it is). \
                     Terraform waits while it is `creating`.",
                ),
            Attribute::string("database_token")
                .computed()
                .sensitive()
                .use_state_for_unknown()
                .description(
                    "The database's token for its data plane, as the platform showed it once \
                     (on create, or on the last rotation). Null after an import and when the \
                     platform returned none (a database that uses token auth through \
                     `database:connect`: connect with a `cwp_` project token that holds \
                     `database:connect`). Sensitive, and stored in the state.",
                ),
            restore_from_attribute(),
            seed_file,
            seed_file_sha256,
            Attribute::map("token_rotation_trigger", Type::String)
                .optional()
                .description(
                    "Arbitrary values (like `keepers`/`triggers`): any change of this map, \
                     including setting or removing it, rotates `database_token` in place \
                     (the old token stops working). For example \
                     `{ rotated = \"2026-12\" }`.",
                ),
        ])
        .with_block(timeouts_block(&["create"], "default 10m"))
        .description(description),
    )
}

#[async_trait]
impl ModelResource for DatabaseResource {
    type Model = DatabaseModel;
    type_metadata!();

    async fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = match config.get("restore_from") {
            Some(from @ Value::Object(_)) => {
                check_restore_from(from, time::OffsetDateTime::now_utc())
            }
            _ => Diagnostics::new(),
        };
        d.extend(database_seed::check_config(config));
        d
    }

    async fn modify_plan(&self, _ctx: &mut Ctx, plan: &mut PlanRequest) -> Diagnostics {
        if let Err(d) = plan_project(plan, &self.shared) {
            return d;
        }
        let seeded = database_seed::plan_seed(plan);
        if seeded.has_errors() {
            return seeded;
        }
        if plan.prior_state.is_null() || plan.planned_state.is_null() {
            return Diagnostics::new();
        }
        // An imported (or older) database has no `restore_from` in state: configuring it then
        // records where the database came from, and replaces nothing.
        if plan
            .prior_state
            .get("restore_from")
            .is_none_or(Value::is_null)
        {
            let path = AttributePath::new("restore_from");
            plan.requires_replace.retain(|p| p != &path);
        }
        // A new trigger rotates the token: its new value is known after the apply.
        let trigger = |v: &Value| {
            v.get("token_rotation_trigger")
                .cloned()
                .unwrap_or(Value::Null)
        };
        if plan.requires_replace.is_empty()
            && trigger(&plan.prior_state) != trigger(&plan.planned_state)
        {
            set_attr(&mut plan.planned_state, "database_token", Value::Unknown);
        }
        if plan.requires_replace.is_empty() {
            return Diagnostics::new();
        }
        match model::get::<DatabaseModel>(&plan.prior_state) {
            Ok(prior) if prior.deletion_protection => {
                protected_replacement(&prior, &plan.requires_replace).into()
            }
            Ok(_) => Diagnostics::new(),
            Err(d) => d,
        }
    }

    async fn create(&self, ctx: &mut Ctx, planned: DatabaseModel) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let client = &configured.client;
        let (project, name) = (planned.project_id.clone(), planned.name.clone());
        let (project, name) = (project.as_str(), name.as_str());
        let limit = CreateTimeouts::create(&planned.timeouts, DEFAULT_CREATE_TIMEOUT);
        if let Some(from) = planned.restore_from.clone() {
            let started = std::time::Instant::now();
            let (db, token) = self.restore(ctx, client, &planned, &from, limit).await?;
            // No token in the answer (or the answer was lost): a rotation gives one.
            let token = match token {
                Some(t) => Some(t),
                None => rotated_token(ctx, client, project, &db.database_id).await,
            };
            let planned = DatabaseModel {
                database_token: token,
                ..planned
            };
            // One `timeouts.create` for the restore and the wait together.
            let left = limit
                .saturating_sub(started.elapsed())
                .max(Duration::from_secs(1));
            return self.wait_created(ctx, client, planned, db, left).await;
        }
        if let Some(path) = planned.seed_file.clone() {
            let started = std::time::Instant::now();
            let (db, token) = self.seed(ctx, client, &planned, &path, limit).await?;
            let token = match token {
                Some(t) => Some(t),
                None => rotated_token(ctx, client, project, &db.database_id).await,
            };
            let planned = DatabaseModel {
                database_token: token,
                ..planned
            };
            let left = limit
                .saturating_sub(started.elapsed())
                .max(Duration::from_secs(1));
            return self.wait_created(ctx, client, planned, db, left).await;
        }
        let created = match call(ctx, client.create_database(project, name)).await {
            Ok(created) => created,
            Err(e) if e.is_conflict() => {
                return Err(taken(ctx, client, project, name, &e).await.into())
            }
            Err(e) => {
                return Err(api_error_at(
                    &format!("create the database {name:?} in the project {project}"),
                    &e,
                    &[("name", "name")],
                ))
            }
        };
        let mut token = created
            .database_token
            .as_ref()
            .map(|t| t.expose().to_string());
        if token.is_none() && !created.created {
            // The first answer, the only one with the one-time token, was lost (this is a
            // replay of it): rotate, so that the state holds a token that works and the lost
            // one stops working.
            token = rotated_token(ctx, client, project, &created.database_id).await;
        }
        let planned = DatabaseModel {
            database_token: token,
            ..planned
        };
        let db = Database {
            database_id: created.database_id.clone(),
            project_id: project.to_string(),
            name: created.name.clone().unwrap_or_else(|| name.to_string()),
            database_url: created.database_url.clone(),
            // Not in the create's answer: `creating` until the list says otherwise.
            status: created
                .status
                .clone()
                .unwrap_or_else(|| CREATING.to_string()),
        };
        self.wait_created(ctx, client, planned, db, limit).await
    }

    async fn read(&self, ctx: &mut Ctx, prior: DatabaseModel) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let (project, id) = (&prior.project_id, &prior.database_id);
        let db = call(ctx, configured.client.read_database(project, id)).await;
        let db = found(db, &format!("read the database {id}"))?;
        // None: gone, or its whole project is gone: Terraform plans to create it again.
        db.map_or(Ok(Value::Null), |db| self.state(prior.with_remote(db)))
    }

    async fn update(
        &self,
        ctx: &mut Ctx,
        prior: DatabaseModel,
        planned: DatabaseModel,
    ) -> Result<Value, Diagnostics> {
        // Everything else replaces the database: in place change only the Terraform-only
        // attributes (`deletion_protection`, `timeouts`) and the rotation trigger.
        let rotate = prior.token_rotation_trigger != planned.token_rotation_trigger;
        let mut next = DatabaseModel {
            deletion_protection: planned.deletion_protection,
            timeouts: planned.timeouts,
            token_rotation_trigger: planned.token_rotation_trigger,
            restore_from: planned.restore_from,
            seed_file: planned.seed_file,
            seed_file_sha256: planned.seed_file_sha256,
            ..prior
        };
        if rotate {
            let configured = self.shared.get()?;
            let (project, id) = (&next.project_id, &next.database_id);
            let rotated = call(ctx, configured.client.rotate_database_token(project, id))
                .await
                .map_err(|e| {
                    api_error(
                        &format!("rotate the token of the database {:?} ({id})", next.name),
                        &e,
                    )
                })?;
            next.database_token = Some(rotated.database_token.expose().to_string());
            if let Some(url) = rotated.database_url.filter(|u| !u.is_empty()) {
                next.database_url = Some(url);
            }
            if let Some(status) = rotated.status.filter(|s| !s.is_empty()) {
                next.status = Some(status);
            }
        }
        self.state(next)
    }

    async fn delete(&self, ctx: &mut Ctx, prior: DatabaseModel) -> Result<(), Diagnostics> {
        let DatabaseModel {
            project_id: project,
            database_id: id,
            name,
            deletion_protection,
            ..
        } = prior;
        if deletion_protection {
            return Err(Diagnostic::error(
                "Database is protected from deletion",
                format!(
                    "Terraform did not delete the database {name:?} ({id}) because its \
                     `deletion_protection` is true. To delete it and its data, set \
                     `deletion_protection = false` in its resource block, run `terraform \
                     apply` (this changes only Terraform's state), then destroy it again."
                ),
            )
            .into());
        }
        let configured = self.shared.get()?;
        match call(ctx, configured.client.delete_database(&project, &id)).await {
            // The client counts a DELETE answered 404 as done.
            Ok(()) => Ok(()),
            Err(e) => Err(api_error(
                &format!("delete the database {name:?} ({id})"),
                &e,
            )),
        }
    }

    async fn import(&self, ctx: &mut Ctx, id: &str) -> Result<Value, Diagnostics> {
        let parts = split_import_id(id, 2, IMPORT_FORM)?;
        let (project, database_id) = (&parts[0], &parts[1]);
        let configured = self.shared.get()?;
        let db = match call(ctx, configured.client.get_database(project, database_id)).await {
            Ok(db) => db,
            Err(e) if e.is_not_found() => {
                return Err(Diagnostic::error(
                    "Database not found",
                    format!(
                        "Cannot import {id:?}: the project {project} has no database \
                         {database_id} (or the project does not exist). Check both IDs; the \
                         import ID has the form {IMPORT_FORM}. The `comwit_database` data \
                         source finds a database's ID by name."
                    ),
                )
                .into())
            }
            Err(e) => return Err(api_error(&format!("import the database {id:?}"), &e)),
        };
        self.state(DatabaseModel::from(db))
    }

    fn identity(&self) -> Option<&IdentitySchema> {
        Some(&IDENTITY)
    }

    fn identity_import_id(&self, identity: &Value) -> Result<String, Diagnostics> {
        query::check_identity_ids(identity, &super::DATABASE_IDENTITY_IDS, "")?;
        query::import_id(identity, &IDENTITY_ORDER, &self.shared)
    }
}

impl DatabaseResource {
    /// Waits while a new database is `creating`; from its first sight on, a failure keeps it
    /// in the state (tainted).
    async fn wait_created(
        &self,
        ctx: &mut Ctx,
        client: &Client,
        planned: DatabaseModel,
        db: Database,
        limit: Duration,
    ) -> Result<Value, Diagnostics> {
        // From here on the database exists: a failure keeps it in the state (tainted).
        ctx.partial_state = Some(self.state(planned.with_remote(db.clone()))?);
        match database_wait::until_created(ctx, client, db, limit).await {
            Ok(ready) => self.state(planned.with_remote(ready)),
            Err(WaitError::TimedOut(last)) => {
                ctx.partial_state = Some(self.state(planned.with_remote(last.clone()))?);
                Err(not_ready(&last, limit).into())
            }
            Err(WaitError::Stopped(last)) => {
                ctx.partial_state = Some(self.state(planned.with_remote(last.clone()))?);
                Err(Diagnostic::error(
                    "Operation cancelled",
                    format!(
                        "Stopped while the new database {:?} ({}) was still `creating`. It \
                         exists and is kept in the state, marked tainted: run `terraform \
                         untaint` on it to keep it, or apply again to replace it.",
                        last.name, last.database_id
                    ),
                )
                .into())
            }
            Err(WaitError::Api(e)) if e.is_not_found() => {
                // Deleted while provisioning: nothing to keep.
                ctx.partial_state = None;
                Err(api_error(
                    &format!("wait for the new database {:?} to be created", planned.name),
                    &e,
                ))
            }
            Err(WaitError::Api(e)) => Err(api_error(
                &format!("wait for the new database {:?} to be created", planned.name),
                &e,
            )),
        }
    }
}

/// A new one-time token for a database whose create (or restore) answer had none. A platform
/// that refuses leaves the token null, as after an import.
async fn rotated_token(
    ctx: &Ctx,
    client: &Client,
    project: &str,
    database_id: &str,
) -> Option<String> {
    match call(ctx, client.rotate_database_token(project, database_id)).await {
        Ok(rotated) => Some(rotated.database_token.expose().to_string()),
        Err(e) => {
            tracing::warn!(
                status = e.status(),
                "the database's one-time token was not in the answer and could not be rotated"
            );
            None
        }
    }
}

/// The plan-time refusal to replace a protected database.
fn protected_replacement(prior: &DatabaseModel, paths: &[AttributePath]) -> Diagnostic {
    let DatabaseModel {
        name,
        database_id: id,
        ..
    } = prior;
    let changed = paths
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(" and ");
    let mut d = Diagnostic::error(
        "Replacing a protected database",
        format!(
            "Changing {changed} replaces the database {name:?} ({id}): Terraform would delete it, \
             with its data, and create a new one. Its `deletion_protection` is true, so this \
             plan is refused. To go ahead, first set `deletion_protection = false` and apply \
             without the other change, then make the change."
        ),
    );
    if let Some(first) = paths.first() {
        d = d.with_attribute(first.clone());
    }
    d
}

/// The create timed out while the database was still `creating`.
fn not_ready(last: &Database, limit: Duration) -> Diagnostic {
    Diagnostic::error(
        "Database not created in time",
        format!(
            "The database {:?} ({}) was created, but its status was still {:?} after {} \
             (`timeouts.create`). Terraform keeps it in the state, marked tainted, so it is \
             not forgotten. If it leaves `creating` later, keep it with `terraform untaint`; \
             otherwise the next apply replaces it (which needs `deletion_protection = false`). \
             To wait longer, raise `create` in the resource's `timeouts` block.",
            last.name,
            last.database_id,
            last.status,
            database_wait::describe(limit)
        ),
    )
}

/// The 409 of a create: the project already has a database of that name. Finds it for the
/// import command (by listing, else from the error's details).
async fn taken(
    ctx: &Ctx,
    client: &Client,
    project: &str,
    name: &str,
    err: &ApiError,
) -> Diagnostic {
    let holder = holder_of(ctx, client.live_databases(project), name, err).await;
    let place = format!("in the project {project}");
    let import_id = |id: &str| format!("{project}/{id}");
    name_taken(
        TYPE_NAME,
        "database",
        name,
        &place,
        holder.as_deref(),
        import_id,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::provider::common::set_attr as set;
    use crate::provider::Shared;
    use crate::tfplugin::resource::Resource;

    fn prior(protection: bool) -> Value {
        let model = DatabaseModel {
            database_id: "db_1".into(),
            project_id: "prj_1".into(),
            name: "main".into(),
            deletion_protection: protection,
            database_url: None,
            status: None,
            database_token: None,
            token_rotation_trigger: None,
            restore_from: None,
            seed_file: None,
            seed_file_sha256: None,
            timeouts: None,
        };
        model::value_of(&model, &schema()).unwrap()
    }

    fn plan(prior: Value, config: Value, planned: Value, replace: &[&str]) -> PlanRequest {
        PlanRequest {
            prior_state: prior,
            config,
            planned_state: planned,
            requires_replace: replace.iter().map(|p| AttributePath::new(*p)).collect(),
        }
    }

    async fn modify(p: &mut PlanRequest) -> Diagnostics {
        let shared = Shared::default();
        let r = DatabaseResource::new(shared);
        let (_tx, stop) = crate::tfplugin::resource::StopSignal::new();
        let mut ctx = Ctx::new(stop, Default::default(), Vec::new());
        Resource::modify_plan(&r, &mut ctx, p).await
    }

    #[tokio::test]
    async fn protected_database_refuses_a_replacement_at_plan_time() {
        let mut config = schema().null_object();
        set(&mut config, "project_id", Value::string("prj_1"));
        set(&mut config, "name", Value::string("other"));
        let mut planned = prior(true);
        set(&mut planned, "name", Value::string("other"));
        let mut p = plan(prior(true), config.clone(), planned.clone(), &["name"]);
        let d = modify(&mut p).await;
        assert!(d.has_errors());
        let e = d.iter().next().unwrap();
        assert_eq!(e.attribute, Some(AttributePath::new("name")));
        assert!(
            e.detail.contains("deletion_protection = false"),
            "{}",
            e.detail
        );

        let mut p = plan(prior(false), config, planned, &["name"]);
        assert!(modify(&mut p).await.is_empty());
        assert_eq!(p.requires_replace, [AttributePath::new("name")]);
    }

    #[tokio::test]
    async fn same_project_is_no_replacement() {
        let mut config = schema().null_object();
        set(&mut config, "project_id", Value::string("prj_1"));
        set(&mut config, "name", Value::string("main"));
        let mut planned = prior(true);
        set(&mut planned, "project_id", Value::Unknown);
        let mut p = plan(prior(true), config, planned, &["project_id"]);
        assert!(modify(&mut p).await.is_empty());
        assert!(p.requires_replace.is_empty());
        assert_eq!(
            p.planned_state.get("project_id"),
            Some(&Value::string("prj_1"))
        );
    }

    #[tokio::test]
    async fn another_project_is_a_replacement() {
        let mut config = schema().null_object();
        set(&mut config, "project_id", Value::string("prj_2"));
        let mut p = plan(prior(false), config, prior(false), &[]);
        assert!(modify(&mut p).await.is_empty());
        assert_eq!(p.requires_replace, [AttributePath::new("project_id")]);
    }

    #[tokio::test]
    async fn protected_delete_deletes_nothing() {
        // No provider configuration: reaching the API would fail with a different error.
        let r = DatabaseResource::new(Shared::default());
        let (_tx, stop) = crate::tfplugin::resource::StopSignal::new();
        let mut ctx = Ctx::new(stop, Default::default(), Vec::new());
        let d = Resource::delete(&r, &mut ctx, &prior(true))
            .await
            .unwrap_err();
        assert!(d.to_string().contains("deletion_protection = false"), "{d}");
        let d = Resource::delete(&r, &mut ctx, &prior(false))
            .await
            .unwrap_err();
        assert!(d.to_string().contains("not configured"), "{d}");
    }

    #[tokio::test]
    async fn protection_changes_only_the_state() {
        let r = DatabaseResource::new(Shared::default());
        let (_tx, stop) = crate::tfplugin::resource::StopSignal::new();
        let mut ctx = Ctx::new(stop, Default::default(), Vec::new());
        let got = Resource::update(&r, &mut ctx, &prior(true), &prior(false), &Value::Null)
            .await
            .unwrap();
        assert_eq!(got, prior(false));
    }

    #[tokio::test]
    async fn identities_are_checked_before_any_call() {
        // No provider configuration: an identity that got as far as the API would fail with
        // "Provider not configured".
        let r = DatabaseResource::new(Shared::default());
        let (_tx, stop) = crate::tfplugin::resource::StopSignal::new();
        let mut ctx = Ctx::new(stop, Default::default(), Vec::new());
        let identity = |project: Value, database: Value| {
            Value::object([("project_id", project), ("database_id", database)])
        };
        let mut import = async |identity: Value| {
            let d = Resource::import_identity(&r, &mut ctx, &identity).await;
            d.unwrap_err().to_string()
        };
        let db = Value::string("db_0123456789abcdef");
        let prj = Value::string("prj_0123456789abcdef");
        let err = import(identity(Value::Null, db.clone())).await;
        assert!(err.contains("Missing project_id"), "{err}");
        let err = import(identity(prj.clone(), Value::Null)).await;
        assert!(err.contains("must set `database_id`"), "{err}");
        let err = import(identity(prj.clone(), Value::string("or ders"))).await;
        assert!(err.contains("Invalid database_id in the identity"), "{err}");
        // A well-formed identity is the import ID `<project_id>/<database_id>`.
        let err = import(identity(prj, db)).await;
        assert!(err.contains("not configured"), "{err}");
    }

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<DatabaseModel>(&schema());
    }
}
