//! What to do with an operation's answer, and when to try again: pure rules.
//!
//! Invariant: an answer is sorted into exactly one bucket — done, try again later, sign in,
//! or needs the resident's attention — by its status and error code alone.

use std::time::Duration;

/// The first wait before a retry.
const BASE: Duration = Duration::from_secs(2);
/// The longest wait between retries.
pub const CAP: Duration = Duration::from_secs(15 * 60);
/// The longest `Retry-After` honoured.
pub const LONGEST_RETRY_AFTER: u64 = 24 * 3600;

/// The bucket an answer falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The council applied it (or had already): remove it from the outbox.
    Done,
    /// Not now: no network, a timeout, the council busy or failing. Keep it and back off.
    Retry,
    /// The council wants a sign-in: pause the whole queue, never park.
    Auth,
    /// The council refused it for good: park it until the resident fixes or discards it.
    Park,
}

/// Sort an answer. `status` 0 means no answer at all (no network, connection lost).
pub fn classify(status: u16, code: Option<&str>) -> Outcome {
    match status {
        200..=299 => Outcome::Done,
        0 | 408 | 429 | 500..=599 => Outcome::Retry,
        401 => Outcome::Auth,
        409 if matches!(
            code,
            Some("idempotency_key_in_progress" | "payment_in_progress")
        ) =>
        {
            Outcome::Retry
        }
        422 if code == Some("hash_mismatch") => Outcome::Retry,
        _ => Outcome::Park,
    }
}

/// How long to wait before attempt `attempts + 1`: exponential backoff with full jitter
/// (`unit` is a uniform random number in [0, 1)), capped, and never sooner than the server's
/// `Retry-After`.
pub fn backoff(attempts: u32, retry_after: Option<u64>, unit: f64) -> Duration {
    let ceiling = BASE
        .saturating_mul(2u32.saturating_pow(attempts.min(20)))
        .min(CAP);
    let jittered = ceiling.mul_f64(unit.clamp(0.0, 1.0));
    let asked = Duration::from_secs(retry_after.unwrap_or(0).min(LONGEST_RETRY_AFTER));
    jittered.max(asked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_fall_into_their_buckets() {
        assert_eq!(classify(201, None), Outcome::Done);
        assert_eq!(classify(0, None), Outcome::Retry);
        assert_eq!(classify(503, Some("busy")), Outcome::Retry);
        assert_eq!(classify(429, Some("rate_limited")), Outcome::Retry);
        assert_eq!(classify(408, None), Outcome::Retry);
        assert_eq!(
            classify(409, Some("idempotency_key_in_progress")),
            Outcome::Retry
        );
        assert_eq!(classify(401, Some("unauthorized")), Outcome::Auth);
        assert_eq!(classify(409, Some("slot_unavailable")), Outcome::Park);
        assert_eq!(classify(422, Some("validation_failed")), Outcome::Park);
        assert_eq!(classify(404, Some("not_found")), Outcome::Park);
        assert_eq!(classify(400, Some("malformed_json")), Outcome::Park);
    }

    #[test]
    fn backoff_grows_is_capped_and_honours_retry_after() {
        assert_eq!(backoff(0, None, 0.999), BASE.mul_f64(0.999));
        assert!(backoff(3, None, 0.999) > backoff(2, None, 0.999));
        assert_eq!(backoff(30, None, 1.0), CAP);
        assert_eq!(backoff(0, None, 0.0), Duration::ZERO);
        assert_eq!(backoff(0, Some(120), 0.5), Duration::from_secs(120));
        assert_eq!(
            backoff(0, Some(u64::MAX), 0.5),
            Duration::from_secs(LONGEST_RETRY_AFTER)
        );
    }

    #[test]
    fn full_jitter_spreads_retries_over_the_whole_window() {
        let waits: Vec<Duration> = (0..10)
            .map(|i| backoff(4, None, f64::from(i) / 10.0))
            .collect();
        assert_eq!(waits[0], Duration::ZERO);
        assert!(waits.windows(2).all(|w| w[0] < w[1]));
        assert!(waits[9] < BASE * 16);
    }
}
