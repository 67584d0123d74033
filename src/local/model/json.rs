//! Typed JSON request bodies: [`from_value`] turns a request's JSON into a serde type (a struct
//! with `#[serde(deny_unknown_fields)]`), and every refusal is the contract's 422 naming the
//! offending field: `name`, `variables[2].name`, `values[0]`, or `body` for the body itself.
//!
//! The deserializer reads a struct's fields in a fixed order, whatever their order in the
//! document: unknown fields first (so that an unknown field is always what is reported), then the
//! declared fields in declaration order (the body's `first` fields before the others), absent
//! ones included (an absent field is `None` for an `Option`, else "is required"). The first
//! refusal is the one reported, so that order is the order a body's rules are checked in. `null` is a value like any other: an
//! `Option<String>` refuses it ("must be a string, got null"); a field that admits null says so
//! (see [`nullable_string`]).
//!
//! Messages about a field's type name the field: "`ttl` must be an integer, got a string". A
//! rule's own message (`de::Error::custom`, from a `deserialize_with` function) is kept as it is
//! written.

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Error as _, IntoDeserializer, Unexpected, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::{Map, Number, Value};

use crate::local::error::{ApiError, ApiResult};

/// Deserialize a request body. `first` names fields to check before the others (in that order).
pub fn from_value<T: DeserializeOwned>(v: Value, first: &'static [&'static str]) -> ApiResult<T> {
    let de = ValueDe {
        value: Some(v),
        path: String::new(),
        first,
    };
    T::deserialize(de).map_err(|e| e.at(|| "body".into(), None).into_api())
}

/// Deserialize an object found at `path` (an array item, say: `variables[2]`).
pub fn from_value_at<T: DeserializeOwned>(v: Value, path: &str) -> ApiResult<T> {
    seed_at(PhantomData, Some(v), path.to_string(), None).map_err(Error::into_api)
}

/// Deserialize the field `key` of the object at `path` (`""`: the body), `None` if it is
/// absent: for a rule that needs another field first.
pub fn field<T: DeserializeOwned>(path: &str, key: &str, v: Option<Value>) -> ApiResult<T> {
    seed_at(PhantomData, v, child(path, key), Some(key)).map_err(Error::into_api)
}

/// Deserialize `value`, found at `path` (as the field `key`, if it is one), by `seed`: its
/// errors name where it was.
fn seed_at<'de, S: de::DeserializeSeed<'de>>(
    seed: S,
    value: Option<Value>,
    path: String,
    key: Option<&str>,
) -> Result<S::Value, Error> {
    let de = ValueDe {
        value,
        path: path.clone(),
        first: &[],
    };
    seed.deserialize(de).map_err(|e| e.at(|| path, key))
}

/// How a JSON value's type is named in messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn unexpected_name(u: &Unexpected<'_>) -> &'static str {
    match u {
        Unexpected::Unit | Unexpected::Option => "null",
        Unexpected::Bool(_) => "a boolean",
        Unexpected::Unsigned(_) | Unexpected::Signed(_) | Unexpected::Float(_) => "a number",
        Unexpected::Char(_) | Unexpected::Str(_) => "a string",
        Unexpected::Seq => "an array",
        Unexpected::Map => "an object",
        _ => "another value",
    }
}

/// A refusal on its way up: `field` is set by the innermost field or item it belongs to.
#[derive(Debug)]
pub struct Error {
    field: Option<String>,
    message: Message,
}

#[derive(Debug)]
enum Message {
    /// The whole message.
    Plain(String),
    /// Led by the field's key once it is known (`` `ttl` must be an integer``); array items
    /// and the body itself have no key and take it as it is.
    Keyed(String),
}

impl Error {
    fn keyed(text: impl Into<String>) -> Error {
        Error {
            field: None,
            message: Message::Keyed(text.into()),
        }
    }

    fn required() -> Error {
        Error::keyed("is required")
    }

    fn mismatch(what: &str, v: &Value) -> Error {
        Error::keyed(format!("must be {what}, got {}", type_name(v)))
    }

    /// Name the field, unless a field inside it was named already.
    fn at(mut self, field: impl FnOnce() -> String, key: Option<&str>) -> Error {
        if self.field.is_none() {
            self.field = Some(field());
            if let Message::Keyed(text) = &self.message {
                self.message = Message::Plain(match key {
                    Some(k) => format!("`{k}` {text}"),
                    None => text.clone(),
                });
            }
        }
        self
    }

