//! What to do with an operation's answer, and when to try again: pure rules.
//!
//! Invariant: an answer is sorted into exactly one bucket — done, try again later, sign in,
//! or needs the resident's attention — by its status and error code alone; what the device
//! judges without an answer (none came, a photo is gone, the council's system does not take
//! it) is a verdict of its own, never an answer made up to look like the council's.

use std::time::Duration;

use serde_json::Value;

use super::Problem;
use crate::client::Answer;

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
    /// The council wants a sign-in: pause the whole queue; it never needs the resident's
    /// attention for that.
    Auth,
    /// The council refused it for good: it needs the resident's attention until they fix or
    /// discard it.
    NeedsAttention,
}

/// What is to become of one operation, as the record step acts on it.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The council applied it (or had already): it leaves the outbox. `copy` is the council's
    /// copy of the item when the answer carried one; `change` the change-feed entry that
    /// carries that copy, when the council named it.
    Done {
        copy: Option<Value>,
        change: Option<u64>,
    },
    /// Not now: it stays, and is tried again after its backoff, and never before `retry_after`
    /// seconds when the council asked for that. `problem` is what the resident is told meanwhile.
    RetryAfter {
        retry_after: Option<u64>,
        problem: Problem,
    },
    /// Refused for good: it needs the resident's attention (fix it or discard it).
    NeedsAttention(Problem),
    /// The council refused the token: the queue waits for a sign-in (or a new registration).
    SignIn,
}

impl Verdict {
    /// The verdict of the council's answer, `change` the feed entry it named.
    pub fn of(answer: Answer, change: Option<u64>) -> Verdict {
        match classify(answer.status, answer.code()) {
            Outcome::Done => Verdict::Done {
                copy: answer.body.get("id").is_some().then_some(answer.body),
                change,
            },
            Outcome::Retry => Verdict::RetryAfter {
                retry_after: answer.retry_after,
                problem: Problem::of(&answer),
            },
            Outcome::Auth => Verdict::SignIn,
            Outcome::NeedsAttention => Verdict::NeedsAttention(Problem::of(&answer)),
        }
    }

    /// No answer to go by (none came, or it could not be read): try again later.
    pub fn no_answer(code: &str, message: impl Into<String>) -> Verdict {
        Verdict::RetryAfter {
            retry_after: None,
            problem: Problem::on_device(code, message),
        }
    }

    /// Judged on the device: it cannot go as it is.
    pub fn needs_attention(code: &str, message: impl Into<String>) -> Verdict {
        Verdict::NeedsAttention(Problem::on_device(code, message))
    }

    /// Does it leave the waiting state once recorded (done, or refused for good)?
    pub fn is_final(&self) -> bool {
        matches!(self, Verdict::Done { .. } | Verdict::NeedsAttention(_))
    }
}

impl Problem {
    /// What the council's refusal says.
    pub fn of(answer: &Answer) -> Problem {
        let error = &answer.body["error"];
        Problem {
            status: answer.status,
            code: error["code"].as_str().unwrap_or("refused").to_owned(),
            message: answer.message(),
            field: error["field"].as_str().map(str::to_owned),
            alternatives: serde_json::from_value(error["alternatives"].clone()).unwrap_or_default(),
        }
    }

    /// A problem the device found itself: no status, since no council answered.
    pub fn on_device(code: &str, message: impl Into<String>) -> Problem {
        Problem {
            status: 0,
            code: code.to_owned(),
            message: message.into(),
            field: None,
            alternatives: Vec::new(),
        }
    }
}

/// Sort an answer. `status` 0 means no answer at all (no network, connection lost).
pub fn classify(status: u16, code: Option<&str>) -> Outcome {
    match status {
        200..=299 => Outcome::Done,
        401 => Outcome::Auth,
        _ if doorstep_protocol::rules::is_temporary(status, code) => Outcome::Retry,
        _ => Outcome::NeedsAttention,
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
        assert_eq!(
            classify(409, Some("slot_unavailable")),
            Outcome::NeedsAttention
        );
        assert_eq!(
            classify(422, Some("validation_failed")),
            Outcome::NeedsAttention
        );
        assert_eq!(classify(404, Some("not_found")), Outcome::NeedsAttention);
        assert_eq!(
            classify(400, Some("malformed_json")),
            Outcome::NeedsAttention
        );
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
