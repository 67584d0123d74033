use super::validators::*;
use super::*;
use crate::tfplugin::cty::Number;

fn sample() -> Schema {
    Schema::new(
        Block::new()
            .with_attribute(Attribute::string("id").computed().use_state_for_unknown())
            .with_attribute(
                Attribute::string("name")
                    .required()
                    .requires_replace()
                    .description("The name."),
            )
            .with_attribute(Attribute::map("env", Type::String).optional())
            .with_attribute(
                Attribute::string("password")
                    .optional()
                    .sensitive()
                    .write_only(),
            )
            .with_attribute(
                Attribute::nested(
                    "rules",
                    NestedAttributes::list(vec![
                        Attribute::string("name").required(),
                        Attribute::int64("port").optional().computed(),
                    ]),
                )
                .optional(),
            )
            .with_attribute(
                Attribute::nested(
                    "owner",
                    NestedAttributes::single(vec![Attribute::string("email").optional()]),
                )
                .optional(),
            )
            .with_block(
                NestedBlock::list(
                    "volume",
                    Block::from_attributes(vec![Attribute::string("path").required()]),
                )
                .max_items(3),
            )
            .with_block(NestedBlock::single(
                "timeouts",
                Block::from_attributes(vec![Attribute::string("create").optional()]),
            ))
            .with_block(NestedBlock::map(
                "disk",
                Block::from_attributes(vec![Attribute::int64("size").optional()]),
            ))
            .with_block(NestedBlock::set(
                "tag",
                Block::from_attributes(vec![Attribute::string("k").optional()]),
            )),
    )
    .version(2)
}

#[test]
fn value_type_maps_nesting() {
    let t = sample().value_type();
    let rules_obj = Type::object([("name", Type::String), ("port", Type::Number)]);
    let want = Type::object([
        ("id", Type::String),
        ("name", Type::String),
        ("env", Type::map(Type::String)),
        ("password", Type::String),
        ("rules", Type::list(rules_obj)),
        ("owner", Type::object([("email", Type::String)])),
        ("volume", Type::list(Type::object([("path", Type::String)]))),
        ("timeouts", Type::object([("create", Type::String)])),
        ("disk", Type::map(Type::object([("size", Type::Number)]))),
        ("tag", Type::set(Type::object([("k", Type::String)]))),
    ]);
    assert_eq!(t, want);
}

#[test]
fn value_type_nested_set_map_and_group() {
    let s = Schema::new(
        Block::new()
            .with_attribute(
                Attribute::nested(
                    "s",
                    NestedAttributes::set(vec![Attribute::bool("b").optional()]),
                )
                .optional(),
            )
            .with_attribute(
                Attribute::nested(
                    "m",
                    NestedAttributes::map(vec![Attribute::bool("b").optional()]),
                )
                .optional(),
            )
            .with_block(NestedBlock::group(
                "g",
                Block::from_attributes(vec![Attribute::bool("b").optional()]),
            )),
    );
    let obj = Type::object([("b", Type::Bool)]);
    assert_eq!(
        s.value_type(),
        Type::object([
            ("s", Type::set(obj.clone())),
            ("m", Type::map(obj.clone())),
            ("g", obj),
        ])
    );
}

#[test]
fn lookups() {
    let s = sample();
    assert_eq!(s.attribute("name").unwrap().name, "name");
    assert!(s.attribute("volume").is_none());
    assert_eq!(s.nested_block("volume").unwrap().max_items, 3);
    let cases: Vec<(AttributePath, Option<&str>)> = vec![
        (AttributePath::new("name"), Some("name")),
        (
            AttributePath::new("rules").index(0).attribute("port"),
            Some("port"),
        ),
        (AttributePath::new("rules"), Some("rules")),
        (
            AttributePath::new("owner").attribute("email"),
            Some("email"),
        ),
        (
            AttributePath::new("owner").index(0).attribute("email"),
            None,
        ),
        (
            AttributePath::new("volume").index(1).attribute("path"),
            Some("path"),
        ),
        (
            AttributePath::new("timeouts").attribute("create"),
            Some("create"),
        ),
        (
            AttributePath::new("disk").key("a").attribute("size"),
            Some("size"),
        ),
        (AttributePath::new("volume"), None),
        (AttributePath::new("env").key("X"), None),
        (AttributePath::new("nope"), None),
        (AttributePath::root(), None),
    ];
    for (p, want) in cases {
        assert_eq!(s.find_path(&p).map(|a| a.name.as_str()), want, "path {p}");
    }
}

