//! `comwit_database.seed_file`: a database created from a SQLite file, as the official CLI's
//! `databases create --from-file` does it (see [`crate::api::seeds`]): checks before sending
//! (a SQLite header, 100 B to 2 GiB, no `-wal`/`-shm` beside it, then SQLite's integrity and
//! foreign-key checks), the upload session, one streamed `PUT`, and the operation polled to
//! `succeeded`.
//!
//! A lost answer is never answered by uploading blindly again: the create's key makes its
//! retry a replay of the same session, and an upload whose outcome is unknown is followed by
//! reading the operation, which tells whether the file landed.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::database::DatabaseResource;
use super::database_state::DatabaseModel;
use crate::api::databases::{DatabaseCreated, Operation};
use crate::api::seeds::{self, AWAITING_UPLOAD, MAX_SEED_BYTES, MIN_SEED_BYTES};
use crate::api::{ApiError, Client};
use crate::provider::common::{api_error, call, ModelResource};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::resource::{Ctx, PlanRequest};
use crate::tfplugin::schema::Attribute;

/// How many times one upload is tried (the official CLI tries 3 times; an unattended apply
/// tries a little longer, within `timeouts.create`).
const UPLOAD_TRIES: u32 = 5;

pub(super) fn seed_file_attributes() -> [Attribute; 2] {
    [
        Attribute::string("seed_file").optional().description(
            "A SQLite database file (a path on the machine that runs Terraform) that the new \
             database starts from, uploaded as the official CLI's `databases create \
             --from-file` does: one standalone SQLite file of 100 B to 2 GiB (no `-wal` or \
             `-shm` file beside it: make a standalone copy with `sqlite3 src.db \".backup \
             out.sqlite\"`), which must pass SQLite's integrity and foreign-key checks. \
             Checked at plan; create-time only. Its SHA-256 is kept in `seed_file_sha256`, so \
             a changed file shows in the plan: a file with other content replaces the database \
             with one seeded from the new file (its current data is lost; refused while \
             `deletion_protection` is on). Moving the same file elsewhere, removing \
             `seed_file`, or adding it to a database already in the state (such as an \
             imported one) changes only the state. Cannot be combined with `restore_from`.",
        ),
        Attribute::string("seed_file_sha256")
            .computed()
            .description(
                "The hex SHA-256 of `seed_file` as planned (and uploaded); null without a \
                 `seed_file`.",
            ),
    ]
}

/// A seed file that passed the checks made before any upload.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SeedFile {
    pub length: u64,
    pub sha256: String,
}

fn seed_path() -> AttributePath {
    AttributePath::new("seed_file")
}

fn invalid(detail: String) -> Diagnostic {
    Diagnostic::error("Invalid seed file", detail).with_attribute(seed_path())
}

/// What the official CLI checks before it opens an upload session, without reading the whole
/// file: a regular file, no WAL sidecars, 100 B to 2 GiB, the SQLite header.
pub(super) fn preflight(path: &Path) -> Result<u64, Diagnostic> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| {
        invalid(format!(
            "Cannot read the seed file {shown}: {e}. `seed_file` is a path on the machine that \
             runs Terraform (relative paths start at the working directory; \
             `\"${{path.module}}/data.sqlite\"` is relative to the module)."
        ))
    })?;
    if !meta.is_file() {
        return Err(invalid(format!(
            "The seed file {shown} is not a regular file: give the path of one SQLite \
             database file."
        )));
    }
    for suffix in ["-wal", "-shm"] {
        let mut sidecar = path.as_os_str().to_owned();
        sidecar.push(suffix);
        if Path::new(&sidecar).exists() {
            return Err(invalid(format!(
                "{} exists beside the seed file: the database may have changes that are not \
                 in {shown} yet, and only one file is uploaded. Make a standalone copy with \
                 `sqlite3 {shown} \".backup out.sqlite\"` and seed from that.",
                Path::new(&sidecar).display()
            )));
        }
    }
    let length = meta.len();
    if length < MIN_SEED_BYTES {
        return Err(invalid(format!(
            "The seed file {shown} has {length} bytes: a SQLite database file has at least \
             {MIN_SEED_BYTES}. Give the path of a SQLite database file."
        )));
    }
    if length > MAX_SEED_BYTES {
        return Err(invalid(format!(
            "The seed file {shown} has {length} bytes: the platform takes at most 2 GiB \
             ({MAX_SEED_BYTES} bytes). Seed from a smaller file and load the rest with SQL \
             (a `comwit_database_migration`, or the `comwit_database_execute` action)."
        )));
    }
    let mut header = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut header))
        .map_err(|e| {
            invalid(format!(
                "Cannot read the header of the seed file {shown}: {e}."
            ))
        })?;
    if &header != b"SQLite format 3\0" {
        return Err(invalid(format!(
            "The seed file {shown} is not a SQLite database file (its first bytes are not \
             `SQLite format 3`). To load a SQL dump, create a SQLite file from it first \
             (`sqlite3 out.sqlite < dump.sql`) and seed from that."
        )));
    }
    Ok(length)
}

