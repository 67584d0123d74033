//! Shared by the fuzz targets: picks the cty type to decode against from the input's first
//! bytes, and returns the rest as the payload.

use comwit::tfplugin::cty::{json, Type};

fn obj(attrs: &[(&str, Type)]) -> Type {
    Type::object(attrs.iter().map(|(k, t)| (*k, t.clone())))
}

/// A fixed menu of types covering every kind, nested a few levels.
pub fn menu() -> Vec<Type> {
    let leaf = obj(&[
        ("id", Type::String),
        ("n", Type::Number),
        ("on", Type::Bool),
        ("any", Type::Dynamic),
    ]);
    vec![
        Type::String,
        Type::Number,
        Type::Bool,
        Type::Dynamic,
        Type::list(Type::String),
        Type::list(Type::Dynamic),
        Type::set(Type::Number),
        Type::map(Type::Bool),
        Type::map(Type::list(Type::Dynamic)),
        Type::Tuple(vec![Type::String, Type::Number, Type::Dynamic]),
        Type::Tuple(vec![]),
        obj(&[]),
        leaf.clone(),
        obj(&[
            ("name", Type::String),
            ("tags", Type::map(Type::String)),
            ("rules", Type::list(leaf.clone())),
            ("ports", Type::set(Type::Number)),
            (
                "nested",
                obj(&[
                    ("inner", Type::set(leaf.clone())),
                    ("t", Type::Tuple(vec![Type::Bool, Type::Dynamic])),
                ]),
            ),
            ("extra", Type::Dynamic),
        ]),
        Type::list(Type::list(Type::list(Type::Number))),
        Type::map(obj(&[("a", Type::Dynamic), ("b", Type::set(Type::String))])),
    ]
}

/// First byte below 0xe0 picks from the menu; otherwise the next byte is the length of a type
/// JSON prefix. Returns None when that prefix is not a valid type.
pub fn split(data: &[u8]) -> Option<(Type, &[u8])> {
    let (&sel, rest) = data.split_first()?;
    if sel < 0xe0 {
        let menu = menu();
        return Some((menu[sel as usize % menu.len()].clone(), rest));
    }
    let (&n, rest) = rest.split_first()?;
    let n = (n as usize).min(rest.len());
    let ty = json::type_from_json(&rest[..n]).ok()?;
    Some((ty, &rest[n..]))
}
