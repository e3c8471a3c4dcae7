//! The device's SQLite store: one file in the data directory, numbered migrations, one
//! connection used from the blocking pool.
//!
//! Invariant: a resident's intent and its outbox operation are written in one IMMEDIATE
//! transaction (`Store::write`), so an intent is either wholly queued or not at all. A database
//! written by a newer Doorstep is refused and left untouched. A damaged database is never
//! deleted: it is moved aside, whole, and the resident is told where it was kept.

use std::{
    path::Path,
    sync::{Arc, Mutex},
    time::Duration,
};

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use crate::error::{Error, Result};

/// The schema, one migration per entry; `PRAGMA user_version` counts those applied.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- The catalogue as last fetched: summaries, and definitions once fetched.
CREATE TABLE services (
    code TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    summary TEXT NOT NULL,
    definition TEXT
);
CREATE VIRTUAL TABLE services_search USING fts5(code UNINDEXED, name, description, keywords, group_name);
-- The resident's things: what they asked for, and the council's copy once it has one.
CREATE TABLE items (
    local_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('report', 'booking', 'payment')),
    server_id TEXT UNIQUE,
    request TEXT NOT NULL,
    server TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE photos (
    sha256 TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL
);
-- The outbox: operations waiting to reach the council, FIFO within a chain (one item).
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    chain TEXT NOT NULL,
    item TEXT NOT NULL REFERENCES items(local_id) ON DELETE CASCADE,
    operation TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    body TEXT,
    photo TEXT REFERENCES photos(sha256),
    state TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'parked')),
    attempts INTEGER NOT NULL DEFAULT 0,
    -- When the backoff allows the next automatic attempt (unix seconds).
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    -- Not before this, whoever asks: the council's Retry-After.
    not_before INTEGER NOT NULL DEFAULT 0,
    problem TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX outbox_chain ON outbox(chain, seq);
CREATE TABLE drafts (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
-- Last-known answers kept for offline use: slots, bin calendars, addresses.
CREATE TABLE cache (
    name TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    fetched_at INTEGER NOT NULL
);
"#,
    r#"
-- 2: the outbox's counts, kept up to date by triggers, so that showing "N waiting" costs the
-- same with a hundred thousand operations queued as with one.
CREATE TABLE outbox_counts (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    waiting INTEGER NOT NULL,
    parked INTEGER NOT NULL
);
INSERT INTO outbox_counts (id, waiting, parked)
    SELECT 1, COALESCE(SUM(state = 'waiting'), 0), COALESCE(SUM(state = 'parked'), 0) FROM outbox;
CREATE TRIGGER outbox_counts_insert AFTER INSERT ON outbox BEGIN
    UPDATE outbox_counts SET waiting = waiting + (NEW.state = 'waiting'), parked = parked + (NEW.state = 'parked');
END;
CREATE TRIGGER outbox_counts_delete AFTER DELETE ON outbox BEGIN
    UPDATE outbox_counts SET waiting = waiting - (OLD.state = 'waiting'), parked = parked - (OLD.state = 'parked');
END;
CREATE TRIGGER outbox_counts_update AFTER UPDATE OF state ON outbox BEGIN
    UPDATE outbox_counts SET
        waiting = waiting - (OLD.state = 'waiting') + (NEW.state = 'waiting'),
        parked = parked - (OLD.state = 'parked') + (NEW.state = 'parked');
END;
"#,
    r#"
-- 3: one name for an operation the council refused for good, the resident's own words:
-- `needs_attention` (it was stored as `parked`). SQLite cannot change a CHECK constraint in
-- place, so the outbox is copied into a table that has the new one; dropping the old table
-- fires no trigger, and the counts are made again from the rows.
CREATE TABLE outbox_renamed (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    chain TEXT NOT NULL,
    item TEXT NOT NULL REFERENCES items(local_id) ON DELETE CASCADE,
    operation TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    body TEXT,
    photo TEXT REFERENCES photos(sha256),
    state TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'needs_attention')),
    attempts INTEGER NOT NULL DEFAULT 0,
    -- When the backoff allows the next automatic attempt (unix seconds).
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    -- Not before this, whoever asks: the council's Retry-After.
    not_before INTEGER NOT NULL DEFAULT 0,
    problem TEXT,
    created_at INTEGER NOT NULL
);
INSERT INTO outbox_renamed (seq, key, chain, item, operation, method, path, body, photo, state,
                            attempts, next_attempt_at, not_before, problem, created_at)
    SELECT seq, key, chain, item, operation, method, path, body, photo,
           CASE state WHEN 'parked' THEN 'needs_attention' ELSE state END,
           attempts, next_attempt_at, not_before, problem, created_at
    FROM outbox;
