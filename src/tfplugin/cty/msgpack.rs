//! cty's msgpack value encoding (`DynamicValue.msgpack`).
//!
//! - null is `nil` at any position; a wholly unknown value is the extension value of type 0
//!   (cty writes the 3 bytes `d4 00 00`); a refined unknown is extension type 12 whose payload
//!   (a map of refinements) is skipped here, so it decodes to [`Value::Unknown`] as well.
//! - strings are msgpack strings (bin accepted on decode), bools are bools.
//! - numbers: an integer that fits i64 is written as the smallest msgpack int, another value
//!   that f64 holds exactly as float64, anything else as its decimal text in a string. Decoding
//!   accepts every int width, float32/64 and number strings.
//! - lists, sets and tuples are arrays; maps and objects are maps with string keys (objects
//!   always carry every attribute, in name order).
//! - a value at a `dynamic` position is the array `[type JSON as bin, value]`.
//!
//! Both directions go through the `rmp` crate: markers are [`Marker`]s, lengths and numbers
//! are read by `rmp::decode` from a [`Bytes`] reader over the input, and payloads are borrowed
//! from the input, not copied. Decoding never panics and never allocates more than the input
//! can fill: each declared length is checked against the bytes that remain. Nesting is capped
//! at [`MAX_DEPTH`].

use std::collections::BTreeMap;

use rmp::decode::bytes::BytesReadError;
use rmp::decode::{Bytes, NumValueReadError, ValueReadError};
use rmp::Marker;

use super::json::{
    canonical_number, implied_type, parse_number, path_error, quote, type_from_json, type_kind,
    type_to_json, value_kind, Step, I64_EDGE,
};
use super::{Error as CtyError, Number, Type, Value};

pub use super::json::MAX_DEPTH;

/// Extension type of a wholly unknown value.
pub const EXT_UNKNOWN: i8 = 0;
/// Extension type of an unknown value carrying refinements.
pub const EXT_REFINED_UNKNOWN: i8 = 12;
/// Refinement payloads larger than this are rejected (cty's own limit).
const MAX_REFINEMENT_LEN: usize = 1024;

/// The exact bytes cty writes for a wholly unknown value.
pub const UNKNOWN_BYTES: [u8; 3] = [0xd4, 0x00, 0x00];

/// Decodes a msgpack value of type `ty`. The whole input must be one value.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, CtyError> {
    let mut d = Decoder {
        rd: Bytes::new(bytes),
    };
    let v = d.value(ty, 0).map_err(Error::into_cty)?;
    if d.remaining() != 0 {
        return Err(d
            .err(format!(
                "{} unexpected bytes after the value",
                d.remaining()
            ))
            .into_cty());
    }
    Ok(v)
}

/// Encodes `value` as msgpack for type `ty`, as cty does.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, CtyError> {
    let mut e = Encoder { out: Vec::new() };
    e.value(value, ty, 0).map_err(Error::into_cty)?;
    Ok(e.out)
}

/// A codec failure. The path to it is collected while the error travels out (innermost step
/// first), so decoding and encoding build no path at all when they succeed.
struct Error {
    msg: String,
    rev_path: Vec<Step>,
}

impl Error {
    fn new(msg: impl std::fmt::Display) -> Error {
        Error {
            msg: msg.to_string(),
            rev_path: Vec::new(),
        }
    }

    fn at(mut self, step: Step) -> Error {
        self.rev_path.push(step);
        self
    }

    fn into_cty(mut self) -> CtyError {
        self.rev_path.reverse();
        path_error(&self.rev_path, self.msg)
    }
}

/// What a msgpack marker introduces, for messages.
fn marker_kind(m: Marker) -> &'static str {
    use Marker as M;
    match m {
        M::FixPos(_) | M::FixNeg(_) => "an integer",
        M::U8 | M::U16 | M::U32 | M::U64 | M::I8 | M::I16 | M::I32 | M::I64 => "an integer",
        M::FixMap(_) | M::Map16 | M::Map32 => "a map",
        M::FixArray(_) | M::Array16 | M::Array32 => "an array",
        M::FixStr(_) | M::Str8 | M::Str16 | M::Str32 => "a string",
        M::Null => "nil",
        M::Reserved => "the reserved byte 0xc1",
        M::True | M::False => "a bool",
        M::Bin8 | M::Bin16 | M::Bin32 => "binary data",
        M::FixExt1 | M::FixExt2 | M::FixExt4 | M::FixExt8 | M::FixExt16 => "an extension value",
        M::Ext8 | M::Ext16 | M::Ext32 => "an extension value",
        M::F32 | M::F64 => "a float",
    }
}

fn is_ext(m: Marker) -> bool {
    use Marker as M;
    matches!(
        m,
        M::FixExt1
            | M::FixExt2
            | M::FixExt4
            | M::FixExt8
            | M::FixExt16
            | M::Ext8
            | M::Ext16
            | M::Ext32
    )
}

fn is_str(m: Marker) -> bool {
    matches!(
        m,
        Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32
    )
}

