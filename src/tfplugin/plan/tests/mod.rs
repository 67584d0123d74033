//! Tests of the plan engine: the plan table and its helpers, shared by the other test modules.

use super::*;
use crate::tfplugin::cty::Type;
use crate::tfplugin::schema::{validators, NestedAttributes};

fn s(v: &str) -> Value {
    Value::string(v)
}
fn i(v: i64) -> Value {
    Value::int(v)
}
fn obj(pairs: &[(&str, Value)]) -> Value {
    Value::object(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())))
}
fn list(v: Vec<Value>) -> Value {
    Value::List(v)
}

fn schema() -> Schema {
    Schema::new(
        Block::new()
            .with_attribute(Attribute::string("id").computed().use_state_for_unknown())
            .with_attribute(Attribute::string("name").required().requires_replace())
            .with_attribute(
                // Shrinking replaces the resource, growing does not.
                Attribute::int64("size")
                    .optional()
                    .requires_replace_if(|prior, planned| {
                        match (prior.as_i64(), planned.as_i64()) {
                            (Some(a), Some(b)) => b < a,
                            _ => false,
                        }
                    }),
            )
            .with_attribute(
                Attribute::int64("replicas")
                    .optional()
                    .computed()
                    .default(i(1)),
            )
            .with_attribute(Attribute::string("region").optional().computed())
            .with_attribute(
                Attribute::string("zone")
                    .optional()
                    .computed()
                    .use_state_for_unknown(),
            )
            .with_attribute(Attribute::string("status").computed())
            .with_attribute(
                Attribute::string("password")
                    .optional()
                    .sensitive()
                    .write_only(),
            )
            .with_attribute(Attribute::map("labels", Type::String).optional())
            .with_attribute(
                Attribute::nested(
                    "rules",
                    NestedAttributes::list(vec![
                        Attribute::string("name").required().requires_replace(),
                        Attribute::int64("port")
                            .optional()
                            .computed()
                            .default(i(80)),
                        Attribute::string("rule_id").computed(),
                        Attribute::string("secret").optional().write_only(),
                    ]),
                )
                .optional(),
            )
            .with_attribute(
                Attribute::nested(
                    "ports",
                    NestedAttributes::set(vec![
                        Attribute::int64("number").required().requires_replace(),
                        Attribute::string("protocol").optional().computed(),
                    ]),
                )
                .optional(),
            )
            .with_attribute(
                Attribute::nested(
                    "envs",
                    NestedAttributes::map(vec![
                        Attribute::string("value").required().requires_replace(),
                        Attribute::string("version").computed(),
                    ]),
                )
                .optional(),
            )
            .with_attribute(
                Attribute::nested(
                    "owner",
                    NestedAttributes::single(vec![
                        Attribute::string("email").optional(),
                        Attribute::string("uid").computed().use_state_for_unknown(),
                    ]),
                )
                .optional(),
            )
            .with_attribute(
                Attribute::nested(
                    "endpoint",
                    NestedAttributes::single(vec![Attribute::string("host").optional().computed()]),
                )
                .optional()
                .computed(),
            )
            .with_block(NestedBlock::list(
                "volume",
                Block::from_attributes(vec![
                    Attribute::string("path").required(),
                    Attribute::int64("size_gb")
                        .optional()
                        .computed()
                        .default(i(10)),
                    Attribute::string("vol_id").computed(),
                ]),
            ))
            .with_block(NestedBlock::single(
                "timeouts",
                Block::from_attributes(vec![Attribute::string("create").optional()]),
            )),
    )
}

/// An object of the schema's shape: everything null, no volumes, then `pairs`.
fn base(pairs: &[(&str, Value)]) -> Value {
    object_of(&schema(), pairs)
}

/// An object of `schema`'s shape: everything null, an empty `volume` list, then `pairs` (each
/// an attribute the schema has).
fn object_of(schema: &Schema, pairs: &[(&str, Value)]) -> Value {
    let mut v = schema.null_object();
    let Value::Object(m) = &mut v else {
        unreachable!()
    };
    m.insert("volume".into(), list(vec![]));
    for (k, x) in pairs {
        assert!(m.contains_key(*k), "no attribute {k}");
        m.insert(k.to_string(), x.clone());
    }
    v
}

/// A full prior state of an existing resource.
fn prior() -> Value {
    base(&[
        ("id", s("res-1")),
        ("name", s("web")),
        ("size", i(10)),
        ("replicas", i(1)),
        ("region", s("eu-1")),
        ("zone", s("eu-1a")),
        ("status", s("running")),
        ("labels", Value::Map([("a".to_string(), s("1"))].into())),
    ])
}