    fn into_api(self) -> ApiError {
        let message = match self.message {
            Message::Plain(m) | Message::Keyed(m) => m,
        };
        ApiError::invalid(self.field.unwrap_or_else(|| "body".into()), message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.message {
            Message::Plain(m) | Message::Keyed(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Error {
        Error {
            field: None,
            message: Message::Plain(msg.to_string()),
        }
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Error {
        Error::keyed(format!("must be {exp}, got {}", unexpected_name(&unexp)))
    }
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// An integer as the contract reads one: a JSON number without a fraction (`5.0` is 5).
fn as_int(n: &Number) -> Option<i64> {
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    })
}

/// One value of the body; `None` is an absent field.
struct ValueDe {
    value: Option<Value>,
    path: String,
    first: &'static [&'static str],
}

/// The value of a `ValueDe` as the JSON type `$variant`, else "is required" or "must be `$what`".
macro_rules! expect {
    ($de:ident, $what:literal, $variant:ident) => {
        match $de.value {
            Some(Value::$variant(x)) => x,
            Some(v) => return Err(Error::mismatch($what, &v)),
            None => return Err(Error::required()),
        }
    };
}

impl<'de> de::Deserializer<'de> for ValueDe {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            None => Err(Error::required()),
            Some(Value::Null) => visitor.visit_unit(),
            Some(Value::Bool(b)) => visitor.visit_bool(b),
            Some(Value::Number(n)) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => visitor.visit_u64(u),
                (_, Some(i), _) => visitor.visit_i64(i),
                (_, _, f) => visitor.visit_f64(f.unwrap_or_default()),
            },
            Some(Value::String(s)) => visitor.visit_string(s),
            Some(Value::Array(items)) => visitor.visit_seq(Items::new(items, self.path)),
            Some(Value::Object(map)) => {
                let entries = map.into_iter().map(|(k, v)| (k, Some(v))).collect();
                visitor.visit_map(Fields::new(entries, self.path))
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            None => visitor.visit_none(),
            Some(_) => visitor.visit_some(self),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_string(expect!(self, "a string", String))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_string(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_bool(expect!(self, "a boolean", Bool))
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let n = expect!(self, "an integer", Number);
        visitor.visit_i64(as_int(&n).ok_or_else(|| Error::keyed("must be an integer"))?)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let items = expect!(self, "an array", Array);
        visitor.visit_seq(Items::new(items, self.path))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let mut map: Map<String, Value> = match self.value {
            Some(Value::Object(map)) => map,
            Some(v) => {
                return Err(Error::custom(format!(
                    "expected a JSON object, got {}",
                    type_name(&v)
                )))
            }
            None => return Err(Error::required()),
        };
        if let Some(k) = map.keys().find(|k| !fields.contains(&k.as_str())) {
            return Err(Error {
                field: Some(child(&self.path, k)),
                message: Message::Plain(format!(
                    "unknown field `{k}`; allowed: {}",
                    fields.join(", ")
                )),
            });
        }
        let order = self
            .first
            .iter()
            .chain(fields.iter().filter(|f| !self.first.contains(f)));
        let entries = order.map(|f| (f.to_string(), map.remove(*f))).collect();
        visitor.visit_map(Fields::new(entries, self.path))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        i8 i16 i32 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf unit unit_struct
        tuple tuple_struct map enum identifier
    }
}

/// The fields of an object, in the order they are to be read.
struct Fields {
    entries: VecDeque<(String, Option<Value>)>,
    path: String,
    current: Option<(String, Option<Value>)>,
}

impl Fields {
    fn new(entries: VecDeque<(String, Option<Value>)>, path: String) -> Fields {
        Fields {
            entries,
            path,
            current: None,
        }
    }
}

impl<'de> de::MapAccess<'de> for Fields {
    type Error = Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.pop_front() else {
            return Ok(None);
        };
        let k = seed.deserialize(key.as_str().into_deserializer())?;
        self.current = Some((key, value));
        Ok(Some(k))
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let (key, value) = self
            .current
            .take()
            .ok_or_else(|| Error::custom("no field"))?;
        seed_at(seed, value, child(&self.path, &key), Some(&key))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// The items of an array.
struct Items {
    items: std::vec::IntoIter<Value>,
    path: String,
    index: usize,
}

impl Items {
    fn new(items: Vec<Value>, path: String) -> Items {
        Items {
            items: items.into_iter(),
            path,
            index: 0,
        }
    }
}

impl<'de> de::SeqAccess<'de> for Items {
    type Error = Error;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(v) = self.items.next() else {
            return Ok(None);
        };
        let path = format!("{}[{}]", self.path, self.index);
        self.index += 1;
        seed_at(seed, Some(v), path, None).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// For `#[serde(default, deserialize_with = "nullable_string")]`: absent or null is `None`,
/// a string `Some`, anything else refused ("must be a string or null").
pub fn nullable_string<'de, D: de::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct StringOrNull;
    impl<'de> Visitor<'de> for StringOrNull {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(StringOrNull)
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
            Ok(Some(s.to_string()))
        }
        fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
            Ok(Some(s))
        }
    }
    d.deserialize_option(StringOrNull)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        name: String,
        size: Option<i64>,
        #[serde(default, deserialize_with = "nullable_string")]
        note: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        label: String,
        flag: Option<bool>,
        items: Option<Vec<Item>>,
        tags: Option<Vec<String>>,
    }

    fn refusal(v: Value) -> (String, String) {
        let e = from_value::<Body>(v, &[]).unwrap_err();
        (e.field.clone().unwrap_or_default(), e.message.clone())
    }

    #[test]
    fn refusals_name_the_field() {
        let cases = [
            (json!([]), "body", "expected a JSON object, got an array"),
            (json!({}), "label", "`label` is required"),
            (
                json!({"label": 5}),
                "label",
                "`label` must be a string, got a number",
            ),
            (
                json!({"label": "x", "flag": null}),
                "flag",
                "`flag` must be a boolean, got null",
            ),
            (
                json!({"label": "x", "tags": ["a", 1]}),
                "tags[1]",
                "must be a string, got a number",
            ),
            (
                json!({"label": "x", "tags": "a"}),
                "tags",
                "`tags` must be an array, got a string",
            ),
            (
                json!({"label": "x", "items": [{"name": "a"}, 3]}),
                "items[1]",
                "expected a JSON object, got a number",
            ),
            (
                json!({"label": "x", "items": [{"name": "a", "size": 1.5}]}),
                "items[0].size",
                "`size` must be an integer",
            ),
            (
                json!({"label": "x", "items": [{"name": "a", "note": 1}]}),
                "items[0].note",
                "`note` must be a string or null, got a number",
            ),
            (
                json!({"label": "x", "items": [{"name": "a", "extra": 1}]}),
                "items[0].extra",
                "unknown field `extra`; allowed: name, size, note",
            ),
        ];
        // The detail names the field first (the platform's 400 has no field member).
        for (v, field, message) in cases {
            assert_eq!(
                refusal(v.clone()),
                (field.into(), format!("{field}: {message}")),
                "{v}"
            );
        }
    }

    #[test]
    fn unknown_fields_come_first_then_declaration_order() {
        let (field, _) = refusal(json!({"label": 5, "flag": 1, "zz": 1}));
        assert_eq!(field, "zz");
        let (field, _) = refusal(json!({"flag": 1, "label": 5}));
        assert_eq!(field, "label");
        let (field, _) = refusal(json!({"flag": 1}));
        assert_eq!(field, "label", "a required field before a refused one");
        let e = from_value::<Body>(json!({"label": 5, "flag": 1}), &["flag"]).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("flag"));
    }

    #[test]
    fn values_are_read() {
        let b: Body = from_value(
            json!({"items": [{"name": "a", "size": 3.0, "note": null}, {"name": "b", "note": "n"}], "label": "l"}),
            &[],
        )
        .unwrap();
        assert_eq!(b.label, "l");
        let items = b.items.unwrap();
        assert_eq!((items[0].size, items[0].note.as_deref()), (Some(3), None));
        assert_eq!((items[1].size, items[1].note.as_deref()), (None, Some("n")));
        assert_eq!(field::<i64>("", "n", Some(json!(7))).unwrap(), 7);
        let e = field::<i64>("a[1]", "n", Some(json!("7"))).unwrap_err();
        assert_eq!(
            (e.field.as_deref(), e.message.as_str()),
            (
                Some("a[1].n"),
                "a[1].n: `n` must be an integer, got a string"
            )
        );
        let e = field::<i64>("", "n", None).unwrap_err();
        assert_eq!(e.message, "n: `n` is required");
        assert_eq!(field::<Option<i64>>("", "n", None).unwrap(), None);
        let e = from_value_at::<Item>(json!(5), "items[3]").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("items[3]"));
    }
}
