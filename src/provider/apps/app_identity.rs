//! The identity of `comwit_app` (Terraform 1.12+): its project and its ID, the same attributes
//! as in its state, and the import ID an `import { identity = {..} }` block stands for.

use std::sync::LazyLock;

use crate::provider::{query, Shared};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::resource::{IdentityAttribute, IdentitySchema};

/// An app is named by its project and its ID, in the order of the import ID.
const IDENTITY_ORDER: [&str; 2] = ["project_id", "app_id"];

pub(super) static IDENTITY: LazyLock<IdentitySchema> = LazyLock::new(|| {
    IdentitySchema::new(vec![
        query::project_identity(),
        IdentityAttribute::required("app_id", "The app's ID, as the platform gives it."),
    ])
});

/// The import ID (`<project_id>/<app_id>`) of an identity. IDs are opaque: only an empty
/// one, whitespace or a `/` (which would split the import ID) is named with its attribute here;
/// anything else is looked up. A null `project_id` is the provider's.
pub(super) fn import_id(identity: &Value, shared: &Shared) -> Result<String, Diagnostics> {
    for name in IDENTITY_ORDER {
        if let Some(id) = identity.get(name).and_then(Value::as_str) {
            if !super::is_opaque_id(id) {
                return Err(Diagnostic::error(
                    format!("Invalid {name} in the identity"),
                    format!(
                        "The import block's `identity` sets `{name}` to {id:?}, which cannot \
                         be an ID: IDs are not empty and hold no whitespace or `/`. Correct it \
                         in the `identity` block (`terraform query` with a `comwit_app` list \
                         block, or the `comwit_app` data source, finds the IDs)."
                    ),
                )
                .with_attribute(AttributePath::new(name))
                .into());
            }
        }
    }
    query::import_id(identity, &IDENTITY_ORDER, shared)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::apps::app::{schema, AppResource};
    use crate::tfplugin::resource::{Ctx, Resource, StopSignal};

    fn identity(project: Value, app: Value) -> Value {
        Value::object([("project_id", project), ("app_id", app)])
    }

    #[test]
    fn the_identity_names_the_project_and_the_app() {
        let names: Vec<(&str, bool)> = IDENTITY
            .attributes
            .iter()
            .map(|a| (a.name.as_str(), a.required_for_import))
            .collect();
        assert_eq!(names, [("project_id", false), ("app_id", true)]);
        // Described, and named as the state's attributes, which the protocol layer takes.
        let schema = schema();
        for a in &IDENTITY.attributes {
            assert!(!a.description.is_empty(), "{}", a.name);
            assert!(schema.block.attributes.iter().any(|s| s.name == a.name));
        }
        let state = Value::object([
            ("project_id", Value::string("prj_0123456789abcdef")),
            ("app_id", Value::string("app_00000000000000aa")),
            ("name", Value::string("web")),
        ]);
        assert_eq!(
            IDENTITY.of_state(&state),
            identity(
                Value::string("prj_0123456789abcdef"),
                Value::string("app_00000000000000aa")
            )
        );
        let text = &schema.block.description;
        assert!(text.contains("identity = { project_id"), "{text}");
        assert!(text.contains("terraform query"), "{text}");
    }

    #[test]
    fn identities_become_import_ids_after_their_ids_are_checked() {
        let shared = Shared::default();
        let prj = Value::string("prj_0123456789abcdef");
        let app = Value::string("app_0123456789abcdef");
        let id = import_id(&identity(prj.clone(), app.clone()), &shared).unwrap();
        assert_eq!(id, "prj_0123456789abcdef/app_0123456789abcdef");
        let cases = [
            (
                identity(prj.clone(), Value::string("a/b")),
                "Invalid app_id in the identity",
                "app_id",
            ),
            (
                identity(Value::string("my project"), app.clone()),
                "Invalid project_id in the identity",
                "project_id",
            ),
            (identity(prj, Value::Null), "Missing app_id", "app_id"),
            // No `project_id` and no provider default (not configured).
            (
                identity(Value::Null, app),
                "Missing project_id",
                "project_id",
            ),
        ];
        for (id, summary, at) in cases {
            let d = import_id(&id, &shared).unwrap_err();
            let e = d.iter().next().unwrap();
            assert_eq!(e.summary, summary, "{d}");
            assert_eq!(e.attribute, Some(AttributePath::new(at)));
            assert!(e.detail.contains("identity"), "{}", e.detail);
        }
        // Opaque: any other shape is an ID to look up.
        let id = import_id(
            &identity(Value::string("p-1"), Value::string("app-xxx")),
            &shared,
        )
        .unwrap();
        assert_eq!(id, "p-1/app-xxx");
    }

    #[tokio::test]
    async fn the_resource_imports_an_identity_like_its_id() {
        let r = AppResource::new(Shared::default());
        assert!(r.identity().is_some());
        let (_tx, stop) = StopSignal::new();
        let mut ctx = Ctx::new(stop, Default::default(), Vec::new());
        let good = identity(
            Value::string("prj_0123456789abcdef"),
            Value::string("app_0123456789abcdef"),
        );
        // The import itself runs: here it needs a configured provider.
        let d = r.import_identity(&mut ctx, &good).await.unwrap_err();
        assert!(d.to_string().contains("not configured"), "{d}");
        let bad = identity(Value::Null, Value::string(""));
        let d = r.import_identity(&mut ctx, &bad).await.unwrap_err();
        assert!(d.to_string().contains("Invalid app_id"), "{d}");
    }
}
