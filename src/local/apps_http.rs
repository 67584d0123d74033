//! The apps' traffic: each app's active build, served by `Host` on its own listener.
//!
//! A request's host (the `Host` header, or the authority of an HTTP/2 request; port and final
//! dot dropped, case ignored) names an app by its `default_hostname` or by one of its active
//! hostnames. The app's active build is read for every request, so a deploy or a rollback shows
//! at once; the files of a build's package are unpacked once and kept (builds never change),
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
use super::model::state::AppState;

/// Names the build that answered.
pub const BUILD_HEADER: &str = "x-comwit-build";
/// Names the app that answered.
pub const APP_HEADER: &str = "x-comwit-app";

/// Unpacked builds kept at most.
const CACHED_BUILDS: usize = 32;
/// Bytes of unpacked files kept at most; a larger build is served without being kept.
const CACHED_BYTES: usize = 256 << 20;

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
            "SELECT app_id, active_build_id FROM apps WHERE default_hostname = ?1 AND deleting = 0
             UNION ALL
             SELECT a.app_id, a.active_build_id FROM hostnames h JOIN apps a ON a.app_id = h.app_id
             WHERE h.hostname = ?1 AND h.status = 'active' AND a.deleting = 0
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

/// How one manifest route answers.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RouteKind {
    /// `static` or `prerender`: a file under `staticDir`.
    Static(Option<String>),
    /// `page`, `route`, `image-optimizer`, or anything else: the JS runtime's.
    Runtime(String),
}

#[derive(Debug, Clone)]
struct Route {
    id: String,
    pattern: regex::Regex,
    kind: RouteKind,
}

/// One build: its files and the routes of its `manifest.json`.
#[derive(Debug, Default)]
struct Site {
    files: HashMap<String, Bytes>,
    routes: Vec<Route>,
    /// `staticDir`, normalized ("static").
    static_dir: String,
    /// `appBundle`: requests no static route answers are the JS runtime's.
    app_bundle: Option<String>,
    bytes: usize,
}

impl Site {
    /// Unpacks a package (a zstd tar the deploy route checked already) and reads its manifest.
    fn unpack(package: &[u8]) -> ApiResult<Site> {
        use std::io::Read;
        let bad = |e: String| ApiError::internal(format!("a stored package is unreadable: {e}"));
        let dec = zstd::stream::Decoder::new(package).map_err(|e| bad(e.to_string()))?;
        let mut archive = tar::Archive::new(dec);
        let mut site = Site::default();
        for entry in archive.entries().map_err(|e| bad(e.to_string()))? {
            let mut entry = entry.map_err(|e| bad(e.to_string()))?;
            let path = entry
                .path()
                .map_err(|e| bad(e.to_string()))?
                .to_string_lossy()
                .into_owned();
            let Some(path) = normalize(&path) else {
                continue;
            };
            if entry.header().entry_type().is_file() {
                let mut data = Vec::with_capacity(entry.size() as usize);
                entry
                    .read_to_end(&mut data)
                    .map_err(|e| bad(e.to_string()))?;
                site.bytes += data.len();
                site.files.insert(path, Bytes::from(data));
            }
        }
        let manifest = site
            .files
            .get("manifest.json")
            .ok_or_else(|| bad("no manifest.json".into()))?;
        let manifest: serde_json::Value =
            serde_json::from_slice(manifest).map_err(|e| bad(format!("manifest.json: {e}")))?;
        site.read_manifest(&manifest);
        Ok(site)
    }

    fn read_manifest(&mut self, manifest: &serde_json::Value) {
        let text =
            |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        self.static_dir = text(manifest, "staticDir")
            .and_then(|d| normalize(&d))
            .unwrap_or_else(|| "static".to_string());
        self.app_bundle = text(manifest, "appBundle");
        let routes = manifest.get("routes").and_then(|r| r.as_array());
        for route in routes.into_iter().flatten() {
            let Some(pattern) = text(route, "pattern") else {
                continue;
            };
            // An unreadable pattern matches nothing.
            let Ok(pattern) = regex::Regex::new(&pattern) else {
                continue;
            };
            let kind = match text(route, "type").as_deref() {
                Some("static" | "prerender") => RouteKind::Static(text(route, "file")),
                Some(other) => RouteKind::Runtime(other.to_string()),
                None => RouteKind::Runtime("unknown".to_string()),
            };
            self.routes.push(Route {
                id: text(route, "id").unwrap_or_default(),
                pattern,
                kind,
            });
        }
    }

