//! Idempotency keys: a state-changing request is applied once per (caller, key).
//!
//! Invariant: the record of a key's answer is written in the same transaction as the change the
//! request made, so a crash leaves both or neither. A replay with the same payload gets the
//! stored answer, success or error; another payload under the same key gets 422; a key whose
//! first request is still running (a payment waiting on its provider) gets 409. Records are
//! kept for `RETENTION_DAYS` and scoped, never to a token: a resident's keys to their device
//! (`device:{id}`), so signing in or refreshing a token never turns a retry into a duplicate;
//! registrations to `registration` (a replay needs the device's secret, which the fingerprint
//! covers); the back office's to `staff`.
//!
//! A request that waits on a provider runs to its end even when the request itself is cut off
//! by its timeout, and holds its key meanwhile for a lease that the request timeout must fit in
//! twice (`timeout_within_lease`, checked when the server starts), so that no retry can take
//! the key while it runs.

use std::time::Duration;

use crate::sql::{Optional, Sql, params};
use axum::{
    extract::FromRequestParts,
    http::{HeaderValue, StatusCode, request::Parts},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{
    Value,
    value::{RawValue, to_raw_value},
};
use sha2::{Digest, Sha256};

use crate::{
    db::{self, Db},
    error::{ApiError, ApiResult},
};

/// Keys are kept this long: a device may be offline for months.
pub const RETENTION_DAYS: i64 = 420;
/// How long a request that is waiting on a provider holds its key.
pub const LEASE: Duration = Duration::from_secs(60);
/// The header a replayed answer carries.
pub const REPLAYED: &str = "idempotent-replayed";

/// The longest Idempotency-Key accepted, in visible ASCII characters.
pub const KEY_MAX_LEN: usize = 255;

/// The rule that ties the request timeout to the key's lease. A request that waits on a
/// provider gives it at most the request timeout (`run_around`), then records the answer, all
/// while it holds its key; were the lease to end first, a retry could take the key and start a
/// second payment, and both would be recorded. So the lease must be at least twice the timeout:
/// the other half is for the store work around the provider's answer, and for the clocks of
/// several instances, which may disagree.
pub fn timeout_within_lease(request_timeout: Duration, lease: Duration) -> Result<(), String> {
    if request_timeout.saturating_mul(2) <= lease {
        Ok(())
    } else {
        Err(format!(
            "the request timeout ({} s) must be at most half the payment key's lease ({} s), so that \
             a payment still waiting on its provider keeps its key until its answer is recorded",
            request_timeout.as_secs_f64(),
            lease.as_secs_f64()
        ))
    }
}

/// The request's `Idempotency-Key`, required on every state-changing request.
#[derive(Debug, Clone)]
pub struct Key(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Key {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let value = parts
            .headers
            .get(doorstep_protocol::IDEMPOTENCY_KEY)
            .ok_or_else(|| {
                ApiError::bad_request(
                    "idempotency_key_missing",
                    "Send an Idempotency-Key header (a UUID made once for this action) with every change",
                )
                .with_field("Idempotency-Key")
            })?;
        Key::parse(value.to_str().unwrap_or_default())
    }
}

impl Key {
    /// Read a key as sent: 1 to `KEY_MAX_LEN` visible ASCII characters, perhaps in quotes.
    pub fn parse(sent: &str) -> Result<Key, ApiError> {
        let key = sent.trim_matches('"');
        if key.is_empty() || key.len() > KEY_MAX_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ApiError::bad_request(
                "idempotency_key_invalid",
                "The Idempotency-Key must be 1 to 255 visible ASCII characters, such as a UUID",
            )
            .with_field("Idempotency-Key"));
        }
        Ok(Key(key.to_owned()))
    }
}

/// The fingerprint of a request: its method, path and body in canonical JSON. A body that
/// cannot be written as JSON has none (an internal error), so two such bodies never match.
pub fn fingerprint(method: &str, path: &str, body: &impl Serialize) -> ApiResult<String> {
    let json = serde_json::to_vec(body)?;
    let mut hash = Sha256::new();
    hash.update(method.as_bytes());
    hash.update(b" ");
    hash.update(path.as_bytes());
    hash.update(b"\n");
    hash.update(json);
    Ok(hex::encode(hash.finalize()))
}

