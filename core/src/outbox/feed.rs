//! The council's copies of the resident's items, as the change feed and the answers bring them.
//!
//! Invariant: a copy is written only when it is at least as recent as the one held (by the
//! council's `updated_at`), so a replayed answer or a late read never undoes what the feed has
//! brought since; applying the same change twice changes nothing; an item the feed brought in
//! under the same council id while an answer was lost is merged into the device's own.

use doorstep_protocol::{ChangeFeed, ChangedItem, held_query};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use crate::{error::Result, items, shown, store};

pub(super) fn kind_of(conn: &Connection, local_id: &str) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT kind FROM items WHERE local_id = ?1")?
        .query_row(params![local_id], |r| r.get(0))
        .optional()?
        .unwrap_or_default())
}

/// Write the council's copy of an item; an item the change feed brought in under the same
/// council id meanwhile is merged into this one.
pub(super) fn write_server_copy(
    conn: &Connection,
    local_id: &str,
    server: Value,
    now: i64,
) -> Result<String> {
    let server_id = server["id"].as_str().unwrap_or_default().to_owned();
    let duplicate: Option<(String, Option<String>)> = conn
        .prepare_cached(
            "SELECT local_id, server FROM items WHERE server_id = ?1 AND local_id != ?2",
        )?
        .query_row(params![server_id, local_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let mut copy = server;
    if let Some((duplicate, newer)) = duplicate {
        // The feed brought this item in while our answer was lost: what was queued against that
        // copy moves to ours, and the newer of the two copies is kept.
        conn.prepare_cached("UPDATE outbox SET item = ?2 WHERE item = ?1")?
            .execute(params![duplicate, local_id])?;
        conn.prepare_cached("UPDATE outbox SET chain = ?2 WHERE chain = ?1")?
            .execute(params![duplicate, local_id])?;
        conn.prepare_cached("DELETE FROM items WHERE local_id = ?1")?
            .execute(params![duplicate])?;
        if let Some(newer) = newer
            .map(|n| serde_json::from_str::<Value>(&n))
            .transpose()?
            && !is_newer(&copy, &newer)
        {
            copy = newer;
        }
    }
    let stored: Option<String> = conn
        .prepare_cached("SELECT server FROM items WHERE local_id = ?1")?
        .query_row(params![local_id], |r| r.get(0))?;
    if let Some(stored) = stored
        .map(|s| serde_json::from_str::<Value>(&s))
        .transpose()?
        && !is_newer(&copy, &stored)
    {
        copy = stored;
    }
    conn.prepare_cached(
        "UPDATE items SET server_id = ?2, server = ?3, updated_at = ?4 WHERE local_id = ?1",
    )?
    .execute(params![local_id, server_id, copy.to_string(), now])?;
    kind_of(conn, local_id)
}

/// Is the council's copy `incoming` at least as recent as `stored`? A replayed answer is the
/// first answer, and must not undo what the change feed has brought since.
fn is_newer(incoming: &Value, stored: &Value) -> bool {
    let at = |v: &Value| {
        v["updated_at"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
    };
    match (at(incoming), at(stored)) {
        (Some(incoming), Some(stored)) => incoming >= stored,
        _ => true,
    }
}

/// An item whose council copy was written, and what a notification says when the council moved
/// its status.
#[derive(Debug, Clone, PartialEq)]
pub struct Changed {
    pub local_id: String,
    pub kind: String,
    /// The notification's title and body (`shown::status_change`).
    pub notice: Option<(String, String)>,
}

/// Apply one page of the change feed and move the cursor; returns the items that changed.
pub fn apply_feed(conn: &Connection, feed: &ChangeFeed, now: i64) -> Result<Vec<Changed>> {
    let entities: Vec<&ChangedItem> = feed.changes.iter().map(|c| &c.entity).collect();
    let changed = apply_items(conn, &entities, now)?;
    store::set_meta(conn, "cursor", &feed.cursor)?;
    Ok(changed)
}

/// Write the council's copies of items: each joins the item with its council id (unless the
/// copy held is newer), or becomes a new item. Returns the items that changed, each with a
/// notification when the council moved the status of a copy the device held.
pub fn apply_items(conn: &Connection, entities: &[&ChangedItem], now: i64) -> Result<Vec<Changed>> {
    let mut changed = Vec::new();
    for entity in entities {
        let (kind, body) = match entity {
            ChangedItem::Report(r) => ("report", serde_json::to_value(r)?),
            ChangedItem::Booking(b) => ("booking", serde_json::to_value(b)?),
            ChangedItem::Payment(p) => ("payment", serde_json::to_value(p)?),
        };
        let server_id = body["id"].as_str().unwrap_or_default().to_owned();
        let text = body.to_string();
        let held: Option<(String, Option<String>)> = conn
            .prepare_cached("SELECT local_id, server FROM items WHERE server_id = ?1")?
            .query_row(params![server_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let mut notice = None;
        let local_id = match held {
            // The copy held is this very one (the answer to our own operation, most often).
            Some((local_id, Some(stored))) if stored == text => local_id,
            Some((local_id, stored)) => {
                let stored = stored
                    .map(|s| serde_json::from_str::<Value>(&s))
                    .transpose()?;
                if stored.as_ref().is_none_or(|stored| is_newer(&body, stored)) {
                    conn.prepare_cached(
                        "UPDATE items SET server = ?2, updated_at = ?3 WHERE local_id = ?1",
                    )?
                    .execute(params![local_id, text, now])?;
                    let before = stored.as_ref().and_then(|s| status_words(kind, s));
                    if before.is_some() && before != status_words(kind, &body) {
                        notice = items::shown_of(conn, &local_id, kind)?
                            .and_then(|now| shown::status_change(before, &now));
                    }
                }
                local_id
            }
            None => {
                let local_id = uuid::Uuid::now_v7().to_string();
                conn.prepare_cached(
                    "INSERT INTO items (local_id, kind, server_id, request, server, created_at, updated_at)
                     VALUES (?1, ?2, ?3, 'null', ?4, ?5, ?5)",
                )?
                .execute(params![local_id, kind, server_id, text, now])?;
                local_id
            }
        };
        changed.push(Changed {
            local_id,
            kind: kind.to_owned(),
            notice,
        });
    }
    Ok(changed)
}

/// A council copy's status in the resident's words (two of GOV.UK Pay's states can read the
/// same, and a move between them is no news).
fn status_words(kind: &str, copy: &Value) -> Option<&'static str> {
    fn status<T: serde::de::DeserializeOwned>(at: &Value) -> Option<T> {
        T::deserialize(at).ok()
    }
    match kind {
        "report" => status(&copy["status"]).map(doorstep_protocol::ReportStatus::words),
        "booking" => status(&copy["status"]).map(shown::booking_status),
        "payment" => status(&copy["state"]["status"]).map(shown::payment_status),
        _ => None,
    }
}

/// The change feed's address from `cursor`, naming the changes in `held` after it.
pub(super) fn feed_path(cursor: &str, held: &[u64]) -> String {
    let since: u64 = cursor.parse().unwrap_or(0);
    let after: Vec<u64> = held.iter().copied().filter(|seq| *seq > since).collect();
    if after.is_empty() {
        format!("/v1/changes?since={cursor}")
    } else {
        format!("/v1/changes?since={cursor}&held={}", held_query(&after))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use doorstep_protocol::Change;

    fn change(seq: u64, status: &str) -> Change {
        let at = chrono::Utc::now();
        let report = serde_json::json!({
            "id": "r1", "reference": "DUR-2026-000001", "service_code": "pothole", "service_name": "Report a pothole",
            "description": "", "location": {}, "answers": {}, "attachments": [], "status": status,
            "created_at": at, "updated_at": at, "timeline": [{"at": at, "from": "council", "status": status}]
        });
        Change {
            seq,
            at,
            entity: ChangedItem::Report(serde_json::from_value(report).unwrap()),
        }
    }

    fn items(conn: &Connection) -> Vec<(String, String)> {
        let mut statement = conn
            .prepare("SELECT server_id, server FROM items ORDER BY local_id")
            .unwrap();
        statement
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn the_feed_is_asked_for_with_the_held_changes_after_its_cursor() {
        assert_eq!(feed_path("", &[]), "/v1/changes?since=");
        assert_eq!(
            feed_path("7", &[3, 8, 9, 10, 12]),
            "/v1/changes?since=7&held=8-10,12"
        );
        assert_eq!(feed_path("12", &[3, 8, 12]), "/v1/changes?since=12");
    }

    #[test]
    fn applying_a_page_twice_changes_nothing_and_moves_the_cursor() {
        let dir = std::env::temp_dir().join(format!("doorstep-core-feed-{}", uuid::Uuid::now_v7()));
        let store = Store::open(&dir).unwrap();
        let feed = ChangeFeed {
            changes: vec![change(1, "open"), change(2, "fixed")],
            cursor: "2".into(),
            more: false,
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let (once, twice) = runtime.block_on(async {
            let page = feed.clone();
            store
                .write(move |tx| apply_feed(tx, &page, 10))
                .await
                .unwrap();
            let once = store.read(|c| Ok(items(c))).await.unwrap();
            store
                .write(move |tx| apply_feed(tx, &feed, 10))
                .await
                .unwrap();
            let twice = store.read(|c| Ok(items(c))).await.unwrap();
            (once, twice)
        });
        assert_eq!(once.len(), 1, "two changes to one report make one item");
        assert!(once[0].1.contains("\"fixed\""), "the later change wins");
        assert_eq!(once, twice);
        let cursor = runtime
            .block_on(store.read(|c| store::meta(c, "cursor")))
            .unwrap();
        assert_eq!(cursor.as_deref(), Some("2"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_change_held_at_the_same_version_is_left_alone_and_a_newer_one_replaces_it_with_a_notice() {
        let dir = std::env::temp_dir().join(format!("doorstep-core-held-{}", uuid::Uuid::now_v7()));
        let store = Store::open(&dir).unwrap();
        let first = ChangeFeed {
            changes: vec![change(1, "open")],
            cursor: "1".into(),
            more: false,
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let updated = || {
            runtime
                .block_on(store.read(|c| {
                    Ok(
                        c.query_row("SELECT updated_at, server FROM items", [], |r| {
                            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                        })?,
                    )
                }))
                .unwrap()
        };
        let page = first.clone();
        let new = runtime
            .block_on(store.write(move |tx| apply_feed(tx, &page, 10)))
            .unwrap();
        let again = runtime
            .block_on(store.write(move |tx| apply_feed(tx, &first, 20)))
            .unwrap();
        assert_eq!(new[0].notice, None, "the council's first copy is no news");
        assert_eq!(again[0].notice, None, "nor is the same copy again");
        assert_eq!(updated().0, 10, "the same copy again is not written again");
        let newer = ChangeFeed {
            changes: vec![change(2, "fixed")],
            cursor: "2".into(),
            more: false,
        };
        let changed = runtime
            .block_on(store.write(move |tx| apply_feed(tx, &newer, 30)))
            .unwrap();
        assert_eq!(changed.len(), 1);
        assert_eq!(
            changed[0].notice,
            Some((
                "Report a pothole DUR-2026-000001".to_owned(),
                "Now: Fixed".to_owned()
            )),
            "the council moved the status of a copy the device held"
        );
        let (at, server) = updated();
        assert_eq!(at, 30, "a newer copy is written");
        assert!(server.contains("\"fixed\""));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
