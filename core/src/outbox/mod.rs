//! The outbox: the resident's intents, waiting to reach the council exactly once.
//!
//! Design. Every intent is an operation with a key (UUIDv7, made here) that never changes: a
//! retry, a restart or a crash resends the same key, and the council applies a key once. An
//! operation belongs to a chain — the item it acts on — and a chain goes strictly in order
//! (a photo before its report, a booking before its fee and its cancellation); chains are
//! independent. An operation is `waiting` (to be sent, perhaps after a backoff) or
//! `needs_attention` (refused for good: it waits for the resident to fix and retry, or discard
//! it); one that needs attention blocks only the rest of its own chain. Operations are written in the same
//! transaction as the item they belong to, and removed in the same transaction that records
//! the council's answer.
//!
//! `rules` turns answers into verdicts and times retries; `storage` reads what is ready and
//! makes each verdict's change to a row; `sync` runs the rounds that send and pull; `feed`
//! writes the council's copies of items; `open311` sends and pulls the same operations to a
//! council whose system speaks Open311 instead.

pub mod feed;
pub mod open311;
pub mod rules;
pub mod storage;
pub mod sync;

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
};

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};

/// What an operation does, in the resident's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    UploadPhoto,
    SendReport,
    AddUpdate,
    Book,
    CancelBooking,
    StartPayment,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::UploadPhoto => "upload_photo",
            Operation::SendReport => "send_report",
            Operation::AddUpdate => "add_update",
            Operation::Book => "book",
            Operation::CancelBooking => "cancel_booking",
            Operation::StartPayment => "start_payment",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            Self::UploadPhoto,
            Self::SendReport,
            Self::AddUpdate,
            Self::Book,
            Self::CancelBooking,
            Self::StartPayment,
        ]
        .into_iter()
        .find(|op| op.as_str() == s)
    }

    /// What the resident sees in the outbox.
    pub fn describe(self) -> &'static str {
        match self {
            Operation::UploadPhoto => "Photo",
            Operation::SendReport => "Report",
            Operation::AddUpdate => "Update to a report",
            Operation::Book => "Booking",
            Operation::CancelBooking => "Cancellation",
            Operation::StartPayment => "Payment",
        }
    }
}

/// The item an operation acts on, in the resident's words, from what they asked for: the
/// service and what they wrote for a report, the service and the time for a booking, the
/// reference and the amount for a payment. Empty when there is nothing to say.
pub fn about(request: &Value, service_name: Option<&str>) -> String {
    let text = |name: &str| request[name].as_str().unwrap_or_default().trim();
    let service = service_name.unwrap_or_else(|| text("service_code"));
    if let Some(slot) = request["slot_id"].as_str() {
        let when = doorstep_protocol::rules::parse_slot_id(slot).map_or_else(
            || slot.to_owned(),
            |(_, start)| crate::shown::slot_time(start),
        );
        return format!("{service}, {when}");
    }
    if let Some(pence) = request["amount_pence"].as_u64() {
        let amount = doorstep_protocol::rules::pounds(pence);
        return match text("reference") {
            "" => amount,
            reference => format!("{reference}, {amount}"),
        };
    }
    let short = crate::shown::quoted(text("description"), ABOUT_CHARS);
    match (service, short.as_str()) {
        ("", "") => String::new(),
        (service, "") => service.to_owned(),
        ("", short) => short.to_owned(),
        (service, short) => format!("{service}: {short}"),
    }
}

/// The most of a report's description `about` quotes.
const ABOUT_CHARS: usize = 60;

/// An operation to queue. `path` and `body` may name the chain's item as the council knows it:
/// `{id}` and `{reference}` are filled in when the item has landed.
#[derive(Debug, Clone)]
pub struct NewOperation {
    pub chain: String,
    /// The item the council's answer is written into.
    pub item: String,
    pub operation: Operation,
    pub method: &'static str,
    pub path: String,
    pub body: Option<Value>,
    pub photo: Option<String>,
}

/// Why the council refused an operation, or why it waits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Problem {
    /// The council's HTTP status; 0 when no council answered and the device judged itself.
    pub status: u16,
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub alternatives: Vec<doorstep_protocol::Slot>,
}

/// Where an operation stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "OutboxState"))]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum State {
    /// Will be sent; `next_attempt_at` (unix seconds) is when, at the earliest: after its backoff,
    /// and never before the time the council asked for.
    Waiting {
        attempts: u32,
        next_attempt_at: i64,
        last_error: Option<String>,
    },
    /// Refused for good: the resident must fix it or discard it.
    NeedsAttention { problem: Problem },
}

