//! The data plane of databases: each database's SQLite file over the libSQL remote protocol
//! (Hrana over HTTP, versions 2 and 3, JSON), on its own listener.
//!
//! A database's URL is `<listener>/v1/<tenant_id>` (like the platform's
//! `https://db.cloud.comwit.io/v1/<tenant_id>`). A request names its database by the tenant
//! segment, or by its token alone: clients that resolve `v2/pipeline` against the URL
//! (`@libsql/client`) drop the URL's last segment and post to `/v1/v2/pipeline`; clients that
//! append `/v3/pipeline` keep it. Where both name a database, they must agree.
//!
//! Tokens: the database's one-time token (from the create or the last rotation: only its
//! hash is kept, a rotation ends the old one); a `cwt_`/`cwp_` API token holding
//! `database:connect` whose user is a member of the database's project (the "database
//! gateway"; the URL must then name the tenant); and the minted JWTs of the tokens extension.
//!
//! - `GET /v2`, `GET /v3`: 200 (the versions spoken); `/v3-protobuf` is 404, so clients fall
//!   back to JSON.
//! - `POST /v2/pipeline`, `POST /v3/pipeline`: a pipeline of stream requests (see `proto`).
//! - `POST /v3/cursor`: one batch on a stream, its results as lines of JSON.
//! - `GET /health`, `GET /version`.
//!
//! Every pipeline carries `Authorization: Bearer <token>`; a missing, forged, revoked or expired
//! token, or one of another database, is answered 401 with `{"message","code"}`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};

use super::model::auth;
use super::model::databases;
use super::model::db_tokens::{self, Grant};
use super::model::queries;
use super::model::state::AppState;
use super::model::validate::TokenAccess;
use super::store::{self, files};

pub mod exec;
pub mod proto;
pub mod stream;

use exec::{Access, Outcome, Session};
use proto::{
    CursorEntry, CursorHead, CursorRequest, Error, PipelineRequest, PipelineResponse, StreamResult,
};
use stream::{Stream, Streams};

/// What the data plane's handlers share.
struct Hrana {
    app: AppState,
    streams: Streams,
}

/// The routes of the database listener.
pub fn router(state: AppState) -> Router {
    let shared = Arc::new(Hrana {
        app: state,
        streams: Streams::default(),
    });
    Router::new().fallback(dispatch).with_state(shared)
}

/// An HTTP-level failure: its status and the protocol's error structure.
struct Failure(StatusCode, Error);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.0, Json(self.1)).into_response()
    }
}

fn fail(status: StatusCode, code: &str, message: impl Into<String>) -> Failure {
    Failure(status, Error::new(code, message))
}

/// Every request, logged like the platform API's (never with its token).
async fn dispatch(State(h): State<Arc<Hrana>>, req: Request) -> Response {
    let started = std::time::Instant::now();
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let resp = route(&h, req).await;
    tracing::info!(
        target: "comwit_local::db",
        %method,
        path,
        status = resp.status().as_u16(),
        latency_ms = started.elapsed().as_millis() as u64,
        "request"
    );
    resp
}

/// Routes by hand: the optional leading `/<database_id>` and empty segments (`//v2`, from
/// clients that append to a URL ending in `/`) are no part of axum's patterns.
async fn route(h: &Hrana, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let mut segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    // `/v1/<tenant_id>/...`, or `/v1/...` when a client dropped the tenant segment.
    let mut database = None;
    if segments.first() == Some(&"v1") {
        segments.remove(0);
        match segments.first() {
            Some(&("v2" | "v3" | "health" | "version")) | None => {}
            Some(tenant) => database = Some(tenant.to_string()),
        }
        if database.is_some() {
            segments.remove(0);
        }
    }
    let get = parts.method == Method::GET || parts.method == Method::HEAD;
    let post = parts.method == Method::POST;
    match segments.as_slice() {
        ["v2"] | ["v3"] if get => (StatusCode::OK, "").into_response(),
        ["health"] if get && database.is_none() => (StatusCode::OK, "ok\n").into_response(),
        ["version"] if get && database.is_none() => {
            format!("comwit-local {}\n", env!("CARGO_PKG_VERSION")).into_response()
        }
        ["v2", "pipeline"] | ["v3", "pipeline"] if post => {
            match pipeline(h, database, &parts.headers, body).await {
                Ok(resp) => Json(resp).into_response(),
                Err(f) => f.into_response(),
            }
        }
        ["v3", "cursor"] if post => match cursor(h, database, &parts.headers, body).await {
            Ok(lines) => ([(header::CONTENT_TYPE, "text/plain")], lines).into_response(),
            Err(f) => f.into_response(),
        },
        ["health"] | ["version"] if database.is_some() => not_found(&path),
        ["v2"]
        | ["v3"]
        | ["health"]
        | ["version"]
        | ["v2", "pipeline"]
        | ["v3", "pipeline"]
        | ["v3", "cursor"] => {
            let allow = if segments.len() == 2 { "POST" } else { "GET" };
            let mut resp = fail(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                format!("{path} answers {allow} only"),
            )
            .into_response();
            resp.headers_mut()
                .insert(header::ALLOW, header::HeaderValue::from_static(allow));
            resp
        }
        _ => not_found(&path),
    }
}

