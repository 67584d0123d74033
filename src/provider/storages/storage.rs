//! `comwit_storage`: an R2-backed storage bucket of a project, with its S3 endpoint and its
//! optional public base URL.

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::api::storages::{Storage, StorageCreate};
use crate::api::{ApiError, Client};
use crate::provider::common::{
    api_error, api_error_at, call, found, found_soon, plan_project, project_id_attribute,
    split_import_id, timeouts_block, CreateTimeouts, ModelResource,
};
use crate::provider::query;
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::resource::{Ctx, IdentityAttribute, IdentitySchema, PlanRequest};
use crate::tfplugin::schema::{Attribute, Block, Schema};

provider_type!(StorageResource, "comwit_storage");

const IMPORT_FORM: &str = "<project_id>/<storage_id>";
const IDENTITY_ORDER: [&str; 2] = ["project_id", "storage_id"];
const IDENTITY_IDS: [(&str, &str, &str); 2] = [
    ("project_id", "a project", "prj"),
    ("storage_id", "a storage", "stg"),
];
static IDENTITY: LazyLock<IdentitySchema> = LazyLock::new(|| {
    IdentitySchema::new(vec![
        query::project_identity(),
        IdentityAttribute::required("storage_id", "The storage's ID, as the platform gives it."),
    ])
});

/// Statuses during which a new storage is not usable yet (the public material shows only
/// `ready`; a platform that answers one of these is waited for, any other status is taken as
/// it comes).
const SETTLING: [&str; 4] = ["creating", "provisioning", "pending", "queued"];
/// Statuses of a storage the platform could not make.
const FAILED: [&str; 2] = ["failed", "error"];

/// The computed attributes, as every storage answer has them (the resource's, the data
/// source's and the list's).
pub(super) fn computed_attributes() -> Vec<Attribute> {
    let stable = |name: &str, description: &str| {
        Attribute::string(name)
            .computed()
            .use_state_for_unknown()
            .description(description)
    };
    let changing =
        |name: &str, description: &str| Attribute::string(name).computed().description(description);
    vec![
        stable("storage_id", "The storage's ID, as the platform gives it."),
        stable(
            "bucket",
            "The bucket's name at the S3 endpoint (the storage's `name`).",
        ),
        // `provider` is a meta-argument of every resource block: the platform's `provider`.
        stable(
            "storage_provider",
            "Where the bucket lives, the platform's `provider` of the storage: `r2`.",
        ),
        stable(
            "endpoint",
            "The S3 endpoint of the bucket: give it to an S3 client as its endpoint URL, with \
             `region`. The credentials an S3 client signs with are not part of the platform's \
             public API: take them from the Comwit console (comwit-local documents its own).",
        ),
        stable("region", "The S3 region to sign with: `auto`."),
        changing(
            "default_domain",
            "The bucket's default domain, as the platform reports it.",
        ),
        changing(
            "status",
            "`ready` once the bucket can be used; the other values are not public.",
        ),
        changing(
            "public_access",
            "`enabled` while the bucket's default public domain serves its objects, else \
             `disabled`.",
        ),
        changing(
            "public_domain_status",
            "The state of the public domain, as the platform reports it.",
        ),
        changing(
            "public_tls_status",
            "The state of the public domain's TLS certificate, as the platform reports it.",
        ),
        changing(
            "public_base_url",
            "While `public` is true: the URL under which each object is served without \
             credentials (`<public_base_url>/<key>`); null otherwise.",
        ),
        changing(
            "last_error",
            "The platform's last error for the bucket, if it reports one.",
        ),
    ]
}

