//! The server's clock: the system time, which tests may move forward.
//!
//! Invariant: every "now" in the server comes from here, so expiry and cut-offs can be proved
//! without waiting; a clock may start apart from the system's (`Clock::apart`), and from then
//! its offset only ever grows, so the council's time never runs backwards.

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
    /// A clock `by` ahead of the system's (behind it when negative): a council whose clock
    /// disagrees with its residents' devices.
    pub fn apart(by: Duration) -> Clock {
        Clock {
            offset_seconds: Arc::new(AtomicI64::new(by.num_seconds())),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::seconds(self.offset_seconds.load(Ordering::Relaxed))
    }

    /// Move the clock forward (tests of expiry and cut-offs).
    pub fn advance(&self, by: Duration) {
        self.offset_seconds
            .fetch_add(by.num_seconds().max(0), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_set_apart_keeps_its_offset_and_only_moves_forward() {
        let clock = Clock::apart(Duration::hours(-3));
        let behind = Utc::now() - clock.now();
        assert!(
            (Duration::hours(3) - behind).num_seconds().abs() <= 1,
            "{behind}"
        );
        clock.advance(Duration::hours(-5));
        let still = Utc::now() - clock.now();
        assert!(
            (Duration::hours(3) - still).num_seconds().abs() <= 1,
            "{still}"
        );
        clock.advance(Duration::hours(1));
        let nearer = Utc::now() - clock.now();
        assert!(
            (Duration::hours(2) - nearer).num_seconds().abs() <= 1,
            "{nearer}"
        );
    }
}
