//! The HTTP core of the platform API client: auth, pacing, retries with backoff, creates that
//! are safe to repeat, error decoding and request logs (never the token or a body).

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::cache::ListCache;
use super::endpoints::Located;
use super::error::{ApiError, Problem, StatusError};
use super::pacer::Pacer;
use super::retry::{self, Failure};

/// Settings for [`Client::new`].
#[derive(Clone, Debug)]
pub struct ClientOptions {
    pub base_url: String,
    pub token: String,
    /// At most this many retries of one request (the time budget below usually ends first).
    pub max_retries: u32,
    /// How long one call may take with all its retries, counted from its first attempt: no
    /// retry starts that would end its wait after this.
    pub retry_max_elapsed: Duration,
    /// Appended to our own User-Agent, e.g. `terraform/1.15.5`.
    pub user_agent_suffix: String,
    /// Per attempt.
    pub request_timeout: Duration,
    /// First backoff step; doubled each retry, with full jitter, capped at `backoff_cap`.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// Makes creates repeatable across runs (see [`Client::create`]): the keys of creates are
    /// derived from the request and this scope (the provider uses its working directory, so
    /// two configurations never share keys). None: every create gets a random key.
    pub create_scope: Option<String>,
}

/// Default retry budget of one call.
pub const DEFAULT_RETRY_MAX_ELAPSED: Duration = Duration::from_secs(120);
/// Default cap on the number of retries of one call.
pub const DEFAULT_MAX_RETRIES: u32 = 20;

impl ClientOptions {
    pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> Self {
        ClientOptions {
            base_url: base_url.into(),
            token: token.into(),
            max_retries: DEFAULT_MAX_RETRIES,
            retry_max_elapsed: DEFAULT_RETRY_MAX_ELAPSED,
            user_agent_suffix: String::new(),
            request_timeout: Duration::from_secs(60),
            backoff_base: Duration::from_millis(200),
            backoff_cap: Duration::from_secs(10),
            create_scope: None,
        }
    }
}

/// A client for one token. Cheap to clone: clones share connections, the request pace and the
/// list cache.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    max_retries: u32,
    retry_max_elapsed: Duration,
    backoff_base: Duration,
    backoff_cap: Duration,
    pacer: Arc<Pacer>,
    pub(crate) cache: Arc<ListCache>,
    create_scope: Option<String>,
}