/// A stored answer, its body the JSON text it is stored and sent as.
#[derive(Debug, Clone)]
pub struct Stored {
    pub status: StatusCode,
    pub body: Box<RawValue>,
}

impl Stored {
    /// An answer of `status` carrying `body`.
    pub fn of(status: StatusCode, body: &impl Serialize) -> ApiResult<Stored> {
        Ok(Stored {
            status,
            body: to_raw_value(body)?,
        })
    }

    /// An answer from a final refusal.
    fn refusal(error: &ApiError) -> ApiResult<Stored> {
        Stored::of(error.status, &error.body)
    }
}

/// Build the answer to a request from a status and JSON body.
pub fn respond(status: StatusCode, body: Box<RawValue>, replayed: bool) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    if replayed {
        response
            .headers_mut()
            .insert(REPLAYED, HeaderValue::from_static("true"));
    }
    response
}

/// What the store knows of a key: nothing yet (`None`), or a finished answer to replay.
/// Refuses a key used with another payload (422) or still held by a running request (409).
pub fn lookup(
    conn: &dyn Sql,
    scope: &str,
    key: &str,
    fingerprint: &str,
    now: DateTime<Utc>,
) -> ApiResult<Option<Stored>> {
    type Row = (String, String, i64, Option<u16>, Option<String>);
    let row: Option<Row> = conn
        .query_row("SELECT fingerprint, state, lease_until, status, body FROM idempotency WHERE scope = ?1 AND key = ?2", params![scope, key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let Some((stored_fingerprint, state, lease_until, status, body)) = row else {
        return Ok(None);
    };
    if stored_fingerprint != fingerprint {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "This Idempotency-Key was already used for a different request: make a new key for a new action",
        )
        .with_field("Idempotency-Key"));
    }
    if state == "in_progress" {
        if lease_until > now.timestamp() {
            return Err(ApiError::conflict(
                "idempotency_key_in_progress",
                "The first request with this Idempotency-Key is still being processed: try again shortly",
            )
            .with_retry_after(1));
        }
        return Ok(None);
    }
    let status = status
        .and_then(|s| StatusCode::from_u16(s).ok())
        .ok_or_else(|| ApiError::internal("idempotency record without a status"))?;
    let body = RawValue::from_string(body.unwrap_or_else(|| "null".to_owned()))?;
    Ok(Some(Stored { status, body }))
}

/// Record a key's finished answer (inside the transaction that made the change).
pub fn record(
    conn: &dyn Sql,
    scope: &str,
    key: &str,
    fingerprint: &str,
    stored: &Stored,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    conn.execute("INSERT INTO idempotency (scope, key, fingerprint, state, status, body, created_at)
         VALUES (?1, ?2, ?3, 'done', ?4, ?5, ?6)
         ON CONFLICT (scope, key) DO UPDATE SET state = 'done', status = excluded.status, body = excluded.body", params![scope, key, fingerprint, stored.status.as_u16(), stored.body.get(), now.timestamp()],
    )?;
    Ok(())
}

/// Claim a new key for the transaction it is called in, as the first thing the request writes:
/// `true` if the key was free and is now this transaction's. A concurrent request under the
/// same key (on another connection, or another server) waits in this statement until this
/// transaction ends, then finds the answer it recorded, or the key free again if it rolled
/// back. The claim becomes the record of the answer (`record`) in the same transaction.
fn hold(conn: &dyn Sql, request: &Request, now: DateTime<Utc>) -> crate::sql::Result<bool> {
    let claimed = conn.execute(
        "INSERT INTO idempotency (scope, key, fingerprint, state, lease_until, created_at)
         VALUES (?1, ?2, ?3, 'in_progress', 0, ?4)
         ON CONFLICT (scope, key) DO NOTHING",
        params![
            request.scope,
            request.key,
            request.fingerprint,
            now.timestamp()
        ],
    )?;
    Ok(claimed == 1)
}

