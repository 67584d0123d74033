use super::*;
use crate::api::models::App;
use crate::provider::common::{attr_or_null as attr, set_attr as set};
use crate::provider::Shared;

fn resource() -> AppResource {
    AppResource::new(Shared::default())
}

fn config(pairs: &[(&str, Value)]) -> Value {
    let mut c = schema().null_object();
    set(&mut c, "project_id", Value::string("prj_0123456789abcdef"));
    set(&mut c, "name", Value::string("web"));
    set(&mut c, "runtime", Value::string("next"));
    for (k, v) in pairs {
        set(&mut c, k, v.clone());
    }
    c
}

fn secrets(pairs: &[(&str, &str)]) -> Value {
    Value::Map(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Value::string(*v)))
            .collect(),
    )
}

fn prior_state() -> Value {
    let mut s = config(&[]);
    set(&mut s, "app_id", Value::string("app_00000000000000aa"));
    set(&mut s, "secret_env_digests", Value::Map(Default::default()));
    s
}

async fn modify(r: &AppResource, prior: Value, config: Value) -> (PlanRequest, Diagnostics) {
    let (p, d, _) = plan_with_private(r, prior, config, Vec::new()).await;
    (p, d)
}

/// A plan with the given private state; also returns the planned private.
async fn plan_with_private(
    r: &AppResource,
    prior: Value,
    config: Value,
    private: Vec<u8>,
) -> (PlanRequest, Diagnostics, Vec<u8>) {
    let mut p = PlanRequest {
        prior_state: prior,
        planned_state: config.clone(),
        config,
        requires_replace: Vec::new(),
    };
    let (_tx, stop) = crate::tfplugin::resource::StopSignal::new();
    let mut ctx = Ctx::new(stop, Default::default(), private);
    let d = r.modify_plan(&mut ctx, &mut p).await;
    (p, d, ctx.private)
}

/// A plan of an update with the given private state; also returns the planned private.
async fn modify_with_private(
    prior: Value,
    config: Value,
    private: Vec<u8>,
) -> (Value, Diagnostics, Vec<u8>) {
    let (p, d, private) = plan_with_private(&resource(), prior, config, private).await;
    (p.planned_state, d, private)
}

#[tokio::test]
async fn an_imported_apps_secrets_stay_until_configured() {
    let mut prior = prior_state();
    set(&mut prior, "env", secrets(&[("MODE", "production")]));
    set(
        &mut prior,
        "secret_env_digests",
        secrets(&[("API_KEY", "d1")]),
    );
    let imported = AppPrivate::imported().to_bytes();
    let same = config(&[("env", secrets(&[("MODE", "production")]))]);

    // No `secret_env_wo`: the platform's digests stay, nothing is planned for them.
    let (planned, d, private) =
        modify_with_private(prior.clone(), same.clone(), imported.clone()).await;
    assert!(d.is_empty(), "{d}");
    assert_eq!(
        attr(&planned, "secret_env_digests"),
        secrets(&[("API_KEY", "d1")])
    );
    assert_eq!(private, imported, "the marker is kept for the apply");

    // A new `env` would replace the environment and lose the secrets: refused.
    let other = config(&[("env", secrets(&[("MODE", "dev")]))]);
    let (_, d, _) = modify_with_private(prior.clone(), other.clone(), imported).await;
    assert!(
        d.to_string().contains("would delete the app's secrets"),
        "{d}"
    );

    // An app Terraform created (or whose secrets it has sent): leaving `secret_env_wo`
    // out deletes them, as before.
    let (planned, d, _) = modify_with_private(prior, other, Vec::new()).await;
    assert!(d.is_empty(), "{d}");
    assert_eq!(
        attr(&planned, "secret_env_digests"),
        Value::Map(Default::default())
    );
}

#[test]
fn schema_version_is_bumped_for_keyed_digests() {
    assert_eq!(schema().version, 1);
    let text = format!("{:?}", schema().block.attributes);
    assert!(
        !text.contains("Hex SHA-256 digest of each secret"),
        "{text}"
    );
}

