//! What the core tells the shells as it happens: a broadcast that each subscriber receives,
//! starting with the current state.
//!
//! Invariant: a new subscriber first gets the current outbox counts and sync state, so a
//! screen never has to ask separately.

use serde::Serialize;

/// How syncing stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum SyncState {
    Idle,
    Syncing,
    Offline,
    /// The council wants the resident to sign in again; the queue is paused.
    AuthRequired,
}

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "CoreEvent"))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum Event {
    /// How many operations wait, and how many need the resident's attention.
    Outbox { waiting: u64, needs_attention: u64 },
    /// A report, booking or payment changed (locally or at the council).
    ItemChanged { local_id: String, kind: String },
    /// Syncing started, stopped, or could not run.
    Sync {
        state: SyncState,
        last_success: Option<i64>,
        last_error: Option<String>,
    },
    /// A payment waits for the resident on the provider's page.
    PaymentNeedsAction { local_id: String, next_url: String },
    /// The council moved the status of something the resident sent: what a notification says
    /// ("Report a pothole DUR-2026-000123", "Now: Fixed").
    StatusChanged {
        local_id: String,
        kind: String,
        title: String,
        body: String,
    },
}
