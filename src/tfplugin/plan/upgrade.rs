//! Tolerant state upgrades: a stored state, written by any earlier schema version, read into
//! the current schema's shape.

use std::collections::{BTreeMap, HashMap};

use super::{nested_of, Coll, Loc, Obj};
use crate::tfplugin::cty::json::{self, Json};
use crate::tfplugin::cty::{Type, Value};
use crate::tfplugin::diag::{AttributePath, Diagnostics};
use crate::tfplugin::schema::{Block, BlockNesting, Schema};

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

fn mismatch(path: &Loc, want: &str, j: &Json) -> (AttributePath, String) {
    (
        path.path.clone(),
        format!("expected {want}, found {}", j.kind()),
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
            decode_elements(coll == Coll::List, j, path, |e, p| decode_obj(obj, e, p))
        }
        Coll::Map => decode_map(j, path, |e, p| decode_obj(obj, e, p)),
    }
}

/// A JSON array as a cty list (else set), each element decoded by `decode` at its path.
fn decode_elements(
    is_list: bool,
    j: &Json,
    path: &Loc,
    decode: impl Fn(&Json, &Loc) -> DecodeResult,
) -> DecodeResult {
    let Json::Array(items) = j else {
        return Err(mismatch(path, "an array", j));
    };
    let v = items
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let ep = if is_list {
                path.index(i as i64)
            } else {
                path.set()
            };
            decode(x, &ep)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(if is_list {
        Value::List(v)
    } else {
        Value::Set(v)
    })
}

/// A JSON object as a cty map, each member decoded by `decode` at its key's path.
fn decode_map(j: &Json, path: &Loc, decode: impl Fn(&Json, &Loc) -> DecodeResult) -> DecodeResult {
    let Json::Object(m) = j else {
        return Err(mismatch(path, "an object", j));
    };
    let v = members(m)
        .into_iter()
        .map(|(k, x)| {
            let key = k.to_string();
            Ok((key.clone(), decode(x, &path.key(key))?))
        })
        .collect::<Result<BTreeMap<_, _>, _>>()?;
    Ok(Value::Map(v))
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
            decode_elements(matches!(t, Type::List(_)), j, path, |x, p| {
                decode_type(e, x, p)
            })
        }
        Type::Map(e) => decode_map(j, path, |x, p| decode_type(e, x, p)),
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