#[tokio::test]
async fn a_pin_on_a_new_app_fails_at_plan() {
    let r = resource();
    let c = config(&[("active_build_id", Value::string("bld_0123456789abcdef"))]);
    let (_, d) = modify(&r, Value::Null, c.clone()).await;
    assert!(d.has_errors(), "{d}");
    let e = d.iter().next().unwrap();
    assert_eq!(e.attribute, Some(AttributePath::new("active_build_id")));
    for want in [
        "new app has no builds",
        "without `active_build_id`",
        "source_dir",
    ] {
        assert!(e.detail.contains(want), "{want}: {}", e.detail);
    }
    // A replacement is a new app too.
    let mut p = PlanRequest {
        prior_state: prior_state(),
        planned_state: c.clone(),
        config: c,
        requires_replace: vec![AttributePath::new("runtime")],
    };
    let (_tx, stop) = crate::tfplugin::resource::StopSignal::new();
    let mut ctx = Ctx::new(stop, Default::default(), Vec::new());
    let d = r.modify_plan(&mut ctx, &mut p).await;
    assert!(d.to_string().contains("replaces"), "{d}");
    // Unknown (decided at apply) or on an existing app: no objection.
    let (_, d) = modify(
        &r,
        Value::Null,
        config(&[("active_build_id", Value::Unknown)]),
    )
    .await;
    assert!(d.is_empty(), "{d}");
    let pinned = config(&[("active_build_id", Value::string("bld_0123456789abcdef"))]);
    let (_, d) = modify(&r, prior_state(), pinned).await;
    assert!(d.is_empty(), "{d}");
}

#[tokio::test]
async fn new_app_digests_are_known_after_apply() {
    let r = resource();
    let c = config(&[("secret_env_wo", secrets(&[("K", "v")]))]);
    let (p, d) = modify(&r, Value::Null, c).await;
    assert!(d.is_empty(), "{d}");
    assert!(attr(&p.planned_state, "secret_env_digests").is_unknown());
    // Without secrets there is nothing to wait for.
    let (p, _) = modify(&r, Value::Null, config(&[])).await;
    assert_eq!(
        attr(&p.planned_state, "secret_env_digests"),
        Value::Map(Default::default())
    );
}

#[tokio::test]
async fn existing_app_digests_use_the_remembered_key() {
    let r = resource();
    let app = App {
        env_digest_key: Some(crate::api::models::DigestKey::new("0f".repeat(32))),
        ..super::super::test_app("app_00000000000000aa", "prj_0123456789abcdef")
    };
    let key = r.keys.remember(&app).unwrap();
    let c = config(&[("secret_env_wo", secrets(&[("K", "v")]))]);
    let (p, d) = modify(&r, prior_state(), c).await;
    assert!(d.is_empty(), "{d}");
    assert_eq!(
        attr(&p.planned_state, "secret_env_digests"),
        secrets(&[("K", &env::digest(&key, "v"))])
    );
    // Without a remembered key the plan reads the app, which needs a configured provider.
    let other = resource();
    let c = config(&[("secret_env_wo", secrets(&[("K", "v")]))]);
    let (_, d) = modify(&other, prior_state(), c).await;
    assert!(d.to_string().contains("not configured"), "{d}");
}

#[tokio::test]
async fn version_0_states_lose_their_plain_digests() {
    let r = resource();
    let mut v0 = serde_json::json!({
        "app_id": "app_00000000000000aa",
        "project_id": "prj_0123456789abcdef",
        "name": "web",
        "runtime": "next",
        "env": {"MODE": "production"},
        "secret_env_digests": {"K": crate::provider::apps::sha256_hex(b"v")},
        "secret_env_wo_version": 1,
        "created_at": "2025-01-01T00:00:00Z",
    });
    let raw = serde_json::to_vec(&v0).unwrap();
    let up = r.upgrade_state(0, &raw).await.unwrap();
    assert_eq!(
        attr(&up, "secret_env_digests"),
        Value::Map(Default::default())
    );
    assert_eq!(attr(&up, "app_id"), Value::string("app_00000000000000aa"));
    assert_eq!(attr(&up, "secret_env_wo_version"), Value::int(1));
    assert_eq!(attr(&up, "env"), secrets(&[("MODE", "production")]));
    // A current state keeps its (keyed) digests.
    v0["secret_env_digests"] = serde_json::json!({"K": "keyed"});
    let raw = serde_json::to_vec(&v0).unwrap();
    let same = r.upgrade_state(1, &raw).await.unwrap();
    assert_eq!(
        attr(&same, "secret_env_digests"),
        secrets(&[("K", "keyed")])
    );
    assert_eq!(r.upgrade_state(0, b"null").await.unwrap(), Value::Null);
}