pub(super) fn schema() -> Schema {
    let description = "\
A storage bucket of a project (R2-backed), through `/v1/projects/{project_id}/storages`: \
`name` becomes the bucket at `endpoint`. `public = true` turns on the bucket's default \
public domain, so that every object is served without credentials under \
`public_base_url`; switching it is done in place (`public-access`). Destroying the storage \
deletes the bucket.

Bucket names are unique on the whole platform: a name another project holds is refused at \
apply, with the platform's answer. S3 clients need credentials that the platform's public \
API does not give: the provider exposes the endpoint, bucket and region and leaves the \
credentials to the console (or, against comwit-local, to its documented local credentials).

**Import:** `terraform import comwit_storage.<name> <project_id>/<storage_id>` (the storage's \
name is accepted in place of its ID), or an `import` block with that `id` or, on Terraform \
1.12 and later, `identity = { storage_id = \"...\" }` (`project_id` defaults to the \
provider's). On Terraform 1.14 and later, `terraform query` with a `comwit_storage` list \
block finds a project's storages and writes their `import` and `resource` blocks. \
`location_hint` is not read back by the platform: after an import it is null, and setting it \
then changes nothing on the platform.

**Token scopes:** the platform does not name the scopes of the storage routes (comwit-local \
asks for `project:read`).";
    let mut attributes = vec![
        project_id_attribute("storage"),
        Attribute::string("name")
            .required()
            .requires_replace()
            .validator(super::bucket_name_validator())
            .description(
                "The storage's name, which becomes its bucket: unique on the whole platform. \
                 Changing it replaces the storage (and deletes the old bucket with its objects).",
            ),
        Attribute::bool("public")
            .optional()
            .computed()
            .default(Value::Bool(false))
            .description(
                "Whether the bucket's default public domain serves its objects to anyone \
                 (default false). Changed in place.",
            ),
        Attribute::string("location_hint")
            .optional()
            // Not read back: set after an import, it is recorded, not a replacement.
            .requires_replace_if(|prior, planned| !prior.is_null() && prior != planned)
            .description(
                "Where the platform should place the bucket, such as `apac` (R2's placement \
                 hint); the platform's default when unset. Changing it replaces the storage.",
            ),
    ];
    attributes.extend(computed_attributes());
    Schema::new(
        Block::from_attributes(attributes)
            .with_block(timeouts_block(
                &["create"],
                "default 5m; the time to resolve a create whose answer was lost, and to wait \
                 for a bucket the platform is still making",
            ))
            .description(description),
    )
}

/// A storage's configuration and state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StorageModel {
    #[serde(default)]
    pub project_id: String,
    pub name: String,
    #[serde(default)]
    pub public: bool,
    #[serde(default)]
    pub location_hint: Option<String>,
    #[serde(default)]
    pub storage_id: String,
    #[serde(default)]
    pub bucket: Option<String>,
    #[serde(default)]
    pub storage_provider: Option<String>,
    #[serde(default)]
    pub endpoint: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub default_domain: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub public_access: Option<String>,
    #[serde(default)]
    pub public_domain_status: Option<String>,
    #[serde(default)]
    pub public_tls_status: Option<String>,
    #[serde(default)]
    pub public_base_url: Option<String>,
    #[serde(default)]
    pub last_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeouts: Option<CreateTimeouts>,
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

impl From<Storage> for StorageModel {
    fn from(s: Storage) -> Self {
        let public = s.is_public();
        StorageModel {
            project_id: s.project_id,
            name: if s.name.is_empty() {
                s.bucket.clone()
            } else {
                s.name
            },
            public,
            location_hint: None,
            storage_id: s.storage_id,
            bucket: non_empty(Some(s.bucket)),
            storage_provider: non_empty(s.provider),
            endpoint: non_empty(s.endpoint),
            region: non_empty(s.region),
            default_domain: non_empty(s.default_domain),
            status: non_empty(Some(s.status)),
            public_access: non_empty(s.public_access),
            public_domain_status: non_empty(s.public_domain_status),
            public_tls_status: non_empty(s.public_tls_status),
            public_base_url: non_empty(s.public_base_url),
            last_error: non_empty(s.last_error),
            timeouts: None,
        }
    }
}

