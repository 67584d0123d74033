//! Extension (no public route mints database tokens; rows `Extension` in `contract.rs`):
//! expiring, revocable tokens of a database's data plane (libSQL over HTTP), made, listed,
//! renewed and revoked through the platform API. Lists answer `{"tokens":[...]}`, like the
//! public lists. The JWT is in the answer that makes it, and in that answer's
//! replay to a retry with the same Idempotency-Key (kept 24 hours, as every POST's answer is:
//! a retry after a lost answer gets the token it made); the platform keeps its metadata and
//! its expiry (see [`super::db_tokens`]).

use rusqlite::params;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Value};

use super::db_tokens::{Claims, Signer};
use super::idempotency::Stored;
use super::validate::{
    DatabaseTokenInput, DatabaseTokenRenew, TokenAccess, TOKEN_LIFETIME_DEFAULT,
};
use super::{by_name, to_json, Table, Tx};
use crate::local::error::{ApiError, ApiResult};
use crate::local::{ids, store};

/// A token's metadata.
#[derive(Serialize, Deserialize)]
pub struct DatabaseToken {
    pub token_id: String,
    pub database_id: String,
    pub access: String,
    pub created_at: String,
    #[serde(rename(deserialize = "expires_at_ms"), deserialize_with = "timestamp")]
    pub expires_at: String,
}

fn timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(ids::rfc3339(i64::deserialize(d)?))
}

/// A new token: its metadata and, this once, the token.
#[derive(Serialize)]
struct NewToken {
    token_id: String,
    token: String,
    #[serde(flatten)]
    meta: DatabaseToken,
}

/// A database's live tokens: neither revoked (their row is gone) nor expired.
pub static DATABASE_TOKENS: Table<DatabaseToken> = Table {
    select: "SELECT seq, token_id, database_id, access, created_at, expires_at_ms
             FROM database_tokens WHERE database_id = ?1
             AND expires_at_ms > CAST(unixepoch('subsec') * 1000 AS INTEGER)",
    key: "token_id",
    within: "on database",
    valid: |id| ids::is_id(id, "dbt"),
    row: by_name,
};

/// When a token made or renewed now for `expires_in` seconds expires (ms).
fn expiry(expires_in: Option<i64>) -> i64 {
    ids::now_ms() + expires_in.unwrap_or(TOKEN_LIFETIME_DEFAULT) * 1000
}

/// `{"tokens":[...]}`: the database's live tokens, whole.
pub fn list(t: &Tx<'_>, database_id: &str) -> ApiResult<Value> {
    Ok(json!({ "tokens": DATABASE_TOKENS.all(t, database_id)? }))
}

/// A new token for `project_id`'s database `database_id`: 201 with its metadata and, this
/// once, the token.
pub fn create(
    t: &Tx<'_>,
    signer: &Signer,
    project_id: &str,
    database_id: &str,
    input: DatabaseTokenInput,
) -> ApiResult<Stored> {
    let access = input.access.unwrap_or(TokenAccess::FullAccess);
    let id = ids::new_id("dbt");
    let now = ids::now_ms();
    t.execute(
        "INSERT INTO database_tokens (token_id, database_id, access, created_at, expires_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            id,
            database_id,
            access.as_str(),
            ids::rfc3339(now),
            expiry(input.expires_in)
        ],
    )?;
    let token = signer.sign(&Claims {
        jti: id.clone(),
        database_id: database_id.to_string(),
        access: access.as_str().into(),
        iat: now / 1000,
    });
    let meta = DATABASE_TOKENS.get(t, database_id, &id)?;
    let location = format!("/v1/projects/{project_id}/databases/{database_id}/tokens/{id}");
    Ok(Stored::created(
        location,
        to_json(&NewToken {
            token_id: id,
            token,
            meta,
        })?,
    ))
}

/// A live token's metadata.
pub fn get(t: &Tx<'_>, database_id: &str, token_id: &str) -> ApiResult<DatabaseToken> {
    DATABASE_TOKENS.get(t, database_id, token_id)
}

/// Extends a live token's expiry: its metadata.
pub fn renew(
    t: &Tx<'_>,
    database_id: &str,
    token_id: &str,
    input: DatabaseTokenRenew,
) -> ApiResult<Stored> {
    let renewed = DATABASE_TOKENS.change(t, database_id, token_id, |_| {
        t.execute(
            "UPDATE database_tokens SET expires_at_ms = ?1 WHERE token_id = ?2",
            params![expiry(input.expires_in), token_id],
        )?;
        Ok(())
    })?;
    Ok(Stored::ok(to_json(&renewed)?))
}

/// Revokes a token; one past its expiry is gone as well: its row goes with the revocation.
pub fn revoke(t: &Tx<'_>, database_id: &str, token_id: &str) -> ApiResult<()> {
    let found = "SELECT 1 FROM database_tokens WHERE database_id = ?1 AND token_id = ?2";
    if !ids::is_id(token_id, "dbt") || !store::exists(t, found, [database_id, token_id])? {
        return Err(not_found(database_id, token_id));
    }
    t.execute(
        "DELETE FROM database_tokens WHERE token_id = ?1",
        [token_id],
    )?;
    Ok(())
}

fn not_found(database_id: &str, token_id: &str) -> ApiError {
    ApiError::not_found(format!("no token {token_id} on database {database_id}"))
}
