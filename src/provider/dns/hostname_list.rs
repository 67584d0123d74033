//! The `comwit_app_hostname` list resource (`terraform query`, Terraform 1.14+): the custom
//! hostnames of an app, or of every app of a project.

use async_trait::async_trait;
use serde::Deserialize;

use super::hostname::{HostnameResource, Zones};
use crate::api::Client;
use crate::provider::common::{api_error, id_validator};
use crate::provider::query::{finished, list_project, list_project_attribute, next_page, Sent};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, ListResource, ListSink, Listed};
use crate::tfplugin::schema::{Attribute, Block, Schema};

/// The `config` block of a `list "comwit_app_hostname"` block.
#[derive(Debug, Default, Deserialize)]
struct HostnameListConfig {
    project_id: Option<String>,
    app_id: Option<String>,
}

fn schema() -> Schema {
    let description = "\
Finds the custom hostnames attached to an app, or to every app of a project (app by app, each \
app's hostnames oldest first), for `terraform query` (Terraform 1.14 and later). Each result \
is identified by its `project_id`, `app_id` and `hostname`; \
`terraform query -generate-config-out=<file>` writes an `import` block and a \
`comwit_app_hostname` resource block for each, which `terraform apply` imports without \
changing anything.

The generated blocks hold the hostname's `app_id`, `hostname`, `dns_mode` and, for Automatic \
DNS, `domain`, as the platform has them. They name the app and the domain by their values: \
when the same configuration manages the app (`comwit_app`) or the domain (`comwit_domain`), \
replace those with references (`comwit_app.<name>.app_id`, `comwit_domain.<name>.domain`) so \
that Terraform orders later changes right; that plans no change. Their `dns_records` are \
computed and not written.

A query reads one page of 100 hostnames per request, and without `app_id` one page of 100 \
apps per request besides.

**Token scopes:** `app:read`.";
    Schema::new(
        Block::from_attributes(vec![
            list_project_attribute(),
            Attribute::string("app_id")
                .optional()
                .validator(id_validator("app", "app"))
                .description(
                    "Only the hostnames of this app (`app_` and 16 hex digits). Without it, \
                     the hostnames of every app of the project.",
                ),
        ])
        .description(description),
    )
}

provider_type!(HostnameList, HostnameResource::TYPE_NAME, |shared| {
    /// Builds each result's state, exactly as the resource's import and `read` do.
    resource: HostnameResource = HostnameResource::new(shared.clone()),
});

impl HostnameList {
    /// Sends the hostnames of one app; `zones` tells their modes (shared by every app of
    /// the project, so each zone is read once).
    async fn send_app(
        &self,
        ctx: &Ctx,
        sink: &ListSink,
        zones: &mut Zones<'_>,
        project: &str,
        app_id: &str,
    ) -> Result<Sent, Diagnostics> {
        let client = zones.client();
        let mut pages = client.hostname_pages(project, app_id);
        let what = format!("the hostnames of the app {app_id}");
        loop {
            let page = match next_page(ctx, sink, &mut pages).await {
                Ok(Some(page)) => page,
                Ok(None) if sink.wants_more() => return Ok(Sent::All),
                Ok(None) => return Ok(Sent::Stopped),
                Err(e) if e.is_not_found() => return Ok(Sent::Gone(e)),
                Err(e) => return Err(api_error(&format!("list {what}"), &e)),
            };
            for mut h in page {
                h.project_id = project.to_string();
                if h.app_id.is_empty() {
                    h.app_id = app_id.to_string();
                }
                let zone = zones.lookup(ctx, &h.hostname).await;
                let item = Listed {
                    display_name: h.hostname.clone(),
                    state: super::hostname::listed_state(&self.resource, h, zone)?,
                };
                if !sink.send(item).await {
                    return Ok(Sent::Stopped);
                }
            }
        }
    }