-- The numbering goes on from where it was, so that no number is used twice.
DELETE FROM sqlite_sequence WHERE name = 'outbox_renamed';
INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox_renamed', seq FROM sqlite_sequence WHERE name = 'outbox';
DROP TABLE outbox;
ALTER TABLE outbox_renamed RENAME TO outbox;
CREATE INDEX outbox_chain ON outbox(chain, seq);
ALTER TABLE outbox_counts RENAME COLUMN parked TO needs_attention;
UPDATE outbox_counts SET
    waiting = (SELECT COUNT(*) FROM outbox WHERE state = 'waiting'),
    needs_attention = (SELECT COUNT(*) FROM outbox WHERE state = 'needs_attention');
CREATE TRIGGER outbox_counts_insert AFTER INSERT ON outbox BEGIN
    UPDATE outbox_counts SET waiting = waiting + (NEW.state = 'waiting'),
        needs_attention = needs_attention + (NEW.state = 'needs_attention');
END;
CREATE TRIGGER outbox_counts_delete AFTER DELETE ON outbox BEGIN
    UPDATE outbox_counts SET waiting = waiting - (OLD.state = 'waiting'),
        needs_attention = needs_attention - (OLD.state = 'needs_attention');
END;
CREATE TRIGGER outbox_counts_update AFTER UPDATE OF state ON outbox BEGIN
    UPDATE outbox_counts SET
        waiting = waiting - (OLD.state = 'waiting') + (NEW.state = 'waiting'),
        needs_attention = needs_attention - (OLD.state = 'needs_attention') + (NEW.state = 'needs_attention');
END;
"#,
];

/// The store's file name in the data directory.
const FILE: &str = "doorstep.sqlite3";

/// The schema version this code writes.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// The store: cheap to clone.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

impl Store {
    /// Open (creating if need be) and migrate the store in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| Error::Storage(format!("cannot create {}: {e}", data_dir.display())))?;
        let path = data_dir.join(FILE);
        // A file that is not SQLite's is moved aside before SQLite opens it: closing a
        // connection to it would delete its journal.
        if let Some(cause) = first_bytes(&path).as_deref().and_then(damaged_header) {
            return Err(move_aside(&path, cause));
        }
        let mut conn = Connection::open(&path)?;
        if let Err(error) = read_schema(&conn) {
            if is_damaged(&error) {
                drop(conn);
                return Err(move_aside(&path, &error.to_string()));
            }
            return Err(error.into());
        }
        // A store from a newer Doorstep is refused before anything (even the journal mode) is set.
        known_version(&conn)?;
        configure(&conn)?;
        migrate(&mut conn)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Run `work` on the connection, on the blocking pool.
    pub async fn read<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        self.on_pool(Box::new(move |conn| Box::new(work(conn))))
            .await
    }

    /// Run `work` in one IMMEDIATE transaction, committed when it returns `Ok`.
    pub async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction) -> Result<T> + Send + 'static,
    {
        self.on_pool(Box::new(move |conn| {
            let written = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(Error::from)
                .and_then(|tx| {
                    let value = work(&tx)?;
                    tx.commit()?;
                    Ok(value)
                });
            Box::new(written)
        }))
        .await
    }

    /// Run `work` on the blocking pool with the connection, and hand back the `Result<T>` it
    /// made. The work is boxed so that the pool's task is made once for every caller, not once
    /// for each of the core's hundreds of closures (which weighs on the phone library's size).
    async fn on_pool<T: Send + 'static>(&self, work: Pooled) -> Result<T> {
        let conn = self.conn.clone();
        let made = tokio::task::spawn_blocking(move || {
            let mut conn = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            work(&mut conn)
        })
        .await?;
        match made.downcast::<Result<T>>() {
            Ok(made) => *made,
            Err(_) => Err(Error::Internal(
                "the store's work handed back another type".to_owned(),
            )),
        }
    }
}

