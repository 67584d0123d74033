//! Identifiers, secrets, digests and timestamps.

use aws_lc_rs::digest;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use time::OffsetDateTime;

/// `n` random bytes from the system's CSPRNG.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    SystemRandom::new()
        .fill(&mut buf)
        .expect("the system random number generator failed");
    buf
}

/// A random number in `[0, 1)`.
pub fn random_unit() -> f64 {
    let b = random_bytes(8);
    let v = u64::from_le_bytes(b.try_into().expect("8 bytes"));
    (v >> 11) as f64 / (1u64 << 53) as f64
}

/// A new identifier: `prefix` + `_` + 16 lowercase hex digits.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", hex::encode(random_bytes(8)))
}

/// Whether `s` is `prefix_` followed by exactly 16 lowercase hex digits.
pub fn is_id(s: &str, prefix: &str) -> bool {
    match s.strip_prefix(prefix).and_then(|r| r.strip_prefix('_')) {
        Some(hexpart) => hexpart.len() == 16 && is_lower_hex(hexpart),
        None => false,
    }
}

/// The 16 hex digits of an identifier.
pub fn id_hex(id: &str) -> &str {
    id.rsplit('_').next().unwrap_or(id)
}

pub fn is_lower_hex(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A new user token secret: `cwt_` + 64 hex digits.
pub fn new_token_secret() -> String {
    format!("cwt_{}", hex::encode(random_bytes(32)))
}

/// Whether `s` has the shape of a token secret.
pub fn is_token_secret(s: &str) -> bool {
    s.strip_prefix("cwt_")
        .is_some_and(|h| h.len() == 64 && is_lower_hex(h))
}

pub fn sha256(data: &[u8]) -> [u8; 32] {
    let d = digest::digest(&digest::SHA256, data);
    d.as_ref().try_into().expect("32 bytes")
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(sha256(data))
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// RFC 3339 UTC, second precision, `Z` suffix.
pub fn rfc3339(ms: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    t.format(&f)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

pub fn now_rfc3339() -> String {
    rfc3339(now_ms())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_documented_shape() {
        let id = new_id("prj");
        assert!(is_id(&id, "prj"), "{id}");
        assert!(!is_id(&id, "app"));
        assert!(!is_id("prj_0123456789ABCDEF", "prj"));
        assert!(is_token_secret(&new_token_secret()));
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        let u = random_unit();
        assert!((0.0..1.0).contains(&u));
    }
}