/// The file's hex SHA-256, read in 1 MiB pieces.
pub(super) fn digest(path: &Path) -> Result<String, Diagnostic> {
    let mut file = std::fs::File::open(path).map_err(|e| {
        invalid(format!(
            "Cannot read the seed file {}: {e}.",
            path.display()
        ))
    })?;
    let mut context = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(|e| {
            invalid(format!(
                "Cannot read the seed file {}: {e}.",
                path.display()
            ))
        })?;
        if n == 0 {
            break;
        }
        context.update(&buf[..n]);
    }
    Ok(hex::encode(context.finish().as_ref()))
}

/// The preflight and the digest: what the plan shows.
pub(super) fn inspect(path: &Path) -> Result<SeedFile, Diagnostic> {
    let length = preflight(path)?;
    Ok(SeedFile {
        length,
        sha256: digest(path)?,
    })
}

/// SQLite's own checks of the file, opened read-only as immutable (the CLI's local checks):
/// a file that fails them would fail on the platform after its upload.
fn local_checks(path: &Path) -> Result<(), Diagnostic> {
    use rusqlite::OpenFlags;
    let shown = path.display();
    let uri = format!(
        "file:{}?immutable=1&mode=ro",
        path.to_string_lossy()
            .replace('%', "%25")
            .replace('?', "%3f")
            .replace('#', "%23")
    );
    let conn = rusqlite::Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(|e| {
        invalid(format!(
            "Cannot open the seed file {shown} with SQLite: {e}."
        ))
    })?;
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| invalid(format!("SQLite's integrity check of {shown} failed: {e}.")))?;
    if integrity.trim() != "ok" {
        return Err(invalid(format!(
            "SQLite's integrity check of {shown} failed ({}): the file may be corrupt. Repair \
             it (for example `sqlite3 {shown} \".recover\" | sqlite3 fixed.sqlite`) and seed \
             from the result.",
            integrity.trim()
        )));
    }
    let violation = conn
        .prepare("PRAGMA foreign_key_check")
        .and_then(|mut s| s.query([])?.next().map(|r| r.is_some()))
        .map_err(|e| {
            invalid(format!(
                "SQLite's foreign key check of {shown} failed: {e}."
            ))
        })?;
    if violation {
        return Err(invalid(format!(
            "{shown} has rows that break its foreign keys (`PRAGMA foreign_key_check` lists \
             them): the platform refuses such a seed. Fix the rows and seed again."
        )));
    }
    Ok(())
}

/// Configuration checks: `seed_file` and `restore_from` exclude each other. The file itself is
/// checked when the plan is made ([`plan_seed`]): only a create needs it.
pub(super) fn check_config(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    let seeded = config.get("seed_file").is_some_and(|v| !v.is_null());
    if seeded && config.get("restore_from").is_some_and(|v| !v.is_null()) {
        d.push(invalid(
            "`seed_file` and `restore_from` both say what a new database starts with: set \
             one of them."
                .to_string(),
        ));
    }
    d
}

