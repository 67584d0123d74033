//! `comwit_domain_record`: one record set (a name and type with its values) in the zone of a
//! project domain.

use async_trait::async_trait;
use serde::Deserialize;

use crate::api::models::{Record, RecordInput};
use crate::api::{ApiError, Client};
use crate::provider::common::{
    api_error, api_error_at, call, plan_project, project_id_attribute, set_attr, ModelResource,
};
use crate::tfplugin::cty::{Type, Value};
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, IdentitySchema, PlanRequest};
use crate::tfplugin::schema::{validators, Attribute, Block, Schema};

use super::identity::{record_import_id, RECORD_IDENTITY};
use super::names::{full_record_name, hostname_problem, same_record_name, MAX_FQDN};
use super::record_state::{record_model, RecordModel, DEFAULT_TTL};
use super::values::{
    has_priority, priority_problem, same_values, set_problem, value_problem, wire_value,
    RECORD_TYPES,
};
use super::{domain_argument, error_detail, found, import_parts, known_strings, unless_gone};

provider_type!(RecordResource, "comwit_domain_record");
const TYPE_NAME: &str = RecordResource::TYPE_NAME;
const IMPORT_FORM: &str = "<project_id>/<domain>/<record_id>";

/// Fields of the platform's 422 answers, by the attribute they come from.
const FIELDS: &[(&str, &str)] = &[
    ("name", "name"),
    ("type", "type"),
    ("values", "values"),
    ("ttl", "ttl"),
    ("priority", "priority"),
];

/// What validation and planning read of a configuration, where anything may still be
/// unknown: an unknown attribute reads as absent, and so does an unknown element of `values`.
#[derive(Deserialize)]
struct RecordConfig<'a> {
    #[serde(borrow)]
    domain: Option<&'a str>,
    #[serde(borrow)]
    name: Option<&'a str>,
    #[serde(borrow, rename = "type")]
    rtype: Option<&'a str>,
    #[serde(borrow)]
    values: Option<Vec<Option<&'a str>>>,
    priority: Option<i64>,
}

