//! Plan-time decisions of `comwit_app` that the generic plan engine cannot make: the source
//! digest (is there new code to deploy?), which build should be active, and the digests of
//! the write-only secrets (did a secret change, here or behind Terraform's back?).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::provider::common::string_or_null;
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::model;

use super::app_state::AppModel;
use super::bundle::{self, Bundle};
use super::env::{self, DigestKey, Vars};

/// What the plan says about the source: its digest and the build that will hold it. Values,
/// not a model: either may be unknown.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SourcePlan {
    pub source_sha256: Value,
    pub build_id: Value,
}

/// Packs `source_dir` off the async runtime (directories can be large).
pub(super) async fn pack_source(dir: &str) -> Result<Bundle, Diagnostics> {
    let path = PathBuf::from(dir);
    let packed = tokio::task::spawn_blocking(move || bundle::pack(&path))
        .await
        .map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Cannot pack source_dir",
                format!("Packing the source directory stopped unexpectedly: {e}."),
            ))
        })?;
    packed.map_err(|e| {
        Diagnostic::error(
            "Cannot read source_dir",
            format!(
                "`source_dir` is {dir:?}, but {e}. Set it to a directory of the app's files, \
                 relative to the directory Terraform runs in, e.g. \"${{path.module}}/site\"."
            ),
        )
        .with_attribute(AttributePath::new("source_dir"))
        .into()
    })
}

/// Decides `source_sha256` and `build_id`. `prior` is None on create. `packed_sha` is the
/// digest of the configured directory when it is known. `source_dir` is the configured value,
/// which may be unknown.
///
/// - No `source_dir`: Terraform does not deploy; both keep their prior values (after import
///   they describe the build that was active then).
/// - Unknown `source_dir`: a deploy may happen; both unknown.
/// - Known: a new digest means a deploy, so a new (unknown) build; else both stay.
pub(super) fn plan_source(
    source_dir: &Value,
    packed_sha: Option<&str>,
    prior: Option<&AppModel>,
) -> SourcePlan {
    let prior_sha = string_or_null(prior.and_then(|p| p.source_sha256.as_deref()));
    let prior_build = string_or_null(prior.and_then(|p| p.build_id.as_deref()));
    match (source_dir, packed_sha) {
        (Value::Null, _) => SourcePlan {
            source_sha256: prior_sha,
            build_id: prior_build,
        },
        (Value::String(_), Some(sha)) if prior_sha.as_str() == Some(sha) => SourcePlan {
            source_sha256: prior_sha,
            build_id: prior_build,
        },
        (Value::String(_), Some(sha)) => SourcePlan {
            source_sha256: Value::string(sha),
            build_id: Value::Unknown,
        },
        _ => SourcePlan {
            source_sha256: Value::Unknown,
            build_id: Value::Unknown,
        },
    }
}

/// Decides `active_build_id`: a pin in the configuration wins; else, when Terraform deploys
/// the source, the build it deployed last; else (no source, no pin) whatever the platform
/// says, which Terraform does not manage. A new app has no active build until a deploy.
/// `configured` and `source_dir` are the configuration's values: an unknown pin stays unknown.
pub(super) fn plan_active(
    configured: &Value,
    source_dir: &Value,
    planned_build_id: &Value,
    prior: Option<&AppModel>,
) -> Value {
    if !configured.is_null() {
        return configured.clone();
    }
    if !source_dir.is_null() {
        return planned_build_id.clone();
    }
    string_or_null(prior.and_then(|p| p.active_build_id.as_deref()))
}

/// The `secret_env_digests` planned for an imported app whose secrets are still the
/// platform's (see `AppPrivate`), under a configuration without `secret_env_wo`: the secrets
/// stay as they are, so their digests are the prior ones. The platform replaces an app's whole
/// environment at once, so a new `env` would delete them: refused while the app has any.
/// `planned_env` is the planned value; unknown, it is checked at apply.
pub(super) fn plan_kept_secrets(
    prior: &AppModel,
    planned_env: &Value,
) -> Result<Value, Diagnostics> {
    let digests = prior.secret_env_digests.clone().unwrap_or_default();
    if !planned_env.contains_unknown() && !digests.is_empty() {
        let planned: Option<Vars> = model::get(planned_env)?;
        if planned.unwrap_or_default() != prior.env.clone().unwrap_or_default() {
            return Err(secrets_would_be_deleted(&prior.name, &digests));
        }
    }
    Ok(Value::Map(
        digests
            .into_iter()
            .map(|(name, digest)| (name, Value::string(digest)))
            .collect(),
    ))
}