/// Plans `seed_file_sha256` (the file's digest now) and what a change of it means: another
/// file content replaces a database that was seeded; everything else changes only the state.
pub(super) fn plan_seed(plan: &mut PlanRequest) -> Diagnostics {
    let sha = "seed_file_sha256";
    if plan.planned_state.is_null() {
        return Diagnostics::new();
    }
    let prior = plan
        .prior_state
        .get(sha)
        .cloned()
        .filter(|_| !plan.prior_state.is_null())
        .unwrap_or(Value::Null);
    let mut d = Diagnostics::new();
    let planned = match plan.planned_state.get("seed_file") {
        Some(Value::Unknown) => Value::Unknown,
        Some(Value::String(path)) => match inspect(Path::new(path)) {
            Ok(file) => Value::string(file.sha256),
            // A create needs the file. An existing database does not (the seed is create-time
            // only): without a readable file there is nothing to compare, and nothing changes.
            Err(e) if plan.prior_state.is_null() => return e.into(),
            Err(e) => {
                d.push(
                    Diagnostic::warning(
                        "Seed file not checked",
                        format!(
                            "{} The database exists, so the seed file is not needed now; \
                             `seed_file_sha256` keeps the digest of the file it was seeded \
                             from, and a file with other content would replace the database.",
                            e.detail
                        ),
                    )
                    .with_attribute(seed_path()),
                );
                prior.clone()
            }
        },
        _ => Value::Null,
    };
    if !prior.is_null() && !planned.is_null() && prior != planned {
        plan.requires_replace.push(AttributePath::new(sha));
    }
    crate::provider::common::set_attr(&mut plan.planned_state, sha, planned);
    d
}

impl DatabaseResource {
    /// Creates the database `planned` names from its `seed_file`: the database as the
    /// platform first shows it and the one-time token the answer gave, once the seed
    /// operation succeeded. From the upload session on, a failure keeps the database in the
    /// state (tainted).
    pub(super) async fn seed(
        &self,
        ctx: &mut Ctx,
        client: &Client,
        planned: &DatabaseModel,
        path: &str,
        limit: Duration,
    ) -> Result<(crate::api::models::Database, Option<String>), Diagnostics> {
        let started = Instant::now();
        let (project, name) = (planned.project_id.as_str(), planned.name.as_str());
        let file_path = Path::new(path).to_path_buf();
        let checked = {
            let p = file_path.clone();
            tokio::task::spawn_blocking(move || {
                inspect(&p).and_then(|f| local_checks(&p).map(|_| f))
            })
            .await
            .map_err(|e| Diagnostic::error("Seed check failed", e.to_string()))??
        };
        if let Some(planned_sha) = &planned.seed_file_sha256 {
            if *planned_sha != checked.sha256 {
                return Err(invalid(format!(
                    "The seed file {path} changed between the plan and the apply (its SHA-256 \
                     was {planned_sha}, now {}). Nothing was created: run `terraform apply` \
                     again to plan with the file as it is.",
                    checked.sha256
                ))
                .into());
            }
        }
        let what = format!("create the database {name:?} from the seed file {path}");
        let created = call(
            ctx,
            client.create_seeded_database(project, name, checked.length, &checked.sha256),
        )
        .await
        .map_err(|e| seed_api_error(&what, &e))?;
        let db = crate::api::models::Database {
            database_id: created.database_id.clone(),
            project_id: project.to_string(),
            name: created.name.clone().unwrap_or_else(|| name.to_string()),
            database_url: created.database_url.clone(),
            status: created
                .status
                .clone()
                .unwrap_or_else(|| super::database_wait::CREATING.to_string()),
        };
        let token = created
            .database_token
            .as_ref()
            .map(|t| t.expose().to_string());
        ctx.partial_state = Some(self.state(DatabaseModel {
            database_token: token.clone(),
            ..planned.with_remote(db.clone())
        })?);
        let op = self
            .land_upload(
                ctx, client, project, &created, &file_path, &checked, started, limit,
            )
            .await?;
        let waited = super::database_restore::Waited {
            what: format!(
                "The seed of the database {:?} ({})",
                db.name, db.database_id
            ),
            hint: "check the file with `sqlite3 <file> \"PRAGMA integrity_check\"`, or seed \
                   from another `seed_file`",
        };
        self.wait_operation(
            ctx,
            client,
            project,
            &db.database_id,
            op,
            &waited,
            started,
            limit,
        )
        .await?;
        Ok((db, token))
    }