/// A request body.
enum Body {
    None,
    Json(Vec<u8>),
    Bytes(Vec<u8>, &'static str),
}

/// A successful answer.
struct Answer {
    bytes: Vec<u8>,
    /// The platform replayed the stored answer of an earlier request with the same key.
    replayed: bool,
}

/// How many deterministic keys a create tries (see [`Client::create`]) before a random one.
const KEY_GENERATIONS: u32 = 16;

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
            retry_max_elapsed: options.retry_max_elapsed,
            backoff_base: options.backoff_base,
            backoff_cap: options.backoff_cap.max(options.backoff_base),
            pacer: Arc::new(Pacer::default()),
            cache: Arc::new(ListCache::default()),
            create_scope: options.create_scope,
        })
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        self.json(Method::GET, path, Body::None, None).await
    }

    /// POST with a fresh Idempotency-Key, so that a retry after a lost answer does nothing
    /// twice. For creates of objects Terraform manages, use [`Client::create`].
    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        self.post_keyed(path, body, &idempotency_key()).await
    }

    /// POST with the caller's Idempotency-Key (see [`Client::new_idempotency_key`]): sending
    /// the same request again with the same key, after this call gave up, is answered with what
    /// the first request did (the platform's replay), or does the work once if it never
    /// arrived. For callers that must learn what a request whose answer was lost made.
    pub async fn post_keyed<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        key: &str,
    ) -> Result<T, ApiError> {
        self.json(Method::POST, path, to_json(body)?, Some(key.to_string()))
            .await
    }

    /// POST without an Idempotency-Key, for a request that is not safe to send twice and whose
    /// route takes no key: retried only when it cannot have reached the platform or was refused
    /// before any work (429).
    pub async fn post_unkeyed<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        self.json(Method::POST, path, to_json(body)?, None).await
    }

    /// A fresh random Idempotency-Key, for [`Client::post_keyed`].
    pub fn new_idempotency_key() -> String {
        idempotency_key()
    }

    /// Creates an object so that no try can leave one behind that the caller does not learn of.
    ///
    /// With a `create_scope`, the Idempotency-Key is derived from the request itself (path and
    /// body) and that scope, so a create whose answer never arrived (retries ran out, the
    /// provider was killed or stopped) is answered by the platform's replay when the next
    /// `terraform apply` sends the same create. A replay (an `Idempotency-Replayed: true`
    /// header, or a body that says so, such as a database's `created: false`) is checked
    /// against the object's list (the public API has no single read for most objects): if the
    /// object is still listed it is adopted; if it was deleted since, the next key of a fixed
    /// sequence is tried, so the object is created anew, and a later run walks the same
    /// sequence.
    pub async fn create<B, T>(&self, path: &str, body: &B) -> Result<T, ApiError>
    where
        B: Serialize,
        T: DeserializeOwned + Located,
    {
        self.create_listed(path, body, None).await
    }

    /// [`Client::create`], with the list that shows the object given by the caller (for
    /// answers that do not say where they are listed, such as a database's flat answer).
    /// A listed member whose `status` is `deleted` counts as gone.
    pub(crate) async fn create_listed<B, T>(
        &self,
        path: &str,
        body: &B,
        listing: Option<super::endpoints::Listing>,
    ) -> Result<T, ApiError>
    where
        B: Serialize,
        T: DeserializeOwned + Located,
    {
        let Some(scope) = &self.create_scope else {
            // Enveloped (`{"record":{...}}`) or flat.
            let value: serde_json::Value = self.post(path, body).await?;
            return super::endpoints::unwrap_one(value, T::KEY, path);
        };
        let bytes = json_bytes(body)?;
        for generation in 0..KEY_GENERATIONS {
            let key = creation_key(scope, path, &bytes, generation);
            let answer = self
                .send(Method::POST, path, &Body::Json(bytes.clone()), Some(&key))
                .await?;
            let mut object: T = decode_created(&answer.bytes, path)?;
            if !answer.replayed && !object.replayed() {
                return Ok(object);
            }
            object.mark_replayed();
            let mut listing = match &listing {
                Some(l) => super::endpoints::Listing {
                    path: l.path.clone(),
                    key: l.key,
                    id_field: l.id_field,
                },
                None => object.listing_from(path),
            };
            // An empty listing path: the object is listed at the create's own path.
            if listing.path.is_empty() {
                listing.path = path.to_string();
            }
            let listed: Vec<serde_json::Value> = self.list_of(&listing.path, listing.key).await?;
            let id = object.id();
            if listed.iter().any(|item| {
                item.get(listing.id_field).and_then(|v| v.as_str()) == Some(id)
                    && item.get("status").and_then(|v| v.as_str()) != Some("deleted")
            }) {
                tracing::debug!(
                    path,
                    generation,
                    "create answered by replay: adopting the existing object"
                );
                return Ok(object);
            }
            tracing::debug!(
                path,
                generation,
                "the replayed object was deleted since: creating anew"
            );
        }
        let answer = self
            .send(
                Method::POST,
                path,
                &Body::Json(bytes),
                Some(&idempotency_key()),
            )
            .await?;
        decode_created(&answer.bytes, path)
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

    /// DELETE; a 404 counts as success (the object is gone either way, also when an earlier
    /// attempt whose answer was lost deleted it).
    /// DELETE that reports a 404 (for extension routes, where 404 may mean "no such route").
    pub(crate) async fn delete_reporting_404(&self, path: &str) -> Result<(), ApiError> {
        self.send(Method::DELETE, path, &Body::None, None)
            .await
            .map(|_| ())
    }

    pub async fn delete(&self, path: &str) -> Result<(), ApiError> {
        match self.send(Method::DELETE, path, &Body::None, None).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// DELETE whose answer body matters (an app's cleanup counters): 404 stays an error here,
    /// the caller decides what it means.
    pub(crate) async fn delete_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        self.json(Method::DELETE, path, Body::None, None).await
    }

    async fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Body,
        idempotency_key: Option<String>,
    ) -> Result<T, ApiError> {
        let answer = self
            .send(method, path, &body, idempotency_key.as_deref())
            .await?;
        decode(&answer.bytes, path)
    }

    /// Sends with pacing and retries. A write empties the list cache once it is done, whatever
    /// its outcome (it may have changed a list even when its answer was lost).
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: &Body,
        idempotency_key: Option<&str>,
    ) -> Result<Answer, ApiError> {
        let result = self
            .send_with_retries(&method, path, body, idempotency_key)
            .await;
        if method != Method::GET && method != Method::HEAD {
            self.cache.clear();
        }
        result
    }

    /// Retries what [`retry::retry_reason`] calls transient, with backoff, within both the
    /// count and the time budget of the call.
    async fn send_with_retries(
        &self,
        method: &Method,
        path: &str,
        body: &Body,
        idempotency_key: Option<&str>,
    ) -> Result<Answer, ApiError> {
        let url = format!("{}{}", self.base_url, path);
        let first = Instant::now();
        let mut attempt = 0u32;
        loop {
            self.pacer.acquire().await;
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
            let (error, failure, retry_after) = match req.send().await {
                Ok(resp) => {
                    let status = resp.status();
                    let headers = resp.headers();
                    let retry_after = retry_after(headers);
                    self.pacer.observe(status.as_u16(), headers, retry_after);
                    let replayed = headers
                        .get("idempotency-replayed")
                        .is_some_and(|v| v.as_bytes() == b"true");
                    let elapsed_ms = started.elapsed().as_millis() as u64;
                    tracing::debug!(method = %method, path, status = status.as_u16(), elapsed_ms, attempt, "API request");
                    match resp.bytes().await {
                        Ok(bytes) if status.is_success() => {
                            return Ok(Answer {
                                bytes: bytes.to_vec(),
                                replayed,
                            });
                        }
                        Ok(bytes) => (
                            status_error(status, &bytes, method, path),
                            Failure::Status(status.as_u16()),
                            retry_after,
                        ),
                        // The answer broke off: the request may have done its work.
                        Err(e) => (transport_error(&e, method, path), Failure::Lost, None),
                    }
                }
                Err(e) => {
                    let elapsed_ms = started.elapsed().as_millis() as u64;
                    tracing::debug!(method = %method, path, elapsed_ms, attempt, error = %e, "API request failed");
                    let failure = if e.is_connect() {
                        Failure::Connect
                    } else {
                        Failure::Lost
                    };
                    (transport_error(&e, method, path), failure, None)
                }
            };
            let Some(reason) = retry::retry_reason(method, idempotency_key.is_some(), failure)
            else {
                return Err(error);
            };
            if attempt >= self.max_retries {
                tracing::debug!(method = %method, path, attempt, reason, "giving up: max_retries reached");
                return Err(error);
            }
            let delay = retry::delay(self.backoff_base, self.backoff_cap, attempt, retry_after);
            if first.elapsed() + delay > self.retry_max_elapsed {
                tracing::debug!(method = %method, path, attempt, reason, "giving up: the retry time budget is spent");
                return Err(error);
            }
            tracing::debug!(method = %method, path, attempt, reason, delay_ms = delay.as_millis() as u64, "retrying");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }
}

