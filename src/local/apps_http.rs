//! The apps' traffic: each app's active build, served by `Host` on its own listener.
//!
//! A request's host (the `Host` header, or the authority of an HTTP/2 request; port and final
//! dot dropped, case ignored) names an app by its `default_hostname` or by one of its active
//! hostnames. The app's active build is read for every request, so a deploy or a rollback shows
//! at once; the files of a build's bundle are unpacked once and kept (builds never change),
//! a bounded number of them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use bytes::Bytes;
use rusqlite::OptionalExtension;

use super::error::{ApiError, ApiResult};
use super::state::AppState;

/// Names the build that answered.
pub const BUILD_HEADER: &str = "x-comwit-build";
/// Names the app that answered.
pub const APP_HEADER: &str = "x-comwit-app";

/// Unpacked builds kept at most.
const CACHED_BUILDS: usize = 32;
/// Bytes of unpacked files kept at most; a larger build is served without being kept.
const CACHED_BYTES: usize = 256 << 20;
/// Symbolic links followed for one path.
const MAX_LINK_HOPS: usize = 8;

/// The routes of the apps listener.
pub fn router(state: AppState) -> Router {
    Router::new().fallback(serve).with_state(Apps {
        state,
        sites: Arc::new(Mutex::new(Sites::default())),
    })
}

#[derive(Clone)]
struct Apps {
    state: AppState,
    sites: Arc<Mutex<Sites>>,
}

/// The app a host names, and its active build.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    app_id: String,
    build_id: Option<String>,
}