/// Give up a key claimed by `hold` in this transaction, which will not record an answer.
fn unhold(conn: &dyn Sql, request: &Request) -> crate::sql::Result<()> {
    conn.execute(
        "DELETE FROM idempotency WHERE scope = ?1 AND key = ?2 AND state = 'in_progress'",
        params![request.scope, request.key],
    )?;
    Ok(())
}

/// The identity of one idempotent request.
#[derive(Debug, Clone)]
pub struct Request {
    pub scope: String,
    pub key: String,
    pub fingerprint: String,
}

/// Apply a request once: replay a stored answer, or run `work` and store its answer in the same
/// transaction. A final error (validation, not found, ...) is stored too; a passing one is not.
pub async fn run<F>(db: &Db, now: DateTime<Utc>, request: Request, work: F) -> Response
where
    F: FnOnce(&dyn Sql) -> ApiResult<(StatusCode, Value)> + Clone + Send + 'static,
{
    run_revealing(db, now, request, work, |_, _| Ok(())).await
}

/// As `run`, for answers that carry a secret which must not be stored (a new token): `reveal`
/// adds it to a successful answer, fresh or replayed, in the same transaction.
pub async fn run_revealing<F, R>(
    db: &Db,
    now: DateTime<Utc>,
    request: Request,
    work: F,
    reveal: R,
) -> Response
where
    F: FnOnce(&dyn Sql) -> ApiResult<(StatusCode, Value)> + Clone + Send + 'static,
    R: FnOnce(&dyn Sql, &mut Value) -> ApiResult<()> + Clone + Send + 'static,
{
    let outcome = db
        .write(move |tx| apply_revealing(tx, now, request, work, reveal))
        .await;
    answer(outcome)
}

/// The answer to a request from what `apply` made of it.
pub fn answer(outcome: ApiResult<(Stored, bool)>) -> Response {
    match outcome {
        Ok((stored, replayed)) => respond(stored.status, stored.body, replayed),
        Err(error) => error.into_response(),
    }
}

/// The store work of `run`, in the caller's transaction but with no savepoint, for work split in
/// two (a new report, which a batch runs in place): `check` only reads, and its final
/// refusal (a 4xx) is the answer recorded; `write` only writes what `check` passed. The outer
/// `Err` means the store failed after something was written: the caller must roll its whole
/// transaction back. The inner `Err` is a refusal given before anything was written (the key
/// used for another request or still held, or a check that could not be made), which leaves the
/// transaction as it was and is not recorded.
pub fn apply_checked<P>(
    conn: &dyn Sql,
    now: DateTime<Utc>,
    request: Request,
    check: impl FnOnce(&dyn Sql) -> ApiResult<P>,
    write: impl FnOnce(&dyn Sql, P) -> ApiResult<(StatusCode, Box<RawValue>)>,
) -> ApiResult<Result<(Stored, bool), ApiError>> {
    // A statement that failed because the store did (not a refusal) may have made the
    // database give the whole transaction up: then it is the caller's failure, not this
    // request's.
    let before_writing = |error: ApiError| {
        if conn.transaction_lost() {
            Err(error)
        } else {
            Ok(Err(error))
        }
    };
    let held = match hold(conn, &request, now) {
        Ok(held) => held,
        Err(failed) => return before_writing(failed.into()),
    };
    if !held {
        match lookup(
            conn,
            &request.scope,
            &request.key,
            &request.fingerprint,
            now,
        ) {
            Ok(Some(stored)) => return Ok(Ok((stored, true))),
            Ok(None) => {}
            Err(refused) => return before_writing(refused),
        }
    }
    let stored = match check(conn) {
        Ok(passed) => {
            let (status, body) = write(conn, passed)?;
            Stored { status, body }
        }
        Err(error) if error.is_final() => Stored::refusal(&error)?,
        Err(error) => {
            if held && !conn.transaction_lost() {
                unhold(conn, &request)?;
            }
            return before_writing(error);
        }
    };
    record(
        conn,
        &request.scope,
        &request.key,
        &request.fingerprint,
        &stored,
        now,
    )?;
    Ok(Ok((stored, false)))
}