/// A resource that knows the app's digest key, the key, and a prior state holding
/// `DATABASE_TOKEN` (digest "d-old") and `API_KEY` = "k", with `env` { MODE = "prod" }.
fn rotating_setup() -> (AppResource, DigestKey, Value) {
    let r = resource();
    let app = App {
        env_digest_key: Some(crate::api::models::DigestKey::new("0f".repeat(32))),
        ..super::super::test_app("app_00000000000000aa", "prj_0123456789abcdef")
    };
    let key = r.keys.remember(&app).unwrap();
    let mut prior = prior_state();
    set(&mut prior, "env", secrets(&[("MODE", "prod")]));
    set(
        &mut prior,
        "secret_env_digests",
        secrets(&[
            ("API_KEY", &env::digest(&key, "k")),
            ("DATABASE_TOKEN", "d-old"),
        ]),
    );
    set(&mut prior, "secret_env_wo_version", Value::int(1));
    set(
        &mut prior,
        "secret_env_wo_rotating",
        rotating(&["DATABASE_TOKEN"]),
    );
    (r, key, prior)
}

fn rotating(names: &[&str]) -> Value {
    Value::Set(names.iter().map(|n| Value::string(*n)).collect())
}

/// The configuration of `rotating_setup`'s app with this run's token.
fn rotating_config(token: Value, api_key: &str, pairs: &[(&str, Value)]) -> Value {
    let mut c = config(&[
        ("env", secrets(&[("MODE", "prod")])),
        ("secret_env_wo_version", Value::int(1)),
        ("secret_env_wo_rotating", rotating(&["DATABASE_TOKEN"])),
    ]);
    set(
        &mut c,
        "secret_env_wo",
        Value::Map(
            [
                ("API_KEY".to_string(), Value::string(api_key)),
                ("DATABASE_TOKEN".to_string(), token),
            ]
            .into(),
        ),
    );
    for (k, v) in pairs {
        set(&mut c, k, v.clone());
    }
    c
}

fn digests_of(p: &PlanRequest) -> Value {
    attr(&p.planned_state, "secret_env_digests")
}

#[tokio::test]
async fn a_rotating_secret_plans_nothing_by_itself() {
    let (r, _, prior) = rotating_setup();
    let want = attr(&prior, "secret_env_digests");
    let c = rotating_config(Value::string("a-new-token-this-run"), "k", &[]);
    let (p, d) = modify(&r, prior.clone(), c).await;
    assert!(d.is_empty(), "{d}");
    assert_eq!(digests_of(&p), want, "the prior digests: nothing to send");
    // Unknown at plan (Terraform could not open the ephemeral resource yet, e.g. its database
    // is being replaced): this run's token is sent.
    let c = rotating_config(Value::Unknown, "k", &[]);
    let (p, d) = modify(&r, prior.clone(), c).await;
    assert!(d.is_empty(), "{d}");
    assert_ne!(digests_of(&p), want, "an unknown token is sent");
    // Which secrets rotate is unknown: what is sent is decided at apply.
    let c = rotating_config(
        Value::string("a-new-token-this-run"),
        "k",
        &[("secret_env_wo_rotating", Value::Unknown)],
    );
    let (p, d) = modify(&r, prior.clone(), c).await;
    assert!(d.is_empty(), "{d}");
    assert!(digests_of(&p).is_unknown(), "{:?}", digests_of(&p));
    // Without `secret_env_wo_rotating`, the same token plans a change (the old behaviour).
    let c = rotating_config(
        Value::string("a-new-token-this-run"),
        "k",
        &[("secret_env_wo_rotating", Value::Null)],
    );
    let (p, _) = modify(&r, prior.clone(), c).await;
    assert_ne!(digests_of(&p), want);
}

#[tokio::test]
async fn a_rotating_secret_is_sent_whenever_the_environment_is_replaced() {
    let (r, key, prior) = rotating_setup();
    let token = Value::string("a-new-token-this-run");
    let api_key = Value::string(env::digest(&key, "k"));
    let new_api_key = Value::string(env::digest(&key, "k2"));
    let cases = [
        (
            "env",
            rotating_config(token.clone(), "k", &[("env", secrets(&[("MODE", "dev")]))]),
            &api_key,
        ),
        (
            "unknown env",
            rotating_config(token.clone(), "k", &[("env", Value::Unknown)]),
            &api_key,
        ),
        (
            "version",
            rotating_config(
                token.clone(),
                "k",
                &[("secret_env_wo_version", Value::int(2))],
            ),
            &api_key,
        ),
        (
            "another secret",
            rotating_config(token.clone(), "k2", &[]),
            &new_api_key,
        ),
    ];
    for (why, c, api) in cases {
        let (p, d) = modify(&r, prior.clone(), c).await;
        assert!(d.is_empty(), "{why}: {d}");
        let Value::Map(digests) = digests_of(&p) else {
            panic!("{why}: {:?}", digests_of(&p))
        };
        assert!(
            digests["DATABASE_TOKEN"].is_unknown(),
            "{why}: sent with this run's value"
        );
        assert_eq!(&digests["API_KEY"], api, "{why}: compared as before");
    }
}