/// The configuration matching `prior()`.
fn prior_config() -> Value {
    base(&[
        ("name", s("web")),
        ("size", i(10)),
        ("labels", Value::Map([("a".to_string(), s("1"))].into())),
    ])
}

/// Mimics Terraform's proposed new state: configured values, else the prior value for
/// computed attributes (top level only; tests with nesting spell the proposal out).
fn propose(prior: &Value, config: &Value) -> Value {
    let sch = schema();
    let Value::Object(cm) = config else { panic!() };
    let mut out = cm.clone();
    for a in &sch.block.attributes {
        if a.computed && cm.get(&a.name).is_none_or(Value::is_null) {
            out.insert(a.name.clone(), attr_of(prior, &a.name).clone());
        }
    }
    Value::Object(out)
}

fn with(mut v: Value, pairs: &[(&str, Value)]) -> Value {
    for (k, x) in pairs {
        *v.get_mut(k).unwrap_or_else(|| panic!("no attribute {k}")) = x.clone();
    }
    v
}

fn plan(prior: &Value, config: &Value) -> PlanResult {
    let r = plan_resource_change(&schema(), prior, &propose(prior, config), config);
    assert!(!r.diagnostics.has_errors(), "{}", r.diagnostics);
    r
}

struct Case {
    name: &'static str,
    prior: Value,
    config: Value,
    /// Proposed new state; None: computed by `propose`.
    proposed: Option<Value>,
    want: Value,
    replace: Vec<AttributePath>,
}

/// An update of `prior()`: the configuration changed by `config`, the plan is the prior state
/// changed by `want`, with the computed attributes without `use_state_for_unknown` unknown.
fn changed(
    name: &'static str,
    config: &[(&str, Value)],
    want: &[(&str, Value)],
    replace: Vec<AttributePath>,
) -> Case {
    let unknown = [
        ("region", Value::Unknown),
        ("status", Value::Unknown),
        ("endpoint", Value::Unknown),
    ];
    Case {
        name,
        prior: prior(),
        config: with(prior_config(), config),
        proposed: None,
        want: with(with(prior(), want), &unknown),
        replace,
    }
}

