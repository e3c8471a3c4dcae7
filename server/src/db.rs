//! The server's SQLite store: one file, one writer connection (and one that only copies the
//! log into the file, off the writer), numbered migrations.
//!
//! Invariant: every change a request makes is written in one IMMEDIATE transaction, together
//! with its idempotency record and its change-feed rows, so that a crash leaves either all of
//! it or none of it. SQLite work runs on the blocking pool, never on the async workers.

use std::{
    path::Path,
    sync::{Arc, Mutex},
    time::Duration,
};

use rusqlite::{Connection, TransactionBehavior};

use crate::{
    error::{ApiError, ApiResult},
    sql::Sql,
};

/// The schema, one migration per entry; `PRAGMA user_version` counts those applied.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    platform TEXT NOT NULL,
    name TEXT NOT NULL,
    account_id TEXT REFERENCES accounts(id),
    created_at TEXT NOT NULL
);
-- Bearer tokens, by the SHA-256 of the token: the token itself is never stored.
CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('device', 'account', 'staff')),
    device_id TEXT REFERENCES devices(id),
    account_id TEXT REFERENCES accounts(id),
    created_at TEXT NOT NULL,
    expires_at INTEGER
);
CREATE TABLE sign_in_codes (
    email TEXT PRIMARY KEY,
    code_hash TEXT NOT NULL,
    device_id TEXT NOT NULL REFERENCES devices(id),
    expires_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
);
-- What would have gone to GOV.UK Notify.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    template_id TEXT NOT NULL,
    email_address TEXT NOT NULL,
    personalisation TEXT NOT NULL,
    reference TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE rate_events (
    bucket TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX rate_events_bucket ON rate_events(bucket, at);
-- One row per (caller, key): the request's fingerprint and, once done, its answer.
CREATE TABLE idempotency (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('in_progress', 'done')),
    lease_until INTEGER NOT NULL DEFAULT 0,
    status INTEGER,
    body TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_created ON idempotency(created_at);
CREATE TABLE attachments (
    sha256 TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    device_id TEXT NOT NULL REFERENCES devices(id),
    created_at TEXT NOT NULL
);
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
-- Resident-owned things keep their whole JSON in `body`, with the columns queries need.
CREATE TABLE reports (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    device_id TEXT NOT NULL REFERENCES devices(id),
    account_id TEXT REFERENCES accounts(id),
    service_code TEXT NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX reports_device ON reports(device_id);
CREATE INDEX reports_account ON reports(account_id);
CREATE TABLE bookings (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    device_id TEXT NOT NULL REFERENCES devices(id),
    account_id TEXT REFERENCES accounts(id),
    service_code TEXT NOT NULL,
    slot_id TEXT NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX bookings_slot ON bookings(service_code, slot_id, status);
CREATE INDEX bookings_device ON bookings(device_id);
CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices(id),
    account_id TEXT REFERENCES accounts(id),
    provider_id TEXT NOT NULL UNIQUE,
    purpose TEXT NOT NULL,
    reference TEXT NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX payments_device ON payments(device_id);
-- The sandbox payment provider's own records, as GOV.UK Pay would keep them.
CREATE TABLE sandbox_payments (
    id TEXT PRIMARY KEY,
    amount INTEGER NOT NULL,
    description TEXT NOT NULL,
    reference TEXT NOT NULL,
    return_url TEXT NOT NULL,
    status TEXT NOT NULL,
    code TEXT,
    message TEXT,
    card_brand TEXT,
    last_digits TEXT,
    captured_at TEXT,
    refunded INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
-- The change feed: each row is a whole entity as it became, for its owners.
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id TEXT NOT NULL,
    account_id TEXT,
    body TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX changes_device ON changes(device_id, seq);
CREATE INDEX changes_account ON changes(account_id, seq);
"#,
    r#"
-- 2: when a report last changed, for Open311's updated_datetime and the updates feed.
ALTER TABLE reports ADD COLUMN updated_at TEXT;
UPDATE reports SET updated_at = json_extract(body, '$.updated_at');
CREATE INDEX reports_updated ON reports(updated_at);
CREATE INDEX reports_created ON reports(created_at);
"#,
    r#"
-- 3: where the sandbox provider sends a payment's receipt, as GOV.UK Pay takes it.
ALTER TABLE sandbox_payments ADD COLUMN email TEXT;
"#,
    r#"
-- 4: what became of each email sent through GOV.UK Notify (notify.rs).
ALTER TABLE notifications ADD COLUMN tries INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN next_try_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN sent_at TEXT;
ALTER TABLE notifications ADD COLUMN notify_id TEXT;
ALTER TABLE notifications ADD COLUMN given_up TEXT;
ALTER TABLE notifications ADD COLUMN last_error TEXT;
CREATE INDEX notifications_waiting ON notifications (next_try_at)
    WHERE sent_at IS NULL AND given_up IS NULL;
"#,
    r#"
-- 5: the payments still unfinished, oldest first, for reconciling them after their expiry.
CREATE INDEX payments_unfinished ON payments (created_at)
    WHERE status IN ('created', 'started', 'submitted', 'capturable');
"#,
    r#"
-- 6: where each phone is woken (push.rs): its push service's token, and the one push waiting
-- for it however many changes wait behind it (`wanted` counts them, so a change made while a
-- push is on its way is pushed again).
CREATE TABLE push_tokens (
    device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    service TEXT NOT NULL CHECK (service IN ('fcm', 'apns')),
    token TEXT NOT NULL UNIQUE,
    registered_at TEXT NOT NULL
);
CREATE TABLE pushes (
    device_id TEXT PRIMARY KEY REFERENCES push_tokens(device_id) ON DELETE CASCADE,
    wanted INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    tries INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX pushes_due ON pushes (due_at);
"#,
    r#"
-- 7: who does the work one server must do alone, until when (lease.rs).
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until INTEGER NOT NULL
);
"#,
    r#"
-- 8: what several servers on one store rely on: who holds a payment's key while it waits on
-- its provider (idempotency.rs), each slot's places, counted as they are taken and given
-- back, so that taking one is a single conditional update (bookings.rs), and a row for each
-- rate limit's bucket, taken before its events are counted (rate.rs).
ALTER TABLE idempotency ADD COLUMN holder TEXT;
CREATE TABLE rate_buckets (
    bucket TEXT PRIMARY KEY,
    counted_at INTEGER NOT NULL
);
INSERT INTO rate_buckets (bucket, counted_at)
    SELECT bucket, MAX(at) FROM rate_events GROUP BY bucket;
CREATE TABLE slot_places (
    service_code TEXT NOT NULL,
    slot_id TEXT NOT NULL,
    taken INTEGER NOT NULL CHECK (taken >= 0),
    PRIMARY KEY (service_code, slot_id)
);
INSERT INTO slot_places (service_code, slot_id, taken)
    SELECT service_code, slot_id, COUNT(*) FROM bookings WHERE status != 'cancelled'
    GROUP BY service_code, slot_id;
"#,
];

tokio::task_local! {
    /// Set while a batch runs its operations: its transaction is open, and on SQLite its gate
    /// is held.
    static IN_BATCH: Batch;
}

/// The transaction a batch holds open while its operations run.
#[derive(Clone)]
enum Batch {
    /// The store's one connection, behind its gate.
    Sqlite,
    /// A connection of the pool, taken for the whole batch.
    #[cfg(feature = "postgres")]
    Postgres(Arc<Mutex<crate::pg::Conn>>),
}

/// The store: cheap to clone.
#[derive(Clone)]
pub struct Db {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    /// One connection behind a lock, and a gate that a batch holds for the whole of its run so
    /// that no other request's writes mix into its transaction.
    Sqlite {
        conn: Arc<Mutex<Connection>>,
        gate: Arc<tokio::sync::Mutex<()>>,
        _checkpoints: Arc<Checkpoints>,
    },
    /// A pool of connections, each request in a transaction of its own.
    #[cfg(feature = "postgres")]
    Postgres(Arc<crate::pg::Pool>),
}

/// How often the log's committed pages are copied into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

/// Copies committed pages from the write-ahead log into the database file, on a thread and a
/// connection of its own: otherwise SQLite does it inside whichever commit crosses the log's
/// threshold, while that request holds the store's one writer and everyone else waits. A
/// passive checkpoint never waits for the writer nor holds it up. Stopped when the last clone
/// of the store is dropped.
struct Checkpoints {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpoints {
    fn start(path: &Path) -> anyhow::Result<Checkpoints> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("store-checkpoints".to_owned())
            .spawn(move || {
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(CHECKPOINT_EVERY)
                {
                    if let Err(error) =
                        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    {
                        tracing::warn!(%error, "checkpoint failed; the next one tries again");
                    }
                }
            })?;
        Ok(Checkpoints {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpoints {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Is this code running inside a batch (`Db::batch_owned`)?
pub(crate) fn in_batch() -> bool {
    IN_BATCH.try_with(|_| ()).is_ok()
}

/// The batch this code runs in, if any.
fn batch() -> Option<Batch> {
    IN_BATCH.try_with(Batch::clone).ok()
}

/// Run store work off the async workers. Inside a batch — which holds its connection, so
/// nothing else can use it meanwhile — it runs in place on a multi-threaded runtime, saving a
/// hand-off to the blocking pool for every step of every operation.
async fn blocking<T: Send + 'static>(
    in_place: bool,
    work: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    if in_place
        && tokio::runtime::Handle::current().runtime_flavor()
            == tokio::runtime::RuntimeFlavor::MultiThread
    {
        return tokio::task::block_in_place(work);
    }
    tokio::task::spawn_blocking(work)
        .await
        .map_err(ApiError::internal)?
}

/// Does `location` name a PostgreSQL database rather than a file?
pub fn is_postgres(location: &Path) -> bool {
    location
        .to_str()
        .is_some_and(|s| s.starts_with("postgres://") || s.starts_with("postgresql://"))
}

/// A connection to the store at `location` for looking at it from outside a server (counts,
/// tests), without migrating it: read-only on a SQLite file, which must exist. It may block:
/// call it off the async workers.
pub fn look_at(location: &Path) -> anyhow::Result<Box<dyn Sql>> {
    if is_postgres(location) {
        #[cfg(feature = "postgres")]
        return Ok(Box::new(crate::pg::connect(
            location.to_str().unwrap_or_default(),
        )?));
        #[cfg(not(feature = "postgres"))]
        anyhow::bail!("this doorstep-server was built without PostgreSQL");
    }
    anyhow::ensure!(
        location.exists(),
        "there is no database at {}",
        location.display()
    );
    Ok(Box::new(Connection::open_with_flags(
        location,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?))
}

/// `location` as it may be written in a log or an error: a URL without its password.
pub fn shown(location: &Path) -> String {
    let text = location.display().to_string();
    if !is_postgres(location) {
        return text;
    }
    match (text.find("://"), text.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => match text[scheme + 3..at].find(':') {
            Some(colon) => format!("{}:…{}", &text[..scheme + 3 + colon], &text[at..]),
            None => text,
        },
        _ => text,
    }
}

/// How many times a transaction the database gave up is tried in all. Many requests changing
/// one row at once (a reference counter) at a strict isolation level are given up in turn, all
/// but one each time: enough tries, spread out, let each of them through.
#[cfg(feature = "postgres")]
const RETRIES: u32 = 40;

/// How long to wait before trying a transaction again the `attempt`th time: doubling from
/// 5 ms to at most 160 ms, a random part of that, so that the transactions that collided do
/// not collide again in step.
#[cfg(feature = "postgres")]
fn backoff(attempt: u32) -> Duration {
    let ceiling = 5u64 << attempt.min(5);
    Duration::from_millis(rand::random_range(1..=ceiling))
}

/// Run `attempt` until it succeeds, or fails other than by the database giving its
/// transaction up (`attempt` answers its outcome and whether it was given up), or has been
/// tried `RETRIES` times: the one place a transaction given up to keep it serializable, or to
/// break a deadlock, is run again from the start.
#[cfg(feature = "postgres")]
async fn retried<T, Fut>(mut attempt: impl FnMut() -> Fut) -> ApiResult<T>
where
    Fut: std::future::Future<Output = ApiResult<(ApiResult<T>, bool)>>,
{
    let mut tries = 1;
    loop {
        let (outcome, given_up) = attempt().await?;
        if outcome.is_ok() || !given_up || tries == RETRIES {
            return outcome;
        }
        tokio::time::sleep(backoff(tries)).await;
        tries += 1;
    }
}

/// Run `work` on the connection behind `conn`, off the async workers (in place, when
/// `in_place`: see `blocking`).
async fn locked<C: Send + 'static, T: Send + 'static>(
    conn: Arc<Mutex<C>>,
    in_place: bool,
    work: impl FnOnce(&C) -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    blocking(in_place, move || {
        work(&conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
    })
    .await
}

impl Db {
    /// Open the store at `location`: a PostgreSQL URL (`postgres://…`) or a SQLite file,
    /// created if need be; migrated either way. It may block: call it off the async workers.
    pub fn connect(location: &Path) -> anyhow::Result<Db> {
        if !is_postgres(location) {
            return Db::open(location);
        }
        #[cfg(feature = "postgres")]
        {
            let url = location.to_str().unwrap_or_default();
            Ok(Db {
                backend: Backend::Postgres(Arc::new(crate::pg::Pool::open(url)?)),
            })
        }
        #[cfg(not(feature = "postgres"))]
        anyhow::bail!(
            "this doorstep-server was built without PostgreSQL: build it with `--features postgres`, or give --db a file"
        )
    }

    /// Open (creating if need be) and migrate the SQLite store at `path`.
    pub fn open(path: &Path) -> anyhow::Result<Db> {
        let mut conn = Connection::open(path)?;
        configure(&conn)?;
        migrate(&mut conn)?;
        Ok(Db {
            backend: Backend::Sqlite {
                conn: Arc::new(Mutex::new(conn)),
                gate: Arc::new(tokio::sync::Mutex::new(())),
                _checkpoints: Arc::new(Checkpoints::start(path)?),
            },
        })
    }

    /// Run `work` on a connection, on the blocking pool: inside the batch's transaction in a
    /// batch, and in a transaction of its own on PostgreSQL.
    pub async fn read<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Sql) -> ApiResult<T> + Clone + Send + 'static,
    {
        self.run(false, work).await
    }

    /// Run `work` in one transaction (IMMEDIATE on SQLite; a savepoint of the batch's, inside a
    /// batch): committed when it returns `Ok`, rolled back otherwise.
    pub async fn write<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Sql) -> ApiResult<T> + Clone + Send + 'static,
    {
        self.run(true, work).await
    }

    async fn run<T, F>(&self, writes: bool, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Sql) -> ApiResult<T> + Clone + Send + 'static,
    {
        let batch = batch();
        match &self.backend {
            Backend::Sqlite { conn, gate, .. } => {
                let in_batch = batch.is_some();
                let _gate = if in_batch {
                    None
                } else {
                    Some(gate.lock().await)
                };
                // A read is handed to the blocking pool even in a batch: it is rare there.
                locked(conn.clone(), writes && in_batch, move |conn| {
                    let sql: &dyn Sql = conn;
                    match (in_batch, writes) {
                        (true, true) => sql.savepoint(work),
                        (_, false) => work(sql),
                        (false, true) => {
                            abandon_leftover(conn)?;
                            let tx = rusqlite::Transaction::new_unchecked(
                                conn,
                                TransactionBehavior::Immediate,
                            )?;
                            let value = work(sql)?;
                            tx.commit()?;
                            Ok(value)
                        }
                    }
                })
                .await
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres(pool) => match batch {
                Some(Batch::Postgres(conn)) => {
                    locked(conn, true, move |conn| {
                        let sql: &dyn Sql = conn;
                        if writes {
                            sql.savepoint(work)
                        } else {
                            work(sql)
                        }
                    })
                    .await
                }
                Some(Batch::Sqlite) => Err(ApiError::internal("a SQLite batch on PostgreSQL")),
                None => {
                    retried(move || {
                        let (pool, work) = (pool.clone(), work.clone());
                        async move {
                            let turn = pool.turn().await?;
                            blocking(false, move || {
                                let _turn = turn;
                                let conn = pool.take()?;
                                let outcome = crate::pg::in_transaction(&conn, work);
                                let given_up = conn.was_given_up();
                                pool.give_back(conn);
                                Ok((outcome, given_up))
                            })
                            .await
                        }
                    })
                    .await
                }
            },
        }
    }

    /// Inside a batch (`batch_owned`), run `work` on the batch's own transaction with no
    /// savepoint around it, so that SQLite copies no page aside for undoing: `work` must make
    /// every check of an operation before its first write, and answer `Err` (which rolls the
    /// whole batch back) only when the store fails after one.
    pub async fn batch_steps<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Sql) -> ApiResult<T> + Send + 'static,
    {
        match (&self.backend, batch()) {
            (Backend::Sqlite { conn, .. }, Some(Batch::Sqlite)) => {
                locked(conn.clone(), true, move |conn| work(conn)).await
            }
            #[cfg(feature = "postgres")]
            (Backend::Postgres(_), Some(Batch::Postgres(conn))) => {
                locked(conn, true, move |conn| work(conn)).await
            }
            _ => Err(ApiError::internal("batch steps outside a batch")),
        }
    }

    /// Run a batch's operations (as `operations` makes them) in one transaction, committed
    /// together when they end with `Ok`. If they end with `Err` (the store failed part-way
    /// through one of them) or committing fails, none is kept, and the batch is answered as
    /// failed so that every operation is retried under its key — except that a batch
    /// PostgreSQL gave up is run again here first, from the start, as `write` runs a request.
    pub async fn batch_owned<T, Fut>(self, operations: impl Fn() -> Fut) -> ApiResult<T>
    where
        T: Send + 'static,
        Fut: std::future::Future<Output = ApiResult<T>>,
    {
        match &self.backend {
            Backend::Sqlite { conn, gate, .. } => {
                let _gate = gate.lock().await;
                let open = OpenBatch::begin(conn.clone()).await?;
                match IN_BATCH.scope(Batch::Sqlite, operations()).await {
                    Ok(output) => {
                        open.commit().await?;
                        Ok(output)
                    }
                    Err(error) => {
                        open.rollback().await?;
                        Err(error)
                    }
                }
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres(pool) => retried(|| Self::batch_on_postgres(pool, &operations)).await,
        }
    }

    /// One run of a batch on a connection of the pool taken for it: its outcome (with the
    /// commit's), and whether the database gave it up.
    #[cfg(feature = "postgres")]
    async fn batch_on_postgres<T, Fut>(
        pool: &Arc<crate::pg::Pool>,
        operations: &impl Fn() -> Fut,
    ) -> ApiResult<(ApiResult<T>, bool)>
    where
        T: Send + 'static,
        Fut: std::future::Future<Output = ApiResult<T>>,
    {
        // Held until the batch's connection is given back, even if this run is cut off.
        let turn = pool.turn().await?;
        let taken = pool.clone();
        let conn = blocking(false, move || {
            let conn = taken.take()?;
            conn.begin()?;
            Ok(Arc::new(Mutex::new(conn)))
        })
        .await?;
        let outcome = IN_BATCH
            .scope(Batch::Postgres(conn.clone()), operations())
            .await;
        let pool = pool.clone();
        // Dropped without this (the batch cut off), the connection is closed, which rolls its
        // transaction back.
        blocking(false, move || {
            let _turn = turn;
            let conn = Arc::try_unwrap(conn)
                .map_err(|_| ApiError::internal("a batch's connection still in use"))?
                .into_inner()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            let outcome = crate::pg::end(&conn, outcome);
            let given_up = conn.was_given_up();
            pool.give_back(conn);
            Ok((outcome, given_up))
        })
        .await
    }
}

/// A batch's open transaction: committed by `commit` or rolled back by `rollback`, and rolled
/// back if dropped before either (an operation that panicked), so the connection is never left
/// inside a transaction.
struct OpenBatch {
    conn: Option<Arc<Mutex<Connection>>>,
}

impl OpenBatch {
    async fn begin(conn: Arc<Mutex<Connection>>) -> ApiResult<OpenBatch> {
        let shared = conn.clone();
        tokio::task::spawn_blocking(move || {
            let conn = shared
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            conn.execute_batch("BEGIN IMMEDIATE")
        })
        .await
        .map_err(ApiError::internal)??;
        Ok(OpenBatch { conn: Some(conn) })
    }

    async fn commit(self) -> ApiResult<()> {
        self.end("COMMIT").await
    }

    async fn rollback(self) -> ApiResult<()> {
        self.end("ROLLBACK").await
    }

    /// End the transaction with `sql`, on the blocking pool; if that fails, roll it back.
    async fn end(mut self, sql: &'static str) -> ApiResult<()> {
        let Some(conn) = self.conn.take() else {
            return Ok(());
        };
        tokio::task::spawn_blocking(move || {
            let conn = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            conn.execute_batch(sql).inspect_err(|_| {
                if !conn.is_autocommit() {
                    let _ = conn.execute_batch("ROLLBACK");
                }
            })
        })
        .await
        .map_err(ApiError::internal)??;
        Ok(())
    }
}

impl Drop for OpenBatch {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            let conn = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let _ = conn.execute_batch("ROLLBACK");
        }
    }
}

impl Db {
    /// Open the store at `location` and issue a staff token valid for 30 days.
    pub fn issue_staff_token(location: &Path) -> anyhow::Result<String> {
        let db = Db::connect(location)?;
        let now = chrono::Utc::now();
        let issue = |sql: &dyn Sql| {
            crate::auth::issue_token(
                sql,
                "staff",
                None,
                None,
                Some(now + chrono::Duration::days(30)),
                now,
            )
        };
        Ok(match &db.backend {
            Backend::Sqlite { conn, .. } => {
                let conn = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                issue(&*conn)?
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres(pool) => {
                let conn = pool.take()?;
                let token = crate::pg::in_transaction(&conn, issue);
                pool.give_back(conn);
                token?
            }
        })
    }
}

/// Whoever holds the gate (outside a batch) is the only one who may have a transaction open;
/// one still open when the gate is taken was left by work that was cut short (a cancelled
/// request whose blocking step had already begun it), and is rolled back.
fn abandon_leftover(conn: &Connection) -> rusqlite::Result<()> {
    if !conn.is_autocommit() {
        tracing::warn!("rolling back a transaction left open by cancelled work");
        conn.execute_batch("ROLLBACK")?;
    }
    Ok(())
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // WAL: a commit is one append, and a second process (`stats`) can read while we write.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // NORMAL is durable across application crashes in WAL mode; only power loss can lose the
    // last commits, which the device then resends under the same keys.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // The schema's references are checked, not just documented.
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Savepoints (one per request, and per routed operation of a batch) journal in memory, not
    // in a temporary file.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // 64 MB of page cache: a batch of 500 operations stays in memory until its commit instead
    // of spilling pages to the log half-way.
    conn.pragma_update(None, "cache_size", -65_536)?;
    // The log is copied into the database file by `Checkpoints`, off the writer; a commit does
    // it itself only if the log grows past 10,000 pages (40 MB) because that has fallen behind.
    conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
    // The hot statements (token check, idempotency record, save, change feed) are prepared once.
    conn.set_prepared_statement_cache_capacity(64);
    // A second process on the same file (`stats`, `staff token`) waits instead of failing.
    conn.busy_timeout(Duration::from_secs(5))?;
    Ok(())
}

pub(crate) fn migrate(conn: &mut Connection) -> anyhow::Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let version = usize::try_from(version).unwrap_or(usize::MAX);
    anyhow::ensure!(
        version <= MIGRATIONS.len(),
        "this database was written by a newer doorstep-server (schema {version}, this one knows {}): \
         upgrade doorstep-server instead; the file has not been changed",
        MIGRATIONS.len()
    );
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::params;

    fn temp_db() -> (Db, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("doorstep-db-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        (Db::open(&dir.join("council.sqlite3")).unwrap(), dir)
    }

    fn sqlite(db: &Db) -> Arc<Mutex<Connection>> {
        match &db.backend {
            Backend::Sqlite { conn, .. } => conn.clone(),
            #[cfg(feature = "postgres")]
            Backend::Postgres(_) => unreachable!("opened as a file"),
        }
    }

    #[test]
    fn a_postgres_url_is_shown_without_its_password() {
        assert_eq!(
            shown(Path::new(
                "postgres://council:s3cret@127.0.0.1:5432/doorstep"
            )),
            "postgres://council:…@127.0.0.1:5432/doorstep"
        );
        assert_eq!(
            shown(Path::new("postgresql://council@db/doorstep")),
            "postgresql://council@db/doorstep"
        );
        assert_eq!(
            shown(Path::new("/var/lib/doorstep/council.sqlite3")),
            "/var/lib/doorstep/council.sqlite3"
        );
    }

    async fn counter_names(db: &Db) -> Vec<String> {
        db.read(|conn| Ok(conn.query_map("SELECT name FROM counters", params![], |r| r.get(0))?))
            .await
            .unwrap()
    }

    #[test]
    fn a_database_from_a_newer_server_is_refused_and_left_alone() {
        let dir = std::env::temp_dir().join(format!("doorstep-db-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("council.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", 99).unwrap();
        }
        let error = Db::open(&path).err().unwrap().to_string();
        assert!(error.contains("newer doorstep-server"), "{error}");
        let conn = Connection::open(&path).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, 99);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn a_transaction_left_open_by_cancelled_work_is_rolled_back_not_joined() {
        let (db, dir) = temp_db();
        sqlite(&db)
            .lock()
            .unwrap()
            .execute_batch(
                "BEGIN IMMEDIATE; INSERT INTO counters (name, value) VALUES ('half-done', 1);",
            )
            .unwrap();
        db.write(|tx| {
            Ok(tx.execute(
                "INSERT INTO counters (name, value) VALUES ('whole', 1)",
                params![],
            )?)
        })
        .await
        .unwrap();
        let names = counter_names(&db).await;
        assert_eq!(names, ["whole"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn a_batch_is_one_transaction_of_savepoints() {
        let (db, dir) = temp_db();
        let inner = db.clone();
        db.clone()
            .batch_owned(|| async {
                inner
                    .write(|tx| {
                        Ok(tx.execute(
                            "INSERT INTO counters (name, value) VALUES ('kept', 1)",
                            params![],
                        )?)
                    })
                    .await
                    .unwrap();
                let refused = inner
                    .write(|tx| {
                        tx.execute(
                            "INSERT INTO counters (name, value) VALUES ('undone', 1)",
                            params![],
                        )?;
                        Err::<(), _>(ApiError::bad_request("no", "refused"))
                    })
                    .await;
                assert!(refused.is_err());
                let in_batch = sqlite(&inner).lock().unwrap().is_autocommit();
                assert!(
                    !in_batch,
                    "the batch's transaction is still open between operations"
                );
                Ok(())
            })
            .await
            .unwrap();
        let names = counter_names(&db).await;
        assert_eq!(
            names,
            ["kept"],
            "one operation's failure undoes only its own savepoint"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn committed_pages_reach_the_database_file_without_a_commit_copying_them() {
        let (db, dir) = temp_db();
        let file = dir.join("council.sqlite3");
        let before = std::fs::metadata(&file).unwrap().len();
        db.write(|tx| {
            for n in 0..256 {
                tx.execute(
                    "INSERT INTO counters (name, value) VALUES (?1, ?2)",
                    crate::sql::params![format!("{n:04}{}", "x".repeat(4096)), n],
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
        // A megabyte is far below the log's own threshold: only `Checkpoints` moves it.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::fs::metadata(&file).unwrap().len() < before + 1_000_000 {
            assert!(
                std::time::Instant::now() < deadline,
                "the log was not copied into the database file"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        drop(db);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn a_batch_that_fails_part_way_keeps_nothing() {
        let (db, dir) = temp_db();
        let inner = db.clone();
        let failed = db
            .clone()
            .batch_owned(|| async {
                inner
                    .write(|tx| {
                        Ok(tx.execute(
                            "INSERT INTO counters (name, value) VALUES ('earlier', 1)",
                            params![],
                        )?)
                    })
                    .await?;
                inner
                    .batch_steps(|conn| {
                        conn.execute(
                            "INSERT INTO counters (name, value) VALUES ('half-written', 1)",
                            params![],
                        )?;
                        Err::<(), _>(ApiError::internal("the store failed"))
                    })
                    .await
            })
            .await;
        assert!(failed.is_err());
        assert!(
            counter_names(&db).await.is_empty(),
            "nothing of a failed batch is committed"
        );
        db.write(|tx| {
            Ok(tx.execute(
                "INSERT INTO counters (name, value) VALUES ('next', 1)",
                params![],
            )?)
        })
        .await
        .unwrap();
        assert_eq!(
            counter_names(&db).await,
            ["next"],
            "the store is usable after"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_report_stored_before_schema_2_gets_its_updated_at() {
        let dir = std::env::temp_dir().join(format!("doorstep-db-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("council.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute_batch(
                r#"INSERT INTO devices (id, platform, name, created_at) VALUES ('d', 'linux', 'd', '2026-01-01T00:00:00+00:00');
                   INSERT INTO reports (id, reference, device_id, service_code, status, body, created_at)
                   VALUES ('r', 'DUR-2026-000001', 'd', 'pothole', 'fixed', '{"updated_at": "2026-02-03T04:05:06+00:00"}', '2026-01-01T00:00:00+00:00');"#,
            )
            .unwrap();
        }
        drop(Db::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        let updated: String = conn
            .query_row("SELECT updated_at FROM reports WHERE id = 'r'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(updated, "2026-02-03T04:05:06+00:00");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn migrating_twice_changes_nothing() {
        let dir = std::env::temp_dir().join(format!("doorstep-db-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("council.sqlite3");
        drop(Db::open(&path).unwrap());
        drop(Db::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version as usize, MIGRATIONS.len());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
