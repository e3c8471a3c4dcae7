//! How much one batch carries: the limits the device sizes its batches by and the council
//! enforces, so that a batch the device makes is never refused for its size.
//!
//! Invariant: a batch made by `operations_that_fit` under `MAX_BATCH_BYTES` is within the
//! council's body limit, whatever its operations hold, and always carries at least one
//! operation, so that a queue is never stuck behind a batch that cannot be made.

/// The most operations one batch may carry.
pub const MAX_BATCH_OPERATIONS: usize = 500;

/// The most bytes one batch's body may have; the council refuses a larger one (413).
pub const MAX_BATCH_BYTES: usize = 8 * 1024 * 1024;

/// What one operation adds to a batch's JSON besides its key, method, path and body: field
/// names, quotes, commas and escapes of the path, with room to spare.
const OPERATION_OVERHEAD: usize = 96;

/// The most bytes an operation takes in a batch: its key, method, path and body as sent.
pub fn operation_bytes(key: &str, method: &str, path: &str, body: Option<&str>) -> usize {
    key.len() + method.len() + path.len() + body.map_or(0, str::len) + OPERATION_OVERHEAD
}

/// How many of the operations (their sizes, in order) one batch of at most `budget` bytes
/// carries, counting the batch's own envelope: as many as fit, and never fewer than one.
pub fn operations_that_fit(sizes: impl IntoIterator<Item = usize>, budget: usize) -> usize {
    const ENVELOPE: usize = 32;
    let mut used = ENVELOPE;
    let mut count = 0;
    for size in sizes.into_iter().take(MAX_BATCH_OPERATIONS) {
        used += size;
        if used > budget && count > 0 {
            break;
        }
        count += 1;
    }
    count
}

/// The budget to make batches by after one of `refused` bytes was refused as too large (by a
/// proxy stricter than the council, say): half of it, so that a few refusals find what passes.
pub fn smaller_budget(refused: usize) -> usize {
    (refused / 2).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_takes_operations_until_the_next_would_pass_its_budget() {
        assert_eq!(operations_that_fit([100, 100, 100], 1_000), 3);
        assert_eq!(operations_that_fit([400, 400, 400], 1_000), 2);
        assert_eq!(operations_that_fit(Vec::<usize>::new(), 1_000), 0);
        assert_eq!(
            operations_that_fit(
                std::iter::repeat_n(10, 2 * MAX_BATCH_OPERATIONS),
                usize::MAX
            ),
            MAX_BATCH_OPERATIONS
        );
    }

    #[test]
    fn an_operation_larger_than_the_budget_still_goes_alone() {
        assert_eq!(operations_that_fit([5_000, 10], 1_000), 1);
    }

    #[test]
    fn an_operation_counts_everything_it_sends() {
        let size = operation_bytes("k", "POST", "/v1/reports", Some("{\"a\":1}"));
        assert_eq!(size, 1 + 4 + 11 + 7 + OPERATION_OVERHEAD);
        assert!(smaller_budget(1_000) < 1_000);
        assert_eq!(smaller_budget(1), 1);
    }
}