fn cases() -> Vec<Case> {
    let p = prior();
    let pc = prior_config();
    let created = base(&[
        ("id", Value::Unknown),
        ("name", s("web")),
        ("replicas", i(1)),
        ("region", Value::Unknown),
        ("zone", Value::Unknown),
        ("status", Value::Unknown),
        ("endpoint", Value::Unknown),
    ]);
    let rule_prior = obj(&[
        ("name", s("r")),
        ("port", i(80)),
        ("rule_id", s("id-r")),
        ("secret", Value::Null),
    ]);
    vec![
        Case {
            name: "destroy",
            prior: p.clone(),
            config: Value::Null,
            proposed: Some(Value::Null),
            want: Value::Null,
            replace: vec![],
        },
        Case {
            name: "create: computed unknown, defaults applied",
            prior: Value::Null,
            config: base(&[("name", s("web"))]),
            proposed: None,
            want: created.clone(),
            replace: vec![],
        },
        Case {
            name: "create: write-only value not planned",
            prior: Value::Null,
            config: base(&[("name", s("web")), ("password", s("hunter2"))]),
            proposed: None,
            want: created.clone(),
            replace: vec![],
        },
        Case {
            name: "create: configured value beats default; configured computed kept",
            prior: Value::Null,
            config: base(&[
                ("name", s("web")),
                ("replicas", i(3)),
                ("region", s("us-2")),
            ]),
            proposed: None,
            want: with(
                created.clone(),
                &[("replicas", i(3)), ("region", s("us-2"))],
            ),
            replace: vec![],
        },
        Case {
            name: "create: unknown config values stay unknown",
            prior: Value::Null,
            config: base(&[("name", Value::Unknown), ("replicas", Value::Unknown)]),
            proposed: None,
            want: with(
                created.clone(),
                &[("name", Value::Unknown), ("replicas", Value::Unknown)],
            ),
            replace: vec![],
        },
        Case {
            name: "update: no change plans the prior state",
            prior: p.clone(),
            config: pc.clone(),
            proposed: None,
            want: p.clone(),
            replace: vec![],
        },
        Case {
            name: "update: a new write-only value alone is no change",
            prior: p.clone(),
            config: with(pc.clone(), &[("password", s("new"))]),
            proposed: None,
            want: p.clone(),
            replace: vec![],
        },
        Case {
            name: "update: change marks computed unknown except use_state_for_unknown",
            prior: p.clone(),
            config: with(
                pc.clone(),
                &[("labels", Value::Map([("a".to_string(), s("2"))].into()))],
            ),
            proposed: None,
            want: with(
                p.clone(),
                &[
                    ("labels", Value::Map([("a".to_string(), s("2"))].into())),
                    ("region", Value::Unknown),
                    ("status", Value::Unknown),
                    ("endpoint", Value::Unknown),
                ],
            ),
            replace: vec![],
        },
        Case {
            name: "update: removing a defaulted value from config plans the default",
            prior: with(p.clone(), &[("replicas", i(3))]),
            config: pc.clone(),
            proposed: None,
            want: with(
                p.clone(),
                &[
                    ("region", Value::Unknown),
                    ("status", Value::Unknown),
                    ("endpoint", Value::Unknown),
                ],
            ),
            replace: vec![],
        },
        changed(
            "update: requires_replace on changed attribute",
            &[("name", s("api"))],
            &[("name", s("api"))],
            vec![AttributePath::new("name")],
        ),
        changed(
            "update: requires_replace_if true (shrink)",
            &[("size", i(5))],
            &[("size", i(5))],
            vec![AttributePath::new("size")],
        ),
        changed(
            "update: requires_replace_if false (grow)",
            &[("size", i(20))],
            &[("size", i(20))],
            vec![],
        ),
        changed(
            "update: unknown planned value differing from known prior requires replace",
            &[("name", Value::Unknown)],
            &[("name", Value::Unknown)],
            vec![AttributePath::new("name")],
        ),
        changed(
            "update: use_state_for_unknown does not override an unknown config value",
            &[("zone", Value::Unknown)],
            &[("zone", Value::Unknown)],
            vec![],
        ),
        Case {
            name: "update: use_state_for_unknown keeps nothing when prior value is null",
            prior: with(p.clone(), &[("zone", Value::Null)]),
            config: with(pc.clone(), &[("size", i(11))]),
            proposed: None,
            want: with(
                p.clone(),
                &[
                    ("size", i(11)),
                    ("zone", Value::Unknown),
                    ("region", Value::Unknown),
                    ("status", Value::Unknown),
                    ("endpoint", Value::Unknown),
                ],
            ),
            replace: vec![],
        },
        Case {
            name: "create: nested list defaults and computed unknown, write-only nulled",
            prior: Value::Null,
            config: base(&[
                ("name", s("web")),
                (
                    "rules",
                    list(vec![obj(&[
                        ("name", s("r")),
                        ("port", Value::Null),
                        ("rule_id", Value::Null),
                        ("secret", s("x")),
                    ])]),
                ),
            ]),
            proposed: None,
            want: with(
                created.clone(),
                &[(
                    "rules",
                    list(vec![obj(&[
                        ("name", s("r")),
                        ("port", i(80)),
                        ("rule_id", Value::Unknown),
                        ("secret", Value::Null),
                    ])]),
                )],
            ),
            replace: vec![],
        },
        Case {
            name: "update: nested list element added, computed unknown, replace on new element",
            prior: with(p.clone(), &[("rules", list(vec![rule_prior.clone()]))]),
            config: with(
                pc.clone(),
                &[(
                    "rules",
                    list(vec![
                        obj(&[
                            ("name", s("r")),
                            ("port", Value::Null),
                            ("rule_id", Value::Null),
                            ("secret", Value::Null),
                        ]),
                        obj(&[
                            ("name", s("q")),
                            ("port", i(8080)),
                            ("rule_id", Value::Null),
                            ("secret", Value::Null),
                        ]),
                    ]),
                )],
            ),
            proposed: Some(with(
                p.clone(),
                &[(
                    "rules",
                    list(vec![
                        rule_prior.clone(),
                        obj(&[
                            ("name", s("q")),
                            ("port", i(8080)),
                            ("rule_id", Value::Null),
                            ("secret", Value::Null),
                        ]),
                    ]),
                )],
            )),
            want: with(
                p.clone(),
                &[
                    (
                        "rules",
                        list(vec![
                            obj(&[
                                ("name", s("r")),
                                ("port", i(80)),
                                ("rule_id", Value::Unknown),
                                ("secret", Value::Null),
                            ]),
                            obj(&[
                                ("name", s("q")),
                                ("port", i(8080)),
                                ("rule_id", Value::Unknown),
                                ("secret", Value::Null),
                            ]),
                        ]),
                    ),
                    ("region", Value::Unknown),
                    ("status", Value::Unknown),
                    ("endpoint", Value::Unknown),
                ],
            ),
            replace: vec![AttributePath::new("rules").index(1).attribute("name")],
        },
        Case {
            name: "update: nested list unchanged keeps computed nested values",
            prior: with(p.clone(), &[("rules", list(vec![rule_prior.clone()]))]),
            config: with(
                pc.clone(),
                &[(
                    "rules",
                    list(vec![obj(&[
                        ("name", s("r")),
                        ("port", Value::Null),
                        ("rule_id", Value::Null),
                        ("secret", s("pw")),
                    ])]),
                )],
            ),
            proposed: Some(with(
                p.clone(),
                &[(
                    "rules",
                    list(vec![with(rule_prior.clone(), &[("secret", s("pw"))])]),
                )],
            )),
            want: with(p.clone(), &[("rules", list(vec![rule_prior.clone()]))]),
            replace: vec![],
        },
        Case {
            name: "update: nested list element renamed requires replace at its path",
            prior: with(p.clone(), &[("rules", list(vec![rule_prior.clone()]))]),
            config: with(
                pc.clone(),
                &[(
                    "rules",
                    list(vec![obj(&[
                        ("name", s("z")),
                        ("port", i(80)),
                        ("rule_id", Value::Null),
                        ("secret", Value::Null),
                    ])]),
                )],
            ),
            proposed: Some(with(
                p.clone(),
                &[(
                    "rules",
                    list(vec![with(rule_prior.clone(), &[("name", s("z"))])]),
                )],
            )),
            want: with(
                p.clone(),
                &[
                    (
                        "rules",
                        list(vec![obj(&[
                            ("name", s("z")),
                            ("port", i(80)),
                            ("rule_id", Value::Unknown),
                            ("secret", Value::Null),
                        ])]),
                    ),
                    ("region", Value::Unknown),
                    ("status", Value::Unknown),
                    ("endpoint", Value::Unknown),
                ],
            ),
            replace: vec![AttributePath::new("rules").index(0).attribute("name")],
        },
        Case {
            name: "create: nested set computed unknown",
            prior: Value::Null,
            config: base(&[
                ("name", s("web")),
                (
                    "ports",
                    Value::Set(vec![obj(&[("number", i(443)), ("protocol", Value::Null)])]),
                ),
            ]),
            proposed: None,
            want: with(
                created.clone(),
                &[(
                    "ports",
                    Value::Set(vec![obj(&[
                        ("number", i(443)),
                        ("protocol", Value::Unknown),
                    ])]),
                )],
            ),
            replace: vec![],
        },
        Case {
            name: "update: nested set element added; replace reported at the set",
            prior: with(
                p.clone(),
                &[(
                    "ports",
                    Value::Set(vec![obj(&[("number", i(80)), ("protocol", s("tcp"))])]),
                )],
            ),
            config: with(
                pc.clone(),
                &[(
                    "ports",
                    Value::Set(vec![
                        obj(&[("number", i(443)), ("protocol", Value::Null)]),
                        obj(&[("number", i(80)), ("protocol", Value::Null)]),
                    ]),
                )],
            ),
            proposed: Some(with(
                p.clone(),
                &[(
                    "ports",
                    Value::Set(vec![
                        obj(&[("number", i(443)), ("protocol", Value::Null)]),
                        obj(&[("number", i(80)), ("protocol", s("tcp"))]),
                    ]),
                )],
            )),
            want: with(
                p.clone(),
                &[
                    (
                        "ports",
                        Value::Set(vec![
                            obj(&[("number", i(443)), ("protocol", Value::Unknown)]),
                            obj(&[("number", i(80)), ("protocol", Value::Unknown)]),
                        ]),
                    ),
                    ("region", Value::Unknown),
                    ("status", Value::Unknown),
                    ("endpoint", Value::Unknown),
                ],
            ),
            replace: vec![AttributePath::new("ports")],
        },
        Case {
            name: "update: nested map value changed requires replace at its key",
            prior: with(
                p.clone(),
                &[(
                    "envs",
                    Value::Map(
                        [(
                            "A".to_string(),
                            obj(&[("value", s("1")), ("version", s("v1"))]),
                        )]
                        .into(),
                    ),
                )],
            ),
            config: with(
                pc.clone(),
                &[(
                    "envs",
                    Value::Map(
                        [(
                            "A".to_string(),
                            obj(&[("value", s("2")), ("version", Value::Null)]),
                        )]
                        .into(),
                    ),
                )],
            ),
            proposed: Some(with(
                p.clone(),
                &[(
                    "envs",
                    Value::Map(
                        [(
                            "A".to_string(),
                            obj(&[("value", s("2")), ("version", s("v1"))]),
                        )]
                        .into(),
                    ),
                )],
            )),
            want: with(
                p.clone(),
                &[
                    (
                        "envs",
                        Value::Map(
                            [(
                                "A".to_string(),
                                obj(&[("value", s("2")), ("version", Value::Unknown)]),
                            )]
                            .into(),
                        ),
                    ),
                    ("region", Value::Unknown),
                    ("status", Value::Unknown),
                    ("endpoint", Value::Unknown),
                ],
            ),
            replace: vec![AttributePath::new("envs").key("A").attribute("value")],
        },
        Case {
            name: "update: single nested use_state_for_unknown keeps prior uid",
            prior: with(
                p.clone(),
                &[("owner", obj(&[("email", s("a@x")), ("uid", s("u1"))]))],
            ),
            config: with(
                pc.clone(),
                &[("owner", obj(&[("email", s("b@x")), ("uid", Value::Null)]))],
            ),
            proposed: Some(with(
                p.clone(),
                &[("owner", obj(&[("email", s("b@x")), ("uid", s("u1"))]))],
            )),
            want: with(
                p.clone(),
                &[
                    ("owner", obj(&[("email", s("b@x")), ("uid", s("u1"))])),
                    ("region", Value::Unknown),
                    ("status", Value::Unknown),
                    ("endpoint", Value::Unknown),
                ],
            ),
            replace: vec![],
        },
        Case {
            name: "update: configured optional+computed nested object recursed, not replaced",
            prior: with(p.clone(), &[("endpoint", obj(&[("host", s("h1"))]))]),
            config: with(
                pc.clone(),
                &[("size", i(12)), ("endpoint", obj(&[("host", Value::Null)]))],
            ),
            proposed: Some(with(
                p.clone(),
                &[("size", i(12)), ("endpoint", obj(&[("host", s("h1"))]))],
            )),
            want: with(
                p.clone(),
                &[
                    ("size", i(12)),
                    ("endpoint", obj(&[("host", Value::Unknown)])),
                    ("region", Value::Unknown),
                    ("status", Value::Unknown),
                ],
            ),
            replace: vec![],
        },
        Case {
            name: "create: list block defaults and computed unknown",
            prior: Value::Null,
            config: base(&[
                ("name", s("web")),
                (
                    "volume",
                    list(vec![obj(&[
                        ("path", s("/d")),
                        ("size_gb", Value::Null),
                        ("vol_id", Value::Null),
                    ])]),
                ),
            ]),
            proposed: None,
            want: with(
                created.clone(),
                &[(
                    "volume",
                    list(vec![obj(&[
                        ("path", s("/d")),
                        ("size_gb", i(10)),
                        ("vol_id", Value::Unknown),
                    ])]),
                )],
            ),
            replace: vec![],
        },
        Case {
            name: "update: block element changed marks its computed unknown",
            prior: with(
                p.clone(),
                &[(
                    "volume",
                    list(vec![obj(&[
                        ("path", s("/d")),
                        ("size_gb", i(10)),
                        ("vol_id", s("v-1")),
                    ])]),
                )],
            ),
            config: with(
                pc.clone(),
                &[(
                    "volume",
                    list(vec![obj(&[
                        ("path", s("/d")),
                        ("size_gb", i(20)),
                        ("vol_id", Value::Null),
                    ])]),
                )],
            ),
            proposed: Some(with(
                p.clone(),
                &[(
                    "volume",
                    list(vec![obj(&[
                        ("path", s("/d")),
                        ("size_gb", i(20)),
                        ("vol_id", s("v-1")),
                    ])]),
                )],
            )),
            want: with(
                p.clone(),
                &[
                    (
                        "volume",
                        list(vec![obj(&[
                            ("path", s("/d")),
                            ("size_gb", i(20)),
                            ("vol_id", Value::Unknown),
                        ])]),
                    ),
                    ("region", Value::Unknown),
                    ("status", Value::Unknown),
                    ("endpoint", Value::Unknown),
                ],
            ),
            replace: vec![],
        },
        changed(
            "update: single block set, no computed inside",
            &[("timeouts", obj(&[("create", s("5m"))]))],
            &[("timeouts", obj(&[("create", s("5m"))]))],
            vec![],
        ),
        changed(
            "update: several replacements sorted",
            &[("size", i(1)), ("name", s("x"))],
            &[("size", i(1)), ("name", s("x"))],
            vec![AttributePath::new("name"), AttributePath::new("size")],
        ),
    ]
}

