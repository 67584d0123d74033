//! `comwit_app_hostname` data source: a hostname attached to an app, with its status and the
//! records it needs.

use async_trait::async_trait;

use crate::provider::common::{api_error, call, id_validator, plan_project_id, required_str};
use crate::provider::Shared;
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::resource::{Ctx, DataSource};
use crate::tfplugin::schema::{Attribute, Block, Schema};

use super::hostname::data_source_state;
use super::hostname_records::dns_records_attribute;
use super::names::MAX_APP_HOSTNAME;
use super::{hostname_validator, set};

pub struct HostnameDataSource {
    shared: Shared,
    schema: Schema,
}

impl HostnameDataSource {
    pub fn new(shared: Shared) -> Self {
        HostnameDataSource {
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
                .description("The project of the app. Defaults to the provider's `project_id`."),
            Attribute::string("app_id")
                .validator(id_validator("app", "app"))
                .required()
                .description("The app the hostname is attached to."),
            Attribute::string("hostname")
                .required()
                .validator(hostname_validator("hostname", MAX_APP_HOSTNAME))
                .description("The hostname, such as `www.example.com`."),
            Attribute::string("dns_mode")
                .computed()
                .description("`manual` or `automatic`."),
            Attribute::string("domain").computed().description(
                "The project domain whose zone holds the records (Automatic DNS), else null.",
            ),
            Attribute::string("status")
                .computed()
                .description("`pending` until the records are found published, then `active`."),
            dns_records_attribute(
                "The records the hostname needs, by purpose (`routing`, `ownership`), each with \
                 `type`, `name`, `value` and `ttl`.",
            ),
            Attribute::string("created_at")
                .computed()
                .description("When the hostname was attached (RFC 3339, UTC)."),
        ])
        .description(
            "Reads a hostname attached to an app: its DNS mode, whether it is verified \
             (`status`), and the DNS records it needs (`dns_records`), for instance to publish \
             them for a hostname that another configuration attached.\n\n\
             **Token scopes:** `app:read`.",
        ),
    )
}

#[async_trait]
impl DataSource for HostnameDataSource {
    fn type_name(&self) -> &str {
        "comwit_app_hostname"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn read(&self, ctx: &mut Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let project = plan_project_id(config, &self.shared)?;
        let project = project.as_str().unwrap_or_default().to_string();
        let app_id = required_str(config, "app_id")?;
        let hostname = required_str(config, "hostname")?;
        let configured = self.shared.get()?;
        match call(
            ctx,
            configured.client.get_hostname(&project, &app_id, &hostname),
        )
        .await
        {
            Ok(h) => {
                let mut value = data_source_state(&h);
                set(&mut value, "project_id", Value::string(project));
                Ok(value)
            }
            Err(e) if e.is_not_found() => Err(Diagnostic::error(
                "Hostname not found",
                format!(
                    "The app {app_id} of the project {project} has no hostname {hostname} (or \
                     the app or project does not exist). Check `hostname`, `app_id` and \
                     `project_id`."
                ),
            )
            .into()),
            Err(e) => Err(api_error(&format!("read the hostname {hostname}"), &e)),
        }
    }
}
