//! `comwit_domain_records` data source: the records of a project domain's zone, including
//! those Automatic DNS hostnames manage.

use async_trait::async_trait;

use crate::provider::common::{
    api_error, call, id_validator, plan_project_id, required_str, str_attr,
};
use crate::provider::Shared;
use crate::tfplugin::cty::{Type, Value};
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::resource::{Ctx, DataSource};
use crate::tfplugin::schema::{validators, Attribute, Block, NestedAttributes, Schema};

use super::names::{full_record_name, MAX_FQDN};
use super::record_state::listed_record;
use super::values::RECORD_TYPES;
use super::{hostname_validator, set};

pub struct RecordsDataSource {
    shared: Shared,
    schema: Schema,
}

impl RecordsDataSource {
    pub fn new(shared: Shared) -> Self {
        RecordsDataSource {
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
                .description("The project domain whose zone to list, such as `example.com`."),
            Attribute::string("name").optional().description(
                "Only records of this name: relative (`www`), `@` for the apex, or full \
                 (`www.example.com`, with or without a trailing dot), in any case.",
            ),
            Attribute::string("type")
                .optional()
                .validator(validators::one_of(&RECORD_TYPES))
                .description(
                    "Only records of this type (`A`, `AAAA`, `CNAME`, `TXT`, `MX`, `CAA`, `SRV`).",
                ),
            Attribute::nested(
                "records",
                NestedAttributes::list(vec![
                    Attribute::string("record_id")
                        .computed()
                        .description("The record's ID; `comwit_domain_record` imports it."),
                    Attribute::string("name")
                        .computed()
                        .description("The full name (`www.example.com`)."),
                    Attribute::string("relative_name")
                        .computed()
                        .description("The name relative to the zone (`www`, or `@` for the apex)."),
                    Attribute::string("type")
                        .computed()
                        .description("The record type."),
                    Attribute::list("values", Type::String)
                        .computed()
                        .description("The record's values."),
                    Attribute::int64("ttl")
                        .computed()
                        .description("Time to live in seconds."),
                    Attribute::int64("priority")
                        .computed()
                        .description("The priority of an MX or SRV record, else null."),
                    Attribute::string("managed_by").computed().description(
                        "The Automatic DNS hostname that owns the record, or null for records \
                         managed through the records API (and `comwit_domain_record`).",
                    ),
                    Attribute::string("created_at")
                        .computed()
                        .description("When the record was created (RFC 3339, UTC)."),
                ]),
            )
            .computed()
            .description(
                "The zone's records in creation order, filtered by `name` and `type` when given.",
            ),
        ])
        .description(
            "Lists the records of a project domain's zone, including those that Automatic DNS \
             hostnames manage (`managed_by`), optionally only those of one name and/or type.\n\n\
             **Token scopes:** `domain:read`.",
        ),
    )
}

#[async_trait]
impl DataSource for RecordsDataSource {
    fn type_name(&self) -> &str {
        "comwit_domain_records"
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn read(&self, ctx: &mut Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let project = plan_project_id(config, &self.shared)?;
        let project = project.as_str().unwrap_or_default().to_string();
        let domain = required_str(config, "domain")?;
        let name = match str_attr(config, "name") {
            Some(n) => Some(full_record_name(n, &domain).map_err(|p| {
                Diagnostics::from(
                    Diagnostic::error("Invalid record name", format!("{n:?}: {p}."))
                        .with_attribute(AttributePath::new("name")),
                )
            })?),
            None => None,
        };
        let rtype = str_attr(config, "type");
        let configured = self.shared.get()?;
        let records = match call(ctx, configured.client.read_records(&project, &domain)).await {
            Ok(r) => r,
            Err(e) if e.is_not_found() => {
                return Err(Diagnostic::error(
                    "Domain not found",
                    format!(
                        "The project {project} has no domain {domain} (or the project does not \
                         exist). Check `domain` and `project_id`."
                    ),
                )
                .into())
            }
            Err(e) => return Err(api_error(&format!("list the records of {domain}"), &e)),
        };
        let listed = records
            .iter()
            .filter(|r| name.as_ref().is_none_or(|n| &r.name == n))
            .filter(|r| rtype.is_none_or(|t| r.record_type == t))
            .map(listed_record)
            .collect();
        let mut value = config.clone();
        set(&mut value, "project_id", Value::string(project));
        set(&mut value, "records", Value::List(listed));
        Ok(value)
    }
}