impl StorageModel {
    /// The platform's storage, with what only the configuration knows kept.
    fn with_remote(&self, s: Storage) -> StorageModel {
        let project_id = if s.project_id.is_empty() {
            self.project_id.clone()
        } else {
            s.project_id.clone()
        };
        StorageModel {
            project_id,
            location_hint: self.location_hint.clone(),
            timeouts: self.timeouts.clone(),
            ..StorageModel::from(s)
        }
    }
}

impl StorageResource {
    /// Creates the storage once: the name is checked free in the project first, so a storage
    /// of that name listed after a create that failed or lost its answer is this create's.
    async fn make(
        &self,
        ctx: &Ctx,
        client: &Client,
        planned: &StorageModel,
        limit: Duration,
    ) -> Result<Storage, Diagnostics> {
        let (project, name) = (planned.project_id.as_str(), planned.name.as_str());
        let what = format!("create the storage {name:?}");
        if let Some(existing) = call(ctx, client.storage_named(project, name))
            .await
            .map_err(|e| api_error(&what, &e))?
        {
            return Err(Diagnostic::error(
                "Storage name taken",
                format!(
                    "Could not {what}: the project {project} already has the storage \
                     {name:?} ({}). To manage it with Terraform, import it:\n\n  terraform \
                     import comwit_storage.<name> {project}/{}\n\nor choose another `name`.",
                    existing.storage_id, existing.storage_id
                ),
            )
            .with_attribute(AttributePath::new("name"))
            .into());
        }
        let body = StorageCreate {
            name,
            public: planned.public,
            location_hint: planned.location_hint.as_deref(),
        };
        let started = Instant::now();
        loop {
            let e = match call(ctx, client.create_storage(project, &body)).await {
                Ok(s) => return Ok(s),
                Err(e @ ApiError::Cancelled) => return Err(api_error(&what, &e)),
                Err(e) if e.is_conflict() || e.status().is_none_or(|s| s >= 500) => e,
                Err(e) => return Err(api_error_at(&what, &e, &[("name", "name")])),
            };
            // The name was free in this project: a storage of that name listed now is this
            // create's (its answer was lost, or a resend was refused as a duplicate).
            if let Some(s) =
                found_soon(ctx, || call(ctx, client.storage_named(project, name))).await
            {
                tracing::debug!(storage_id = %s.storage_id, "a create that failed had made its storage: adopted");
                return Ok(s);
            }
            if e.is_conflict() {
                return Err(name_taken_elsewhere(name, &e));
            }
            if started.elapsed() + Duration::from_secs(1) > limit {
                return Err(api_error_at(&what, &e, &[("name", "name")]));
            }
            tracing::debug!(error = %e, "a storage create failed before it made the bucket: again");
        }
    }

    /// Waits while the platform says the bucket is still being made.
    async fn settled(
        &self,
        ctx: &Ctx,
        client: &Client,
        mut s: Storage,
        started: Instant,
        limit: Duration,
    ) -> Result<Storage, Diagnostics> {
        let mut attempt = 0u32;
        loop {
            let status = s.status.to_ascii_lowercase();
            if FAILED.contains(&status.as_str()) {
                return Err(Diagnostic::error(
                    "Storage failed",
                    format!(
                        "The platform could not make the storage {:?} ({}): status {}{}. The \
                         storage is recorded as tainted: the next apply deletes it and tries \
                         again; if it fails again, check the name and `location_hint`.",
                        s.name,
                        s.storage_id,
                        s.status,
                        s.error().map(|e| format!(", {e}")).unwrap_or_default()
                    ),
                )
                .into());
            }
            if !SETTLING.contains(&status.as_str()) {
                return Ok(s);
            }
            if started.elapsed() >= limit {
                return Err(Diagnostic::error(
                    "Storage not ready in time",
                    format!(
                        "The storage {:?} ({}) was still {} after {}s. It is recorded as \
                         tainted; raise `timeouts.create`, or run apply again later.",
                        s.name,
                        s.storage_id,
                        s.status,
                        limit.as_secs()
                    ),
                )
                .into());
            }
            let delay = Duration::from_millis((250u64 << attempt.min(5)).min(5_000));
            if !ctx.stop.sleep(delay).await {
                return Err(api_error("wait for the storage", &ApiError::Cancelled));
            }
            attempt += 1;
            // Its own GET: the list cache would answer the same state again.
            s = call(ctx, client.get_storage(&s.project_id, &s.storage_id))
                .await
                .map_err(|e| api_error(&format!("read the storage {:?}", s.name), &e))?;
        }
    }

