//! `comwit_storage` data source: a storage bucket of a project, by ID or by name.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::storage::StorageModel;
use crate::provider::common::{api_error, call, found, lookup_project, lookup_project_attribute};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, DataSource};
use crate::tfplugin::schema::{Attribute, Block, Schema};

provider_type!(StorageDataSource, "comwit_storage");

fn schema() -> Schema {
    let mut attributes = vec![
        lookup_project_attribute(),
        Attribute::string("name")
            .optional()
            .computed()
            .description("The storage's name (its bucket). Set this or `storage_id`."),
        Attribute::bool("public")
            .computed()
            .description("Whether the bucket's default public domain serves its objects."),
    ];
    // `storage_id` is an argument here: the computed one of the resource is replaced.
    attributes.extend(
        super::storage::computed_attributes()
            .into_iter()
            .filter(|a| a.name != "storage_id"),
    );
    attributes.insert(
        1,
        Attribute::string("storage_id")
            .optional()
            .computed()
            .validator(crate::provider::common::id_validator("storage", "stg"))
            .description("The storage's ID. Set this or `name`."),
    );
    Schema::new(Block::from_attributes(attributes).description(
        "Reads a storage bucket of a project by `storage_id` or by `name`: its S3 `endpoint`, \
         `bucket` and `region`, and its `public_base_url` while public access is on.\n\n\
         **Token scopes:** not named by the platform (comwit-local asks for `project:read`).",
    ))
}

/// The data source's configuration and result: the storage as the resource holds it, without
/// the resource's own arguments.
#[derive(Serialize, Deserialize)]
struct StorageData {
    #[serde(default)]
    project_id: String,
    #[serde(default)]
    storage_id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    public: bool,
    bucket: Option<String>,
    storage_provider: Option<String>,
    endpoint: Option<String>,
    region: Option<String>,
    default_domain: Option<String>,
    status: Option<String>,
    public_access: Option<String>,
    public_domain_status: Option<String>,
    public_tls_status: Option<String>,
    public_base_url: Option<String>,
    last_error: Option<String>,
}

impl From<StorageModel> for StorageData {
    fn from(m: StorageModel) -> Self {
        StorageData {
            project_id: m.project_id,
            storage_id: Some(m.storage_id),
            name: Some(m.name),
            public: m.public,
            bucket: m.bucket,
            storage_provider: m.storage_provider,
            endpoint: m.endpoint,
            region: m.region,
            default_domain: m.default_domain,
            status: m.status,
            public_access: m.public_access,
            public_domain_status: m.public_domain_status,
            public_tls_status: m.public_tls_status,
            public_base_url: m.public_base_url,
            last_error: m.last_error,
        }
    }
}

/// Neither or both of `storage_id` and `name` are set.
fn one_key_needed() -> Diagnostics {
    Diagnostic::error(
        "Storage lookup needs one key",
        "Set exactly one of `storage_id` and `name` to say which storage to read.",
    )
    .into()
}

#[async_trait]
impl DataSource for StorageDataSource {
    type_metadata!();

    async fn validate(&self, config: &Value) -> Diagnostics {
        let set = |n: &str| config.get(n).is_some_and(|v| !v.is_null());
        let unknown = |n: &str| config.get(n).is_some_and(Value::is_unknown);
        if unknown("storage_id") || unknown("name") || set("storage_id") != set("name") {
            return Diagnostics::new();
        }
        one_key_needed()
    }

    async fn read(&self, ctx: &mut Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let project = lookup_project(config, &self.shared)?;
        let wanted: StorageData = model::get(config)?;
        let configured = self.shared.get()?;
        let client = &configured.client;
        let (key, s) = match (&wanted.storage_id, &wanted.name) {
            (Some(id), _) => {
                let what = format!("read the storage {id}");
                let s = found(call(ctx, client.get_storage(&project, id)).await, &what)?
                    .filter(|s| !s.is_deleted());
                (id.clone(), s)
            }
            (None, Some(name)) => {
                let s = call(ctx, client.storage_named(&project, name))
                    .await
                    .map_err(|e| api_error(&format!("read the storage {name:?}"), &e))?;
                (name.clone(), s)
            }
            // Validation skips values unknown then; known now, neither may be set.
            (None, None) => return Err(one_key_needed()),
        };
        let Some(s) = s else {
            return Err(Diagnostic::error(
                "Storage not found",
                format!(
                    "The project {project} has no storage {key:?}. Create storages with the \
                     `comwit_storage` resource; `comwit storage list` shows a project's."
                ),
            )
            .into());
        };
        let mut m = StorageModel::from(s);
        if m.project_id.is_empty() {
            m.project_id = project;
        }
        model::value_of(&StorageData::from(m), &self.schema)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<StorageData>(&schema());
    }
}
