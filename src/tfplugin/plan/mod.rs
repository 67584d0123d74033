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

use super::cty::Value;
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

/// Whether [`walk`] goes on into the elements of an attribute it has just visited.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Then {
    Descend,
    Skip,
}

/// The attribute [`walk`] is at: its schema, where it is, and the configuration and prior
/// values at the same place (null where there are none).
struct At<'w> {
    attribute: &'w Attribute,
    config: &'w Value,
    prior: &'w Value,
    /// The object holding the attribute: the attribute's own path is `parent.attribute(name)`.
    parent: &'w Loc,
    /// Inside the elements of a list or a set (whose elements cannot be matched to prior ones
    /// by position for every purpose).
    under_list_or_set: bool,
}

/// The one schema walk every plan pass uses: visits each attribute of `obj` present in
/// `value` (with the configuration and prior values beside it), then, unless the visit says
/// [`Then::Skip`], the objects inside its known nested elements, and the objects of every known
/// nested block, at any depth.
fn walk(
    obj: Obj<'_>,
    value: &mut Value,
    config: &Value,
    prior: &Value,
    path: &Loc,
    under_list_or_set: bool,
    visit: &mut dyn FnMut(&At<'_>, &mut Value) -> Then,
) {
    let Value::Object(members) = value else {
        return;
    };
    for a in obj.attributes {
        let Some(v) = members.get_mut(&a.name) else {
            continue;
        };
        let (c, s) = (attr_of(config, &a.name), attr_of(prior, &a.name));
        let at = At {
            attribute: a,
            config: c,
            prior: s,
            parent: path,
            under_list_or_set,
        };
        if visit(&at, v) == Then::Skip {
            continue;
        }
        if let Some((nobj, coll)) = nested_of(a) {
            walk_elements(
                coll,
                nobj,
                v,
                c,
                s,
                &path.attribute(&a.name),
                under_list_or_set,
                visit,
            );
        }
    }
    for b in obj.blocks {
        let Some(v) = members.get_mut(&b.name) else {
            continue;
        };
        let (c, s) = (attr_of(config, &b.name), attr_of(prior, &b.name));
        let coll = Coll::of_block(b.nesting);
        let here = path.attribute(&b.name);
        walk_elements(
            coll,
            Obj::block(&b.block),
            v,
            c,
            s,
            &here,
            under_list_or_set,
            visit,
        );
    }
}

/// [`walk`] into each object of a known collection (or single object) `value`.
#[allow(clippy::too_many_arguments)]
fn walk_elements(
    coll: Coll,
    obj: Obj<'_>,
    value: &mut Value,
    config: &Value,
    prior: &Value,
    path: &Loc,
    under_list_or_set: bool,
    visit: &mut dyn FnMut(&At<'_>, &mut Value) -> Then,
) {
    if !known(value) {
        return;
    }
    let inner = under_list_or_set || coll.is_list_or_set();
    for_each_element_mut(coll, obj, value, config, prior, path, &mut |e, c, s, p| {
        walk(obj, e, c, s, p, inner, visit)
    });
}

/// Walks a whole value of `obj` with no configuration or prior value beside it.
fn walk_alone(obj: Obj<'_>, value: &mut Value, visit: &mut dyn FnMut(&At<'_>, &mut Value) -> Then) {
    walk(obj, value, &NULL, &NULL, &Loc::root(), false, visit);
}

/// Unset attributes with a default take it.
fn apply_defaults(obj: Obj<'_>, plan: &mut Value, config: &Value) {
    walk(
        obj,
        plan,
        config,
        &NULL,
        &Loc::root(),
        false,
        &mut |at, v| match &at.attribute.default {
            Some(default) if at.config.is_null() => {
                *v = default.clone();
                Then::Skip
            }
            _ => Then::Descend,
        },
    );
}

/// Unset computed attributes (without a default) become unknown: the provider decides them.
fn mark_computed_unknown(obj: Obj<'_>, plan: &mut Value, config: &Value) {
    walk(
        obj,
        plan,
        config,
        &NULL,
        &Loc::root(),
        false,
        &mut |at, v| {
            let a = at.attribute;
            if at.config.is_null() && a.computed && a.default.is_none() {
                *v = Value::Unknown;
                Then::Skip
            } else {
                Then::Descend
            }
        },
    );
}

/// The attributes' plan modifiers: `use_state_for_unknown` keeps the prior value of an
/// attribute left unknown (not inside lists or sets, whose elements may have moved), and
/// `requires_replace` (or its predicate) records a replacement when the value changes.
fn modify_plan(
    obj: Obj<'_>,
    plan: &mut Value,
    config: &Value,
    prior: &Value,
    replace: &mut Vec<AttributePath>,
) {
    walk(
        obj,
        plan,
        config,
        prior,
        &Loc::root(),
        false,
        &mut |at, p| {
            let (a, c, s) = (at.attribute, at.config, at.prior);
            if a.use_state_for_unknown
                && !at.under_list_or_set
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
                replace.push(at.parent.attribute(&a.name).path);
            }
            Then::Descend
        },
    );
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
    walk_alone(Obj::block(&schema.block), &mut v, &mut |at, v| {
        let a = at.attribute;
        if a.write_only || (a.computed && !a.optional && !a.required) {
            *v = Value::Null;
            Then::Skip
        } else {
            Then::Descend
        }
    });
    v
}

fn null_write_only_obj(obj: Obj<'_>, value: &mut Value) {
    walk_alone(obj, value, &mut |at, v| {
        if at.attribute.write_only {
            *v = Value::Null;
            Then::Skip
        } else {
            Then::Descend
        }
    });
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

mod upgrade;
pub use upgrade::upgrade_raw_state;

#[cfg(test)]
mod tests;