/// The `secret_env_digests` planned for an existing app when some secrets rotate (names in
/// `secret_env_wo_rotating`, whose values are new on every run). `secrets` is the configured
/// `secret_env_wo` (values may be unknown), `key` the app's digest key, and `other_changes`
/// whether the environment is replaced anyway (`env` or `secret_env_wo_version` changed).
///
/// The other secrets are planned as without rotation: their digests, unknown when a value or
/// the key is. The environment is replaced when anything changes: the other changes, a secret
/// added or removed, another secret's digest that differs (or is unknown). Then the rotating
/// secrets are sent with it, with this run's values: their digests are unknown. So they are
/// when a rotating value is itself unknown. Else the rotating ones keep their prior digests,
/// so a new value every run plans nothing.
pub(super) fn plan_rotating_digests(
    secrets: &Value,
    rotating: &BTreeSet<String>,
    key: Option<&DigestKey>,
    prior: &AppModel,
    other_changes: bool,
) -> Value {
    let configured = match secrets {
        Value::Null => BTreeMap::new(),
        Value::Map(m) => m.clone(),
        // Not even the names are known: anything may change.
        _ => return Value::Unknown,
    };
    let prior_digests = prior.secret_env_digests.clone().unwrap_or_default();
    let mut planned: BTreeMap<String, Value> = configured
        .iter()
        .filter(|(name, _)| !rotating.contains(*name))
        .map(|(name, value)| {
            let digest = match (value.as_str(), key) {
                (Some(value), Some(key)) => Value::string(env::digest(key, value)),
                _ => Value::Unknown,
            };
            (name.clone(), digest)
        })
        .collect();
    // A rotating value unknown at plan comes from an ephemeral resource Terraform could not
    // open yet (its database is being made or replaced, say): its new value is sent.
    let rotating_unknown = configured
        .iter()
        .any(|(name, value)| rotating.contains(name) && value.is_unknown());
    let replaced = other_changes
        || rotating_unknown
        || !configured.keys().eq(prior_digests.keys())
        || planned
            .iter()
            .any(|(name, digest)| digest.as_str() != prior_digests.get(name).map(String::as_str));
    for name in configured.keys().filter(|n| rotating.contains(*n)) {
        let digest = match prior_digests.get(name) {
            Some(prior) if !replaced => Value::string(prior.clone()),
            _ => Value::Unknown,
        };
        planned.insert(name.clone(), digest);
    }
    Value::Map(planned)
}

