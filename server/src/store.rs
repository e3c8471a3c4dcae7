//! Reading and writing residents' things: reports, bookings and payments kept as whole JSON
//! with their owner, plus the change feed and the reference counters.
//!
//! Invariant: every write of a resident's thing also appends it, whole, to its owner's change
//! feed in the same transaction — `save` is the only way to write one — and a thing is read for
//! changing (`load`) so that two transactions never both change the same version of it.

use crate::sql::{Dialect, Optional, Sql, ToValue, params};
use chrono::{DateTime, Utc};
use doorstep_protocol::{Booking, Payment, Report};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::value::RawValue;

use crate::{auth::Resident, error::ApiResult};

/// Which table a kind of thing lives in, and its `kind` in the change feed.
pub trait Stored: Serialize + DeserializeOwned {
    const TABLE: &'static str;
    /// As `ChangedItem` names it.
    const KIND: &'static str;
    fn id(&self) -> &str;
}

impl Stored for Report {
    const TABLE: &'static str = "reports";
    const KIND: &'static str = "report";
    fn id(&self) -> &str {
        &self.id
    }
}

impl Stored for Booking {
    const TABLE: &'static str = "bookings";
    const KIND: &'static str = "booking";
    fn id(&self) -> &str {
        &self.id
    }
}

impl Stored for Payment {
    const TABLE: &'static str = "payments";
    const KIND: &'static str = "payment";
    fn id(&self) -> &str {
        &self.id
    }
}

/// A thing with its owner.
#[derive(Debug, Clone)]
pub struct Owned<T> {
    pub item: T,
    pub device_id: String,
    pub account_id: Option<String>,
}

/// Load one thing by id, whoever owns it, to change it. On PostgreSQL its row is taken for this
/// transaction by an update that changes nothing: a concurrent change of the same thing (on
/// another connection or server) waits until this transaction ends and then reads what it
/// wrote — or, at the stricter isolation levels, is given up by the database and run again
/// (`Db::write`). On SQLite there is one writer already.
pub fn load<T: Stored>(conn: &dyn Sql, id: &str) -> ApiResult<Option<Owned<T>>> {
    fetch(conn, id, true)
}

/// Load one thing by id only to read it.
fn view<T: Stored>(conn: &dyn Sql, id: &str) -> ApiResult<Option<Owned<T>>> {
    fetch(conn, id, false)
}