/// The store work of `run_revealing`.
fn apply_revealing<F, R>(
    tx: &dyn Sql,
    now: DateTime<Utc>,
    request: Request,
    work: F,
    reveal: R,
) -> ApiResult<(Stored, bool)>
where
    F: FnOnce(&dyn Sql) -> ApiResult<(StatusCode, Value)>,
    R: FnOnce(&dyn Sql, &mut Value) -> ApiResult<()>,
{
    let held = hold(tx, &request, now)?;
    let Request {
        scope,
        key,
        fingerprint,
    } = request;
    let earlier = if held {
        None
    } else {
        lookup(tx, &scope, &key, &fingerprint, now)?
    };
    let (mut stored, replayed) = match earlier {
        Some(stored) => (stored, true),
        None => {
            let stored = match tx.savepoint(work) {
                Ok((status, body)) => Stored::of(status, &body)?,
                Err(error) if error.is_final() => Stored::refusal(&error)?,
                Err(error) => return Err(error),
            };
            record(tx, &scope, &key, &fingerprint, &stored, now)?;
            (stored, false)
        }
    };
    if stored.status.is_success() {
        let mut body: Value = serde_json::from_str(stored.body.get())?;
        reveal(tx, &mut body)?;
        stored.body = to_raw_value(&body)?;
    }
    Ok((stored, replayed))
}

/// What `claim` made of a key.
#[derive(Debug)]
enum Claimed {
    /// The key is now held by this request, under this holder's name, which must `record` its
    /// answer or `release` the key.
    Held(String),
    /// A finished answer to replay.
    Answered(Stored),
}

/// For a request that must wait on something outside the store (a payment provider): hold the
/// key while it runs, in one statement that takes it only if it is new or its last holder's
/// lease ran out, so that of two servers claiming one key at once one holds it and the other
/// answers 409. Refuses a key held by a running request (409) or used for another (422).
async fn claim(db: &Db, now: DateTime<Utc>, request: &Request) -> ApiResult<Claimed> {
    let request = request.clone();
    db.write(move |tx| {
        let holder = uuid::Uuid::now_v7().to_string();
        let taken = tx.execute(
            "INSERT INTO idempotency (scope, key, fingerprint, state, lease_until, holder, created_at)
             VALUES (?1, ?2, ?3, 'in_progress', ?4, ?5, ?6)
             ON CONFLICT (scope, key) DO UPDATE
                 SET lease_until = excluded.lease_until, holder = excluded.holder
                 WHERE idempotency.state = 'in_progress' AND idempotency.lease_until <= ?6
                   AND idempotency.fingerprint = excluded.fingerprint",
            params![
                request.scope,
                request.key,
                request.fingerprint,
                now.timestamp() + LEASE.as_secs() as i64,
                holder,
                now.timestamp()
            ],
        )?;
        if taken == 1 {
            return Ok(Claimed::Held(holder));
        }
        lookup(tx, &request.scope, &request.key, &request.fingerprint, now)?
            .map(Claimed::Answered)
            .ok_or_else(|| ApiError::internal("a key neither free, held nor answered"))
    })
    .await
}

/// Is the key still held by `holder`? Checked as the answer is recorded: a holder whose lease
/// ran out (a server stopped for longer than the lease) records nothing over the next one.
fn still_held(conn: &dyn Sql, request: &Request, holder: &str) -> ApiResult<()> {
    let held = conn.execute(
        "UPDATE idempotency SET holder = holder
         WHERE scope = ?1 AND key = ?2 AND state = 'in_progress' AND holder = ?3",
        params![request.scope, request.key, holder],
    )?;
    if held == 1 {
        Ok(())
    } else {
        Err(ApiError::conflict(
            "idempotency_key_in_progress",
            "Another request with this Idempotency-Key took it over: try again shortly",
        )
        .with_retry_after(1))
    }
}

