//! `comwit_domain` data source: a domain onboarded in a project, with its name servers.

use async_trait::async_trait;

use crate::provider::common::{api_error, call, id_validator, plan_project_id, required_str};
use crate::provider::Shared;
use crate::tfplugin::cty::{Type, Value};
use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::resource::{Ctx, DataSource};
use crate::tfplugin::schema::{Attribute, Block, Schema};

use super::domain::domain_state;
use super::hostname_validator;
use super::names::MAX_FQDN;

pub struct DomainDataSource {
    shared: Shared,
    schema: Schema,
}

impl DomainDataSource {
    pub fn new(shared: Shared) -> Self {
        DomainDataSource {
            shared,
            schema: schema(),
        }
    }
}

fn schema() -> Schema {
    Schema::new(
        Block::from_attributes(vec![
            Attribute::string("project_id")
                .validator(id_validator("project", "prj"))
                .optional()
                .computed()
                .description("The project to look in. Defaults to the provider's `project_id`."),
            Attribute::string("domain")
                .required()
                .validator(hostname_validator("domain", MAX_FQDN))
                .description("The onboarded domain, such as `example.com`."),
            Attribute::list("name_servers", Type::String)
                .computed()
                .description("The name servers to set at the domain's registrar."),
            Attribute::string("status")
                .computed()
                .description("`pending_delegation` or `active`."),
            Attribute::string("created_at")
                .computed()
                .description("When the domain was onboarded (RFC 3339, UTC)."),
        ])
        .description(
            "Reads a domain onboarded in a project: its `name_servers` (to set at the \
             registrar) and whether the delegation is seen yet (`status`).\n\n\
             **Token scopes:** `domain:read`.",
        ),
    )
}

#[async_trait]
impl DataSource for DomainDataSource {
    fn type_name(&self) -> &str {
        "comwit_domain"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn read(&self, ctx: &mut Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let project = plan_project_id(config, &self.shared)?;
        let project = project.as_str().unwrap_or_default().to_string();
        let domain = required_str(config, "domain")?;
        let configured = self.shared.get()?;
        match call(ctx, configured.client.get_domain(&project, &domain)).await {
            Ok(d) => Ok(domain_state(&d)),
            Err(e) if e.is_not_found() => Err(Diagnostic::error(
                "Domain not found",
                format!(
                    "The project {project} has no domain {domain} (or the project does not \
                     exist). Check `domain` and `project_id`; onboard domains with the \
                     `comwit_domain` resource."
                ),
            )
            .into()),
            Err(e) => Err(api_error(&format!("read the domain {domain}"), &e)),
        }
    }
}