/// One operation in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "OutboxEntry"))]
pub struct Entry {
    pub key: String,
    pub chain: String,
    /// The report, booking or payment (its local id) the operation acts on.
    pub item: String,
    pub operation: Operation,
    /// The operation in the resident's words: "Report", "Cancellation".
    pub what: &'static str,
    /// The thing it acts on, so that one can be told from another: "Report a pothole: Deep
    /// hole by the bus stop", "Bulky waste collection, Tuesday 1 December 2026 at 9am".
    pub about: String,
    pub state: State,
    pub created_at: i64,
}

/// Queue an operation (inside the caller's transaction); returns its key.
pub fn enqueue(conn: &Connection, op: &NewOperation, now: i64) -> Result<String> {
    let key = uuid::Uuid::now_v7().to_string();
    conn.prepare_cached(
        "INSERT INTO outbox (key, chain, item, operation, method, path, body, photo, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        key,
        op.chain,
        op.item,
        op.operation.as_str(),
        op.method,
        op.path,
        op.body.as_ref().map(Value::to_string),
        op.photo,
        now
    ])?;
    Ok(key)
}

/// Everything in the outbox, oldest first.
pub fn list(conn: &Connection) -> Result<Vec<Entry>> {
    let mut statement = conn.prepare_cached(
        "SELECT o.key, o.chain, o.item, o.operation, o.state, o.attempts,
                MAX(o.next_attempt_at, o.not_before), o.problem, o.created_at, i.request, json_extract(s.summary, '$.name')
         FROM outbox o
         LEFT JOIN items i ON i.local_id = o.item
         LEFT JOIN services s ON s.code = json_extract(i.request, '$.service_code')
         ORDER BY o.seq",
    )?;
    let rows = statement.query_map([], |r| {
        Ok((
            (
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ),
            (
                r.get::<_, String>(4)?,
                r.get::<_, u32>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, i64>(8)?,
            ),
            (
                r.get::<_, Option<String>>(9)?,
                r.get::<_, Option<String>>(10)?,
            ),
        ))
    })?;
    let mut entries = Vec::new();
    for row in rows {
        let (
            (key, chain, item, operation),
            (state, attempts, next_attempt_at, problem, created_at),
            (request, service_name),
        ) = row?;
        let request: Value = request
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        let operation = Operation::parse(&operation)
            .ok_or_else(|| Error::Internal(format!("unknown operation {operation}")))?;
        let state = if state == "needs_attention" {
            State::NeedsAttention {
                problem: serde_json::from_str(problem.as_deref().unwrap_or("{}"))?,
            }
        } else {
            let last_error = problem
                .and_then(|p| serde_json::from_str::<Problem>(&p).ok())
                .map(|p| p.message);
            State::Waiting {
                attempts,
                next_attempt_at,
                last_error,
            }
        };
        entries.push(Entry {
            key,
            chain,
            item,
            what: operation.describe(),
            about: about(&request, service_name.as_deref()),
            operation,
            state,
            created_at,
        });
    }
    Ok(entries)
}

/// (waiting, needing attention).
pub fn counts(conn: &Connection) -> Result<(u64, u64)> {
    Ok(conn
        .prepare_cached("SELECT waiting, needs_attention FROM outbox_counts")?
        .query_row([], |r| {
            Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64))
        })?)
}

/// Try a waiting operation again now, without waiting for its backoff — but not before the
/// time the council itself asked for (its `Retry-After`), which holds whoever asks. One the
/// council refused cannot be retried as it is (the council would give the same answer to the
/// same key): it is fixed or discarded.
pub fn retry(conn: &Connection, key: &str) -> Result<()> {
    let state: Option<String> = conn
        .query_row(
            "SELECT state FROM outbox WHERE key = ?1",
            params![key],
            |r| r.get(0),
        )
        .optional()?;
    match state.as_deref() {
        None => Err(Error::NotFound(format!(
            "Nothing in the outbox has the key {key}"
        ))),
        Some("needs_attention") => Err(Error::invalid(
            "key",
            "The council refused this as it is: change it and send it again, or discard it",
        )),
        Some(_) => {
            conn.execute(
                "UPDATE outbox SET attempts = 0, next_attempt_at = 0 WHERE key = ?1",
                params![key],
            )?;
            Ok(())
        }
    }
}

/// Replace the payload of an operation that needs attention (the resident fixed it) and try again under a new key:
/// the council never applied the old one, and the same key with a new payload would be refused.
pub fn replace_body(conn: &Connection, key: &str, body: &Value) -> Result<String> {
    let new_key = uuid::Uuid::now_v7().to_string();
    let changed = conn.execute(
        "UPDATE outbox SET key = ?2, body = ?3, state = 'waiting', attempts = 0, next_attempt_at = 0, problem = NULL
         WHERE key = ?1 AND state = 'needs_attention'",
        params![key, new_key, body.to_string()],
    )?;
    if changed == 0 {
        return Err(Error::NotFound(format!(
            "No operation needing attention has the key {key}"
        )));
    }
    Ok(new_key)
}

