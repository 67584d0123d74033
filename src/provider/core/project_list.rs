//! The `comwit_project` list resource (`terraform query`, Terraform 1.14+): the projects the
//! token's user is a member of, or the one of a given name.

use async_trait::async_trait;
use serde::Deserialize;

use super::dns_label_validator;
use super::lookup::send_all;
use super::project::ProjectResource;
use crate::provider::common::ModelResource as _;
use crate::provider::common::{api_error, call};
use crate::provider::query::finished;
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, ListResource, ListSink, Listed};
use crate::tfplugin::schema::{Attribute, Block, Schema};

/// The `config` block of a `list "comwit_project"` block.
#[derive(Debug, Default, Deserialize)]
struct ProjectListConfig {
    name: Option<String>,
}

fn schema() -> Schema {
    let description = "\
Finds the projects the token's user is a member of (`GET /v1/projects`), for `terraform query` \
(Terraform 1.14 and later). Each result is identified by the project's `id`; \
`terraform query -generate-config-out=<file>` writes an `import` block and a `comwit_project` \
resource block for each, which `terraform apply` imports without changing anything.

**Token scopes:** `project:read`.";
    Schema::new(
        Block::from_attributes(vec![Attribute::string("name")
            .optional()
            .validator(dns_label_validator())
            .description(
                "Only the project of this name (names are unique among your projects). \
                 Without it, every project is listed.",
            )])
        .description(description),
    )
}

provider_type!(ProjectList, ProjectResource::TYPE_NAME, |shared| {
    /// Builds each result's state, exactly as the resource's `read` does.
    resource: ProjectResource = ProjectResource::new(shared.clone()),
});

#[async_trait]
impl ListResource for ProjectList {
    type_metadata!();

    async fn list(&self, ctx: &mut Ctx, config: &Value, sink: &ListSink) -> Diagnostics {
        let result = async {
            let ProjectListConfig { name } = model::get(config)?;
            let configured = self.shared.get()?;
            let all = call(ctx, configured.client.list_projects())
                .await
                .map_err(|e| api_error("list your projects", &e))?;
            send_all(sink, all, |project| {
                if name.as_ref().is_some_and(|name| *name != project.name) {
                    return Ok(None);
                }
                Ok(Some(Listed {
                    display_name: project.name.clone(),
                    state: self.resource.state(project)?,
                }))
            })
            .await
        };
        finished(result.await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tfplugin::diag::AttributePath;
    use crate::tfplugin::plan;

    #[test]
    fn the_config_model_matches_the_schema() {
        model::shape::check::<ProjectListConfig>(&schema());
        let none: ProjectListConfig = model::get(&schema().null_object()).unwrap();
        assert_eq!(none.name, None);
    }

    #[test]
    fn a_name_that_cannot_be_a_project_name_is_an_error() {
        let config = Value::object([("name", Value::string("My Shop"))]);
        let d = plan::validate_config(&schema(), &config);
        assert!(d.has_errors(), "{d}");
        let e = d.iter().next().unwrap();
        assert_eq!(e.attribute, Some(AttributePath::new("name")));
        assert!(e.detail.contains("DNS label"), "{}", e.detail);
        let config = Value::object([("name", Value::string("shop"))]);
        assert!(plan::validate_config(&schema(), &config).is_empty());
    }
}
