//! What the handlers share: [`Call`] (the caller and the path above the item; it runs the
//! handler's work, a function of the model, in one transaction that checks both first) and the
//! extractors of JSON bodies ([`JsonBody`]) and query strings ([`Listing`]).

use std::collections::HashMap;

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::Transaction;
use serde::Serialize;

use crate::local::error::{ApiError, ApiResult};
use crate::local::model::auth::Auth;
use crate::local::model::db_tokens::Signer;
use crate::local::model::idempotency::{Idem, Stored};
use crate::local::model::state::AppState;
use crate::local::model::{validate, Scope, Settings, Tx};

/// A handler's call: the caller and the route's path; each method runs the handler's work in
/// one transaction, after the scope (403) and the path (404) are checked.
pub struct Call<P> {
    state: AppState,
    auth: Auth,
    path: P,
    writes: bool,
}

impl<P: Scope> FromRequestParts<AppState> for Call<P> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let auth = Auth::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let values: Vec<String> = params.iter().map(|(_, v)| v.to_string()).collect();
        Ok(Call {
            state: state.clone(),
            auth,
            path: P::take(&mut values.into_iter()),
            writes: false,
        })
    }
}

/// The work of a handler: inside the transaction, given the path and what its check found.
pub trait Work<P: Scope, T>:
    FnOnce(&Tx<'_>, &P, P::Found) -> ApiResult<T> + Send + 'static
{
}
impl<P: Scope, T, F> Work<P, T> for F where
    F: FnOnce(&Tx<'_>, &P, P::Found) -> ApiResult<T> + Send + 'static
{
}

impl<P: Scope> Call<P> {
    pub fn settings(&self) -> &Settings {
        &self.state.settings
    }

    /// The running platform (for work after the transaction, such as a snapshot).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The data directory's database-token signer.
    pub fn signer(&self) -> std::sync::Arc<Signer> {
        self.state.signer.clone()
    }

    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    pub fn path(&self) -> &P {
        &self.path
    }

    /// Reads in a write transaction (reads of hostnames check DNS and may activate them).
    pub fn writing(mut self) -> Self {
        self.writes = true;
        self
    }

    /// A change whose answer is `f`'s as it is (not necessarily JSON).
    pub async fn apply<T: Send + 'static>(
        self,
        scope: impl Into<Option<&'static str>>,
        f: impl Work<P, T>,
    ) -> ApiResult<T> {
        self.run(scope.into(), true, f).await
    }

    /// Check `scope` (if any), then run `f` in one transaction after the path's check.
    async fn run<T: Send + 'static>(
        self,
        scope: Option<&'static str>,
        write: bool,
        f: impl Work<P, T>,
    ) -> ApiResult<T> {
        if let Some(s) = scope {
            self.auth.require(s)?;
        }
        let Call {
            state, auth, path, ..
        } = self;
        let shared = state.clone();
        let work = move |tx: &Transaction<'_>| {
            let t = Tx {
                tx,
                auth: &auth,
                settings: &shared.settings,
            };
            let found = path.check(&t)?;
            f(&t, &path, found)
        };
        if write {
            state.store.write(work).await
        } else {
            state.store.read(work).await
        }
    }

    /// A read; the answer is what `f` returns.
    pub async fn read<T: Serialize + Send + 'static>(
        self,
        scope: impl Into<Option<&'static str>>,
        f: impl Work<P, T>,
    ) -> ApiResult<Json<T>> {
        let write = self.writes;
        self.run(scope.into(), write, f).await.map(Json)
    }

    /// A change; the answer is what `f` returns.
    pub async fn write<T: Serialize + Send + 'static>(
        self,
        scope: impl Into<Option<&'static str>>,
        f: impl Work<P, T>,
    ) -> ApiResult<Json<T>> {
        self.run(scope.into(), true, f).await.map(Json)
    }

    /// A deletion: 204 once `f` succeeds.
    pub async fn delete(
        self,
        scope: impl Into<Option<&'static str>>,
        f: impl Work<P, ()>,
    ) -> ApiResult<StatusCode> {
        self.run(scope.into(), true, f).await?;
        Ok(StatusCode::NO_CONTENT)
    }

    /// A change by a JSON body (PATCH, PUT): the body's errors come after the path's.
    pub async fn update<B: validate::Body, T: Serialize + Send + 'static>(
        self,
        scope: impl Into<Option<&'static str>>,
        body: JsonBody<B>,
        f: impl FnOnce(&Tx<'_>, &P, P::Found, B::Valid) -> ApiResult<T> + Send + 'static,
    ) -> ApiResult<Json<T>>
    where
        B::Valid: Send + 'static,
    {
        let input = body.input;
        self.write(scope, move |t, p, found| f(t, p, found, input?))
            .await
    }

    /// An idempotent POST of a JSON body: the body's errors come after the path's, a retry with
    /// the same Idempotency-Key gets the stored answer, and `f` answers the first try.
    pub async fn post<B: validate::Body>(
        self,
        scope: impl Into<Option<&'static str>>,
        body: JsonBody<B>,
        f: impl FnOnce(&Tx<'_>, &P, P::Found, B::Valid) -> ApiResult<Stored> + Send + 'static,
    ) -> ApiResult<Stored>
    where
        B::Valid: Send + 'static,
    {
        let idem = body.idem(&self.auth);
        let input = body.input;
        self.run(scope.into(), true, move |t, p, found| {
            let input = input?;
            idem.run(t, || f(t, p, found, input))
        })
        .await
    }
}

