//! Configurations derived from states (for generated configuration on import).

use super::*;
use crate::tfplugin::schema::NestedAttributes;

#[test]
fn drops_computed_only_and_write_only() {
    let sch = Schema::new(
        Block::new()
            .with_attribute(Attribute::string("id").computed())
            .with_attribute(Attribute::string("name").required())
            .with_attribute(Attribute::string("region").optional().computed())
            .with_attribute(Attribute::string("pw").optional().write_only())
            .with_attribute(
                Attribute::nested(
                    "rules",
                    NestedAttributes::list(vec![
                        Attribute::string("n").required(),
                        Attribute::string("rid").computed(),
                    ]),
                )
                .optional(),
            )
            .with_block(NestedBlock::list(
                "v",
                Block::from_attributes(vec![
                    Attribute::string("p").required(),
                    Attribute::string("vid").computed(),
                ]),
            )),
    );
    let el = |a: &str, b: &str| Value::object([(a, Value::string("x")), (b, Value::string("y"))]);
    let state = Value::object([
        ("id", Value::string("i")),
        ("name", Value::string("n")),
        ("region", Value::string("r")),
        ("pw", Value::Null),
        ("rules", Value::List(vec![el("n", "rid")])),
        ("v", Value::List(vec![el("p", "vid")])),
    ]);
    let want = Value::object([
        ("id", Value::Null),
        ("name", Value::string("n")),
        ("region", Value::string("r")),
        ("pw", Value::Null),
        (
            "rules",
            Value::List(vec![Value::object([
                ("n", Value::string("x")),
                ("rid", Value::Null),
            ])]),
        ),
        (
            "v",
            Value::List(vec![Value::object([
                ("p", Value::string("x")),
                ("vid", Value::Null),
            ])]),
        ),
    ]);
    assert_eq!(config_from_state(&sch, &state), want);
    assert_eq!(config_from_state(&sch, &Value::Null), Value::Null);
}