/// The operation with `key`: its chain, and its body.
pub fn find(conn: &Connection, key: &str) -> Result<Option<(String, Operation, Option<Value>)>> {
    let row: Option<(String, String, Option<String>)> = conn
        .query_row(
            "SELECT chain, operation, body FROM outbox WHERE key = ?1",
            params![key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    row.map(|(chain, op, body)| {
        let op = Operation::parse(&op)
            .ok_or_else(|| Error::Internal(format!("unknown operation {op}")))?;
        let body = body.map(|b| serde_json::from_str(&b)).transpose()?;
        Ok((chain, op, body))
    })
    .transpose()
}

/// The operations on their way to the council: picked by a round and not yet recorded. A round
/// adds what it picks and removes what it records, each while the store's one connection is
/// held, so that a pick and a discard never interleave; it forgets the rest when it ends (one
/// round runs at a time). A round that ends on an error cuts off the batch still away: its
/// operations may then be discarded although the council may have applied them, in which case
/// the change feed brings the council's copy back as an item of its own.
#[derive(Debug, Clone, Default)]
pub struct OnTheirWay(Arc<Mutex<HashSet<i64>>>);

impl OnTheirWay {
    fn held(&self) -> std::sync::MutexGuard<'_, HashSet<i64>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn add(&self, seqs: impl IntoIterator<Item = i64>) {
        self.held().extend(seqs);
    }

    pub(crate) fn remove(&self, seq: i64) {
        self.held().remove(&seq);
    }

    pub(crate) fn forget_all(&self) {
        self.held().clear();
    }

    fn any(&self, seqs: &[i64]) -> bool {
        let held = self.held();
        seqs.iter().any(|seq| held.contains(seq))
    }
}

/// Give up an operation and everything after it in its chain; returns the items those
/// operations were for. What is on its way to the council cannot be given up: the council may
/// be applying it this moment, and its answer decides.
pub fn discard(conn: &Connection, key: &str, on_their_way: &OnTheirWay) -> Result<Vec<String>> {
    let found: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, chain FROM outbox WHERE key = ?1",
            params![key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((seq, chain)) = found else {
        return Err(Error::NotFound(format!(
            "Nothing in the outbox has the key {key}"
        )));
    };
    let going: Vec<i64> = conn
        .prepare_cached("SELECT seq FROM outbox WHERE chain = ?1 AND seq >= ?2")?
        .query_map(params![chain, seq], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if on_their_way.any(&going) {
        return Err(Error::invalid(
            "key",
            "This is being sent to the council right now: wait for its answer, then discard it \
             if it still needs your attention",
        ));
    }
    let mut statement =
        conn.prepare("DELETE FROM outbox WHERE chain = ?1 AND seq >= ?2 RETURNING item")?;
    let mut items: Vec<String> = statement
        .query_map(params![chain, seq], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    items.sort();
    items.dedup();
    Ok(items)
}

/// Photos are kept only until they are uploaded (or their upload is given up): the device holds
/// no copy of a resident's photos longer than it must.
pub fn forget_unneeded_photos(conn: &Connection) -> Result<()> {
    conn.execute(
        "DELETE FROM photos WHERE sha256 NOT IN (SELECT photo FROM outbox WHERE photo IS NOT NULL)",
        [],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::about;

    #[test]
    fn a_report_is_told_by_its_service_and_the_start_of_what_was_written() {
        let report =
            json!({"service_code": "pothole", "description": "  Deep hole by the bus stop  "});
        assert_eq!(
            about(&report, Some("Report a pothole")),
            "Report a pothole: Deep hole by the bus stop"
        );
        assert_eq!(about(&report, None), "pothole: Deep hole by the bus stop");
        let long = json!({"service_code": "graffiti", "description": "é".repeat(100)});
        assert_eq!(
            about(&long, Some("Graffiti")),
            format!("Graffiti: {}…", "é".repeat(60))
        );
    }

    #[test]
    fn a_booking_is_told_by_its_service_and_time_and_a_payment_by_reference_and_amount() {
        let booking = json!({"service_code": "bulky_waste", "slot_id": "bulky/2026-12-01T09:00"});
        assert_eq!(
            about(&booking, Some("Bulky waste collection")),
            "Bulky waste collection, Tuesday 1 December 2026 at 9am"
        );
        let payment =
            json!({"purpose": "council_tax", "reference": "12345678", "amount_pence": 12050});
        assert_eq!(about(&payment, None), "12345678, £120.50");
        assert_eq!(about(&json!({}), None), "");
    }
}
