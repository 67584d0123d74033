//! Typed models: plain Rust structs for a resource's configuration and state, read from and
//! written to cty values with serde (as the plugin framework reads a plan into a tagged
//! struct).
//!
//! Reading ([`get`]): a null or unknown attribute counts as absent, so an `Option` field reads
//! `None`, a `#[serde(default)]` field its default, and any other field is reported missing,
//! with its attribute path. Strings may be borrowed (`&str` fields) from the value.
//!
//! Writing ([`value_of`]): the struct is shaped by the schema's type (a sequence becomes a set
//! where the schema has a set, an attribute the struct leaves out is null), and an attribute
//! the schema lacks is an error instead of being dropped.
//!
//! [`shape::check`] (tests) proves that a struct and a schema name the same attributes with the
//! same types.

/// The `Deserializer` methods that the value reader (`de.rs`) and the shape probe (`shape.rs`)
/// answer alike: strings read as `str`, newtypes as what they wrap, and what is left (small
/// numbers included, range-checked by their visitors) through `deserialize_any`.
macro_rules! forward_common_deserialize {
    () => {
        fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.deserialize_str(visitor)
        }

        fn deserialize_newtype_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            visitor: V,
        ) -> Result<V::Value, Error> {
            visitor.visit_newtype_struct(self)
        }

        serde::forward_to_deserialize_any! {
            i8 i16 i32 i128 u8 u16 u32 u128 f32 char bytes byte_buf unit unit_struct tuple
            tuple_struct identifier ignored_any
        }
    };
}

mod de;
mod ser;
#[cfg(test)]
pub mod shape;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::{Deserialize, Serialize};

use super::cty::{Type, Value};
use super::diag::{AttributePath, Diagnostic, Diagnostics, PathStep};
use super::schema::Schema;

/// Reads a value (configuration, plan or state) into its model.
pub fn get<'de, T: Deserialize<'de>>(value: &'de Value) -> Result<T, Diagnostics> {
    de::from_value(value).map_err(Error::into_diagnostics)
}

/// The value of a model, shaped by the schema (state, planned state or data source result).
pub fn value_of<T: Serialize>(model: &T, schema: &Schema) -> Result<Value, Diagnostics> {
    to_value(model, &schema.value_type()).map_err(Error::into_diagnostics)
}

/// The value of a model shaped by a cty type.
pub fn to_value<T: Serialize>(model: &T, ty: &Type) -> Result<Value, Error> {
    ser::conform(model.serialize(ser::ValueSerializer)?, ty, &mut Vec::new())
}

/// A value did not fit its model (or a model its schema), at an attribute path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Where, from the root, outermost first.
    pub path: Vec<PathStep>,
    pub kind: ErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// A field without a default met a null, unknown or absent attribute.
    Missing(String),
    /// The schema has no attribute of this name.
    NotInSchema(String),
    Other(String),
}

impl Error {
    fn new(kind: ErrorKind) -> Error {
        Error {
            path: Vec::new(),
            kind,
        }
    }

    fn at(mut self, step: PathStep) -> Error {
        self.path.insert(0, step);
        self
    }

    /// The attribute path of the problem, including the missing attribute itself.
    fn attribute_path(&self) -> AttributePath {
        let mut path = AttributePath(self.path.clone());
        if let ErrorKind::Missing(name) | ErrorKind::NotInSchema(name) = &self.kind {
            path.push(PathStep::Attribute(name.clone()));
        }
        path
    }

    fn dotted(&self) -> String {
        let mut text = String::new();
        for step in &self.path {
            match step {
                PathStep::Attribute(name) if text.is_empty() => text.push_str(name),
                PathStep::Attribute(name) => {
                    text.push('.');
                    text.push_str(name);
                }
                PathStep::Key(key) => text.push_str(&format!("[{key:?}]")),
                PathStep::Index(i) => text.push_str(&format!("[{i}]")),
            }
        }
        text
    }

    pub fn into_diagnostics(self) -> Diagnostics {
        let path = self.attribute_path();
        let diagnostic = match &self.kind {
            ErrorKind::Missing(name) => Diagnostic::error(
                format!("Missing {name}"),
                format!("The `{name}` argument has no value."),
            ),
            _ => Diagnostic::error(
                "Provider bug: a value does not fit its model",
                format!(
                    "{self}. Nothing was changed by this step. Please report this to the \
                     provider's maintainers."
                ),
            ),
        };
        diagnostic.with_attribute(path).into()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.path.is_empty() {
            String::new()
        } else {
            format!(" in {}", self.dotted())
        };
        match &self.kind {
            ErrorKind::Missing(name) => write!(f, "attribute {name:?}{at} has no value"),
            ErrorKind::NotInSchema(name) => {
                write!(f, "the model's attribute {name:?}{at} is not in the schema")
            }
            ErrorKind::Other(message) if self.path.is_empty() => f.write_str(message),
            ErrorKind::Other(message) => write!(f, "{}: {message}", self.dotted()),
        }
    }
}

impl std::error::Error for Error {}

impl serde::de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::new(ErrorKind::Other(msg.to_string()))
    }
    fn missing_field(field: &'static str) -> Self {
        Error::new(ErrorKind::Missing(field.to_string()))
    }
}

impl serde::ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::new(ErrorKind::Other(msg.to_string()))
    }
}
