//! Request middleware: the structured request log and counts, error-envelope normalisation,
//! and faults on demand (latency, the per-token rate limit of [`super::ratelimit`], random 5xx
//! before or after the work was done).

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::local::contract::{self, Source};
use crate::local::error::ApiError;
use crate::local::ids;
use crate::local::model::state::AppState;

/// Outermost layer: log and count every request (never its headers or query) and give every
/// error the JSON envelope, including the ones the router makes itself (404, 405).
pub async fn log_and_envelope(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| contract::normalize(m.as_str()));
    let source = route
        .as_deref()
        .and_then(|r| contract::source_of(&method, r));
    let counted = source != Some(Source::Local);
    let resp = if source == Some(Source::Extension) && !state.settings.extensions {
        // What a platform without the extension answers.
        ApiError::not_found("no such route on this platform (extensions are off)").into_response()
    } else {
        next.run(req).await
    };
    let resp = ensure_envelope(resp);
    if counted {
        let route = route.as_deref().unwrap_or(path.as_str());
        state
            .counts
            .add(resp.status().as_u16(), method.as_str(), route, source);
    }
    tracing::info!(
        target: "comwit_local::request",
        method = %method,
        path = %path,
        status = resp.status().as_u16(),
        latency_ms = start.elapsed().as_millis() as u64,
        "request"
    );
    resp
}

fn ensure_envelope(resp: Response) -> Response {
    let status = resp.status();
    if status.as_u16() < 400 {
        return resp;
    }
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.starts_with("application/json") || v.starts_with("application/problem+json")
        });
    if is_json {
        return resp;
    }
    let (code, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", "no such resource"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "method not allowed here"),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "the body is too large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "unsupported media type"),
        s if s.is_server_error() => ("internal_error", "internal error"),
        _ => ("bad_request", "the request is malformed"),
    };
    let (mut parts, _) = resp.into_parts();
    let fresh = ApiError::new(status, code, message).into_response();
    let (fresh_parts, body) = fresh.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    if let Some(ct) = fresh_parts.headers.get(header::CONTENT_TYPE) {
        parts.headers.insert(header::CONTENT_TYPE, ct.clone());
    }
    Response::from_parts(parts, body)
}

/// Latency (half before the work, half after it, as on a real network), rate limit and random
/// failures.
pub async fn faults(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let s = &state.settings;
    let half = s.latency / 2;
    if !half.is_zero() {
        tokio::time::sleep(half).await;
    }
    let mut resp = limited(&state, req, next).await;
    if let Some(limiter) = &state.limiter {
        let limit = limiter.limit();
        let h = resp.headers_mut();
        h.insert("ratelimit-limit", HeaderValue::from(limit));
        if let Ok(policy) = HeaderValue::from_str(&format!("{limit};w=1")) {
            h.insert("ratelimit-policy", policy);
        }
    }
    if !half.is_zero() {
        tokio::time::sleep(s.latency - half).await;
    }
    resp
}

async fn limited(state: &AppState, req: Request, next: Next) -> Response {
    let mut remaining = None;
    if let Some(limiter) = &state.limiter {
        if let Some(auth) = req.headers().get(header::AUTHORIZATION) {
            match limiter.check(ids::sha256(auth.as_bytes())) {
                Ok(left) => remaining = Some(left),
                Err(wait) => {
                    let mut e = ApiError::new(
                        StatusCode::TOO_MANY_REQUESTS,
                        "rate_limited",
                        "too many requests for this token; retry later",
                    );
                    e.retry_after = Some(wait);
                    let mut resp = e.into_response();
                    resp.headers_mut()
                        .insert("ratelimit-remaining", HeaderValue::from(0u32));
                    return resp;
                }
            }
        }
    }
    let mut resp = failing(state, req, next).await;
    if let Some(left) = remaining {
        resp.headers_mut()
            .insert("ratelimit-remaining", HeaderValue::from(left));
    }
    resp
}

async fn failing(state: &AppState, req: Request, next: Next) -> Response {
    if loses_its_answer(state, &req) {
        let resp = next.run(req).await;
        drop(resp);
        return injected(StatusCode::BAD_GATEWAY, true);
    }
    let s = &state.settings;
    if s.fail_rate > 0.0 && ids::random_unit() < s.fail_rate {
        let after = ids::random_unit() < s.fail_after_share;
        let status = match (ids::random_unit() * 3.0) as u32 {
            0 => StatusCode::INTERNAL_SERVER_ERROR,
            1 => StatusCode::BAD_GATEWAY,
            _ => StatusCode::SERVICE_UNAVAILABLE,
        };
        if after {
            // The work is done and committed; only the answer is lost.
            let resp = next.run(req).await;
            drop(resp);
        }
        return injected(status, after);
    }
    next.run(req).await
}

/// Whether the request is the next of a route of `Config::lose_answers` (each entry once).
fn loses_its_answer(state: &AppState, req: &Request) -> bool {
    let mut lose = state.lose_answers.lock().unwrap_or_else(|p| p.into_inner());
    if lose.is_empty() {
        return false;
    }
    let Some(route) = req.extensions().get::<MatchedPath>() else {
        return false;
    };
    let key = format!("{} {}", req.method(), contract::normalize(route.as_str()));
    match lose.iter().position(|r| *r == key) {
        Some(i) => {
            lose.remove(i);
            true
        }
        None => false,
    }
}

fn injected(status: StatusCode, after: bool) -> Response {
    let code = match status {
        StatusCode::BAD_GATEWAY => "bad_gateway",
        StatusCode::SERVICE_UNAVAILABLE => "service_unavailable",
        _ => "internal_error",
    };
    let msg = if after {
        "injected fault after the request was processed"
    } else {
        "injected fault before the request was processed"
    };
    let mut resp = ApiError::new(status, code, msg).into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    resp
}
