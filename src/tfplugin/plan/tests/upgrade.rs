//! State upgrades: old shapes, exact numbers, errors.

use super::*;
use std::collections::BTreeMap;

#[test]
fn upgrade_round_trips_current_state() {
    let json = br#"{"id":"res-1","name":"web","size":10,"replicas":1,"region":"eu-1","zone":null,
        "status":"running","password":null,"labels":{"a":"1"},
        "rules":[{"name":"r","port":80,"rule_id":"x","secret":null}],
        "ports":[{"number":443,"protocol":"tcp"}],
        "envs":{"A":{"value":"1","version":"v"}},
        "owner":null,"endpoint":{"host":"h"},
        "volume":[{"path":"/d","size_gb":10,"vol_id":"v-1"}],
        "timeouts":null}"#;
    let v = upgrade_raw_state(&schema(), json).unwrap();
    let want = base(&[
        ("id", s("res-1")),
        ("name", s("web")),
        ("size", i(10)),
        ("replicas", i(1)),
        ("region", s("eu-1")),
        ("status", s("running")),
        ("labels", Value::Map([("a".to_string(), s("1"))].into())),
        (
            "rules",
            list(vec![obj(&[
                ("name", s("r")),
                ("port", i(80)),
                ("rule_id", s("x")),
                ("secret", Value::Null),
            ])]),
        ),
        (
            "ports",
            Value::Set(vec![obj(&[("number", i(443)), ("protocol", s("tcp"))])]),
        ),
        (
            "envs",
            Value::Map(
                [(
                    "A".to_string(),
                    obj(&[("value", s("1")), ("version", s("v"))]),
                )]
                .into(),
            ),
        ),
        ("endpoint", obj(&[("host", s("h"))])),
        (
            "volume",
            list(vec![obj(&[
                ("path", s("/d")),
                ("size_gb", i(10)),
                ("vol_id", s("v-1")),
            ])]),
        ),
    ]);
    assert_eq!(v, want);
}

#[test]
fn upgrade_tolerates_old_shapes() {
    // Missing attributes and blocks, dropped attributes (top level and nested), primitive
    // conversions.
    let json = br#"{"id":"r","name":"web","gone":true,"size":"12","replicas":2.0,
        "rules":[{"name":"r","port":"80","legacy":1}],
        "labels":{"n":5,"b":false}}"#;
    let v = upgrade_raw_state(&schema(), json).unwrap();
    let Value::Object(m) = &v else { panic!() };
    assert_eq!(
        m.len(),
        schema().block.attributes.len() + schema().block.blocks.len()
    );
    assert!(!m.contains_key("gone"));
    assert_eq!(m["size"], i(12));
    assert_eq!(m["replicas"].as_i64(), Some(2));
    assert_eq!(m["status"], Value::Null);
    assert_eq!(m["volume"], list(vec![]));
    assert_eq!(m["timeouts"], Value::Null);
    assert_eq!(
        m["labels"],
        Value::Map([("b".to_string(), s("false")), ("n".to_string(), s("5"))].into())
    );
    assert_eq!(
        m["rules"],
        list(vec![obj(&[
            ("name", s("r")),
            ("port", i(80)),
            ("rule_id", Value::Null),
            ("secret", Value::Null)
        ])])
    );
}

