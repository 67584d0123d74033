//! cty's JSON encodings: type constraints (`"string"`, `["list","number"]`, …) and values
//! (the form Terraform uses for `RawState.json`).
//!
//! Type JSON: primitives are the strings `"string"`, `"number"`, `"bool"` and `"dynamic"`;
//! collections are `["list",T]`, `["set",T]`, `["map",T]`; `["tuple",[T,…]]`; objects are
//! `["object",{"name":T,…}]` with an optional third element listing the optional attributes.
//!
//! Value JSON: null is `null` at any position; strings, numbers and bools are themselves;
//! lists, sets and tuples are arrays; maps and objects are JSON objects (object attributes that
//! are absent decode as null); a value at a `dynamic` position is `{"value":V,"type":T}`.
//! Unknown values cannot be written as JSON.
//!
//! Numbers are decoded losslessly: the JSON text is kept, and classified by
//! [`parse_number`] into an exact `Int`, an exact `Float`, or `Big` text.

use std::collections::{BTreeMap, BTreeSet};

use super::{Error, Number, Type, Value};

mod reader;
use reader::{json_from_serde, json_to_serde};
pub(crate) use reader::{parse_json, Json};

/// How deeply types and values may nest before decoding gives up (guards the stack).
pub const MAX_DEPTH: usize = 128;

// ---------------------------------------------------------------------------------------------
// Attribute paths (shared with the msgpack codec)
// ---------------------------------------------------------------------------------------------

/// One step of the path to the value being decoded or encoded.
#[derive(Clone, Debug)]
pub(crate) enum Step {
    Attr(String),
    Index(usize),
    Key(String),
}

/// Renders a path the way Terraform users read it: `.foo[2]["key"]`; the root is `(root)`.
pub(crate) fn render_path(path: &[Step]) -> String {
    if path.is_empty() {
        return "(root)".to_string();
    }
    let mut out = String::new();
    for step in path {
        match step {
            Step::Attr(name) => {
                out.push('.');
                out.push_str(name);
            }
            Step::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
            Step::Key(k) => {
                out.push('[');
                out.push_str(&quote(k));
                out.push(']');
            }
        }
    }
    out
}

pub(crate) fn path_error(path: &[Step], msg: impl std::fmt::Display) -> Error {
    Error(format!("{}: {}", render_path(path), msg))
}

/// A JSON string literal for `s`.
pub(crate) fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// A type's kind with its article ("a string", "an object"), for messages.
pub(crate) fn type_kind(ty: &Type) -> &'static str {
    match ty {
        Type::String => "a string",
        Type::Number => "a number",
        Type::Bool => "a bool",
        Type::Dynamic => "a dynamic value",
        Type::List(_) => "a list",
        Type::Set(_) => "a set",
        Type::Map(_) => "a map",
        Type::Object { .. } => "an object",
        Type::Tuple(_) => "a tuple",
    }
}

/// A value's kind with its article, for messages.
pub(crate) fn value_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Unknown => "an unknown value",
        Value::String(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a bool",
        Value::List(_) => "a list",
        Value::Set(_) => "a set",
        Value::Map(_) => "a map",
        Value::Object(_) => "an object",
        Value::Tuple(_) => "a tuple",
        Value::Dynamic(..) => "a dynamic value",
    }
}

// ---------------------------------------------------------------------------------------------
// Type JSON
// ---------------------------------------------------------------------------------------------

/// Parses a type constraint from its JSON form.
pub fn type_from_json(bytes: &[u8]) -> Result<Type, Error> {
    let v: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| Error(format!("invalid type JSON: {e}")))?;
    type_from_json_value(&v)
}

/// Parses a type constraint from an already-parsed JSON value.
pub fn type_from_json_value(v: &serde_json::Value) -> Result<Type, Error> {
    type_from_jv(v, 0)
}

fn type_err(msg: impl std::fmt::Display) -> Error {
    Error(format!("invalid type JSON: {msg}"))
}

