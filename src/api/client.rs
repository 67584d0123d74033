//! The HTTP core of the platform API client: auth, retries with backoff, error decoding and
//! request logs (never the token or a body).

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::{ApiError, Envelope, StatusError};

/// Settings for [`Client::new`].
#[derive(Clone, Debug)]
pub struct ClientOptions {
    pub base_url: String,
    pub token: String,
    pub max_retries: u32,
    /// Appended to our own User-Agent, e.g. `terraform/1.15.5`.
    pub user_agent_suffix: String,
    pub request_timeout: Duration,
    /// First backoff step; doubled each retry, with jitter, capped at 10s.
    pub backoff_base: Duration,
}

impl ClientOptions {
    pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> Self {
        ClientOptions {
            base_url: base_url.into(),
            token: token.into(),
            max_retries: 4,
            user_agent_suffix: String::new(),
            request_timeout: Duration::from_secs(60),
            backoff_base: Duration::from_millis(250),
        }
    }
}

/// A client for one token. Cheap to clone; connections are pooled and reused.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    max_retries: u32,
    backoff_base: Duration,
}

/// A request body.
enum Body {
    None,
    Json(Vec<u8>),
    Bytes(Vec<u8>, &'static str),
}

impl Client {
    pub fn new(options: ClientOptions) -> Result<Client, ApiError> {
        let mut headers = HeaderMap::new();
        let mut auth =
            HeaderValue::from_str(&format!("Bearer {}", options.token)).map_err(|_| {
                ApiError::Transport {
                    message: "the token holds characters that cannot be sent in a header".into(),
                    method: String::new(),
                    path: String::new(),
                }
            })?;
        auth.set_sensitive(true);
        headers.insert(AUTHORIZATION, auth);
        let mut agent = format!("terraform-provider-comwit/{}", env!("CARGO_PKG_VERSION"));
        if !options.user_agent_suffix.is_empty() {
            agent.push(' ');
            agent.push_str(&options.user_agent_suffix);
        }
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(agent)
            .timeout(options.request_timeout)
            .connect_timeout(Duration::from_secs(10))
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| ApiError::Transport {
                message: format!("cannot build the HTTP client: {e}"),
                method: String::new(),
                path: String::new(),
            })?;
        Ok(Client {
            http,
            base_url: options.base_url.trim_end_matches('/').to_string(),
            max_retries: options.max_retries,
            backoff_base: options.backoff_base,
        })
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        self.json(Method::GET, path, Body::None, None).await
    }

    /// POST with an Idempotency-Key, so that a retry after a lost answer creates nothing twice.
    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        let key = idempotency_key();
        self.json(Method::POST, path, to_json(body)?, Some(key))
            .await
    }

    /// POST of raw bytes (e.g. a bundle), with an Idempotency-Key.
    pub async fn post_bytes<T: DeserializeOwned>(
        &self,
        path: &str,
        content_type: &'static str,
        bytes: Vec<u8>,
    ) -> Result<T, ApiError> {
        let key = idempotency_key();
        self.json(
            Method::POST,
            path,
            Body::Bytes(bytes, content_type),
            Some(key),
        )
        .await
    }

    pub async fn patch<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        self.json(Method::PATCH, path, to_json(body)?, None).await
    }

    pub async fn put<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        self.json(Method::PUT, path, to_json(body)?, None).await
    }

    /// DELETE; a 404 counts as success (the object is gone either way).
    pub async fn delete(&self, path: &str) -> Result<(), ApiError> {
        match self.send(Method::DELETE, path, &Body::None, None).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Body,
        idempotency_key: Option<String>,
    ) -> Result<T, ApiError> {
        let bytes = self
            .send(method, path, &body, idempotency_key.as_deref())
            .await?;
        serde_json::from_slice(&bytes).map_err(|e| ApiError::Decode {
            message: e.to_string(),
            path: path.to_string(),
        })
    }

    /// Sends with retries: 429 (after Retry-After), 502/503/504 and transport errors are
    /// retried for idempotent methods and for POSTs that carry an Idempotency-Key. PATCH
    /// bodies in this API set absolute values, so PATCH is idempotent too.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: &Body,
        idempotency_key: Option<&str>,
    ) -> Result<Vec<u8>, ApiError> {
        let url = format!("{}{}", self.base_url, path);
        let retryable = method != Method::POST || idempotency_key.is_some();
        let mut attempt = 0u32;
        loop {
            let started = Instant::now();
            let mut req = self.http.request(method.clone(), &url);
            match body {
                Body::None => {}
                Body::Json(b) => {
                    req = req.header(CONTENT_TYPE, "application/json").body(b.clone());
                }
                Body::Bytes(b, ct) => {
                    req = req.header(CONTENT_TYPE, *ct).body(b.clone());
                }
            }
            if let Some(key) = idempotency_key {
                req = req.header("Idempotency-Key", key);
            }
            let outcome = req.send().await;
            let elapsed_ms = started.elapsed().as_millis() as u64;
            let (error, wait) = match outcome {
                Ok(resp) => {
                    let status = resp.status();
                    tracing::debug!(method = %method, path, status = status.as_u16(), elapsed_ms, attempt, "API request");
                    let retry_after = retry_after(resp.headers());
                    let bytes = resp.bytes().await.map_err(|e| ApiError::Transport {
                        message: e.to_string(),
                        method: method.to_string(),
                        path: path.to_string(),
                    })?;
                    if status.is_success() {
                        return Ok(bytes.to_vec());
                    }
                    let error = status_error(status, &bytes, &method, path);
                    let transient = matches!(status.as_u16(), 429 | 502 | 503 | 504);
                    if !transient || !retryable {
                        return Err(error);
                    }
                    (error, retry_after)
                }
                Err(e) => {
                    tracing::debug!(method = %method, path, elapsed_ms, attempt, error = %e, "API request failed");
                    let error = ApiError::Transport {
                        message: describe_transport(&e),
                        method: method.to_string(),
                        path: path.to_string(),
                    };
                    if !retryable {
                        return Err(error);
                    }
                    (error, None)
                }
            };
            if attempt >= self.max_retries {
                return Err(error);
            }
            let delay = wait.unwrap_or_else(|| backoff(self.backoff_base, attempt));
            tracing::debug!(path, delay_ms = delay.as_millis() as u64, "retrying");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }
}