    async fn set_public(
        &self,
        ctx: &Ctx,
        client: &Client,
        (project_id, storage_id, name): (&str, &str, &str),
        public: bool,
    ) -> Result<Storage, Diagnostics> {
        call(
            ctx,
            client.set_storage_public(project_id, storage_id, public),
        )
        .await
        .map_err(|e| {
            api_error_at(
                &format!(
                    "turn public access {} for the storage {:?}",
                    if public { "on" } else { "off" },
                    name
                ),
                &e,
                &[("enabled", "public")],
            )
        })
    }
}

/// A 409 for a name no storage of this project holds: another project has it.
fn name_taken_elsewhere(name: &str, e: &ApiError) -> Diagnostics {
    Diagnostic::error(
        "Storage name taken",
        format!(
            "Could not create the storage {name:?}: the platform refused the name ({}). Bucket \
             names are unique on the whole platform and this project has no storage of that \
             name, so another project holds it: choose another `name`.",
            e.as_status()
                .map_or_else(|| e.to_string(), |s| s.message.clone())
        ),
    )
    .with_attribute(AttributePath::new("name"))
    .into()
}

#[async_trait]
impl ModelResource for StorageResource {
    type Model = StorageModel;
    type_metadata!();

    async fn modify_plan(&self, _ctx: &mut Ctx, plan: &mut PlanRequest) -> Diagnostics {
        plan_project(plan, &self.shared).err().unwrap_or_default()
    }