async fn serve(State(apps): State<Apps>, request: Request<Body>) -> Response {
    let method = request.method().clone();
    if method != Method::GET && method != Method::HEAD {
        let mut r = page(
            StatusCode::METHOD_NOT_ALLOWED,
            "Method not allowed",
            "Apps served by comwit-local answer GET and HEAD.",
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let Some(host) = request_host(request.headers(), request.uri()) else {
        return page(
            StatusCode::BAD_REQUEST,
            "No host",
            "The request names no host (a Host header), so no app can answer it.",
        );
    };
    let target = {
        let host = host.clone();
        apps.state.store.read(move |tx| find_app(tx, &host)).await
    };
    let target = match target {
        Ok(Some(t)) => t,
        Ok(None) => {
            return page(
                StatusCode::NOT_FOUND,
                "No app here",
                &format!(
                    "No app is served at {}: it is neither an app's default hostname nor an \
                     active hostname attached to one.",
                    html_escape(&host)
                ),
            )
        }
        Err(e) => return e.into_response(),
    };
    let mut response = match &target.build_id {
        None => page(
            StatusCode::NOT_FOUND,
            "Nothing deployed",
            &format!(
                "The app at {} has no build yet: deploy one.",
                html_escape(&host)
            ),
        ),
        Some(build_id) => match apps.site(build_id).await {
            Ok(site) => respond(&site, request.uri().path(), request.uri().query()),
            Err(e) => return e.into_response(),
        },
    };
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&target.app_id) {
        headers.insert(APP_HEADER, v);
    }
    if let Some(v) = target
        .build_id
        .as_deref()
        .and_then(|b| HeaderValue::from_str(b).ok())
    {
        headers.insert(BUILD_HEADER, v);
    }
    // A deploy changes what a URL holds at once: caches must ask again.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The request's host: lowercase, without port or final dot.
fn request_host(headers: &HeaderMap, uri: &axum::http::Uri) -> Option<String> {
    let raw = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| uri.authority().map(|a| a.as_str().to_string()))?;
    let raw = raw.trim();
    let host = if let Some(rest) = raw.strip_prefix('[') {
        // An IPv6 literal: `[::1]:8789`.
        rest.split(']').next().unwrap_or_default()
    } else {
        raw.rsplit_once(':').map_or(raw, |(h, _port)| h)
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// The app `host` names: by its default hostname, or an active hostname attached to it.
fn find_app(tx: &rusqlite::Transaction<'_>, host: &str) -> ApiResult<Option<Target>> {
    Ok(tx
        .query_row(
            "SELECT app_id, active_build_id FROM apps WHERE default_hostname = ?1
             UNION ALL
             SELECT a.app_id, a.active_build_id FROM hostnames h JOIN apps a ON a.app_id = h.app_id
             WHERE h.hostname = ?1 AND h.status = 'active'
             LIMIT 1",
            [host],
            |r| {
                Ok(Target {
                    app_id: r.get(0)?,
                    build_id: r.get(1)?,
                })
            },
        )
        .optional()?)
}

/// The files of one build.
#[derive(Debug, Default)]
struct Site {
    files: HashMap<String, Bytes>,
    /// Symbolic links: path to target, both relative to the bundle's root.
    links: HashMap<String, String>,
    bytes: usize,
}

impl Site {
    /// Unpacks a bundle (a tar.gz the deploy route checked already; checked again here).
    fn unpack(bundle: &[u8]) -> ApiResult<Site> {
        use std::io::Read;
        let bad =
            |e: std::io::Error| ApiError::internal(format!("a stored bundle is unreadable: {e}"));
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bundle));
        let mut site = Site::default();
        for entry in archive.entries().map_err(bad)? {
            let mut entry = entry.map_err(bad)?;
            let path = entry.path().map_err(bad)?.to_string_lossy().into_owned();
            let Some(path) = normalize(&path) else {
                continue;
            };
            let kind = entry.header().entry_type();
            if kind.is_file() {
                let mut data = Vec::with_capacity(entry.size() as usize);
                entry.read_to_end(&mut data).map_err(bad)?;
                site.bytes += data.len();
                site.files.insert(path, Bytes::from(data));
            } else if kind.is_symlink() {
                let Some(target) = entry.link_name().map_err(bad)? else {
                    continue;
                };
                let target = target.to_string_lossy();
                let base = path.rsplit_once('/').map_or("", |(dir, _)| dir);
                // An absolute or escaping target points outside the site: left dangling.
                if !target.starts_with('/') {
                    if let Some(t) = normalize(&format!("{base}/{target}")) {
                        site.links.insert(path, t);
                    }
                }
            }
        }
        Ok(site)
    }

    /// The file at `path` (relative, normalized), through symbolic links inside the site.
    fn file(&self, path: &str) -> Option<&Bytes> {
        let mut path = path;
        for _ in 0..=MAX_LINK_HOPS {
            if let Some(f) = self.files.get(path) {
                return Some(f);
            }
            path = self.links.get(path)?;
        }
        None
    }

    fn is_dir(&self, path: &str) -> bool {
        let prefix = format!("{path}/");
        self.files.keys().any(|f| f.starts_with(&prefix))
    }
}

/// `a/./b//c` as `a/b/c`; None for a path that climbs out (`..` above the root).
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// How a request path maps onto the site.
#[derive(Debug, PartialEq, Eq)]
enum Mapped {
    /// Serve this file (relative to the site's root).
    File(String),
    /// The path cannot name a file of the site (`..`, a NUL, bad escapes).
    Refused,
}

/// `/` and `/dir/` map to their `index.html`; any `..`, `\`, NUL or invalid escape is refused,
/// so no request reaches outside the build.
fn map_path(path: &str) -> Mapped {
    let Some(decoded) = percent_decode(path) else {
        return Mapped::Refused;
    };
    let mut parts = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Mapped::Refused,
            s if s.contains(['\\', '\0']) => return Mapped::Refused,
            s => parts.push(s),
        }
    }
    let mut file = parts.join("/");
    if decoded.ends_with('/') || parts.is_empty() {
        if !file.is_empty() {
            file.push('/');
        }
        file.push_str("index.html");
        return Mapped::File(file);
    }
    Mapped::File(file)
}

fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn respond(site: &Site, path: &str, query: Option<&str>) -> Response {
    let file = match map_path(path) {
        Mapped::File(f) => f,
        Mapped::Refused => {
            return page(
                StatusCode::BAD_REQUEST,
                "Bad path",
                "The path does not name a file of the app.",
            )
        }
    };
    if let Some(data) = site.file(&file) {
        let mut r = Response::new(Body::from(data.clone()));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(content_type(&file)),
        );
        return r;
    }
    if !path.ends_with('/') && site.file(&format!("{file}/index.html")).is_some() {
        let location = match query {
            Some(q) => format!("{path}/?{q}"),
            None => format!("{path}/"),
        };
        let mut r = StatusCode::PERMANENT_REDIRECT.into_response();
        if let Ok(v) = HeaderValue::from_str(&location) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        return r;
    }
    let what = if site.is_dir(file.trim_end_matches("/index.html")) {
        "This directory has no index.html."
    } else {
        "The active build has no file at this path."
    };
    page(StatusCode::NOT_FOUND, "Not found", what)
}

