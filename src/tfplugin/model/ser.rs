//! Writing a model as a cty value: a serde `Serializer` into `Value`, then [`conform`] to the
//! schema's type.

use std::collections::BTreeMap;

use serde::ser::{self, Impossible, Serialize};

use super::{Error, ErrorKind};
use crate::tfplugin::cty::{Number, Type, Value};
use crate::tfplugin::diag::PathStep;

fn unsupported(what: &str) -> Error {
    Error::new(ErrorKind::Other(format!("{what} has no cty form")))
}

/// Serializes to an untyped value: structs become objects, maps maps, sequences lists.
pub(super) struct ValueSerializer;

/// `Serializer` methods for integer types that `serialize_i64` holds.
macro_rules! widen_to_i64 {
    ($($method:ident: $ty:ty),* $(,)?) => {$(
        fn $method(self, v: $ty) -> Result<Value, Error> {
            self.serialize_i64(v.into())
        }
    )*};
}

impl ser::Serializer for ValueSerializer {
    type Ok = Value;
    type Error = Error;
    type SerializeSeq = Elements;
    type SerializeTuple = Elements;
    type SerializeTupleStruct = Elements;
    type SerializeTupleVariant = Impossible<Value, Error>;
    type SerializeMap = Entries;
    type SerializeStruct = Attributes;
    type SerializeStructVariant = Impossible<Value, Error>;

    fn serialize_bool(self, v: bool) -> Result<Value, Error> {
        Ok(Value::Bool(v))
    }
    // Smaller integers widen losslessly to i64.
    widen_to_i64! {
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
    }
    fn serialize_i64(self, v: i64) -> Result<Value, Error> {
        Ok(Value::int(v))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, Error> {
        Ok(Value::Number(match i64::try_from(v) {
            Ok(i) => Number::Int(i),
            Err(_) => Number::Big(v.to_string()),
        }))
    }
    fn serialize_f32(self, v: f32) -> Result<Value, Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<Value, Error> {
        Ok(Value::Number(Number::Float(v)))
    }
    fn serialize_char(self, v: char) -> Result<Value, Error> {
        Ok(Value::String(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, Error> {
        Ok(Value::string(v))
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<Value, Error> {
        Err(unsupported("a byte string"))
    }
    fn serialize_none(self) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<Value, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, Error> {
        Ok(Value::Null)
    }
    /// Enums are strings in cty: a unit variant writes its (serde-renamed) name.
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, Error> {
        Ok(Value::string(variant))
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<Value, Error> {
        Err(unsupported("an enum variant with data"))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Elements, Error> {
        Ok(Elements(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<Elements, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Elements, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(unsupported("an enum variant with data"))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Entries, Error> {
        Ok(Entries {
            entries: BTreeMap::new(),
            key: None,
        })
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Attributes, Error> {
        Ok(Attributes(BTreeMap::new()))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(unsupported("an enum variant with data"))
    }
}

pub(super) struct Elements(Vec<Value>);

impl Elements {
    fn push<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        let index = self.0.len() as i64;
        let value = value
            .serialize(ValueSerializer)
            .map_err(|e| e.at(PathStep::Index(index)))?;
        self.0.push(value);
        Ok(())
    }
}

/// Sequences, tuples and tuple structs all write lists.
macro_rules! sequence_of_elements {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Elements {
            type Ok = Value;
            type Error = Error;
            fn $method<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
                self.push(value)
            }
            fn end(self) -> Result<Value, Error> {
                Ok(Value::List(self.0))
            }
        }
    )*};
}

sequence_of_elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

pub(super) struct Entries {
    entries: BTreeMap<String, Value>,
    key: Option<String>,
}

impl ser::SerializeMap for Entries {
    type Ok = Value;
    type Error = Error;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Error> {
        match key.serialize(ValueSerializer)? {
            Value::String(key) => {
                self.key = Some(key);
                Ok(())
            }
            _ => Err(unsupported("a map key that is not a string")),
        }
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| unsupported("a map value without a key"))?;
        let value = value
            .serialize(ValueSerializer)
            .map_err(|e| e.at(PathStep::Key(key.clone())))?;
        self.entries.insert(key, value);
        Ok(())
    }
    fn end(self) -> Result<Value, Error> {
        Ok(Value::Map(self.entries))
    }
}

pub(super) struct Attributes(BTreeMap<String, Value>);

impl ser::SerializeStruct for Attributes {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let value = value
            .serialize(ValueSerializer)
            .map_err(|e| e.at(PathStep::Attribute(name.to_string())))?;
        self.0.insert(name.to_string(), value);
        Ok(())
    }
    fn skip_field(&mut self, _name: &'static str) -> Result<(), Error> {
        Ok(())
    }
    fn end(self) -> Result<Value, Error> {
        Ok(Value::Object(self.0))
    }
}

/// Shapes an untyped value by `ty`: lists become sets where the type has a set, objects and
/// maps swap where the type says the other, attributes the value lacks become null. An
/// attribute the type lacks, or a value of the wrong kind, is an error.
pub(super) fn conform(value: Value, ty: &Type, path: &mut Vec<PathStep>) -> Result<Value, Error> {
    let at = |path: &Vec<PathStep>, kind: ErrorKind| Error {
        path: path.clone(),
        kind,
    };
    let wrong = |path: &Vec<PathStep>, value: &Value| {
        at(
            path,
            ErrorKind::Other(format!(
                "the model gives {value:?} where the schema's type is {}",
                ty.to_json()
            )),
        )
    };
    match (value, ty) {
        (Value::Null, _) => Ok(Value::Null),
        (value, Type::Dynamic) => Ok(value),
        (Value::String(s), Type::String) => Ok(Value::String(s)),
        (Value::Number(n), Type::Number) => Ok(Value::Number(n)),
        (Value::Bool(b), Type::Bool) => Ok(Value::Bool(b)),
        (Value::List(items), Type::List(element)) => {
            Ok(Value::List(conform_all(items, element, path)?))
        }
        (Value::List(items), Type::Set(element)) => {
            Ok(Value::Set(conform_all(items, element, path)?))
        }
        (Value::Map(entries) | Value::Object(entries), Type::Map(element)) => {
            let mut out = BTreeMap::new();
            for (key, value) in entries {
                path.push(PathStep::Key(key.clone()));
                let value = conform(value, element, path)?;
                path.pop();
                out.insert(key, value);
            }
            Ok(Value::Map(out))
        }
        (Value::Map(mut given) | Value::Object(mut given), Type::Object { attrs, .. }) => {
            if let Some(extra) = given.keys().find(|name| !attrs.contains_key(*name)) {
                return Err(at(path, ErrorKind::NotInSchema(extra.clone())));
            }
            let mut out = BTreeMap::new();
            for (name, attr_type) in attrs {
                let value = given.remove(name).unwrap_or(Value::Null);
                path.push(PathStep::Attribute(name.clone()));
                let value = conform(value, attr_type, path)?;
                path.pop();
                out.insert(name.clone(), value);
            }
            Ok(Value::Object(out))
        }
        (value, _) => Err(wrong(path, &value)),
    }
}

fn conform_all(
    items: Vec<Value>,
    element: &Type,
    path: &mut Vec<PathStep>,
) -> Result<Vec<Value>, Error> {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        path.push(PathStep::Index(i as i64));
        out.push(conform(item, element, path)?);
        path.pop();
    }
    Ok(out)
}
