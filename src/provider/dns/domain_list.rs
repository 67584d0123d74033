//! The `comwit_domain` list resource (`terraform query`, Terraform 1.14+): the domains of a
//! project.

use crate::api::models::Domain;
use crate::api::Client;
use crate::provider::common::ModelResource as _;

use super::domain::DomainResource;
use crate::provider::query::{list_project_attribute, ProjectCollectionList};
use crate::provider::Shared;
use crate::tfplugin::resource::Listed;
use crate::tfplugin::schema::{Block, Schema};

fn schema() -> Schema {
    let description = "\
Finds the domains onboarded in a project, oldest first, for `terraform query` (Terraform 1.14 \
and later). Each result is identified by its `project_id` and `domain`; \
`terraform query -generate-config-out=<file>` writes an `import` block and a `comwit_domain` \
resource block for each, which `terraform apply` imports without changing anything. The \
records of the domains' zones are listed by the `comwit_domain_record` list resource.

A query reads one page of 100 domains per request.

**Token scopes:** `domain:read`.";
    Schema::new(Block::from_attributes(vec![list_project_attribute()]).description(description))
}

pub(crate) type DomainList = ProjectCollectionList<DomainResource, Domain>;

impl DomainList {
    pub(crate) fn new(shared: Shared) -> Self {
        ProjectCollectionList {
            schema: schema(),
            resource: DomainResource::new(shared.clone()),
            shared,
            pages: Client::domain_pages,
            noun: "domains",
            listed: |resource, domain| {
                Ok(Listed {
                    display_name: domain.domain.clone(),
                    state: resource.state(domain)?,
                })
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::query::ProjectListConfig;
    use crate::tfplugin::cty::Value;
    use crate::tfplugin::model;
    use crate::tfplugin::plan;

    #[test]
    fn the_config_model_matches_the_schema() {
        model::shape::check::<ProjectListConfig>(&schema());
    }

    #[test]
    fn a_malformed_project_id_is_an_error() {
        let config = Value::object([("project_id", Value::string("my shop"))]);
        let d = plan::validate_config(&schema(), &config);
        assert!(d.has_errors(), "{d}");
        assert!(d.to_string().contains("without whitespace or `/`"), "{d}");
    }

    #[test]
    fn listed_domains_are_what_import_and_read_make_and_configure_only_the_domain() {
        let domain: Domain = serde_json::from_value(serde_json::json!({
            "id": "pd-1",
            "domain": "example.com",
            "project_id": "prj_0123456789abcdef",
            "dns_mode": "route53_delegated",
            "status": "pending_delegation",
            "hosted_zone_id": "Z1",
            "nameservers": ["ns1.comwit.net", "ns2.comwit.net"],
            "delegation": {"checked_at": null, "matched": false, "observed_nameservers": []},
            "created_at": "2025-01-02T03:04:05Z",
            "updated_at": "2025-01-02T03:04:05Z"
        }))
        .unwrap();
        let list = DomainList::new(Shared::default());
        let state = list.resource.state(domain.clone()).unwrap();
        let identity = list.resource.identity().unwrap().of_state(&state);
        assert_eq!(
            identity,
            Value::object([
                ("project_id", Value::string("prj_0123456789abcdef")),
                ("domain", Value::string("example.com")),
            ])
        );
        let config = plan::config_from_state(list.resource.schema(), &state);
        assert_eq!(config.get("domain"), Some(&Value::string("example.com")));
        for computed in ["name_servers", "status", "created_at", "delegation"] {
            assert_eq!(config.get(computed), Some(&Value::Null), "{computed}");
        }
    }
}
