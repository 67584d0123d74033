//! `comwit_domain_records` data source: the records of a project domain's zone, including
//! those Automatic DNS hostnames manage.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::provider::common::{lookup_project, lookup_project_attribute};
use crate::tfplugin::cty::{Type, Value};
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, DataSource};
use crate::tfplugin::schema::{validators, Attribute, Block, NestedAttributes, Schema};

use super::names::full_record_name;
use super::record_state::ListedRecord;
use super::values::RECORD_TYPES;
use super::{domain_argument, domain_not_found, found};

provider_type!(RecordsDataSource, "comwit_domain_records");

/// The configuration and the result: the filters as given and the records that pass them.
#[derive(Serialize, Deserialize)]
struct RecordsModel {
    #[serde(default)]
    project_id: String,
    domain: String,
    name: Option<String>,
    #[serde(rename = "type")]
    rtype: Option<String>,
    #[serde(default)]
    records: Vec<ListedRecord>,
}

fn schema() -> Schema {
    Schema::new(
        Block::from_attributes(vec![
            lookup_project_attribute(),
            domain_argument()
                .description("The project domain whose zone to list, such as `example.com`."),
            Attribute::string("name").optional().description(
                "Only records of this name: relative (`www`), `@` for the apex, or full \
                 (`www.example.com`, with or without a trailing dot), in any case.",
            ),
            Attribute::string("type")
                .optional()
                .validator(validators::one_of(&RECORD_TYPES))
                .description(
                    "Only records of this type (`A`, `AAAA`, `CNAME`, `TXT`, `MX`, `A_ALIAS`).",
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
                        .description("The preference of an MX record, else null."),
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
    type_metadata!();

    async fn read(&self, ctx: &mut Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let project = lookup_project(config, &self.shared)?;
        let mut model: RecordsModel = model::get(config)?;
        let name = match &model.name {
            Some(n) => Some(full_record_name(n, &model.domain).map_err(|p| {
                Diagnostics::from(
                    Diagnostic::error("Invalid record name", format!("{n:?}: {p}."))
                        .with_attribute(AttributePath::new("name")),
                )
            })?),
            None => None,
        };
        let domain = &model.domain;
        let configured = self.shared.get()?;
        let request = configured.client.read_records(&project, domain);
        let action = format!("list the records of {domain}");
        let records = found(ctx, request, &action, || {
            domain_not_found(&project, domain, "")
        })
        .await?;
        model.records = records
            .into_iter()
            .filter(|r| name.as_ref().is_none_or(|n| &r.name == n))
            .filter(|r| model.rtype.as_ref().is_none_or(|t| &r.record_type == t))
            .map(ListedRecord::from)
            .collect();
        model.project_id = project;
        model::value_of(&model, &self.schema)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<RecordsModel>(&schema());
    }
}