/// Work for the blocking pool: given the connection, it makes a `Result<T>` for `on_pool`.
type Pooled = Box<dyn FnOnce(&mut Connection) -> Box<dyn std::any::Any + Send> + Send>;

/// Read the file's header and schema: what fails first on a damaged file.
fn read_schema(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "schema_version", |row| row.get(0))
}

/// The first 100 bytes of a file (its SQLite header), if it can be read.
fn first_bytes(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read as _;
    let mut header = Vec::with_capacity(100);
    std::fs::File::open(path)
        .and_then(|file| file.take(100).read_to_end(&mut header))
        .ok()?;
    Some(header)
}

/// Why a store file's first bytes are not an SQLite database's, if they are not; an empty file
/// is a store not yet written.
fn damaged_header(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: &[u8] = b"SQLite format 3\0";
    match bytes {
        [] => None,
        b if b.len() < 100 => Some("the file is cut short"),
        b if !b.starts_with(MAGIC) => Some("the file is not a database"),
        _ => None,
    }
}

fn is_damaged(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
    )
}

/// Move a damaged store and its journal files aside, under one new name; the error to show.
fn move_aside(path: &Path, cause: &str) -> Error {
    let kept = path.with_file_name(format!(
        "{FILE}.damaged-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
    ));
    for suffix in ["-wal", "-shm"] {
        let journal = path.with_file_name(format!("{FILE}{suffix}"));
        if journal.exists() {
            let target = kept.with_file_name(format!(
                "{}{suffix}",
                kept.file_name().unwrap_or_default().to_string_lossy()
            ));
            if let Err(error) = std::fs::rename(&journal, &target) {
                return Error::Storage(format!(
                    "the app's data on this device is damaged ({cause}) and could not be moved aside ({error}); nothing was deleted"
                ));
            }
        }
    }
    match std::fs::rename(path, &kept) {
        Ok(()) => Error::Storage(format!(
            "the app's data on this device was damaged ({cause}); it has been kept, not deleted, as {}. \
             Open the app again to start afresh",
            kept.display()
        )),
        Err(error) => Error::Storage(format!(
            "the app's data on this device is damaged ({cause}) and could not be moved aside ({error}); nothing was deleted"
        )),
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // WAL: a commit is one append, and reads do not wait for the writer.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // FULL: a queued intent survives power loss, not only an app crash — the resident was told
    // it is saved.
    conn.pragma_update(None, "synchronous", "FULL")?;
    // The schema's references are checked.
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Every statement the core prepares stays prepared (there are fewer than 64): queueing
    // and syncing then parse no SQL.
    conn.set_prepared_statement_cache_capacity(64);
    // Another process on the same data directory (a second CLI run) waits instead of failing.
    conn.busy_timeout(Duration::from_secs(5))?;
    Ok(())
}

/// The store's schema version, if this code knows it.
fn known_version(conn: &Connection) -> Result<usize> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let version = usize::try_from(version).unwrap_or(usize::MAX);
    if version > SCHEMA_VERSION {
        return Err(Error::Storage(format!(
            "this data was written by a newer Doorstep (schema {version}; this one knows {SCHEMA_VERSION}): \
             update the app; nothing has been changed"
        )));
    }
    Ok(version)
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let version = known_version(conn)?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

/// Cap the store at `pages` pages (SQLite keeps it no smaller than it is); the cap set.
pub fn cap_pages(conn: &Connection, pages: u64) -> Result<u64> {
    // SQLite reads 0 as "only tell me the cap": the smallest cap asked for is 1.
    let pages = i64::try_from(pages.max(1)).unwrap_or(i64::MAX);
    let cap: i64 = conn.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| {
        r.get(0)
    })?;
    Ok(u64::try_from(cap).unwrap_or(0))
}

/// A value from the `meta` table.
pub fn meta(conn: &Connection, name: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE name = ?1")?
        .query_row(params![name], |r| r.get(0))
        .optional()?)
}

pub fn set_meta(conn: &Connection, name: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        params![name, value],
    )?;
    Ok(())
}

