//! The plan engine: validation of configuration, planning of resource changes, write-only
//! handling and tolerant state upgrades, all driven by a [`Schema`].
//!
//! Planning follows the behaviour practitioners know from providers built on HashiCorp's
//! plugin framework:
//!
//! 1. Destroy (proposed new state is null): the plan is null; nothing else happens.
//! 2. Defaults: every attribute with a default whose configuration value is null is planned
//!    with the default (also inside nested attributes and blocks).
//! 3. If the plan so far differs from the prior state (always true on create), every computed
//!    attribute whose configuration value is null and that has no default becomes unknown
//!    ("known after apply"). If nothing differs, the plan is the prior state.
//! 4. On update, per attribute and in this order: `use_state_for_unknown` puts the prior value
//!    back in place of an unknown (not when the configuration value itself is unknown, and not
//!    under a list or set, whose elements cannot be matched reliably); then `requires_replace`
//!    / `requires_replace_if` list the attribute's path when its planned value (unknown
//!    included) differs from the prior value.
//! 5. Write-only attributes are null in the plan. They are also ignored when deciding whether
//!    anything changed: a new write-only value alone does not plan an update.
//!
//! Elements of nested lists are paired with configuration and prior state by position, map
//! elements by key, and set elements by value (first exactly, then by their non-computed
//! attributes). Paths inside a set stop at the set, which has no addressable elements.

use std::collections::{BTreeMap, HashMap};

use super::cty::json::{self, Json};
use super::cty::{Type, Value};
use super::diag::{AttributePath, Diagnostics};
use super::schema::{
    Attribute, AttributeType, Block, BlockNesting, NestedBlock, NestingMode, Schema,
};

static NULL: Value = Value::Null;

/// The outcome of [`plan_resource_change`].
#[derive(Clone, Debug, PartialEq)]
pub struct PlanResult {
    pub planned_state: Value,
    /// Attributes whose change forces replacement, sorted by their text form, without duplicates.
    pub requires_replace: Vec<AttributePath>,
    pub diagnostics: Diagnostics,
}

// ---------------------------------------------------------------------------------------------
// Schema views shared by the walkers.

/// A position while walking values: an attribute path that stops growing once it enters a set
/// (set elements have no address in Terraform's attribute paths, so anything inside a set is
/// reported at the set itself).
#[derive(Clone, Debug)]
struct Loc {
    path: AttributePath,
    frozen: bool,
}

impl Loc {
    fn root() -> Loc {
        Loc {
            path: AttributePath::root(),
            frozen: false,
        }
    }
    fn step(&self, f: impl FnOnce(AttributePath) -> AttributePath) -> Loc {
        if self.frozen {
            self.clone()
        } else {
            Loc {
                path: f(self.path.clone()),
                frozen: false,
            }
        }
    }
    fn attribute(&self, name: &str) -> Loc {
        self.step(|p| p.attribute(name))
    }
    fn index(&self, i: i64) -> Loc {
        self.step(|p| p.index(i))
    }
    fn key(&self, k: String) -> Loc {
        self.step(|p| p.key(k))
    }
    /// Entering a set's elements.
    fn set(&self) -> Loc {
        Loc {
            path: self.path.clone(),
            frozen: true,
        }
    }
}

/// The attributes and blocks describing one object (a block, or a nested attributes element).
#[derive(Clone, Copy)]
struct Obj<'a> {
    attributes: &'a [Attribute],
    blocks: &'a [NestedBlock],
}

impl<'a> Obj<'a> {
    fn block(b: &'a Block) -> Obj<'a> {
        Obj {
            attributes: &b.attributes,
            blocks: &b.blocks,
        }
    }
    fn nested(attributes: &'a [Attribute]) -> Obj<'a> {
        Obj {
            attributes,
            blocks: &[],
        }
    }
}

/// How a nested object repeats.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Coll {
    Single,
    List,
    Set,
    Map,
}

impl Coll {
    fn of_nesting(n: NestingMode) -> Coll {
        match n {
            NestingMode::Single => Coll::Single,
            NestingMode::List => Coll::List,
            NestingMode::Set => Coll::Set,
            NestingMode::Map => Coll::Map,
        }
    }
    fn of_block(n: BlockNesting) -> Coll {
        match n {
            BlockNesting::Single | BlockNesting::Group => Coll::Single,
            BlockNesting::List => Coll::List,
            BlockNesting::Set => Coll::Set,
            BlockNesting::Map => Coll::Map,
        }
    }
    fn is_list_or_set(self) -> bool {
        matches!(self, Coll::List | Coll::Set)
    }
}

/// The attribute's nested object schema and nesting, if it has nested attributes.
fn nested_of(a: &Attribute) -> Option<(Obj<'_>, Coll)> {
    match &a.ty {
        AttributeType::Nested(n) => Some((Obj::nested(&n.attributes), Coll::of_nesting(n.nesting))),
        AttributeType::Cty(_) => None,
    }
}

fn attr_of<'v>(v: &'v Value, name: &str) -> &'v Value {
    v.get(name).unwrap_or(&NULL)
}