fn type_from_jv(v: &serde_json::Value, depth: usize) -> Result<Type, Error> {
    use serde_json::Value as J;
    if depth > MAX_DEPTH {
        return Err(type_err(format!("nested deeper than {MAX_DEPTH} levels")));
    }
    match v {
        J::String(s) => match s.as_str() {
            "string" => Ok(Type::String),
            "number" => Ok(Type::Number),
            "bool" => Ok(Type::Bool),
            "dynamic" => Ok(Type::Dynamic),
            other => Err(type_err(format!("unknown primitive type {}", quote(other)))),
        },
        J::Array(items) => {
            let kind = match items.first() {
                Some(J::String(k)) => k.as_str(),
                _ => return Err(type_err("a complex type must start with its kind name")),
            };
            match (kind, items.len()) {
                ("list", 2) => Ok(Type::List(Box::new(type_from_jv(&items[1], depth + 1)?))),
                ("set", 2) => Ok(Type::Set(Box::new(type_from_jv(&items[1], depth + 1)?))),
                ("map", 2) => Ok(Type::Map(Box::new(type_from_jv(&items[1], depth + 1)?))),
                ("tuple", 2) => match &items[1] {
                    J::Array(elems) => Ok(Type::Tuple(
                        elems
                            .iter()
                            .map(|e| type_from_jv(e, depth + 1))
                            .collect::<Result<_, _>>()?,
                    )),
                    _ => Err(type_err("tuple element types must be an array")),
                },
                ("object", 2 | 3) => {
                    let J::Object(fields) = &items[1] else {
                        return Err(type_err("object attribute types must be a JSON object"));
                    };
                    let mut attrs = BTreeMap::new();
                    for (name, t) in fields {
                        attrs.insert(name.clone(), type_from_jv(t, depth + 1)?);
                    }
                    let mut optional = BTreeSet::new();
                    if let Some(opt) = items.get(2) {
                        let J::Array(names) = opt else {
                            return Err(type_err("optional attribute names must be an array"));
                        };
                        for n in names {
                            let J::String(n) = n else {
                                return Err(type_err("optional attribute names must be strings"));
                            };
                            if !attrs.contains_key(n) {
                                return Err(type_err(format!(
                                    "optional attribute {} is not an attribute of the object",
                                    quote(n)
                                )));
                            }
                            optional.insert(n.clone());
                        }
                    }
                    Ok(Type::Object { attrs, optional })
                }
                ("list" | "set" | "map" | "tuple" | "object", n) => Err(type_err(format!(
                    "{} type description has {n} elements",
                    quote(kind)
                ))),
                (other, _) => Err(type_err(format!("unknown type kind {}", quote(other)))),
            }
        }
        _ => Err(type_err("a type must be a string or an array")),
    }
}

/// The compact JSON form of a type, as cty writes it (object attributes sorted by name).
pub fn type_to_json(ty: &Type) -> Vec<u8> {
    let mut out = String::new();
    write_type(ty, &mut out);
    out.into_bytes()
}

/// [`type_to_json`] as a `String`.
pub fn type_to_json_string(ty: &Type) -> String {
    let mut out = String::new();
    write_type(ty, &mut out);
    out
}

fn write_type(ty: &Type, out: &mut String) {
    match ty {
        Type::String => out.push_str("\"string\""),
        Type::Number => out.push_str("\"number\""),
        Type::Bool => out.push_str("\"bool\""),
        Type::Dynamic => out.push_str("\"dynamic\""),
        Type::List(t) | Type::Set(t) | Type::Map(t) => {
            out.push_str(match ty {
                Type::List(_) => "[\"list\",",
                Type::Set(_) => "[\"set\",",
                _ => "[\"map\",",
            });
            write_type(t, out);
            out.push(']');
        }
        Type::Tuple(ts) => {
            out.push_str("[\"tuple\",[");
            for (i, t) in ts.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_type(t, out);
            }
            out.push_str("]]");
        }
        Type::Object { attrs, optional } => {
            out.push_str("[\"object\",{");
            for (i, (name, t)) in attrs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&quote(name));
                out.push(':');
                write_type(t, out);
            }
            out.push('}');
            if !optional.is_empty() {
                out.push_str(",[");
                for (i, name) in optional.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&quote(name));
                }
                out.push(']');
            }
            out.push(']');
        }
    }
}