// ---------- extractors ----------

/// A list's query parameters; a query that cannot be decoded is a 400 (after the scope check).
pub struct Listing(pub ApiResult<Query>);

/// Decoded query parameters.
pub type Query = HashMap<String, String>;

impl FromRequestParts<AppState> for Listing {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let q: Result<axum::extract::Query<Query>, QueryRejection> =
            axum::extract::Query::from_request_parts(parts, state).await;
        Ok(Listing(q.map(|axum::extract::Query(m)| m).map_err(|e| {
            ApiError::bad_request(format!("malformed query string: {e}"))
        })))
    }
}

/// A JSON request body of type `B`, read and checked; its errors are kept for the handler to
/// report after the 404 checks.
pub struct JsonBody<B: validate::Body> {
    pub input: ApiResult<B::Valid>,
    bytes: Bytes,
    headers: HeaderMap,
    path: String,
}

impl<B: validate::Body> JsonBody<B> {
    /// The idempotency context of this request for `auth`'s user.
    pub fn idem(&self, auth: &Auth) -> Idem {
        Idem::new(
            &auth.user_id,
            &self.headers,
            "POST",
            &self.path,
            &self.bytes,
        )
    }

    /// Apply another rule to the input.
    pub fn and_then(mut self, rule: impl FnOnce(B::Valid) -> ApiResult<B::Valid>) -> Self {
        self.input = self.input.and_then(rule);
        self
    }
}

impl<B: validate::Body> FromRequest<AppState> for JsonBody<B> {
    type Rejection = std::convert::Infallible;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let (bytes, input) =
            match read_body(&parts.headers, body, state.settings.max_json_bytes).await {
                Err(e) => (Bytes::new(), Err(e)),
                Ok(bytes) => {
                    let input =
                        validate::parse_json(&parts.headers, &bytes).and_then(validate::body::<B>);
                    (bytes, input)
                }
            };
        Ok(JsonBody {
            input,
            bytes,
            headers: parts.headers,
            path: parts.uri.path().to_string(),
        })
    }
}

/// Read a whole body, refusing more than `limit` bytes.
pub async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> ApiResult<Bytes> {
    if let Some(len) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
    {
        if len > limit as u64 {
            return Err(ApiError::payload_too_large(limit));
        }
    }
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::payload_too_large(limit))
}
