//! The `/v1` routes, and what their handlers share: [`Call`] (the caller, the path above the
//! item, one transaction that checks both), [`Table`] (reading rows as typed items and pages),
//! and the extractors of JSON bodies ([`JsonBody`]) and list queries ([`Listing`]).

use std::collections::HashMap;

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rusqlite::{OptionalExtension, ToSql, Transaction};
use serde::Serialize;

use super::auth::Auth;
use super::error::{ApiError, ApiResult};
use super::faults;
use super::idempotency::{Idem, Stored};
use super::ids;
use super::state::{AppState, Settings};
use super::store;
use super::validate::{self, Page};

pub mod apps;
pub mod database_tokens;
pub mod databases;
pub mod deploys;
pub mod domains;
pub mod health;
pub mod hostnames;
pub mod projects;
pub mod records;
pub mod registrar;

/// The whole API with its middleware.
pub fn router(state: AppState) -> Router {
    let p = "/v1/projects/{project_id}";
    let a = "/v1/projects/{project_id}/apps/{app_id}";
    let d = "/v1/projects/{project_id}/domains/{domain}";
    let db = "/v1/projects/{project_id}/databases/{database_id}";
    Router::new()
        .route("/v1/projects", get(projects::list).post(projects::create))
        .route(
            p,
            get(projects::get)
                .patch(projects::update)
                .delete(projects::delete),
        )
        .route(
            &format!("{p}/databases"),
            get(databases::list).post(databases::create),
        )
        .route(db, axum::routing::delete(databases::delete))
        .route(&format!("{db}/token/rotate"), post(databases::rotate))
        .route(
            &format!("{db}/tokens"),
            get(database_tokens::list).post(database_tokens::create),
        )
        .route(
            &format!("{db}/tokens/{{token_id}}"),
            get(database_tokens::get).delete(database_tokens::revoke),
        )
        .route(
            &format!("{db}/tokens/{{token_id}}/renew"),
            post(database_tokens::renew),
        )
        .route(&format!("{p}/apps"), get(apps::list).post(apps::create))
        .route(a, get(apps::get).delete(apps::delete))
        .route(&format!("{a}/environment"), get(apps::get_env))
        .route(
            &format!("{a}/environment/{{key}}"),
            axum::routing::put(apps::put_env).delete(apps::delete_env),
        )
        .route(&format!("{a}/deployments"), post(deploys::deploy))
        .route(&format!("{a}/builds"), get(deploys::list))
        .route(&format!("{a}/rollback"), post(deploys::rollback))
        .route(
            &format!("{a}/domains"),
            get(hostnames::list).post(hostnames::attach),
        )
        .route(
            &format!("{a}/domains/{{hostname}}"),
            axum::routing::delete(hostnames::detach),
        )
        .route(
            &format!("{a}/domains/{{hostname}}/finalize"),
            post(hostnames::finalize),
        )
        .route(
            &format!("{p}/domains"),
            get(domains::list).post(domains::onboard),
        )
        .route(d, axum::routing::delete(domains::remove))
        .route(
            &format!("{d}/delegation-check"),
            post(domains::delegation_check),
        )
        .route(
            &format!("{d}/records"),
            get(records::list).post(records::create),
        )
        .route(
            &format!("{d}/records/{{record_id}}"),
            axum::routing::put(records::replace).delete(records::delete),
        )
        .route("/v1/registrar/availability", get(registrar::availability))
        .route(
            &format!("{p}/registrations"),
            get(registrar::list).post(registrar::register),
        )
        .route(
            &format!("{p}/registrations/{{domain}}"),
            get(registrar::get).patch(registrar::update),
        )
        .fallback(not_found)
        .layer(from_fn_with_state(state.clone(), faults::faults))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/openapi.json", get(health::openapi))
        .route("/_local/stats", get(super::stats::stats))
        .layer(from_fn_with_state(state.clone(), faults::log_and_envelope))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such resource")
}

// ---------- calls ----------

