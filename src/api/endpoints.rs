//! One method per platform operation, grouped by area. Paths follow docs/api/openapi.yaml.

use super::models::*;
use super::{ApiError, Client};

/// Escapes one path segment (IDs and hostnames are plain, but names from users may not be).
pub(crate) fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where a created object is listed, so that a replayed create can be checked against the
/// list (see [`Client::create`]).
pub struct Listing {
    /// The list's path, e.g. `/v1/projects/{p}/databases`.
    pub path: String,
    /// The list's member name in its answer, e.g. `databases`.
    pub key: &'static str,
    /// The member field holding the ID, e.g. `database_id`.
    pub id_field: &'static str,
}

/// An object the platform creates: where it is listed, and how a create answer says it was a
/// replay.
pub trait Located {
    /// The envelope member of a create's answer (`{"app": {...}}`); a flat answer is read too.
    const KEY: &'static str;
    /// Its ID, as its list shows it under [`Listing::id_field`].
    fn id(&self) -> &str;
    fn listing(&self) -> Listing;
    /// Where it is listed, knowing the path it was created at (for objects whose answer does
    /// not carry their parents, such as a record or an app hostname).
    fn listing_from(&self, _create_path: &str) -> Listing {
        self.listing()
    }
    /// Whether the answer itself says it replayed an earlier create (a database's
    /// `created: false`).
    fn replayed(&self) -> bool {
        false
    }
    /// Notes on the object that it is an earlier create's replay (the platform said so in a
    /// header): what only a first answer carries (a one-time token) is then missing.
    fn mark_replayed(&mut self) {}
}

/// A list read through [`Client::list_of`] for callers that may stop early (list resources):
/// the public lists are not paged, so the whole list is one "page".
pub struct Pages<'c, T> {
    client: &'c Client,
    path: String,
    key: &'static str,
    done: bool,
    _items: std::marker::PhantomData<T>,
}

impl<T: serde::de::DeserializeOwned> Pages<'_, T> {
    /// The next page; `None` once the list is complete.
    pub async fn next(&mut self) -> Result<Option<Vec<T>>, ApiError> {
        if self.done {
            return Ok(None);
        }
        self.done = true;
        self.client.list_of(&self.path, self.key).await.map(Some)
    }
}

impl Client {
    /// The whole list at `path` (`{"<key>":[...]}`) as a single page, for callers of
    /// [`Pages`].
    pub(crate) fn whole_list<T>(&self, path: String, key: &'static str) -> Pages<'_, T> {
        Pages {
            client: self,
            path,
            key,
            done: false,
            _items: std::marker::PhantomData,
        }
    }

    /// A whole list as the platform sends it: `{"<key>": [...]}` (a bare array is read too).
    /// The public lists are not paged; should one ever carry a `next_page_token`, the rest is
    /// fetched with `page_token` until none comes (the logs route's convention).
    pub(crate) async fn list_of<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        key: &str,
    ) -> Result<Vec<T>, ApiError> {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        // A bound, so a platform that repeats one token cannot keep us here.
        for _ in 0..1000 {
            let url = match &token {
                Some(t) => {
                    let sep = if path.contains('?') { '&' } else { '?' };
                    format!("{path}{sep}page_token={}", seg(t))
                }
                None => path.to_string(),
            };
            let page: serde_json::Value = self.get(&url).await?;
            let (list, next) = split_list(page, key, path)?;
            for item in list {
                items.push(serde_json::from_value(item).map_err(|e| ApiError::Decode {
                    message: format!("a member of `{key}`: {e}"),
                    path: path.to_string(),
                })?);
            }
            match next {
                Some(t) if Some(&t) != token.as_ref() => token = Some(t),
                _ => return Ok(items),
            }
        }
        Ok(items)
    }

    /// One object as the platform sends it: `{"<key>": {...}}`, or the object itself where
    /// the public material shows (or does not say) a flat answer.
    pub(crate) async fn get_one<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        key: &str,
    ) -> Result<T, ApiError> {
        let value: serde_json::Value = self.get(path).await?;
        unwrap_one(value, key, path)
    }

    pub fn app_pages(&self, project_id: &str) -> Pages<'_, App> {
        self.whole_list(format!("/v1/projects/{}/apps", seg(project_id)), "apps")
    }
}

/// The members of a list answer and its `next_page_token`.
fn split_list(
    page: serde_json::Value,
    key: &str,
    path: &str,
) -> Result<(Vec<serde_json::Value>, Option<String>), ApiError> {
    match page {
        serde_json::Value::Array(items) => Ok((items, None)),
        serde_json::Value::Object(mut o) => {
            let next = o
                .get("next_page_token")
                .and_then(|t| t.as_str())
                .filter(|t| !t.is_empty())
                .map(str::to_string);
            match o.remove(key) {
                Some(serde_json::Value::Array(items)) => Ok((items, next)),
                Some(serde_json::Value::Null) => Ok((Vec::new(), next)),
                _ => Err(ApiError::Decode {
                    message: format!(
                        "expected a list under `{key}`; the answer has {}",
                        describe_members(&o)
                    ),
                    path: path.to_string(),
                }),
            }
        }
        other => Err(ApiError::Decode {
            message: format!("expected an object with `{key}`, got {}", kind_of(&other)),
            path: path.to_string(),
        }),
    }
}

/// `{"<key>": {...}}` or the object itself.
pub(crate) fn unwrap_one<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
    key: &str,
    path: &str,
) -> Result<T, ApiError> {
    let inner = match value {
        serde_json::Value::Object(mut o) if o.get(key).is_some_and(|v| v.is_object()) => {
            o.remove(key).unwrap_or_default()
        }
        other => other,
    };
    serde_json::from_value(inner).map_err(|e| ApiError::Decode {
        message: format!("expected `{key}` (enveloped or flat): {e}"),
        path: path.to_string(),
    })
}

fn describe_members(o: &serde_json::Map<String, serde_json::Value>) -> String {
    if o.is_empty() {
        return "no members".to_string();
    }
    let names: Vec<String> = o.keys().take(6).map(|k| format!("`{k}`")).collect();
    format!("the members {}", names.join(", "))
}

fn kind_of(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_are_read_enveloped_or_bare() {
        let (items, next) = split_list(
            json!({"databases": [{"a": 1}], "next_page_token": "t"}),
            "databases",
            "/p",
        )
        .unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(next.as_deref(), Some("t"));
        let (items, next) = split_list(json!([1, 2]), "apps", "/p").unwrap();
        assert_eq!((items.len(), next), (2, None));
        let (items, _) = split_list(json!({"apps": null}), "apps", "/p").unwrap();
        assert!(items.is_empty());
        let e = split_list(json!({"items": []}), "apps", "/p").unwrap_err();
        assert!(e.to_string().contains("`items`"), "{e}");
    }

    #[test]
    fn one_object_is_read_enveloped_or_flat() {
        #[derive(serde::Deserialize)]
        struct App {
            app_id: String,
        }
        let a: App = unwrap_one(json!({"app": {"app_id": "app-1"}}), "app", "/p").unwrap();
        assert_eq!(a.app_id, "app-1");
        let a: App = unwrap_one(json!({"app_id": "app-2", "builds": []}), "app", "/p").unwrap();
        assert_eq!(a.app_id, "app-2");
        assert!(unwrap_one::<App>(json!({"name": "x"}), "app", "/p").is_err());
    }
}