#[test]
fn plan_table() {
    let sch = schema();
    assert!(
        sch.validate_definition().is_empty(),
        "{}",
        sch.validate_definition()
    );
    let cases = cases();
    assert!(cases.len() >= 20);
    for c in cases {
        let proposed = c.proposed.clone().unwrap_or_else(|| {
            if c.prior.is_null() {
                c.config.clone()
            } else {
                propose(&c.prior, &c.config)
            }
        });
        let r = plan_resource_change(&sch, &c.prior, &proposed, &c.config);
        assert!(r.diagnostics.is_empty(), "{}: {}", c.name, r.diagnostics);
        assert!(
            r.planned_state.semantic_eq(&c.want),
            "{}:\n got  {:?}\n want {:?}\n diff {:?}",
            c.name,
            r.planned_state,
            c.want,
            object_diff_paths(&sch, &r.planned_state, &c.want)
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
        );
        assert_eq!(r.requires_replace, c.replace, "{}", c.name);
    }
}

#[test]
fn create_never_replaces() {
    let cfg = base(&[("name", s("web")), ("size", i(1))]);
    let r = plan(&Value::Null, &cfg);
    assert!(r.requires_replace.is_empty());
}

#[test]
fn destroy_ignores_everything() {
    let r = plan_resource_change(&schema(), &prior(), &Value::Null, &Value::Null);
    assert_eq!(r.planned_state, Value::Null);
    assert!(r.requires_replace.is_empty() && r.diagnostics.is_empty());
}

