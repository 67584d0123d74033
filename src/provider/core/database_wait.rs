//! Waiting for a new database to leave `creating` (the platform's next status is `cold`):
//! polling its project's list with a growing interval, bounded by the create timeout and ended
//! early when Terraform asks the provider to stop.

use std::time::Duration;

use tokio::time::Instant;

use crate::api::models::Database;
use crate::api::{ApiError, Client};
use crate::provider::common::call;
use crate::tfplugin::resource::Ctx;

/// The only status waited out: any other (`cold`, or one this provider does not know) means
/// the database is provisioned. `deleted` is reported by the list read as gone (404).
pub(super) use crate::api::databases::CREATING;

const FIRST_DELAY: Duration = Duration::from_millis(200);
const MAX_DELAY: Duration = Duration::from_secs(5);

/// Why the wait ended while the database was still `creating`.
#[derive(Debug)]
pub(super) enum WaitError {
    /// Still not ready when the timeout passed; the last answer.
    TimedOut(Database),
    /// Terraform asked the provider to stop; the last answer.
    Stopped(Database),
    /// A poll failed (after the client's own retries).
    Api(ApiError),
}

/// The delay before poll number `attempt` (0-based): 200 ms, growing by half each time, at
/// most 5 s. Provisioning usually takes about a second, so the first polls come quickly and a
/// slow one does not flood the API.
pub(super) fn poll_delay(attempt: u32) -> Duration {
    let grown = FIRST_DELAY.as_secs_f64() * 1.5f64.powi(attempt.min(32) as i32);
    Duration::from_secs_f64(grown.min(MAX_DELAY.as_secs_f64()))
}

/// Polls the database `db` (as the create answered it) while its status is `creating`, for at
/// most `timeout`.
pub(super) async fn until_created(
    ctx: &Ctx,
    client: &Client,
    db: Database,
    timeout: Duration,
) -> Result<Database, WaitError> {
    let deadline = Instant::now() + timeout;
    let mut last = db;
    let mut attempt = 0;
    while last.status == CREATING {
        let now = Instant::now();
        if now >= deadline {
            return Err(WaitError::TimedOut(last));
        }
        let delay = poll_delay(attempt).min(deadline - now);
        attempt += 1;
        if !ctx.stop.sleep(delay).await {
            return Err(WaitError::Stopped(last));
        }
        last = match call(
            ctx,
            client.get_database(&last.project_id, &last.database_id),
        )
        .await
        {
            Ok(db) => db,
            Err(ApiError::Cancelled) => return Err(WaitError::Stopped(last)),
            Err(e) => return Err(WaitError::Api(e)),
        };
    }
    Ok(last)
}

/// "10m", "1m30s", "45s", "1.5s": a timeout as users write it in `timeouts`.
pub(super) fn describe(d: Duration) -> String {
    let secs = d.as_secs();
    if d.subsec_millis() != 0 || secs == 0 {
        return format!("{}s", d.as_secs_f64());
    }
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 {
        out.push_str(&format!("{s}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ClientOptions;
    use crate::tfplugin::resource::{ClientInfo, StopSignal};
    use std::sync::Arc;

    #[test]
    fn delays_grow_and_are_capped() {
        assert_eq!(poll_delay(0), Duration::from_millis(200));
        assert_eq!(poll_delay(1), Duration::from_millis(300));
        let mut previous = Duration::ZERO;
        for attempt in 0..40 {
            let d = poll_delay(attempt);
            assert!(d >= previous && d <= MAX_DELAY);
            previous = d;
        }
        assert_eq!(poll_delay(1000), MAX_DELAY);
    }

    #[test]
    fn durations_read_like_timeouts() {
        assert_eq!(describe(Duration::from_secs(600)), "10m");
        assert_eq!(describe(Duration::from_secs(90)), "1m30s");
        assert_eq!(describe(Duration::from_secs(3600)), "1h");
        assert_eq!(describe(Duration::from_millis(1500)), "1.5s");
    }

    fn provisioning() -> Database {
        Database {
            database_id: "db-0123".into(),
            project_id: "p-0123".into(),
            name: "main".into(),
            database_url: "https://db.example/v1/t-1".into(),
            status: CREATING.into(),
        }
    }

    fn unreachable_client() -> Client {
        // Port 9 on loopback: nothing listens, and no test here gets as far as a request.
        Client::new(ClientOptions::new(
            "http://127.0.0.1:9",
            "cwt_0123456789abcdef",
        ))
        .unwrap()
    }

    #[tokio::test]
    async fn a_created_database_needs_no_poll() {
        let (_tx, stop) = StopSignal::new();
        let ctx = Ctx::new(stop, Arc::new(ClientInfo::default()), Vec::new());
        let mut db = provisioning();
        db.status = "cold".into();
        let got = until_created(&ctx, &unreachable_client(), db.clone(), Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(got, db);
    }

    #[tokio::test]
    async fn a_zero_timeout_times_out_with_the_last_status() {
        let (_tx, stop) = StopSignal::new();
        let ctx = Ctx::new(stop, Arc::new(ClientInfo::default()), Vec::new());
        let err = until_created(&ctx, &unreachable_client(), provisioning(), Duration::ZERO)
            .await
            .unwrap_err();
        assert!(matches!(err, WaitError::TimedOut(db) if db.status == CREATING));
    }

    #[tokio::test]
    async fn a_stop_ends_the_wait_at_once() {
        let (tx, stop) = StopSignal::new();
        let ctx = Ctx::new(stop, Arc::new(ClientInfo::default()), Vec::new());
        tx.send(true).unwrap();
        let started = std::time::Instant::now();
        let err = until_created(
            &ctx,
            &unreachable_client(),
            provisioning(),
            Duration::from_secs(600),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, WaitError::Stopped(_)), "{err:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
