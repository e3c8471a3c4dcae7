//! Which refusals are for now and which are for good: the one rule the council applies when it
//! decides whether a replay of a key gets its error back, and the device applies when it
//! decides whether to try again or to ask the resident.
//!
//! Invariant: an answer the council keeps for a key (a final refusal) is one the device never
//! tries again under that key, and one the council does not keep is one the device does.

/// Codes that mean "not now", whatever their status: a key still being applied, a payment
/// still unfinished, a photo damaged on its way.
const TEMPORARY_CODES: [&str; 3] = [
    "idempotency_key_in_progress",
    "payment_in_progress",
    "hash_mismatch",
];

/// Is this answer (status 0: none came) for now, so that the same key may be tried again later?
pub fn is_temporary(status: u16, code: Option<&str>) -> bool {
    matches!(status, 0 | 408 | 429 | 500..=599)
        || code.is_some_and(|c| TEMPORARY_CODES.contains(&c))
}

#[cfg(test)]
mod tests {
    use super::is_temporary;

    #[test]
    fn busy_failing_and_unfinished_answers_are_for_now_and_refusals_for_good() {
        for (status, code) in [
            (0, None),
            (408, None),
            (429, Some("rate_limited")),
            (503, Some("busy")),
            (409, Some("idempotency_key_in_progress")),
            (409, Some("payment_in_progress")),
            (422, Some("hash_mismatch")),
        ] {
            assert!(is_temporary(status, code), "{status} {code:?}");
        }
        for (status, code) in [
            (409, Some("slot_unavailable")),
            (422, Some("validation_failed")),
            (404, None),
            (400, Some("malformed_json")),
        ] {
            assert!(!is_temporary(status, code), "{status} {code:?}");
        }
    }
}