    /// Uploads the file unless the session's operation says it landed already: the operation
    /// as it stands once the file is in.
    #[allow(clippy::too_many_arguments)]
    async fn land_upload(
        &self,
        ctx: &Ctx,
        client: &Client,
        project: &str,
        created: &DatabaseCreated,
        file: &Path,
        checked: &SeedFile,
        started: Instant,
        limit: Duration,
    ) -> Result<Operation, Diagnostics> {
        let database_id = &created.database_id;
        let Some(mut op) = created.operation.clone() else {
            return Err(unexpected(
                "the platform's answer to the seeded create has no `operation`",
            ));
        };
        // A replay shows the session as it first was: read where it is now.
        if !created.created {
            op = self
                .read_operation(ctx, client, project, database_id, op)
                .await?;
        }
        let Some(upload_path) = created.upload_path.clone().filter(|p| !p.is_empty()) else {
            return match op.status.as_str() {
                s if seeds::upload_landed(s) => Ok(op),
                _ => Err(unexpected(
                    "the platform's answer to the seeded create has no `upload_path`",
                )),
            };
        };
        let mut last_error: Option<ApiError> = None;
        for attempt in 1..=UPLOAD_TRIES {
            if seeds::upload_landed(&op.status) {
                return Ok(op);
            }
            if !op.status.eq_ignore_ascii_case(AWAITING_UPLOAD) {
                return Err(unexpected(&format!(
                    "the seed operation {} is {:?}, neither awaiting its upload nor past it",
                    op.operation_id, op.status
                )));
            }
            let left = limit.saturating_sub(started.elapsed());
            if left.is_zero() {
                break;
            }
            let sent = Arc::new(AtomicU64::new(0));
            let progress = progress_reporter(sent.clone(), checked.length, op.operation_id.clone());
            tracing::info!(
                operation = %op.operation_id,
                bytes = checked.length,
                attempt,
                "seed upload started"
            );
            let result = call(
                ctx,
                client.upload_seed(&upload_path, file, checked.length, left, sent.clone()),
            )
            .await;
            progress.abort();
            match result {
                Ok(next) => {
                    tracing::info!(operation = %op.operation_id, status = %next.status, "seed upload done");
                    if next.operation_id.is_empty() {
                        op.status = next.status;
                    } else {
                        op = next;
                    }
                    if !seeds::upload_landed(&op.status) {
                        return Err(unexpected(&format!(
                            "the upload was answered with the operation status {:?}",
                            op.status
                        )));
                    }
                    return Ok(op);
                }
                Err(ApiError::Cancelled) => return Err(cancelled()),
                Err(e) => {
                    let in_progress = e.as_status().is_some_and(|s| {
                        s.status == 409 && s.code.eq_ignore_ascii_case("SEED_UPLOAD_IN_PROGRESS")
                    });
                    let definitive = e
                        .status()
                        .is_some_and(|s| (400..500).contains(&s) && s != 408 && s != 429);
                    tracing::info!(
                        operation = %op.operation_id,
                        attempt,
                        error = %e,
                        "seed upload attempt failed"
                    );
                    if definitive && !(in_progress && attempt > 1) {
                        return Err(seed_api_error("upload the seed file", &e));
                    }
                    // The file may have landed: the operation tells.
                    let wait =
                        Duration::from_secs([1u64, 2, 5, 10, 10][(attempt - 1) as usize % 5]);
                    if in_progress && !ctx.stop.sleep(wait).await {
                        return Err(cancelled());
                    }
                    op = self
                        .read_operation(ctx, client, project, database_id, op)
                        .await?;
                    if !in_progress
                        && op.status.eq_ignore_ascii_case(AWAITING_UPLOAD)
                        && attempt < UPLOAD_TRIES
                        && !ctx.stop.sleep(wait).await
                    {
                        return Err(cancelled());
                    }
                    last_error = Some(e);
                }
            }
        }
        if seeds::upload_landed(&op.status) {
            return Ok(op);
        }
        let cause = last_error
            .map(|e| format!(" The last try: {e}."))
            .unwrap_or_default();
        Err(Diagnostic::error(
            "Seed upload did not complete",
            format!(
                "The seed file was not accepted after {UPLOAD_TRIES} tries (operation {}, still \
                 `{}`).{cause} The new database is kept in the state, marked tainted: the next \
                 apply replaces it (with `deletion_protection = false`).",
                op.operation_id, op.status
            ),
        )
        .into())
    }