/// Give up a key `holder` holds after a failure worth retrying, so the retry runs afresh.
async fn release(db: &Db, request: &Request, holder: &str) -> ApiResult<()> {
    let (request, holder) = (request.clone(), holder.to_owned());
    db.write(move |tx| {
        tx.execute(
            "DELETE FROM idempotency
             WHERE scope = ?1 AND key = ?2 AND state = 'in_progress' AND holder = ?3",
            params![request.scope, request.key, holder],
        )?;
        Ok(())
    })
    .await
}

/// Apply a request once when it must wait on something outside the store (a payment
/// provider): hold the key, `prepare` in one transaction, `call` outside any (given at most
/// `within`, the request timeout), then `finish` and record the answer in another. A final error
/// is recorded; any other failure frees the key so that a retry runs afresh. The work runs on a
/// task of its own, so a request cut off by its timeout leaves it to finish and record (or free
/// the key), and a retry under the key is answered from the record, never by a second call.
pub async fn run_around<C, O, P, F, Fut, W>(
    db: &Db,
    now: DateTime<Utc>,
    request: Request,
    within: Duration,
    prepare: P,
    call: F,
    finish: W,
) -> Response
where
    C: Send + 'static,
    O: Clone + Send + 'static,
    P: FnOnce(&dyn Sql) -> ApiResult<C> + Clone + Send + 'static,
    F: FnOnce(C) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ApiResult<O>> + Send + 'static,
    W: FnOnce(&dyn Sql, O) -> ApiResult<(StatusCode, Value)> + Clone + Send + 'static,
{
    let work = hold_and_run(db.clone(), now, request, within, prepare, call, finish);
    if db::in_batch() {
        // A batch runs as a task of its own already, and its operations in its transaction.
        work.await
    } else {
        tokio::spawn(tracing::Instrument::in_current_span(work))
            .await
            .unwrap_or_else(|panicked| ApiError::internal(panicked).into_response())
    }
}

/// The work of `run_around`, from holding the key to recording the answer or freeing the key.
async fn hold_and_run<C, O, P, F, Fut, W>(
    db: Db,
    now: DateTime<Utc>,
    request: Request,
    within: Duration,
    prepare: P,
    call: F,
    finish: W,
) -> Response
where
    C: Send + 'static,
    O: Clone + Send + 'static,
    P: FnOnce(&dyn Sql) -> ApiResult<C> + Clone + Send + 'static,
    F: FnOnce(C) -> Fut,
    Fut: std::future::Future<Output = ApiResult<O>>,
    W: FnOnce(&dyn Sql, O) -> ApiResult<(StatusCode, Value)> + Clone + Send + 'static,
{
    let holder = match claim(&db, now, &request).await {
        Err(error) => return error.into_response(),
        Ok(Claimed::Answered(stored)) => return respond(stored.status, stored.body, true),
        Ok(Claimed::Held(holder)) => holder,
    };
    let (held, holding) = (request.clone(), holder.clone());
    let outcome = async {
        let context = db.write(move |tx| prepare(tx)).await?;
        let output = tokio::time::timeout(within, call(context))
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "provider_timeout",
                    "The payment service took too long to answer. Try again.",
                )
                .with_retry_after(5)
            })??;
        db.write(move |tx| {
            still_held(tx, &held, &holding)?;
            let (status, body) = finish(tx, output)?;
            let stored = Stored::of(status, &body)?;
            record(tx, &held.scope, &held.key, &held.fingerprint, &stored, now)?;
            Ok(stored)
        })
        .await
    }
    .await;
    match outcome {
        Ok(stored) => respond(stored.status, stored.body, false),
        Err(error) if error.is_final() => {
            let stored = match Stored::refusal(&error) {
                Ok(stored) => stored,
                Err(e) => return e.into_response(),
            };
            let recorded = db
                .write(move |tx| {
                    still_held(tx, &request, &holder)?;
                    record(
                        tx,
                        &request.scope,
                        &request.key,
                        &request.fingerprint,
                        &stored,
                        now,
                    )
                })
                .await;
            match recorded {
                Ok(()) => error.into_response(),
                Err(e) => e.into_response(),
            }
        }
        Err(error) => {
            if let Err(e) = release(&db, &request, &holder).await {
                return e.into_response();
            }
            error.into_response()
        }
    }
}

