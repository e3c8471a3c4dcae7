//! The resident's change feed.
//!
//! Invariant: `seq` grows strictly; a client that applies changes up to a cursor and asks again
//! from that cursor never misses a change and never needs to apply one twice (though applying
//! one twice changes nothing, because each change carries the whole entity).

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
