use super::*;
use crate::provider::common::{attr_or_null as attr, set_attr as set};
use crate::provider::Shared;

fn resource() -> AppResource {
    AppResource::new(Shared::default())
}

fn config(pairs: &[(&str, Value)]) -> Value {
    let mut c = schema().null_object();
    set(&mut c, "project_id", Value::string("p-1"));
    set(&mut c, "name", Value::string("web"));
    for (k, v) in pairs {
        set(&mut c, k, v.clone());
    }
    c
}

async fn modify(r: &AppResource, prior: Value, config: Value) -> (PlanRequest, Diagnostics) {
    let mut p = PlanRequest {
        prior_state: prior,
        planned_state: config.clone(),
        config,
        requires_replace: Vec::new(),
    };
    let (_tx, stop) = crate::tfplugin::resource::StopSignal::new();
    let mut ctx = Ctx::new(stop, Default::default(), Vec::new());
    let d = r.modify_plan(&mut ctx, &mut p).await;
    (p, d)
}

fn site(manifest: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("manifest.json"), manifest).unwrap();
    std::fs::create_dir(dir.path().join("static")).unwrap();
    std::fs::write(dir.path().join("static/index"), "<h1>hi</h1>").unwrap();
    dir
}

#[tokio::test]
async fn the_plan_packs_a_brrrd_folder_and_checks_its_manifest() {
    let r = resource();
    let good = site(r#"{"schemaVersion":6,"routes":[]}"#);
    let dir = Value::string(good.path().to_str().unwrap());
    let (p, d) = modify(&r, Value::Null, config(&[("source_dir", dir)])).await;
    assert!(d.is_empty(), "{d}");
    let sha = attr(&p.planned_state, "source_sha256");
    assert_eq!(sha.as_str().map(str::len), Some(64));
    assert!(attr(&p.planned_state, "build_id").is_unknown());
    assert!(attr(&p.planned_state, "active_build_id").is_unknown());

    let bad = site(r#"{"schemaVersion":6}"#);
    let dir = Value::string(bad.path().to_str().unwrap());
    let (_, d) = modify(&r, Value::Null, config(&[("source_dir", dir)])).await;
    let text = d.to_string();
    assert!(text.contains("routes"), "{text}");
    assert_eq!(
        d.iter().next().unwrap().attribute,
        Some(AttributePath::new("source_dir"))
    );
}

#[tokio::test]
async fn source_dir_and_package_conflict() {
    let r = resource();
    let d = r
        .validate(&config(&[
            ("source_dir", Value::string("a")),
            ("package", Value::string("b.tar.zst")),
        ]))
        .await;
    assert!(d.to_string().contains("not both"), "{d}");
}

#[tokio::test]
async fn a_pin_on_a_new_app_is_refused() {
    let (_, d) = modify(
        &resource(),
        Value::Null,
        config(&[("active_build_id", Value::string("build-1"))]),
    )
    .await;
    assert!(d.to_string().contains("new app has no builds"), "{d}");
}

fn status(status: u16, detail: &str) -> ApiError {
    ApiError::Status(Box::new(crate::api::error::StatusError {
        method: "PUT".into(),
        path: "/v1/x".into(),
        status,
        code: "X".into(),
        title: None,
        message: detail.into(),
        required_scope: None,
        field: None,
        details: serde_json::Value::Null,
    }))
}

#[test]
fn refused_secrets_show_the_platform_answer_and_the_way_out() {
    let e = status(
        400,
        "secret app env values are not enabled; store plain env values only",
    );
    let d = secret_error("web", "API_KEY", &e);
    let text = d.to_string();
    assert!(text.contains("store plain env values only"), "{text}");
    assert!(text.contains("`env`"), "{text}");
    assert_eq!(
        d.iter().next().unwrap().attribute,
        Some(AttributePath::new("secret_env_wo").key("API_KEY".to_string()))
    );
}

#[test]
fn a_missing_rollback_route_says_what_to_do_instead() {
    for code in [404, 405, 501] {
        let d = rollback_error("web", "build-1", &status(code, "no such route"));
        let text = d.to_string();
        assert!(text.contains("not public yet"), "{text}");
        assert!(text.contains("deploy its package again"), "{text}");
    }
    let d = rollback_error("web", "build-1", &status(409, "busy"));
    assert!(!d.to_string().contains("not public yet"), "{d}");
}

#[tokio::test]
async fn new_deploy_options_redeploy_the_same_package() {
    let r = resource();
    let good = site(r#"{"schemaVersion":6,"routes":[]}"#);
    let dir = Value::string(good.path().to_str().unwrap());
    let (p, _) = modify(&r, Value::Null, config(&[("source_dir", dir.clone())])).await;
    let sha = attr(&p.planned_state, "source_sha256");
    let mut prior = config(&[("source_dir", dir.clone())]);
    set(&mut prior, "app_id", Value::string("app-1"));
    set(&mut prior, "source_sha256", sha.clone());
    set(&mut prior, "build_id", Value::string("build-1"));
    set(&mut prior, "active_build_id", Value::string("build-1"));
    // Same package, same options: nothing to deploy.
    let (p, d) = modify(&r, prior.clone(), config(&[("source_dir", dir.clone())])).await;
    assert!(d.is_empty(), "{d}");
    assert_eq!(attr(&p.planned_state, "build_id"), Value::string("build-1"));
    // A new max_concurrent_requests: deployed again, a new build.
    let (p, _) = modify(
        &r,
        prior,
        config(&[
            ("source_dir", dir),
            ("max_concurrent_requests", Value::int(8)),
        ]),
    )
    .await;
    assert_eq!(attr(&p.planned_state, "source_sha256"), sha);
    assert!(attr(&p.planned_state, "build_id").is_unknown());
    assert!(attr(&p.planned_state, "active_build_id").is_unknown());
}
