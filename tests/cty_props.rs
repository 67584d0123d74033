//! Property tests for the cty codecs: msgpack and JSON round trips over arbitrary types and
//! conforming values, type JSON round trips, and a corpus of malformed msgpack that must be
//! rejected (never panicking).

use std::collections::BTreeSet;

use comwit::tfplugin::cty::{json, msgpack, Number, Type, Value};
use proptest::collection::{btree_map, btree_set, vec};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

fn attr_name() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,5}"
}

/// Arbitrary types up to `depth` levels of nesting.
fn arb_type(depth: u32) -> BoxedStrategy<Type> {
    let leaf = prop_oneof![
        Just(Type::String),
        Just(Type::Number),
        Just(Type::Bool),
        Just(Type::Dynamic),
    ];
    leaf.prop_recursive(depth, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            vec(inner.clone(), 0..4).prop_map(Type::Tuple),
            btree_map(attr_name(), inner, 0..4).prop_map(|attrs| Type::Object {
                attrs,
                optional: BTreeSet::new(),
            }),
        ]
    })
    .boxed()
}

/// Types whose objects may also declare optional attributes (type constraints).
fn arb_constraint_type() -> BoxedStrategy<Type> {
    let leaf = prop_oneof![
        Just(Type::String),
        Just(Type::Number),
        Just(Type::Bool),
        Just(Type::Dynamic),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            vec(inner.clone(), 0..4).prop_map(Type::Tuple),
            (btree_map(attr_name(), inner, 0..4), any::<u8>()).prop_map(|(attrs, mask)| {
                let optional = attrs
                    .keys()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0)
                    .map(|(_, k)| k.clone())
                    .collect();
                Type::Object { attrs, optional }
            }),
        ]
    })
    .boxed()
}

fn arb_number() -> BoxedStrategy<Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::Int),
        (-1000i64..1000).prop_map(Number::Int),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Number::Float),
        (-1.0e6f64..1.0e6).prop_map(Number::Float),
        // Large integral floats, whose shortest text is not their exact value.
        any::<i64>().prop_map(|i| Number::Float(i as f64)),
        any::<f32>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| Number::Float(f64::from(f))),
        // Integers past i64.
        "-?[1-9][0-9]{19,40}".prop_map(Number::Big),
        // Decimals that f64 cannot hold exactly (or can: either must survive).
        "-?[1-9][0-9]{0,4}\\.[0-9]{0,20}[1-9]".prop_map(Number::Big),
    ]
    .boxed()
}

/// Values conforming to `ty`, with nulls anywhere, unknowns anywhere when `unknowns`, and
/// `Value::Dynamic` (of a fresh arbitrary type) at dynamic positions while `budget` lasts.
fn arb_value(ty: &Type, unknowns: bool, budget: u32) -> BoxedStrategy<Value> {
    let known: BoxedStrategy<Value> = match ty {
        Type::String => any::<String>().prop_map(Value::String).boxed(),
        Type::Number => arb_number().prop_map(Value::Number).boxed(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::List(et) => vec(arb_value(et, unknowns, budget), 0..4)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(et) => vec(arb_value(et, unknowns, budget), 0..4)
            .prop_map(Value::Set)
            .boxed(),
        Type::Map(et) => btree_map(any::<String>(), arb_value(et, unknowns, budget), 0..4)
            .prop_map(Value::Map)
            .boxed(),
        Type::Tuple(ets) => ets
            .iter()
            .map(|t| arb_value(t, unknowns, budget))
            .collect::<Vec<_>>()
            .prop_map(Value::Tuple)
            .boxed(),
        Type::Object { attrs, .. } => {
            let names: Vec<String> = attrs.keys().cloned().collect();
            attrs
                .values()
                .map(|t| arb_value(t, unknowns, budget))
                .collect::<Vec<_>>()
                .prop_map(move |vals| Value::Object(names.iter().cloned().zip(vals).collect()))
                .boxed()
        }
        Type::Dynamic if budget == 0 => Just(Value::Null).boxed(),
        Type::Dynamic => arb_type(2)
            .prop_flat_map(move |t| {
                let t2 = t.clone();
                arb_value(&t, unknowns, budget - 1)
                    .prop_map(move |v| Value::Dynamic(Box::new(t2.clone()), Box::new(v)))
            })
            .boxed(),
    };
    if unknowns {
        prop_oneof![1 => Just(Value::Null), 1 => Just(Value::Unknown), 6 => known].boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 6 => known].boxed()
    }
}

