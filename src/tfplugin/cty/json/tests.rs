use super::*;

fn obj(attrs: &[(&str, Type)]) -> Type {
    Type::object(attrs.iter().map(|(k, t)| (*k, t.clone())))
}

#[test]
fn type_json_round_trip() {
    let cases: Vec<(&str, Type)> = vec![
        ("\"string\"", Type::String),
        ("\"number\"", Type::Number),
        ("\"bool\"", Type::Bool),
        ("\"dynamic\"", Type::Dynamic),
        ("[\"list\",\"number\"]", Type::list(Type::Number)),
        (
            "[\"set\",[\"map\",\"bool\"]]",
            Type::set(Type::map(Type::Bool)),
        ),
        (
            "[\"tuple\",[\"string\",\"bool\"]]",
            Type::Tuple(vec![Type::String, Type::Bool]),
        ),
        ("[\"tuple\",[]]", Type::Tuple(vec![])),
        (
            "[\"object\",{\"a\":\"string\",\"b\":[\"list\",\"dynamic\"]}]",
            obj(&[("b", Type::list(Type::Dynamic)), ("a", Type::String)]),
        ),
        ("[\"object\",{}]", obj(&[])),
    ];
    for (text, ty) in cases {
        assert_eq!(type_from_json(text.as_bytes()).unwrap(), ty, "{text}");
        assert_eq!(type_to_json_string(&ty), text);
        assert_eq!(type_from_json_value(&type_to_json_value(&ty)).unwrap(), ty);
    }
}

#[test]
fn type_json_optional_attrs() {
    let text = br#"["object",{"a":"string","b":"number"},["b"]]"#;
    let ty = type_from_json(text).unwrap();
    let Type::Object { attrs, optional } = &ty else {
        panic!("not an object")
    };
    assert_eq!(attrs.len(), 2);
    assert!(optional.contains("b") && optional.len() == 1);
    assert_eq!(type_to_json(&ty), text.to_vec());
    assert_eq!(
        serde_json::to_vec(&type_to_json_value(&ty)).unwrap(),
        text.to_vec()
    );
}

#[test]
fn type_json_rejects_malformed() {
    for bad in [
        "",
        "1",
        "\"str\"",
        "[]",
        "[\"list\"]",
        "[\"list\",\"string\",\"string\"]",
        "[\"object\",[]]",
        "[\"object\",{\"a\":\"string\"},[\"b\"]]",
        "[\"object\",{\"a\":\"string\"},\"a\"]",
        "[\"tuple\",\"string\"]",
        "[\"frob\",\"string\"]",
        "[1,\"string\"]",
        "\"string\" x",
    ] {
        assert!(type_from_json(bad.as_bytes()).is_err(), "{bad}");
    }
    let deep = "[\"list\",".repeat(200) + "\"string\"" + &"]".repeat(200);
    assert!(type_from_json(deep.as_bytes()).is_err());
}

#[test]
fn numbers_classify_like_cty() {
    assert_eq!(parse_number("0"), Some(Number::Int(0)));
    assert_eq!(parse_number("-42"), Some(Number::Int(-42)));
    assert!(matches!(parse_number("+7"), Some(Number::Int(7))));
    assert!(matches!(parse_number("1.0"), Some(Number::Int(1))));
    assert!(matches!(parse_number("1e3"), Some(Number::Int(1000))));
    assert!(matches!(parse_number("-0.0"), Some(Number::Int(0))));
    assert!(matches!(
        parse_number("9223372036854775807"),
        Some(Number::Int(i64::MAX))
    ));
    assert!(matches!(parse_number("1.5"), Some(Number::Float(f)) if f == 1.5));
    assert!(matches!(parse_number("-2.5e-1"), Some(Number::Float(f)) if f == -0.25));
    // 2^63 is just past i64 but exact in f64.
    assert!(
        matches!(parse_number("9223372036854775808"), Some(Number::Float(f)) if f == 9223372036854775808.0)
    );
    // 0.1 has no exact binary form: kept as text, like cty's 512-bit parse.
    assert!(matches!(parse_number("0.1"), Some(Number::Big(t)) if t == "0.1"));
    assert!(matches!(parse_number("+0.1"), Some(Number::Big(t)) if t == "0.1"));
    assert!(matches!(
        parse_number("123456789012345678901234567890"),
        Some(Number::Big(t)) if t == "123456789012345678901234567890"
    ));
    assert!(matches!(parse_number("1e400"), Some(Number::Big(_))));
    // Big text is canonical: no plus sign, no redundant leading zeros.
    assert!(matches!(
        parse_number("00000000000012864455563601278146"),
        Some(Number::Big(t)) if t == "12864455563601278146"
    ));
    assert!(matches!(parse_number("-000.10"), Some(Number::Big(t)) if t == "-0.10"));
    assert!(matches!(parse_number("+0001e400"), Some(Number::Big(t)) if t == "1e400"));
    assert!(matches!(parse_number("0e400"), Some(Number::Int(0))));
    assert!(matches!(parse_number("1e-400"), Some(Number::Big(_))));
    assert!(matches!(
        parse_number("1e99999999999999999999999"),
        Some(Number::Big(_))
    ));
    assert!(matches!(parse_number("-inf"), Some(Number::Float(f)) if f == f64::NEG_INFINITY));
    for bad in [
        "", "-", "+", "1.", ".5", "1e", "1e+", "0x10", "1_000", "nan", " 1", "1 ",
    ] {
        assert_eq!(parse_number(bad), None, "{bad:?}");
    }
}