fn map_elem<'v>(v: &'v Value, key: &str) -> &'v Value {
    match v {
        Value::Map(m) | Value::Object(m) => m.get(key).unwrap_or(&NULL),
        _ => &NULL,
    }
}

fn known(v: &Value) -> bool {
    !v.is_null() && !v.is_unknown()
}

/// Finds the element of `candidates` that corresponds to set element `elem`: an equal one, or
/// else one agreeing on every non-computed attribute (those the configuration alone decides).
fn match_set_element<'v>(obj: Obj<'_>, elem: &Value, candidates: &'v [Value]) -> Option<&'v Value> {
    if let Some(c) = candidates.iter().find(|c| c.semantic_eq(elem)) {
        return Some(c);
    }
    let keys: Vec<&str> = obj
        .attributes
        .iter()
        .filter(|a| !a.computed && !a.write_only)
        .map(|a| a.name.as_str())
        .collect();
    if keys.is_empty() {
        return None;
    }
    candidates.iter().find(|c| {
        keys.iter()
            .all(|k| attr_of(c, k).semantic_eq(attr_of(elem, k)))
    })
}

/// Calls `f(plan_element, config_element, prior_element, path, in_list_or_set)` for each element
/// of a known, non-null collection of objects in `plan`.
fn for_each_element_mut(
    coll: Coll,
    obj: Obj<'_>,
    plan: &mut Value,
    config: &Value,
    prior: &Value,
    path: &Loc,
    f: &mut dyn FnMut(&mut Value, &Value, &Value, &Loc),
) {
    match coll {
        Coll::Single => f(plan, config, prior, path),
        Coll::List => {
            if let Value::List(v) | Value::Tuple(v) = plan {
                for (i, e) in v.iter_mut().enumerate() {
                    let c = config.elements().get(i).unwrap_or(&NULL);
                    let p = prior.elements().get(i).unwrap_or(&NULL);
                    f(e, c, p, &path.index(i as i64));
                }
            }
        }
        Coll::Set => {
            if let Value::Set(v) = plan {
                let matches: Vec<(Value, Value)> = v
                    .iter()
                    .map(|e| {
                        (
                            match_set_element(obj, e, config.elements())
                                .cloned()
                                .unwrap_or(Value::Null),
                            match_set_element(obj, e, prior.elements())
                                .cloned()
                                .unwrap_or(Value::Null),
                        )
                    })
                    .collect();
                let set_path = path.set();
                for (e, (c, p)) in v.iter_mut().zip(matches) {
                    f(e, &c, &p, &set_path);
                }
            }
        }
        Coll::Map => {
            if let Value::Map(m) = plan {
                for (k, e) in m.iter_mut() {
                    f(
                        e,
                        map_elem(config, k),
                        map_elem(prior, k),
                        &path.key(k.clone()),
                    );
                }
            }
        }
    }
}