    /// The operation read now; a read that fails keeps the last known one only for transient
    /// errors (lost answers, 5xx), which the client already retried.
    async fn read_operation(
        &self,
        ctx: &Ctx,
        client: &Client,
        project: &str,
        database_id: &str,
        op: Operation,
    ) -> Result<Operation, Diagnostics> {
        match call(
            ctx,
            client.get_operation(project, database_id, &op.operation_id),
        )
        .await
        {
            Ok(next) => Ok(next),
            Err(ApiError::Cancelled) => Err(cancelled()),
            Err(e) => Err(api_error(
                &format!(
                    "read the seed operation {} (whether the upload landed is unknown)",
                    op.operation_id
                ),
                &e,
            )),
        }
    }
}

/// Logs the upload's progress every two seconds while it runs.
fn progress_reporter(
    sent: Arc<AtomicU64>,
    total: u64,
    operation: String,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        tick.tick().await;
        loop {
            tick.tick().await;
            let done = sent.load(Ordering::Relaxed);
            tracing::info!(
                operation = %operation,
                sent = done,
                total,
                percent = format!("{:.1}", done as f64 * 100.0 / total.max(1) as f64),
                "seed upload progress"
            );
        }
    })
}

fn cancelled() -> Diagnostics {
    Diagnostic::error(
        "Operation cancelled",
        "Stopped while a seed file was uploaded; the new database is kept in the state, marked \
         tainted.",
    )
    .into()
}

fn unexpected(what: &str) -> Diagnostics {
    Diagnostic::error(
        "Unexpected answer to a seed",
        format!(
            "Could not seed the database: {what}. The new database (if any) is kept in the \
             state, marked tainted. This is a platform change the provider does not know: \
             please report it."
        ),
    )
    .into()
}

/// The platform's seed error codes, said as the official CLI says them.
fn seed_code_message(code: &str) -> Option<&'static str> {
    Some(match code.to_ascii_uppercase().as_str() {
        "TENANT_SEED_TARGET_EXISTS" => "a database with this name already exists",
        "IDEMPOTENCY_MISMATCH" => {
            "this idempotency key was already used with different database creation parameters"
        }
        "SEED_FILE_TOO_SMALL" => {
            "the file is too small to be a SQLite database (minimum 100 bytes)"
        }
        "SEED_FILE_TOO_LARGE" => "the SQLite file is too large (maximum 2 GiB)",
        "SEED_INTEGRITY_CHECK_FAILED" => "the SQLite file failed its integrity check",
        "SEED_FOREIGN_KEY_CHECK_FAILED" => "the SQLite file contains foreign key violations",
        "SEED_UPLOAD_EXPIRED" => "the upload session expired",
        "SEED_LENGTH_MISMATCH" => "the uploaded byte count did not match the file's size",
        "SEED_DIGEST_MISMATCH" => {
            "the uploaded bytes did not match the file's SHA-256 (did the file change?)"
        }
        "SEED_CONTENT_ALREADY_FIXED" => "other content was already uploaded for this operation",
        "SEED_UPLOAD_IN_PROGRESS" => "another upload is in progress for this operation",
        "SEED_UPLOAD_CAPACITY_EXHAUSTED" | "SEED_STAGING_QUOTA_EXHAUSTED" => {
            "the platform's upload capacity is used up for now; apply again later"
        }
        _ => return None,
    })
}