#[test]
fn null_object_has_every_name() {
    let v = sample().null_object();
    let Value::Object(m) = v else { panic!() };
    assert_eq!(m.len(), 10);
    assert!(m.values().all(Value::is_null));
}

#[test]
fn to_proto_shape() {
    use tfplugin6::schema::{nested_block, object};
    let s = sample();
    let p = s.to_proto();
    assert_eq!(p.version, 2);
    let b = p.block.unwrap();
    assert_eq!(b.description_kind, tfplugin6::StringKind::Markdown as i32);
    let attr = |n: &str| b.attributes.iter().find(|a| a.name == n).unwrap().clone();
    let name = attr("name");
    assert!(name.required && !name.optional && !name.computed);
    assert_eq!(name.description, "The name.");
    assert_eq!(
        name.description_kind,
        tfplugin6::StringKind::Markdown as i32
    );
    assert_eq!(
        name.r#type,
        crate::tfplugin::cty::json::type_to_json(&Type::String)
    );
    assert!(name.nested_type.is_none());
    let pw = attr("password");
    assert!(pw.sensitive && pw.write_only && pw.optional);
    let rules = attr("rules");
    assert!(rules.r#type.is_empty());
    let nt = rules.nested_type.unwrap();
    assert_eq!(nt.nesting, object::NestingMode::List as i32);
    assert_eq!(nt.attributes.len(), 2);
    assert!(nt.attributes[1].optional && nt.attributes[1].computed);
    assert_eq!(
        attr("owner").nested_type.unwrap().nesting,
        object::NestingMode::Single as i32
    );
    let blk = |n: &str| {
        b.block_types
            .iter()
            .find(|x| x.type_name == n)
            .unwrap()
            .clone()
    };
    let vol = blk("volume");
    assert_eq!(vol.nesting, nested_block::NestingMode::List as i32);
    assert_eq!(vol.max_items, 3);
    assert_eq!(vol.min_items, 0);
    assert_eq!(vol.block.unwrap().attributes[0].name, "path");
    assert_eq!(
        blk("timeouts").nesting,
        nested_block::NestingMode::Single as i32
    );
    assert_eq!(blk("disk").nesting, nested_block::NestingMode::Map as i32);
    assert_eq!(blk("tag").nesting, nested_block::NestingMode::Set as i32);
    let g = NestedBlock::group("g", Block::new())
        .min_items(1)
        .to_proto();
    assert_eq!(g.nesting, nested_block::NestingMode::Group as i32);
    assert_eq!(g.min_items, 1);
}

#[test]
fn deprecation_in_proto() {
    let a = Attribute::string("old")
        .optional()
        .description("Old name.")
        .deprecated("Use `name` instead.")
        .to_proto();
    assert!(a.deprecated);
    assert_eq!(
        a.description,
        "Old name.\n\n**Deprecated**: Use `name` instead."
    );
    let b = Attribute::string("old")
        .optional()
        .deprecated("Gone.")
        .to_proto();
    assert_eq!(b.description, "**Deprecated**: Gone.");
    let blk = Block::new().deprecated().to_proto();
    assert!(blk.deprecated);
}

#[test]
fn definition_checks() {
    assert!(
        sample().validate_definition().is_empty(),
        "{}",
        sample().validate_definition()
    );
    let cases: Vec<(Attribute, &str)> = vec![
        (
            Attribute::string("a"),
            "must be required, optional or computed",
        ),
        (
            Attribute::string("a").required().computed(),
            "cannot also be",
        ),
        (
            Attribute::string("a")
                .optional()
                .default(Value::string("x")),
            "must be computed",
        ),
        (
            Attribute::string("a").optional().write_only().computed(),
            "cannot be computed",
        ),
        (
            Attribute::nested(
                "a",
                NestedAttributes::list(vec![Attribute::string("id")
                    .computed()
                    .use_state_for_unknown()]),
            )
            .optional(),
            "under a list or set",
        ),
        (
            Attribute::nested(
                "a",
                NestedAttributes::set(vec![Attribute::string("w").optional().write_only()]),
            )
            .optional(),
            "not supported in sets",
        ),
        (
            Attribute::nested("a", NestedAttributes::single(vec![])).optional(),
            "at least one",
        ),
    ];
    for (a, want) in cases {
        let d = Schema::from_attributes(vec![a]).validate_definition();
        assert!(d.has_errors());
        assert!(d.to_string().contains(want), "{d} should contain {want}");
    }
    let dup = Schema::new(
        Block::from_attributes(vec![Attribute::string("x").optional()])
            .with_block(NestedBlock::list("x", Block::new())),
    )
    .validate_definition();
    assert!(dup.to_string().contains("Duplicate"));
    let under_block = Schema::new(Block::new().with_block(NestedBlock::set(
        "b",
        Block::from_attributes(vec![
            Attribute::string("id").computed().use_state_for_unknown(),
        ]),
    )))
    .validate_definition();
    assert!(under_block.has_errors());
}

fn run(v: &dyn Validator, value: Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    v.validate(&value, &AttributePath::new("x"), &mut d);
    d
}

#[test]
fn validators_table() {
    let cases: Vec<(Box<dyn Validator>, Value, Option<&str>)> = vec![
        (Box::new(one_of(&["a", "b"])), Value::string("a"), None),
        (
            Box::new(one_of(&["a", "b"])),
            Value::string("c"),
            Some("Set it to one of: \"a\", \"b\""),
        ),
        (
            Box::new(one_of(&["a"])),
            Value::List(vec![Value::string("a"), Value::string("z")]),
            Some("x[1]"),
        ),
        (
            Box::new(one_of(&["a"])),
            Value::List(vec![Value::Unknown, Value::Null]),
            None,
        ),
        (Box::new(string_length(1, 3)), Value::string("abc"), None),
        (
            Box::new(string_length(1, 3)),
            Value::string(""),
            Some("between 1 and 3"),
        ),
        (
            Box::new(string_length(2, usize::MAX)),
            Value::string("é"),
            Some("at least 2"),
        ),
        (Box::new(string_length(2, 2)), Value::string("éé"), None),
        (Box::new(int_between(1, 10)), Value::int(10), None),
        (
            Box::new(int_between(1, 10)),
            Value::int(11),
            Some("between 1 and 10"),
        ),
        (
            Box::new(int_between(1, 10)),
            Value::Number(Number::Float(2.5)),
            Some("not a whole number"),
        ),
        (
            Box::new(int_between(1, 10)),
            Value::Number(Number::Float(2.0)),
            None,
        ),
        (
            Box::new(int_between(0, 1)),
            Value::Map([("k".to_string(), Value::int(5))].into()),
            Some("x[\"k\"]"),
        ),
        (
            Box::new(matches("be odd-length", |s: &str| s.len() % 2 == 1)),
            Value::string("abc"),
            None,
        ),
        (
            Box::new(matches("be odd-length", |s: &str| s.len() % 2 == 1)),
            Value::string("ab"),
            Some("must be odd-length"),
        ),
    ];
    for (v, value, want) in cases {
        let d = run(v.as_ref(), value.clone());
        match want {
            None => assert!(d.is_empty(), "{value:?}: {d}"),
            Some(w) => {
                assert!(d.has_errors(), "{value:?} should fail");
                let s = d.to_string();
                assert!(s.contains(w), "{s} should contain {w}");
                assert!(d.iter().all(|x| x.attribute.is_some()));
            }
        }
    }
}

#[test]
fn custom_validator_and_descriptions() {
    let v = custom(|v, p, d| {
        if v.as_str() == Some("bad") {
            d.attribute_error(p.clone(), "Bad", "no");
        }
    });
    assert!(run(&v, Value::string("ok")).is_empty());
    let d = run(&v, Value::string("bad"));
    assert_eq!(
        d.iter().next().unwrap().attribute,
        Some(AttributePath::new("x"))
    );
    assert_eq!(v.description(), "custom validation");
    assert_eq!(custom_described("even", |_, _, _| {}).description(), "even");
    assert!(one_of(&["a"]).description().contains("\"a\""));
    assert!(string_length(1, 2)
        .description()
        .contains("between 1 and 2"));
    assert!(int_between(1, 2).description().contains("1 and 2"));
    let a = Attribute::string("s").optional().validator(one_of(&["a"]));
    assert!(format!("{a:?}").contains("one of"));
}