#[test]
fn exact_expansion_check() {
    let (d, _) =
        parse_decimal("0.1000000000000000055511151231257827021181583404541015625").unwrap();
    assert!(f64_is_exactly(0.1, &d));
    let (d, _) = parse_decimal("0.1").unwrap();
    assert!(!f64_is_exactly(0.1, &d));
    assert!(matches!(
        parse_number("0.1000000000000000055511151231257827021181583404541015625"),
        Some(Number::Float(f)) if f == 0.1
    ));
}

fn resource_type() -> Type {
    obj(&[
        ("id", Type::String),
        ("count", Type::Number),
        ("enabled", Type::Bool),
        ("tags", Type::map(Type::String)),
        ("ports", Type::list(Type::Number)),
        ("names", Type::set(Type::String)),
        ("pair", Type::Tuple(vec![Type::String, Type::Bool])),
        ("extra", Type::Dynamic),
    ])
}

#[test]
fn decode_state_json() {
    let text = br#"{"id":"x1","count":3,"enabled":true,"tags":{"a":"b"},
        "ports":[80,443],"names":["n1","n2"],"pair":["p",false],
        "extra":{"value":["a",1],"type":["tuple",["string","number"]]}}"#;
    let v = decode_value(text, &resource_type()).unwrap();
    assert_eq!(v.get("id"), Some(&Value::string("x1")));
    assert_eq!(v.get("count"), Some(&Value::int(3)));
    assert_eq!(v.get("enabled"), Some(&Value::Bool(true)));
    assert_eq!(
        v.get("ports"),
        Some(&Value::List(vec![Value::int(80), Value::int(443)]))
    );
    assert_eq!(
        v.get("names"),
        Some(&Value::Set(vec![Value::string("n1"), Value::string("n2")]))
    );
    assert_eq!(
        v.get("extra"),
        Some(&Value::Dynamic(
            Box::new(Type::Tuple(vec![Type::String, Type::Number])),
            Box::new(Value::Tuple(vec![Value::string("a"), Value::int(1)]))
        ))
    );
    // Round trip through encode.
    let back = encode_value(&v, &resource_type()).unwrap();
    assert_eq!(value_from_serde(&back, &resource_type()).unwrap(), v);
    let bytes = encode_value_bytes(&v, &resource_type()).unwrap();
    assert_eq!(decode_value(&bytes, &resource_type()).unwrap(), v);
}