/// The media type of a file, by its extension.
fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" | "cjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "txt" | "md" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "wasm" => "application/wasm",
        "pdf" => "application/pdf",
        "webmanifest" => "application/manifest+json",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        _ => "application/octet-stream",
    }
}

/// A small HTML page for the platform's own answers (no app's file).
fn page(status: StatusCode, title: &str, text: &str) -> Response {
    let body = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{status} {title}</title></head>\n\
         <body><h1>{title}</h1><p>{text}</p><p><small>comwit-local</small></p></body></html>\n"
    );
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Unpacked builds, least recently used first out.
#[derive(Default)]
struct Sites {
    by_build: HashMap<String, (Arc<Site>, u64)>,
    bytes: usize,
    clock: u64,
}

impl Sites {
    fn get(&mut self, build_id: &str) -> Option<Arc<Site>> {
        self.clock += 1;
        let clock = self.clock;
        self.by_build.get_mut(build_id).map(|(site, used)| {
            *used = clock;
            site.clone()
        })
    }

    fn put(&mut self, build_id: &str, site: Arc<Site>) {
        if site.bytes > CACHED_BYTES || self.by_build.contains_key(build_id) {
            return;
        }
        while !self.by_build.is_empty()
            && (self.by_build.len() >= CACHED_BUILDS || self.bytes + site.bytes > CACHED_BYTES)
        {
            let oldest = self
                .by_build
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(id, _)| id.clone())
                .expect("not empty");
            if let Some((gone, _)) = self.by_build.remove(&oldest) {
                self.bytes -= gone.bytes;
            }
        }
        self.clock += 1;
        self.bytes += site.bytes;
        self.by_build
            .insert(build_id.to_string(), (site, self.clock));
    }
}

