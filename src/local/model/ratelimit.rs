//! The per-token rate limit (`--rate-limit N`): a token bucket of N requests per second with
//! bursts up to N, as the contract states in its `RateLimit-*` headers.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A token bucket per token: `rate` requests per second, bursts of up to `rate`.
pub struct RateLimiter {
    rate: f64,
    buckets: Mutex<HashMap<[u8; 32], (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_second: u32) -> RateLimiter {
        RateLimiter {
            rate: per_second.max(1) as f64,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The stated limit: requests per one-second window.
    pub fn limit(&self) -> u32 {
        self.rate as u32
    }

    /// `Ok(remaining)` if the request may go on, else the seconds to wait.
    pub fn check(&self, key: [u8; 32]) -> Result<u32, u64> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > 10_000 {
            buckets.retain(|_, (_, t)| now.duration_since(*t) < Duration::from_secs(60));
        }
        let (tokens, last) = buckets.entry(key).or_insert((self.rate, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * self.rate).min(self.rate);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(*tokens as u32)
        } else {
            Err(((1.0 - *tokens) / self.rate).ceil().max(1.0) as u64)
        }
    }
}
