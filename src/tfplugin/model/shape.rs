//! The shape a model reads, found by letting it deserialize from a probe that records what
//! each field asks for, and compared with a schema (tests only).
//!
//! serde-reflection does the same in general, but needs every enum traced by hand first; models
//! read enums as strings, which this probe records directly.

use std::collections::BTreeMap;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};

use super::{Error, ErrorKind};
use crate::tfplugin::cty::Type;
use crate::tfplugin::schema::Schema;

/// What a model field reads. Sequences match lists and sets alike (a `Vec` is either).
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    String,
    Number,
    Bool,
    Seq(Box<Shape>),
    Map(Box<Shape>),
    Object(BTreeMap<String, Shape>),
    /// A type that reads anything (`deserialize_any`): matches only `dynamic`.
    Any,
}

/// The shape `T` reads.
pub fn shape_of<T: DeserializeOwned>() -> Shape {
    let mut slot = None;
    // The probe's sample values may not satisfy a custom type's checks; the shape recorded
    // before such a failure is still right.
    let _ = T::deserialize(Probe(&mut slot));
    slot.unwrap_or(Shape::Any)
}

/// Panics, listing every difference, unless model `T` and `schema` name the same attributes
/// with the same types (nested blocks included).
pub fn check<T: DeserializeOwned>(schema: &Schema) {
    let mut problems = Vec::new();
    compare(&shape_of::<T>(), &schema.value_type(), "", &mut problems);
    assert!(
        problems.is_empty(),
        "the model {} and its schema differ:\n  {}",
        std::any::type_name::<T>(),
        problems.join("\n  ")
    );
}

fn compare(shape: &Shape, ty: &Type, at: &str, problems: &mut Vec<String>) {
    let here = if at.is_empty() { "the root" } else { at };
    match (shape, ty) {
        (Shape::String, Type::String)
        | (Shape::Number, Type::Number)
        | (Shape::Bool, Type::Bool)
        | (Shape::Any, Type::Dynamic) => {}
        (Shape::Seq(element), Type::List(t) | Type::Set(t))
        | (Shape::Map(element), Type::Map(t)) => compare(element, t, &format!("{at}[*]"), problems),
        (Shape::Object(fields), Type::Object { attrs, .. }) => {
            for name in fields.keys().filter(|n| !attrs.contains_key(*n)) {
                problems.push(format!(
                    "{here}: the model has {name:?}, the schema does not"
                ));
            }
            for name in attrs.keys().filter(|n| !fields.contains_key(*n)) {
                problems.push(format!(
                    "{here}: the schema has {name:?}, the model does not"
                ));
            }
            for (name, field) in fields {
                if let Some(t) = attrs.get(name) {
                    let path = if at.is_empty() {
                        name.clone()
                    } else {
                        format!("{at}.{name}")
                    };
                    compare(field, t, &path, problems);
                }
            }
        }
        _ => problems.push(format!(
            "{here}: the model reads {shape:?}, the schema's type is {}",
            ty.to_json()
        )),
    }
}

/// Records the shape asked for into its slot and hands the visitor a sample value.
struct Probe<'s>(&'s mut Option<Shape>);

fn stop() -> Error {
    Error::new(ErrorKind::Other("probe".into()))
}

impl<'de> de::Deserializer<'de> for Probe<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Error> {
        *self.0 = Some(Shape::Any);
        Err(stop())
    }
    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        *self.0 = Some(Shape::Bool);
        visitor.visit_bool(false)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        *self.0 = Some(Shape::Number);
        visitor.visit_i64(0)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        *self.0 = Some(Shape::Number);
        visitor.visit_u64(0)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        *self.0 = Some(Shape::Number);
        visitor.visit_f64(0.0)
    }
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        *self.0 = Some(Shape::String);
        visitor.visit_borrowed_str("")
    }
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let mut element = None;
        let result = visitor.visit_seq(OneElement(Some(&mut element)));
        *self.0 = Some(Shape::Seq(Box::new(element.unwrap_or(Shape::Any))));
        result
    }
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let mut value = None;
        let result = visitor.visit_map(Fields::new(&["key"], Some(&mut value)));
        *self.0 = Some(Shape::Map(Box::new(value.unwrap_or(Shape::Any))));
        result
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let mut access = Fields::new(fields, None);
        let result = visitor.visit_map(&mut access);
        *self.0 = Some(Shape::Object(access.shapes));
        result
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        *self.0 = Some(Shape::String);
        let first: de::value::StrDeserializer<'_, Error> =
            variants.first().copied().unwrap_or("").into_deserializer();
        visitor.visit_enum(first)
    }

    forward_common_deserialize!();
}

struct OneElement<'s>(Option<&'s mut Option<Shape>>);

impl<'de> SeqAccess<'de> for OneElement<'_> {
    type Error = Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.0.take() {
            Some(slot) => seed.deserialize(Probe(slot)).map(Some),
            None => Ok(None),
        }
    }
}

/// Hands out each field name once, probing its value; `single` collects a map's value shape.
struct Fields<'s> {
    names: &'static [&'static str],
    shapes: BTreeMap<String, Shape>,
    single: Option<&'s mut Option<Shape>>,
}

impl<'s> Fields<'s> {
    fn new(names: &'static [&'static str], single: Option<&'s mut Option<Shape>>) -> Self {
        Fields {
            names,
            shapes: BTreeMap::new(),
            single,
        }
    }
}

impl<'de> MapAccess<'de> for Fields<'_> {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(name) = self.names.get(self.shapes.len()).copied() else {
            return Ok(None);
        };
        let key: de::value::BorrowedStrDeserializer<'de, Error> =
            de::value::BorrowedStrDeserializer::new(name);
        seed.deserialize(key).map(Some)
    }
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        let name = self.names[self.shapes.len()];
        let mut slot = None;
        let result = match self.single.take() {
            Some(single) => {
                let result = seed.deserialize(Probe(&mut slot));
                *single = slot.clone();
                result
            }
            None => seed.deserialize(Probe(&mut slot)),
        };
        self.shapes
            .insert(name.to_string(), slot.unwrap_or(Shape::Any));
        result
    }
}