    /// Sends the hostnames of `app_id`, or of every app of `project`; false once the sink
    /// refuses.
    async fn send(
        &self,
        ctx: &Ctx,
        sink: &ListSink,
        client: &Client,
        project: &str,
        app_id: Option<&str>,
    ) -> Result<bool, Diagnostics> {
        if let Some(app_id) = app_id {
            let mut zones = Zones::new(client, project);
            return match self
                .send_app(ctx, sink, &mut zones, project, app_id)
                .await?
            {
                Sent::All => Ok(true),
                Sent::Stopped => Ok(false),
                Sent::Gone(_) => Err(Diagnostic::error(
                    "App not found",
                    format!(
                        "The project {project} has no app {app_id} (or the project does not \
                         exist). Check `app_id` and `project_id` in the list block's `config` \
                         block (the `comwit_app` list resource finds the project's apps), or \
                         leave `app_id` out to list the hostnames of every app."
                    ),
                )
                .with_attribute(AttributePath::new("app_id"))
                .into()),
            };
        }
        let mut zones = Zones::new(client, project);
        let mut apps = client.app_pages(project);
        let what = format!("list the apps of the project {project}");
        while let Some(page) = next_page(ctx, sink, &mut apps)
            .await
            .map_err(|e| api_error(&what, &e))?
        {
            for app in page {
                // An app deleted since its page was read (`Gone`) has no hostnames left.
                let sent = self
                    .send_app(ctx, sink, &mut zones, project, &app.app_id)
                    .await?;
                if matches!(sent, Sent::Stopped) {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }
}

#[async_trait]
impl ListResource for HostnameList {
    type_metadata!();

    async fn list(&self, ctx: &mut Ctx, config: &Value, sink: &ListSink) -> Diagnostics {
        let result = async {
            let HostnameListConfig { project_id, app_id } = model::get(config)?;
            let project = list_project(project_id, &self.shared, AttributePath::new("project_id"))?;
            let configured = self.shared.get()?;
            let client = &configured.client;
            self.send(ctx, sink, client, &project, app_id.as_deref())
                .await
        };
        finished(result.await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::dns::fixtures::{manual, rec};
    use crate::provider::Shared;
    use crate::tfplugin::plan;
    use crate::tfplugin::resource::Resource as _;

    #[test]
    fn the_config_model_matches_the_schema() {
        model::shape::check::<HostnameListConfig>(&schema());
    }

    #[test]
    fn a_malformed_app_id_is_an_error() {
        let config = Value::object([
            ("project_id", Value::Null),
            ("app_id", Value::string("apps/web")),
        ]);
        let d = plan::validate_config(&schema(), &config);
        assert!(d.has_errors(), "{d}");
        assert!(d.to_string().contains("without whitespace or `/`"), "{d}");
    }

    fn both_records(hostname: &str) -> Vec<crate::api::models::HostnameDnsRecord> {
        vec![
            rec("routing", "CNAME", hostname, "web-1.comwit.app"),
            rec(
                "ownership",
                "TXT",
                &format!("_cf-challenge.{hostname}"),
                "comwit-verify=1",
            ),
        ]
    }

    #[tokio::test]
    async fn listed_hostnames_are_what_read_makes_and_configure_their_arguments() {
        let list = HostnameList::new(Shared::default());
        let mut automatic = manual("app.example.com", both_records("app.example.com"));
        automatic.dns_mode = None;
        automatic.status = "active".into();
        let zone = super::super::hostname::PlatformHostname {
            domain: "example.com".to_string(),
            records: both_records("app.example.com"),
        };
        for (h, domain) in [
            (
                manual("www.example.org", both_records("www.example.org")),
                None,
            ),
            (automatic, Some("example.com")),
        ] {
            let state = &super::super::hostname::listed_state(
                &list.resource,
                h.clone(),
                domain.map(|_| zone.clone()),
            )
            .unwrap();
            // `read` of that state: the same value.
            let known: super::super::hostname::HostnameModel = model::get(state).unwrap();
            let mut refreshed = super::super::hostname::HostnameModel::new(
                h.clone(),
                known.dns_records,
                known.timeouts,
            );
            refreshed.domain = known.domain;
            refreshed.dns_mode = known.dns_mode;
            let read = model::value_of(&refreshed, list.resource.schema()).unwrap();
            assert_eq!(state, &read);
            let identity = list.resource.identity().unwrap().of_state(state);
            assert_eq!(
                identity,
                Value::object([
                    ("project_id", Value::string(&h.project_id)),
                    ("app_id", Value::string(&h.app_id)),
                    ("hostname", Value::string(&h.hostname)),
                ])
            );
            // The generated configuration: the arguments as the platform has them, which pass
            // validation; nothing computed.
            let config = plan::config_from_state(list.resource.schema(), state);
            let mode = if domain.is_some() {
                "automatic"
            } else {
                "manual"
            };
            assert_eq!(config.get("dns_mode"), Some(&Value::string(mode)));
            let want_domain = domain.map_or(Value::Null, Value::string);
            assert_eq!(config.get("domain"), Some(&want_domain));
            for computed in ["dns_records", "status", "timeouts"] {
                assert_eq!(config.get(computed), Some(&Value::Null), "{computed}");
            }
            let d = list.resource.validate(&config).await;
            assert!(d.is_empty(), "{d}");
        }
    }
}