#[tokio::test]
async fn a_rotating_name_is_sent_when_first_configured() {
    let (r, key, mut prior) = rotating_setup();
    set(
        &mut prior,
        "secret_env_digests",
        secrets(&[("API_KEY", &env::digest(&key, "k"))]),
    );
    let c = rotating_config(Value::string("t"), "k", &[]);
    let (p, d) = modify(&r, prior.clone(), c).await;
    assert!(d.is_empty(), "{d}");
    let Value::Map(digests) = digests_of(&p) else {
        panic!()
    };
    assert!(digests["DATABASE_TOKEN"].is_unknown());
    // A name removed from `secret_env_wo` replaces the environment too.
    let (r, _, prior) = rotating_setup();
    let mut c = rotating_config(Value::string("t"), "k", &[]);
    set(&mut c, "secret_env_wo", secrets(&[("DATABASE_TOKEN", "t")]));
    set(
        &mut c,
        "secret_env_wo_rotating",
        rotating(&["DATABASE_TOKEN"]),
    );
    let (p, _) = modify(&r, prior, c).await;
    assert_eq!(
        digests_of(&p),
        Value::Map([("DATABASE_TOKEN".to_string(), Value::Unknown)].into())
    );
    // On create everything is known after apply, as before.
    let (p, d) = modify(
        &r,
        Value::Null,
        rotating_config(Value::string("t"), "k", &[]),
    )
    .await;
    assert!(d.is_empty(), "{d}");
    assert!(digests_of(&p).is_unknown());
}

#[tokio::test]
async fn rotating_names_must_be_configured_secrets() {
    let r = resource();
    let c = config(&[
        ("secret_env_wo", secrets(&[("API_KEY", "k")])),
        ("secret_env_wo_rotating", rotating(&["DATABASE_TOKEN"])),
    ]);
    let d = r.validate(&c).await;
    assert!(d.to_string().contains("DATABASE_TOKEN"), "{d}");
    let c = config(&[
        ("secret_env_wo", secrets(&[("DATABASE_TOKEN", "t")])),
        ("secret_env_wo_rotating", rotating(&["DATABASE_TOKEN"])),
    ]);
    assert!(r.validate(&c).await.is_empty());
}

#[test]
fn apply_compares_only_what_does_not_rotate() {
    let names: BTreeSet<String> = ["DATABASE_TOKEN".to_string()].into();
    let vars = |pairs: &[(&str, &str)]| -> Vars {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let planned = secrets(&[("API_KEY", "a"), ("DATABASE_TOKEN", "old")]);
    let now = vars(&[("API_KEY", "a"), ("DATABASE_TOKEN", "new")]);
    assert!(!changed_after_the_plan(&planned, &now, &names));
    assert!(changed_after_the_plan(&planned, &now, &BTreeSet::new()));
    let other = vars(&[("API_KEY", "b"), ("DATABASE_TOKEN", "new")]);
    assert!(changed_after_the_plan(&planned, &other, &names));
    assert!(!changed_after_the_plan(&Value::Unknown, &other, &names));
    // Kept at its planned (prior) digest: nothing to send for it.
    assert_eq!(
        as_planned(&planned, now.clone(), &names),
        vars(&[("API_KEY", "a"), ("DATABASE_TOKEN", "old")])
    );
    // Planned unknown: sent, with this run's digest.
    let sending = Value::Map(
        [
            ("API_KEY".to_string(), Value::string("a")),
            ("DATABASE_TOKEN".to_string(), Value::Unknown),
        ]
        .into(),
    );
    assert!(!changed_after_the_plan(&sending, &now, &names));
    assert_eq!(as_planned(&sending, now.clone(), &names), now);
    // The model reads partly unknown digests as not known yet.
    let mut state = config(&[]);
    set(&mut state, "secret_env_digests", sending);
    let model: AppModel = model::get(&without_partial_digests(&state)).unwrap();
    assert_eq!(model.secret_env_digests, None);
}
