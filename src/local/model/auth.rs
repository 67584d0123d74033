//! Bearer tokens and scopes.

use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use rusqlite::OptionalExtension;

use crate::local::error::{ApiError, ApiResult};
use crate::local::ids;

pub const PROJECT_READ: &str = "project:read";
pub const DATABASE_READ: &str = "database:read";
pub const DATABASE_WRITE: &str = "database:write";
pub const APP_READ: &str = "app:read";
pub const APP_WRITE: &str = "app:write";
pub const APP_DEPLOY: &str = "app:deploy";
pub const DOMAIN_READ: &str = "domain:read";
pub const DOMAIN_WRITE: &str = "domain:write";
pub const DOMAIN_PURCHASE: &str = "domain:purchase";
/// What the official CLI names for workloads: reaching a database's data plane with the
/// user's (`cwt_`) or the project's (`cwp_`) token, through the database gateway.
pub const DATABASE_CONNECT: &str = "database:connect";

/// Every scope: the seed's, in the documented order, then `database:connect`.
pub const ALL_SCOPES: [&str; 10] = [
    PROJECT_READ,
    DATABASE_READ,
    DATABASE_WRITE,
    APP_READ,
    APP_WRITE,
    APP_DEPLOY,
    DOMAIN_READ,
    DOMAIN_WRITE,
    DOMAIN_PURCHASE,
    DATABASE_CONNECT,
];

/// Whether `s` has the shape of a token of comwit-local's API: `cwt_` (personal) or `cwp_`
/// (project) and 64 lowercase hex digits (comwit-local's own choice; the provider never checks
/// a token's shape).
pub fn is_api_token(s: &str) -> bool {
    ["cwt_", "cwp_"].iter().any(|p| {
        s.strip_prefix(p)
            .is_some_and(|h| h.len() == 64 && ids::is_lower_hex(h))
    })
}

/// The static name of a scope, if `s` is one.
pub fn parse_scope(s: &str) -> Option<&'static str> {
    ALL_SCOPES.iter().copied().find(|x| *x == s)
}

/// The authenticated caller.
#[derive(Clone, Debug)]
pub struct Auth {
    pub user_id: String,
    pub user_name: String,
    pub token_id: String,
    pub scopes: Vec<&'static str>,
}

impl Auth {
    /// 403 unless the token holds `scope`.
    pub fn require(&self, scope: &'static str) -> ApiResult<()> {
        if self.scopes.contains(&scope) {
            Ok(())
        } else {
            Err(ApiError::missing_scope(scope))
        }
    }
}

/// The token secret of a request, if it has a well-formed bearer token.
pub fn bearer_secret(parts: &Parts) -> ApiResult<&str> {
    let Some(v) = parts.headers.get(AUTHORIZATION) else {
        return Err(ApiError::unauthorized(
            "missing Authorization header; send `Authorization: Bearer cwt_...`",
        ));
    };
    let v = v
        .to_str()
        .map_err(|_| ApiError::unauthorized("malformed Authorization header"))?;
    let Some((scheme, secret)) = v.trim().split_once(' ') else {
        return Err(ApiError::unauthorized(
            "malformed Authorization header; expected `Bearer cwt_...`",
        ));
    };
    let secret = secret.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || !is_api_token(secret) {
        return Err(ApiError::unauthorized(
            "malformed Authorization header; expected `Bearer cwt_...` (or a project's `cwp_...`)",
        ));
    }
    Ok(secret)
}

/// The caller a token names, with its scopes; None for an unknown token.
pub fn lookup(tx: &rusqlite::Transaction<'_>, secret: &str) -> ApiResult<Option<Auth>> {
    let digest = ids::sha256_hex(secret.as_bytes());
    let found = tx
        .query_row(
            "SELECT t.token_id, t.scopes, u.user_id, u.name FROM tokens t
             JOIN users u ON u.user_id = t.user_id WHERE t.secret_sha256 = ?1",
            [&digest],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            },
        )
        .optional()?;
    Ok(found.map(|(token_id, scopes, user_id, user_name)| Auth {
        user_id,
        user_name,
        token_id,
        scopes: scopes.split(',').filter_map(parse_scope).collect(),
    }))
}
