//! How the wire types cross to the phones (with the `uniffi` feature): the moments, dates and
//! answers that uniffi has no type of its own for.
//!
//! Invariant: each crossing keeps the value — a moment crosses as the instant it is (Kotlin's
//! `java.time.Instant`, Swift's `Date`), a date as `YYYY-MM-DD` text read back strictly, and
//! answers as a map by question code. The core and the phone library borrow these with
//! `uniffi::use_remote_type!`, so each is declared once. (`uniffi::setup_scaffolding!` is at the
//! crate's root, where uniffi looks for it.)

use std::{collections::HashMap, time::SystemTime};

use chrono::{FixedOffset, NaiveDate, Utc};

use crate::reports::{Answer, Answers};

/// A moment, as the council's copies carry them.
pub type UtcDateTime = chrono::DateTime<Utc>;

/// A moment in the council's local time (a slot's start): the phone shows it in its own.
pub type CouncilTime = chrono::DateTime<FixedOffset>;

/// A day, without a time (named so as not to hide Swift's `Date`).
pub type Day = NaiveDate;

/// Answers by question code.
pub type AnswerMap = Answers;

uniffi::custom_type!(UtcDateTime, SystemTime, {
    remote,
    lower: |at| SystemTime::from(at),
    try_lift: |at| Ok(UtcDateTime::from(at)),
});

uniffi::custom_type!(CouncilTime, SystemTime, {
    remote,
    lower: |at| SystemTime::from(at),
    try_lift: |at| Ok(UtcDateTime::from(at).fixed_offset()),
});

uniffi::custom_type!(Day, String, {
    remote,
    lower: |day| day.format("%Y-%m-%d").to_string(),
    try_lift: |text| NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map_err(|_| uniffi::deps::anyhow::anyhow!("a date is YYYY-MM-DD, not {text:?}")),
});

uniffi::custom_type!(AnswerMap, HashMap<String, Answer>, {
    remote,
    lower: |answers| answers.into_iter().collect(),
    try_lift: |answers| Ok(answers.into_iter().collect()),
});