/// One request's transaction: the store, the caller and the server's settings.
pub struct Tx<'a> {
    pub tx: &'a Transaction<'a>,
    pub auth: &'a Auth,
    pub settings: &'a Settings,
}

impl<'a> std::ops::Deref for Tx<'a> {
    type Target = Transaction<'a>;
    fn deref(&self) -> &Transaction<'a> {
        self.tx
    }
}

/// The part of a route's path above what the route is about, checked in the handler's
/// transaction before anything else: 404 unless it exists, 403 unless the caller may go there.
pub trait Scope: Sized + Send + 'static {
    /// What the check found (the app of an app's routes, ...), for the handler.
    type Found: Send;
    /// Take this scope's path parameters.
    fn take(params: &mut Params) -> Self;
    fn check(&self, t: &Tx<'_>) -> ApiResult<Self::Found>;
    /// The key of what the path names: the parent of the items listed below it.
    fn key(&self) -> &str;
}

/// Routes above any project (`/v1/projects`).
impl Scope for () {
    type Found = ();
    fn take(_: &mut Params) {}
    fn check(&self, _: &Tx<'_>) -> ApiResult<()> {
        Ok(())
    }
    fn key(&self) -> &str {
        ""
    }
}

/// The path parameters, in route order.
pub type Params = std::vec::IntoIter<String>;

/// `/v1/projects/{project_id}`.
pub struct InProject {
    pub project_id: String,
}

impl Scope for InProject {
    type Found = ();
    fn take(params: &mut Params) -> Self {
        InProject {
            project_id: params.next().unwrap_or_default(),
        }
    }
    fn check(&self, t: &Tx<'_>) -> ApiResult<()> {
        project_access(t, t.auth, &self.project_id)
    }
    fn key(&self) -> &str {
        &self.project_id
    }
}

