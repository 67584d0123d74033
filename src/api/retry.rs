//! Which failed requests are retried, and how long to wait before the next attempt.
//!
//! A request is retried when the failure is transient (the platform or the network may answer
//! differently a moment later) and sending it again cannot do the work twice: the method is
//! idempotent, or the POST carries an `Idempotency-Key` so the platform replays the first answer.

use std::time::Duration;

use reqwest::Method;

/// What an attempt ended with, as far as retrying is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The platform answered with this error status.
    Status(u16),
    /// The connection could not be opened: the request never left.
    Connect,
    /// The request timed out, or the connection broke after it was sent.
    Lost,
}

/// Why `failure` is worth another attempt, or None when it is final.
pub(crate) fn retry_reason(
    method: &Method,
    has_key: bool,
    failure: Failure,
) -> Option<&'static str> {
    // A request that never reached the platform did nothing: safe to send again, whatever it is.
    if failure == Failure::Connect {
        return Some("connection failed");
    }
    // A 429 is a refusal before any work: as safe to send again.
    if failure == Failure::Status(429) {
        return Some("rate limited (429)");
    }
    let repeatable = has_key
        || matches!(
            *method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::PATCH
        );
    if !repeatable {
        return None;
    }
    match failure {
        Failure::Connect => Some("connection failed"),
        Failure::Lost => Some("no answer (timeout or connection lost)"),
        Failure::Status(429) => Some("rate limited (429)"),
        Failure::Status(408) => Some("request timeout (408)"),
        // 501 says the platform does not implement the request: it will not start to.
        Failure::Status(501) => None,
        Failure::Status(s) if (500..600).contains(&s) => Some("server error (5xx)"),
        Failure::Status(_) => None,
    }
}

/// The delay before retry number `attempt` (0 for the first retry): exponential backoff with
/// full jitter, a uniformly random delay between zero and `base * 2^attempt`, capped. A
/// `Retry-After` the platform sent is a floor.
pub(crate) fn delay(
    base: Duration,
    cap: Duration,
    attempt: u32,
    retry_after: Option<Duration>,
) -> Duration {
    let ceiling = base.saturating_mul(1u32 << attempt.min(20)).min(cap);
    let jittered = ceiling.mul_f64(random_unit());
    match retry_after {
        // A little spread on top, so that callers told the same second do not all come back
        // at once.
        Some(after) => after + jittered.min(base),
        None => jittered,
    }
}

/// A uniform random number in [0, 1).
fn random_unit() -> f64 {
    let mut bytes = [0u8; 8];
    let _ = aws_lc_rs::rand::fill(&mut bytes);
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_statuses_retry_for_repeatable_methods() {
        for method in [Method::GET, Method::PUT, Method::DELETE, Method::PATCH] {
            for status in [429, 500, 502, 503, 504, 599, 408] {
                assert!(
                    retry_reason(&method, false, Failure::Status(status)).is_some(),
                    "{method} {status}"
                );
            }
            assert!(retry_reason(&method, false, Failure::Lost).is_some());
        }
    }

    #[test]
    fn final_statuses_never_retry() {
        for status in [400, 401, 403, 404, 409, 413, 415, 422, 501] {
            for key in [false, true] {
                assert_eq!(
                    retry_reason(&Method::GET, key, Failure::Status(status)),
                    None,
                    "{status}"
                );
                assert_eq!(
                    retry_reason(&Method::POST, key, Failure::Status(status)),
                    None
                );
            }
        }
    }

    #[test]
    fn post_retries_only_with_a_key_unless_nothing_was_sent() {
        assert_eq!(
            retry_reason(&Method::POST, false, Failure::Status(500)),
            None
        );
        assert_eq!(retry_reason(&Method::POST, false, Failure::Lost), None);
        assert!(retry_reason(&Method::POST, false, Failure::Connect).is_some());
        assert!(retry_reason(&Method::POST, true, Failure::Status(500)).is_some());
        assert!(retry_reason(&Method::POST, true, Failure::Status(429)).is_some());
        assert!(retry_reason(&Method::POST, true, Failure::Lost).is_some());
    }

    #[test]
    fn delays_grow_are_capped_and_honour_retry_after() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(5);
        let mut saw_small = false;
        for attempt in 0..30 {
            let d = delay(base, cap, attempt, None);
            let ceiling = base.saturating_mul(1 << attempt.min(20)).min(cap);
            assert!(d <= ceiling, "attempt {attempt}: {d:?}");
            saw_small |= d < ceiling / 2;
        }
        assert!(saw_small, "full jitter reaches below half the ceiling");
        let after = Duration::from_secs(2);
        for attempt in 0..5 {
            let d = delay(base, cap, attempt, Some(after));
            assert!(d >= after && d <= after + base, "{d:?}");
        }
    }
}