/// The authorized request's body as `T`, within the size limit.
async fn read_json<T: serde::de::DeserializeOwned>(h: &Hrana, body: Body) -> Result<T, Failure> {
    let limit = h.app.settings.max_json_bytes;
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        fail(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("a request is at most {limit} bytes"),
        )
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        fail(
            StatusCode::BAD_REQUEST,
            "PROTOCOL_ERROR",
            format!("not a request of the protocol: {e}"),
        )
    })
}

/// The stream `baton` names, or a new one on the grant's database.
async fn stream_of(h: &Hrana, grant: &Grant, baton: Option<&str>) -> Result<Stream, Failure> {
    if let Some(baton) = baton {
        let s = h.streams.take(baton).ok_or_else(|| {
            fail(
                StatusCode::BAD_REQUEST,
                "STREAM_EXPIRED",
                format!(
                    "unknown baton: the stream was closed, or idle for more than {}s",
                    stream::IDLE.as_secs()
                ),
            )
        })?;
        if s.database_id != grant.database_id {
            return Err(fail(
                StatusCode::BAD_REQUEST,
                "STREAM_EXPIRED",
                "the baton belongs to a stream of another database",
            ));
        }
        return Ok(s);
    }
    if !h.streams.has_room() {
        return Err(fail(
            StatusCode::SERVICE_UNAVAILABLE,
            "STREAMS_EXHAUSTED",
            format!(
                "{} streams are open; close some (or let them expire)",
                stream::MAX_STREAMS
            ),
        ));
    }
    let dir = h.app.settings.data_dir.clone();
    let id = grant.database_id.clone();
    let conn = tokio::task::spawn_blocking(move || files::open(&dir, &id))
        .await
        .map_err(|e| internal(e.to_string()))?
        .map_err(internal)?;
    Ok(Stream::new(grant.database_id.clone(), Session::new(conn)))
}

fn not_found(path: &str) -> Response {
    fail(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        format!(
            "no {path} here: this is the libSQL endpoint (Hrana over HTTP, JSON): \
             POST /v2/pipeline or /v3/pipeline"
        ),
    )
    .into_response()
}

fn access_of(grant: &Grant) -> Access {
    match grant.access {
        TokenAccess::FullAccess => Access::ReadWrite,
        TokenAccess::ReadOnly => Access::ReadOnly,
    }
}

/// What a request of either endpoint starts with: its grant checked, its body read, and the
/// stream its baton names (a new one without) with what the grant allows on it.
async fn begin<R: serde::de::DeserializeOwned>(
    h: &Hrana,
    database: Option<String>,
    headers: &HeaderMap,
    body: Body,
    baton: fn(&R) -> Option<&str>,
) -> Result<(R, Stream, Access), Failure> {
    let grant = authorize(h, headers, database.as_deref()).await?;
    let req: R = read_json(h, body).await?;
    let stream = stream_of(h, &grant, baton(&req)).await?;
    Ok((req, stream, access_of(&grant)))
}

async fn pipeline(
    h: &Hrana,
    database: Option<String>,
    headers: &HeaderMap,
    body: Body,
) -> Result<PipelineResponse, Failure> {
    let (req, stream, access) = begin(h, database, headers, body, |r: &PipelineRequest| {
        r.baton.as_deref()
    })
    .await?;
    let (stream, results, closed, wrote) = tokio::task::spawn_blocking(move || {
        let before = changes(&stream);
        let (stream, results, closed) = run(stream, req, access);
        let wrote = changes(&stream) != before;
        (stream, results, closed, wrote)
    })
    .await
    .map_err(|e| internal(e.to_string()))?;
    if wrote {
        h.app.mark_written(&stream.database_id);
    }
    let baton = (!closed).then(|| h.streams.park(stream));
    Ok(PipelineResponse {
        baton,
        base_url: None,
        results,
    })
}

/// `v3/cursor`: one batch on the stream, answered as lines of JSON (the head, then the entries).
async fn cursor(
    h: &Hrana,
    database: Option<String>,
    headers: &HeaderMap,
    body: Body,
) -> Result<String, Failure> {
    let (req, mut stream, access) = begin(h, database, headers, body, |r: &CursorRequest| {
        r.baton.as_deref()
    })
    .await?;
    let (stream, result, wrote) = tokio::task::spawn_blocking(move || {
        let before = changes(&stream);
        let result = stream.session.batch(&req.batch, access);
        let wrote = changes(&stream) != before;
        (stream, result, wrote)
    })
    .await
    .map_err(|e| internal(e.to_string()))?;
    if wrote {
        h.app.mark_written(&stream.database_id);
    }
    let head = CursorHead {
        baton: Some(h.streams.park(stream)),
        base_url: None,
    };
    let mut out = line(&head)?;
    for entry in CursorEntry::of_batch(result) {
        out.push_str(&line(&entry)?);
    }
    Ok(out)
}