fn fetch<T: Stored>(conn: &dyn Sql, id: &str, to_change: bool) -> ApiResult<Option<Owned<T>>> {
    let sql = if to_change && conn.dialect() == Dialect::Postgres {
        format!(
            "UPDATE {} SET body = body WHERE id = ?1 RETURNING body, device_id, account_id",
            T::TABLE
        )
    } else {
        format!(
            "SELECT body, device_id, account_id FROM {} WHERE id = ?1",
            T::TABLE
        )
    };
    let row: Option<(String, String, Option<String>)> = conn
        .query_row(&sql, params![id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    row.map(|(body, device_id, account_id)| {
        Ok(Owned {
            item: serde_json::from_str(&body)?,
            device_id,
            account_id,
        })
    })
    .transpose()
}

/// Load one thing by id to change it (as `load`) if the caller owns it; `not_found` otherwise,
/// so that nobody can learn what another resident has.
pub fn load_for<T: Stored>(
    conn: &dyn Sql,
    caller: &Resident,
    id: &str,
    what: &str,
) -> ApiResult<Owned<T>> {
    owned_by(load::<T>(conn, id)?, caller, what)
}

/// As `load_for`, only to read the thing.
pub fn view_for<T: Stored>(
    conn: &dyn Sql,
    caller: &Resident,
    id: &str,
    what: &str,
) -> ApiResult<Owned<T>> {
    owned_by(view::<T>(conn, id)?, caller, what)
}

fn owned_by<T>(found: Option<Owned<T>>, caller: &Resident, what: &str) -> ApiResult<Owned<T>> {
    match found {
        Some(owned) if caller.owns(&owned.device_id, owned.account_id.as_deref()) => Ok(owned),
        _ => Err(crate::error::ApiError::not_found(what)),
    }
}

/// The caller's things, newest first.
pub fn list_for<T: Stored>(conn: &dyn Sql, caller: &Resident) -> ApiResult<Vec<T>> {
    let rows = conn.query_map(
&format!(
        "SELECT body FROM {} WHERE (account_id IS NULL AND device_id = ?1) OR (CAST(?2 AS TEXT) IS NOT NULL AND account_id = ?2)
         ORDER BY created_at DESC, id DESC",
        T::TABLE
    ), params![caller.device_id, caller.account_id], |r| {
        r.get::<String>(0)
    })?;
    let mut items = Vec::new();
    for body in rows {
        items.push(serde_json::from_str(&body)?);
    }
    Ok(items)
}

/// Write a thing (new or changed) and append it to its owner's change feed. `columns` are the
/// table's own indexed columns beyond id, owner, body and created_at, as (name, value). Returns
/// the `seq` of the change.
pub fn save<T: Stored>(
    conn: &dyn Sql,
    owned: &Owned<T>,
    columns: &[(&str, &dyn ToValue)],
    now: DateTime<Utc>,
) -> ApiResult<u64> {
    save_as_written(conn, owned, columns, now).map(|(seq, _)| seq)
}

/// As `save`, returning the thing's JSON as written too, for an answer that carries it: the
/// thing is written as JSON once, for its row, its change and the answer.
pub fn save_as_written<T: Stored>(
    conn: &dyn Sql,
    owned: &Owned<T>,
    columns: &[(&str, &dyn ToValue)],
    now: DateTime<Utc>,
) -> ApiResult<(u64, Box<RawValue>)> {
    let body = serde_json::value::to_raw_value(&owned.item)?;
    let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let placeholders: Vec<String> = (0..columns.len()).map(|i| format!("?{}", i + 6)).collect();
    let updates: Vec<String> = names
        .iter()
        .map(|n| format!("{n} = excluded.{n}"))
        .collect();
    let sql = format!(
        "INSERT INTO {table} (id, device_id, account_id, body, created_at{comma}{names})
         VALUES (?1, ?2, ?3, ?4, ?5{comma}{placeholders})
         ON CONFLICT (id) DO UPDATE SET body = excluded.body{comma}{updates}",
        table = T::TABLE,
        comma = if columns.is_empty() { "" } else { ", " },
        names = names.join(", "),
        placeholders = placeholders.join(", "),
        updates = updates.join(", "),
    );
    let id = owned.item.id();
    let text = body.get();
    let mut values: Vec<&dyn ToValue> = vec![&id, &owned.device_id, &owned.account_id, &text];
    let created = now.to_rfc3339();
    values.push(&created);
    values.extend(columns.iter().map(|(_, value)| *value));
    conn.execute(&sql, &values)?;
    let seq = push_change(
        conn,
        &owned.device_id,
        owned.account_id.as_deref(),
        T::KIND,
        text,
        now,
    )?;
    Ok((seq, body))
}

/// A device signs in: its things that belong to no account join `account_id`, each announced
/// on the account's feed. The device's earlier feed rows about them are superseded by these
/// and removed, so that a shared device signed out shows nobody's things.
pub fn join_account<T: Stored>(
    conn: &dyn Sql,
    device_id: &str,
    account_id: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let bodies: Vec<String> = conn.query_map(
        &format!(
            "UPDATE {} SET account_id = ?2 WHERE device_id = ?1 AND account_id IS NULL RETURNING body",
            T::TABLE
        ),
        params![device_id, account_id],
        |r| r.get(0),
    )?;
    conn.execute(
        "DELETE FROM changes WHERE device_id = ?1 AND account_id IS NULL",
        params![device_id],
    )?;
    for body in bodies {
        push_change(conn, device_id, Some(account_id), T::KIND, &body, now)?;
    }
    Ok(())
}

/// On PostgreSQL, the advisory lock a transaction holds from its first change to the feed until
/// it ends (any number, the same in every server).
const FEED_LOCK: i64 = 0x646f_6f72_6665_6564;

/// Append a change for its owner: the thing of `kind` whose JSON is `item`; returns its `seq`.
pub fn push_change(
    conn: &dyn Sql,
    device_id: &str,
    account_id: Option<&str>,
    kind: &str,
    item: &str,
    now: DateTime<Utc>,
) -> ApiResult<u64> {
    let body = changed_item(kind, item);
    let at = now.to_rfc3339();
    let seq = match conn.dialect() {
        // One writer at a time: numbers are given in commit order already.
        Dialect::Sqlite => conn.insert(
            "INSERT INTO changes (device_id, account_id, body, at) VALUES (?1, ?2, ?3, ?4)",
            params![device_id, account_id, body, at],
            "seq",
        )?,
        // Many writers: the number is taken under the feed's lock, which this transaction now
        // holds until it ends, so no later number can commit before this one and a reader's
        // cursor never passes a change still to come. An advisory lock, not a row: no writer
        // is given up for having waited on it, at any isolation level. A number rolled back
        // is a gap, which a cursor passes over.
        Dialect::Postgres => {
            let seq: i64 = conn.query_row(
                "SELECT nextval('changes_seq') FROM (SELECT pg_advisory_xact_lock(?1)::TEXT) AS held",
                params![FEED_LOCK],
                |r| r.get(0),
            )?;
            conn.execute(
                "INSERT INTO changes (seq, device_id, account_id, body, at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![seq, device_id, account_id, body, at],
            )?;
            seq
        }
    };
    Ok(seq as u64)
}

/// A `ChangedItem` as JSON, from its kind and the thing's own JSON, without reading the thing:
/// the same text serde writes for the enum (its tag `kind`, then its content `item`).
fn changed_item(kind: &str, item: &str) -> String {
    format!(r#"{{"kind":"{kind}","item":{item}}}"#)
}

/// The next number of a named sequence (1, 2, 3, ...), in the caller's transaction.
pub fn next_number(conn: &dyn Sql, name: &str) -> ApiResult<i64> {
    // Two statements rather than one with RETURNING, for the reason `push_change` gives.
    conn.execute(
        "INSERT INTO counters (name, value) VALUES (?1, 1)
         ON CONFLICT (name) DO UPDATE SET value = counters.value + 1",
        params![name],
    )?;
    Ok(conn.query_row(
        "SELECT value FROM counters WHERE name = ?1",
        params![name],
        |r| r.get(0),
    )?)
}

/// A new id for a thing.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod tests {
    use doorstep_protocol::ChangedItem;

    use super::*;

    fn report() -> Report {
        serde_json::from_value(serde_json::json!({
            "id": "r1", "reference": "DUR-2026-000001", "service_code": "pothole",
            "service_name": "Report a pothole", "description": "A \"deep\" one", "location": {"lat": 54.77, "lon": -1.57},
            "answers": {"depth": "deep"}, "attachments": [], "status": "open",
            "created_at": "2026-11-29T09:00:00Z", "updated_at": "2026-11-29T09:00:00Z",
            "timeline": [{"at": "2026-11-29T09:00:00Z", "from": "resident", "status": "open"}]
        }))
        .unwrap()
    }

    #[test]
    fn a_change_written_from_the_things_json_is_the_change_serde_writes() {
        let report = report();
        let written = changed_item(Report::KIND, &serde_json::to_string(&report).unwrap());
        let expected = ChangedItem::Report(report);
        assert_eq!(written, serde_json::to_string(&expected).unwrap());
        assert_eq!(
            serde_json::from_str::<ChangedItem>(&written).unwrap(),
            expected
        );
    }

    #[test]
    fn every_kind_is_named_as_the_change_feed_names_it() {
        let at = "2026-11-29T09:00:00Z";
        let booking: Booking = serde_json::from_value(serde_json::json!({
            "id": "b1", "reference": "DUR-BK-1", "service_code": "bulky_waste", "service_name": "Bulky waste",
            "slot_id": "s1", "site_name": "Depot", "start": at, "end": at, "answers": {},
            "status": "confirmed", "cancel_until": at, "created_at": at, "updated_at": at
        }))
        .unwrap();
        let payment: Payment = serde_json::from_value(serde_json::json!({
            "id": "p1", "purpose": "council_tax", "reference": "1234", "description": "Council tax",
            "amount_pence": 100, "state": {"status": "created", "finished": false},
            "return_url": "https://council.example", "created_at": at, "updated_at": at
        }))
        .unwrap();
        let kind = |item: ChangedItem| serde_json::to_value(item).unwrap()["kind"].clone();
        assert_eq!(kind(ChangedItem::Report(report())), Report::KIND);
        assert_eq!(kind(ChangedItem::Booking(booking)), Booking::KIND);
        assert_eq!(kind(ChangedItem::Payment(payment)), Payment::KIND);
    }
}
