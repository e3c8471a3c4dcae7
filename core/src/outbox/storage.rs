//! The outbox's rows as the sync engine reads and changes them: what is ready to go, and the
//! named changes an operation's verdict makes.
//!
//! Invariant: the sync engine's verdicts change an operation's row only through these
//! functions, each inside the caller's transaction: `done` removes it (the council applied it), `retry_later` keeps it waiting with
//! its backoff and the council's `Retry-After`, `needs_attention` keeps it for the resident.
//! Each answers with the item the operation is for as it is now (an earlier answer may have
//! merged the item it was queued against into another), or none when the row is gone.

use doorstep_protocol::MAX_BATCH_OPERATIONS;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{
    Value,
    value::{RawValue, to_raw_value},
};

use super::{Operation, Problem, rules, sync::Due};
use crate::{
    error::{Error, Result},
    store,
};

/// An operation ready to go.
#[derive(Debug, Clone)]
pub struct Ready {
    pub seq: i64,
    pub key: String,
    pub operation: Operation,
    pub method: String,
    pub path: String,
    /// The JSON body, as the text it is sent as.
    pub body: Option<Box<RawValue>>,
    pub photo: Option<String>,
    pub attempts: u32,
    /// When it was queued (unix seconds).
    pub created_at: i64,
    /// It has been sent before (its answer may have been lost), whatever a retry reset since.
    pub tried: bool,
}

impl Ready {
    /// What it takes of a batch's body.
    pub fn bytes(&self) -> usize {
        doorstep_protocol::rules::operation_bytes(
            &self.key,
            &self.method,
            &self.path,
            self.body.as_deref().map(RawValue::get),
        )
    }
}

/// The first operation of every chain, when it is waiting and its time has come, oldest first,
/// with the path's `{id}` and a body's `"reference": "{reference}"` filled in from the chain's
/// item, which has landed by then (it is what went before in the chain). Operations in `sent`
/// (those this round has sent, perhaps still awaiting their answers' record) are left out.
pub fn ready(conn: &Connection, now: i64, due: Due, sent: &[i64]) -> Result<Vec<Ready>> {
    let mut statement = conn.prepare_cached(
        "SELECT o.seq, o.key, o.operation, o.method, o.path, o.body, o.photo, o.attempts,
                c.server AS chain_server, o.created_at, o.attempts > 0 OR o.problem IS NOT NULL AS tried
         FROM outbox o
         LEFT JOIN items c ON c.local_id = o.chain
         WHERE o.state = 'waiting' AND o.not_before <= ?1 AND (?3 OR o.next_attempt_at <= ?1)
           AND NOT EXISTS (SELECT 1 FROM outbox before WHERE before.chain = o.chain AND before.seq < o.seq)
           AND o.seq NOT IN (SELECT value FROM json_each(?4))
         ORDER BY o.seq LIMIT ?2",
    )?;
    let rows = statement.query_map(
        params![
            now,
            MAX_BATCH_OPERATIONS as i64,
            due == Due::Now,
            serde_json::to_string(sent)?
        ],
        |r| {
            Ok(Queued {
                seq: r.get("seq")?,
                key: r.get("key")?,
                operation: r.get("operation")?,
                method: r.get("method")?,
                path: r.get("path")?,
                body: r.get("body")?,
                photo: r.get("photo")?,
                attempts: r.get("attempts")?,
                chain_server: r.get("chain_server")?,
                created_at: r.get("created_at")?,
                tried: r.get("tried")?,
            })
        },
    )?;
    let mut ready = Vec::new();
    for row in rows {
        if let Some(op) = row?.filled_in()? {
            ready.push(op);
        }
    }
    Ok(ready)
}

/// An operation as its row holds it, before what it waits for from its chain is filled in.
struct Queued {
    seq: i64,
    key: String,
    operation: String,
    method: String,
    path: String,
    body: Option<String>,
    photo: Option<String>,
    attempts: u32,
    /// The council's copy of the chain's item, once it has landed.
    chain_server: Option<String>,
    created_at: i64,
    tried: bool,
}