fn schema() -> Schema {
    let description = "\
A DNS record set in the zone of a project domain (`comwit_domain`): one `name` and `type` with \
one or more `values`. Changing the name, type, values, TTL or priority updates the record in \
place; moving it to another domain or project replaces it.

Values are checked for their type when Terraform plans: IPv4 addresses for `A`, IPv6 for \
`AAAA`, exactly one hostname for `CNAME`, hostnames with a `priority` for `MX` (sent to the \
platform as `\"<priority> <host>\"`, the public record's MX form), an alias target hostname for \
`A_ALIAS` (an alias at the zone apex, where a CNAME cannot be), printable ASCII for `TXT`. A CNAME shares its name with no other record and is never at the \
zone apex.

Records that an Automatic DNS hostname wrote into the zone belong to that hostname \
(`comwit_app_hostname`) and cannot be managed here: creating a record of the same name and \
type, or importing one, fails with the name of the hostname that owns it.

**Import:** `terraform import comwit_domain_record.<name> <project_id>/<domain>/<record_id>` \
(the `comwit_domain_records` data source lists record IDs), or an `import` block with that \
`id` or, on Terraform 1.12 and later, `identity = { project_id = \"<project_id>\", domain = \
\"<domain>\", record_id = \"<record_id>\" }` (`project_id` defaults to the provider's). The \
imported `name` is relative to the zone (`www`, or `@` for the apex); any equivalent spelling \
in the configuration plans no change. On Terraform 1.14 and later, `terraform query` with a \
`comwit_domain_record` list block finds the records of a project's zones (without those of \
Automatic DNS hostnames) and writes their `import` and `resource` blocks \
(`-generate-config-out`).

**Token scopes:** create, update and delete need `domain:write`; read, refresh and import \
need `domain:read`.";
    Schema::new(
        Block::from_attributes(vec![
            Attribute::string("record_id")
                .computed()
                .use_state_for_unknown()
                .description("The record's ID (`rec_` and 16 hex digits)."),
            project_id_attribute("record"),
            domain_argument().requires_replace().description(
                "The project domain whose zone holds the record, such as `example.com` \
                     (usually `comwit_domain.<name>.domain`). Changing it replaces the record.",
            ),
            Attribute::string("name").required().description(
                "The record's name: relative to the zone (`www`, `_dmarc`, `*.dev`), `@` \
                     for the zone apex, or the full name (`www.example.com`, with or without a \
                     trailing dot). Letter case does not matter: `www`, `WWW`, \
                     `www.example.com` and `www.example.com.` are the same record and switching \
                     between them plans no change. Labels hold letters, digits, `-` and `_`; a \
                     leading `*` label makes a wildcard.",
            ),
            Attribute::string("fqdn").computed().description(
                "The record's full name, lowercase and without a trailing dot \
                 (`www.example.com`). Use it in `record_fqdns` of \
                 `comwit_app_hostname_verification`.",
            ),
            Attribute::string("type")
                .required()
                .validator(validators::one_of(&RECORD_TYPES))
                .description(
                    "The record type: `A`, `AAAA`, `CNAME`, `TXT`, `MX` or `A_ALIAS` (the public \
                     platform's types). \
                     Changing it updates the record in place.",
                ),
            Attribute::set("values", Type::String)
                .required()
                .description(
                    "The record's values, 1 to 32 (exactly one for `CNAME`), as a set: their \
                     order does not matter. `A`: IPv4 addresses. `AAAA`: IPv6 addresses. \
                     `CNAME`: the target hostname. `MX`: mail server hostnames. `TXT`: 1 to \
                     1024 printable ASCII characters each (no surrounding quotes needed). \
                     `A_ALIAS`: the alias target hostname. \
                     Hostnames may be written with a trailing dot or in any case; they are \
                     stored in lowercase without it.",
                ),
            Attribute::int64("ttl")
                .optional()
                .computed()
                .default(Value::int(DEFAULT_TTL))
                .validator(validators::int_between(60, 86400))
                .description("Time to live in seconds, 60 to 86400. Defaults to 300."),
            Attribute::int64("priority")
                .optional()
                .validator(validators::int_between(0, 65535))
                .description(
                    "The preference of an `MX` record (0 to 65535, lower is preferred). Required \
                     for `MX`, not allowed for other types.",
                ),
        ])
        .description(description),
    )
}

/// Cross-attribute checks on a configuration, skipping what is not known yet.
fn validate_record(config: &Value) -> Diagnostics {
    let c: RecordConfig = match model::get(config) {
        Ok(c) => c,
        Err(d) => return d,
    };
    let mut diags = Diagnostics::new();
    let rtype = c.rtype.filter(|t| RECORD_TYPES.contains(t));
    let domain = c.domain.filter(|d| hostname_problem(d, MAX_FQDN).is_none());
    if let (Some(name), Some(domain)) = (c.name, domain) {
        match full_record_name(name, domain) {
            Err(problem) => diags.attribute_error(
                AttributePath::new("name"),
                "Invalid record name",
                format!("{name:?} is not a valid record name in the zone {domain}: {problem}."),
            ),
            Ok(full) if full == domain && rtype == Some("CNAME") => diags.attribute_error(
                AttributePath::new("name"),
                "CNAME at the zone apex",
                format!(
                    "A CNAME record cannot be at the zone apex {domain}, where the zone's own \
                     SOA and NS records are. Use an A or AAAA record there, or put the CNAME on \
                     a name below the apex such as \"www\"."
                ),
            ),
            Ok(_) => {}
        }
    }
    let Some(rtype) = rtype else {
        return diags;
    };
    // The model reads an unknown priority as absent too: only a null one is checked now.
    if !config.get("priority").is_some_and(Value::is_unknown) {
        if let Some(problem) = priority_problem(rtype, c.priority) {
            diags.attribute_error(
                AttributePath::new("priority"),
                "Invalid priority",
                format!("{problem}."),
            );
        }
    }
    let Some(values) = c.values else {
        return diags;
    };
    for v in values.iter().flatten() {
        if let Some(problem) = value_problem(rtype, v) {
            diags.attribute_error(
                AttributePath::new("values"),
                format!("Invalid {rtype} record value"),
                format!("{problem}."),
            );
        }
    }
    if let Some(strings) = values.into_iter().collect::<Option<Vec<&str>>>() {
        if let Some(problem) = set_problem(rtype, &strings) {
            diags.attribute_error(
                AttributePath::new("values"),
                format!("Invalid {rtype} record values"),
                format!("{problem}."),
            );
        }
    }
    diags
}

/// The planned record of a create or update.
fn planned_record(planned: &Value) -> Result<RecordModel, Diagnostics> {
    // A model reads unknown values as absent ("Missing values"): name the real problem.
    if known_strings(planned.get("values").unwrap_or(&Value::Null)).is_none() {
        return Err(Diagnostic::error(
            "Record values not known",
            "The record's values are still unknown at apply time; this is a bug in the \
             provider or in a provider that computes them.",
        )
        .with_attribute(AttributePath::new("values"))
        .into());
    }
    model::get(planned)
}

/// The request body for a planned record.
struct Body {
    name: String,
    rtype: String,
    values: Vec<String>,
    ttl: i64,
}

impl Body {
    fn new(plan: &RecordModel) -> Result<Body, Diagnostics> {
        let rtype = &plan.rtype;
        let name = full_record_name(&plan.name, &plan.domain).map_err(|p| {
            Diagnostics::from(
                Diagnostic::error("Invalid record name", p)
                    .with_attribute(AttributePath::new("name")),
            )
        })?;
        let priority = plan.priority.filter(|_| has_priority(rtype));
        Ok(Body {
            // The public record has no priority: an MX record's preference leads its value
            // (`10 mail.example.com`).
            values: plan
                .values
                .iter()
                .map(|v| match priority {
                    Some(p) => format!("{p} {}", wire_value(rtype, v)),
                    None => wire_value(rtype, v),
                })
                .collect(),
            name,
            ttl: plan.ttl,
            rtype: rtype.clone(),
        })
    }

    fn input(&self) -> RecordInput<'_> {
        RecordInput {
            name: &self.name,
            record_type: &self.rtype,
            values: &self.values,
            ttl: self.ttl,
        }
    }
}

#[async_trait]
impl ModelResource for RecordResource {
    type Model = RecordModel;
    type_metadata!();

    fn planned(planned: &Value) -> Result<RecordModel, Diagnostics> {
        planned_record(planned)
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        validate_record(config)
    }

    async fn modify_plan(&self, _ctx: &mut Ctx, plan: &mut PlanRequest) -> Diagnostics {
        if let Err(d) = plan_project(plan, &self.shared) {
            return d;
        }
        let prior = plan.prior_state.clone();
        match plan_spelling(&mut plan.planned_state, &plan.config, &prior) {
            Ok(()) => Diagnostics::new(),
            Err(d) => d,
        }
    }

    async fn create(&self, ctx: &mut Ctx, plan: RecordModel) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let client = &configured.client;
        let (project, domain) = (&plan.project_id, &plan.domain);
        let body = Body::new(&plan)?;
        match call(ctx, client.create_record(project, domain, &body.input())).await {
            Ok(record) => {
                let failed = not_published(&record);
                let state = self.state(record_model(record, Some(&plan)))?;
                match failed {
                    // Kept (tainted): the next apply replaces it once the cause is fixed.
                    Some(d) => {
                        ctx.partial_state = Some(state);
                        Err(d.into())
                    }
                    None => Ok(state),
                }
            }
            Err(e) => Err(write_error(ctx, client, project, domain, &body, None, &e).await),
        }
    }

    async fn read(&self, ctx: &mut Ctx, known: RecordModel) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let (project, domain, record_id) = (&known.project_id, &known.domain, &known.record_id);
        let request = configured.client.read_record(project, domain, record_id);
        // The record, or its whole zone, is gone: plan to create it again.
        let action = format!("read the record {record_id} of {domain}");
        match unless_gone(ctx, request, &action).await? {
            Some(record) => {
                if let Some(mut d) = not_published(&record) {
                    d.severity = crate::tfplugin::diag::Severity::Warning;
                    ctx.diagnostics.push(d);
                }
                self.state(record_model(record, Some(&known)))
            }
            None => Ok(Value::Null),
        }
    }

    async fn update(
        &self,
        ctx: &mut Ctx,
        prior: RecordModel,
        plan: RecordModel,
    ) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let client = &configured.client;
        let (project, domain, record_id) = (&prior.project_id, &prior.domain, &prior.record_id);
        let body = Body::new(&plan)?;
        match call(
            ctx,
            client.replace_record(project, domain, record_id, &body.input()),
        )
        .await
        {
            Ok(record) => {
                if let Some(d) = not_published(&record) {
                    return Err(d.into());
                }
                self.state(record_model(record, Some(&plan)))
            }
            Err(e) if e.is_not_found() => Err(Diagnostic::error(
                "Record disappeared",
                format!(
                    "The record {record_id} was deleted from {domain} outside Terraform while \
                     it was being updated. Run apply again: Terraform will create it anew."
                ),
            )
            .into()),
            Err(e) => {
                Err(write_error(ctx, client, project, domain, &body, Some(record_id), &e).await)
            }
        }
    }

    async fn delete(&self, ctx: &mut Ctx, prior: RecordModel) -> Result<(), Diagnostics> {
        let configured = self.shared.get()?;
        let (project, domain, record_id) = (&prior.project_id, &prior.domain, &prior.record_id);
        // The client counts a DELETE answered 404 as done.
        call(
            ctx,
            configured.client.delete_record(project, domain, record_id),
        )
        .await
        .map_err(|e| api_error(&format!("delete the record {record_id} of {domain}"), &e))
    }

    async fn import(&self, ctx: &mut Ctx, id: &str) -> Result<Value, Diagnostics> {
        let [project, domain, record_id] = import_parts(id, IMPORT_FORM)?;
        let configured = self.shared.get()?;
        let request = configured.client.get_record(&project, &domain, &record_id);
        let action = format!("import the record {record_id}");
        let record = found(ctx, request, &action, || {
            Diagnostic::error(
                "Record not found",
                format!(
                    "Cannot import {id:?}: the project {project} has no domain {domain} with a \
                     record {record_id}. The import ID has the form {IMPORT_FORM}; the \
                     `comwit_domain_records` data source lists a zone's record IDs."
                ),
            )
        })
        .await?;
        if let Some(host) = &record.managed_by() {
            return Err(managed_error(&record, host).into());
        }
        self.state(record_model(record, None))
    }

    fn identity(&self) -> Option<&IdentitySchema> {
        Some(&RECORD_IDENTITY)
    }

    fn identity_import_id(&self, identity: &Value) -> Result<String, Diagnostics> {
        record_import_id(identity, &self.shared)
    }
}

