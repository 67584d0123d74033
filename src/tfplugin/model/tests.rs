use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::shape::{check, shape_of, Shape};
use super::*;
use crate::tfplugin::cty::Number;
use crate::tfplugin::schema::{Attribute, Block, NestedBlock};

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Runtime {
    #[default]
    Next,
    V8,
}

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct Timeouts {
    create: Option<String>,
}

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct Thing {
    #[serde(default)]
    id: String,
    name: String,
    runtime: Runtime,
    size: Option<i64>,
    tags: Vec<String>,
    env: BTreeMap<String, String>,
    enabled: Option<bool>,
    timeouts: Option<Timeouts>,
}

fn schema() -> Schema {
    Schema::new(
        Block::from_attributes(vec![
            Attribute::string("id").computed(),
            Attribute::string("name").required(),
            Attribute::string("runtime").required(),
            Attribute::number("size").optional(),
            Attribute::set("tags", Type::String).optional(),
            Attribute::map("env", Type::String).optional(),
            Attribute::bool("enabled").optional(),
        ])
        .with_block(NestedBlock::single(
            "timeouts",
            Block::from_attributes(vec![Attribute::string("create").optional()]),
        )),
    )
}

fn thing_value() -> Value {
    Value::object([
        ("id", Value::Unknown),
        ("name", Value::string("web")),
        ("runtime", Value::string("v8")),
        ("size", Value::int(3)),
        (
            "tags",
            Value::Set(vec![Value::string("a"), Value::string("b")]),
        ),
        (
            "env",
            Value::Map([("K".to_string(), Value::string("v"))].into()),
        ),
        ("enabled", Value::Null),
        ("timeouts", Value::object([("create", Value::string("5m"))])),
    ])
}

#[test]
fn reads_a_plan_with_unknowns_as_absent() {
    let thing: Thing = get(&thing_value()).unwrap();
    assert_eq!(
        thing,
        Thing {
            id: String::new(),
            name: "web".into(),
            runtime: Runtime::V8,
            size: Some(3),
            tags: vec!["a".into(), "b".into()],
            env: [("K".to_string(), "v".to_string())].into(),
            enabled: None,
            timeouts: Some(Timeouts {
                create: Some("5m".into())
            }),
        }
    );
}

#[test]
fn writes_by_the_schema_type() {
    let mut thing: Thing = get(&thing_value()).unwrap();
    thing.id = "t_1".into();
    let value = value_of(&thing, &schema()).unwrap();
    let mut expected = thing_value();
    *expected.get_mut("id").unwrap() = Value::string("t_1");
    // The set stays a set, the null stays null.
    assert_eq!(value, expected);
}

#[test]
fn a_missing_required_field_names_the_attribute() {
    let mut value = thing_value();
    *value.get_mut("name").unwrap() = Value::Null;
    let err = de::from_value::<Thing>(&value).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Missing("name".into()));
    let d = err.into_diagnostics();
    let text = d.to_string();
    assert!(text.contains("Missing name"), "{text}");
}

#[test]
fn a_wrong_kind_says_where() {
    let mut value = thing_value();
    *value.get_mut("tags").unwrap() = Value::Set(vec![Value::int(1)]);
    let err = de::from_value::<Thing>(&value).unwrap_err();
    assert_eq!(
        err.to_string(),
        "tags[0]: expected a string, found a number"
    );
}

#[test]
fn an_attribute_the_schema_lacks_is_an_error_not_dropped() {
    #[derive(Serialize)]
    struct Misspelt {
        nmae: String,
    }
    let err = to_value(&Misspelt { nmae: "x".into() }, &schema().value_type()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotInSchema("nmae".into()));
}

#[test]
fn numbers_stay_exact() {
    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct N {
        big: u64,
        small: i64,
        ratio: f64,
    }
    let ty = Type::object([
        ("big", Type::Number),
        ("small", Type::Number),
        ("ratio", Type::Number),
    ]);
    let n = N {
        big: u64::MAX,
        small: -5,
        ratio: 0.1,
    };
    let value = to_value(&n, &ty).unwrap();
    assert_eq!(
        value.get("big"),
        Some(&Value::Number(Number::Big(u64::MAX.to_string())))
    );
    assert_eq!(de::from_value::<N>(&value).unwrap(), n);
}

#[test]
fn borrowed_strings() {
    #[derive(Deserialize)]
    struct Borrowed<'a> {
        name: &'a str,
    }
    let value = thing_value();
    let b: Borrowed = get(&value).unwrap();
    assert_eq!(b.name, "web");
}

#[test]
fn the_shape_of_a_model() {
    let Shape::Object(fields) = shape_of::<Thing>() else {
        panic!("not an object")
    };
    assert_eq!(fields["runtime"], Shape::String);
    assert_eq!(fields["tags"], Shape::Seq(Box::new(Shape::String)));
    assert_eq!(fields["env"], Shape::Map(Box::new(Shape::String)));
    assert_eq!(fields["size"], Shape::Number);
    assert_eq!(
        fields["timeouts"],
        Shape::Object([("create".to_string(), Shape::String)].into())
    );
    check::<Thing>(&schema());
}

#[test]
fn the_check_fails_on_a_misspelling_or_a_wrong_type() {
    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct Wrong {
        id: String,
        nmae: String,
        runtime: bool,
    }
    let failure =
        std::panic::catch_unwind(|| check::<Wrong>(&schema())).expect_err("the check must fail");
    let text = failure.downcast_ref::<String>().unwrap();
    assert!(text.contains("the model has \"nmae\""), "{text}");
    assert!(text.contains("the schema has \"name\""), "{text}");
    assert!(text.contains("runtime: the model reads Bool"), "{text}");
    assert!(text.contains("the schema has \"timeouts\""), "{text}");
}