/// A scope one item of a project's `table` below the project: `$key` names it.
macro_rules! in_project {
    ($(#[$doc:meta])* $name:ident { $key:ident } => $found:ty, $table:expr) => {
        $(#[$doc])*
        pub struct $name {
            pub project_id: String,
            pub $key: String,
        }

        impl Scope for $name {
            type Found = $found;
            fn take(params: &mut Params) -> Self {
                let InProject { project_id } = InProject::take(params);
                $name {
                    project_id,
                    $key: params.next().unwrap_or_default(),
                }
            }
            fn check(&self, t: &Tx<'_>) -> ApiResult<$found> {
                project_access(t, t.auth, &self.project_id)?;
                $table.get(t, &self.project_id, &self.$key)
            }
            fn key(&self) -> &str {
                &self.$key
            }
        }
    };
}

in_project!(
    /// `/v1/projects/{project_id}/apps/{app_id}`: the app.
    InApp { app_id } => apps::App, apps::APPS
);

in_project!(
    /// `/v1/projects/{project_id}/databases/{database_id}`: the database.
    InDatabase { database_id } => databases::Database, databases::DATABASES
);

in_project!(
    /// `/v1/projects/{project_id}/domains/{domain}`: the domain.
    InDomain { domain } => domains::Domain, domains::DOMAINS
);

/// One item below `P`: its key is the route's last path parameter (the handler reads it).
pub struct Item<P> {
    pub parent: P,
    pub id: String,
}

impl<P: Scope> Scope for Item<P> {
    type Found = P::Found;
    fn take(params: &mut Params) -> Self {
        let parent = P::take(params);
        Item {
            parent,
            id: params.next().unwrap_or_default(),
        }
    }
    fn check(&self, t: &Tx<'_>) -> ApiResult<P::Found> {
        self.parent.check(t)
    }
    fn key(&self) -> &str {
        &self.id
    }
}

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

    /// The data directory's database-token signer.
    pub fn signer(&self) -> std::sync::Arc<crate::local::db_tokens::Signer> {
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

    /// A page of a list: `f` reads up to `limit + 1` rows as `(seq, item)` (see
    /// [`Table::page`]); the query's own errors come after the path's.
    pub async fn list<T: Serialize + Send + 'static>(
        self,
        scope: &'static str,
        q: Listing,
        f: impl FnOnce(&Tx<'_>, &P, &Query, &Page) -> ApiResult<Vec<(i64, T)>> + Send + 'static,
    ) -> ApiResult<Json<List<T>>> {
        self.auth.require(scope)?;
        let q = q.0?;
        let page = validate::page(&q);
        let write = self.writes;
        self.run(None, write, move |t, p, _| {
            let page = page?;
            Ok(List::new(f(t, p, &q, &page)?, &page))
        })
        .await
        .map(Json)
    }

    /// A page of `table`'s items below the path.
    pub async fn list_of<T: Serialize + Send + 'static>(
        self,
        scope: &'static str,
        q: Listing,
        table: &'static Table<T>,
    ) -> ApiResult<Json<List<T>>> {
        self.list(scope, q, move |t, p, _, page| table.list(t, p.key(), page))
            .await
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

impl<P: Scope> Call<Item<P>> {
    /// The item of `table` the path names.
    pub async fn get_of<T: Serialize + Send + 'static>(
        self,
        scope: &'static str,
        table: &'static Table<T>,
    ) -> ApiResult<Json<T>> {
        self.read(scope, move |t, p, _| table.get(t, p.parent.key(), &p.id))
            .await
    }
}

// ---------- extractors ----------

/// A list's query parameters; a query that cannot be decoded is a 400 (after the scope check).
pub struct Listing(ApiResult<Query>);

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

// ---------- tables ----------

/// `{"items":[...],"next_cursor":...}`.
#[derive(Serialize)]
pub struct List<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> List<T> {
    /// From up to `limit + 1` rows of `(seq, item)`: one more than the page means another
    /// page follows, after the last one kept.
    pub fn new(mut rows: Vec<(i64, T)>, page: &Page) -> List<T> {
        let more = rows.len() as i64 > page.limit;
        rows.truncate(page.limit as usize);
        let next_cursor = if more {
            rows.last().map(|(seq, _)| seq.to_string())
        } else {
            None
        };
        List {
            items: rows.into_iter().map(|(_, v)| v).collect(),
            next_cursor,
        }
    }
}

/// How the items of one kind are read: each belongs to a parent (`?1` in `select`) and has a
/// key; a 404 names the item by its key column without `_id` ("no app app_... in project ...").
pub struct Table<T> {
    /// `SELECT <seq, then the columns row reads> FROM <tables> WHERE <parent column> = ?1`.
    pub select: &'static str,
    /// The key column, with its table's alias if the query has one (`b.build_id`).
    pub key: &'static str,
    /// How the parent is named in a 404: `in project`.
    pub within: &'static str,
    /// Whether a key can name an item at all (else 404 without a query).
    pub valid: fn(&str) -> bool,
    pub row: fn(&rusqlite::Row<'_>, &Settings) -> rusqlite::Result<T>,
}

impl<T> Table<T> {
    fn read(&self, r: &rusqlite::Row<'_>, settings: &Settings) -> rusqlite::Result<(i64, T)> {
        Ok((r.get(0)?, (self.row)(r, settings)?))
    }

    /// The item `key` of `parent`; 404 unless it exists.
    pub fn get(&self, t: &Tx<'_>, parent: &str, key: &str) -> ApiResult<T> {
        let found = if (self.valid)(key) {
            let sql = format!("{} AND {} = ?2", self.select, self.key);
            t.query_row(&sql, [parent, key], |r| self.read(r, t.settings))
                .optional()?
        } else {
            None
        };
        found.map(|(_, v)| v).ok_or_else(|| {
            let column = self.key.rsplit('.').next().unwrap_or(self.key);
            let what = column.strip_suffix("_id").unwrap_or(column);
            ApiError::not_found(format!("no {what} {key} {} {parent}", self.within))
        })
    }

    /// Change the item `key` of `parent` (404 unless it exists) by `f`, given the item as it
    /// is; the answer is the item as `f` left it.
    pub fn change(
        &self,
        t: &Tx<'_>,
        parent: &str,
        key: &str,
        f: impl FnOnce(T) -> ApiResult<()>,
    ) -> ApiResult<T> {
        f(self.get(t, parent, key)?)?;
        self.get(t, parent, key)
    }

    /// 201 with the item `key` of `parent`, just made, at `location`.
    pub fn created(
        &self,
        t: &Tx<'_>,
        parent: &str,
        key: &str,
        location: String,
    ) -> ApiResult<Stored>
    where
        T: Serialize,
    {
        Ok(Stored::created(
            location,
            to_json(&self.get(t, parent, key)?)?,
        ))
    }

    /// One page of `parent`'s items as `(seq, item)`, `limit + 1` at most (see [`List::new`]):
    /// `filter` adds conditions, with `extra` as `?4`, `?5`...
    pub fn page(
        &self,
        t: &Tx<'_>,
        parent: &str,
        filter: &str,
        extra: &[&dyn ToSql],
        page: &Page,
    ) -> ApiResult<Vec<(i64, T)>> {
        let alias = self.key.rsplit_once('.').map_or("", |(a, _)| a);
        let seq = if alias.is_empty() {
            "seq".to_string()
        } else {
            format!("{alias}.seq")
        };
        let sql = format!(
            "{}{filter} AND {seq} > ?2 ORDER BY {seq} LIMIT ?3",
            self.select
        );
        let mut stmt = t.prepare(&sql)?;
        let limit = page.limit + 1;
        let mut params: Vec<&dyn ToSql> = vec![&parent, &page.after, &limit];
        params.extend_from_slice(extra);
        let rows = stmt
            .query_map(params.as_slice(), |r| self.read(r, t.settings))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// One page of `parent`'s items, unfiltered.
    pub fn list(&self, t: &Tx<'_>, parent: &str, page: &Page) -> ApiResult<Vec<(i64, T)>> {
        self.page(t, parent, "", &[], page)
    }
}

/// For `Table::row`: the row by column name.
pub fn by_name<T: serde::de::DeserializeOwned>(
    r: &rusqlite::Row<'_>,
    _: &Settings,
) -> rusqlite::Result<T> {
    store::from_row(r)
}

/// 404 unless the project exists, 403 unless the caller is a member.
pub fn project_access(tx: &Transaction<'_>, auth: &Auth, project_id: &str) -> ApiResult<()> {
    if !ids::is_id(project_id, "prj") || !project_exists(tx, project_id)? {
        return Err(ApiError::not_found(format!("no project {project_id}")));
    }
    let member = "SELECT 1 FROM members WHERE project_id = ?1 AND user_id = ?2";
    if !store::exists(tx, member, [project_id, &auth.user_id])? {
        return Err(ApiError::not_a_member(&auth.user_name, project_id));
    }
    Ok(())
}

/// Whether the project exists.
pub fn project_exists(tx: &Transaction<'_>, project_id: &str) -> rusqlite::Result<bool> {
    store::exists(
        tx,
        "SELECT 1 FROM projects WHERE project_id = ?1",
        [project_id],
    )
}

/// A `name_taken` 409 when `sql` (with `params`) finds an id: `message` is told the id, and the
/// details name it as `id_field`.
pub fn name_free(
    t: &Tx<'_>,
    sql: &str,
    params: impl rusqlite::Params,
    id_field: &str,
    message: impl FnOnce(&str) -> String,
) -> ApiResult<()> {
    match store::first::<String>(t, sql, params)? {
        Some(id) => Err(ApiError::conflict("name_taken", message(&id))
            .with_details(serde_json::json!({ id_field: id }))),
        None => Ok(()),
    }
}

/// `value` as JSON, for answers that are stored for replay.
pub fn to_json(value: &impl Serialize) -> ApiResult<serde_json::Value> {
    Ok(serde_json::to_value(value)?)
}
