//! `comwit_domain` data source: a domain onboarded in a project, with its name servers.

use async_trait::async_trait;

use crate::provider::common::{lookup_project, lookup_project_attribute};
use crate::tfplugin::cty::{Type, Value};
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, DataSource};
use crate::tfplugin::schema::{Attribute, Block, Schema};

use super::domain::DomainModel;
use super::{domain_argument, domain_not_found, found};

provider_type!(DomainDataSource, "comwit_domain");

fn schema() -> Schema {
    Schema::new(
        Block::from_attributes(vec![
            lookup_project_attribute(),
            domain_argument().description("The onboarded domain, such as `example.com`."),
            Attribute::list("name_servers", Type::String)
                .computed()
                .description("The name servers to set at the domain's registrar."),
            Attribute::string("status")
                .computed()
                .description("`pending_delegation` or `active`."),
            Attribute::string("created_at")
                .computed()
                .description("When the domain was onboarded (RFC 3339, UTC)."),
            super::domain::delegation_attribute(),
        ])
        .description(
            "Reads a domain onboarded in a project: its `name_servers` (to set at the \
             registrar) and whether the delegation is seen yet (`status`).\n\n\
             **Token scopes:** `domain:read`.",
        ),
    )
}

/// The data source's configuration and result: the domain as the resource holds it, without
/// the resource's own arguments (`wait_for_delegation`, `timeouts`).
#[derive(serde::Serialize, serde::Deserialize)]
struct DomainData {
    #[serde(default)]
    project_id: String,
    domain: String,
    #[serde(default)]
    name_servers: Vec<String>,
    #[serde(default)]
    status: String,
    #[serde(default)]
    created_at: String,
    #[serde(default)]
    delegation: Option<super::domain::DelegationModel>,
}

impl From<DomainModel> for DomainData {
    fn from(m: DomainModel) -> Self {
        DomainData {
            project_id: m.project_id,
            domain: m.domain,
            name_servers: m.name_servers,
            status: m.status,
            created_at: m.created_at,
            delegation: m.delegation,
        }
    }
}

#[async_trait]
impl DataSource for DomainDataSource {
    type_metadata!();

    async fn read(&self, ctx: &mut Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let project = lookup_project(config, &self.shared)?;
        let DomainData { domain, .. } = model::get(config)?;
        let configured = self.shared.get()?;
        let request = configured.client.get_domain(&project, &domain);
        let d = found(ctx, request, &format!("read the domain {domain}"), || {
            domain_not_found(
                &project,
                &domain,
                "; onboard domains with the `comwit_domain` resource",
            )
        })
        .await?;
        model::value_of(&DomainData::from(DomainModel::from(d)), &self.schema)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<DomainData>(&schema());
    }
}
