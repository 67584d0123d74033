//! Plan-time decisions of `comwit_app` that the generic plan engine cannot make: the package
//! digest (is there new code to deploy?) and which build should be active.

use std::path::PathBuf;

use crate::provider::common::string_or_null;
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};

use super::app_state::AppModel;
use super::bundle::{self, Bundle};

/// What the plan says about the source: its digest and the build that will hold it. Values,
/// not a model: either may be unknown.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SourcePlan {
    pub source_sha256: Value,
    pub build_id: Value,
}

/// Where the package comes from: a build folder to pack, or a prebuilt `.tar.zst`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Source<'a> {
    Dir(&'a str),
    Package(&'a str),
}

impl Source<'_> {
    fn attribute(&self) -> &'static str {
        match self {
            Source::Dir(_) => "source_dir",
            Source::Package(_) => "package",
        }
    }
}

/// Packs `source_dir` (or reads `package`) off the async runtime (folders can be large).
pub(super) async fn pack_source(source: Source<'_>) -> Result<Bundle, Diagnostics> {
    let (dir, attribute) = match source {
        Source::Dir(d) | Source::Package(d) => (d, source.attribute()),
    };
    let path = PathBuf::from(dir);
    let is_dir = matches!(source, Source::Dir(_));
    let packed = tokio::task::spawn_blocking(move || {
        if is_dir {
            bundle::pack(&path)
        } else {
            bundle::read_package(&path)
        }
    })
    .await
    .map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "Cannot pack source_dir",
            format!("Packing the source directory stopped unexpectedly: {e}."),
        ))
    })?;
    packed.map_err(|e| {
        let how = if is_dir {
            "Set it to a brrrd build folder (the `dist/brrrd` that `@brrrd/adapter` writes, \
             holding manifest.json and static/), relative to the directory Terraform runs in, \
             e.g. \"${path.module}/site\"."
        } else {
            "Set it to a zstd-compressed tar of a brrrd build folder, made with \
             `tar --zstd -cf app.tar.zst -C dist/brrrd .`."
        };
        Diagnostic::error(
            format!("Cannot deploy {attribute}"),
            format!("`{attribute}` is {dir:?}, but {e}. {how}"),
        )
        .with_attribute(AttributePath::new(attribute))
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
