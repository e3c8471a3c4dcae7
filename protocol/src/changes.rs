//! The resident's change feed.
//!
//! Invariant: `seq` grows strictly; a client that applies changes up to a cursor and asks again
//! from that cursor never misses a change and never needs to apply one twice (though applying
//! one twice changes nothing, because each change carries the whole entity). A client may name
//! changes it already holds (`held`: those a batch's answers carried, which it has recorded):
//! they are left out of the page but the cursor moves past them all the same.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Booking, Payment, Report};

/// The entity that changed, whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", content = "item", rename_all = "snake_case")]
pub enum ChangedItem {
    Report(Report),
    Booking(Booking),
    Payment(Payment),
}

/// One change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Change {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub entity: ChangedItem,
}

/// `GET /v1/changes?since=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChangeFeed {
    pub changes: Vec<Change>,
    /// Pass as `since` next time.
    pub cursor: String,
    /// More changes are waiting: ask again at once.
    pub more: bool,
}

/// The most ranges of held changes one request of the feed may name.
pub const MAX_HELD_RANGES: usize = 64;

/// The `held` query of `GET /v1/changes`: the changes' `seq`s as ranges, `3-9,12`, in order;
/// at most `MAX_HELD_RANGES` of them (the lowest), since the rest will simply be pulled.
pub fn held_query(seqs: &[u64]) -> String {
    let mut sorted = seqs.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut ranges: Vec<(u64, u64)> = Vec::new();
    for seq in sorted {
        match ranges.last_mut() {
            Some((_, last)) if *last + 1 == seq => *last = seq,
            _ => ranges.push((seq, seq)),
        }
    }
    ranges
        .iter()
        .take(MAX_HELD_RANGES)
        .map(|&(first, last)| {
            if first == last {
                first.to_string()
            } else {
                format!("{first}-{last}")
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Read a `held` query back into inclusive ranges; `None` if it is not one `held_query` makes
/// (a range backwards, a number that is not one, or more than `MAX_HELD_RANGES` ranges).
pub fn parse_held(query: &str) -> Option<Vec<(u64, u64)>> {
    if query.is_empty() {
        return Some(Vec::new());
    }
    let ranges = query
        .split(',')
        .map(|range| {
            let (first, last) = range.split_once('-').unwrap_or((range, range));
            let (first, last): (u64, u64) = (first.parse().ok()?, last.parse().ok()?);
            (first <= last).then_some((first, last))
        })
        .collect::<Option<Vec<_>>>()?;
    (ranges.len() <= MAX_HELD_RANGES).then_some(ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_changes_are_named_as_ranges_and_read_back() {
        assert_eq!(held_query(&[]), "");
        assert_eq!(held_query(&[7, 3, 4, 5, 9, 10, 4]), "3-5,7,9-10");
        assert_eq!(
            parse_held("3-5,7,9-10"),
            Some(vec![(3, 5), (7, 7), (9, 10)])
        );
        assert_eq!(parse_held(""), Some(vec![]));
        for nonsense in ["5-3", "a", "1-", ",", "1,,2", "-1"] {
            assert_eq!(parse_held(nonsense), None, "{nonsense}");
        }
    }

    #[test]
    fn no_more_than_the_most_ranges_are_named() {
        let scattered: Vec<u64> = (0..200).map(|n| n * 2).collect();
        let query = held_query(&scattered);
        let ranges = parse_held(&query).unwrap();
        assert_eq!(ranges.len(), MAX_HELD_RANGES);
        assert_eq!(ranges[0], (0, 0), "the lowest are kept");
        let too_many = vec!["1"; MAX_HELD_RANGES + 1].join(",");
        assert_eq!(parse_held(&too_many), None);
    }
}
