//! The data plane of databases: each database's SQLite file over the libSQL remote protocol
//! (Hrana over HTTP, versions 2 and 3, JSON), on its own listener.
//!
//! A request names its database by its token (the JWT's `database_id`); a leading path segment
//! `/<database_id>` may name it too, and must then agree. Both forms are needed: clients that
//! resolve `v2/pipeline` against the URL (`@libsql/client`) drop the URL's last path segment,
//! clients that append `/v2/pipeline` keep it.
//!
//! - `GET /v2`, `GET /v3`: 200 (the versions spoken); `/v3-protobuf` is 404, so clients fall
//!   back to JSON.
//! - `POST /v2/pipeline`, `POST /v3/pipeline`: a pipeline of stream requests (see `proto`).
//! - `POST /v3/cursor`: one batch on a stream, its results as lines of JSON.
//! - `GET /health`, `GET /version`.
//!
//! Every pipeline carries `Authorization: Bearer <JWT>`; a missing, forged, revoked or expired
//! token, or one of another database, is answered 401 with `{"message","code"}`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};

use super::db_tokens::{self, Grant};
use super::state::AppState;
use super::validate::TokenAccess;

pub mod exec;
pub mod files;
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
    let database = match segments.first() {
        Some(first) if first.starts_with("db_") => Some(segments.remove(0).to_string()),
        _ => None,
    };
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
    let (stream, results, closed) = tokio::task::spawn_blocking(move || run(stream, req, access))
        .await
        .map_err(|e| internal(e.to_string()))?;
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
    let (stream, result) = tokio::task::spawn_blocking(move || {
        let result = stream.session.batch(&req.batch, access);
        (stream, result)
    })
    .await
    .map_err(|e| internal(e.to_string()))?;
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

/// The grant of the request's token, for the database the path names (if it names one).
async fn authorize(
    h: &Hrana,
    headers: &HeaderMap,
    database: Option<&str>,
) -> Result<Grant, Failure> {
    let unauthorized = |m: String| fail(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", m);
    let jwt = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_string())
        .ok_or_else(|| {
            unauthorized(
                "send `Authorization: Bearer <token>` with a database token \
                 (POST /v1/projects/{project_id}/databases/{database_id}/tokens)"
                    .into(),
            )
        })?;
    let signer = h.app.signer.clone();
    let checked = h
        .app
        .store
        .read(move |tx| Ok(db_tokens::check(tx, &signer, &jwt)))
        .await
        .map_err(|e| internal(e.message.clone()))?;
    let grant = checked.map_err(unauthorized)?;
    if let Some(d) = database {
        if d != grant.database_id {
            return Err(unauthorized(format!(
                "the token is for database {}, not {d}",
                grant.database_id
            )));
        }
    }
    Ok(grant)
}
