//! Generated protobuf / gRPC bindings for everything Terraform speaks to us.
//!
//! The definitions live in `proto/` and are compiled by `build.rs` (protox +
//! tonic-prost-build, no system `protoc`):
//!
//! * [`tfplugin6`]: the Terraform plugin protocol 6.10 (`tfplugin6.Provider`).
//! * [`plugin`]: go-plugin's side services (`plugin.GRPCController`,
//!   `plugin.GRPCStdio`, `plugin.GRPCBroker`).
//! * [`health`]: the standard gRPC health service (`grpc.health.v1.Health`).
//!
//! Each module holds the prost message types plus a `*_server` module (used by
//! the provider) and a `*_client` module (used by tests).
//!
//! Note: `schema::Object::{min_items, max_items}` are marked deprecated in the
//! protocol; build that message with `..Default::default()` rather than naming
//! those fields.

/// Modules of generated bindings, one a package: generated code is not held to our lints.
macro_rules! generated {
    ($($(#[$doc:meta])* $name:ident => $package:literal;)*) => {$(
        $(#[$doc])*
        #[allow(
            clippy::all,
            clippy::pedantic,
            clippy::nursery,
            missing_docs,
            rustdoc::all,
            unreachable_pub
        )]
        pub mod $name {
            tonic::include_proto!($package);
        }
    )*};
}

generated! {
    /// Terraform plugin protocol, major version 6 (package `tfplugin6`).
    tfplugin6 => "tfplugin6";
    /// go-plugin services (package `plugin`).
    plugin => "plugin";
    /// gRPC health checking (package `grpc.health.v1`).
    health => "grpc.health.v1";
}

/// Encoded `google.protobuf.FileDescriptorSet` of every file in `proto/`
/// (with imports), as compiled by `build.rs`.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/comwit_protos.bin"));

#[cfg(test)]
mod tests {
    use super::FILE_DESCRIPTOR_SET;
    use prost::Message as _;
    use prost_types::field_descriptor_proto::{Label, Type};
    use prost_types::{DescriptorProto, FieldDescriptorProto, FileDescriptorSet};

    fn fds() -> FileDescriptorSet {
        FileDescriptorSet::decode(FILE_DESCRIPTOR_SET).expect("descriptor set decodes")
    }

    /// Finds a message by its dotted path inside `package`, e.g.
    /// `("tfplugin6", "PlanResourceChange.Request")`.
    fn message(set: &FileDescriptorSet, package: &str, path: &str) -> DescriptorProto {
        let mut parts = path.split('.');
        let first = parts.next().unwrap();
        let file = set
            .file
            .iter()
            .find(|f| f.package() == package && f.message_type.iter().any(|m| m.name() == first))
            .unwrap_or_else(|| panic!("no top-level message {package}.{first}"));
        let mut msg = file
            .message_type
            .iter()
            .find(|m| m.name() == first)
            .unwrap();
        for part in parts {
            msg = msg
                .nested_type
                .iter()
                .find(|m| m.name() == part)
                .unwrap_or_else(|| panic!("no nested message {path} (at {part})"));
        }
        msg.clone()
    }

    fn field(
        set: &FileDescriptorSet,
        package: &str,
        path: &str,
        name: &str,
    ) -> FieldDescriptorProto {
        message(set, package, path)
            .field
            .into_iter()
            .find(|f| f.name() == name)
            .unwrap_or_else(|| panic!("no field {package}.{path}.{name}"))
    }

