//! The server's clock: the system time, which tests may move forward.
//!
//! Invariant: every "now" in the server comes from here, so expiry and cut-offs can be proved
//! without waiting; the offset only ever grows.

use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_seconds: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::seconds(self.offset_seconds.load(Ordering::Relaxed))
    }

    /// Move the clock forward (tests of expiry and cut-offs).
    pub fn advance(&self, by: Duration) {
        self.offset_seconds
            .fetch_add(by.num_seconds().max(0), Ordering::Relaxed);
    }
}