/// What tells that a stream wrote: its connection's changed rows and schema version, and
/// whether a transaction is open (its changes count once it commits).
fn changes(stream: &Stream) -> ((u64, i64), bool) {
    let conn = &stream.session.conn;
    (queries::change_marks(conn), conn.is_autocommit())
}

fn line(v: &impl serde::Serialize) -> Result<String, Failure> {
    let mut text = serde_json::to_string(v).map_err(|e| internal(e.to_string()))?;
    text.push('\n');
    Ok(text)
}

/// Run a pipeline's requests in order; after `close`, the rest fail.
fn run(
    mut stream: Stream,
    req: PipelineRequest,
    access: Access,
) -> (Stream, Vec<StreamResult>, bool) {
    let mut closed = false;
    let mut results = Vec::with_capacity(req.requests.len());
    for r in req.requests {
        if closed {
            results.push(StreamResult::Error {
                error: Error::new(
                    "STREAM_CLOSED",
                    "the stream was closed earlier in this pipeline",
                ),
            });
            continue;
        }
        let (out, outcome) = stream.session.run(r, access);
        closed = matches!(outcome, Outcome::Closed);
        results.push(match out {
            Ok(response) => StreamResult::Ok { response },
            Err(error) => StreamResult::Error { error },
        });
    }
    (stream, results, closed)
}

fn internal(message: String) -> Failure {
    fail(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", message)
}

/// The grant of the request's token, for the database the path's tenant names (if it names
/// one).
async fn authorize(h: &Hrana, headers: &HeaderMap, tenant: Option<&str>) -> Result<Grant, Failure> {
    let unauthorized = |m: String| fail(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", m);
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_string())
        .ok_or_else(|| {
            unauthorized(
                "send `Authorization: Bearer <token>` with the database's token (from its \
                 create or its last rotation), or a `cwt_`/`cwp_` token holding \
                 `database:connect`"
                    .into(),
            )
        })?;
    let signer = h.app.signer.clone();
    let tenant = tenant.map(str::to_string);
    let checked = h
        .app
        .store
        .read(move |tx| {
            let named = match &tenant {
                Some(t) => match databases::by_tenant(tx, t)? {
                    Some(found) => Some(found),
                    None => {
                        return Ok(Err(format!(
                            "no database at this URL (…/v1/{t}): it was deleted, its tokens \
                             revoked with it, or never existed"
                        )))
                    }
                },
                None => None,
            };
            Ok(grant_of(tx, &signer, &token, named))
        })
        .await
        .map_err(|e| internal(e.message.clone()))?;
    checked.map_err(unauthorized)
}

/// What `token` may do, on the database `named` by the path (`(database_id, project_id)`),
/// else on the one the token itself names; or the message of a 401.
fn grant_of(
    tx: &rusqlite::Transaction<'_>,
    signer: &db_tokens::Signer,
    token: &str,
    named: Option<(String, String)>,
) -> Result<Grant, String> {
    let agree = |grant: Grant| match &named {
        Some((d, _)) if *d != grant.database_id => Err(format!(
            "the token is for database {}, not {d}",
            grant.database_id
        )),
        _ => Ok(grant),
    };
    if databases::is_database_token(token) {
        return match databases::by_token(tx, token).map_err(|e| e.to_string())? {
            Some((database_id, _)) => agree(Grant {
                token_id: "database-token".into(),
                database_id,
                access: TokenAccess::FullAccess,
            }),
            None => Err(
                "this database token was revoked: the database's token was rotated \
                         since, or the database deleted"
                    .into(),
            ),
        };
    }
    if auth::is_api_token(token) {
        let caller = auth::lookup(tx, token)
            .map_err(|e| e.message.clone())?
            .ok_or("unknown token")?;
        if !caller.scopes.contains(&auth::DATABASE_CONNECT) {
            return Err(format!(
                "the token does not hold `{}`, which the data plane needs",
                auth::DATABASE_CONNECT
            ));
        }
        let Some((database_id, project_id)) = named else {
            return Err(
                "a `cwt_`/`cwp_` token does not name a database: send the request to \
                        the database's URL (`<database_url>/v3/pipeline`)"
                    .into(),
            );
        };
        let member = "SELECT 1 FROM members WHERE project_id = ?1 AND user_id = ?2";
        if !store::exists(tx, member, [&project_id, &caller.user_id]).map_err(|e| e.to_string())? {
            return Err(format!(
                "the token cannot reach the project of database {database_id}"
            ));
        }
        return Ok(Grant {
            token_id: caller.token_id,
            database_id,
            access: TokenAccess::FullAccess,
        });
    }
    agree(db_tokens::check(tx, signer, token)?)
}
