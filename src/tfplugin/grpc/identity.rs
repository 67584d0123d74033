//! Resource identity (Terraform 1.12+): the identity schemas, stored identities upgraded, and
//! the identity that goes with every state the resource adapters return. Clients that do not
//! know identity (Terraform 1.11, OpenTofu) never call these and ignore the identity fields.

use super::{decode, diags, encode, pb, ProviderService, ResourceEntry};
use crate::tfplugin::cty::{json, Value};
use crate::tfplugin::diag::{Diagnostic, Diagnostics};
use crate::tfplugin::resource::{IdentitySchema, Provider};

pub(super) fn get_resource_identity_schemas<P: Provider>(
    svc: &ProviderService<P>,
) -> pb::get_resource_identity_schemas::Response {
    let identity_schemas = svc
        .catalog()
        .resources
        .iter()
        .filter_map(|(name, entry)| Some((name.clone(), to_proto(entry.hooks.identity()?))))
        .collect();
    pb::get_resource_identity_schemas::Response {
        identity_schemas,
        diagnostics: vec![],
    }
}

fn to_proto(identity: &IdentitySchema) -> pb::ResourceIdentitySchema {
    pb::ResourceIdentitySchema {
        version: identity.version,
        identity_attributes: identity
            .attributes
            .iter()
            .map(|a| pb::resource_identity_schema::IdentityAttribute {
                name: a.name.clone(),
                r#type: a.ty.to_json().into_bytes(),
                required_for_import: a.required_for_import,
                optional_for_import: !a.required_for_import,
                description: a.description.clone(),
            })
            .collect(),
    }
}

/// A stored identity read into the current identity schema. Identities have had one version
/// so far, so this reads the JSON as it is, leaving out attributes the schema no longer has.
pub(super) fn upgrade_resource_identity<P: Provider>(
    svc: &ProviderService<P>,
    req: pb::upgrade_resource_identity::Request,
) -> pb::upgrade_resource_identity::Response {
    let result = (|| {
        let entry = svc.resource(&req.type_name)?;
        let ty = identity_type(entry)?;
        let raw = req.raw_identity.unwrap_or_default();
        let options = json::DecodeOptions {
            ignore_undefined_attributes: true,
        };
        let value = json::decode_value_with(&raw.json, ty, options).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Unable to read the stored identity",
                format!(
                    "The identity stored for this {} could not be read ({e}). Remove the \
                     resource from state and import it again.",
                    req.type_name
                ),
            ))
        })?;
        encode(&value, ty)
    })();
    match result {
        Ok(identity) => pb::upgrade_resource_identity::Response {
            upgraded_identity: Some(pb::ResourceIdentityData {
                identity_data: Some(identity),
            }),
            diagnostics: vec![],
        },
        Err(d) => pb::upgrade_resource_identity::Response {
            upgraded_identity: None,
            diagnostics: diags(d),
        },
    }
}

fn identity_type(entry: &ResourceEntry) -> Result<&crate::tfplugin::cty::Type, Diagnostics> {
    entry.identity_ty.as_ref().ok_or_else(|| {
        Diagnostic::error(
            "Resource has no identity",
            format!(
                "The resource type {} has no identity; import it by its import ID.",
                entry.hooks.type_name()
            ),
        )
        .into()
    })
}

/// The identity to send with a state: none for a resource without identity, a null state (a
/// deleted object), or a planned state whose naming attributes are not all known yet (a create
/// or a replacement, where Terraform accepts no identity; a partly unknown one it may refuse).
/// Sent whether or not this process was asked for the identity schemas: Terraform asks the
/// process it reads schemas from, then reads, plans and applies in fresh ones that it asks
/// nothing (seen with Terraform 1.15), and an identity that is encoded and ignored costs
/// a client that knows none (1.11) only a few bytes.
pub(super) fn of_state(
    entry: &ResourceEntry,
    state: &Value,
) -> Result<Option<pb::ResourceIdentityData>, Diagnostics> {
    let (Some(identity), Some(ty)) = (entry.hooks.identity(), &entry.identity_ty) else {
        return Ok(None);
    };
    if state.is_null() {
        return Ok(None);
    }
    let value = identity.of_state(state);
    if value.contains_unknown() {
        return Ok(None);
    }
    Ok(Some(pb::ResourceIdentityData {
        identity_data: Some(encode(&value, ty)?),
    }))
}

/// The identity of an `import { identity = {..} }` request.
pub(super) fn decode_requested(
    entry: &ResourceEntry,
    data: &pb::ResourceIdentityData,
) -> Result<Value, Diagnostics> {
    decode(
        data.identity_data.as_ref(),
        identity_type(entry)?,
        "identity",
    )
}

#[cfg(test)]
mod tests {
    use tonic::Request;

    use super::super::testing::{answer, msgpack, service};
    use super::pb;
    use crate::tfplugin::cty::{Type, Value};
    use crate::tfplugin::proto::tfplugin6::provider_server::Provider as _;

    fn named(name: &str) -> Value {
        Value::object([("name", Value::string(name))])
    }

    fn ty() -> Type {
        Type::object([("name", Type::String)])
    }

    #[tokio::test]
    async fn identity_schemas_are_listed() {
        let svc = service();
        let schemas = answer(svc.get_resource_identity_schemas(Request::new(
            pb::get_resource_identity_schemas::Request {},
        )))
        .await;
        let slow = &schemas.identity_schemas["test_slow"];
        assert_eq!(slow.identity_attributes[0].name, "name");
        assert_eq!(slow.identity_attributes[0].r#type, b"\"string\"");
        assert!(slow.identity_attributes[0].required_for_import);
    }

    #[tokio::test]
    async fn read_and_import_by_identity_return_the_identity() {
        // A fresh service never asked for the identity schemas, as in Terraform's plan.
        let svc = service();
        let read = answer(svc.read_resource(Request::new(pb::read_resource::Request {
            type_name: "test_slow".into(),
            current_state: Some(msgpack(&named("a"), &ty())),
            ..Default::default()
        })))
        .await;
        let identity = read.new_identity.unwrap().identity_data.unwrap();
        assert_eq!(identity, msgpack(&named("a"), &ty()));

        let imported = answer(svc.import_resource_state(Request::new(
            pb::import_resource_state::Request {
                type_name: "test_slow".into(),
                identity: Some(pb::ResourceIdentityData {
                    identity_data: Some(msgpack(&named("b"), &ty())),
                }),
                ..Default::default()
            },
        )))
        .await;
        assert!(
            imported.diagnostics.is_empty(),
            "{:?}",
            imported.diagnostics
        );
        let resource = &imported.imported_resources[0];
        assert_eq!(resource.state, Some(msgpack(&named("b"), &ty())));
        let identity = resource.identity.as_ref().unwrap().identity_data.as_ref();
        assert_eq!(identity, Some(&msgpack(&named("b"), &ty())));
    }

    #[tokio::test]
    async fn a_stored_identity_is_upgraded_from_json() {
        let svc = service();
        let upgraded = answer(svc.upgrade_resource_identity(Request::new(
            pb::upgrade_resource_identity::Request {
                type_name: "test_slow".into(),
                version: 0,
                raw_identity: Some(pb::RawState {
                    json: br#"{"name":"a","gone":1}"#.to_vec(),
                    ..Default::default()
                }),
            },
        )))
        .await;
        assert!(
            upgraded.diagnostics.is_empty(),
            "{:?}",
            upgraded.diagnostics
        );
        let identity = upgraded.upgraded_identity.unwrap().identity_data.unwrap();
        assert_eq!(identity, msgpack(&named("a"), &ty()));
    }
}