fn is_str_or_bin(m: Marker) -> bool {
    is_str(m) || matches!(m, Marker::Bin8 | Marker::Bin16 | Marker::Bin32)
}

/// A failed read from rmp's [`Bytes`] reader, which says how many bytes the read needed and
/// how many remained (the messages repeat both).
type ReadError = ValueReadError<BytesReadError>;

fn end_of_data() -> Error {
    Error::new("unexpected end of msgpack data")
}

fn truncated(needed: usize, remain: usize) -> Error {
    Error::new(format!(
        "msgpack data is truncated: {needed} bytes needed, {remain} remain"
    ))
}

fn short_read(e: BytesReadError) -> Error {
    match e {
        BytesReadError::InsufficientBytes {
            expected, actual, ..
        } => truncated(expected, actual),
        // The enum is non_exhaustive.
        other => Error::new(format!("cannot read msgpack: {other}")),
    }
}

/// An rmp read failure: the input ended, or it holds another kind of value than `ty`.
#[cold]
fn read_failed(e: ReadError, ty: &Type) -> Error {
    match e {
        ValueReadError::InvalidMarkerRead(_) => end_of_data(),
        ValueReadError::InvalidDataRead(e) => short_read(e),
        ValueReadError::TypeMismatch(m) => wrong(ty, m),
    }
}

#[cold]
fn num_read_failed(e: NumValueReadError<BytesReadError>) -> Error {
    match e {
        NumValueReadError::InvalidMarkerRead(_) => end_of_data(),
        NumValueReadError::InvalidDataRead(e) => short_read(e),
        NumValueReadError::TypeMismatch(m) => wrong(&Type::Number, m),
        // Never for i64 from the markers it is read for (every int form but uint64).
        NumValueReadError::OutOfRange => Error::new("integer out of range"),
    }
}

fn wrong(ty: &Type, m: Marker) -> Error {
    Error::new(format!(
        "{} is required, found {}",
        type_kind(ty),
        marker_kind(m)
    ))
}

/// Reads one value at a time through rmp. Payloads (strings, binary data, refinements) are
/// borrowed from the input, never copied before they are checked.
struct Decoder<'a> {
    rd: Bytes<'a>,
}

impl<'a> Decoder<'a> {
    fn err(&self, msg: impl std::fmt::Display) -> Error {
        Error::new(msg)
    }

    fn remaining(&self) -> usize {
        self.rd.remaining_slice().len()
    }

    /// The marker of the next value, not consumed.
    fn peek(&self) -> Result<Marker, Error> {
        match self.rd.remaining_slice().first() {
            Some(&b) => Ok(Marker::from_u8(b)),
            None => Err(end_of_data()),
        }
    }

    /// Consumes the marker [`Self::peek`] returned, once its variant carries all it says.
    fn skip_marker(&mut self) {
        if let Some((_, rest)) = self.rd.remaining_slice().split_first() {
            self.rd = Bytes::new(rest);
        }
    }