/// The elements of a known, non-null collection of objects, with their paths.
fn elements_of<'v>(coll: Coll, value: &'v Value, path: &Loc) -> Vec<(Loc, &'v Value)> {
    match (coll, value) {
        (_, Value::Null | Value::Unknown) => Vec::new(),
        (Coll::Single, v) => vec![(path.clone(), v)],
        (Coll::List, Value::List(v) | Value::Tuple(v)) => v
            .iter()
            .enumerate()
            .map(|(i, e)| (path.index(i as i64), e))
            .collect(),
        (Coll::Set, Value::Set(v)) => v.iter().map(|e| (path.set(), e)).collect(),
        (Coll::Map, Value::Map(m)) => m.iter().map(|(k, e)| (path.key(k.clone()), e)).collect(),
        _ => Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Validation.

/// Validates a configuration: runs each configured attribute's validators (skipping null and
/// unknown values, recursing into nested attributes and blocks) and warns about deprecated
/// attributes and blocks that are set.
pub fn validate_config(schema: &Schema, config: &Value) -> Diagnostics {
    validate_config_with(schema, config, true)
}

/// Like [`validate_config`]; when `write_only_allowed` is false (the client does not support
/// write-only attributes, as told by its capabilities), configured write-only attributes are
/// errors.
pub fn validate_config_with(
    schema: &Schema,
    config: &Value,
    write_only_allowed: bool,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    validate_obj(
        Obj::block(&schema.block),
        config,
        &Loc::root(),
        write_only_allowed,
        &mut diags,
    );
    diags
}

fn validate_obj(
    obj: Obj<'_>,
    config: &Value,
    path: &Loc,
    wo_allowed: bool,
    diags: &mut Diagnostics,
) {
    if !matches!(config, Value::Object(_)) {
        return;
    }
    for a in obj.attributes {
        let v = attr_of(config, &a.name);
        if v.is_null() {
            continue;
        }
        let loc = path.attribute(&a.name);
        let p = &loc.path;
        if a.deprecated {
            let detail = if a.deprecation_message.is_empty() {
                format!("Attribute {p} is deprecated and will be removed in a future version of the provider. Remove it from the configuration.")
            } else {
                format!("Attribute {p} is deprecated: {}", a.deprecation_message)
            };
            diags.attribute_warning(p.clone(), "Attribute Deprecated", detail);
        }
        if a.write_only && !wo_allowed {
            diags.attribute_error(
                p.clone(),
                "Write-only Attribute Not Allowed",
                format!(
                    "Attribute {p} is write-only, and this Terraform client does not support \
                     write-only attributes. Use Terraform 1.11 or later, or remove the attribute \
                     from the configuration."
                ),
            );
        }
        if v.is_unknown() {
            continue;
        }
        for val in &a.validators {
            val.validate(v, p, diags);
        }
        if let Some((nobj, coll)) = nested_of(a) {
            for (ep, e) in elements_of(coll, v, &loc) {
                validate_obj(nobj, e, &ep, wo_allowed, diags);
            }
        }
    }
    for b in obj.blocks {
        let v = attr_of(config, &b.name);
        let loc = path.attribute(&b.name);
        let p = &loc.path;
        let elems = elements_of(Coll::of_block(b.nesting), v, &loc);
        if b.block.deprecated && !elems.is_empty() && b.nesting != BlockNesting::Group {
            diags.attribute_warning(
                p.clone(),
                "Block Deprecated",
                format!("Block {p} is deprecated and will be removed in a future version of the provider. Remove it from the configuration."),
            );
        }
        for (ep, e) in elems {
            validate_obj(Obj::block(&b.block), e, &ep, wo_allowed, diags);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Planning.

/// Plans a resource change. `prior_state` is null on create; `proposed_new_state` (Terraform's
/// merge of configuration and prior state) is null on destroy.
pub fn plan_resource_change(
    schema: &Schema,
    prior_state: &Value,
    proposed_new_state: &Value,
    config: &Value,
) -> PlanResult {
    let mut result = PlanResult {
        planned_state: Value::Null,
        requires_replace: Vec::new(),
        diagnostics: Diagnostics::new(),
    };
    if proposed_new_state.is_null() {
        return result;
    }
    if !matches!(proposed_new_state, Value::Object(_)) {
        result.diagnostics.error(
            "Invalid Proposed New State",
            "Terraform sent a proposed new state that is not an object. This is a bug in \
             Terraform or in the provider's schema handling; please report it.",
        );
        result.planned_state = proposed_new_state.clone();
        return result;
    }
    let obj = Obj::block(&schema.block);
    let mut planned = proposed_new_state.clone();
    apply_defaults(obj, &mut planned, config);
    null_write_only_obj(obj, &mut planned);

    let prior_cmp = null_write_only(schema, prior_state);
    if !planned.semantic_eq(&prior_cmp) {
        mark_computed_unknown(obj, &mut planned, config);
    }
    if !prior_state.is_null() {
        modify_plan(
            obj,
            &mut planned,
            config,
            prior_state,
            &Loc::root(),
            false,
            &mut result.requires_replace,
        );
    }
    null_write_only_obj(obj, &mut planned);
    result.requires_replace = normalise_paths(result.requires_replace);
    result.planned_state = planned;
    result
}

/// Sorts paths by their text form and removes duplicates.
fn normalise_paths(mut paths: Vec<AttributePath>) -> Vec<AttributePath> {
    paths.sort_by_key(|p| p.to_string());
    paths.dedup();
    paths
}

fn apply_defaults(obj: Obj<'_>, plan: &mut Value, config: &Value) {
    let Value::Object(pm) = plan else { return };
    for a in obj.attributes {
        let c = attr_of(config, &a.name);
        if c.is_null() && a.default.is_some() {
            if let Some(d) = &a.default {
                pm.insert(a.name.clone(), d.clone());
            }
            continue;
        }
        let Some(p) = pm.get_mut(&a.name) else {
            continue;
        };
        if let Some((nobj, coll)) = nested_of(a) {
            if known(p) {
                for_each_element_mut(
                    coll,
                    nobj,
                    p,
                    c,
                    &NULL,
                    &Loc::root(),
                    &mut |pe, ce, _, _| apply_defaults(nobj, pe, ce),
                );
            }
        }
    }
    for b in obj.blocks {
        let c = attr_of(config, &b.name);
        let Some(p) = pm.get_mut(&b.name) else {
            continue;
        };
        if known(p) {
            let bobj = Obj::block(&b.block);
            for_each_element_mut(
                Coll::of_block(b.nesting),
                bobj,
                p,
                c,
                &NULL,
                &Loc::root(),
                &mut |pe, ce, _, _| apply_defaults(bobj, pe, ce),
            );
        }
    }
}

fn mark_computed_unknown(obj: Obj<'_>, plan: &mut Value, config: &Value) {
    let Value::Object(pm) = plan else { return };
    for a in obj.attributes {
        let c = attr_of(config, &a.name);
        let Some(p) = pm.get_mut(&a.name) else {
            continue;
        };
        if c.is_null() && a.computed && a.default.is_none() {
            *p = Value::Unknown;
            continue;
        }
        if let Some((nobj, coll)) = nested_of(a) {
            if known(p) {
                for_each_element_mut(
                    coll,
                    nobj,
                    p,
                    c,
                    &NULL,
                    &Loc::root(),
                    &mut |pe, ce, _, _| mark_computed_unknown(nobj, pe, ce),
                );
            }
        }
    }
    for b in obj.blocks {
        let c = attr_of(config, &b.name);
        let Some(p) = pm.get_mut(&b.name) else {
            continue;
        };
        if known(p) {
            let bobj = Obj::block(&b.block);
            for_each_element_mut(
                Coll::of_block(b.nesting),
                bobj,
                p,
                c,
                &NULL,
                &Loc::root(),
                &mut |pe, ce, _, _| mark_computed_unknown(bobj, pe, ce),
            );
        }
    }
}

fn modify_plan(
    obj: Obj<'_>,
    plan: &mut Value,
    config: &Value,
    prior: &Value,
    path: &Loc,
    under_list_or_set: bool,
    replace: &mut Vec<AttributePath>,
) {
    let Value::Object(pm) = plan else { return };
    for a in obj.attributes {
        let Some(p) = pm.get_mut(&a.name) else {
            continue;
        };
        let c = attr_of(config, &a.name);
        let s = attr_of(prior, &a.name);
        let ap = path.attribute(&a.name);
        if a.use_state_for_unknown
            && !under_list_or_set
            && !s.is_null()
            && p.is_unknown()
            && !c.is_unknown()
        {
            *p = s.clone();
        }
        if (a.requires_replace || a.requires_replace_if.is_some())
            && !p.semantic_eq(s)
            && (a.requires_replace || a.requires_replace_if.as_ref().is_some_and(|f| f(s, p)))
        {
            replace.push(ap.path.clone());
        }
        if let Some((nobj, coll)) = nested_of(a) {
            if known(p) {
                let in_ls = under_list_or_set || coll.is_list_or_set();
                for_each_element_mut(coll, nobj, p, c, s, &ap, &mut |pe, ce, se, ep| {
                    modify_plan(nobj, pe, ce, se, ep, in_ls, replace)
                });
            }
        }
    }
    for b in obj.blocks {
        let Some(p) = pm.get_mut(&b.name) else {
            continue;
        };
        if known(p) {
            let coll = Coll::of_block(b.nesting);
            let bobj = Obj::block(&b.block);
            let in_ls = under_list_or_set || coll.is_list_or_set();
            let ap = path.attribute(&b.name);
            let (c, s) = (attr_of(config, &b.name), attr_of(prior, &b.name));
            for_each_element_mut(coll, bobj, p, c, s, &ap, &mut |pe, ce, se, ep| {
                modify_plan(bobj, pe, ce, se, ep, in_ls, replace)
            });
        }
    }
}

/// The value with every write-only attribute (at any depth) set to null. Use it for planned
/// states and for the new state after apply: write-only values are never stored.
pub fn null_write_only(schema: &Schema, value: &Value) -> Value {
    let mut v = value.clone();
    null_write_only_obj(Obj::block(&schema.block), &mut v);
    v
}

/// A configuration derived from a state (for Terraform's config generation on import): the
/// same object shape, with computed-only attributes (computed and not optional) and write-only
/// attributes null at every depth; required and optional values are kept as they are.
pub fn config_from_state(schema: &Schema, state: &Value) -> Value {
    let mut v = state.clone();
    config_from_state_obj(Obj::block(&schema.block), &mut v);
    v
}

fn config_from_state_obj(obj: Obj<'_>, value: &mut Value) {
    let Value::Object(m) = value else { return };
    for a in obj.attributes {
        let Some(v) = m.get_mut(&a.name) else {
            continue;
        };
        if a.write_only || (a.computed && !a.optional && !a.required) {
            *v = Value::Null;
        } else if let Some((nobj, coll)) = nested_of(a) {
            if known(v) {
                for_each_element_mut(
                    coll,
                    nobj,
                    v,
                    &NULL,
                    &NULL,
                    &Loc::root(),
                    &mut |e, _, _, _| config_from_state_obj(nobj, e),
                );
            }
        }
    }
    for b in obj.blocks {
        let Some(v) = m.get_mut(&b.name) else {
            continue;
        };
        if known(v) {
            let bobj = Obj::block(&b.block);
            for_each_element_mut(
                Coll::of_block(b.nesting),
                bobj,
                v,
                &NULL,
                &NULL,
                &Loc::root(),
                &mut |e, _, _, _| config_from_state_obj(bobj, e),
            );
        }
    }
}

fn null_write_only_obj(obj: Obj<'_>, value: &mut Value) {
    let Value::Object(m) = value else { return };
    for a in obj.attributes {
        let Some(v) = m.get_mut(&a.name) else {
            continue;
        };
        if a.write_only {
            *v = Value::Null;
        } else if let Some((nobj, coll)) = nested_of(a) {
            if known(v) {
                for_each_element_mut(
                    coll,
                    nobj,
                    v,
                    &NULL,
                    &NULL,
                    &Loc::root(),
                    &mut |e, _, _, _| null_write_only_obj(nobj, e),
                );
            }
        }
    }
    for b in obj.blocks {
        let Some(v) = m.get_mut(&b.name) else {
            continue;
        };
        if known(v) {
            let bobj = Obj::block(&b.block);
            for_each_element_mut(
                Coll::of_block(b.nesting),
                bobj,
                v,
                &NULL,
                &NULL,
                &Loc::root(),
                &mut |e, _, _, _| null_write_only_obj(bobj, e),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Differences.

/// The paths of attributes and blocks whose values differ between `a` and `b` (sets compared
/// without regard to order). Descends into single nested objects, list elements when both
/// lists have the same length, and map elements; otherwise reports the attribute itself.
/// Returns the root path when either value is not an object.
pub fn object_diff_paths(schema: &Schema, a: &Value, b: &Value) -> Vec<AttributePath> {
    let mut out = Vec::new();
    if a.semantic_eq(b) {
        return out;
    }
    if !matches!(a, Value::Object(_)) || !matches!(b, Value::Object(_)) {
        out.push(AttributePath::root());
        return out;
    }
    diff_obj(
        Obj::block(&schema.block),
        a,
        b,
        &AttributePath::root(),
        &mut out,
    );
    out
}

fn diff_obj(
    obj: Obj<'_>,
    a: &Value,
    b: &Value,
    path: &AttributePath,
    out: &mut Vec<AttributePath>,
) {
    let nested = obj
        .attributes
        .iter()
        .map(|x| (x.name.as_str(), nested_of(x)))
        .chain(obj.blocks.iter().map(|x| {
            (
                x.name.as_str(),
                Some((Obj::block(&x.block), Coll::of_block(x.nesting))),
            )
        }));
    for (name, n) in nested {
        let (va, vb) = (attr_of(a, name), attr_of(b, name));
        if va.semantic_eq(vb) {
            continue;
        }
        let p = path.clone().attribute(name);
        match (n, va, vb) {
            (Some((o, Coll::Single)), Value::Object(_), Value::Object(_)) => {
                diff_obj(o, va, vb, &p, out)
            }
            (Some((o, Coll::List)), Value::List(xa), Value::List(xb)) if xa.len() == xb.len() => {
                for (i, (ea, eb)) in xa.iter().zip(xb).enumerate() {
                    if !ea.semantic_eq(eb) {
                        let ep = p.clone().index(i as i64);
                        if matches!((ea, eb), (Value::Object(_), Value::Object(_))) {
                            diff_obj(o, ea, eb, &ep, out);
                        } else {
                            out.push(ep);
                        }
                    }
                }
            }
            (Some((o, Coll::Map)), Value::Map(ma), Value::Map(mb)) => {
                let keys: std::collections::BTreeSet<&String> =
                    ma.keys().chain(mb.keys()).collect();
                for k in keys {
                    let (ea, eb) = (ma.get(k).unwrap_or(&NULL), mb.get(k).unwrap_or(&NULL));
                    if !ea.semantic_eq(eb) {
                        let ep = p.clone().key(k.clone());
                        if matches!((ea, eb), (Value::Object(_), Value::Object(_))) {
                            diff_obj(o, ea, eb, &ep, out);
                        } else {
                            out.push(ep);
                        }
                    }
                }
            }
            _ => out.push(p),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// State upgrade.

/// Decodes a JSON state (as stored by any earlier version of the provider) into the current
/// schema's shape: attributes missing from the JSON become null (list and set blocks empty, map
/// blocks empty, group blocks an object of nulls), attributes the schema no longer has are
/// dropped, and primitive values are converted where cty would (number or bool as string,
/// numeric string as number). A JSON `null` gives a null value.
pub fn upgrade_raw_state(schema: &Schema, raw_json: &[u8]) -> Result<Value, Diagnostics> {
    let fail = |detail: String| {
        let mut d = Diagnostics::new();
        d.error("Unable to Read Prior State", detail);
        d
    };
    // Parsed exactly (cty/json.rs keeps each number's text): a number beyond 2^53 or a decimal
    // such as 0.1 that another tool wrote comes out as it was written.
    let json = json::parse_json(raw_json).map_err(|e| {
        fail(format!(
            "The stored state of this resource is not valid JSON ({e}). The state file may be \
             damaged; restore it from a backup, or remove the resource from state and import it again."
        ))
    })?;
    if matches!(json, Json::Null) {
        return Ok(Value::Null);
    }
    decode_block(&schema.block, &json, &Loc::root()).map_err(
        |(path, why): (AttributePath, String)| {
            let mut d = Diagnostics::new();
            d.attribute_error(
                path.clone(),
                "Unable to Read Prior State",
                format!(
                    "The stored state of this resource cannot be read with the current schema: at \
                 {}, {why}. The state may have been written by an incompatible version of the \
                 provider; remove the resource from state and import it again.",
                    if path.is_root() {
                        "the resource".to_string()
                    } else {
                        path.to_string()
                    }
                ),
            );
            d
        },
    )
}

type DecodeResult = Result<Value, (AttributePath, String)>;

fn json_kind(j: &Json) -> &'static str {
    match j {
        Json::Null => "null",
        Json::Bool(_) => "a bool",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

fn mismatch(path: &Loc, want: &str, j: &Json) -> (AttributePath, String) {
    (
        path.path.clone(),
        format!("expected {want}, found {}", json_kind(j)),
    )
}

/// The members of a JSON object by name (the last one wins, as in serde_json).
fn members(m: &[(String, Json)]) -> HashMap<&str, &Json> {
    m.iter().map(|(k, v)| (k.as_str(), v)).collect()
}

const JSON_NULL: Json = Json::Null;

fn decode_obj(obj: Obj<'_>, j: &Json, path: &Loc) -> DecodeResult {
    let m = match j {
        Json::Object(m) => members(m),
        Json::Null => HashMap::new(),
        _ => return Err(mismatch(path, "an object", j)),
    };
    let mut out = BTreeMap::new();
    for a in obj.attributes {
        let p = path.attribute(&a.name);
        let aj = m.get(a.name.as_str()).copied().unwrap_or(&JSON_NULL);
        let v = match nested_of(a) {
            Some((nobj, coll)) => decode_coll(coll, nobj, aj, &p, false)?,
            None => decode_type(&a.value_type(), aj, &p)?,
        };
        out.insert(a.name.clone(), v);
    }
    for b in obj.blocks {
        let p = path.attribute(&b.name);
        let bj = m.get(b.name.as_str()).copied().unwrap_or(&JSON_NULL);
        let bobj = Obj::block(&b.block);
        let v = if b.nesting == BlockNesting::Group && matches!(bj, Json::Null) {
            decode_obj(bobj, &Json::Object(Vec::new()), &p)?
        } else {
            decode_coll(Coll::of_block(b.nesting), bobj, bj, &p, true)?
        };
        out.insert(b.name.clone(), v);
    }
    Ok(Value::Object(out))
}

fn decode_block(block: &Block, j: &Json, path: &Loc) -> DecodeResult {
    decode_obj(Obj::block(block), j, path)
}

/// Decodes a (possibly repeated) nested object. For blocks, a missing list, set or map is an
/// empty collection, as Terraform itself represents absent repeated blocks.
fn decode_coll(coll: Coll, obj: Obj<'_>, j: &Json, path: &Loc, is_block: bool) -> DecodeResult {
    if matches!(j, Json::Null) {
        return Ok(match (is_block, coll) {
            (true, Coll::List) => Value::List(Vec::new()),
            (true, Coll::Set) => Value::Set(Vec::new()),
            (true, Coll::Map) => Value::Map(BTreeMap::new()),
            _ => Value::Null,
        });
    }
    match coll {
        Coll::Single => decode_obj(obj, j, path),
        Coll::List | Coll::Set => {
            let Json::Array(items) = j else {
                return Err(mismatch(path, "an array", j));
            };
            let v = items
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    let ep = if coll == Coll::List {
                        path.index(i as i64)
                    } else {
                        path.set()
                    };
                    decode_obj(obj, e, &ep)
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if coll == Coll::List {
                Value::List(v)
            } else {
                Value::Set(v)
            })
        }
        Coll::Map => {
            let Json::Object(m) = j else {
                return Err(mismatch(path, "an object", j));
            };
            let v = members(m)
                .into_iter()
                .map(|(k, e)| {
                    let key = k.to_string();
                    Ok((key.clone(), decode_obj(obj, e, &path.key(key))?))
                })
                .collect::<Result<BTreeMap<_, _>, _>>()?;
            Ok(Value::Map(v))
        }
    }
}

/// Decodes a value of a plain cty type, tolerantly (see [`upgrade_raw_state`]). Numbers go
/// through cty/json.rs's exact reader, whether written as numbers or as strings.
fn decode_type(t: &Type, j: &Json, path: &Loc) -> DecodeResult {
    if matches!(j, Json::Null) {
        return Ok(Value::Null);
    }
    match t {
        Type::String => match j {
            Json::String(s) => Ok(Value::String(s.clone())),
            Json::Number(n) => Ok(Value::String(n.clone())),
            Json::Bool(b) => Ok(Value::String(b.to_string())),
            _ => Err(mismatch(path, "a string", j)),
        },
        Type::Number => match j {
            Json::Number(n) => json::parse_number(n)
                .map(Value::Number)
                .ok_or_else(|| (path.path.clone(), format!("expected a number, found {n:?}"))),
            Json::String(s) => json::parse_number(s.trim())
                .filter(|_| !s.trim().is_empty())
                .map(Value::Number)
                .ok_or_else(|| {
                    (
                        path.path.clone(),
                        format!("expected a number, found the string {s:?}"),
                    )
                }),
            _ => Err(mismatch(path, "a number", j)),
        },
        Type::Bool => match j {
            Json::Bool(b) => Ok(Value::Bool(*b)),
            Json::String(s) if s == "true" => Ok(Value::Bool(true)),
            Json::String(s) if s == "false" => Ok(Value::Bool(false)),
            _ => Err(mismatch(path, "a bool", j)),
        },
        Type::List(e) | Type::Set(e) => {
            let Json::Array(items) = j else {
                return Err(mismatch(path, "an array", j));
            };
            let is_list = matches!(t, Type::List(_));
            let v = items
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    let ep = if is_list {
                        path.index(i as i64)
                    } else {
                        path.set()
                    };
                    decode_type(e, x, &ep)
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if is_list {
                Value::List(v)
            } else {
                Value::Set(v)
            })
        }
        Type::Map(e) => {
            let Json::Object(m) = j else {
                return Err(mismatch(path, "an object", j));
            };
            let v = members(m)
                .into_iter()
                .map(|(k, x)| {
                    let key = k.to_string();
                    Ok((key.clone(), decode_type(e, x, &path.key(key))?))
                })
                .collect::<Result<BTreeMap<_, _>, _>>()?;
            Ok(Value::Map(v))
        }
        Type::Object { attrs, .. } => {
            let Json::Object(m) = j else {
                return Err(mismatch(path, "an object", j));
            };
            let m = members(m);
            let v = attrs
                .iter()
                .map(|(k, at)| {
                    let x = m.get(k.as_str()).copied().unwrap_or(&JSON_NULL);
                    Ok((k.clone(), decode_type(at, x, &path.attribute(k))?))
                })
                .collect::<Result<BTreeMap<_, _>, _>>()?;
            Ok(Value::Object(v))
        }
        Type::Tuple(ts) => {
            let Json::Array(items) = j else {
                return Err(mismatch(path, "an array", j));
            };
            if items.len() != ts.len() {
                return Err((
                    path.path.clone(),
                    format!(
                        "expected a tuple of {} elements, found {}",
                        ts.len(),
                        items.len()
                    ),
                ));
            }
            let v = ts
                .iter()
                .zip(items)
                .enumerate()
                .map(|(i, (et, x))| decode_type(et, x, &path.index(i as i64)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::Tuple(v))
        }
        Type::Dynamic => json::value_from_json(j, &Type::Dynamic, Default::default())
            .map_err(|e| (path.path.clone(), e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
                    Attribute::int64("size").optional().requires_replace_if(
                        |prior, planned| match (prior.as_i64(), planned.as_i64()) {
                            (Some(a), Some(b)) => b < a,
                            _ => false,
                        },
                    ),
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
                        NestedAttributes::single(vec![Attribute::string("host")
                            .optional()
                            .computed()]),
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
        let mut v = schema().null_object();
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
            Case {
                name: "update: requires_replace on changed attribute",
                prior: p.clone(),
                config: with(pc.clone(), &[("name", s("api"))]),
                proposed: None,
                want: with(
                    p.clone(),
                    &[
                        ("name", s("api")),
                        ("region", Value::Unknown),
                        ("status", Value::Unknown),
                        ("endpoint", Value::Unknown),
                    ],
                ),
                replace: vec![AttributePath::new("name")],
            },
            Case {
                name: "update: requires_replace_if true (shrink)",
                prior: p.clone(),
                config: with(pc.clone(), &[("size", i(5))]),
                proposed: None,
                want: with(
                    p.clone(),
                    &[
                        ("size", i(5)),
                        ("region", Value::Unknown),
                        ("status", Value::Unknown),
                        ("endpoint", Value::Unknown),
                    ],
                ),
                replace: vec![AttributePath::new("size")],
            },
            Case {
                name: "update: requires_replace_if false (grow)",
                prior: p.clone(),
                config: with(pc.clone(), &[("size", i(20))]),
                proposed: None,
                want: with(
                    p.clone(),
                    &[
                        ("size", i(20)),
                        ("region", Value::Unknown),
                        ("status", Value::Unknown),
                        ("endpoint", Value::Unknown),
                    ],
                ),
                replace: vec![],
            },
            Case {
                name: "update: unknown planned value differing from known prior requires replace",
                prior: p.clone(),
                config: with(pc.clone(), &[("name", Value::Unknown)]),
                proposed: None,
                want: with(
                    p.clone(),
                    &[
                        ("name", Value::Unknown),
                        ("region", Value::Unknown),
                        ("status", Value::Unknown),
                        ("endpoint", Value::Unknown),
                    ],
                ),
                replace: vec![AttributePath::new("name")],
            },
            Case {
                name: "update: use_state_for_unknown does not override an unknown config value",
                prior: p.clone(),
                config: with(pc.clone(), &[("zone", Value::Unknown)]),
                proposed: None,
                want: with(
                    p.clone(),
                    &[
                        ("zone", Value::Unknown),
                        ("region", Value::Unknown),
                        ("status", Value::Unknown),
                        ("endpoint", Value::Unknown),
                    ],
                ),
                replace: vec![],
            },
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
            Case {
                name: "update: single block set, no computed inside",
                prior: p.clone(),
                config: with(pc.clone(), &[("timeouts", obj(&[("create", s("5m"))]))]),
                proposed: None,
                want: with(
                    p.clone(),
                    &[
                        ("timeouts", obj(&[("create", s("5m"))])),
                        ("region", Value::Unknown),
                        ("status", Value::Unknown),
                        ("endpoint", Value::Unknown),
                    ],
                ),
                replace: vec![],
            },
            Case {
                name: "update: several replacements sorted",
                prior: p.clone(),
                config: with(pc.clone(), &[("size", i(1)), ("name", s("x"))]),
                proposed: None,
                want: with(
                    p.clone(),
                    &[
                        ("size", i(1)),
                        ("name", s("x")),
                        ("region", Value::Unknown),
                        ("status", Value::Unknown),
                        ("endpoint", Value::Unknown),
                    ],
                ),
                replace: vec![AttributePath::new("name"), AttributePath::new("size")],
            },
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

    // --- validation -------------------------------------------------------------------------

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
        let mut v = vschema().null_object();
        let Value::Object(m) = &mut v else {
            unreachable!()
        };
        m.insert("volume".into(), list(vec![]));
        for (k, x) in pairs {
            assert!(m.contains_key(*k));
            m.insert(k.to_string(), x.clone());
        }
        v
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

    // --- state upgrade ----------------------------------------------------------------------

    #[test]
    fn upgrade_round_trips_current_state() {
        let json =
            br#"{"id":"res-1","name":"web","size":10,"replicas":1,"region":"eu-1","zone":null,
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

    // --- diffs ------------------------------------------------------------------------------

    #[test]
    fn diff_paths() {
        let sch = schema();
        let a = with(
            prior(),
            &[(
                "rules",
                list(vec![obj(&[("name", s("r")), ("port", i(1))])]),
            )],
        );
        let cases: Vec<(Value, Vec<&str>)> = vec![
            (a.clone(), vec![]),
            (
                with(a.clone(), &[("name", s("x")), ("size", i(2))]),
                vec!["name", "size"],
            ),
            (
                with(
                    a.clone(),
                    &[(
                        "rules",
                        list(vec![obj(&[("name", s("r")), ("port", i(2))])]),
                    )],
                ),
                vec!["rules[0].port"],
            ),
            (with(a.clone(), &[("rules", list(vec![]))]), vec!["rules"]),
            (
                with(
                    a.clone(),
                    &[("labels", Value::Map([("b".to_string(), s("1"))].into()))],
                ),
                vec!["labels"],
            ),
            (
                with(
                    a.clone(),
                    &[("volume", list(vec![obj(&[("path", s("/x"))])]))],
                ),
                vec!["volume"],
            ),
        ];
        for (b, want) in cases {
            let got: Vec<String> = object_diff_paths(&sch, &a, &b)
                .iter()
                .map(|p| p.to_string())
                .collect();
            assert_eq!(got, want);
        }
        let m1 = with(
            prior(),
            &[(
                "envs",
                Value::Map([("A".to_string(), obj(&[("value", s("1"))]))].into()),
            )],
        );
        let m2 = with(
            prior(),
            &[(
                "envs",
                Value::Map(
                    [
                        ("A".to_string(), obj(&[("value", s("2"))])),
                        ("B".to_string(), obj(&[("value", s("1"))])),
                    ]
                    .into(),
                ),
            )],
        );
        let got: Vec<String> = object_diff_paths(&sch, &m1, &m2)
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(got, vec!["envs[\"A\"].value", "envs[\"B\"]"]);
        assert_eq!(
            object_diff_paths(&sch, &Value::Null, &prior()),
            vec![AttributePath::root()]
        );
    }
}

#[cfg(test)]
mod config_from_state_tests {
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
        let el =
            |a: &str, b: &str| Value::object([(a, Value::string("x")), (b, Value::string("y"))]);
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
}