/// Keeps the prior spelling of `name` and `values` in the plan when the configuration says
/// the same thing differently (`WWW` for `www`, a trailing dot...): Terraform accepts the
/// prior value for an equivalent configuration value, so no change is planned. Also plans
/// `fqdn`, which follows from `name` and `domain`.
fn plan_spelling(planned: &mut Value, config: &Value, prior: &Value) -> Result<(), Diagnostics> {
    let c: RecordConfig = model::get(config)?;
    // Only a record of the same zone can keep its spelling.
    let same_zone =
        model::get::<Option<RecordModel>>(prior)?.filter(|p| Some(p.domain.as_str()) == c.domain);
    if let (Some(domain), Some(name)) = (c.domain, c.name) {
        if let Some(p) = &same_zone {
            if p.name != name && same_record_name(&p.name, name, domain) {
                set_attr(planned, "name", Value::string(&p.name));
            }
        }
        let fqdn = full_record_name(name, domain).map_or(Value::Unknown, Value::string);
        set_attr(planned, "fqdn", fqdn);
    }
    let wanted: Option<Vec<String>> = c
        .values
        .and_then(|v| v.into_iter().map(|x| x.map(str::to_string)).collect());
    if let (Some(rtype), Some(wanted), Some(p)) = (c.rtype, wanted, &same_zone) {
        if p.rtype == rtype && same_values(rtype, &wanted, &p.values) {
            let values = prior.get("values").cloned().unwrap_or(Value::Null);
            set_attr(planned, "values", values);
        }
    }
    Ok(())
}