    /// The next `n` bytes, borrowed from the input.
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let rest = self.rd.remaining_slice();
        match rest.split_at_checked(n) {
            Some((head, tail)) => {
                self.rd = Bytes::new(tail);
                Ok(head)
            }
            None => Err(truncated(n, rest.len())),
        }
    }

    /// Runs `f` one step down; an error from it gets `step` added to its path.
    fn child<T>(
        &mut self,
        step: impl FnOnce() -> Step,
        f: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        f(self).map_err(|e| e.at(step()))
    }

    fn value(&mut self, ty: &Type, depth: usize) -> Result<Value, Error> {
        if depth > MAX_DEPTH {
            return Err(self.err(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        let m = self.peek()?;
        if is_ext(m) {
            self.unknown()?;
            return Ok(Value::Unknown);
        }
        if matches!(m, Marker::Null) {
            self.skip_marker();
            return Ok(Value::Null);
        }
        match ty {
            Type::Dynamic => self.dynamic(m, depth),
            Type::String => Ok(Value::String(self.string(m, ty)?)),
            Type::Number => self.number(m),
            Type::Bool => match m {
                Marker::True | Marker::False => {
                    self.skip_marker();
                    Ok(Value::Bool(matches!(m, Marker::True)))
                }
                _ => Err(wrong(ty, m)),
            },
            Type::List(et) | Type::Set(et) => {
                let n = self.array_len(m, ty)?;
                let mut out = Vec::with_capacity(n);
                for i in 0..n {
                    out.push(self.child(|| Step::Index(i), |d| d.value(et, depth + 1))?);
                }
                Ok(match ty {
                    Type::List(_) => Value::List(out),
                    _ => Value::Set(out),
                })
            }
            Type::Tuple(ets) => {
                let n = self.array_len(m, ty)?;
                if n != ets.len() {
                    return Err(self.err(format!(
                        "a tuple of {} elements is required, found {n}",
                        ets.len()
                    )));
                }
                let mut out = Vec::with_capacity(n);
                for (i, et) in ets.iter().enumerate() {
                    out.push(self.child(|| Step::Index(i), |d| d.value(et, depth + 1))?);
                }
                Ok(Value::Tuple(out))
            }
            Type::Map(et) => {
                let n = self.map_len(m, ty)?;
                let mut out = BTreeMap::new();
                for _ in 0..n {
                    let k = self.key()?;
                    let v = self.child(
                        || Step::Key(k.clone()),
                        |d| {
                            if out.contains_key(&k) {
                                return Err(d.err("duplicate map key"));
                            }
                            d.value(et, depth + 1)
                        },
                    )?;
                    out.insert(k, v);
                }
                Ok(Value::Map(out))
            }
            Type::Object { attrs, .. } => {
                let n = self.map_len(m, ty)?;
                let mut out = BTreeMap::new();
                for _ in 0..n {
                    let k = self.key()?;
                    let Some(at) = attrs.get(&k) else {
                        return Err(self.err(format!("unsupported attribute {}", quote(&k))));
                    };
                    let v = self.child(
                        || Step::Attr(k.clone()),
                        |d| {
                            if out.contains_key(&k) {
                                return Err(d.err("duplicate attribute"));
                            }
                            d.value(at, depth + 1)
                        },
                    )?;
                    out.insert(k, v);
                }
                if out.len() != attrs.len() {
                    let missing: Vec<String> = attrs
                        .keys()
                        .filter(|k| !out.contains_key(*k))
                        .map(|k| quote(k))
                        .collect();
                    return Err(self.err(format!(
                        "object is missing attribute{} {}",
                        if missing.len() == 1 { "" } else { "s" },
                        missing.join(", ")
                    )));
                }
                Ok(Value::Object(out))
            }
        }
    }

    /// Skips an extension value, accepting only the unknown-value types.
    fn unknown(&mut self) -> Result<(), Error> {
        // Called on an extension marker only, so the read fails only when the input ends.
        let meta =
            rmp::decode::read_ext_meta(&mut self.rd).map_err(|e| read_failed(e, &Type::Dynamic))?;
        let len = meta.size as usize;
        match meta.typeid {
            EXT_UNKNOWN => {}
            EXT_REFINED_UNKNOWN if len > MAX_REFINEMENT_LEN => {
                return Err(self.err(format!(
                    "unknown-value refinements of {len} bytes exceed the {MAX_REFINEMENT_LEN}-byte limit"
                )))
            }
            EXT_REFINED_UNKNOWN => {}
            other => {
                return Err(self.err(format!(
                    "unsupported msgpack extension type {other} (only 0 and 12, unknown values, are valid)"
                )))
            }
        }
        self.take(len)?;
        Ok(())
    }

    fn dynamic(&mut self, m: Marker, depth: usize) -> Result<Value, Error> {
        if !matches!(m, Marker::FixArray(_) | Marker::Array16 | Marker::Array32) {
            return Err(self.err(format!(
                "a dynamic value must be a [type, value] array, found {}",
                marker_kind(m)
            )));
        }
        let n = self.array_len(m, &Type::Dynamic)?;
        if n != 2 {
            return Err(self.err(format!(
                "a dynamic value must be a [type, value] array, found {n} elements"
            )));
        }
        let m = self.peek()?;
        if !is_str_or_bin(m) {
            return Err(self.err(format!(
                "the type of a dynamic value must be JSON in a bin or string, found {}",
                marker_kind(m)
            )));
        }
        let type_json = self.raw_string(m)?;
        let ty =
            type_from_json(type_json).map_err(|e| self.err(format!("in dynamic value: {e}")))?;
        let v = self.value(&ty, depth + 1)?;
        Ok(Value::Dynamic(Box::new(ty), Box::new(v)))
    }

    /// The length of the array whose marker `m` is next (a fixarray's is in its marker).
    fn array_len(&mut self, m: Marker, ty: &Type) -> Result<usize, Error> {
        let n = match m {
            Marker::FixArray(n) => {
                self.skip_marker();
                u32::from(n)
            }
            _ => rmp::decode::read_array_len(&mut self.rd).map_err(|e| read_failed(e, ty))?,
        } as usize;
        // Every element takes at least one byte.
        if n > self.remaining() {
            return Err(self.err(format!(
                "array declares {n} elements but only {} bytes remain",
                self.remaining()
            )));
        }
        Ok(n)
    }

    /// The length of the map whose marker `m` is next.
    fn map_len(&mut self, m: Marker, ty: &Type) -> Result<usize, Error> {
        self.skip_marker();
        let n =
            rmp::decode::marker_to_len(&mut self.rd, m).map_err(|e| read_failed(e, ty))? as usize;
        // Every entry takes at least two bytes.
        if n > self.remaining() / 2 {
            return Err(self.err(format!(
                "map declares {n} entries but only {} bytes remain",
                self.remaining()
            )));
        }
        Ok(n)
    }

    /// The bytes of the str or bin value whose marker `m` is next.
    fn raw_string(&mut self, m: Marker) -> Result<&'a [u8], Error> {
        let n = match m {
            // A fixstr's length is in its marker.
            Marker::FixStr(n) => {
                self.skip_marker();
                u32::from(n)
            }
            _ if is_str(m) => rmp::decode::read_str_len(&mut self.rd)
                .map_err(|e| read_failed(e, &Type::String))?,
            _ => rmp::decode::read_bin_len(&mut self.rd)
                .map_err(|e| read_failed(e, &Type::String))?,
        };
        self.take(n as usize)
    }

    fn utf8(&self, b: &[u8]) -> Result<String, Error> {
        match std::str::from_utf8(b) {
            Ok(s) => Ok(s.to_string()),
            Err(e) => Err(self.err(format!(
                "string is not valid UTF-8 (at byte {})",
                e.valid_up_to()
            ))),
        }
    }

    fn string(&mut self, m: Marker, ty: &Type) -> Result<String, Error> {
        if !is_str_or_bin(m) {
            return Err(wrong(ty, m));
        }
        let b = self.raw_string(m)?;
        self.utf8(b)
    }

    fn key(&mut self) -> Result<String, Error> {
        let m = self.peek()?;
        if !is_str_or_bin(m) {
            return Err(self.err(format!(
                "map keys must be strings, found {}",
                marker_kind(m)
            )));
        }
        let b = self.raw_string(m)?;
        self.utf8(b)
            .map_err(|e| self.err(format!("map key: {}", e.msg)))
    }

    fn number(&mut self, m: Marker) -> Result<Value, Error> {
        use Marker as M;
        let n = match m {
            M::U64 => {
                let u = rmp::decode::read_u64(&mut self.rd)
                    .map_err(|e| read_failed(e, &Type::Number))?;
                match i64::try_from(u) {
                    Ok(i) => Number::Int(i),
                    // Past i64: 2^63.. are exact in f64 only at some values; classify the text.
                    Err(_) => {
                        let text = u.to_string();
                        parse_number(&text).unwrap_or(Number::Big(text))
                    }
                }
            }
            // Fixints carry their value in the marker.
            M::FixPos(v) => {
                self.skip_marker();
                Number::Int(i64::from(v))
            }
            M::FixNeg(v) => {
                self.skip_marker();
                Number::Int(i64::from(v))
            }
            M::U8 | M::U16 | M::U32 => self.int()?,
            M::I8 | M::I16 | M::I32 | M::I64 => self.int()?,
            M::F32 | M::F64 => {
                let f = if matches!(m, M::F32) {
                    rmp::decode::read_f32(&mut self.rd).map(f64::from)
                } else {
                    rmp::decode::read_f64(&mut self.rd)
                }
                .map_err(|e| read_failed(e, &Type::Number))?;
                if f.is_nan() {
                    return Err(self.err("NaN is not a valid number"));
                }
                Number::Float(f)
            }
            M::FixStr(_) | M::Str8 | M::Str16 | M::Str32 => {
                let b = self.raw_string(m)?;
                let s = self.utf8(b)?;
                match parse_number(&s) {
                    Some(n) => n,
                    None => {
                        return Err(self.err(format!(
                            "a number is required, found the string {}",
                            quote(&s)
                        )))
                    }
                }
            }
            _ => return Err(wrong(&Type::Number, m)),
        };
        Ok(Value::Number(n))
    }

    /// An integer of any width that fits i64 (every form but uint64).
    fn int(&mut self) -> Result<Number, Error> {
        rmp::decode::read_int::<i64, _>(&mut self.rd)
            .map(Number::Int)
            .map_err(num_read_failed)
    }
}

struct Encoder {
    out: Vec<u8>,
}

impl Encoder {
    fn err(&self, msg: impl std::fmt::Display) -> Error {
        Error::new(msg)
    }

    fn child(
        &mut self,
        step: impl FnOnce() -> Step,
        v: &Value,
        ty: &Type,
        depth: usize,
    ) -> Result<(), Error> {
        self.value(v, ty, depth + 1).map_err(|e| e.at(step()))
    }

    fn value(&mut self, value: &Value, ty: &Type, depth: usize) -> Result<(), Error> {
        if depth > MAX_DEPTH {
            return Err(self.err(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        match value {
            Value::Unknown => {
                self.out.extend_from_slice(&UNKNOWN_BYTES);
                return Ok(());
            }
            Value::Null => {
                return wrote(rmp::encode::write_nil(&mut self.out));
            }
            _ => {}
        }
        if let Type::Dynamic = ty {
            let (t, inner) = match value {
                Value::Dynamic(t, inner) => ((**t).clone(), &**inner),
                other => (implied_type(other).map_err(|e| self.err(e))?, other),
            };
            wrote(rmp::encode::write_array_len(&mut self.out, 2))?;
            self.bin(&type_to_json(&t))?;
            return self.value(inner, &t, depth + 1);
        }
        match (ty, value) {
            (_, Value::Dynamic(_, inner)) => self.value(inner, ty, depth + 1),
            (Type::String, Value::String(s)) => self.str(s),
            (Type::Number, Value::Number(n)) => self.number(n),
            (Type::Bool, Value::Bool(b)) => wrote(rmp::encode::write_bool(&mut self.out, *b)),
            (
                Type::List(et) | Type::Set(et),
                Value::List(xs) | Value::Set(xs) | Value::Tuple(xs),
            ) => {
                self.array_len(xs.len())?;
                for (i, x) in xs.iter().enumerate() {
                    self.child(|| Step::Index(i), x, et, depth)?;
                }
                Ok(())
            }
            (Type::Tuple(ets), Value::List(xs) | Value::Set(xs) | Value::Tuple(xs)) => {
                if xs.len() != ets.len() {
                    return Err(self.err(format!(
                        "a tuple of {} elements is required, found {}",
                        ets.len(),
                        xs.len()
                    )));
                }
                self.array_len(xs.len())?;
                for (i, (x, et)) in xs.iter().zip(ets).enumerate() {
                    self.child(|| Step::Index(i), x, et, depth)?;
                }
                Ok(())
            }
            (Type::Map(et), Value::Map(m) | Value::Object(m)) => {
                self.map_len(m.len())?;
                for (k, x) in m {
                    self.str(k)?;
                    self.child(|| Step::Key(k.clone()), x, et, depth)?;
                }
                Ok(())
            }
            (Type::Object { attrs, .. }, Value::Object(m) | Value::Map(m)) => {
                if let Some(k) = m.keys().find(|k| !attrs.contains_key(*k)) {
                    return Err(self.err(format!("unsupported attribute {}", quote(k))));
                }
                self.map_len(attrs.len())?;
                for (k, at) in attrs {
                    let Some(x) = m.get(k) else {
                        return Err(self
                            .err("attribute is missing from the object value")
                            .at(Step::Attr(k.clone())));
                    };
                    self.str(k)?;
                    self.child(|| Step::Attr(k.clone()), x, at, depth)?;
                }
                Ok(())
            }
            _ => Err(self.err(format!(
                "{} is required, found {}",
                type_kind(ty),
                value_kind(value)
            ))),
        }
    }

    fn number(&mut self, n: &Number) -> Result<(), Error> {
        match canonical_number(n).map_err(|e| self.err(e))? {
            Number::Int(i) => self.int(i),
            // Integral values that fit i64 go as ints, like cty.
            Number::Float(f) if f.fract() == 0.0 && (-I64_EDGE..I64_EDGE).contains(&f) => {
                self.int(f as i64)
            }
            Number::Float(f) => wrote(rmp::encode::write_f64(&mut self.out, f)),
            Number::Big(t) => self.str(&t),
        }
    }

    /// The smallest msgpack form of `i` (rmp picks it): non-negative values as positive
    /// fixint or uint, negative ones as negative fixint or int.
    fn int(&mut self, i: i64) -> Result<(), Error> {
        wrote(rmp::encode::write_sint(&mut self.out, i))
    }

    fn len32(&self, n: usize, what: &str) -> Result<u32, Error> {
        u32::try_from(n).map_err(|_| self.err(format!("{what} of {n} is too long for msgpack")))
    }

    fn str(&mut self, s: &str) -> Result<(), Error> {
        self.len32(s.len(), "string")?;
        wrote(rmp::encode::write_str(&mut self.out, s))
    }

    fn bin(&mut self, b: &[u8]) -> Result<(), Error> {
        self.len32(b.len(), "binary data")?;
        wrote(rmp::encode::write_bin(&mut self.out, b))
    }

    fn array_len(&mut self, n: usize) -> Result<(), Error> {
        let n = self.len32(n, "array")?;
        wrote(rmp::encode::write_array_len(&mut self.out, n))
    }

    fn map_len(&mut self, n: usize) -> Result<(), Error> {
        let n = self.len32(n, "map")?;
        wrote(rmp::encode::write_map_len(&mut self.out, n))
    }
}

/// The outcome of an rmp write into the encoder's buffer (a Vec, which never fails to grow, so
/// an error here means a bug, reported rather than hidden).
fn wrote<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<(), Error> {
    r.map(|_| ())
        .map_err(|e| Error::new(format!("cannot write msgpack: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(n: Number) -> Value {
        Value::Number(n)
    }

    fn both_ways(v: Value, ty: &Type, bytes: &[u8]) {
        assert_eq!(encode(&v, ty).unwrap(), bytes, "encode {v:?}");
        assert_eq!(decode(bytes, ty).unwrap(), v, "decode {bytes:02x?}");
    }

    #[test]
    fn primitives() {
        both_ways(Value::string(""), &Type::String, &[0xa0]);
        both_ways(Value::string("hi"), &Type::String, &[0xa2, b'h', b'i']);
        let s31 = "x".repeat(31);
        let mut b = vec![0xbf];
        b.extend_from_slice(s31.as_bytes());
        both_ways(Value::string(s31), &Type::String, &b);
        let s32 = "y".repeat(32);
        let mut b = vec![0xd9, 32];
        b.extend_from_slice(s32.as_bytes());
        both_ways(Value::string(s32), &Type::String, &b);
        let s300 = "z".repeat(300);
        let mut b = vec![0xda, 0x01, 0x2c];
        b.extend_from_slice(s300.as_bytes());
        both_ways(Value::string(s300), &Type::String, &b);
        both_ways(Value::Bool(true), &Type::Bool, &[0xc3]);
        both_ways(Value::Bool(false), &Type::Bool, &[0xc2]);
        for ty in [
            Type::String,
            Type::Number,
            Type::Bool,
            Type::list(Type::String),
            Type::Dynamic,
        ] {
            both_ways(Value::Null, &ty, &[0xc0]);
            both_ways(Value::Unknown, &ty, &[0xd4, 0x00, 0x00]);
        }
    }

    #[test]
    fn integers_use_the_smallest_form() {
        let cases: &[(i64, &[u8])] = &[
            (0, &[0x00]),
            (127, &[0x7f]),
            (128, &[0xcc, 0x80]),
            (255, &[0xcc, 0xff]),
            (256, &[0xcd, 0x01, 0x00]),
            (65535, &[0xcd, 0xff, 0xff]),
            (65536, &[0xce, 0x00, 0x01, 0x00, 0x00]),
            (4294967296, &[0xcf, 0, 0, 0, 1, 0, 0, 0, 0]),
            (-1, &[0xff]),
            (-32, &[0xe0]),
            (-33, &[0xd0, 0xdf]),
            (-128, &[0xd0, 0x80]),
            (-129, &[0xd1, 0xff, 0x7f]),
            (-32769, &[0xd2, 0xff, 0xff, 0x7f, 0xff]),
            (i64::MIN, &[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]),
            (
                i64::MAX,
                &[0xcf, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            ),
        ];
        for (i, b) in cases {
            both_ways(Value::int(*i), &Type::Number, b);
        }
    }

    #[test]
    fn decode_accepts_every_numeric_form() {
        let ty = Type::Number;
        let int = |i| Value::int(i);
        assert_eq!(decode(&[0xd0, 0x05], &ty).unwrap(), int(5));
        assert_eq!(decode(&[0xd1, 0x00, 0x05], &ty).unwrap(), int(5));
        assert_eq!(decode(&[0xd2, 0, 0, 0, 5], &ty).unwrap(), int(5));
        assert_eq!(
            decode(&[0xd3, 0, 0, 0, 0, 0, 0, 0, 5], &ty).unwrap(),
            int(5)
        );
        assert_eq!(decode(&[0xcc, 0x05], &ty).unwrap(), int(5));
        assert_eq!(decode(&[0xce, 0, 0, 0, 5], &ty).unwrap(), int(5));
        assert_eq!(decode(&[0xd1, 0xff, 0xfe], &ty).unwrap(), int(-2));
        // u64 max does not fit i64 or f64 exactly: big text.
        assert_eq!(
            decode(&[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], &ty).unwrap(),
            num(Number::Big("18446744073709551615".into()))
        );
        // 2^63 is exact in f64.
        assert_eq!(
            decode(&[0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0], &ty).unwrap(),
            num(Number::Float(9223372036854775808.0))
        );
        // float32 1.5 and float64 1.5
        assert_eq!(
            decode(&[0xca, 0x3f, 0xc0, 0, 0], &ty).unwrap(),
            num(Number::Float(1.5))
        );
        assert_eq!(
            decode(&[0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0], &ty).unwrap(),
            num(Number::Float(1.5))
        );
        // Number strings.
        assert_eq!(decode(&[0xa2, b'4', b'2'], &ty).unwrap(), int(42));
        assert_eq!(
            decode(&[0xa3, b'0', b'.', b'1'], &ty).unwrap(),
            num(Number::Big("0.1".into()))
        );
        assert!(decode(&[0xa3, b'a', b'b', b'c'], &ty).is_err());
        assert!(decode(&[0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0], &ty).is_err()); // NaN
    }

    #[test]
    fn floats_and_big_numbers() {
        let ty = Type::Number;
        both_ways(
            num(Number::Float(1.5)),
            &ty,
            &[0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0],
        );
        both_ways(
            num(Number::Float(f64::INFINITY)),
            &ty,
            &[0xcb, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0],
        );
        // Integral floats are written as ints and compare equal after decoding.
        assert_eq!(encode(&num(Number::Float(3.0)), &ty).unwrap(), vec![0x03]);
        assert_eq!(decode(&[0x03], &ty).unwrap(), num(Number::Float(3.0)));
        assert_eq!(encode(&num(Number::Float(-0.0)), &ty).unwrap(), vec![0x00]);
        // 1e20 is integral but past i64: float64.
        assert_eq!(
            encode(&num(Number::Float(1e20)), &ty).unwrap(),
            [&[0xcb][..], &1e20f64.to_be_bytes()].concat()
        );
        let big = "123456789012345678901234567890";
        let mut b = vec![0xbe];
        b.extend_from_slice(big.as_bytes());
        both_ways(num(Number::Big(big.into())), &ty, &b);
        both_ways(
            num(Number::Big("0.1".into())),
            &ty,
            &[0xa3, b'0', b'.', b'1'],
        );
        // Big text holding a small integer is written as an int, like cty would.
        assert_eq!(
            encode(&num(Number::Big("7".into())), &ty).unwrap(),
            vec![0x07]
        );
        assert!(encode(&num(Number::Big("seven".into())), &ty).is_err());
        assert!(encode(&num(Number::Float(f64::NAN)), &ty).is_err());
    }

    #[test]
    fn collections() {
        let l = Type::list(Type::String);
        both_ways(Value::List(vec![]), &l, &[0x90]);
        both_ways(
            Value::List(vec![Value::string("a"), Value::Null, Value::Unknown]),
            &l,
            &[0x93, 0xa1, b'a', 0xc0, 0xd4, 0, 0],
        );
        let s = Type::set(Type::Number);
        // Sets keep their order.
        both_ways(
            Value::Set(vec![Value::int(2), Value::int(1)]),
            &s,
            &[0x92, 0x02, 0x01],
        );
        let m = Type::map(Type::Bool);
        both_ways(
            Value::Map(
                [
                    ("a".to_string(), Value::Bool(true)),
                    ("b".into(), Value::Null),
                ]
                .into(),
            ),
            &m,
            &[0x82, 0xa1, b'a', 0xc3, 0xa1, b'b', 0xc0],
        );
        let t = Type::Tuple(vec![Type::String, Type::Number]);
        both_ways(
            Value::Tuple(vec![Value::string("x"), Value::int(-1)]),
            &t,
            &[0x92, 0xa1, b'x', 0xff],
        );
        // array16 / map16 lengths
        let many = Value::List((0..20).map(Value::int).collect());
        let mut b = vec![0xdc, 0x00, 20];
        b.extend(0..20u8);
        both_ways(many, &Type::list(Type::Number), &b);
    }

    #[test]
    fn objects_are_sorted_and_complete() {
        let ty = Type::object([("b", Type::Number), ("a", Type::String)]);
        let v = Value::object([("b", Value::int(1)), ("a", Value::Null)]);
        both_ways(v, &ty, &[0x82, 0xa1, b'a', 0xc0, 0xa1, b'b', 0x01]);
        // Keys in any order decode.
        assert_eq!(
            decode(&[0x82, 0xa1, b'b', 0x01, 0xa1, b'a', 0xa0], &ty).unwrap(),
            Value::object([("b", Value::int(1)), ("a", Value::string(""))])
        );
        let e = encode(&Value::object([("b", Value::int(1))]), &ty).unwrap_err();
        assert_eq!(e.0, ".a: attribute is missing from the object value");
        let e = decode(&[0x81, 0xa1, b'b', 0x01], &ty).unwrap_err();
        assert_eq!(e.0, "(root): object is missing attribute \"a\"");
        let e = decode(&[0x82, 0xa1, b'b', 0x01, 0xa1, b'b', 0x01], &ty).unwrap_err();
        assert_eq!(e.0, ".b: duplicate attribute");
        let e = decode(&[0x81, 0xa1, b'c', 0x01], &ty).unwrap_err();
        assert_eq!(e.0, "(root): unsupported attribute \"c\"");
    }

    #[test]
    fn dynamic_values() {
        // ["string", "hi"] with the type JSON as bin 8.
        let mut b = vec![0x92, 0xc4, 8];
        b.extend_from_slice(b"\"string\"");
        b.extend_from_slice(&[0xa2, b'h', b'i']);
        let v = Value::Dynamic(Box::new(Type::String), Box::new(Value::string("hi")));
        both_ways(v.clone(), &Type::Dynamic, &b);
        // A bare value at a dynamic position is written with its implied type.
        assert_eq!(encode(&Value::string("hi"), &Type::Dynamic).unwrap(), b);
        // The type JSON may also arrive as a string.
        let mut b2 = vec![0x92, 0xa8];
        b2.extend_from_slice(b"\"string\"");
        b2.extend_from_slice(&[0xa2, b'h', b'i']);
        assert_eq!(decode(&b2, &Type::Dynamic).unwrap(), v);
        // Unknown of a known type at a dynamic position.
        let mut b3 = vec![0x92, 0xc4, 8];
        b3.extend_from_slice(b"\"number\"");
        b3.extend_from_slice(&UNKNOWN_BYTES);
        both_ways(
            Value::Dynamic(Box::new(Type::Number), Box::new(Value::Unknown)),
            &Type::Dynamic,
            &b3,
        );
        // Nested in an object.
        let ty = Type::object([("d", Type::Dynamic)]);
        let v = Value::object([(
            "d",
            Value::Dynamic(
                Box::new(Type::list(Type::Bool)),
                Box::new(Value::List(vec![Value::Bool(true)])),
            ),
        )]);
        let mut b = vec![0x81, 0xa1, b'd', 0x92, 0xc4, 15];
        b.extend_from_slice(b"[\"list\",\"bool\"]");
        b.extend_from_slice(&[0x91, 0xc3]);
        both_ways(v, &ty, &b);
        let e = decode(&[0x81, 0xa1, b'd', 0x91, 0xc0], &ty).unwrap_err();
        assert!(
            e.0.starts_with(".d: a dynamic value must be a [type, value] array"),
            "{e}"
        );
        let e = decode(&[0x81, 0xa1, b'd', 0x92, 0xa3, b'x', b'y', b'z', 0xc0], &ty).unwrap_err();
        assert!(
            e.0.starts_with(".d: in dynamic value: invalid type JSON"),
            "{e}"
        );
    }

    #[test]
    fn refined_unknowns() {
        // Terraform: unknown string, not null, prefix "ab": ext 12 with {1: false, 2: "ab"}.
        let payload = [0x82, 0x01, 0xc2, 0x02, 0xa2, b'a', b'b'];
        let mut b = vec![0xc7, payload.len() as u8, 0x0c];
        b.extend_from_slice(&payload);
        assert_eq!(decode(&b, &Type::String).unwrap(), Value::Unknown);
        // fixext forms of both types.
        assert_eq!(
            decode(
                &[0xd5, 0x0c, 0x81, 0x01],
                &Type::List(Box::new(Type::String))
            )
            .unwrap(),
            Value::Unknown
        );
        assert_eq!(
            decode(&[0xd4, 0x00, 0x07], &Type::Number).unwrap(),
            Value::Unknown
        );
        assert_eq!(
            decode(&[0xc7, 0x00, 0x00], &Type::Number).unwrap(),
            Value::Unknown
        );
        // Other extension types are rejected.
        let e = decode(&[0xd4, 0x01, 0x00], &Type::Number).unwrap_err();
        assert!(e.0.contains("extension type 1"), "{e}");
        assert!(decode(&[0xd4, 0xff, 0x00], &Type::Number).is_err());
        // Oversized refinements are rejected.
        let mut big = vec![0xc8, 0x04, 0x01, 0x0c];
        big.extend(std::iter::repeat_n(0u8, 1025));
        assert!(decode(&big, &Type::String).is_err());
    }

    #[test]
    fn malformed_input_reports_the_path() {
        let ty = Type::object([("foo", Type::list(Type::String))]);
        let e = decode(&[0x81, 0xa3, b'f', b'o', b'o', 0x93, 0xa0, 0xa0, 0x01], &ty).unwrap_err();
        assert_eq!(e.0, ".foo[2]: a string is required, found an integer");
        let e = decode(&[0x81, 0xa3, b'f', b'o', b'o', 0x93, 0xa0], &ty).unwrap_err();
        assert!(e.0.starts_with(".foo: array declares 3 elements"), "{e}");
        let e = decode(
            &[0x81, 0xa3, b'f', b'o', b'o', 0x92, 0xa0, 0xa2, 0xff, 0xfe],
            &ty,
        )
        .unwrap_err();
        assert!(e.0.starts_with(".foo[1]: string is not valid UTF-8"), "{e}");
        let e = decode(&[0xc0, 0xc0], &ty).unwrap_err();
        assert!(e.0.contains("1 unexpected bytes"), "{e}");
        let m = Type::map(Type::Number);
        let e = decode(&[0x82, 0xa1, b'k', 0x01, 0xa1, b'k', 0x02], &m).unwrap_err();
        assert_eq!(e.0, "[\"k\"]: duplicate map key");
        let e = decode(&[0xdd, 0xff, 0xff, 0xff, 0xff], &Type::list(Type::Number)).unwrap_err();
        assert!(e.0.contains("declares 4294967295 elements"), "{e}");
        let e = decode(&[0xdb, 0xff, 0xff, 0xff, 0xff, 0x61], &Type::String).unwrap_err();
        assert!(e.0.contains("truncated"), "{e}");
        assert!(decode(&[], &Type::String).is_err());
        // Deep nesting is cut off, not a stack overflow.
        let mut deep = vec![0x92, 0xc4, 9];
        deep.extend_from_slice(b"\"dynamic\"");
        let deep: Vec<u8> = deep
            .iter()
            .copied()
            .cycle()
            .take(deep.len() * 10_000)
            .collect();
        let e = decode(&deep, &Type::Dynamic).unwrap_err();
        assert!(e.0.contains("nested deeper"), "{e}");
        let mut ty = Type::String;
        for _ in 0..200 {
            ty = Type::list(ty);
        }
        let data = vec![0x91; 300];
        assert!(decode(&data, &ty).unwrap_err().0.contains("nested deeper"));
    }

    #[test]
    fn encode_checks_conformance() {
        let e = encode(&Value::int(1), &Type::String).unwrap_err();
        assert_eq!(e.0, "(root): a string is required, found a number");
        let t = Type::Tuple(vec![Type::String]);
        assert!(encode(&Value::Tuple(vec![]), &t).is_err());
        let ty = Type::object([("a", Type::String)]);
        let e = encode(
            &Value::object([("a", Value::Null), ("z", Value::Null)]),
            &ty,
        )
        .unwrap_err();
        assert!(e.0.contains("unsupported attribute \"z\""), "{e}");
        let mixed = Value::List(vec![Value::int(1), Value::Bool(true)]);
        assert!(encode(&mixed, &Type::Dynamic).is_err());
        // A Dynamic wrapper at a concrete position is unwrapped.
        let v = Value::Dynamic(Box::new(Type::String), Box::new(Value::string("a")));
        assert_eq!(encode(&v, &Type::String).unwrap(), vec![0xa1, b'a']);
    }
}