impl Client {
    /// `PUT` of a file's bytes, streamed with an exact `Content-Length` (a seed upload), once:
    /// a body that went out cannot be resent by the client, so the caller decides what a failure
    /// means (the official CLI reads the operation's status). `path` is server-relative.
    /// `sent` counts the bytes read so far, for progress reports.
    pub(crate) async fn put_file<T: DeserializeOwned>(
        &self,
        path: &str,
        content_type: &'static str,
        file: tokio::fs::File,
        length: u64,
        timeout: Duration,
        sent: Arc<std::sync::atomic::AtomicU64>,
    ) -> Result<T, ApiError> {
        let method = Method::PUT;
        let url = format!("{}{}", self.base_url, path);
        self.pacer.acquire().await;
        let started = Instant::now();
        let body = reqwest::Body::wrap(FileBody::new(file, length, sent));
        let result = self
            .http
            .put(&url)
            .header(CONTENT_TYPE, content_type)
            .timeout(timeout)
            .body(body)
            .send()
            .await;
        self.cache.clear();
        let elapsed_ms = started.elapsed().as_millis() as u64;
        let resp = result.map_err(|e| {
            tracing::debug!(method = %method, path, elapsed_ms, error = %e, "API upload failed");
            transport_error(&e, &method, path)
        })?;
        let status = resp.status();
        let retry_after = retry_after(resp.headers());
        self.pacer
            .observe(status.as_u16(), resp.headers(), retry_after);
        tracing::debug!(method = %method, path, status = status.as_u16(), elapsed_ms, "API upload");
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| transport_error(&e, &method, path))?;
        if !status.is_success() {
            return Err(status_error(status, &bytes, &method, path));
        }
        decode(&bytes, path)
    }
}