impl Apps {
    /// The files of `build_id`, unpacked now or earlier.
    async fn site(&self, build_id: &str) -> ApiResult<Arc<Site>> {
        if let Some(site) = self.lock().get(build_id) {
            return Ok(site);
        }
        let id = build_id.to_string();
        let bundle: Option<Vec<u8>> = self
            .state
            .store
            .read(move |tx| {
                Ok(tx
                    .query_row("SELECT data FROM bundles WHERE build_id = ?1", [id], |r| {
                        r.get(0)
                    })
                    .optional()?)
            })
            .await?;
        let bundle =
            bundle.ok_or_else(|| ApiError::internal(format!("build {build_id} has no bundle")))?;
        let site = tokio::task::spawn_blocking(move || Site::unpack(&bundle))
            .await
            .map_err(|e| ApiError::internal(e.to_string()))??;
        let site = Arc::new(site);
        self.lock().put(build_id, site.clone());
        Ok(site)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Sites> {
        self.sites.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_gz(entries: &[(&str, Option<&str>, &str)]) -> Vec<u8> {
        let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let mut tar = tar::Builder::new(gz);
        for (path, link, data) in entries {
            let mut h = tar::Header::new_gnu();
            match link {
                Some(target) => {
                    h.set_entry_type(tar::EntryType::Symlink);
                    h.set_size(0);
                    tar.append_link(&mut h, path, target).unwrap();
                }
                None => {
                    h.set_size(data.len() as u64);
                    h.set_mode(0o644);
                    tar.append_data(&mut h, path, data.as_bytes()).unwrap();
                }
            }
        }
        tar.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn hosts_lose_port_case_and_final_dot() {
        let uri: axum::http::Uri = "/".parse().unwrap();
        let host = |h: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::HOST, HeaderValue::from_str(h).unwrap());
            request_host(&headers, &uri)
        };
        assert_eq!(
            host("WWW.Example.COM:8789").as_deref(),
            Some("www.example.com")
        );
        assert_eq!(
            host("web-1.comwit.app.").as_deref(),
            Some("web-1.comwit.app")
        );
        assert_eq!(host("[::1]:80").as_deref(), Some("::1"));
        assert_eq!(host("").as_deref(), None);
        let h2: axum::http::Uri = "http://App.Example.com:443/x".parse().unwrap();
        assert_eq!(
            request_host(&HeaderMap::new(), &h2).as_deref(),
            Some("app.example.com")
        );
    }

    #[test]
    fn paths_map_to_files_and_index_pages() {
        let file = |s: &str| Mapped::File(s.to_string());
        assert_eq!(map_path("/"), file("index.html"));
        assert_eq!(map_path(""), file("index.html"));
        assert_eq!(map_path("/docs/"), file("docs/index.html"));
        assert_eq!(map_path("/js/app.js"), file("js/app.js"));
        assert_eq!(map_path("//js/./app.js"), file("js/app.js"));
        assert_eq!(map_path("/a%20b.txt"), file("a b.txt"));
        for bad in [
            "/../secret",
            "/a/../../etc/passwd",
            "/%2e%2e/x",
            "/a/%2E%2E/b",
            "/..%2fx",
            "/a%5c..%5cb",
            "/x%00",
            "/%zz",
            "/%c3",
        ] {
            assert_eq!(map_path(bad), Mapped::Refused, "{bad}");
        }
    }

    #[test]
    fn unpacked_sites_serve_files_links_and_directories() {
        let bundle = tar_gz(&[
            ("index.html", None, "<h1>home</h1>"),
            ("docs/index.html", None, "docs"),
            ("js/app.js", None, "let v = 1;"),
            ("latest.js", Some("js/app.js"), ""),
            ("escape", Some("../../etc/passwd"), ""),
            ("abs", Some("/etc/passwd"), ""),
        ]);
        let site = Site::unpack(&bundle).unwrap();
        assert_eq!(site.bytes, 13 + 4 + 10);
        let get = |p: &str| respond(&site, p, None);
        let body = |r: Response| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            rt.block_on(axum::body::to_bytes(r.into_body(), 1 << 20))
                .unwrap()
        };
        let r = get("/");
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
        assert_eq!(body(r), "<h1>home</h1>");
        let r = get("/js/app.js");
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "text/javascript; charset=utf-8"
        );
        assert_eq!(body(r), "let v = 1;");
        assert_eq!(body(get("/latest.js")), "let v = 1;");
        let r = get("/docs");
        assert_eq!(r.status(), 308);
        assert_eq!(r.headers()[header::LOCATION], "/docs/");
        assert_eq!(
            respond(&site, "/docs", Some("a=1")).headers()[header::LOCATION],
            "/docs/?a=1"
        );
        assert_eq!(body(get("/docs/")), "docs");
        for missing in ["/nope.html", "/js/", "/escape", "/abs"] {
            assert_eq!(get(missing).status(), 404, "{missing}");
        }
        assert_eq!(get("/../index.html").status(), 400);
        assert_eq!(get("/docs/%2e%2e/index.html").status(), 400);
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(content_type("a/b.CSS"), "text/css; charset=utf-8");
        assert_eq!(content_type("logo.svg"), "image/svg+xml");
        assert_eq!(content_type("data.bin"), "application/octet-stream");
        assert_eq!(content_type("Makefile"), "application/octet-stream");
    }

    #[test]
    fn the_cache_is_bounded_and_keeps_the_recently_used() {
        let site = |bytes| {
            Arc::new(Site {
                bytes,
                ..Site::default()
            })
        };
        let mut sites = Sites::default();
        for i in 0..CACHED_BUILDS {
            sites.put(&format!("bld_{i}"), site(1));
        }
        assert!(sites.get("bld_0").is_some());
        sites.put("bld_new", site(1));
        assert_eq!(sites.by_build.len(), CACHED_BUILDS);
        assert!(sites.get("bld_0").is_some(), "used lately: kept");
        assert!(sites.get("bld_1").is_none(), "the least recently used went");
        sites.put("bld_big", site(CACHED_BYTES - 2));
        assert!(sites.bytes <= CACHED_BYTES);
        assert!(sites.get("bld_big").is_some());
        sites.put("bld_huge", site(CACHED_BYTES + 1));
        assert!(sites.get("bld_huge").is_none(), "too big to keep");
    }

    /// Through the router: Host routing, the build header, an unknown host, HEAD, a deploy
    /// seen at once.
    #[tokio::test]
    async fn requests_route_by_host_to_the_active_build() {
        use tower::ServiceExt;
        let dir = tempfile::tempdir().unwrap();
        let store = super::super::store::Store::open(dir.path()).unwrap();
        let (v1, v2) = (
            tar_gz(&[("index.html", None, "v1")]),
            tar_gz(&[("index.html", None, "v2")]),
        );
        store
            .write_blocking(move |tx| {
                tx.execute_batch(
                    "INSERT INTO projects (project_id, name, created_at) VALUES ('prj_1', 'p', 'now');
                     INSERT INTO apps (app_id, project_id, name, runtime, default_hostname, created_at, active_build_id)
                       VALUES ('app_1', 'prj_1', 'web', 'isolate', 'web-1.comwit.app', 'now', 'bld_1');
                     INSERT INTO builds (build_id, app_id, project_id, source_sha256, size_bytes, created_at)
                       VALUES ('bld_1', 'app_1', 'prj_1', 'x', 1, 'now'), ('bld_2', 'app_1', 'prj_1', 'y', 1, 'now');
                     INSERT INTO hostnames (hostname, app_id, project_id, dns_mode, status, dns_records, created_at)
                       VALUES ('www.example.com', 'app_1', 'prj_1', 'manual', 'active', '[]', 'now'),
                              ('pending.example.com', 'app_1', 'prj_1', 'manual', 'pending', '[]', 'now');",
                )?;
                tx.execute("INSERT INTO bundles (build_id, data) VALUES ('bld_1', ?1)", [&v1])?;
                tx.execute("INSERT INTO bundles (build_id, data) VALUES ('bld_2', ?1)", [&v2])?;
                Ok(())
            })
            .unwrap();
        let state = crate::local::state::AppState(Arc::new(crate::local::state::Shared {
            store: store.clone(),
            signer: Arc::new(crate::local::db_tokens::Signer::open(dir.path()).unwrap()),
            settings: crate::local::state::Settings {
                data_dir: dir.path().to_path_buf(),
                database_provision_delay: Default::default(),
                domain_activation_delay: Default::default(),
                resolver: None,
                max_json_bytes: 1 << 20,
                max_bundle_bytes: 1 << 20,
                database_url_base: String::new(),
                fail_rate: 0.0,
                fail_after_share: 0.0,
                latency: Default::default(),
                extensions: true,
            },
            limiter: None,
            counts: Default::default(),
        }));
        let app = router(state);
        let call = |method: &str, host: &str| {
            let req = Request::builder()
                .method(method)
                .uri("/")
                .header(header::HOST, host)
                .body(Body::empty())
                .unwrap();
            let app = app.clone();
            async move {
                let r = app.oneshot(req).await.unwrap();
                let status = r.status();
                let build = r
                    .headers()
                    .get(BUILD_HEADER)
                    .map(|v| v.to_str().unwrap().to_string());
                let body = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
                (status, build, String::from_utf8(body.to_vec()).unwrap())
            }
        };
        let v1_answer = (StatusCode::OK, Some("bld_1".to_string()), "v1".to_string());
        assert_eq!(call("GET", "web-1.comwit.app").await, v1_answer);
        assert_eq!(call("GET", "WWW.example.com:8789").await, v1_answer);
        let (status, build, body) = call("GET", "pending.example.com").await;
        assert_eq!((status, build), (StatusCode::NOT_FOUND, None));
        assert!(
            body.contains("No app is served at pending.example.com"),
            "{body}"
        );
        let (status, _, body) = call("GET", "<b>x</b>.example").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("&lt;b&gt;x&lt;/b&gt;.example"), "{body}");
        assert_eq!(
            call("POST", "web-1.comwit.app").await.0,
            StatusCode::METHOD_NOT_ALLOWED
        );
        let head = call("HEAD", "web-1.comwit.app").await;
        assert_eq!((head.0, head.1.as_deref()), (StatusCode::OK, Some("bld_1")));
        store
            .write_blocking(|tx| {
                tx.execute("UPDATE apps SET active_build_id = 'bld_2'", [])?;
                Ok(())
            })
            .unwrap();
        assert_eq!(
            call("GET", "www.example.com").await.2,
            "v2",
            "a deploy shows at once"
        );
    }
}