pub fn delete_meta(conn: &Connection, name: &str) -> Result<()> {
    conn.execute("DELETE FROM meta WHERE name = ?1", params![name])?;
    Ok(())
}

/// A cached answer and when it was fetched (unix seconds).
pub fn cached(conn: &Connection, name: &str) -> Result<Option<(String, i64)>> {
    Ok(conn
        .query_row(
            "SELECT body, fetched_at FROM cache WHERE name = ?1",
            params![name],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

pub fn set_cached(conn: &Connection, name: &str, body: &str, now: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO cache (name, body, fetched_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at",
        params![name, body, now],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir() -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("doorstep-core-store-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_store_from_a_newer_doorstep_is_refused_and_left_untouched() {
        let dir = temp_dir();
        let path = dir.join("doorstep.sqlite3");
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let error = Store::open(&dir).err().unwrap();
        assert!(error.to_string().contains("newer Doorstep"), "{error}");
        assert!(
            !dir.join("doorstep.sqlite3-wal").exists(),
            "not even the journal mode was changed"
        );
        let version: i64 = Connection::open(&path)
            .unwrap()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, 99);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_store_of_schema_1_is_migrated_and_its_outbox_counted() {
        let dir = temp_dir();
        {
            let mut conn = Connection::open(dir.join("doorstep.sqlite3")).unwrap();
            let tx = conn.transaction().unwrap();
            tx.execute_batch(MIGRATIONS[0]).unwrap();
            tx.pragma_update(None, "user_version", 1).unwrap();
            tx.execute_batch(
                "INSERT INTO items (local_id, kind, request, created_at, updated_at) VALUES ('i', 'report', '{}', 0, 0);
                 INSERT INTO outbox (key, chain, item, operation, method, path, created_at) VALUES ('a', 'i', 'i', 'send_report', 'POST', '/v1/reports', 0);
                 INSERT INTO outbox (key, chain, item, operation, method, path, state, created_at) VALUES ('b', 'i', 'i', 'add_update', 'POST', '/x', 'parked', 0);",
            )
            .unwrap();
            tx.commit().unwrap();
        }
        let store = Store::open(&dir).unwrap();
        let conn = store.conn.lock().unwrap();
        assert_eq!(
            crate::outbox::counts(&conn).unwrap(),
            (1, 1),
            "counted from the rows already queued"
        );
        conn.execute("UPDATE outbox SET state = 'waiting' WHERE key = 'b'", [])
            .unwrap();
        conn.execute("DELETE FROM outbox WHERE key = 'a'", [])
            .unwrap();
        assert_eq!(
            crate::outbox::counts(&conn).unwrap(),
            (1, 0),
            "and kept up to date"
        );
        drop(conn);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_store_of_schema_2_keeps_its_refused_operations_under_their_one_name() {
        let dir = temp_dir();
        {
            let mut conn = Connection::open(dir.join("doorstep.sqlite3")).unwrap();
            let tx = conn.transaction().unwrap();
            tx.execute_batch(MIGRATIONS[0]).unwrap();
            tx.execute_batch(MIGRATIONS[1]).unwrap();
            tx.pragma_update(None, "user_version", 2).unwrap();
            tx.execute_batch(
                "INSERT INTO items (local_id, kind, request, created_at, updated_at) VALUES ('i', 'report', '{}', 0, 0);
                 INSERT INTO outbox (key, chain, item, operation, method, path, created_at, not_before) VALUES ('a', 'i', 'i', 'send_report', 'POST', '/v1/reports', 0, 99);
                 INSERT INTO outbox (key, chain, item, operation, method, path, state, problem, created_at) VALUES ('b', 'i', 'i', 'add_update', 'POST', '/x', 'parked', '{\"status\":422,\"code\":\"c\",\"message\":\"m\"}', 0);
                 INSERT INTO outbox (key, chain, item, operation, method, path, created_at) VALUES ('sent', 'i', 'i', 'add_update', 'POST', '/x', 0);
                 DELETE FROM outbox WHERE key = 'sent';",
            )
            .unwrap();
            tx.commit().unwrap();
        }
        let store = Store::open(&dir).unwrap();
        let conn = store.conn.lock().unwrap();
        let rows: Vec<(String, String, i64)> = conn
            .prepare("SELECT key, state, not_before FROM outbox ORDER BY seq")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            rows,
            [
                ("a".to_owned(), "waiting".to_owned(), 99),
                ("b".to_owned(), "needs_attention".to_owned(), 0)
            ]
        );
        assert_eq!(crate::outbox::counts(&conn).unwrap(), (1, 1));
        let entries = crate::outbox::list(&conn).unwrap();
        assert!(matches!(
            entries[1].state,
            crate::outbox::State::NeedsAttention { .. }
        ));
        conn.execute("DELETE FROM outbox WHERE key = 'b'", [])
            .unwrap();
        assert_eq!(
            crate::outbox::counts(&conn).unwrap(),
            (1, 0),
            "still kept up to date"
        );
        conn.execute(
            "INSERT INTO outbox (key, chain, item, operation, method, path, created_at) VALUES ('c', 'i', 'i', 'add_update', 'POST', '/x', 0)",
            [],
        )
        .unwrap();
        let seq: i64 = conn
            .query_row("SELECT seq FROM outbox WHERE key = 'c'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            seq, 4,
            "the numbering goes on after the operation already sent"
        );
        assert!(
            conn.execute("UPDATE outbox SET state = 'parked' WHERE key = 'a'", [])
                .is_err(),
            "the old name is no longer taken"
        );
        drop(conn);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_full_store_says_so_keeps_what_it_had_and_takes_more_once_there_is_room() {
        let dir = temp_dir();
        let store = Store::open(&dir).unwrap();
        let conn = store.conn.lock().unwrap();
        cap_pages(&conn, 1).unwrap();
        let draft = |n: usize| {
            conn.execute(
                "INSERT INTO drafts (id, kind, body, updated_at) VALUES (?1, 'report', ?2, 0)",
                params![n.to_string(), "a pothole ".repeat(50)],
            )
        };
        let mut kept = 0;
        let error = loop {
            match draft(kept) {
                Ok(_) => kept += 1,
                Err(error) => break Error::from(error),
            }
            assert!(kept < 10_000, "the cap never bit");
        };
        assert!(error.to_string().contains("storage is full"), "{error}");
        cap_pages(&conn, 100_000).unwrap();
        draft(kept).expect("room again");
        let count: i64 = conn
            .query_row("SELECT COUNT(*) FROM drafts", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count as usize, kept + 1, "nothing accepted before was lost");
        drop(conn);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn only_a_header_that_is_not_sqlites_is_damaged() {
        let mut good = b"SQLite format 3\0".to_vec();
        good.resize(4096, 0);
        assert_eq!(damaged_header(&good), None);
        assert_eq!(damaged_header(b""), None);
        assert!(damaged_header(b"SQLite").is_some());
        assert!(damaged_header(&[7; 4096]).is_some());
    }

    #[test]
    fn a_damaged_store_is_moved_aside_whole_with_a_clear_message_and_the_next_open_starts_afresh() {
        let dir = temp_dir();
        let damaged = b"this is not a database ".repeat(200);
        std::fs::write(dir.join(FILE), &damaged).unwrap();
        std::fs::write(dir.join(format!("{FILE}-wal")), b"a journal").unwrap();

        let error = Store::open(&dir).err().unwrap().to_string();
        assert!(error.contains("damaged"), "{error}");
        assert!(error.contains("kept, not deleted"), "{error}");
        let kept: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.contains(".damaged-"))
            .collect();
        assert_eq!(kept.len(), 2, "the store and its journal: {kept:?}");
        let store = kept.iter().find(|n| !n.ends_with("-wal")).unwrap();
        assert!(error.contains(store.as_str()), "{error} names {store}");
        assert_eq!(std::fs::read(dir.join(store)).unwrap(), damaged);
        assert!(!dir.join(FILE).exists());

        Store::open(&dir).expect("a fresh store");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn an_empty_file_from_before_the_first_migration_is_migrated() {
        let dir = temp_dir();
        Connection::open(dir.join("doorstep.sqlite3"))
            .unwrap()
            .execute_batch("CREATE TABLE leftover (x)")
            .unwrap();
        let store = Store::open(&dir).unwrap();
        let conn = store.conn.lock().unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version as usize, SCHEMA_VERSION);
        drop(conn);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