/// A new `env` for an imported app whose secrets (`secrets`: by name) the configuration
/// leaves out.
pub(super) fn secrets_would_be_deleted(app: &str, secrets: &Vars) -> Diagnostics {
    let names = secrets.keys().cloned().collect::<Vec<_>>().join(", ");
    Diagnostic::error(
        "Changing env would delete the app's secrets",
        format!(
            "The app {app:?} was imported with secret variables ({names}), which Terraform \
             leaves as they are because the configuration sets no `secret_env_wo`. But the \
             platform replaces an app's whole environment at once, so changing `env` would \
             delete them, and Terraform cannot send them again: it never knew their values. \
             Set `secret_env_wo` to the secrets that should stay, with their values (the plan \
             compares them with the platform's digests), or to `{{}}` to delete them; or \
             leave `env` as it is."
        ),
    )
    .with_attribute(AttributePath::new("env"))
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prior(sha: &str, build: &str, active: &str) -> AppModel {
        AppModel {
            source_sha256: Some(sha.into()),
            build_id: Some(build.into()),
            active_build_id: Some(active.into()),
            ..AppModel::default()
        }
    }

    #[test]
    fn source_decisions() {
        let p = prior("aaa", "bld_1", "bld_1");
        let dir = Value::string("./site");
        // Unchanged code: nothing to deploy.
        assert_eq!(
            plan_source(&dir, Some("aaa"), Some(&p)),
            SourcePlan {
                source_sha256: Value::string("aaa"),
                build_id: Value::string("bld_1")
            }
        );
        // Changed code: a new build.
        assert_eq!(
            plan_source(&dir, Some("bbb"), Some(&p)),
            SourcePlan {
                source_sha256: Value::string("bbb"),
                build_id: Value::Unknown
            }
        );
        // Create.
        assert_eq!(
            plan_source(&dir, Some("aaa"), None).build_id,
            Value::Unknown
        );
        // Unknown directory.
        assert_eq!(
            plan_source(&Value::Unknown, None, Some(&p)).source_sha256,
            Value::Unknown
        );
        // No source: keep what is known.
        assert_eq!(
            plan_source(&Value::Null, None, Some(&p)).build_id,
            Value::string("bld_1")
        );
        assert_eq!(
            plan_source(&Value::Null, None, None).source_sha256,
            Value::Null
        );
    }

    #[test]
    fn active_decisions() {
        let p = prior("aaa", "bld_1", "bld_0");
        let dir = Value::string("./site");
        // A pin wins.
        assert_eq!(
            plan_active(&Value::string("bld_9"), &dir, &Value::Unknown, Some(&p)),
            Value::string("bld_9")
        );
        // Unpinned with source: the last deploy, which repairs an out-of-band rollback.
        assert_eq!(
            plan_active(&Value::Null, &dir, &Value::string("bld_1"), Some(&p)),
            Value::string("bld_1")
        );
        assert_eq!(
            plan_active(&Value::Null, &dir, &Value::Unknown, Some(&p)),
            Value::Unknown
        );
        // No source, no pin: not managed.
        assert_eq!(
            plan_active(&Value::Null, &Value::Null, &Value::Null, Some(&p)),
            Value::string("bld_0")
        );
        assert_eq!(
            plan_active(&Value::Null, &Value::Null, &Value::Null, None),
            Value::Null
        );
    }

    #[test]
    fn kept_secrets_keep_their_digests_and_block_a_new_env() {
        let vars = |pairs: &[(&str, &str)]| -> Vars {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let map = |pairs: &[(&str, &str)]| {
            Value::Map(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), Value::string(*v)))
                    .collect(),
            )
        };
        let prior = AppModel {
            name: "web".into(),
            env: Some(vars(&[("MODE", "production")])),
            secret_env_digests: Some(vars(&[("API_KEY", "d1"), ("TOKEN", "d2")])),
            ..AppModel::default()
        };
        let same = map(&[("MODE", "production")]);
        let digests = map(&[("API_KEY", "d1"), ("TOKEN", "d2")]);
        assert_eq!(plan_kept_secrets(&prior, &same).unwrap(), digests);
        // Unknown: apply checks the platform's environment before replacing it.
        assert_eq!(plan_kept_secrets(&prior, &Value::Unknown).unwrap(), digests);
        let d = plan_kept_secrets(&prior, &map(&[("MODE", "dev")])).unwrap_err();
        let e = d.iter().next().unwrap();
        assert_eq!(e.summary, "Changing env would delete the app's secrets");
        assert_eq!(e.attribute, Some(AttributePath::new("env")));
        for want in ["API_KEY, TOKEN", "secret_env_wo", "`{}`"] {
            assert!(e.detail.contains(want), "{want}: {}", e.detail);
        }
        assert!(plan_kept_secrets(&prior, &Value::Null).is_err());
        // Without secrets there is nothing to lose: `env` may change, null and `{}` alike.
        let plain = AppModel {
            secret_env_digests: Some(Vars::new()),
            ..prior.clone()
        };
        assert_eq!(
            plan_kept_secrets(&plain, &Value::Null).unwrap(),
            Value::Map(Default::default())
        );
        let empty = AppModel { env: None, ..prior };
        assert_eq!(
            plan_kept_secrets(&empty, &Value::Map(Default::default())).unwrap(),
            digests
        );
    }
}