    fn file(&self, path: &str) -> Option<&Bytes> {
        self.files.get(path)
    }

    /// A file under `staticDir`.
    fn static_file(&self, relative: &str) -> Option<(String, &Bytes)> {
        let path = normalize(&format!("{}/{relative}", self.static_dir))?;
        if !path.starts_with(&format!("{}/", self.static_dir)) {
            return None;
        }
        self.file(&path).map(|f| (path, f))
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

/// The request path decoded; None for one that cannot name a file of the build (`..`, `\`,
/// NUL, bad escapes).
fn clean_path(path: &str) -> Option<String> {
    let decoded = percent_decode(path)?;
    for segment in decoded.split('/') {
        if segment == ".." || segment.contains(['\\', '\0']) {
            return None;
        }
    }
    Some(if decoded.is_empty() {
        "/".to_string()
    } else {
        decoded
    })
}

/// Where a static page is stored: `/` -> `index`, `/about` -> `about`, `/docs/` -> `docs`.
fn page_file(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        "index".to_string()
    } else {
        trimmed.to_string()
    }
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

/// A file's answer; a page stored without extension is HTML.
fn file_response(path: &str, data: &Bytes) -> Response {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ct = if name.contains('.') {
        content_type(path)
    } else {
        "text/html; charset=utf-8"
    };
    let mut r = Response::new(Body::from(data.clone()));
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    r
}

fn needs_runtime(what: &str) -> Response {
    page(
        StatusCode::NOT_IMPLEMENTED,
        "Needs the JS runtime",
        &format!(
            "{} comwit-local serves the static and prerendered routes of a build's \
             manifest.json only; routes of type page, route and image-optimizer, and an \
             appBundle, run on the platform's JS runtime (brrrd), which comwit-local does not \
             have.",
            html_escape(what)
        ),
    )
}

/// Answers `path` from the build: the first manifest route whose anchored `pattern` matches
/// it; a static or prerendered route serves its `file` under `staticDir`, any other type
/// needs the JS runtime (501). No route: a file under `staticDir` at that path (assets), else
/// the runtime's when the build has an `appBundle` (501), else 404.
fn respond(site: &Site, path: &str, _query: Option<&str>) -> Response {
    let Some(path) = clean_path(path) else {
        return page(
            StatusCode::BAD_REQUEST,
            "Bad path",
            "The path does not name a file of the app.",
        );
    };
    if let Some(route) = site.routes.iter().find(|r| r.pattern.is_match(&path)) {
        return match &route.kind {
            RouteKind::Static(file) => {
                let file = file.clone().unwrap_or_else(|| page_file(&path));
                match site.static_file(&file) {
                    Some((at, data)) => file_response(&at, data),
                    None => page(
                        StatusCode::NOT_FOUND,
                        "Not found",
                        &format!(
                            "The route {} names {}, which the build does not hold under {}/.",
                            html_escape(&route.id),
                            html_escape(&file),
                            html_escape(&site.static_dir)
                        ),
                    ),
                }
            }
            RouteKind::Runtime(kind) => needs_runtime(&format!(
                "The route {} of this build is of type {kind}.",
                route.id
            )),
        };
    }
    if let Some((at, data)) = site.static_file(path.trim_start_matches('/')) {
        return file_response(&at, data);
    }
    if site.app_bundle.is_some() {
        return needs_runtime(
            "No static route of this build matches the path, so its appBundle would answer.",
        );
    }
    page(
        StatusCode::NOT_FOUND,
        "Not found",
        "No route of the active build matches this path.",
    )
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
            bundle.ok_or_else(|| ApiError::internal(format!("build {build_id} has no package")))?;
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

    const MANIFEST: &str = r#"{"schemaVersion":6,"staticDir":"static","routes":[
        {"id":"/","pattern":"^/$","type":"static","file":"index"},
        {"id":"/about","pattern":"^/about/?$","type":"prerender","file":"about"},
        {"id":"/api/hello","pattern":"^/api/hello$","type":"route","runtime":"node"},
        {"id":"/blog/[slug]","pattern":"^/blog/([^/]+?)/?$","type":"page","runtime":"node"}
    ]}"#;