/// Forget keys older than the retention period.
pub fn purge(conn: &dyn Sql, now: DateTime<Utc>) -> crate::sql::Result<usize> {
    conn.execute(
        "DELETE FROM idempotency WHERE created_at < ?1",
        params![now.timestamp() - RETENTION_DAYS * 86_400],
    )
}

#[cfg(test)]
mod tests {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };

    use super::*;

    fn temp_db() -> (Db, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("doorstep-idem-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        (Db::open(&dir.join("council.sqlite3")).unwrap(), dir)
    }

    /// Did `claim` hold the key?
    fn held(claimed: ApiResult<Claimed>) -> bool {
        matches!(claimed, Ok(Claimed::Held(_)))
    }

    fn request() -> Request {
        Request {
            scope: "device:a".into(),
            key: "k1".into(),
            fingerprint: "f1".into(),
        }
    }

    /// A body serde_json cannot write: a map whose keys are not strings.
    fn unwritable(n: u8) -> std::collections::BTreeMap<(u8, u8), u8> {
        [((n, n), n)].into()
    }

    #[test]
    fn bodies_that_cannot_be_serialised_never_share_a_fingerprint() {
        for body in [unwritable(1), unwritable(2)] {
            let error = fingerprint("POST", "/v1/reports", &body).unwrap_err();
            assert_eq!(error.status, StatusCode::INTERNAL_SERVER_ERROR);
        }
    }

    #[tokio::test]
    async fn a_key_held_by_a_running_request_answers_409_until_its_lease_ends() {
        let (db, dir) = temp_db();
        let now = Utc::now();
        assert!(held(claim(&db, now, &request()).await));
        let error = claim(&db, now + chrono::Duration::seconds(5), &request())
            .await
            .unwrap_err();
        assert_eq!(
            (error.status, error.body.error.code.as_str()),
            (StatusCode::CONFLICT, "idempotency_key_in_progress")
        );
        assert!(
            !error.is_final(),
            "a 409 in progress must not be stored as the answer"
        );
        let other = Request {
            fingerprint: "f2".into(),
            ..request()
        };
        let error = claim(&db, now, &other).await.unwrap_err();
        assert_eq!(error.status, StatusCode::UNPROCESSABLE_ENTITY);
        // A request that died holding the key frees it when its lease ends.
        let later = now + chrono::Duration::seconds(LEASE.as_secs() as i64 + 1);
        assert!(held(claim(&db, later, &request()).await));
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// Start a payment under `request()` whose provider takes `provider_takes` to answer and is
    /// given `within`; `calls` counts the calls to the provider.
    async fn start_payment(
        db: &Db,
        now: DateTime<Utc>,
        calls: &Arc<AtomicUsize>,
        provider_takes: Duration,
        within: Duration,
    ) -> Response {
        let calls = calls.clone();
        run_around(
            db,
            now,
            request(),
            within,
            |_| Ok(()),
            move |()| async move {
                let call = calls.fetch_add(1, Ordering::SeqCst) + 1;
                tokio::time::sleep(provider_takes).await;
                Ok(format!("pay{call}"))
            },
            |_, id| Ok((StatusCode::CREATED, serde_json::json!({ "id": id }))),
        )
        .await
    }

    /// Time enough for any provider in these tests.
    const LONG: Duration = Duration::from_secs(30);

    #[test]
    fn the_request_timeout_must_fit_twice_in_the_payment_lease() {
        let lease = Duration::from_secs(60);
        for fits in [1, 29, 30] {
            assert!(timeout_within_lease(Duration::from_secs(fits), lease).is_ok());
        }
        for too_long in [31, 45, 60, 90] {
            let refused = timeout_within_lease(Duration::from_secs(too_long), lease).unwrap_err();
            assert!(
                refused.contains(&format!("({too_long} s)")) && refused.contains("(60 s)"),
                "{refused}"
            );
        }
        assert!(timeout_within_lease(crate::Limits::default().request_timeout, LEASE).is_ok());
    }

    #[tokio::test]
    async fn a_provider_that_does_not_answer_in_time_frees_the_key() {
        let (db, dir) = temp_db();
        let now = Utc::now();
        let calls = Arc::new(AtomicUsize::new(0));
        let slow = Duration::from_secs(5);
        let answer = start_payment(&db, now, &calls, slow, Duration::from_millis(50)).await;
        assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            held(claim(&db, now, &request()).await),
            "freed: a retry runs afresh"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn a_payment_start_cut_off_by_its_request_timeout_still_records_its_answer() {
        let (db, dir) = temp_db();
        let now = Utc::now();
        let calls = Arc::new(AtomicUsize::new(0));
        let cut_off = tokio::time::timeout(
            Duration::from_millis(50),
            start_payment(&db, now, &calls, Duration::from_millis(300), LONG),
        )
        .await;
        assert!(
            cut_off.is_err(),
            "the request was dropped while the provider answered"
        );
        // The retry comes while the first start is still at the provider: 409, then its answer.
        let mut replay = start_payment(&db, now, &calls, Duration::ZERO, LONG).await;
        for _ in 0..100 {
            if replay.status() != StatusCode::CONFLICT {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            replay = start_payment(&db, now, &calls, Duration::ZERO, LONG).await;
        }
        assert_eq!(replay.status(), StatusCode::CREATED);
        assert!(replay.headers().contains_key(REPLAYED));
        let body = axum::body::to_bytes(replay.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(&body[..], br#"{"id":"pay1"}"#);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "one payment at the provider"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn a_released_key_runs_afresh_and_a_recorded_one_replays() {
        let (db, dir) = temp_db();
        let now = Utc::now();
        let Claimed::Held(holder) = claim(&db, now, &request()).await.unwrap() else {
            panic!("a new key is held");
        };
        release(&db, &request(), "another holder").await.unwrap();
        assert!(
            !held(claim(&db, now, &request()).await),
            "only its holder releases a key"
        );
        release(&db, &request(), &holder).await.unwrap();
        assert!(
            held(claim(&db, now, &request()).await),
            "released: free to run again"
        );
        let answer = Stored::of(StatusCode::CREATED, &serde_json::json!({"id": "r1"})).unwrap();
        db.write(move |tx| record(tx, "device:a", "k1", "f1", &answer, now))
            .await
            .unwrap();
        let Claimed::Answered(replay) = claim(&db, now, &request()).await.unwrap() else {
            panic!("a recorded key is answered");
        };
        assert_eq!(
            (replay.status, replay.body.get()),
            (StatusCode::CREATED, r#"{"id":"r1"}"#)
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn keys_are_kept_for_the_retention_period_then_forgotten() {
        let (db, dir) = temp_db();
        let now = Utc::now();
        let answer = Stored::of(StatusCode::OK, &serde_json::json!({})).unwrap();
        let old = now - chrono::Duration::days(RETENTION_DAYS + 1);
        let kept = now - chrono::Duration::days(400);
        let (a, b) = (answer.clone(), answer);
        db.write(move |tx| record(tx, "s", "old", "f", &a, old))
            .await
            .unwrap();
        db.write(move |tx| record(tx, "s", "kept", "f", &b, kept))
            .await
            .unwrap();
        let purged = db.write(move |tx| Ok(purge(tx, now)?)).await.unwrap();
        assert_eq!(purged, 1);
        let left: Vec<String> = db
            .read(
                |conn| Ok(conn.query_map("SELECT key FROM idempotency", params![], |r| r.get(0))?),
            )
            .await
            .unwrap();
        assert_eq!(left, ["kept"]);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