/// A refused create or update: a conflict names the record in the way (and who owns it), a
/// taken name+type gets the command that imports the existing record.
async fn write_error(
    ctx: &Ctx,
    client: &Client,
    project: &str,
    domain: &str,
    body: &Body,
    updating: Option<&str>,
    err: &ApiError,
) -> Diagnostics {
    let (verb, name, rtype) = (
        if updating.is_some() {
            "update"
        } else {
            "create"
        },
        &body.name,
        &body.rtype,
    );
    let action = format!("{verb} the {rtype} record {name}");
    if err
        .as_status()
        .is_some_and(|s| s.code.eq_ignore_ascii_case("record_managed"))
    {
        let host = error_detail(err, "managed_by")
            .and_then(|h| h.as_str().map(str::to_string))
            .unwrap_or_else(|| "an Automatic DNS hostname".into());
        return Diagnostic::error(
            "Record managed by Automatic DNS",
            format!(
                "Could not {action}: the record belongs to the Automatic DNS hostname {host}, \
                 which keeps it up to date. Remove this `comwit_domain_record` from the \
                 configuration (and from the state with `terraform state rm`)."
            ),
        )
        .into();
    }
    if !err.is_conflict() {
        return api_error_at(&action, err, FIELDS);
    }
    let existing = call(ctx, client.list_records(project, domain))
        .await
        .ok()
        .unwrap_or_default();
    let clash = existing.iter().find(|r| {
        r.name == *name
            && Some(r.record_id.as_str()) != updating
            && (r.record_type == *rtype || r.record_type == "CNAME" || rtype == "CNAME")
    });
    let Some(clash) = clash else {
        return api_error(&action, err);
    };
    if let Some(host) = &clash.managed_by() {
        let mut d = managed_error(clash, host);
        d.detail = format!("Could not {action}: {}", d.detail);
        return d.with_attribute(AttributePath::new("name")).into();
    }
    let detail = if clash.record_type == *rtype {
        let how = if updating.is_none() {
            format!(
                " To manage the existing record with Terraform instead, import it:\n\n  \
                 terraform import {TYPE_NAME}.<name> {project}/{domain}/{id}\n\nor add an \
                 `import` block with `id = \"{project}/{domain}/{id}\"`.",
                id = clash.record_id
            )
        } else {
            String::new()
        };
        format!(
            "Could not {action}: the zone {domain} already has {} {rtype} record named {name} \
             ({}); a zone holds one record per name and type (put several values in one \
             record instead).{how}",
            article(rtype),
            clash.record_id
        )
    } else {
        format!(
            "Could not {action}: a CNAME cannot share its name with any other record, and \
             {name} already has {} {} record ({}). Remove that record or use another name.",
            article(&clash.record_type),
            clash.record_type,
            clash.record_id
        )
    };
    Diagnostic::error("Record name already used", detail)
        .with_attribute(AttributePath::new("name"))
        .into()
}

