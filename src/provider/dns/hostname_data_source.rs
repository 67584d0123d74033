//! `comwit_app_hostname` data source: a hostname attached to an app, with its status and the
//! records it needs.

use async_trait::async_trait;

use crate::provider::common::{id_validator, lookup_project, lookup_project_attribute};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, DataSource};
use crate::tfplugin::schema::{Attribute, Block, Schema};

use super::hostname::HostnameModel;
use super::hostname_records::{dns_records_attribute, DnsRecords};
use super::{found, hostname_argument};

provider_type!(HostnameDataSource, "comwit_app_hostname");

fn schema() -> Schema {
    Schema::new(
        Block::from_attributes(vec![
            lookup_project_attribute()
                .description("The project of the app. Defaults to the provider's `project_id`."),
            Attribute::string("app_id")
                .validator(id_validator("app", "app"))
                .required()
                .description("The app the hostname is attached to."),
            hostname_argument().description("The hostname, such as `www.example.com`."),
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
                 `type`, `name` and `value`.",
            ),
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
    type_metadata!();

    async fn read(&self, ctx: &mut Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let project = lookup_project(config, &self.shared)?;
        let HostnameModel {
            app_id, hostname, ..
        } = model::get(config)?;
        let configured = self.shared.get()?;
        let request = configured.client.get_hostname(&project, &app_id, &hostname);
        let action = format!("read the hostname {hostname}");
        let h = found(ctx, request, &action, || {
            Diagnostic::error(
                "Hostname not found",
                format!(
                    "The app {app_id} of the project {project} has no hostname {hostname} (or \
                     the app or project does not exist). Check `hostname`, `app_id` and \
                     `project_id`."
                ),
            )
        })
        .await?;
        // The list shows neither the mode nor the records: both are told by the platform's
        // records in the project's domains (Automatic DNS); a Manual DNS hostname's records
        // are only in its create answer, so they stay empty here.
        let zone = super::hostname::Zones::new(&configured.client, &project)
            .lookup(ctx, &h.hostname)
            .await;
        let mut h = h;
        if let Some(z) = &zone {
            if h.dns_records.is_empty() {
                h.dns_records = z.records.clone();
            }
        }
        let mut result = HostnameModel::new(h, DnsRecords::new(), None);
        result.project_id = project;
        result.dns_mode = if zone.is_some() {
            "automatic"
        } else {
            "manual"
        }
        .to_string();
        result.domain = zone.map(|z| z.domain);
        model::value_of(&result, &self.schema)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::common::timeouts_block;
    use crate::provider::dns::fixtures::{manual, rec};

    #[test]
    fn the_model_matches_the_schema() {
        // The resource's model, whose `timeouts` the data source has not (and never writes).
        let with_timeouts = Schema::new(schema().block.with_block(timeouts_block(&["create"], "")));
        model::shape::check::<HostnameModel>(&with_timeouts);
    }

    #[test]
    fn the_result_leaves_timeouts_out() {
        let h = manual(
            "www.example.com",
            vec![rec("routing", "CNAME", "www.example.com", "x")],
        );
        let result = HostnameModel::new(h, DnsRecords::new(), None);
        let value = model::value_of(&result, &schema()).unwrap();
        assert_eq!(
            value.get("hostname"),
            Some(&Value::string("www.example.com"))
        );
        assert_eq!(value.get("timeouts"), None);
    }
}
