//! Idempotency keys: a key binds, per user, to the first request with it that succeeded; the
//! same request again gets the stored response, another request with the key a 422.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::Value;

use super::validate::is_idempotency_key;
use crate::local::error::{ApiError, ApiResult};
use crate::local::ids;

/// How long a key is remembered.
const KEY_TTL_MS: i64 = 24 * 3600 * 1000;

pub const HEADER: &str = "idempotency-key";

/// A JSON response that can be stored and replayed.
#[derive(Debug, Clone)]
pub struct Stored {
    pub status: u16,
    pub body: Value,
    pub location: Option<String>,
    pub replayed: bool,
}

impl Stored {
    pub fn ok(body: Value) -> Stored {
        Stored {
            status: 200,
            body,
            location: None,
            replayed: false,
        }
    }

    pub fn created(location: String, body: Value) -> Stored {
        Stored {
            status: 201,
            body,
            location: Some(location),
            replayed: false,
        }
    }
}

impl IntoResponse for Stored {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        let mut resp = (status, axum::Json(self.body)).into_response();
        if let Some(loc) = self.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            resp.headers_mut().insert(header::LOCATION, loc);
        }
        if self.replayed {
            resp.headers_mut()
                .insert("idempotency-replayed", HeaderValue::from_static("true"));
        }
        resp
    }
}

/// The idempotency context of one POST.
pub struct Idem {
    user_id: String,
    key: Result<Option<String>, ApiError>,
    fingerprint: String,
}

impl Idem {
    pub fn new(user_id: &str, headers: &HeaderMap, method: &str, path: &str, body: &[u8]) -> Idem {
        let key = match headers.get(HEADER) {
            None => Ok(None),
            Some(v) => match v.to_str() {
                Ok(s) if is_idempotency_key(s) => Ok(Some(s.to_string())),
                _ => Err(ApiError::invalid(
                    "Idempotency-Key",
                    "Idempotency-Key must be 1 to 255 printable ASCII characters without spaces",
                )),
            },
        };
        let mut material = Vec::with_capacity(body.len() + path.len() + 16);
        material.extend_from_slice(method.as_bytes());
        material.push(b' ');
        material.extend_from_slice(path.as_bytes());
        material.push(b'\n');
        material.extend_from_slice(body);
        Idem {
            user_id: user_id.to_string(),
            key,
            fingerprint: ids::sha256_hex(&material),
        }
    }

    /// The stored response if this request was already answered; a 422 if the key is bound to
    /// another request or is malformed.
    pub fn replay(&self, tx: &Transaction<'_>) -> ApiResult<Option<Stored>> {
        let key = match &self.key {
            Err(e) => return Err(e.clone()),
            Ok(None) => return Ok(None),
            Ok(Some(k)) => k,
        };
        let now = ids::now_ms();
        tx.execute(
            "DELETE FROM idempotency WHERE created_at_ms < ?1",
            [now - KEY_TTL_MS],
        )?;
        let row = tx
            .query_row(
                "SELECT fingerprint, status, body, location FROM idempotency
                 WHERE user_id = ?1 AND key = ?2",
                params![self.user_id, key],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<String>>(3)?,
                    ))
                },
            )
            .optional()?;
        match row {
            None => Ok(None),
            Some((fp, _, _, _)) if fp != self.fingerprint => {
                let mut e = ApiError::invalid(
                    "Idempotency-Key",
                    "this Idempotency-Key was already used for a different request",
                );
                // The public code of a key sent again with another request (seen on seeds).
                e.code = "idempotency_mismatch";
                Err(e)
            }
            Some((_, status, body, location)) => Ok(Some(Stored {
                status: status as u16,
                body: serde_json::from_str(&body)?,
                location,
                replayed: true,
            })),
        }
    }

    /// The stored response of this request if it was answered already, else `answer`'s, bound
    /// to the key.
    pub fn run(
        &self,
        tx: &Transaction<'_>,
        answer: impl FnOnce() -> ApiResult<Stored>,
    ) -> ApiResult<Stored> {
        if let Some(s) = self.replay(tx)? {
            return Ok(s);
        }
        let stored = answer()?;
        self.save(tx, &stored)?;
        Ok(stored)
    }

    /// Bind the key to this successful response.
    pub fn save(&self, tx: &Transaction<'_>, stored: &Stored) -> ApiResult<()> {
        if let Ok(Some(key)) = &self.key {
            if (200..300).contains(&stored.status) && !stored.replayed {
                tx.execute(
                    "INSERT OR IGNORE INTO idempotency
                     (user_id, key, fingerprint, status, body, location, created_at_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        self.user_id,
                        key,
                        self.fingerprint,
                        stored.status as i64,
                        stored.body.to_string(),
                        stored.location,
                        ids::now_ms()
                    ],
                )?;
            }
        }
        Ok(())
    }
}