    /// (message path, field, number, type, repeated?); one row a line, as a table reads.
    #[rustfmt::skip]
    const TFPLUGIN6_FIELDS: &[(&str, &str, i32, Type, bool)] = &[
        ("DynamicValue",                    "msgpack",                        1,  Type::Bytes,   false),
        ("DynamicValue",                    "json",                           2,  Type::Bytes,   false),
        ("Diagnostic",                      "attribute",                      4,  Type::Message, false),
        ("AttributePath.Step",              "element_key_int",                3,  Type::Int64,   false),
        ("StopProvider.Response",           "Error",                          1,  Type::String,  false),
        ("Schema.Attribute",                "nested_type",                    10, Type::Message, false),
        ("Schema.Attribute",                "write_only",                     11, Type::Bool,    false),
        ("Schema.Object",                   "nesting",                        3,  Type::Enum,    false),
        ("ClientCapabilities",              "deferral_allowed",               1,  Type::Bool,    false),
        ("ClientCapabilities",              "write_only_attributes_allowed",  2,  Type::Bool,    false),
        ("ServerCapabilities",              "move_resource_state",            3,  Type::Bool,    false),
        ("ServerCapabilities",              "generate_resource_config",       4,  Type::Bool,    false),
        ("GetProviderSchema.Response",      "resource_schemas",               2,  Type::Message, true),
        ("GetProviderSchema.Response",      "diagnostics",                    4,  Type::Message, true),
        ("GetProviderSchema.Response",      "functions",                      7,  Type::Message, true),
        ("GetProviderSchema.Response",      "action_schemas",                 11, Type::Message, true),
        ("ValidateProviderConfig.Response", "diagnostics",                    2,  Type::Message, true),
        ("ReadResource.Request",            "current_identity",               6,  Type::Message, false),
        ("PlanResourceChange.Request",      "prior_state",                    2,  Type::Message, false),
        ("PlanResourceChange.Request",      "prior_private",                  5,  Type::Bytes,   false),
        ("PlanResourceChange.Request",      "client_capabilities",            7,  Type::Message, false),
        ("PlanResourceChange.Request",      "prior_identity",                 8,  Type::Message, false),
        ("PlanResourceChange.Response",     "requires_replace",               2,  Type::Message, true),
        ("PlanResourceChange.Response",     "legacy_type_system",             5,  Type::Bool,    false),
        ("PlanResourceChange.Response",     "deferred",                       6,  Type::Message, false),
        ("ApplyResourceChange.Request",     "planned_private",                5,  Type::Bytes,   false),
        ("ApplyResourceChange.Request",     "planned_identity",               7,  Type::Message, false),
        ("ApplyResourceChange.Response",    "private",                        2,  Type::Bytes,   false),
        ("ApplyResourceChange.Response",    "diagnostics",                    3,  Type::Message, true),
        ("ImportResourceState.Request",     "identity",                       4,  Type::Message, false),
        ("MoveResourceState.Request",       "source_identity_schema_version", 8,  Type::Int64,   false),
        ("OpenEphemeralResource.Response",  "renew_at",                       2,  Type::Message, false),
        ("ListResource.Event",              "diagnostic",                     4,  Type::Message, true),
        ("WriteStateBytes.RequestChunk",    "meta",                           1,  Type::Message, false),
        ("WriteStateBytes.RequestChunk",    "total_length",                   3,  Type::Int64,   false),
        ("ReadStateBytes.ResponseChunk",    "range",                          3,  Type::Message, false),
        ("GetMetadata.Response",            "actions",                        9,  Type::Message, true),
    ];