/// An API error of the seed flow, with the platform's code explained where it is known.
fn seed_api_error(what: &str, e: &ApiError) -> Diagnostics {
    let d = api_error(what, e);
    let Some(meaning) = e.as_status().and_then(|s| seed_code_message(&s.code)) else {
        return d;
    };
    d.into_iter()
        .map(|mut diag| {
            diag.detail = format!("{} ({meaning}.)", diag.detail);
            if e.is_conflict() {
                diag = diag.with_attribute(AttributePath::new("name"));
            } else {
                diag = diag.with_attribute(seed_path());
            }
            diag
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite_file(dir: &Path, name: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        drop(conn);
        path
    }

    #[test]
    fn a_sqlite_file_passes_and_others_are_refused_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let good = sqlite_file(dir.path(), "good.sqlite");
        let file = inspect(&good).unwrap();
        assert_eq!(file.length, std::fs::metadata(&good).unwrap().len());
        assert_eq!(file.sha256.len(), 64);
        local_checks(&good).unwrap();

        let text = dir.path().join("dump.sql");
        std::fs::write(&text, "CREATE TABLE t (x);\n".repeat(20)).unwrap();
        let e = preflight(&text).unwrap_err();
        assert!(
            e.detail.contains("not a SQLite database file"),
            "{}",
            e.detail
        );

        let small = dir.path().join("small.sqlite");
        std::fs::write(&small, b"SQLite format 3\0").unwrap();
        assert!(preflight(&small)
            .unwrap_err()
            .detail
            .contains("at least 100"));

        std::fs::write(dir.path().join("good.sqlite-wal"), b"x").unwrap();
        let e = preflight(&good).unwrap_err();
        assert!(e.detail.contains(".backup"), "{}", e.detail);

        let e = preflight(&dir.path().join("missing.sqlite")).unwrap_err();
        assert!(e.detail.contains("path.module"), "{}", e.detail);
        assert_eq!(e.attribute, Some(seed_path()));
    }

    #[test]
    fn a_corrupt_file_fails_the_local_checks() {
        let dir = tempfile::tempdir().unwrap();
        let path = sqlite_file(dir.path(), "bad.sqlite");
        let mut bytes = std::fs::read(&path).unwrap();
        let page = bytes.len() / 2;
        for b in &mut bytes[page..page + 200] {
            *b = 0xA5;
        }
        std::fs::write(&path, bytes).unwrap();
        assert!(local_checks(&path).is_err());
    }

    #[test]
    fn a_changed_digest_replaces_and_a_moved_file_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let a = sqlite_file(dir.path(), "a.sqlite");
        let sha = digest(&a).unwrap();
        let state = |path: &Path, sha: &str| {
            Value::object([
                ("seed_file", Value::string(path.to_string_lossy())),
                ("seed_file_sha256", Value::string(sha)),
            ])
        };
        let plan = |prior: Value, planned: Value| PlanRequest {
            prior_state: prior,
            config: Value::Null,
            planned_state: planned,
            requires_replace: Vec::new(),
        };
        // The same content: nothing to replace; the digest is planned.
        let mut p = plan(state(&a, &sha), state(&a, "stale"));
        assert!(plan_seed(&mut p).is_empty());
        assert!(p.requires_replace.is_empty());
        assert_eq!(
            p.planned_state.get("seed_file_sha256"),
            Some(&Value::string(&sha))
        );
        // Other content: a replacement.
        let b = dir.path().join("b.sqlite");
        let conn = rusqlite::Connection::open(&b).unwrap();
        conn.execute_batch("CREATE TABLE other (y);").unwrap();
        drop(conn);
        let mut p = plan(state(&a, &sha), state(&b, ""));
        assert!(plan_seed(&mut p).is_empty());
        assert_eq!(p.requires_replace, [AttributePath::new("seed_file_sha256")]);
        // The file gone from an existing database: a warning, the digest kept.
        let mut p = plan(state(&a, &sha), state(&dir.path().join("gone.sqlite"), ""));
        let d = plan_seed(&mut p);
        assert!(!d.has_errors() && !d.is_empty(), "{d:?}");
        assert_eq!(
            p.planned_state.get("seed_file_sha256"),
            Some(&Value::string(&sha))
        );
        assert!(p.requires_replace.is_empty());
        // A create needs it.
        let mut p = plan(Value::Null, state(&dir.path().join("gone.sqlite"), ""));
        assert!(plan_seed(&mut p).has_errors());
        // No digest in the prior state (imported): only recorded.
        let mut p = plan(
            Value::object([("seed_file_sha256", Value::Null)]),
            state(&b, ""),
        );
        assert!(plan_seed(&mut p).is_empty());
        assert!(p.requires_replace.is_empty());
    }

    #[test]
    fn seed_and_restore_are_exclusive() {
        let config = Value::object([
            ("seed_file", Value::string("/nowhere.sqlite")),
            (
                "restore_from",
                Value::object([("database_id", Value::string("db-1"))]),
            ),
        ]);
        let d = check_config(&config);
        assert!(format!("{d:?}").contains("set one of them"), "{d:?}");
    }
}