fn typed_value(unknowns: bool) -> impl Strategy<Value = (Type, Value)> {
    arb_type(3).prop_flat_map(move |t| {
        let t2 = t.clone();
        arb_value(&t, unknowns, 2).prop_map(move |v| (t2.clone(), v))
    })
}

// ---------------------------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn msgpack_round_trip((ty, v) in typed_value(true)) {
        let bytes = msgpack::encode(&v, &ty).expect("encode");
        let back = msgpack::decode(&bytes, &ty).expect("decode");
        prop_assert_eq!(&back, &v);
        prop_assert!(back.semantic_eq(&v));
        // Encoding what was decoded gives the same bytes.
        prop_assert_eq!(msgpack::encode(&back, &ty).expect("re-encode"), bytes);
    }

    #[test]
    fn json_round_trip((ty, v) in typed_value(false)) {
        let j = json::encode_value(&v, &ty).expect("encode");
        let bytes = serde_json::to_vec(&j).unwrap();
        let back = json::decode_value(&bytes, &ty).expect("decode");
        prop_assert_eq!(&back, &v);
        prop_assert_eq!(&json::value_from_serde(&j, &ty).expect("from serde"), &v);
        prop_assert_eq!(json::encode_value_bytes(&v, &ty).expect("bytes"), bytes);
    }

    #[test]
    fn msgpack_and_json_agree((ty, v) in typed_value(false)) {
        let via_msgpack = msgpack::decode(&msgpack::encode(&v, &ty).unwrap(), &ty).unwrap();
        let via_json = json::decode_value(&json::encode_value_bytes(&v, &ty).unwrap(), &ty).unwrap();
        prop_assert_eq!(via_msgpack, via_json);
    }

    #[test]
    fn type_json_round_trip(ty in arb_constraint_type()) {
        let text = json::type_to_json(&ty);
        prop_assert_eq!(json::type_from_json(&text).expect("parse"), ty.clone());
        prop_assert_eq!(json::type_from_json_value(&json::type_to_json_value(&ty)).unwrap(), ty.clone());
        // serde_json agrees on the text (both compact, attributes in name order).
        prop_assert_eq!(serde_json::to_vec(&json::type_to_json_value(&ty)).unwrap(), text);
    }

    #[test]
    fn implied_types_round_trip_at_dynamic_positions((_ty, v) in typed_value(false)) {
        // A bare value at a dynamic position is written with its implied type; decoding gives
        // the value back wrapped in that type (when the value is not null).
        if let Ok(implied) = v.implied_type() {
            if v.is_null() || matches!(v, Value::Dynamic(..)) {
                return Ok(());
            }
            let bytes = msgpack::encode(&v, &Type::Dynamic).expect("encode");
            let back = msgpack::decode(&bytes, &Type::Dynamic).expect("decode");
            let Value::Dynamic(t, inner) = back else {
                return Err(TestCaseError::fail("not wrapped"));
            };
            prop_assert_eq!(&*t, &implied);
            prop_assert_eq!(msgpack::encode(&inner, &t).unwrap(), msgpack::encode(&v, &implied).unwrap());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Malformed input
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn random_bytes_never_panic(ty in arb_type(3), bytes in vec(any::<u8>(), 0..256)) {
        let _ = msgpack::decode(&bytes, &ty);
        let _ = json::decode_value(&bytes, &ty);
        let _ = json::type_from_json(&bytes);
    }

    #[test]
    fn mutated_encodings_never_panic(
        (ty, v) in typed_value(true),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let bytes = msgpack::encode(&v, &ty).unwrap();
        // msgpack is self-delimiting: every strict prefix of a value is incomplete.
        let n = cut.index(bytes.len());
        prop_assert!(msgpack::decode(&bytes[..n], &ty).is_err());
        // Trailing bytes are rejected.
        let mut longer = bytes.clone();
        longer.push(byte);
        prop_assert!(msgpack::decode(&longer, &ty).is_err());
        // One flipped byte: anything may happen but a panic.
        let mut flipped = bytes.clone();
        let i = at.index(flipped.len());
        flipped[i] = byte;
        if let Ok(w) = msgpack::decode(&flipped, &ty) {
            let again = msgpack::encode(&w, &ty).expect("decoded values re-encode");
            prop_assert_eq!(msgpack::decode(&again, &ty).unwrap(), w);
        }
    }

    #[test]
    fn mutated_json_never_panics(
        (ty, v) in typed_value(false),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let mut bytes = json::encode_value_bytes(&v, &ty).unwrap();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        if let Ok(w) = json::decode_value(&bytes, &ty) {
            let again = json::encode_value_bytes(&w, &ty).expect("decoded values re-encode");
            prop_assert_eq!(json::decode_value(&again, &ty).unwrap(), w);
        }
    }

    #[test]
    fn arbitrary_sets_of_names_are_objects(names in btree_set(attr_name(), 0..6)) {
        let ty = Type::object(names.iter().map(|n| (n.as_str(), Type::Bool)));
        let v = Value::object(names.iter().map(|n| (n.as_str(), Value::Bool(true))));
        let bytes = msgpack::encode(&v, &ty).unwrap();
        prop_assert_eq!(msgpack::decode(&bytes, &ty).unwrap(), v);
    }
}

fn t(json_text: &str) -> Type {
    json::type_from_json(json_text.as_bytes()).expect("test type")
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// Nested dynamic wrappers, each declaring type "dynamic": deeper than any limit.
fn deep_dynamic(levels: usize) -> Vec<u8> {
    let mut one = vec![0x92, 0xc4, 9];
    one.extend_from_slice(b"\"dynamic\"");
    let mut out: Vec<u8> = one
        .iter()
        .copied()
        .cycle()
        .take(one.len() * levels)
        .collect();
    out.push(0xc0);
    out
}

/// Malformed msgpack, each with the type it is decoded against and a fragment of the expected
/// error message.
fn malformed_corpus() -> Vec<(&'static str, Type, Vec<u8>, &'static str)> {
    let s = Type::String;
    let n = Type::Number;
    let b = Type::Bool;
    let d = Type::Dynamic;
    let obj_a = t(r#"["object",{"a":"string"}]"#);
    let tup1 = t(r#"["tuple",["string"]]"#);
    let ls = Type::list(Type::String);
    let ms = Type::map(Type::String);
    let mut deep_list = Type::String;
    for _ in 0..200 {
        deep_list = Type::list(deep_list);
    }
    let mut big_ext = vec![0xc8, 0x07, 0xd0, 0x0c];
    big_ext.extend(std::iter::repeat_n(0u8, 2000));
    vec![
        ("empty input", s.clone(), vec![], "unexpected end"),
        (
            "fixstr truncated",
            s.clone(),
            vec![0xa5, b'a', b'b'],
            "truncated",
        ),
        ("str8 without length", s.clone(), vec![0xd9], "truncated"),
        (
            "str8 truncated",
            s.clone(),
            vec![0xd9, 0x05, b'a'],
            "truncated",
        ),
        (
            "str16 short length",
            s.clone(),
            vec![0xda, 0x00],
            "truncated",
        ),
        (
            "str32 huge length",
            s.clone(),
            vec![0xdb, 0xff, 0xff, 0xff, 0xff],
            "truncated",
        ),
        (
            "bin32 huge length",
            s.clone(),
            vec![0xc6, 0xff, 0xff, 0xff, 0xff, 0x00],
            "truncated",
        ),
        (
            "string not UTF-8",
            s.clone(),
            vec![0xa2, 0xff, 0xfe],
            "UTF-8",
        ),
        ("overlong UTF-8", s.clone(), vec![0xa2, 0xc0, 0x80], "UTF-8"),
        (
            "bool for string",
            s.clone(),
            vec![0xc3],
            "a string is required, found a bool",
        ),
        ("reserved byte", s.clone(), vec![0xc1], "reserved byte"),
        (
            "int for bool",
            b.clone(),
            vec![0x01],
            "a bool is required, found an integer",
        ),
        (
            "text for number",
            n.clone(),
            vec![0xa1, b'x'],
            "a number is required",
        ),
        (
            "nan text for number",
            n.clone(),
            vec![0xa3, b'n', b'a', b'n'],
            "a number is required",
        ),
        (
            "bad exponent text",
            n.clone(),
            vec![0xa3, b'1', b'e', b'x'],
            "a number is required",
        ),
        (
            "bool for number",
            n.clone(),
            vec![0xc2],
            "a number is required, found a bool",
        ),
        ("uint8 truncated", n.clone(), vec![0xcc], "truncated"),
        ("uint16 truncated", n.clone(), vec![0xcd, 0x01], "truncated"),
        (
            "uint64 truncated",
            n.clone(),
            vec![0xcf, 0, 0, 0],
            "truncated",
        ),
        ("int32 truncated", n.clone(), vec![0xd2, 0xff], "truncated"),
        (
            "float64 truncated",
            n.clone(),
            vec![0xcb, 0x3f],
            "truncated",
        ),
        (
            "float32 NaN",
            n.clone(),
            vec![0xca, 0x7f, 0xc0, 0, 0],
            "NaN",
        ),
        (
            "float64 NaN",
            n.clone(),
            vec![0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 1],
            "NaN",
        ),
        (
            "empty array for 1-tuple",
            tup1.clone(),
            vec![0x90],
            "a tuple of 1 elements is required, found 0",
        ),
        (
            "2 elements for 1-tuple",
            tup1.clone(),
            vec![0x92, 0xa0, 0xa0],
            "a tuple of 1 elements is required, found 2",
        ),
        (
            "map for tuple",
            tup1.clone(),
            vec![0xde, 0x00, 0x00],
            "a tuple is required, found a map",
        ),
        (
            "array missing element",
            ls.clone(),
            vec![0x91],
            "declares 1 elements but only 0 bytes remain",
        ),
        (
            "array16 huge",
            ls.clone(),
            vec![0xdc, 0xff, 0xff, 0xa0],
            "declares 65535 elements",
        ),
        (
            "array32 huge",
            ls.clone(),
            vec![0xdd, 0xff, 0xff, 0xff, 0xff, 0x01],
            "declares 4294967295 elements",
        ),
        (
            "array16 length truncated",
            ls.clone(),
            vec![0xdc, 0x00],
            "truncated",
        ),
        (
            "list element wrong kind",
            ls.clone(),
            vec![0x92, 0xa0, 0x05],
            "[1]: a string is required",
        ),
        (
            "set element wrong kind",
            Type::set(Type::Number),
            vec![0x92, 0x01, 0xc3],
            "[1]: a number is required",
        ),
        (
            "map value missing",
            ms.clone(),
            vec![0x81, 0xa1, b'a'],
            "[\"a\"]: unexpected end",
        ),
        (
            "map32 huge",
            ms.clone(),
            vec![0xdf, 0xff, 0xff, 0xff, 0xff],
            "declares 4294967295 entries",
        ),
        (
            "map16 huge",
            ms.clone(),
            vec![0xde, 0x10, 0x00, 0xa0, 0xa0],
            "declares 4096 entries",
        ),
        (
            "integer map key",
            ms.clone(),
            vec![0x81, 0x01, 0xa0],
            "map keys must be strings",
        ),
        (
            "nil map key",
            ms.clone(),
            vec![0x81, 0xc0, 0xa0],
            "map keys must be strings",
        ),
        (
            "duplicate map key",
            ms.clone(),
            vec![0x82, 0xa1, b'k', 0xa0, 0xa1, b'k', 0xa0],
            "[\"k\"]: duplicate map key",
        ),
        (
            "map key not UTF-8",
            ms.clone(),
            vec![0x81, 0xa2, 0xff, 0xfe, 0xa0],
            "UTF-8",
        ),
        (
            "array for map",
            ms.clone(),
            vec![0x91, 0xa0],
            "a map is required, found an array",
        ),
        (
            "object missing attribute",
            obj_a.clone(),
            vec![0x80],
            "missing attribute \"a\"",
        ),
        (
            "object duplicate attribute",
            obj_a.clone(),
            vec![0x82, 0xa1, b'a', 0xa0, 0xa1, b'a', 0xa0],
            ".a: duplicate attribute",
        ),
        (
            "object unknown attribute",
            obj_a.clone(),
            vec![0x81, 0xa1, b'b', 0xa0],
            "unsupported attribute \"b\"",
        ),
        (
            "object attribute wrong kind",
            obj_a.clone(),
            vec![0x81, 0xa1, b'a', 0x01],
            ".a: a string is required",
        ),
        (
            "array for object",
            obj_a.clone(),
            vec![0x91, 0xa0],
            "an object is required, found an array",
        ),
        (
            "extension type 1",
            n.clone(),
            vec![0xd4, 0x01, 0x00],
            "extension type 1",
        ),
        (
            "extension type -1",
            n.clone(),
            vec![0xd4, 0xff, 0x00],
            "extension type -1",
        ),
        (
            "timestamp32 extension",
            s.clone(),
            vec![0xd6, 0xff, 0, 0, 0, 0],
            "extension type -1",
        ),
        (
            "fixext1 missing data",
            s.clone(),
            vec![0xd4, 0x00],
            "truncated",
        ),
        (
            "ext8 missing type",
            s.clone(),
            vec![0xc7, 0x00],
            "truncated",
        ),
        (
            "ext8 truncated payload",
            s.clone(),
            vec![0xc7, 0x05, 0x0c, 0x81],
            "truncated",
        ),
        (
            "oversized refinements",
            s.clone(),
            big_ext,
            "exceed the 1024-byte limit",
        ),
        (
            "dynamic with one element",
            d.clone(),
            cat(&[&[0x91, 0xc4, 0x08], b"\"string\""]),
            "found 1 elements",
        ),
        (
            "dynamic type not bytes",
            d.clone(),
            vec![0x92, 0x01, 0x01],
            "must be JSON in a bin or string",
        ),
        (
            "dynamic type not JSON",
            d.clone(),
            cat(&[&[0x92, 0xc4, 0x03], b"foo", &[0x01]]),
            "invalid type JSON",
        ),
        (
            "dynamic unknown type name",
            d.clone(),
            cat(&[&[0x92, 0xc4, 0x05], b"\"foo\"", &[0x01]]),
            "unknown primitive type",
        ),
        (
            "dynamic value wrong kind",
            d.clone(),
            cat(&[&[0x92, 0xc4, 0x08], b"\"string\"", &[0x01]]),
            "a string is required",
        ),
        (
            "dynamic not an array",
            d.clone(),
            vec![0xa1, b'x'],
            "must be a [type, value] array",
        ),
        (
            "dynamic missing value",
            d.clone(),
            cat(&[&[0x92, 0xc4, 0x08], b"\"string\""]),
            "unexpected end",
        ),
        (
            "dynamic inner element",
            d.clone(),
            cat(&[&[0x92, 0xc4, 0x0f], br#"["list","bool"]"#, &[0x91, 0x01]]),
            "[0]: a bool is required",
        ),
        (
            "trailing bytes",
            s.clone(),
            vec![0xa0, 0x00],
            "unexpected bytes after the value",
        ),
        (
            "trailing nil",
            ls.clone(),
            vec![0x90, 0xc0],
            "unexpected bytes after the value",
        ),
        (
            "deep dynamic nesting",
            d.clone(),
            deep_dynamic(1000),
            "nested deeper than 128",
        ),
        (
            "deep list nesting",
            deep_list,
            vec![0x91; 300],
            "nested deeper than 128",
        ),
    ]
}

#[test]
fn malformed_msgpack_corpus_is_rejected() {
    let corpus = malformed_corpus();
    assert!(corpus.len() >= 40, "corpus has {} cases", corpus.len());
    for (name, ty, bytes, fragment) in corpus {
        let res = std::panic::catch_unwind(|| msgpack::decode(&bytes, &ty));
        let res = res.unwrap_or_else(|_| panic!("{name}: decode panicked"));
        match res {
            Ok(v) => panic!("{name}: decoded {v:?}, expected an error"),
            Err(e) => assert!(
                e.0.contains(fragment),
                "{name}: error {:?} does not mention {fragment:?}",
                e.0
            ),
        }
    }
}

#[test]
fn valid_counterparts_decode() {
    // Sanity: minimal fixes of some corpus entries are accepted, so the errors above are about
    // the defect, not the framing.
    let obj_a = t(r#"["object",{"a":"string"}]"#);
    assert!(msgpack::decode(&[0x81, 0xa1, b'a', 0xa0], &obj_a).is_ok());
    assert!(msgpack::decode(&[0x91, 0xa0], &Type::list(Type::String)).is_ok());
    assert!(msgpack::decode(&[0xc7, 0x01, 0x0c, 0x80], &Type::String).is_ok());
    assert!(msgpack::decode(&deep_dynamic(100), &Type::Dynamic).is_ok());
    let two = msgpack::decode(&[0xd4, 0x00, 0x00], &Type::Dynamic).unwrap();
    assert_eq!(two, Value::Unknown);
}

/// Inputs the fuzzer found (fuzz/fuzz_targets/msgpack_decode.rs), minus its type-selector byte.
#[test]
fn fuzz_regressions() {
    // A big number sent with leading zeros must compare equal after a JSON round trip (the
    // decoder canonicalises big-number text).
    let ty = Type::set(Type::Number);
    let mut bytes = vec![0x91, 0xd9, 0x20];
    bytes.extend_from_slice(b"00000000000012864455563601278146");
    let v = msgpack::decode(&bytes, &ty).unwrap();
    assert_eq!(
        v,
        Value::Set(vec![Value::Number(Number::Big(
            "12864455563601278146".into()
        ))])
    );
    let j = json::encode_value_bytes(&v, &ty).unwrap();
    assert_eq!(json::decode_value(&j, &ty).unwrap(), v);
    let again = msgpack::encode(&v, &ty).unwrap();
    assert_eq!(msgpack::decode(&again, &ty).unwrap(), v);

    // An integral float32 (9.068130237782426e16) must go out as JSON as its exact integer, not
    // as its shortest text, which names a different integer.
    let v = msgpack::decode(&[0xca, 0x5b, 0xa1, 0x15, 0x15], &Type::Number).unwrap();
    let j = json::encode_value_bytes(&v, &Type::Number).unwrap();
    assert_eq!(j, b"90681302377824256");
    assert_eq!(json::decode_value(&j, &Type::Number).unwrap(), v);
}
