//! The `comwit_domain_record` list resource (`terraform query`, Terraform 1.14+): the records
//! of a project domain's zone, or of every zone of the project, by type and name; without the
//! records Automatic DNS hostnames wrote unless asked for.

use async_trait::async_trait;
use serde::Deserialize;

use super::names::{full_record_name, same_record_name, MAX_FQDN};
use super::record::RecordResource;
use super::record_state::record_model;
use super::values::RECORD_TYPES;
use super::{domain_not_found, hostname_validator};
use crate::api::models::Record;
use crate::api::Client;
use crate::provider::common::ModelResource as _;
use crate::provider::common::{api_error, call};
use crate::provider::query::{finished, list_project, list_project_attribute, send_each, Sent};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, ListResource, ListSink, Listed};
use crate::tfplugin::schema::{validators, Attribute, Block, Schema};

/// The `config` block of a `list "comwit_domain_record"` block.
#[derive(Debug, Default, Deserialize)]
struct RecordListConfig {
    project_id: Option<String>,
    domain: Option<String>,
    #[serde(rename = "type")]
    rtype: Option<String>,
    name: Option<String>,
    include_managed: Option<bool>,
}

fn schema() -> Schema {
    let description = "\
Finds the records in the zones of a project's domains (`comwit_domain`), for \
`terraform query` (Terraform 1.14 and later): those of one `domain`, or of every domain of the \
project, domain by domain, each zone's records oldest first. Each result is identified by its \
`project_id`, `domain` and `record_id`; `terraform query -generate-config-out=<file>` writes \
an `import` block and a `comwit_domain_record` resource block for each, which \
`terraform apply` imports without changing anything (names relative to the zone, `@` for the \
apex).

Records that an Automatic DNS hostname wrote into a zone (`managed_by` in the \
`comwit_domain_records` data source) belong to that hostname and cannot be imported as \
`comwit_domain_record`: they are left out. Import the hostname (the `comwit_app_hostname` \
list resource) to manage them. `include_managed = true` lists them too, to see what a zone \
holds; the query then warns, and the `import` blocks generated for them would fail.

A query reads one page of 100 records per request, and without `domain` one page of 100 \
domains per request besides.

**Token scopes:** `domain:read`.";
    Schema::new(
        Block::from_attributes(vec![
            list_project_attribute(),
            Attribute::string("domain")
                .optional()
                .validator(hostname_validator("domain", MAX_FQDN))
                .description(
                    "Only the records of this project domain's zone (`example.com`). Without \
                     it, the records of every domain of the project.",
                ),
            Attribute::string("type")
                .optional()
                .validator(validators::one_of(&RECORD_TYPES))
                .description(
                    "Only records of this type: `A`, `AAAA`, `CNAME`, `TXT`, `MX` or `A_ALIAS`.",
                ),
            Attribute::string("name").optional().description(
                "Only records of this name, written as in `comwit_domain_record`: relative to \
                 the zone (`www`, `@` for the apex) or full (`www.example.com`), in any letter \
                 case, with or without a trailing dot. Without `domain`, a relative name \
                 matches in every zone (`@` finds every apex).",
            ),
            Attribute::bool("include_managed").optional().description(
                "Also list the records Automatic DNS hostnames wrote (default `false`). They \
                 cannot be imported as `comwit_domain_record`: see above.",
            ),
        ])
        .description(description),
    )
}

/// Which records a list keeps.
struct Filter {
    rtype: Option<String>,
    name: Option<String>,
    include_managed: bool,
}

impl Filter {
    fn keeps(&self, r: &Record) -> bool {
        (self.include_managed || !r.is_platform())
            && self.rtype.as_ref().is_none_or(|t| *t == r.record_type)
            && self
                .name
                .as_ref()
                .is_none_or(|n| same_record_name(n, &r.name, &r.domain))
    }
}

/// The check of `name`, against `domain` when it is known; `None` when fine or unknown.
fn name_problem(name: &str, domain: Option<&str>) -> Option<String> {
    // Without a domain, any zone: the labels are what can be checked.
    let zone = domain.unwrap_or("zone.invalid");
    let problem = full_record_name(name, zone).err()?;
    Some(match domain {
        Some(domain) => format!("{name:?} is not a record name in the zone {domain}: {problem}."),
        None => format!("{name:?} is not a record name: {problem}."),
    })
}

provider_type!(RecordList, RecordResource::TYPE_NAME, |shared| {
    /// Builds each result's state, exactly as the resource's import and `read` do.
    resource: RecordResource = RecordResource::new(shared.clone()),
});

impl RecordList {
    /// The result for a record the filter keeps; counts the managed ones sent.
    fn listed(
        &self,
        record: Record,
        filter: &Filter,
        managed: &mut usize,
    ) -> Result<Option<Listed>, Diagnostics> {
        if !filter.keeps(&record) {
            return Ok(None);
        }
        let display_name = match &record.managed_by() {
            Some(host) => {
                *managed += 1;
                format!("{} {} (managed by {host})", record.name, record.record_type)
            }
            None => format!("{} {}", record.name, record.record_type),
        };
        Ok(Some(Listed {
            display_name,
            state: self.resource.state(record_model(record, None))?,
        }))
    }
}

