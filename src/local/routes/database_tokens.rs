//! Extension (no public route mints database tokens; rows `Extension` in `contract.rs`):
//! expiring, revocable tokens of a database's data plane (libSQL over HTTP), made, listed,
//! renewed and revoked through the platform API. Lists answer `{"tokens":[...]}`, like the
//! public lists. The JWT is in the answer that makes it, and in that answer's
//! replay to a retry with the same Idempotency-Key (kept 24 hours, as every POST's answer is:
//! a retry after a lost answer gets the token it made); the platform keeps its metadata and
//! its expiry (see [`crate::local::db_tokens`]).

use axum::http::StatusCode;
use axum::Json;
use rusqlite::params;
use serde::{Deserialize, Deserializer, Serialize};

use super::{Call, InDatabase, Item, JsonBody, Table};
use crate::local::auth::{DATABASE_READ, DATABASE_WRITE};
use crate::local::db_tokens::Claims;
use crate::local::error::{ApiError, ApiResult};
use crate::local::idempotency::Stored;
use crate::local::validate::{
    DatabaseTokenInput, DatabaseTokenRenew, TokenAccess, TOKEN_LIFETIME_DEFAULT,
};
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
    row: super::by_name,
};

/// When a token made or renewed now for `expires_in` seconds expires (ms).
fn expiry(expires_in: Option<i64>) -> i64 {
    ids::now_ms() + expires_in.unwrap_or(TOKEN_LIFETIME_DEFAULT) * 1000
}

pub async fn list(call: Call<InDatabase>) -> ApiResult<Json<serde_json::Value>> {
    call.read(DATABASE_READ, |t, p, _| {
        let sql = format!("{} ORDER BY seq", DATABASE_TOKENS.select);
        let mut stmt = t.prepare(&sql)?;
        let rows = stmt
            .query_map([&p.database_id], |r| (DATABASE_TOKENS.row)(r, t.settings))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(serde_json::json!({ "tokens": rows }))
    })
    .await
}

pub async fn create(
    call: Call<InDatabase>,
    body: JsonBody<DatabaseTokenInput>,
) -> ApiResult<Stored> {
    let signer = call.signer();
    call.post(DATABASE_WRITE, body, move |t, p, _, input| {
        let access = input.access.unwrap_or(TokenAccess::FullAccess);
        let id = ids::new_id("dbt");
        let now = ids::now_ms();
        t.execute(
            "INSERT INTO database_tokens (token_id, database_id, access, created_at, expires_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                id,
                p.database_id,
                access.as_str(),
                ids::rfc3339(now),
                expiry(input.expires_in)
            ],
        )?;
        let token = signer.sign(&Claims {
            jti: id.clone(),
            database_id: p.database_id.clone(),
            access: access.as_str().into(),
            iat: now / 1000,
        });
        let meta = DATABASE_TOKENS.get(t, &p.database_id, &id)?;
        let location = format!(
            "/v1/projects/{}/databases/{}/tokens/{id}",
            p.project_id, p.database_id
        );
        Ok(Stored::created(
            location,
            super::to_json(&NewToken {
                token_id: id,
                token,
                meta,
            })?,
        ))
    })
    .await
}

pub async fn get(call: Call<Item<InDatabase>>) -> ApiResult<Json<DatabaseToken>> {
    call.get_of(DATABASE_READ, &DATABASE_TOKENS).await
}

pub async fn renew(
    call: Call<Item<InDatabase>>,
    body: JsonBody<DatabaseTokenRenew>,
) -> ApiResult<Stored> {
    call.post(DATABASE_WRITE, body, |t, p, _, input| {
        let renewed = DATABASE_TOKENS.change(t, &p.parent.database_id, &p.id, |_| {
            t.execute(
                "UPDATE database_tokens SET expires_at_ms = ?1 WHERE token_id = ?2",
                params![expiry(input.expires_in), p.id],
            )?;
            Ok(())
        })?;
        Ok(Stored::ok(super::to_json(&renewed)?))
    })
    .await
}

pub async fn revoke(call: Call<Item<InDatabase>>) -> ApiResult<StatusCode> {
    call.delete(DATABASE_WRITE, |t, p, _| {
        // A token past its expiry is gone as well: its row goes with the revocation.
        let found = "SELECT 1 FROM database_tokens WHERE database_id = ?1 AND token_id = ?2";
        if !ids::is_id(&p.id, "dbt") || !store::exists(t, found, [&p.parent.database_id, &p.id])? {
            return Err(not_found(&p.parent.database_id, &p.id));
        }
        t.execute("DELETE FROM database_tokens WHERE token_id = ?1", [&p.id])?;
        Ok(())
    })
    .await
}

fn not_found(database_id: &str, token_id: &str) -> ApiError {
    ApiError::not_found(format!("no token {token_id} on database {database_id}"))
}