    #[test]
    fn tfplugin6_field_numbers_match_the_protocol() {
        let set = fds();
        for &(msg, name, number, ty, repeated) in TFPLUGIN6_FIELDS {
            let f = field(&set, "tfplugin6", msg, name);
            assert_eq!(f.number(), number, "tfplugin6.{msg}.{name} number");
            assert_eq!(f.r#type(), ty, "tfplugin6.{msg}.{name} type");
            let label = if repeated {
                Label::Repeated
            } else {
                Label::Optional
            };
            assert_eq!(f.label(), label, "tfplugin6.{msg}.{name} label");
        }
    }

    #[test]
    fn tfplugin6_oneofs_and_proto3_optionals() {
        let set = fds();
        // Real oneof: both members share oneof index 0 and are not proto3-optional.
        for name in ["progress", "completed"] {
            let f = field(&set, "tfplugin6", "InvokeAction.Event", name);
            assert_eq!(f.oneof_index, Some(0));
            assert!(!f.proto3_optional());
        }
        // proto3 `optional` fields (synthetic oneofs).
        for (msg, name) in [
            ("FunctionError", "function_argument"),
            ("OpenEphemeralResource.Response", "private"),
            ("ListResource.Event", "resource_object"),
            ("WriteStateBytes.RequestChunk", "meta"),
        ] {
            assert!(
                field(&set, "tfplugin6", msg, name).proto3_optional(),
                "{msg}.{name}"
            );
        }
    }

    #[test]
    fn provider_service_shape() {
        let set = fds();
        let file = set
            .file
            .iter()
            .find(|f| f.package() == "tfplugin6")
            .unwrap();
        assert_eq!(file.service.len(), 1);
        let svc = &file.service[0];
        assert_eq!(svc.name(), "Provider");
        let method = |n: &str| {
            svc.method
                .iter()
                .find(|m| m.name() == n)
                .unwrap_or_else(|| panic!("no rpc {n}"))
        };
        // (rpc, client streaming, server streaming)
        let expected = [
            ("GetMetadata", false, false),
            ("GetProviderSchema", false, false),
            ("ValidateProviderConfig", false, false),
            ("ValidateResourceConfig", false, false),
            ("ValidateDataResourceConfig", false, false),
            ("UpgradeResourceState", false, false),
            ("GetResourceIdentitySchemas", false, false),
            ("UpgradeResourceIdentity", false, false),
            ("ConfigureProvider", false, false),
            ("ReadResource", false, false),
            ("PlanResourceChange", false, false),
            ("ApplyResourceChange", false, false),
            ("ImportResourceState", false, false),
            ("MoveResourceState", false, false),
            ("ReadDataSource", false, false),
            ("GenerateResourceConfig", false, false),
            ("ValidateEphemeralResourceConfig", false, false),
            ("OpenEphemeralResource", false, false),
            ("RenewEphemeralResource", false, false),
            ("CloseEphemeralResource", false, false),
            ("ListResource", false, true),
            ("ValidateListResourceConfig", false, false),
            ("GetFunctions", false, false),
            ("CallFunction", false, false),
            ("ValidateStateStoreConfig", false, false),
            ("ConfigureStateStore", false, false),
            ("ReadStateBytes", false, true),
            ("WriteStateBytes", true, false),
            ("LockState", false, false),
            ("UnlockState", false, false),
            ("GetStates", false, false),
            ("DeleteState", false, false),
            ("PlanAction", false, false),
            ("InvokeAction", false, true),
            ("ValidateActionConfig", false, false),
            ("StopProvider", false, false),
        ];
        assert_eq!(svc.method.len(), expected.len());
        for (name, client_streaming, server_streaming) in expected {
            let m = method(name);
            assert_eq!(
                m.client_streaming(),
                client_streaming,
                "{name} client streaming"
            );
            assert_eq!(
                m.server_streaming(),
                server_streaming,
                "{name} server streaming"
            );
        }
    }

    #[test]
    fn go_plugin_and_health_shapes() {
        let set = fds();
        assert_eq!(field(&set, "plugin", "StdioData", "channel").number(), 1);
        assert_eq!(field(&set, "plugin", "StdioData", "data").number(), 2);
        assert_eq!(field(&set, "plugin", "ConnInfo", "knock").number(), 4);
        assert_eq!(field(&set, "plugin", "ConnInfo.Knock", "error").number(), 3);
        assert_eq!(
            field(&set, "grpc.health.v1", "HealthCheckResponse", "status").number(),
            1
        );

        let services: Vec<String> = set
            .file
            .iter()
            .flat_map(|f| {
                f.service
                    .iter()
                    .map(move |s| format!("{}.{}", f.package(), s.name()))
            })
            .collect();
        for s in [
            "tfplugin6.Provider",
            "plugin.GRPCController",
            "plugin.GRPCStdio",
            "plugin.GRPCBroker",
            "grpc.health.v1.Health",
        ] {
            assert!(services.iter().any(|x| x == s), "missing service {s}");
        }
    }

    /// The generated prost types must put bytes on the wire where the
    /// descriptor says: spot-check by encoding and reading raw tags.
    #[test]
    fn generated_types_encode_expected_tags() {
        use super::tfplugin6::{apply_resource_change, ClientCapabilities};
        let caps = ClientCapabilities {
            deferral_allowed: true,
            write_only_attributes_allowed: true,
        };
        // field 1 varint (0x08) = 1, field 2 varint (0x10) = 1
        assert_eq!(caps.encode_to_vec(), vec![0x08, 0x01, 0x10, 0x01]);

        let req = apply_resource_change::Request {
            planned_private: vec![0xAB],
            ..Default::default()
        };
        // field 5, wire type 2 (length-delimited) => tag 0x2A
        assert_eq!(req.encode_to_vec(), vec![0x2A, 0x01, 0xAB]);
    }
}