    /// A package (zstd tar) of `entries`, path and content.
    fn package(entries: &[(&str, &str)]) -> Vec<u8> {
        let mut tar = tar::Builder::new(Vec::new());
        for (path, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            tar.append_data(&mut h, path, data.as_bytes()).unwrap();
        }
        zstd::encode_all(&tar.into_inner().unwrap()[..], 3).unwrap()
    }

    fn site_of(index: &str) -> Vec<u8> {
        package(&[
            ("./manifest.json", MANIFEST),
            ("./static/index", index),
            ("./static/about", "about"),
            ("./static/_next/app.js", "let v = 1;"),
        ])
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
    fn paths_are_cleaned_and_pages_stored_without_extension() {
        assert_eq!(clean_path("").as_deref(), Some("/"));
        assert_eq!(clean_path("/a%20b").as_deref(), Some("/a b"));
        for bad in [
            "/../secret",
            "/%2e%2e/x",
            "/a%5c..%5cb",
            "/x%00",
            "/%zz",
            "/%c3",
        ] {
            assert_eq!(clean_path(bad), None, "{bad}");
        }
        assert_eq!(page_file("/"), "index");
        assert_eq!(page_file("/about"), "about");
        assert_eq!(page_file("/docs/"), "docs");
    }

    #[test]
    fn manifest_routes_serve_static_files_and_refuse_runtime_ones() {
        let site = Site::unpack(&site_of("<h1>home</h1>")).unwrap();
        assert_eq!(site.routes.len(), 4);
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
        assert_eq!(body(get("/about")), "about");
        assert_eq!(body(get("/about/")), "about");
        // Assets under staticDir, without a route of their own.
        let r = get("/_next/app.js");
        assert_eq!(
            r.headers()[header::CONTENT_TYPE],
            "text/javascript; charset=utf-8"
        );
        assert_eq!(body(r), "let v = 1;");
        for runtime in ["/api/hello", "/blog/first"] {
            let r = get(runtime);
            assert_eq!(r.status(), 501, "{runtime}");
            let text = String::from_utf8(body(r).to_vec()).unwrap();
            assert!(text.contains("JS runtime"), "{text}");
        }
        assert_eq!(get("/nope").status(), 404);
        assert_eq!(
            get("/manifest.json").status(),
            404,
            "only staticDir is served"
        );
        assert_eq!(get("/../static/index").status(), 400);

        // An appBundle answers what no static route does: 501 here.
        let with_bundle = package(&[
            (
                "./manifest.json",
                r#"{"schemaVersion":6,"routes":[],"appBundle":"bundles/app.js"}"#,
            ),
            ("./bundles/app.js", "export default () => {}"),
        ]);
        let site = Site::unpack(&with_bundle).unwrap();
        assert_eq!(respond(&site, "/x", None).status(), 501);
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
        let (v1, v2) = (site_of("v1"), site_of("v2"));
        store
            .write_blocking(move |tx| {
                tx.execute_batch(
                    "INSERT INTO projects (project_id, name, created_at) VALUES ('prj_1', 'p', 'now');
                     INSERT INTO apps (app_id, project_id, name, runtime, default_hostname, created_at, active_build_id)
                       VALUES ('app_1', 'prj_1', 'web', '', 'web-1.comwit.app', 'now', 'bld_1');
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
        let state =
            crate::local::model::state::AppState(Arc::new(crate::local::model::state::Shared {
                store: store.clone(),
                signer: Arc::new(crate::local::model::db_tokens::Signer::open(dir.path()).unwrap()),
                settings: crate::local::model::state::Settings {
                    data_dir: dir.path().to_path_buf(),
                    database_provision_delay: Default::default(),
                    domain_activation_delay: Default::default(),
                    resolver: None,
                    max_json_bytes: 1 << 20,
                    max_bundle_bytes: 1 << 20,
                    database_url_base: String::new(),
                    storage_endpoint: String::new(),
                    fail_rate: 0.0,
                    fail_after_share: 0.0,
                    latency: Default::default(),
                    extensions: true,
                },
                limiter: None,
                counts: Default::default(),
                lose_answers: Default::default(),
                written: Default::default(),
                uploads: Default::default(),
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