/// A file as a request body of a known length, read in 64 KiB chunks (never whole in memory).
/// Its exact size hint makes hyper send `Content-Length`, not chunked encoding.
struct FileBody {
    file: tokio::fs::File,
    left: u64,
    buf: Vec<u8>,
    sent: Arc<std::sync::atomic::AtomicU64>,
}

impl FileBody {
    fn new(file: tokio::fs::File, length: u64, sent: Arc<std::sync::atomic::AtomicU64>) -> Self {
        FileBody {
            file,
            left: length,
            buf: vec![0; 64 * 1024],
            sent,
        }
    }
}

impl http_body::Body for FileBody {
    type Data = bytes::Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<bytes::Bytes>, std::io::Error>>> {
        use std::task::Poll;
        use tokio::io::AsyncRead;
        if self.left == 0 {
            return Poll::Ready(None);
        }
        let this = &mut *self;
        let want = this.buf.len().min(this.left as usize);
        let mut read = tokio::io::ReadBuf::new(&mut this.buf[..want]);
        match std::pin::Pin::new(&mut this.file).poll_read(cx, &mut read) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
            Poll::Ready(Ok(())) => {
                let n = read.filled().len();
                if n == 0 {
                    // The file shrank after its length was sent.
                    return Poll::Ready(Some(Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the file is shorter than when it was measured",
                    ))));
                }
                let chunk = bytes::Bytes::copy_from_slice(read.filled());
                this.left -= n as u64;
                this.sent
                    .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
                Poll::Ready(Some(Ok(http_body::Frame::data(chunk))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.left)
    }
}

/// A create's answer: the object itself, or enveloped under its [`Located::KEY`].
fn decode_created<T: DeserializeOwned + Located>(bytes: &[u8], path: &str) -> Result<T, ApiError> {
    let value: serde_json::Value = decode(bytes, path)?;
    super::endpoints::unwrap_one(value, T::KEY, path)
}

fn decode<T: DeserializeOwned>(bytes: &[u8], path: &str) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::Decode {
        message: e.to_string(),
        path: path.to_string(),
    })
}

fn json_bytes<B: Serialize>(body: &B) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(body).map_err(|e| ApiError::Decode {
        message: format!("cannot encode the request: {e}"),
        path: String::new(),
    })
}

fn to_json<B: Serialize>(body: &B) -> Result<Body, ApiError> {
    json_bytes(body).map(Body::Json)
}

fn idempotency_key() -> String {
    let mut bytes = [0u8; 16];
    let _ = aws_lc_rs::rand::fill(&mut bytes);
    hex::encode(bytes)
}