fn to_json<B: Serialize>(body: &B) -> Result<Body, ApiError> {
    serde_json::to_vec(body)
        .map(Body::Json)
        .map_err(|e| ApiError::Decode {
            message: format!("cannot encode the request: {e}"),
            path: String::new(),
        })
}

fn idempotency_key() -> String {
    let mut bytes = [0u8; 16];
    let _ = aws_lc_rs::rand::fill(&mut bytes);
    hex::encode(bytes)
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let secs: f64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs_f64(secs.clamp(0.0, 60.0)))
}

/// Exponential backoff with "full jitter": a random delay up to base * 2^attempt, capped.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let cap = Duration::from_secs(10);
    let ceiling = base.saturating_mul(1u32 << attempt.min(16)).min(cap);
    let mut byte = [0u8; 2];
    let _ = aws_lc_rs::rand::fill(&mut byte);
    let fraction = 0.5 + (u16::from_le_bytes(byte) as f64 / u16::MAX as f64) * 0.5;
    ceiling.mul_f64(fraction)
}

fn describe_transport(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "the request timed out".into()
    } else if e.is_connect() {
        "cannot connect to the API (is the URL right and the service up?)".into()
    } else {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        text
    }
}

fn status_error(status: StatusCode, body: &[u8], method: &Method, path: &str) -> ApiError {
    let (code, message, required_scope, field, details) =
        match serde_json::from_slice::<Envelope>(body) {
            Ok(env) => (
                env.error.code,
                env.error.message,
                env.error.required_scope,
                env.error.field,
                serde_json::Value::Object(env.error.rest),
            ),
            Err(_) => (
                status
                    .canonical_reason()
                    .unwrap_or("error")
                    .to_ascii_lowercase(),
                String::from_utf8_lossy(&body[..body.len().min(500)]).into_owned(),
                None,
                None,
                serde_json::Value::Null,
            ),
        };
    ApiError::Status(Box::new(StatusError {
        status: status.as_u16(),
        code,
        message,
        required_scope,
        field,
        details,
        method: method.to_string(),
        path: path.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let base = Duration::from_millis(100);
        for attempt in 0..20 {
            let d = backoff(base, attempt);
            assert!(d <= Duration::from_secs(10));
            let ceiling = base
                .saturating_mul(1 << attempt.min(16))
                .min(Duration::from_secs(10));
            assert!(d >= ceiling / 2);
        }
    }

    #[test]
    fn envelope_is_decoded() {
        let body = br#"{"error":{"code":"forbidden","message":"token lacks app:write","required_scope":"app:write"}}"#;
        let e = status_error(StatusCode::FORBIDDEN, body, &Method::POST, "/v1/x");
        let e = e.as_status().expect("status error");
        assert_eq!(e.status, 403);
        assert_eq!(e.required_scope.as_deref(), Some("app:write"));
    }
}
