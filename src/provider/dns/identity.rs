//! The identities (Terraform 1.12+) of `comwit_domain`, `comwit_domain_record` and
//! `comwit_app_hostname`: the attributes of their states that name the platform object, and
//! the import ID an `import { identity = {..} }` block stands for, after its parts are checked.
//!
//! `comwit_app_hostname_verification` has none: it is a wait recorded in the state, not an
//! object of the platform, so there is nothing of its own to name or to find with a list.

use std::sync::LazyLock;

use crate::provider::common::is_platform_id;
use crate::provider::{query, Shared};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::resource::{IdentityAttribute, IdentitySchema};

use super::names::{custom_hostname_problem, MAX_APP_HOSTNAME, MAX_FQDN};

/// What an identity attribute holds, to check it before anything is read.
#[derive(Clone, Copy)]
enum Part {
    /// A platform ID: the noun (with its article) and the prefix.
    Id(&'static str, &'static str),
    /// A domain or hostname of at most this many characters.
    Name(usize),
}

/// An identity attribute, by the import ID's order.
struct Named {
    name: &'static str,
    part: Part,
}

const PROJECT: Named = Named {
    name: "project_id",
    part: Part::Id("a project", "prj"),
};

/// The parts of each identity, in the order of the type's import ID.
const DOMAIN: [Named; 2] = [
    PROJECT,
    Named {
        name: "domain",
        part: Part::Name(MAX_FQDN),
    },
];
const RECORD: [Named; 3] = [
    PROJECT,
    Named {
        name: "domain",
        part: Part::Name(MAX_FQDN),
    },
    Named {
        name: "record_id",
        part: Part::Id("a record", "rec"),
    },
];
const HOSTNAME: [Named; 3] = [
    PROJECT,
    Named {
        name: "app_id",
        part: Part::Id("an app", "app"),
    },
    Named {
        name: "hostname",
        part: Part::Name(MAX_APP_HOSTNAME),
    },
];

const DOMAIN_DESCRIPTION: &str =
    "The domain, lowercase and without a trailing dot (`example.com`).";

pub(super) static DOMAIN_IDENTITY: LazyLock<IdentitySchema> = LazyLock::new(|| {
    IdentitySchema::new(vec![
        query::project_identity(),
        IdentityAttribute::required("domain", DOMAIN_DESCRIPTION),
    ])
});

pub(super) static RECORD_IDENTITY: LazyLock<IdentitySchema> = LazyLock::new(|| {
    IdentitySchema::new(vec![
        query::project_identity(),
        IdentityAttribute::required(
            "domain",
            "The project domain whose zone holds the record, lowercase and without a trailing \
             dot (`example.com`).",
        ),
        IdentityAttribute::required("record_id", "The record's ID (`rec_` and 16 hex digits)."),
    ])
});

pub(super) static HOSTNAME_IDENTITY: LazyLock<IdentitySchema> = LazyLock::new(|| {
    IdentitySchema::new(vec![
        query::project_identity(),
        IdentityAttribute::required(
            "app_id",
            "The app the hostname is attached to (`app_` and 16 hex digits).",
        ),
        IdentityAttribute::required(
            "hostname",
            "The hostname, lowercase and without a trailing dot (`www.example.com`).",
        ),
    ])
});

/// The import ID (`<project_id>/<domain>`) of a `comwit_domain` identity.
pub(super) fn domain_import_id(identity: &Value, shared: &Shared) -> Result<String, Diagnostics> {
    import_id(identity, &DOMAIN, "comwit_domain", shared)
}

/// The import ID (`<project_id>/<domain>/<record_id>`) of a `comwit_domain_record` identity.
pub(super) fn record_import_id(identity: &Value, shared: &Shared) -> Result<String, Diagnostics> {
    import_id(identity, &RECORD, "comwit_domain_record", shared)
}

/// The import ID (`<project_id>/<app_id>/<hostname>`) of a `comwit_app_hostname` identity.
pub(super) fn hostname_import_id(identity: &Value, shared: &Shared) -> Result<String, Diagnostics> {
    import_id(identity, &HOSTNAME, "comwit_app_hostname", shared)
}