/// "a" or "an" before a record type, as it is read out ("an A record", "a TXT record").
fn article(rtype: &str) -> &'static str {
    if matches!(rtype, "A" | "AAAA" | "A_ALIAS" | "MX") {
        "an"
    } else {
        "a"
    }
}

/// The error for a record the platform accepted but could not publish (`last_error`).
fn not_published(record: &Record) -> Option<Diagnostic> {
    let why = record.error()?;
    Some(
        Diagnostic::error(
            "Record not published",
            format!(
                "The platform accepted the {} record {} ({}) but could not publish it into the \
                 zone: {why}. Fix what it names (often a value the DNS service refuses) and run \
                 apply again; a new record that failed is replaced, a changed one is sent again.",
                record.record_type, record.name, record.record_id
            ),
        )
        .with_attribute(AttributePath::new("values")),
    )
}

/// The error for a record that an Automatic DNS hostname owns.
fn managed_error(record: &Record, host: &str) -> Diagnostic {
    Diagnostic::error(
        "Record managed by Automatic DNS",
        format!(
            "The {} record {} ({}) is managed by the Automatic DNS hostname {host}{}, \
             which wrote it into the zone and keeps it up to date; it cannot be managed as a \
             `comwit_domain_record`. Manage the hostname (`comwit_app_hostname`) instead, or, \
             to publish your own records, switch that hostname to `dns_mode = \"manual\"` \
             first.",
            record.record_type,
            record.name,
            record.record_id,
            record
                .owner_app()
                .map(|app| format!(" of the app {app}"))
                .unwrap_or_default()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_the_platform_could_not_publish_is_an_error_naming_why() {
        let mut r =
            crate::provider::dns::fixtures::zone_record("www.example.com", "A", &["192.0.2.1"]);
        assert!(not_published(&r).is_none());
        r.last_error = Some("Route53 refused the change: InvalidChangeBatch".into());
        r.status = Some("failed".into());
        let d = not_published(&r).unwrap();
        assert_eq!(d.summary, "Record not published");
        assert!(
            d.detail.contains("InvalidChangeBatch") && d.detail.contains("dnsrec_1"),
            "{}",
            d.detail
        );
    }

    fn config(pairs: &[(&str, Value)]) -> Value {
        let mut v = schema().null_object();
        for (k, x) in pairs {
            set_attr(&mut v, k, x.clone());
        }
        v
    }

    fn strings(items: &[&str]) -> Value {
        Value::Set(items.iter().map(|s| Value::string(*s)).collect())
    }

    #[test]
    fn validation_per_type() {
        let ok = config(&[
            ("domain", Value::string("example.com")),
            ("name", Value::string("WWW.example.com.")),
            ("type", Value::string("CNAME")),
            ("values", strings(&["target.example.net."])),
        ]);
        assert!(validate_record(&ok).is_empty(), "{}", validate_record(&ok));
        // (attributes besides domain and name, attribute at fault, expected text)
        type Case = (Vec<(&'static str, Value)>, &'static str, &'static str);
        let cases: Vec<Case> = vec![
            (
                vec![
                    ("type", Value::string("A")),
                    ("values", strings(&["2001:db8::1"])),
                ],
                "values",
                "IPv4",
            ),
            (
                vec![
                    ("type", Value::string("CNAME")),
                    ("values", strings(&["a.example.net", "b.example.net"])),
                ],
                "values",
                "exactly one",
            ),
            (
                vec![
                    ("type", Value::string("CNAME")),
                    ("name", Value::string("@")),
                    ("values", strings(&["a.example.net"])),
                ],
                "name",
                "zone apex",
            ),
            (
                vec![
                    ("type", Value::string("MX")),
                    ("values", strings(&["mx.example.net"])),
                ],
                "priority",
                "need a `priority`",
            ),
            (
                vec![
                    ("type", Value::string("TXT")),
                    ("values", strings(&["x"])),
                    ("priority", Value::int(5)),
                ],
                "priority",
                "no priority",
            ),
            (
                vec![
                    ("name", Value::string("bad name")),
                    ("type", Value::string("A")),
                ],
                "name",
                "not a valid record name",
            ),
        ];
        for (pairs, attribute, want) in cases {
            let mut all = vec![
                ("domain", Value::string("example.com")),
                ("name", Value::string("www")),
            ];
            all.extend(pairs);
            let d = validate_record(&config(&all));
            assert!(d.has_errors(), "{want}");
            let text = d.to_string();
            assert!(text.contains(want), "{text} should contain {want}");
            assert!(
                d.iter()
                    .any(|x| x.attribute == Some(AttributePath::new(attribute))),
                "{text} should name {attribute}"
            );
        }
        // Unknown values are left for later.
        let unknown = config(&[
            ("domain", Value::string("example.com")),
            ("name", Value::string("www")),
            ("type", Value::string("CNAME")),
            ("values", Value::Set(vec![Value::Unknown])),
            ("priority", Value::Unknown),
        ]);
        assert!(validate_record(&unknown).is_empty());
    }

    #[test]
    fn equivalent_spellings_plan_the_prior_values() {
        let prior = config(&[
            ("domain", Value::string("example.com")),
            ("name", Value::string("www")),
            ("type", Value::string("CNAME")),
            ("values", strings(&["target.example.net"])),
        ]);
        for (name, value) in [
            ("WWW", "TARGET.example.net"),
            ("www.example.com", "target.example.net."),
            ("www.example.com.", "target.example.net"),
        ] {
            let cfg = config(&[
                ("domain", Value::string("example.com")),
                ("name", Value::string(name)),
                ("type", Value::string("CNAME")),
                ("values", strings(&[value])),
            ]);
            let mut planned = cfg.clone();
            plan_spelling(&mut planned, &cfg, &prior).unwrap();
            assert_eq!(planned.get("name"), prior.get("name"), "{name}");
            assert_eq!(planned.get("values"), prior.get("values"), "{value}");
            assert_eq!(planned.get("fqdn"), Some(&Value::string("www.example.com")));
        }
        // A real change stays a change.
        let cfg = config(&[
            ("domain", Value::string("example.com")),
            ("name", Value::string("api")),
            ("type", Value::string("CNAME")),
            ("values", strings(&["other.example.net"])),
        ]);
        let mut planned = cfg.clone();
        plan_spelling(&mut planned, &cfg, &prior).unwrap();
        assert_eq!(planned.get("name"), Some(&Value::string("api")));
        assert_eq!(planned.get("values"), cfg.get("values"));
        assert_eq!(planned.get("fqdn"), Some(&Value::string("api.example.com")));
    }

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<RecordModel>(&schema());
    }
}