/// The key of generation `generation` of a create: a digest of what the create asks for and
/// where from (`scope`), so that the same create from a later run of the same configuration
/// carries the same key (keys are per user on the platform, so the token's user is part of it
/// implicitly).
pub(crate) fn creation_key(scope: &str, path: &str, body: &[u8], generation: u32) -> String {
    let mut material = Vec::with_capacity(scope.len() + path.len() + body.len() + 32);
    material.extend_from_slice(b"comwit-create-v1\n");
    material.extend_from_slice(scope.as_bytes());
    material.extend_from_slice(b"\nPOST ");
    material.extend_from_slice(path.as_bytes());
    material.push(b'\n');
    material.extend_from_slice(body);
    material.push(b'\n');
    material.extend_from_slice(generation.to_string().as_bytes());
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &material);
    format!("tfc-{}", hex::encode(&digest.as_ref()[..16]))
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

fn transport_error(e: &reqwest::Error, method: &Method, path: &str) -> ApiError {
    ApiError::Transport {
        message: describe_transport(e),
        method: method.to_string(),
        path: path.to_string(),
    }
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
    let reason = || {
        status
            .canonical_reason()
            .unwrap_or("error")
            .to_ascii_lowercase()
    };
    let problem = serde_json::from_slice::<Problem>(body).ok();
    let message = problem
        .as_ref()
        .and_then(Problem::message)
        .unwrap_or_else(|| {
            let text = String::from_utf8_lossy(&body[..body.len().min(500)]);
            let text = text.trim();
            if text.is_empty() {
                reason()
            } else {
                text.to_string()
            }
        });
    let problem = problem.unwrap_or_default();
    ApiError::Status(Box::new(StatusError {
        status: status.as_u16(),
        code: problem
            .code
            .clone()
            .filter(|c| !c.is_empty())
            .unwrap_or_else(reason),
        title: problem.title.clone(),
        message,
        required_scope: None,
        field: None,
        details: serde_json::Value::Object(problem.rest),
        method: method.to_string(),
        path: path.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creation_keys_are_stable_and_distinct() {
        let apps = "/v1/projects/p/apps";
        let web: &[u8] = br#"{"name":"web"}"#;
        let a = creation_key("/w", apps, web, 0);
        assert_eq!(a, creation_key("/w", apps, web, 0));
        assert!(a.starts_with("tfc-") && a.len() == 36);
        assert_ne!(a, creation_key("/w", apps, web, 1));
        assert_ne!(a, creation_key("/w", apps, br#"{"name":"api"}"#, 0));
        assert_ne!(a, creation_key("/w", "/v1/projects/q/apps", web, 0));
        assert_ne!(a, creation_key("/other", apps, web, 0));
    }

    #[test]
    fn problem_details_are_decoded() {
        // The documented shape, and the CLI's machine code.
        let body = br#"{"title":"Bad Request","status":400,"detail":"secret app env values are not enabled; store plain env values only"}"#;
        let e = status_error(StatusCode::BAD_REQUEST, body, &Method::PUT, "/v1/x");
        let e = e.as_status().expect("status error");
        assert_eq!(e.status, 400);
        assert_eq!(e.title.as_deref(), Some("Bad Request"));
        assert!(e.message.starts_with("secret app env values"));
        assert_eq!(e.code, "bad request");
        let body =
            br#"{"title":"Service Unavailable","status":503,"code":"RUNNER_POOL_UNAVAILABLE"}"#;
        let e = status_error(
            StatusCode::SERVICE_UNAVAILABLE,
            body,
            &Method::POST,
            "/v1/x",
        );
        let e = e.as_status().expect("status error");
        assert_eq!(e.code, "RUNNER_POOL_UNAVAILABLE");
        assert_eq!(e.message, "Service Unavailable");
    }

    #[test]
    fn other_error_bodies_keep_their_text() {
        let e = status_error(
            StatusCode::BAD_GATEWAY,
            b"upstream timed out",
            &Method::GET,
            "/v1/x",
        );
        assert_eq!(e.as_status().unwrap().message, "upstream timed out");
        let e = status_error(StatusCode::NOT_FOUND, b"", &Method::GET, "/v1/x");
        assert_eq!(e.as_status().unwrap().message, "not found");
        let e = status_error(
            StatusCode::CONFLICT,
            br#"{"error":"name taken"}"#,
            &Method::POST,
            "/v1/x",
        );
        assert_eq!(e.as_status().unwrap().message, "name taken");
    }
}
