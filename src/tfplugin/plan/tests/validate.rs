//! Validation of configurations against the schema.

use super::*;

fn vschema() -> Schema {
    Schema::new(
        Block::new()
            .with_attribute(
                Attribute::string("name")
                    .required()
                    .validator(validators::string_length(1, 5)),
            )
            .with_attribute(
                Attribute::set("zones", Type::String)
                    .optional()
                    .validator(validators::one_of(&["a", "b"])),
            )
            .with_attribute(
                Attribute::string("old")
                    .optional()
                    .deprecated("Use `name`."),
            )
            .with_attribute(Attribute::string("token").optional().write_only())
            .with_attribute(
                Attribute::nested(
                    "rules",
                    NestedAttributes::list(vec![Attribute::int64("port")
                        .required()
                        .validator(validators::int_between(1, 65535))]),
                )
                .optional(),
            )
            .with_attribute(
                Attribute::nested(
                    "envs",
                    NestedAttributes::map(vec![Attribute::string("v")
                        .required()
                        .validator(validators::one_of(&["x"]))]),
                )
                .optional(),
            )
            .with_attribute(
                Attribute::nested(
                    "tags",
                    NestedAttributes::set(vec![Attribute::string("k")
                        .required()
                        .validator(validators::string_length(2, 2))]),
                )
                .optional(),
            )
            .with_block(NestedBlock::list(
                "volume",
                Block::from_attributes(vec![Attribute::string("path").required().validator(
                    validators::matches("start with /", |s: &str| s.starts_with('/')),
                )]),
            ))
            .with_block(NestedBlock::single(
                "legacy",
                Block::from_attributes(vec![Attribute::string("x").optional()]).deprecated(),
            )),
    )
}

fn vconfig(pairs: &[(&str, Value)]) -> Value {
    object_of(&vschema(), pairs)
}

#[test]
fn validate_table() {
    // (config, expected (severity is error, path, detail fragment) list)
    type Expected<'a> = Vec<(bool, &'a str, &'a str)>;
    let cases: Vec<(&str, Value, Expected)> = vec![
        ("valid", vconfig(&[("name", s("ok"))]), vec![]),
        ("null skipped", vconfig(&[]), vec![]),
        (
            "unknown skipped",
            vconfig(&[("name", Value::Unknown), ("rules", Value::Unknown)]),
            vec![],
        ),
        (
            "top-level",
            vconfig(&[("name", s("toolong"))]),
            vec![(true, "name", "between 1 and 5")],
        ),
        (
            "set elements name the set",
            vconfig(&[("zones", Value::Set(vec![s("a"), s("c"), Value::Unknown]))]),
            vec![(true, "zones", "\"c\"")],
        ),
        (
            "nested list",
            vconfig(&[(
                "rules",
                list(vec![
                    obj(&[("port", i(80))]),
                    obj(&[("port", i(0))]),
                    obj(&[("port", Value::Unknown)]),
                ]),
            )]),
            vec![(true, "rules[1].port", "between 1 and 65535")],
        ),
        (
            "nested map",
            vconfig(&[(
                "envs",
                Value::Map([("K".to_string(), obj(&[("v", s("y"))]))].into()),
            )]),
            vec![(true, "envs[\"K\"].v", "one of: \"x\"")],
        ),
        (
            "nested set",
            vconfig(&[("tags", Value::Set(vec![obj(&[("k", s("abc"))])]))]),
            vec![(true, "tags", "exactly 2")],
        ),
        (
            "block",
            vconfig(&[(
                "volume",
                list(vec![obj(&[("path", s("/ok"))]), obj(&[("path", s("rel"))])]),
            )]),
            vec![(true, "volume[1].path", "must start with /")],
        ),
        (
            "deprecated attribute",
            vconfig(&[("old", s("x"))]),
            vec![(false, "old", "Use `name`.")],
        ),
        (
            "deprecated attribute unknown",
            vconfig(&[("old", Value::Unknown)]),
            vec![(false, "old", "deprecated")],
        ),
        (
            "deprecated block",
            vconfig(&[("legacy", obj(&[("x", s("1"))]))]),
            vec![(false, "legacy", "deprecated")],
        ),
        (
            "write-only allowed by default",
            vconfig(&[("token", s("t"))]),
            vec![],
        ),
    ];
    for (name, cfg, want) in cases {
        let d = validate_config(&vschema(), &cfg);
        let got: Vec<(bool, String, String)> = d
            .iter()
            .map(|x| {
                (
                    x.is_error(),
                    x.attribute.clone().unwrap_or_default().to_string(),
                    x.detail.clone(),
                )
            })
            .collect();
        assert_eq!(got.len(), want.len(), "{name}: {d}");
        for ((ge, gp, gd), (we, wp, wd)) in got.iter().zip(&want) {
            assert_eq!(ge, we, "{name}");
            assert_eq!(gp, wp, "{name}");
            assert!(gd.contains(wd), "{name}: {gd:?} should contain {wd:?}");
            assert!(
                gd.contains(gp.as_str()),
                "{name}: detail should name the attribute: {gd}"
            );
        }
    }
}

#[test]
fn validate_write_only_capability() {
    let cfg = vconfig(&[("token", s("t"))]);
    let d = validate_config_with(&vschema(), &cfg, false);
    assert!(d.has_errors());
    assert_eq!(
        d.iter().next().unwrap().attribute,
        Some(AttributePath::new("token"))
    );
    assert!(validate_config_with(&vschema(), &vconfig(&[]), false).is_empty());
    assert!(validate_config(&vschema(), &Value::Unknown).is_empty());
    assert!(validate_config(&vschema(), &Value::Null).is_empty());
}