/// The JSON form of a type as a `serde_json::Value`.
pub fn type_to_json_value(ty: &Type) -> serde_json::Value {
    use serde_json::Value as J;
    match ty {
        Type::String => J::String("string".into()),
        Type::Number => J::String("number".into()),
        Type::Bool => J::String("bool".into()),
        Type::Dynamic => J::String("dynamic".into()),
        Type::List(t) => J::Array(vec!["list".into(), type_to_json_value(t)]),
        Type::Set(t) => J::Array(vec!["set".into(), type_to_json_value(t)]),
        Type::Map(t) => J::Array(vec!["map".into(), type_to_json_value(t)]),
        Type::Tuple(ts) => J::Array(vec![
            "tuple".into(),
            J::Array(ts.iter().map(type_to_json_value).collect()),
        ]),
        Type::Object { attrs, optional } => {
            let fields: serde_json::Map<String, J> = attrs
                .iter()
                .map(|(k, t)| (k.clone(), type_to_json_value(t)))
                .collect();
            let mut items = vec!["object".into(), J::Object(fields)];
            if !optional.is_empty() {
                items.push(J::Array(
                    optional.iter().map(|n| J::String(n.clone())).collect(),
                ));
            }
            J::Array(items)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------

/// A decimal number in normal form: value = (-1)^neg × digits × 10^exp, where `digits` has no
/// leading or trailing zeros (empty for zero).
#[derive(Debug, PartialEq, Eq)]
struct Decimal {
    neg: bool,
    digits: Vec<u8>,
    exp: i64,
}

/// Caps exponents so arithmetic on them cannot overflow; such numbers are far outside f64 anyway.
const EXP_CAP: i64 = 1 << 40;

/// Splits decimal number text (`[+-]digits[.digits][(e|E)[+-]digits]`) into normal form.
/// Returns the normal form and whether the text was a plain integer (no fraction or exponent).
fn parse_decimal(text: &str) -> Option<(Decimal, bool)> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut neg = false;
    if let Some(&c) = b.first() {
        if c == b'+' || c == b'-' {
            neg = c == b'-';
            i = 1;
        }
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i == int_start {
        return None;
    }
    let mut mantissa: Vec<u8> = b[int_start..i].to_vec();
    let mut frac_len: i64 = 0;
    let mut plain = true;
    if i < b.len() && b[i] == b'.' {
        plain = false;
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == frac_start {
            return None;
        }
        mantissa.extend_from_slice(&b[frac_start..i]);
        frac_len = (i - frac_start) as i64;
    }
    let mut exp: i64 = 0;
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        plain = false;
        i += 1;
        let mut exp_neg = false;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            exp_neg = b[i] == b'-';
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            exp = (exp * 10 + i64::from(b[i] - b'0')).min(EXP_CAP);
            i += 1;
        }
        if i == exp_start {
            return None;
        }
        if exp_neg {
            exp = -exp;
        }
    }
    if i != b.len() {
        return None;
    }
    // Normalise: strip leading zeros, move trailing zeros into the exponent.
    let lead = mantissa.iter().take_while(|&&d| d == b'0').count();
    mantissa.drain(..lead);
    let mut exp = exp - frac_len;
    while mantissa.last() == Some(&b'0') {
        mantissa.pop();
        exp += 1;
    }
    if mantissa.is_empty() {
        exp = 0;
    }
    Some((
        Decimal {
            neg,
            digits: mantissa,
            exp,
        },
        plain,
    ))
}

/// Whether `x` (finite) is exactly the decimal `d`.
fn f64_is_exactly(x: f64, d: &Decimal) -> bool {
    if x == 0.0 {
        return d.digits.is_empty();
    }
    if d.digits.is_empty() || x.is_sign_negative() != d.neg {
        return false;
    }
    // A non-integer f64 is m / 2^k, whose decimal expansion always ends in 5.
    if d.exp < 0 && d.digits.last() != Some(&b'5') {
        return false;
    }
    // An f64 has at most 767 significant decimal digits, so this is its exact expansion
    // (Rust's fixed-precision float formatting is exact and correctly rounded).
    let text = format!("{:.1100e}", x.abs());
    match parse_decimal(&text) {
        Some((exact, _)) => exact.digits == d.digits && exact.exp == d.exp,
        None => false,
    }
}

/// Classifies decimal number text the way cty's msgpack encoding does: an integer that fits
/// i64 is `Int`, a value exactly representable as f64 is `Float`, anything else (too large, too
/// precise) is kept as `Big` text (with any leading `+` removed). Infinity is written `inf`,
/// `+inf`, `-inf` (any case, also `Infinity`). Returns None for text that is not a number.
pub fn parse_number(text: &str) -> Option<Number> {
    let Some((dec, plain)) = parse_decimal(text) else {
        let t = text.to_ascii_lowercase();
        return match t.as_str() {
            "inf" | "+inf" | "infinity" | "+infinity" => Some(Number::Float(f64::INFINITY)),
            "-inf" | "-infinity" => Some(Number::Float(f64::NEG_INFINITY)),
            _ => None,
        };
    };
    if plain {
        if let Ok(i) = text.parse::<i64>() {
            return Some(Number::Int(i));
        }
    } else if dec.exp >= 0 && (dec.digits.len() as i64 + dec.exp) <= 19 {
        // An integer written with a fraction or an exponent, like `1.0` or `1e3`.
        let mut s = String::from_utf8_lossy(&dec.digits).into_owned();
        s.extend(std::iter::repeat_n('0', dec.exp as usize));
        if dec.neg {
            s.insert(0, '-');
        }
        if dec.digits.is_empty() {
            return Some(Number::Int(0));
        }
        if let Ok(i) = s.parse::<i64>() {
            return Some(Number::Int(i));
        }
    }
    if dec.digits.len() <= 800 {
        if let Ok(x) = text.parse::<f64>() {
            if x.is_finite() && f64_is_exactly(x, &dec) {
                return Some(Number::Float(x));
            }
        }
    }
    Some(Number::Big(canonical_big_text(text)))
}

/// Number text without a `+` sign or redundant leading zeros (`-007.50` becomes `-7.50`), so
/// equal texts mean equal numbers however they were sent.
fn canonical_big_text(text: &str) -> String {
    let (neg, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let trimmed = body.trim_start_matches('0');
    let body = if trimmed.starts_with(|c: char| c.is_ascii_digit()) {
        trimmed
    } else {
        // All of the integer part was zeros: keep one.
        &body[body.len() - trimmed.len() - 1..]
    };
    let mut out = String::with_capacity(body.len() + 1);
    if neg {
        out.push('-');
    }
    out.push_str(body);
    out
}

/// `n` reduced to the canonical class of [`parse_number`] (Big text that is really an i64 or an
/// exact f64 becomes Int or Float). Errors for Big text that is not a number, and for NaN.
pub(crate) fn canonical_number(n: &Number) -> Result<Number, String> {
    match n {
        Number::Int(i) => Ok(Number::Int(*i)),
        Number::Float(f) if f.is_nan() => Err("NaN is not a valid number".into()),
        Number::Float(f) => Ok(Number::Float(*f)),
        Number::Big(s) => {
            parse_number(s).ok_or_else(|| format!("{} is not a valid number", quote(s)))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Implied types
// ---------------------------------------------------------------------------------------------

/// The concrete type a value has when it stands at a `dynamic` position without a
/// [`Value::Dynamic`] wrapper: primitives as themselves, lists/sets/maps by their (unified)
/// element types, tuples and objects element by element. Null, unknown and empty collections
/// leave their type open; what is still open at the end becomes `dynamic`.
pub fn implied_type(v: &Value) -> Result<Type, Error> {
    implied(v, 0).map(Shape::into_type).map_err(Error)
}

/// A type being inferred. `Open` is not known yet (from null, unknown, or the elements of an
/// empty collection) and yields to anything; `Dynamic` was declared by a [`Value::Dynamic`]
/// wrapper and absorbs anything, since values at such positions carry their own types.
#[derive(Clone, PartialEq)]
enum Shape {
    Open,
    Dynamic,
    String,
    Number,
    Bool,
    List(Box<Shape>),
    Set(Box<Shape>),
    Map(Box<Shape>),
    Tuple(Vec<Shape>),
    Object(BTreeMap<String, Shape>),
}

impl Shape {
    fn of_type(t: &Type) -> Shape {
        match t {
            Type::String => Shape::String,
            Type::Number => Shape::Number,
            Type::Bool => Shape::Bool,
            Type::Dynamic => Shape::Dynamic,
            Type::List(e) => Shape::List(Box::new(Shape::of_type(e))),
            Type::Set(e) => Shape::Set(Box::new(Shape::of_type(e))),
            Type::Map(e) => Shape::Map(Box::new(Shape::of_type(e))),
            Type::Tuple(es) => Shape::Tuple(es.iter().map(Shape::of_type).collect()),
            Type::Object { attrs, .. } => Shape::Object(
                attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), Shape::of_type(t)))
                    .collect(),
            ),
        }
    }

    fn into_type(self) -> Type {
        match self {
            Shape::Open | Shape::Dynamic => Type::Dynamic,
            Shape::String => Type::String,
            Shape::Number => Type::Number,
            Shape::Bool => Type::Bool,
            Shape::List(e) => Type::List(Box::new(e.into_type())),
            Shape::Set(e) => Type::Set(Box::new(e.into_type())),
            Shape::Map(e) => Type::Map(Box::new(e.into_type())),
            Shape::Tuple(es) => Type::Tuple(es.into_iter().map(Shape::into_type).collect()),
            Shape::Object(attrs) => Type::Object {
                attrs: attrs.into_iter().map(|(k, s)| (k, s.into_type())).collect(),
                optional: BTreeSet::new(),
            },
        }
    }
}

fn implied(v: &Value, depth: usize) -> Result<Shape, String> {
    if depth > MAX_DEPTH {
        return Err(format!("value nested deeper than {MAX_DEPTH} levels"));
    }
    Ok(match v {
        Value::Null | Value::Unknown => Shape::Open,
        Value::String(_) => Shape::String,
        Value::Number(_) => Shape::Number,
        Value::Bool(_) => Shape::Bool,
        Value::Dynamic(t, _) => Shape::of_type(t),
        Value::List(xs) => Shape::List(Box::new(unify_all(xs.iter(), depth, "list")?)),
        Value::Set(xs) => Shape::Set(Box::new(unify_all(xs.iter(), depth, "set")?)),
        Value::Map(m) => Shape::Map(Box::new(unify_all(m.values(), depth, "map")?)),
        Value::Tuple(xs) => Shape::Tuple(
            xs.iter()
                .map(|x| implied(x, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(m) => Shape::Object(
            m.iter()
                .map(|(k, x)| Ok((k.clone(), implied(x, depth + 1)?)))
                .collect::<Result<_, String>>()?,
        ),
    })
}

fn unify_all<'a>(
    xs: impl Iterator<Item = &'a Value>,
    depth: usize,
    what: &str,
) -> Result<Shape, String> {
    let mut acc = Shape::Open;
    for x in xs {
        let s = implied(x, depth + 1)?;
        acc = unify(&acc, &s).ok_or_else(|| {
            format!(
                "{what} elements have inconsistent types ({} and {})",
                type_to_json_string(&acc.clone().into_type()),
                type_to_json_string(&s.clone().into_type())
            )
        })?;
    }
    Ok(acc)
}

/// The most specific shape both `a` and `b` fit.
fn unify(a: &Shape, b: &Shape) -> Option<Shape> {
    match (a, b) {
        (Shape::Open, s) | (s, Shape::Open) => Some(s.clone()),
        (Shape::Dynamic, _) | (_, Shape::Dynamic) => Some(Shape::Dynamic),
        (Shape::List(x), Shape::List(y)) => Some(Shape::List(Box::new(unify(x, y)?))),
        (Shape::Set(x), Shape::Set(y)) => Some(Shape::Set(Box::new(unify(x, y)?))),
        (Shape::Map(x), Shape::Map(y)) => Some(Shape::Map(Box::new(unify(x, y)?))),
        (Shape::Tuple(xs), Shape::Tuple(ys)) if xs.len() == ys.len() => Some(Shape::Tuple(
            xs.iter()
                .zip(ys)
                .map(|(x, y)| unify(x, y))
                .collect::<Option<_>>()?,
        )),
        (Shape::Object(xa), Shape::Object(ya))
            if xa.len() == ya.len() && xa.keys().eq(ya.keys()) =>
        {
            Some(Shape::Object(
                xa.iter()
                    .zip(ya.values())
                    .map(|((k, x), y)| Some((k.clone(), unify(x, y)?)))
                    .collect::<Option<_>>()?,
            ))
        }
        (x, y) if x == y => Some(x.clone()),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Value JSON: decoding
// ---------------------------------------------------------------------------------------------

/// Options for decoding JSON values.
#[derive(Clone, Copy, Debug, Default)]
pub struct DecodeOptions {
    /// Skip object attributes the type does not declare instead of failing (useful for state
    /// written by an older schema).
    pub ignore_undefined_attributes: bool,
}

/// Decodes a value of type `ty` from cty's JSON value encoding.
pub fn decode_value(bytes: &[u8], ty: &Type) -> Result<Value, Error> {
    decode_value_with(bytes, ty, DecodeOptions::default())
}

/// [`decode_value`] with options.
pub fn decode_value_with(bytes: &[u8], ty: &Type, opts: DecodeOptions) -> Result<Value, Error> {
    let j = parse_json(bytes)?;
    let mut cx = Cx {
        path: Vec::new(),
        opts,
    };
    cx.value(&j, ty, 0)
}

/// Decodes a value of type `ty` from an exactly parsed document (see [`parse_json`]).
pub(crate) fn value_from_json(j: &Json, ty: &Type, opts: DecodeOptions) -> Result<Value, Error> {
    let mut cx = Cx {
        path: Vec::new(),
        opts,
    };
    cx.value(j, ty, 0)
}

/// Converts an already-parsed JSON value to a cty value of type `ty`. Numbers are taken from
/// serde_json's text form of them (exact for integers).
pub fn value_from_serde(v: &serde_json::Value, ty: &Type) -> Result<Value, Error> {
    value_from_serde_with(v, ty, DecodeOptions::default())
}

/// [`value_from_serde`] with options.
pub fn value_from_serde_with(
    v: &serde_json::Value,
    ty: &Type,
    opts: DecodeOptions,
) -> Result<Value, Error> {
    let j = json_from_serde(v, 0)?;
    let mut cx = Cx {
        path: Vec::new(),
        opts,
    };
    cx.value(&j, ty, 0)
}

struct Cx {
    path: Vec<Step>,
    opts: DecodeOptions,
}

impl Cx {
    fn err(&self, msg: impl std::fmt::Display) -> Error {
        path_error(&self.path, msg)
    }

    fn child<T>(
        &mut self,
        step: Step,
        f: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.path.push(step);
        let r = f(self);
        self.path.pop();
        r
    }

    /// Decodes map entry (or object attribute) `k` into `out`, which must not hold it yet.
    fn member(
        &mut self,
        out: &mut BTreeMap<String, Value>,
        k: &str,
        item: &Json,
        ty: &Type,
        depth: usize,
        attribute: bool,
    ) -> Result<(), Error> {
        let (step, duplicate) = if attribute {
            (Step::Attr(k.to_string()), "duplicate attribute")
        } else {
            (Step::Key(k.to_string()), "duplicate map key")
        };
        let v = self.child(step, |cx| {
            if out.contains_key(k) {
                return Err(cx.err(duplicate));
            }
            cx.value(item, ty, depth + 1)
        })?;
        out.insert(k.to_string(), v);
        Ok(())
    }

    fn wrong(&self, ty: &Type, found: &Json) -> Error {
        self.err(format!(
            "{} is required, found {}",
            type_kind(ty),
            found.kind()
        ))
    }

    fn value(&mut self, j: &Json, ty: &Type, depth: usize) -> Result<Value, Error> {
        if depth > MAX_DEPTH {
            return Err(self.err(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        if let Json::Null = j {
            return Ok(Value::Null);
        }
        match ty {
            Type::Dynamic => self.dynamic(j, depth),
            Type::String => match j {
                Json::String(s) => Ok(Value::String(s.clone())),
                Json::Number(t) => Ok(Value::String(t.clone())),
                Json::Bool(b) => Ok(Value::String(b.to_string())),
                _ => Err(self.wrong(ty, j)),
            },
            Type::Number => match j {
                Json::Number(t) => parse_number(t)
                    .map(Value::Number)
                    .ok_or_else(|| self.err(format!("{} is not a valid number", quote(t)))),
                Json::String(s) => parse_number(s)
                    .map(Value::Number)
                    .ok_or_else(|| self.err(format!("a number is required, found {}", quote(s)))),
                _ => Err(self.wrong(ty, j)),
            },
            Type::Bool => match j {
                Json::Bool(b) => Ok(Value::Bool(*b)),
                Json::String(s) if s == "true" => Ok(Value::Bool(true)),
                Json::String(s) if s == "false" => Ok(Value::Bool(false)),
                _ => Err(self.wrong(ty, j)),
            },
            Type::List(et) | Type::Set(et) => {
                let Json::Array(items) = j else {
                    return Err(self.wrong(ty, j));
                };
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    out.push(self.child(Step::Index(i), |cx| cx.value(item, et, depth + 1))?);
                }
                Ok(match ty {
                    Type::List(_) => Value::List(out),
                    _ => Value::Set(out),
                })
            }
            Type::Tuple(ets) => {
                let Json::Array(items) = j else {
                    return Err(self.wrong(ty, j));
                };
                if items.len() != ets.len() {
                    return Err(self.err(format!(
                        "a tuple of {} elements is required, found {}",
                        ets.len(),
                        items.len()
                    )));
                }
                let mut out = Vec::with_capacity(items.len());
                for (i, (item, et)) in items.iter().zip(ets).enumerate() {
                    out.push(self.child(Step::Index(i), |cx| cx.value(item, et, depth + 1))?);
                }
                Ok(Value::Tuple(out))
            }
            Type::Map(et) => {
                let Json::Object(members) = j else {
                    return Err(self.wrong(ty, j));
                };
                let mut out = BTreeMap::new();
                for (k, item) in members {
                    self.member(&mut out, k, item, et, depth, false)?;
                }
                Ok(Value::Map(out))
            }
            Type::Object { attrs, .. } => {
                let Json::Object(members) = j else {
                    return Err(self.wrong(ty, j));
                };
                let mut out = BTreeMap::new();
                for (k, item) in members {
                    let Some(at) = attrs.get(k) else {
                        if self.opts.ignore_undefined_attributes {
                            continue;
                        }
                        return Err(self.err(format!("unsupported attribute {}", quote(k))));
                    };
                    self.member(&mut out, k, item, at, depth, true)?;
                }
                for k in attrs.keys() {
                    if !out.contains_key(k) {
                        out.insert(k.clone(), Value::Null);
                    }
                }
                Ok(Value::Object(out))
            }
        }
    }

    fn dynamic(&mut self, j: &Json, depth: usize) -> Result<Value, Error> {
        let Json::Object(members) = j else {
            return Err(self.err(
                "a dynamic value must be a JSON object with \"value\" and \"type\" properties",
            ));
        };
        let mut ty = None;
        let mut val = None;
        for (k, v) in members {
            match k.as_str() {
                "type" if ty.is_none() => {
                    ty = Some(
                        type_from_json_value(&json_to_serde(v))
                            .map_err(|e| self.err(format!("in dynamic value: {e}")))?,
                    )
                }
                "value" if val.is_none() => val = Some(v),
                "type" | "value" => {
                    return Err(self.err(format!("duplicate {} in dynamic value", quote(k))))
                }
                other => {
                    return Err(self.err(format!(
                        "invalid property {} in dynamic value",
                        quote(other)
                    )))
                }
            }
        }
        let Some(ty) = ty else {
            return Err(self.err("dynamic value has no \"type\""));
        };
        let Some(val) = val else {
            return Err(self.err("dynamic value has no \"value\""));
        };
        let v = self.value(val, &ty, depth + 1)?;
        Ok(Value::Dynamic(Box::new(ty), Box::new(v)))
    }
}

// ---------------------------------------------------------------------------------------------
// Value JSON: encoding
// ---------------------------------------------------------------------------------------------

/// Encodes `value` (of type `ty`) in cty's JSON value encoding. Unknown values are an error.
///
/// Numbers: integers and exact f64 values become JSON numbers; a `Big` number that neither
/// i64, u64 nor f64 holds exactly becomes a JSON *string* of its decimal text, which cty (and
/// [`decode_value`]) accept for numbers, so nothing is rounded. A value at a `dynamic` position
/// without a [`Value::Dynamic`] wrapper is written with its [`implied_type`].
pub fn encode_value(value: &Value, ty: &Type) -> Result<serde_json::Value, Error> {
    let mut path = Vec::new();
    enc(value, ty, &mut path, 0)
}

/// [`encode_value`] serialized to bytes.
pub fn encode_value_bytes(value: &Value, ty: &Type) -> Result<Vec<u8>, Error> {
    let v = encode_value(value, ty)?;
    serde_json::to_vec(&v).map_err(|e| Error(format!("cannot serialize JSON: {e}")))
}

/// 2^63: floats in `-I64_EDGE..I64_EDGE` convert to i64 exactly when integral.
pub(crate) const I64_EDGE: f64 = 9_223_372_036_854_775_808.0;

fn enc_number(n: &Number) -> Result<serde_json::Value, String> {
    use serde_json::Value as J;
    Ok(match canonical_number(n)? {
        Number::Int(i) => J::from(i),
        // Integral values go out as exact integers: the shortest text of a large float (like
        // 9.068130237782426e16) read back as decimal would be a different integer.
        Number::Float(f) if f.fract() == 0.0 && (-I64_EDGE..I64_EDGE).contains(&f) => {
            J::from(f as i64)
        }
        Number::Float(f) => match serde_json::Number::from_f64(f) {
            Some(n) => J::Number(n),
            None => return Err("infinity cannot be written as JSON".into()),
        },
        Number::Big(t) => match t.parse::<u64>() {
            Ok(u) => J::from(u),
            Err(_) => J::String(t),
        },
    })
}

fn enc(
    value: &Value,
    ty: &Type,
    path: &mut Vec<Step>,
    depth: usize,
) -> Result<serde_json::Value, Error> {
    use serde_json::Value as J;
    if depth > MAX_DEPTH {
        return Err(path_error(
            path,
            format!("nested deeper than {MAX_DEPTH} levels"),
        ));
    }
    if let Value::Unknown = value {
        return Err(path_error(path, "unknown values cannot be encoded as JSON"));
    }
    if let Value::Null = value {
        return Ok(J::Null);
    }
    if let Type::Dynamic = ty {
        let (t, inner) = match value {
            Value::Dynamic(t, inner) => ((**t).clone(), &**inner),
            other => (implied_type(other).map_err(|e| path_error(path, e))?, other),
        };
        let v = enc(inner, &t, path, depth + 1)?;
        let mut m = serde_json::Map::new();
        m.insert("value".into(), v);
        m.insert("type".into(), type_to_json_value(&t));
        return Ok(J::Object(m));
    }
    let child = |step: Step, v: &Value, t: &Type, path: &mut Vec<Step>| {
        path.push(step);
        let r = enc(v, t, path, depth + 1);
        path.pop();
        r
    };
    match (ty, value) {
        (_, Value::Dynamic(_, inner)) => enc(inner, ty, path, depth + 1),
        (Type::String, Value::String(s)) => Ok(J::String(s.clone())),
        (Type::Number, Value::Number(n)) => enc_number(n).map_err(|e| path_error(path, e)),
        (Type::Bool, Value::Bool(b)) => Ok(J::Bool(*b)),
        (Type::List(et) | Type::Set(et), Value::List(xs) | Value::Set(xs) | Value::Tuple(xs)) => {
            let mut out = Vec::with_capacity(xs.len());
            for (i, x) in xs.iter().enumerate() {
                out.push(child(Step::Index(i), x, et, path)?);
            }
            Ok(J::Array(out))
        }
        (Type::Tuple(ets), Value::List(xs) | Value::Set(xs) | Value::Tuple(xs)) => {
            if xs.len() != ets.len() {
                return Err(path_error(
                    path,
                    format!(
                        "a tuple of {} elements is required, found {}",
                        ets.len(),
                        xs.len()
                    ),
                ));
            }
            let mut out = Vec::with_capacity(xs.len());
            for (i, (x, et)) in xs.iter().zip(ets).enumerate() {
                out.push(child(Step::Index(i), x, et, path)?);
            }
            Ok(J::Array(out))
        }
        (Type::Map(et), Value::Map(m) | Value::Object(m)) => {
            let mut out = serde_json::Map::new();
            for (k, x) in m {
                let v = child(Step::Key(k.clone()), x, et, path)?;
                out.insert(k.clone(), v);
            }
            Ok(J::Object(out))
        }
        (Type::Object { attrs, .. }, Value::Object(m) | Value::Map(m)) => {
            if let Some(k) = m.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(path_error(
                    path,
                    format!("unsupported attribute {}", quote(k)),
                ));
            }
            let mut out = serde_json::Map::new();
            for (k, at) in attrs {
                let Some(x) = m.get(k) else {
                    path.push(Step::Attr(k.clone()));
                    let e = path_error(path, "attribute is missing from the object value");
                    path.pop();
                    return Err(e);
                };
                let v = child(Step::Attr(k.clone()), x, at, path)?;
                out.insert(k.clone(), v);
            }
            Ok(J::Object(out))
        }
        _ => Err(path_error(
            path,
            format!("{} is required, found {}", type_kind(ty), value_kind(value)),
        )),
    }
}

#[cfg(test)]
mod tests;