    async fn create(&self, ctx: &mut Ctx, planned: StorageModel) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let client = &configured.client;
        let limit = CreateTimeouts::create(&planned.timeouts, Duration::from_secs(300));
        let started = Instant::now();
        let made = self.make(ctx, client, &planned, limit).await?;
        // From here on the bucket exists: a failure keeps it in the state (tainted).
        ctx.partial_state = Some(self.state(planned.with_remote(made.clone()))?);
        let mut s = self.settled(ctx, client, made, started, limit).await?;
        // The create's `public` is honoured, also by a platform that answered without it.
        if s.is_public() != planned.public {
            let key = (
                s.project_id.as_str(),
                s.storage_id.as_str(),
                s.name.as_str(),
            );
            s = self.set_public(ctx, client, key, planned.public).await?;
        }
        self.state(planned.with_remote(s))
    }

    async fn read(&self, ctx: &mut Ctx, known: StorageModel) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let read = call(
            ctx,
            configured
                .client
                .read_storage(&known.project_id, &known.storage_id),
        )
        .await;
        match found(read, &format!("read the storage {:?}", known.name))? {
            Some(s) => self.state(known.with_remote(s)),
            None => Ok(Value::Null),
        }
    }

    async fn update(
        &self,
        ctx: &mut Ctx,
        prior: StorageModel,
        planned: StorageModel,
    ) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let client = &configured.client;
        let s = if prior.public != planned.public {
            let key = (
                prior.project_id.as_str(),
                prior.storage_id.as_str(),
                prior.name.as_str(),
            );
            self.set_public(ctx, client, key, planned.public).await?
        } else {
            call(
                ctx,
                client.get_storage(&prior.project_id, &prior.storage_id),
            )
            .await
            .map_err(|e| api_error(&format!("read the storage {:?}", prior.name), &e))?
        };
        self.state(planned.with_remote(s))
    }

    async fn delete(&self, ctx: &mut Ctx, prior: StorageModel) -> Result<(), Diagnostics> {
        let configured = self.shared.get()?;
        let what = format!("delete the storage {:?}", prior.name);
        match call(
            ctx,
            configured
                .client
                .delete_storage(&prior.project_id, &prior.storage_id),
        )
        .await
        {
            Ok(()) => Ok(()),
            Err(e) if e.is_conflict() => Err(Diagnostic::error(
                "Storage not deleted",
                format!(
                    "Could not {what}: the platform refused ({}). If the bucket still holds \
                     objects, delete them with an S3 client first, then run destroy again.",
                    e.as_status()
                        .map_or_else(|| e.to_string(), |s| s.message.clone())
                ),
            )
            .into()),
            Err(e) => Err(api_error(&what, &e)),
        }
    }

    async fn import(&self, ctx: &mut Ctx, id: &str) -> Result<Value, Diagnostics> {
        let parts = split_import_id(id, 2, IMPORT_FORM)?;
        let (project, key) = (&parts[0], &parts[1]);
        let configured = self.shared.get()?;
        let client = &configured.client;
        let what = format!("import the storage {key}");
        let by_id = found(call(ctx, client.get_storage(project, key)).await, &what)?;
        let s = match by_id.filter(|s| !s.is_deleted()) {
            Some(s) => Some(s),
            // The storage's name (its bucket) in place of its ID.
            None => call(ctx, client.storage_named(project, key))
                .await
                .map_err(|e| api_error(&what, &e))?,
        };
        let Some(s) = s else {
            return Err(Diagnostic::error(
                "Storage not found",
                format!(
                    "Cannot import {id:?}: the project {project} has no storage with the ID or \
                     name {key:?} (or the project does not exist). The import ID has the form \
                     {IMPORT_FORM}; `comwit storage list` or the `comwit_storage` data source \
                     shows the IDs."
                ),
            )
            .into());
        };
        self.state(StorageModel::from(s))
    }

    fn identity(&self) -> Option<&IdentitySchema> {
        Some(&IDENTITY)
    }

    fn identity_import_id(&self, identity: &Value) -> Result<String, Diagnostics> {
        query::check_identity_ids(identity, &IDENTITY_IDS, "")?;
        query::import_id(identity, &IDENTITY_ORDER, &self.shared)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tfplugin::plan;

    #[test]
    fn the_model_matches_the_schema() {
        crate::tfplugin::model::shape::check::<StorageModel>(&schema());
    }

    #[test]
    fn a_bucket_name_that_cannot_be_one_is_refused_at_plan() {
        let config = |name: &str| {
            Value::object([
                ("name", Value::string(name)),
                ("project_id", Value::Null),
                ("public", Value::Null),
                ("location_hint", Value::Null),
                ("timeouts", Value::Null),
            ])
        };
        let d = plan::validate_config(&schema(), &config("My_Assets"));
        assert!(d.has_errors(), "{d}");
        assert!(d.to_string().contains("bucket name"), "{d}");
        assert!(!plan::validate_config(&schema(), &config("my-assets")).has_errors());
    }

    #[test]
    fn a_storage_answer_becomes_the_state_with_the_configurations_own_arguments() {
        let s: Storage = serde_json::from_value(serde_json::json!({
            "storage_id": "stg_1", "name": "assets", "bucket": "assets", "provider": "r2",
            "status": "ready", "endpoint": "https://e.example", "region": "auto",
            "public_access": "disabled", "public_base_url": ""
        }))
        .unwrap();
        let planned = StorageModel {
            project_id: "p1".into(),
            location_hint: Some("apac".into()),
            ..StorageModel::from(Storage::default())
        };
        let m = planned.with_remote(s);
        assert_eq!(m.project_id, "p1");
        assert_eq!(m.location_hint.as_deref(), Some("apac"));
        assert!(!m.public);
        assert_eq!(m.public_base_url, None);
        assert_eq!(m.bucket.as_deref(), Some("assets"));
    }
}
