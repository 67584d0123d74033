//! One request pace for every call a provider process makes with a token, learnt from the
//! platform: its `RateLimit-*` headers when it sends them, else from 429 answers.
//!
//! Terraform runs up to ten operations at once, each with its own calls; without a shared pace
//! they all run into the same limit at once and retry in step. The pacer is a token bucket in
//! front of every attempt: unlimited until the platform states (or shows) a limit.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;

/// The share of the platform's stated rate we allow ourselves: room for clock drift between the
/// two buckets and for other clients of the same token.
const HEADROOM: f64 = 0.9;

#[derive(Debug)]
struct State {
    /// Requests per second we allow ourselves; None while no limit is known.
    rate: Option<f64>,
    /// True once the rate came from the platform's headers (then 429s do not shrink it).
    stated: bool,
    tokens: f64,
    capacity: f64,
    refilled: Instant,
    /// After a 429: nobody sends before this.
    paused_until: Option<Instant>,
    /// When the recent requests left, to estimate a rate when a 429 arrives with no headers.
    recent: VecDeque<Instant>,
}

#[derive(Debug)]
pub(crate) struct Pacer {
    state: Mutex<State>,
}

impl Default for Pacer {
    fn default() -> Self {
        Pacer {
            state: Mutex::new(State {
                rate: None,
                stated: false,
                tokens: 0.0,
                capacity: 1.0,
                refilled: Instant::now(),
                paused_until: None,
                recent: VecDeque::new(),
            }),
        }
    }
}

impl Pacer {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until a request may leave.
    pub(crate) async fn acquire(&self) {
        loop {
            let wait = self.try_acquire(Instant::now());
            match wait {
                None => return,
                Some(wait) => tokio::time::sleep(wait).await,
            }
        }
    }

    /// None when a request may leave now (and counts it), else how long to wait first.
    fn try_acquire(&self, now: Instant) -> Option<Duration> {
        let mut s = self.lock();
        if let Some(until) = s.paused_until {
            if until > now {
                return Some(until - now);
            }
            s.paused_until = None;
        }
        let Some(rate) = s.rate else {
            s.note_sent(now);
            return None;
        };
        s.refill(now, rate);
        // A hair below one token counts as one: refills are computed in floating point.
        if s.tokens >= 1.0 - 1e-9 {
            s.tokens = (s.tokens - 1.0).max(0.0);
            s.note_sent(now);
            None
        } else {
            let wait = Duration::from_secs_f64((1.0 - s.tokens) / rate);
            Some(wait.max(Duration::from_millis(1)))
        }
    }

    /// Learns from an answer: its status, `Retry-After` and rate-limit headers.
    pub(crate) fn observe(&self, status: u16, headers: &HeaderMap, retry_after: Option<Duration>) {
        let now = Instant::now();
        let mut s = self.lock();
        if let Some((limit, window)) = stated_limit(headers) {
            let rate = (limit / window).max(0.1) * HEADROOM;
            if s.rate.is_none() {
                s.refilled = now;
                s.tokens = 0.0;
            }
            s.rate = Some(rate);
            s.stated = true;
            s.capacity = (rate / 2.0).max(1.0);
            if let Some(remaining) = header_f64(headers, "ratelimit-remaining") {
                // Other clients of the token may have spent what our bucket thinks is left.
                s.tokens = s.tokens.min(remaining.max(0.0));
            }
        }
        if status == 429 {
            let pause = retry_after.unwrap_or(Duration::from_secs(1));
            s.paused_until = Some(s.paused_until.map_or(now + pause, |u| u.max(now + pause)));
            s.tokens = 0.0;
            if !s.stated {
                // No stated limit: take a bit less than what was just too much.
                let shown = s.sent_in_last_second(now) as f64 * 0.7;
                let rate = match s.rate {
                    None => shown.max(1.0),
                    Some(r) => (r * 0.7).max(0.5),
                };
                s.rate = Some(rate);
                s.capacity = (rate / 2.0).max(1.0);
                s.refilled = now;
            }
        } else if !s.stated && (200..300).contains(&status) {
            // A learnt pace creeps back up while the platform keeps saying yes.
            if let Some(r) = s.rate {
                s.rate = Some(r * 1.01);
            }
        }
    }

    #[cfg(test)]
    fn rate(&self) -> Option<f64> {
        self.lock().rate
    }
}

impl State {
    fn refill(&mut self, now: Instant, rate: f64) {
        let elapsed = now.saturating_duration_since(self.refilled).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate).min(self.capacity);
        self.refilled = now;
    }

    fn note_sent(&mut self, now: Instant) {
        self.recent.push_back(now);
        while self.recent.len() > 1000 {
            self.recent.pop_front();
        }
    }

    fn sent_in_last_second(&mut self, now: Instant) -> usize {
        while self
            .recent
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) > Duration::from_secs(1))
        {
            self.recent.pop_front();
        }
        self.recent.len()
    }
}

fn header_f64(headers: &HeaderMap, name: &str) -> Option<f64> {
    headers
        .get(name)?
        .to_str()
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

/// `RateLimit-Limit: N` with `RateLimit-Policy: N;w=SECONDS` (window one second when absent).
fn stated_limit(headers: &HeaderMap) -> Option<(f64, f64)> {
    let limit = header_f64(headers, "ratelimit-limit").filter(|l| *l > 0.0)?;
    let window = headers
        .get("ratelimit-policy")
        .and_then(|v| v.to_str().ok())
        .and_then(|policy| {
            policy
                .split(';')
                .find_map(|part| part.trim().strip_prefix("w="))
                .and_then(|w| w.trim().parse::<f64>().ok())
        })
        .filter(|w| *w > 0.0)
        .unwrap_or(1.0);
    Some((limit, window))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn unlimited_until_told() {
        let p = Pacer::default();
        let now = Instant::now();
        for _ in 0..100 {
            assert_eq!(p.try_acquire(now), None);
        }
    }

    #[test]
    fn stated_limit_paces_below_it() {
        let p = Pacer::default();
        p.observe(
            200,
            &headers(&[("ratelimit-limit", "20"), ("ratelimit-policy", "20;w=1")]),
            None,
        );
        assert_eq!(p.rate(), Some(18.0));
        // Over ten simulated seconds at most rate * 10 + capacity requests leave.
        let start = Instant::now();
        let mut sent = 0;
        let mut t = start;
        while t < start + Duration::from_secs(10) {
            match p.try_acquire(t) {
                None => sent += 1,
                Some(wait) => t += wait,
            }
        }
        assert!((170..=190).contains(&sent), "{sent}");
    }

    #[test]
    fn a_429_pauses_everyone_and_learns_a_rate() {
        let p = Pacer::default();
        let now = Instant::now();
        for _ in 0..30 {
            assert_eq!(p.try_acquire(now), None);
        }
        p.observe(429, &HeaderMap::new(), Some(Duration::from_secs(1)));
        let rate = p.rate().expect("a learnt rate");
        assert!(rate > 1.0 && rate <= 21.0, "{rate}");
        let wait = p.try_acquire(Instant::now()).expect("paused");
        assert!(wait > Duration::from_millis(900), "{wait:?}");
    }

    #[test]
    fn remaining_zero_empties_the_bucket() {
        let p = Pacer::default();
        let h = headers(&[("ratelimit-limit", "10"), ("ratelimit-remaining", "0")]);
        p.observe(200, &h, None);
        assert!(p.try_acquire(Instant::now()).is_some());
    }
}