#[test]
fn upgrade_keeps_numbers_exact_through_msgpack_and_json() {
    use crate::tfplugin::cty::{json as cty_json, msgpack, Number};
    let sch = Schema::new(Block::new().with_attribute(Attribute::number("n").optional()));
    let ty = sch.block.value_type();
    for (text, want) in [
        // Beyond u64 and far beyond 2^53: kept as its decimal text.
        (
            "123456789012345678901234567890",
            Number::Big("123456789012345678901234567890".into()),
        ),
        // 2^53 + 1 fits i64 but not f64.
        ("9007199254740993", Number::Int(9_007_199_254_740_993)),
        // 0.1 has no exact f64: kept as text, never rounded.
        ("0.1", Number::Big("0.1".into())),
        ("0.5", Number::Float(0.5)),
    ] {
        for raw in [format!(r#"{{"n":{text}}}"#), format!(r#"{{"n":"{text}"}}"#)] {
            let v = upgrade_raw_state(&sch, raw.as_bytes()).unwrap();
            assert_eq!(v.get("n"), Some(&Value::Number(want.clone())), "{raw}");
            let packed = msgpack::encode(&v, &ty).unwrap();
            assert_eq!(
                msgpack::decode(&packed, &ty).unwrap(),
                v,
                "{raw} via msgpack"
            );
            let json = cty_json::encode_value_bytes(&v, &ty).unwrap();
            assert!(
                String::from_utf8_lossy(&json).contains(text),
                "{raw} -> {}",
                String::from_utf8_lossy(&json)
            );
            assert_eq!(upgrade_raw_state(&sch, &json).unwrap(), v, "{raw} via JSON");
        }
    }
}

#[test]
fn upgrade_errors_and_null() {
    assert_eq!(upgrade_raw_state(&schema(), b"null").unwrap(), Value::Null);
    let d = upgrade_raw_state(&schema(), b"{not json").unwrap_err();
    assert!(d.has_errors());
    let d = upgrade_raw_state(&schema(), br#"{"name":{"x":1}}"#).unwrap_err();
    let e = d.iter().next().unwrap();
    assert_eq!(e.attribute, Some(AttributePath::new("name")));
    assert!(
        e.detail.contains("expected a string, found an object"),
        "{}",
        e.detail
    );
    let d = upgrade_raw_state(&schema(), br#"{"rules":[{"port":"eighty"}]}"#).unwrap_err();
    assert_eq!(
        d.iter().next().unwrap().attribute,
        Some(AttributePath::new("rules").index(0).attribute("port"))
    );
    assert!(upgrade_raw_state(&schema(), b"[1]").is_err());
}

#[test]
fn upgrade_group_block_and_types() {
    let sch = Schema::new(
        Block::new()
            .with_attribute(
                Attribute::new(
                    "o",
                    Type::object([
                        ("a", Type::Bool),
                        ("t", Type::Tuple(vec![Type::String, Type::Number])),
                    ]),
                )
                .optional(),
            )
            .with_attribute(Attribute::set("tags", Type::String).optional())
            .with_block(NestedBlock::group(
                "g",
                Block::from_attributes(vec![Attribute::string("x").optional()]),
            ))
            .with_block(NestedBlock::map(
                "m",
                Block::from_attributes(vec![Attribute::string("x").optional()]),
            ))
            .with_block(NestedBlock::set(
                "st",
                Block::from_attributes(vec![Attribute::string("x").optional()]),
            )),
    );
    let v = upgrade_raw_state(
        &sch,
        br#"{"o":{"a":"true","t":["x",1],"extra":1},"tags":["a"]}"#,
    )
    .unwrap();
    assert_eq!(
        v,
        obj(&[
            (
                "o",
                obj(&[
                    ("a", Value::Bool(true)),
                    ("t", Value::Tuple(vec![s("x"), i(1)]))
                ])
            ),
            ("tags", Value::Set(vec![s("a")])),
            ("g", obj(&[("x", Value::Null)])),
            ("m", Value::Map(BTreeMap::new())),
            ("st", Value::Set(vec![])),
        ])
    );
    assert!(upgrade_raw_state(&sch, br#"{"o":{"t":["x"]}}"#).is_err());
}

#[test]
fn upgrade_dynamic_delegates_to_codec() {
    let sch = Schema::from_attributes(vec![Attribute::dynamic("d").optional()]);
    let v = upgrade_raw_state(&sch, br#"{"d":{"value":"x","type":"string"}}"#).unwrap();
    let d = v.get("d").unwrap();
    assert_eq!(d.as_str(), Some("x"));
    assert_eq!(
        upgrade_raw_state(&sch, br#"{}"#).unwrap(),
        obj(&[("d", Value::Null)])
    );
}