#[test]
fn non_object_proposal_is_an_error() {
    let r = plan_resource_change(&schema(), &Value::Null, &s("x"), &Value::Null);
    assert!(r.diagnostics.has_errors());
}

#[test]
fn plan_is_idempotent_after_apply() {
    // Plan, "apply" by filling unknowns, then plan again with the same config: no change.
    let cfg = base(&[("name", s("web"))]);
    let r = plan(&Value::Null, &cfg);
    let mut applied = r.planned_state.clone();
    let Value::Object(m) = &mut applied else {
        panic!()
    };
    for (k, v) in m.iter_mut() {
        if v.is_unknown() {
            *v = if k == "endpoint" {
                obj(&[("host", s("h"))])
            } else {
                s(&format!("{k}-value"))
            };
        }
    }
    let r2 = plan(&applied, &cfg);
    assert_eq!(r2.planned_state, applied);
    assert!(r2.requires_replace.is_empty());
}

#[test]
fn null_write_only_nested() {
    let v = base(&[
        ("password", s("p")),
        (
            "rules",
            list(vec![obj(&[
                ("name", s("r")),
                ("port", i(1)),
                ("rule_id", s("i")),
                ("secret", s("s")),
            ])]),
        ),
    ]);
    let out = null_write_only(&schema(), &v);
    assert_eq!(out.get("password"), Some(&Value::Null));
    assert_eq!(
        out.get("rules").unwrap().elements()[0].get("secret"),
        Some(&Value::Null)
    );
    assert_eq!(
        out.get("rules").unwrap().elements()[0].get("name"),
        Some(&s("r"))
    );
    assert_eq!(null_write_only(&schema(), &Value::Null), Value::Null);
}

#[test]
fn set_element_matching() {
    let o = Obj::nested(&[]);
    let sch = schema();
    let ports = sch.attribute("ports").unwrap().nested_attributes().unwrap();
    let po = Obj::nested(&ports.attributes);
    let cands = vec![
        obj(&[("number", i(80)), ("protocol", s("tcp"))]),
        obj(&[("number", i(443)), ("protocol", s("udp"))]),
    ];
    let e = obj(&[("number", i(443)), ("protocol", Value::Unknown)]);
    assert_eq!(match_set_element(po, &e, &cands), Some(&cands[1]));
    assert_eq!(match_set_element(po, &cands[0], &cands), Some(&cands[0]));
    assert_eq!(
        match_set_element(
            po,
            &obj(&[("number", i(1)), ("protocol", Value::Null)]),
            &cands
        ),
        None
    );
    assert_eq!(match_set_element(o, &e, &cands), None);
}

mod config_from_state;
mod diff;
mod upgrade;
mod validate;