impl Queued {
    /// The operation ready to go, or none while the chain's item it names has not landed.
    fn filled_in(self) -> Result<Option<Ready>> {
        let operation = Operation::parse(&self.operation)
            .ok_or_else(|| Error::Internal(format!("unknown operation {}", self.operation)))?;
        // A body is read only when it may wait for the reference of what went before; any
        // other is sent as the text it was stored as.
        let mut asked: Option<Value> = match &self.body {
            Some(text) if text.contains("{reference}") => Some(serde_json::from_str(text)?),
            _ => None,
        };
        let needs_reference = asked
            .as_ref()
            .is_some_and(|b| b["reference"] == "{reference}");
        let path = if self.path.contains("{id}") || needs_reference {
            let server: Option<Value> = self
                .chain_server
                .map(|s| serde_json::from_str(&s))
                .transpose()?;
            let Some(server) = &server else {
                return Ok(None);
            };
            if let Some(asked) = asked.as_mut().filter(|_| needs_reference) {
                asked["reference"] = server["reference"].clone();
            }
            self.path
                .replace("{id}", server["id"].as_str().unwrap_or_default())
        } else {
            self.path
        };
        let body = match asked.filter(|_| needs_reference) {
            Some(asked) => Some(to_raw_value(&asked)?),
            None => self.body.map(RawValue::from_string).transpose()?,
        };
        Ok(Some(Ready {
            seq: self.seq,
            key: self.key,
            operation,
            method: self.method,
            path,
            body,
            photo: self.photo,
            attempts: self.attempts,
            created_at: self.created_at,
            tried: self.tried,
        }))
    }
}

/// The item the operation `seq` is for, as it is now; none when it has left the outbox.
fn item_of(tx: &Connection, seq: i64) -> Result<Option<String>> {
    Ok(tx
        .prepare_cached("SELECT item FROM outbox WHERE seq = ?1")?
        .query_row(params![seq], |r| r.get(0))
        .optional()?)
}

/// The council applied the operation: it leaves the outbox.
pub fn done(tx: &Connection, seq: i64) -> Result<Option<String>> {
    let item = item_of(tx, seq)?;
    tx.prepare_cached("DELETE FROM outbox WHERE seq = ?1")?
        .execute(params![seq])?;
    Ok(item)
}

/// Not now: the operation waits for its backoff (`unit` is a uniform random number in [0, 1),
/// for the jitter), and never goes before the `Retry-After` the council gave, whoever asks.
pub fn retry_later(
    tx: &Connection,
    op: &Ready,
    retry_after: Option<u64>,
    problem: &Problem,
    now: i64,
    unit: f64,
) -> Result<Option<String>> {
    let wait = rules::backoff(op.attempts, retry_after, unit);
    let not_before = now + retry_after.unwrap_or(0).min(rules::LONGEST_RETRY_AFTER) as i64;
    tx.prepare_cached(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, not_before = ?3, problem = ?4
         WHERE seq = ?1",
    )?
    .execute(params![
        op.seq,
        now + wait.as_secs() as i64,
        not_before,
        serde_json::to_string(problem)?
    ])?;
    item_of(tx, op.seq)
}

/// Refused for good: the operation needs the resident's attention, and
/// holds up only the rest of its chain.
pub fn needs_attention(tx: &Connection, seq: i64, problem: &Problem) -> Result<Option<String>> {
    tx.prepare_cached("UPDATE outbox SET state = 'needs_attention', problem = ?2 WHERE seq = ?1")?
        .execute(params![seq, serde_json::to_string(problem)?])?;
    item_of(tx, seq)
}

/// When the next automatic attempt falls due (unix seconds): the soonest of the operations that
/// head their chains; none while the queue waits for a sign-in.
pub fn next_due(conn: &Connection) -> Result<Option<i64>> {
    if store::meta(conn, "auth_required")?.is_some() {
        return Ok(None);
    }
    Ok(conn
        .prepare_cached(
            "SELECT MIN(MAX(o.next_attempt_at, o.not_before)) FROM outbox o
         JOIN (SELECT chain, MIN(seq) AS seq FROM outbox GROUP BY chain) head ON o.seq = head.seq
         WHERE o.state = 'waiting'",
        )?
        .query_row([], |r| r.get(0))?)
}