/// One running list: where it sends, what it reads and keeps, what it has sent.
struct Run<'a> {
    list: &'a RecordList,
    ctx: &'a Ctx,
    sink: &'a ListSink,
    client: &'a Client,
    project: &'a str,
    filter: Filter,
    /// Records of Automatic DNS hostnames sent so far (for the warning).
    managed: usize,
}

impl Run<'_> {
    /// Sends the records of one zone that the filter keeps.
    async fn zone(&mut self, domain: &str) -> Result<Sent, Diagnostics> {
        let (project, list, filter) = (self.project, self.list, &self.filter);
        let pages = self.client.record_pages(project, domain);
        let what = format!("the records of {domain} in the project {project}");
        let managed = &mut self.managed;
        send_each(self.ctx, self.sink, pages, &what, |mut r: Record| {
            // The public record names neither its project nor its domain: the path does.
            r.project_id = project.to_string();
            r.domain = domain.to_string();
            list.listed(r, filter, managed)
        })
        .await
    }

    /// Sends the records of `domain`, or of every domain of the project; false once the sink
    /// refuses.
    async fn send(&mut self, domain: Option<&str>) -> Result<bool, Diagnostics> {
        let project = self.project;
        if let Some(domain) = domain {
            return match self.zone(domain).await? {
                Sent::All => Ok(true),
                Sent::Stopped => Ok(false),
                Sent::Gone(_) => Err(domain_not_found(
                    project,
                    domain,
                    " in the list block's `config` block (the `comwit_domain` list resource \
                     finds the project's domains)",
                )
                .with_attribute(AttributePath::new("domain"))
                .into()),
            };
        }
        let mut domains = self.client.domain_pages(project);
        let what = format!("list the domains of the project {project}");
        while let Some(page) = call(self.ctx, domains.next())
            .await
            .map_err(|e| api_error(&what, &e))?
        {
            for d in page {
                // A domain removed since its page was read (`Gone`) has nothing to list.
                if matches!(self.zone(&d.domain).await?, Sent::Stopped) {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }
}

/// The warning of a list that sent records of Automatic DNS hostnames.
fn managed_warning(count: usize) -> Diagnostic {
    Diagnostic::warning(
        "Records managed by Automatic DNS listed",
        format!(
            "The list found {count} record(s) that Automatic DNS hostnames wrote into their \
             zones (include_managed = true; their display names say which hostname). They \
             belong to those hostnames and cannot be imported as `comwit_domain_record`: leave \
             the `import` and `resource` blocks generated for them out of the configuration, \
             and import the hostnames (`comwit_app_hostname`) instead."
        ),
    )
}

#[async_trait]
impl ListResource for RecordList {
    type_metadata!();

    async fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        let c: RecordListConfig = match model::get(config) {
            Ok(c) => c,
            Err(e) => return e,
        };
        // A malformed domain is the validator's to report.
        let domain = c
            .domain
            .as_deref()
            .filter(|d| super::names::custom_hostname_problem(d, MAX_FQDN).is_none());
        let unknown_domain = config.get("domain").is_some_and(Value::is_unknown);
        if let Some(name) = c.name.as_deref() {
            if !unknown_domain {
                if let Some(problem) = name_problem(name, domain) {
                    d.attribute_error(AttributePath::new("name"), "Invalid record name", problem);
                }
            }
        }
        d
    }

    async fn list(&self, ctx: &mut Ctx, config: &Value, sink: &ListSink) -> Diagnostics {
        let at = || AttributePath::new("project_id");
        let c: RecordListConfig = match model::get(config) {
            Ok(c) => c,
            Err(d) => return d,
        };
        let started = list_project(c.project_id, &self.shared, at())
            .and_then(|project| Ok((project, self.shared.get()?)));
        let (project, configured) = match started {
            Ok(started) => started,
            Err(d) => return d,
        };
        let mut run = Run {
            list: self,
            ctx,
            sink,
            client: &configured.client,
            project: &project,
            filter: Filter {
                rtype: c.rtype,
                name: c.name,
                include_managed: c.include_managed.unwrap_or(false),
            },
            managed: 0,
        };
        let mut d = finished(run.send(c.domain.as_deref()).await);
        if run.managed > 0 {
            d.push(managed_warning(run.managed));
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::dns::fixtures::zone_record;
    use crate::provider::Shared;
    use crate::tfplugin::plan;

    #[test]
    fn the_config_model_matches_the_schema() {
        model::shape::check::<RecordListConfig>(&schema());
    }

    fn config(pairs: &[(&str, Value)]) -> Value {
        let mut v = schema().null_object();
        for (k, x) in pairs {
            crate::provider::common::set_attr(&mut v, k, x.clone());
        }
        v
    }

    #[test]
    fn arguments_are_checked() {
        let d = plan::validate_config(
            &schema(),
            &config(&[
                ("domain", Value::string("Example.com.")),
                ("type", Value::string("cname")),
                ("project_id", Value::string("my shop")),
            ]),
        );
        let text = d.to_string();
        assert!(text.contains("trailing dot"), "{text}");
        assert!(text.contains("CNAME"), "{text}");
        assert!(text.contains("without whitespace or `/`"), "{text}");
    }

    #[tokio::test]
    async fn names_are_checked_against_the_domain() {
        let list = RecordList::new(Shared::default());
        let ok = config(&[
            ("domain", Value::string("example.com")),
            ("name", Value::string("WWW.example.com.")),
        ]);
        assert!(list.validate(&ok).await.is_empty());
        assert!(list
            .validate(&config(&[("name", Value::string("@"))]))
            .await
            .is_empty());
        let bad = config(&[
            ("domain", Value::string("example.com")),
            ("name", Value::string("bad name")),
        ]);
        let d = list.validate(&bad).await;
        let e = d.iter().next().unwrap();
        assert_eq!(e.summary, "Invalid record name");
        assert_eq!(e.attribute, Some(AttributePath::new("name")));
        assert!(e.detail.contains("in the zone example.com"), "{}", e.detail);
        let d = list
            .validate(&config(&[("name", Value::string("a..b"))]))
            .await;
        assert!(d.has_errors(), "{d}");
        // Checked once the domain is known.
        let unknown = config(&[
            ("domain", Value::Unknown),
            ("name", Value::string("bad name")),
        ]);
        assert!(list.validate(&unknown).await.is_empty());
    }

    #[test]
    fn the_filter_keeps_type_name_and_own_records() {
        let www = zone_record("www.example.com", "CNAME", &["target.example.net"]);
        let apex = zone_record("example.com", "TXT", &["v=spf1 -all"]);
        let mut managed = zone_record("app.example.com", "CNAME", &["web-1.comwit.app"]);
        managed.owner = Some("platform_app".into());
        managed.owner_resource_id = Some("app.example.com".into());
        let filter = |rtype: Option<&str>, name: Option<&str>, include_managed: bool| Filter {
            rtype: rtype.map(str::to_string),
            name: name.map(str::to_string),
            include_managed,
        };
        let kept = |f: &Filter| -> Vec<String> {
            [&www, &apex, &managed]
                .into_iter()
                .filter(|r| f.keeps(r))
                .map(|r| r.name.clone())
                .collect()
        };
        assert_eq!(
            kept(&filter(None, None, false)),
            ["www.example.com", "example.com"]
        );
        assert_eq!(kept(&filter(None, None, true)).len(), 3);
        assert_eq!(kept(&filter(Some("TXT"), None, false)), ["example.com"]);
        for name in ["www", "WWW", "www.example.com."] {
            assert_eq!(kept(&filter(None, Some(name), false)), ["www.example.com"]);
        }
        assert_eq!(kept(&filter(None, Some("@"), false)), ["example.com"]);
        assert!(kept(&filter(Some("A"), Some("www"), false)).is_empty());
    }

    #[test]
    fn listed_records_are_what_import_and_read_make() {
        let list = RecordList::new(Shared::default());
        let mut record = zone_record("mail.example.com", "MX", &["mx1.example.net"]);
        record.values = vec!["10 mx.example.com".into()];
        let keep_all = Filter {
            rtype: None,
            name: None,
            include_managed: true,
        };
        let mut managed = 0;
        let listed = list
            .listed(record.clone(), &keep_all, &mut managed)
            .unwrap()
            .unwrap();
        assert_eq!(listed.display_name, "mail.example.com MX");
        assert_eq!(managed, 0);
        // `read` of that state keeps its spellings and takes the rest from the platform.
        let prior = model::get(&listed.state).unwrap();
        let read = list
            .resource
            .state(record_model(record.clone(), Some(&prior)))
            .unwrap();
        assert_eq!(listed.state, read);
        let identity = list.resource.identity().unwrap().of_state(&listed.state);
        assert_eq!(
            identity,
            Value::object([
                ("project_id", Value::string("p1")),
                ("domain", Value::string("example.com")),
                ("record_id", Value::string("dnsrec_1")),
            ])
        );
        // The generated configuration: the arguments, nothing computed.
        let config = plan::config_from_state(list.resource.schema(), &listed.state);
        let c = |name: &str| config.get(name).cloned().unwrap();
        assert_eq!(c("name"), Value::string("mail"));
        assert_eq!(c("type"), Value::string("MX"));
        assert_eq!(c("priority"), Value::int(10));
        assert_eq!(c("ttl"), Value::int(300));
        assert_eq!(c("record_id"), Value::Null);
        assert_eq!(c("fqdn"), Value::Null);
        // A managed record says whose it is, and is counted for the warning.
        record.owner = Some("platform_app".into());
        record.owner_resource_id = Some("app_1".into());
        let listed = list.listed(record, &keep_all, &mut managed).unwrap();
        assert_eq!(
            listed.unwrap().display_name,
            "mail.example.com MX (managed by mail.example.com)"
        );
        assert_eq!(managed, 1);
        assert!(managed_warning(1).detail.contains("comwit_app_hostname"));
    }
}