#[test]
fn missing_attrs_are_null_and_unknown_attrs_fail() {
    let v = decode_value(br#"{"id":"a"}"#, &resource_type()).unwrap();
    assert_eq!(v.get("count"), Some(&Value::Null));
    assert_eq!(v.get("extra"), Some(&Value::Null));
    let e = decode_value(br#"{"id":"a","gone":1}"#, &resource_type()).unwrap_err();
    assert!(e.0.contains("unsupported attribute \"gone\""), "{e}");
    let v = decode_value_with(
        br#"{"id":"a","gone":1}"#,
        &resource_type(),
        DecodeOptions {
            ignore_undefined_attributes: true,
        },
    )
    .unwrap();
    assert_eq!(v.get("id"), Some(&Value::string("a")));
}

#[test]
fn decode_errors_name_the_path() {
    let e = decode_value(br#"{"ports":[1,"x"]}"#, &resource_type()).unwrap_err();
    assert_eq!(e.0, ".ports[1]: a number is required, found \"x\"");
    let e = decode_value(br#"{"tags":{"k":true,"k":"v"}}"#, &resource_type()).unwrap_err();
    assert!(e.0.starts_with(".tags[\"k\"]: duplicate map key"), "{e}");
    let e = decode_value(br#"{"pair":["a"]}"#, &resource_type()).unwrap_err();
    assert!(e.0.starts_with(".pair: a tuple of 2"), "{e}");
    let e = decode_value(br#"{"extra":{"value":1}}"#, &resource_type()).unwrap_err();
    assert!(
        e.0.starts_with(".extra: dynamic value has no \"type\""),
        "{e}"
    );
    assert!(decode_value(b"{\"id\":\"a\"} x", &resource_type()).is_err());
    assert!(decode_value(b"{\"id\":\"a\xff\"}", &resource_type()).is_err());
    assert!(decode_value(b"\"\\ud800\"", &Type::String).is_err());
    let deep = "[".repeat(300) + &"]".repeat(300);
    assert!(decode_value(deep.as_bytes(), &Type::Dynamic).is_err());
}

#[test]
fn lenient_primitives_like_cty() {
    assert_eq!(
        decode_value(b"12", &Type::String).unwrap(),
        Value::string("12")
    );
    assert_eq!(
        decode_value(b"true", &Type::String).unwrap(),
        Value::string("true")
    );
    assert_eq!(
        decode_value(b"\"12\"", &Type::Number).unwrap(),
        Value::int(12)
    );
    assert_eq!(
        decode_value(b"\"false\"", &Type::Bool).unwrap(),
        Value::Bool(false)
    );
    assert_eq!(decode_value(b"null", &Type::Number).unwrap(), Value::Null);
    assert_eq!(
        decode_value(b"\"a\\u00e9\\ud83d\\ude00\\n\"", &Type::String).unwrap(),
        Value::string("a\u{e9}\u{1F600}\n")
    );
}

#[test]
fn big_numbers_are_lossless() {
    let text = b"[123456789012345678901234567890, 0.1, 1.5, 18446744073709551615]";
    let ty = Type::list(Type::Number);
    let v = decode_value(text, &ty).unwrap();
    assert_eq!(
        v,
        Value::List(vec![
            Value::Number(Number::Big("123456789012345678901234567890".into())),
            Value::Number(Number::Big("0.1".into())),
            Value::Number(Number::Float(1.5)),
            Value::Number(Number::Big("18446744073709551615".into())),
        ])
    );
    let out = encode_value(&v, &ty).unwrap();
    assert_eq!(
        out,
        serde_json::json!([
            "123456789012345678901234567890",
            "0.1",
            1.5,
            18446744073709551615u64
        ])
    );
    assert_eq!(value_from_serde(&out, &ty).unwrap(), v);
    // Integral floats are written as exact integers (found by fuzzing).
    let f = Value::Number(Number::Float(9.068130237782426e16));
    let out = encode_value(&f, &Type::Number).unwrap();
    assert_eq!(out, serde_json::json!(90681302377824256i64));
    assert_eq!(
        decode_value(&serde_json::to_vec(&out).unwrap(), &Type::Number).unwrap(),
        f
    );
}

#[test]
fn encode_rejects_unknown_and_bad_shapes() {
    let ty = resource_type();
    let mut v = decode_value(br#"{"id":"a"}"#, &ty).unwrap();
    *v.get_mut("count").unwrap() = Value::Unknown;
    let e = encode_value(&v, &ty).unwrap_err();
    assert!(e.0.starts_with(".count: unknown"), "{e}");
    *v.get_mut("count").unwrap() = Value::string("x");
    let e = encode_value(&v, &ty).unwrap_err();
    assert_eq!(e.0, ".count: a number is required, found a string");
    let e = encode_value(&Value::object([("id", Value::string("a"))]), &ty).unwrap_err();
    assert!(e.0.contains("missing"), "{e}");
    let e = encode_value(&Value::Number(Number::Float(f64::NAN)), &Type::Number).unwrap_err();
    assert!(e.0.contains("NaN"), "{e}");
}

#[test]
fn dynamic_encodes_implied_type() {
    let v = Value::object([
        ("a", Value::List(vec![Value::string("x"), Value::Null])),
        ("b", Value::int(1)),
    ]);
    let out = encode_value(&v, &Type::Dynamic).unwrap();
    assert_eq!(
        out,
        serde_json::json!({"value": {"a": ["x", null], "b": 1},
            "type": ["object", {"a": ["list", "string"], "b": "number"}]})
    );
    let mixed = Value::List(vec![Value::string("x"), Value::int(1)]);
    assert!(encode_value(&mixed, &Type::Dynamic).is_err());
    assert_eq!(
        implied_type(&Value::List(vec![
            Value::List(vec![]),
            Value::List(vec![Value::Bool(true)])
        ]))
        .unwrap(),
        Type::list(Type::list(Type::Bool))
    );
    // A declared `dynamic` inside a wrapper's type stays dynamic: its values carry their own
    // types, so they must not be narrowed to a sibling's concrete type.
    let declared = Value::Dynamic(
        Box::new(Type::map(Type::Dynamic)),
        Box::new(Value::Map(BTreeMap::from([(
            "k".to_string(),
            Value::Dynamic(Box::new(Type::String), Box::new(Value::string("s"))),
        )]))),
    );
    let concrete = Value::Dynamic(
        Box::new(Type::map(Type::Number)),
        Box::new(Value::Map(BTreeMap::from([(
            "n".to_string(),
            Value::int(1),
        )]))),
    );
    let both = Value::List(vec![declared, concrete, Value::Null]);
    let t = implied_type(&both).unwrap();
    assert_eq!(t, Type::list(Type::map(Type::Dynamic)));
    let back = super::super::msgpack::decode(
        &super::super::msgpack::encode(&both, &Type::Dynamic).unwrap(),
        &Type::Dynamic,
    )
    .unwrap();
    assert!(matches!(back, Value::Dynamic(ref bt, _) if **bt == t));
}
