//! An app deployed by Terraform answers on comwit-local's apps listener, by `Host`: its
//! default hostname and an Automatic DNS hostname serve the active build, and a deploy or a
//! pinned build (rollback) changes what they serve at once.

use super::{hcl, s, write_site};
use crate::support::platform::{create_project, Platform};

fn config(pin: Option<&str>) -> String {
    let pin = pin.map_or(String::new(), |b| format!("  active_build_id = \"{b}\"\n"));
    format!(
        r#"
resource "comwit_app" "web" {{
  name       = "web"
  source_dir = "${{path.module}}/site"
{pin}}}

resource "comwit_domain" "main" {{
  domain = "example.com"
}}

resource "comwit_app_hostname" "www" {{
  app_id   = comwit_app.web.app_id
  hostname = "www.example.com"
  dns_mode = "automatic"
  domain   = comwit_domain.main.domain
}}
"#
    )
}

/// What the apps listener answers to `GET path` for `host`.
struct Served {
    status: u16,
    build: Option<String>,
    app: Option<String>,
    content_type: Option<String>,
    body: String,
}

fn fetch(platform: &Platform, method: reqwest::Method, host: &str, path: &str) -> Served {
    let url = format!("{}{path}", platform.apps_url);
    platform.block_on(async {
        let r = reqwest::Client::new()
            .request(method, url)
            .header(reqwest::header::HOST, host)
            .send()
            .await
            .expect("the apps listener answers");
        let header = |name: &str| {
            r.headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
        };
        Served {
            status: r.status().as_u16(),
            build: header("x-comwit-build"),
            app: header("x-comwit-app"),
            content_type: header("content-type"),
            body: r.text().await.unwrap(),
        }
    })
}

fn get(platform: &Platform, host: &str, path: &str) -> Served {
    fetch(platform, reqwest::Method::GET, host, path)
}

#[test]
fn hostnames_serve_the_active_build() {
    let platform = Platform::start_with_extensions();
    let Some(w) = platform.workdir() else {
        return;
    };
    let project = create_project(&platform, "apps-serving");
    write_site(
        &w,
        "site",
        &[("index.html", "<h1>v1</h1>"), ("js/app.js", "let v = 1;")],
    );
    w.config(&hcl(&project, &config(None)));
    w.apply();
    let app = w.resource("comwit_app.web");
    let (app_id, first) = (s(&app, "app_id"), s(&app, "build_id"));
    let default_host = s(&app, "default_domain");
    assert_eq!(
        s(&w.resource("comwit_app_hostname.www"), "status"),
        "active"
    );

    // The default hostname and the attached one, in any case and with a port.
    for host in [
        default_host.clone(),
        "www.example.com".to_string(),
        "WWW.Example.com:8789".to_string(),
    ] {
        let r = get(&platform, &host, "/");
        assert_eq!(r.status, 200, "{host}: {}", r.body);
        assert_eq!(r.body, "<h1>v1</h1>", "{host}");
        assert_eq!(r.build.as_deref(), Some(first.as_str()), "{host}");
        assert_eq!(r.app.as_deref(), Some(app_id.as_str()), "{host}");
        assert_eq!(r.content_type.as_deref(), Some("text/html; charset=utf-8"));
    }
    let js = get(&platform, "www.example.com", "/js/app.js");
    assert_eq!((js.status, js.body.as_str()), (200, "let v = 1;"));
    assert_eq!(
        js.content_type.as_deref(),
        Some("text/javascript; charset=utf-8")
    );
    // A route of the manifest that needs the JS runtime: 501, said so.
    let runtime = get(&platform, "www.example.com", "/api/hello");
    assert_eq!(runtime.status, 501, "{}", runtime.body);
    assert!(runtime.body.contains("JS runtime"), "{}", runtime.body);
    let head = fetch(&platform, reqwest::Method::HEAD, "www.example.com", "/");
    assert_eq!((head.status, head.body.as_str()), (200, ""));
    assert_eq!(head.build.as_deref(), Some(first.as_str()));
    let missing = get(&platform, "www.example.com", "/nope.html");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.build.as_deref(), Some(first.as_str()));
    let escape = get(&platform, "www.example.com", "/docs/..%2f..%2fetc/passwd");
    assert_eq!(escape.status, 400, "{}", escape.body);
    let unknown = get(&platform, "nobody.example.org", "/");
    assert_eq!(unknown.status, 404);
    assert!(unknown.build.is_none());
    assert!(
        unknown.body.contains("nobody.example.org"),
        "the page names the host: {}",
        unknown.body
    );

    // A change of the file and an apply: the new build answers at once.
    write_site(&w, "site", &[("index.html", "<h1>v2</h1>")]);
    w.apply();
    w.assert_no_changes();
    let second = s(&w.resource("comwit_app.web"), "build_id");
    assert_ne!(second, first);
    for host in [default_host.as_str(), "www.example.com"] {
        let r = get(&platform, host, "/");
        assert_eq!(r.body, "<h1>v2</h1>", "{host}");
        assert_eq!(r.build.as_deref(), Some(second.as_str()), "{host}");
    }

    // Pinning the first build (a rollback): the old file again.
    w.config(&hcl(&project, &config(Some(&first))));
    w.apply();
    w.assert_no_changes();
    let r = get(&platform, "www.example.com", "/");
    assert_eq!(r.body, "<h1>v1</h1>");
    assert_eq!(r.build.as_deref(), Some(first.as_str()));
    assert_eq!(
        get(&platform, &default_host, "/").build.as_deref(),
        Some(first.as_str())
    );

    // Destroyed: neither hostname serves anything.
    w.destroy();
    assert_eq!(get(&platform, "www.example.com", "/").status, 404);
    assert_eq!(get(&platform, &default_host, "/").status, 404);
}