/// Checks every part the identity sets, so that a mistyped one is named with its attribute
/// instead of answered "not found", then joins them (a null `project_id` is the provider's).
fn import_id(
    identity: &Value,
    parts: &[Named],
    list: &str,
    shared: &Shared,
) -> Result<String, Diagnostics> {
    for Named { name, part } in parts {
        let Some(given) = identity.get(name).and_then(Value::as_str) else {
            continue;
        };
        if given.is_empty() {
            continue;
        }
        let problem = match *part {
            Part::Id(noun, prefix) => (!is_platform_id(given, prefix)).then(|| {
                format!(
                    "it is not {noun} ID: those are `{prefix}_` followed by 16 lowercase hex \
                     digits, as the platform gives them"
                )
            }),
            Part::Name(max) => custom_hostname_problem(given, max),
        };
        if let Some(problem) = problem {
            return Err(Diagnostic::error(
                format!("Invalid {name} in the identity"),
                format!(
                    "The import block's `identity` sets `{name}` to {given:?}, but {problem}. \
                     Correct it in the `identity` block (`terraform query` with a `{list}` \
                     list block prints the identities of existing objects)."
                ),
            )
            .with_attribute(AttributePath::new(*name))
            .into());
        }
    }
    let names: Vec<&str> = parts.iter().map(|p| p.name).collect();
    query::import_id(identity, &names, shared)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRJ: &str = "prj_0123456789abcdef";

    fn identity(pairs: &[(&str, Option<&str>)]) -> Value {
        Value::object(
            pairs
                .iter()
                .map(|(k, v)| (*k, v.map_or(Value::Null, Value::string))),
        )
    }

    fn required(schema: &IdentitySchema) -> Vec<(&str, bool)> {
        schema
            .attributes
            .iter()
            .map(|a| (a.name.as_str(), a.required_for_import))
            .collect()
    }

    #[test]
    fn identities_name_the_objects_in_import_id_order() {
        assert_eq!(
            required(&DOMAIN_IDENTITY),
            [("project_id", false), ("domain", true)]
        );
        assert_eq!(
            required(&RECORD_IDENTITY),
            [("project_id", false), ("domain", true), ("record_id", true)]
        );
        assert_eq!(
            required(&HOSTNAME_IDENTITY),
            [("project_id", false), ("app_id", true), ("hostname", true)]
        );
        for (schema, parts) in [
            (&*DOMAIN_IDENTITY, &DOMAIN[..]),
            (&*RECORD_IDENTITY, &RECORD[..]),
            (&*HOSTNAME_IDENTITY, &HOSTNAME[..]),
        ] {
            let names: Vec<&str> = schema.attributes.iter().map(|a| a.name.as_str()).collect();
            let order: Vec<&str> = parts.iter().map(|p| p.name).collect();
            assert_eq!(names, order);
            assert!(schema.attributes.iter().all(|a| !a.description.is_empty()));
        }
    }

    #[test]
    fn identities_become_import_ids() {
        let shared = Shared::default();
        let id = domain_import_id(
            &identity(&[("project_id", Some(PRJ)), ("domain", Some("example.com"))]),
            &shared,
        );
        assert_eq!(id.unwrap(), format!("{PRJ}/example.com"));
        let id = record_import_id(
            &identity(&[
                ("project_id", Some(PRJ)),
                ("domain", Some("example.com")),
                ("record_id", Some("rec_00000000000000aa")),
            ]),
            &shared,
        );
        assert_eq!(
            id.unwrap(),
            format!("{PRJ}/example.com/rec_00000000000000aa")
        );
        let id = hostname_import_id(
            &identity(&[
                ("project_id", Some(PRJ)),
                ("app_id", Some("app_00000000000000aa")),
                ("hostname", Some("www.example.com")),
            ]),
            &shared,
        );
        assert_eq!(
            id.unwrap(),
            format!("{PRJ}/app_00000000000000aa/www.example.com")
        );
    }

    #[test]
    fn mistyped_or_missing_parts_are_named() {
        let shared = Shared::default();
        let record = |project: Option<&str>, domain: Option<&str>, id: Option<&str>| {
            identity(&[
                ("project_id", project),
                ("domain", domain),
                ("record_id", id),
            ])
        };
        let rec = Some("rec_00000000000000aa");
        let cases = [
            (
                record(Some(PRJ), Some("example.com"), Some("www/1")),
                "Invalid record_id in the identity",
                "record_id",
                "not a record ID",
            ),
            (
                record(Some(PRJ), Some("Example.com."), rec),
                "Invalid domain in the identity",
                "domain",
                "trailing dot",
            ),
            (
                record(Some("my shop"), Some("example.com"), rec),
                "Invalid project_id in the identity",
                "project_id",
                "not a project ID",
            ),
            (
                record(Some(PRJ), None, rec),
                "Missing domain",
                "domain",
                "must set `domain`",
            ),
            // No `project_id` and no provider default (not configured).
            (
                record(None, Some("example.com"), rec),
                "Missing project_id",
                "project_id",
                "provider block",
            ),
        ];
        for (id, summary, at, detail) in cases {
            let d = record_import_id(&id, &shared).unwrap_err();
            let e = d.iter().next().unwrap();
            assert_eq!(e.summary, summary, "{d}");
            assert_eq!(e.attribute, Some(AttributePath::new(at)));
            assert!(e.detail.contains(detail), "{}", e.detail);
        }
        let d = hostname_import_id(
            &identity(&[
                ("project_id", Some(PRJ)),
                ("app_id", Some("web app")),
                ("hostname", Some("www.example.com")),
            ]),
            &shared,
        )
        .unwrap_err();
        assert!(d.to_string().contains("not an app ID"), "{d}");
        assert!(d.to_string().contains("comwit_app_hostname"), "{d}");
        let d = hostname_import_id(
            &identity(&[
                ("project_id", Some(PRJ)),
                ("app_id", Some("app_00000000000000aa")),
                ("hostname", Some("web-1.comwit.app")),
            ]),
            &shared,
        )
        .unwrap_err();
        assert!(d.to_string().contains("belong to the platform"), "{d}");
    }

    #[tokio::test]
    async fn the_resources_import_identities_like_their_ids() {
        use crate::tfplugin::resource::{Ctx, StopSignal};
        let resources = super::super::resources(&Shared::default());
        let (_tx, stop) = StopSignal::new();
        let mut ctx = Ctx::new(stop, Default::default(), Vec::new());
        let good = [
            (
                "comwit_domain",
                identity(&[("project_id", Some(PRJ)), ("domain", Some("example.com"))]),
            ),
            (
                "comwit_domain_record",
                identity(&[
                    ("project_id", Some(PRJ)),
                    ("domain", Some("example.com")),
                    ("record_id", Some("rec_00000000000000aa")),
                ]),
            ),
            (
                "comwit_app_hostname",
                identity(&[
                    ("project_id", Some(PRJ)),
                    ("app_id", Some("app_00000000000000aa")),
                    ("hostname", Some("www.example.com")),
                ]),
            ),
        ];
        for (type_name, id) in good {
            let r = resources
                .iter()
                .find(|r| r.type_name() == type_name)
                .unwrap();
            // A well-formed identity goes on to the import itself (here: not configured).
            let d = r.import_identity(&mut ctx, &id).await.unwrap_err();
            assert!(d.to_string().contains("not configured"), "{type_name}: {d}");
            // A mistyped one stops before.
            let mut bad = id.clone();
            crate::provider::common::set_attr(&mut bad, "project_id", Value::string("shop/1"));
            let d = r.import_identity(&mut ctx, &bad).await.unwrap_err();
            assert!(
                d.to_string().contains("Invalid project_id"),
                "{type_name}: {d}"
            );
        }
    }
}
