//! Reading a cty value into a model: a serde `Deserializer` over `&Value`.

use serde::de::{
    self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use serde::Deserialize;

use super::{Error, ErrorKind};
use crate::tfplugin::cty::json::value_kind;
use crate::tfplugin::cty::{Number, Value};
use crate::tfplugin::diag::PathStep;

pub(super) fn from_value<'de, T: Deserialize<'de>>(value: &'de Value) -> Result<T, Error> {
    T::deserialize(ValueDeserializer(value))
}

/// Null and unknown are both "no value": a model reads only what is known.
fn is_absent(value: &Value) -> bool {
    matches!(value, Value::Null | Value::Unknown)
}

fn unwrap_dynamic(value: &Value) -> &Value {
    match value {
        Value::Dynamic(_, inner) => unwrap_dynamic(inner),
        other => other,
    }
}

#[derive(Clone, Copy)]
struct ValueDeserializer<'de>(&'de Value);

impl<'de> ValueDeserializer<'de> {
    fn wrong(&self, expected: &str) -> Error {
        Error::new(ErrorKind::Other(format!(
            "expected {expected}, found {}",
            value_kind(self.0)
        )))
    }

    fn integer<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match unwrap_dynamic(self.0) {
            Value::Number(n) => match n.as_i64() {
                Some(i) => visitor.visit_i64(i),
                None => match n {
                    Number::Big(text) => match text.parse::<u64>() {
                        Ok(u) => visitor.visit_u64(u),
                        Err(_) => Err(self.wrong("a whole number within 64 bits")),
                    },
                    _ => Err(self.wrong("a whole number")),
                },
            },
            _ => Err(self.wrong("a number")),
        }
    }
}

impl<'de> Deserializer<'de> for ValueDeserializer<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null | Value::Unknown => visitor.visit_none(),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(Number::Int(i)) => visitor.visit_i64(*i),
            Value::Number(Number::Float(f)) => visitor.visit_f64(*f),
            Value::Number(Number::Big(text)) => visitor.visit_borrowed_str(text),
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                visitor.visit_seq(Elements::new(items))
            }
            Value::Map(entries) => visitor.visit_map(Entries::new(entries, false)),
            Value::Object(attrs) => visitor.visit_map(Entries::new(attrs, true)),
            Value::Dynamic(_, inner) => ValueDeserializer(inner).deserialize_any(visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match unwrap_dynamic(self.0) {
            Value::Bool(b) => visitor.visit_bool(*b),
            _ => Err(self.wrong("a bool")),
        }
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(visitor)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.integer(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match unwrap_dynamic(self.0) {
            Value::Number(n) => visitor.visit_f64(n.as_f64()),
            _ => Err(self.wrong("a number")),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match unwrap_dynamic(self.0) {
            Value::String(s) => visitor.visit_borrowed_str(s),
            _ => Err(self.wrong("a string")),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if is_absent(unwrap_dynamic(self.0)) {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match unwrap_dynamic(self.0) {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                visitor.visit_seq(Elements::new(items))
            }
            _ => Err(self.wrong("a list or set")),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match unwrap_dynamic(self.0) {
            Value::Map(entries) => visitor.visit_map(Entries::new(entries, false)),
            Value::Object(attrs) => visitor.visit_map(Entries::new(attrs, true)),
            _ => Err(self.wrong("a map or object")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    /// Enums are strings in cty: a string reads as the unit variant of that name.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match unwrap_dynamic(self.0) {
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            _ => Err(self.wrong("a string")),
        }
    }

    // Small integers and floats arrive as i64 or f64 and are range-checked by their visitors.
    forward_common_deserialize!();
}

struct Elements<'de> {
    items: std::iter::Enumerate<std::slice::Iter<'de, Value>>,
}

impl<'de> Elements<'de> {
    fn new(items: &'de [Value]) -> Self {
        Elements {
            items: items.iter().enumerate(),
        }
    }
}

impl<'de> SeqAccess<'de> for Elements<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.items.next() {
            None => Ok(None),
            Some((i, item)) => seed
                .deserialize(ValueDeserializer(item))
                .map(Some)
                .map_err(|e| e.at(PathStep::Index(i as i64))),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// The entries of a map or the attributes of an object; null and unknown attributes are
/// skipped (absent), map entries never are.
struct Entries<'de> {
    entries: std::collections::btree_map::Iter<'de, String, Value>,
    /// An object's attributes (else a map's entries).
    object: bool,
    current: Option<(&'de String, &'de Value)>,
}

impl<'de> Entries<'de> {
    fn new(entries: &'de std::collections::BTreeMap<String, Value>, object: bool) -> Self {
        Entries {
            entries: entries.iter(),
            object,
            current: None,
        }
    }

    fn step(&self, key: &str) -> PathStep {
        if self.object {
            PathStep::Attribute(key.to_string())
        } else {
            PathStep::Key(key.to_string())
        }
    }
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        for (key, value) in self.entries.by_ref() {
            if self.object && is_absent(value) {
                continue;
            }
            self.current = Some((key, value));
            let key_deserializer: de::value::BorrowedStrDeserializer<'de, Error> =
                de::value::BorrowedStrDeserializer::new(key);
            return seed.deserialize(key_deserializer).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        let (key, value) = self
            .current
            .take()
            .ok_or_else(|| <Error as de::Error>::custom("a value was read before its key"))?;
        seed.deserialize(ValueDeserializer(value))
            .map_err(|e| e.at(self.step(key)))
    }
}
