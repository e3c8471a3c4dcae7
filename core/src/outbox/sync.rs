//! The sync engine: push the outbox in batches, then pull the change feed.
//!
//! Invariant: an operation leaves the outbox only in the transaction that records the
//! council's answer to it; a crash anywhere before that resends it under the same key, which
//! the council answers from its record. Up to two batches are at the council at once, while
//! the answers to the one before them are recorded; no operation is sent before what precedes
//! it in its chain has been recorded, so the two never hold operations that depend on each
//! other, and the council may run them in either order.
//! Pulled changes are applied in one transaction per page, and applying one twice changes
//! nothing; a change that carries what the round has recorded from an answer is left out of
//! the pull (`held`), since applying it would change nothing either.

use std::sync::{
    Arc,
    atomic::{AtomicBool, AtomicUsize, Ordering},
};

use doorstep_protocol::{
    BatchOperation, BatchRequest, BatchResponse, ChangeFeed, ChangedItem, MAX_BATCH_OPERATIONS,
    held_query,
};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::{
    Value,
    value::{RawValue, to_raw_value},
};
use tokio::sync::broadcast;

use super::{
    Operation, Problem,
    rules::{self, Outcome},
};
use crate::{
    client::{Answer, Council},
    error::{Error, Result},
    events::{Event, SyncState},
    secrets::{ACCOUNT_TOKEN, DEVICE_SECRET, DEVICE_TOKEN, SecretStore},
    store::{self, Store},
};

/// What one round moved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// Operations the council accepted in this round.
    pub sent: u64,
    /// Operations the council refused for good in this round.
    pub refused: u64,
    /// Changes pulled from the council.
    pub pulled: u64,
    /// Still waiting after the round (to retry later).
    pub waiting: u64,
    /// Needing the resident's attention after the round.
    pub needs_attention: u64,
}

/// Everything a round needs.
pub struct Engine {
    pub store: Store,
    pub council: Council,
    pub backend: crate::Backend,
    /// The Open311 server has no JSON: it is spoken to in XML.
    pub open311_xml: AtomicBool,
    pub secrets: Arc<dyn SecretStore>,
    pub events: broadcast::Sender<Event>,
    pub online: AtomicBool,
    pub platform: String,
    pub device_name: String,
    /// One round at a time.
    pub round_lock: tokio::sync::Mutex<()>,
    /// What the round has sent and not yet recorded, which a discard must not remove.
    pub on_their_way: super::OnTheirWay,
    /// The most bytes a batch is made of: the protocol's limit, or less once a batch was refused
    /// as too large on its way (a stricter proxy in front of the council).
    pub batch_budget: Arc<AtomicUsize>,
}

/// Which waiting operations a round sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Those whose backoff has run out (the background task).
    Backoff,
    /// All of them — the resident asked — except where the council said when to come back.
    Now,
}

/// A batch's answers, not yet recorded.
#[derive(Default)]
struct Answered {
    answers: Vec<(Ready, Answer)>,
    /// The change-feed entries that carry, as answered, what the operations done made.
    changes: Vec<u64>,
}

impl Answered {
    fn new(ops: Vec<Ready>, answers: Vec<(Answer, Option<u64>)>) -> Answered {
        let mut changes = Vec::new();
        let answers = ops
            .into_iter()
            .zip(answers)
            .map(|(op, (answer, change))| {
                if rules::classify(answer.status, answer.code()) == Outcome::Done {
                    changes.extend(change);
                }
                (op, answer)
            })
            .collect();
        Answered { answers, changes }
    }

    fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }

    /// The operations that leave the waiting state once recorded (done, or refused for good).
    fn finished(&self) -> impl Iterator<Item = i64> + '_ {
        self.answers
            .iter()
            .filter(|(_, a)| {
                matches!(
                    rules::classify(a.status, a.code()),
                    Outcome::Done | Outcome::Park
                )
            })
            .map(|(op, _)| op.seq)
    }

    /// Did any operation leave the waiting state?
    fn progressed(&self) -> bool {
        self.finished().next().is_some()
    }
}

/// A batch on its way to the council, sent by a task of its own so that the engine can record
/// and pick meanwhile; the request is cut off if the round ends without waiting for it (its
/// operations are then resent under their keys).
struct Away {
    ops: Vec<Ready>,
    task: tokio::task::JoinHandle<std::result::Result<BatchResponse, Answer>>,
    /// The engine's batch budget, made smaller if this batch is refused as too large.
    budget: Arc<AtomicUsize>,
}

impl Away {
    fn send(council: &Council, token: &str, ops: Vec<Ready>, budget: Arc<AtomicUsize>) -> Away {
        let batch = BatchRequest {
            operations: ops
                .iter()
                .map(|op| BatchOperation {
                    key: op.key.clone(),
                    method: op.method.clone(),
                    path: op.path.clone(),
                    body: op.body.clone(),
                })
                .collect(),
        };
        let (council, token) = (council.clone(), token.to_owned());
        let task = tokio::spawn(async move { council.send_batch(&token, &batch).await });
        Away { ops, task, budget }
    }

    /// Each operation's answer, with the change-feed entry that carries its entity as answered
    /// when the council names one.
    async fn answers(mut self) -> Answered {
        let ops = std::mem::take(&mut self.ops);
        let sent = (&mut self.task).await.unwrap_or_else(|_| {
            Err(Answer {
                status: 0,
                body: serde_json::json!({"error": {"code": "no_answer", "message": "the batch was not sent"}}),
                retry_after: None,
                etag: None,
            })
        });
        let response = match sent {
            Ok(response) => response,
            // The batch as a whole failed: no operation in it was judged, so none is parked for
            // it. A refused token stands for all of them. Refused as too large, the batches
            // are made smaller from now on, and an operation alone that is still too large is
            // refused for good (so that it holds up only its own chain). Anything else means
            // "try again".
            Err(answer) => {
                let too_large = answer.status == 413;
                if too_large {
                    let sent: usize = ops.iter().map(Ready::bytes).sum();
                    self.budget.fetch_min(
                        doorstep_protocol::rules::smaller_budget(sent),
                        Ordering::SeqCst,
                    );
                }
                let answer = if too_large && ops.len() == 1 {
                    Answer {
                        body: serde_json::json!({"error": {"code": "too_large", "message": "This is too large for the council to take: make it shorter and send it again, or discard it"}}),
                        ..answer
                    }
                } else if answer.status == 401 {
                    answer
                } else {
                    Answer {
                        status: 0,
                        ..answer
                    }
                };
                let answers = vec![(answer, None); ops.len()];
                return Answered::new(ops, answers);
            }
        };
        let mut by_key: std::collections::HashMap<String, doorstep_protocol::BatchResult> =
            response
                .results
                .into_iter()
                .map(|r| (r.key.clone(), r))
                .collect();
        let answers = ops
            .iter()
            .map(|op| match by_key.remove(op.key.as_str()) {
                Some(result) => (Answer { status: result.status, body: serde_json::from_str(result.body.get()).unwrap_or(Value::Null), retry_after: result.retry_after, etag: None }, result.change),
                None => (Answer { status: 0, body: serde_json::json!({"error": {"code": "no_answer", "message": "the council did not answer this one"}}), retry_after: None, etag: None }, None),
            })
            .collect();
        Answered::new(ops, answers)
    }
}

impl Drop for Away {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// An operation ready to go.
#[derive(Debug, Clone)]
pub(super) struct Ready {
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
    fn bytes(&self) -> usize {
        doorstep_protocol::rules::operation_bytes(
            &self.key,
            &self.method,
            &self.path,
            self.body.as_deref().map(RawValue::get),
        )
    }
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl Engine {
    /// The token to act with, registering this device first if it has none.
    pub async fn ensure_device(&self) -> Result<String> {
        let device = self.device_token().await?;
        Ok(self
            .secrets
            .get(ACCOUNT_TOKEN)
            .map_err(Error::Storage)?
            .unwrap_or(device))
    }

    /// The device's own token (never the account's), registering the device if need be: signing
    /// in is done as the device, even when an account token has expired.
    pub async fn device_token(&self) -> Result<String> {
        if let Some(token) = self.secrets.get(DEVICE_TOKEN).map_err(Error::Storage)? {
            return Ok(token);
        }
        let key = self
            .store
            .write(|tx| match store::meta(tx, "registration_key")? {
                Some(key) => Ok(key),
                None => {
                    let key = uuid::Uuid::now_v7().to_string();
                    store::set_meta(tx, "registration_key", &key)?;
                    Ok(key)
                }
            })
            .await?;
        // The secret proves a replay of this registration comes from this device.
        let secret = match self.secrets.get(DEVICE_SECRET).map_err(Error::Storage)? {
            Some(secret) => secret,
            None => {
                let secret = hex::encode(rand::random::<[u8; 32]>());
                self.secrets
                    .set(DEVICE_SECRET, &secret)
                    .map_err(Error::Storage)?;
                secret
            }
        };
        let body = serde_json::json!({"platform": self.platform, "name": self.device_name, "device_secret": secret});
        let answer = self
            .council
            .send("POST", "/v1/devices", None, Some(&key), Some(&body))
            .await;
        let device: doorstep_protocol::DeviceToken = answer.into()?;
        self.secrets
            .set(DEVICE_TOKEN, &device.token)
            .map_err(Error::Storage)?;
        self.store
            .write(move |tx| store::set_meta(tx, "device_id", &device.device_id))
            .await?;
        Ok(device.token)
    }

    pub async fn emit_counts(&self) {
        if let Ok((waiting, needs_attention)) = self.store.read(super::counts).await {
            let _ = self.events.send(Event::Outbox {
                waiting,
                needs_attention,
            });
        }
    }

    pub async fn sync_state(&self) -> Event {
        let (last_success, last_error) = self
            .store
            .read(|c| {
                Ok((
                    store::meta(c, "last_sync")?.and_then(|v| v.parse().ok()),
                    store::meta(c, "last_sync_error")?,
                ))
            })
            .await
            .unwrap_or((None, None));
        let state = if !self.online.load(Ordering::SeqCst) {
            SyncState::Offline
        } else if self
            .store
            .read(|c| store::meta(c, "auth_required"))
            .await
            .ok()
            .flatten()
            .is_some()
        {
            SyncState::AuthRequired
        } else {
            SyncState::Idle
        };
        Event::Sync {
            state,
            last_success,
            last_error,
        }
    }

    /// One round: push everything that is ready, then pull what changed.
    pub async fn round(&self, now_or_backoff: Due) -> Result<SyncReport> {
        let _one_at_a_time = self.round_lock.lock().await;
        if !self.online.load(Ordering::SeqCst) {
            let _ = self.events.send(self.sync_state().await);
            return Err(Error::Offline("the device is set to offline".to_owned()));
        }
        let _ = self.events.send(Event::Sync {
            state: SyncState::Syncing,
            last_success: None,
            last_error: None,
        });
        let result = self.push_and_pull(now_or_backoff).await;
        self.on_their_way.forget_all();
        let outcome = match &result {
            Ok(_) => {
                let at = now().to_string();
                self.store
                    .write(move |tx| {
                        store::set_meta(tx, "last_sync", &at)?;
                        store::delete_meta(tx, "last_sync_error")
                    })
                    .await
            }
            Err(error) => {
                let text = error.to_string();
                // A refusal the council gave now; not the pause already recorded (raised again
                // from the flag every round until the resident signs in), whose refusal was
                // handled when it came.
                if matches!(error, Error::AuthRequired(_)) && !self.paused_for_sign_in().await? {
                    self.refused_token().await?;
                }
                self.store
                    .write(move |tx| store::set_meta(tx, "last_sync_error", &text))
                    .await
            }
        };
        outcome?;
        self.emit_counts().await;
        let _ = self.events.send(self.sync_state().await);
        result
    }

    async fn push_and_pull(&self, due: Due) -> Result<SyncReport> {
        if let crate::Backend::Open311 { .. } = self.backend {
            return self.open311_push_and_pull(due).await;
        }
        let mut report = SyncReport::default();
        if self.paused_for_sign_in().await? {
            return Err(Error::AuthRequired(
                "the council asked for a new sign-in".to_owned(),
            ));
        }
        let mut token = self.ensure_device().await?;
        // Each operation is tried at most once a round: one that gets "try again" waits for
        // the next round (and its backoff), however much else moves. Those recorded as done or
        // refused leave the set, since they are no longer waiting (one refused and then fixed
        // by the resident mid-round may go again): it stays small however many operations the
        // round sends.
        let mut tried = std::collections::HashSet::new();
        // The answers to the batch that came back last: recorded while the next two batches
        // are at the council. Until then its operations stay in the outbox, and a crash resends
        // them.
        let mut answered = Answered::default();
        // The batch sent last, while it is at the council.
        let mut away: Option<Away> = None;
        // Changes of the feed that carry what has been recorded from answers in this round.
        let mut held = Vec::new();
        let mut next = self.pick(due, &mut tried).await?;
        loop {
            if next.is_empty() {
                if away.is_none() && answered.is_empty() {
                    break;
                }
                // Nothing more to send: record everything, the batch still away included; what
                // was recorded may have let the rest of its chains go.
                self.record_all(&mut away, &mut answered, &mut held, &mut tried, &mut report)
                    .await?;
                token = self.token_after_answers().await?;
                next = self.pick(due, &mut tried).await?;
                continue;
            }
            let (photos, others): (Vec<Ready>, Vec<Ready>) =
                next.into_iter().partition(|r| r.photo.is_some());
            let mut progressed = false;
            if !photos.is_empty() {
                self.record_all(&mut away, &mut answered, &mut held, &mut tried, &mut report)
                    .await?;
                for op in photos {
                    let answer = self.upload(&token, &op).await?;
                    progressed |= self.record(vec![(op, answer)], &mut report).await?;
                }
                token = self.token_after_answers().await?;
            }
            if others.is_empty() {
                if !progressed {
                    break;
                }
                next = self.pick(due, &mut tried).await?;
                continue;
            }
            // Send this batch on its way, then wait for the one before it (if any) while
            // recording the answers to the one before that and picking the next.
            let Some(before) = away.replace(Away::send(
                &self.council,
                &token,
                others,
                self.batch_budget.clone(),
            )) else {
                next = self.pick(due, &mut tried).await?;
                continue;
            };
            let earlier = std::mem::take(&mut answered);
            let (answers, after) = tokio::join!(before.answers(), async {
                self.record_batch(earlier, &mut held, &mut tried, &mut report)
                    .await?;
                let token = self.token_after_answers().await?;
                let next = self.pick(due, &mut tried).await?;
                Ok::<_, Error>((token, next))
            });
            answered = answers;
            progressed |= answered.progressed();
            match after {
                Ok((fresh, after)) if progressed => {
                    token = fresh;
                    next = after;
                }
                // Nothing moved (the council is failing, or refused the token): record what
                // came back, and what comes back for the batch still away, and end the round.
                outcome => {
                    self.record_all(&mut away, &mut answered, &mut held, &mut tried, &mut report)
                        .await?;
                    outcome?;
                    token = self.token_after_answers().await?;
                    break;
                }
            }
        }
        report.pulled = self.pull(&token, &held).await?;
        let (waiting, needs_attention) = self.store.read(super::counts).await?;
        report.waiting = waiting;
        report.needs_attention = needs_attention;
        Ok(report)
    }

    /// Record the answers in hand, then, once it comes back, those to the batch still away.
    async fn record_all(
        &self,
        away: &mut Option<Away>,
        answered: &mut Answered,
        held: &mut Vec<u64>,
        tried: &mut std::collections::HashSet<i64>,
        report: &mut SyncReport,
    ) -> Result<()> {
        if let Some(last) = away.take() {
            self.record_batch(std::mem::take(answered), held, tried, report)
                .await?;
            *answered = last.answers().await;
        }
        self.record_batch(std::mem::take(answered), held, tried, report)
            .await?;
        Ok(())
    }

    /// Record a batch's answers; once they are, the changes that carry them are `held`, and the
    /// operations no longer waiting leave `tried`.
    async fn record_batch(
        &self,
        answered: Answered,
        held: &mut Vec<u64>,
        tried: &mut std::collections::HashSet<i64>,
        report: &mut SyncReport,
    ) -> Result<bool> {
        let finished: Vec<i64> = answered.finished().collect();
        let changes = answered.changes;
        let progressed = self.record(answered.answers, report).await?;
        held.extend(changes);
        for seq in finished {
            tried.remove(&seq);
        }
        Ok(progressed)
    }

    /// The operations to send next: those `ready` gives, less any this round has sent already,
    /// as many as one batch of the budget's bytes carries; they are added to `tried`, and are
    /// on their way until recorded.
    pub(super) async fn pick(
        &self,
        due: Due,
        tried: &mut std::collections::HashSet<i64>,
    ) -> Result<Vec<Ready>> {
        let sent: Vec<i64> = tried.iter().copied().collect();
        let on_their_way = self.on_their_way.clone();
        let budget = self.batch_budget.load(Ordering::SeqCst);
        let ready = self
            .store
            .read(move |c| {
                let mut ready = ready(c, now(), due, &sent)?;
                let fit = doorstep_protocol::rules::operations_that_fit(
                    ready.iter().map(Ready::bytes),
                    budget,
                );
                ready.truncate(fit);
                on_their_way.add(ready.iter().map(|op| op.seq));
                Ok(ready)
            })
            .await?;
        tried.extend(ready.iter().map(|op| op.seq));
        Ok(ready)
    }

    /// After recording answers: stop if the council asked for a new sign-in, or else the token
    /// to go on with (a refused device token is replaced by registering again).
    async fn token_after_answers(&self) -> Result<String> {
        if self.paused_for_sign_in().await? {
            return Err(Error::AuthRequired(
                "the council asked for a new sign-in".to_owned(),
            ));
        }
        self.ensure_device().await
    }

    /// Is the queue paused until the resident signs in again?
    async fn paused_for_sign_in(&self) -> Result<bool> {
        Ok(self
            .store
            .read(|c| store::meta(c, "auth_required"))
            .await?
            .is_some())
    }

    async fn upload(&self, token: &str, op: &Ready) -> Result<Answer> {
        let sha = op.photo.clone().unwrap_or_default();
        let photo = self
            .store
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT content_type, bytes FROM photos WHERE sha256 = ?1",
                    params![sha],
                    |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)),
                )
                .optional()?)
            })
            .await?;
        let Some((content_type, bytes)) = photo else {
            return Ok(Answer {
                status: 410,
                body: serde_json::json!({"error": {"code": "photo_gone", "message": "The photo is no longer on this device: add it again"}}),
                retry_after: None,
                etag: None,
            });
        };
        Ok(self
            .council
            .put_photo(&op.path, token, &op.key, &content_type, bytes)
            .await)
    }

    /// Record the council's answers; returns whether any operation left the waiting state.
    pub(super) async fn record(
        &self,
        answered: Vec<(Ready, Answer)>,
        report: &mut SyncReport,
    ) -> Result<bool> {
        if answered.is_empty() {
            return Ok(false);
        }
        let when = now();
        let on_their_way = self.on_their_way.clone();
        let (outcomes, changed, needs_action) = self
            .store
            .write(move |tx| {
                let mut outcomes = Vec::new();
                let mut changed = Vec::new();
                let mut needs_action = Vec::new();
                for (op, answer) in answered {
                    on_their_way.remove(op.seq);
                    // The item as it is now: an earlier answer in this batch may have merged the
                    // one this operation was queued against into another. An operation on its
                    // way cannot be discarded, so its row is there.
                    let item: String = tx.prepare_cached("SELECT item FROM outbox WHERE seq = ?1")?.query_row(params![op.seq], |r| r.get(0))?;
                    let outcome = rules::classify(answer.status, answer.code());
                    match outcome {
                        Outcome::Done => {
                            tx.prepare_cached("DELETE FROM outbox WHERE seq = ?1")?.execute(params![op.seq])?;
                            if op.operation != Operation::UploadPhoto && answer.body.get("id").is_some() {
                                if let Some(next_url) = answer.body.get("next_url").and_then(Value::as_str) {
                                    needs_action.push((item.clone(), next_url.to_owned()));
                                }
                                let kind = write_server_copy(tx, &item, answer.body, when)?;
                                changed.push((item, kind));
                            }
                        }
                        Outcome::Retry => {
                            let unit: f64 = rand::random();
                            let wait = rules::backoff(op.attempts, answer.retry_after, unit);
                            let problem = problem_of(&answer);
                            let not_before = when + answer.retry_after.unwrap_or(0).min(rules::LONGEST_RETRY_AFTER) as i64;
                            tx.prepare_cached("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, not_before = ?3, problem = ?4 WHERE seq = ?1")?
                                .execute(params![op.seq, when + wait.as_secs() as i64, not_before, serde_json::to_string(&problem)?])?;
                        }
                        Outcome::Auth => {}
                        Outcome::Park => {
                            let problem = problem_of(&answer);
                            tx.prepare_cached("UPDATE outbox SET state = 'parked', problem = ?2 WHERE seq = ?1")?
                                .execute(params![op.seq, serde_json::to_string(&problem)?])?;
                            let kind = kind_of(tx, &item)?;
                            changed.push((item, kind));
                        }
                    }
                    outcomes.push(outcome);
                }
                super::forget_unneeded_photos(tx)?;
                Ok((outcomes, changed, needs_action))
            })
            .await?;
        if outcomes.contains(&Outcome::Auth) {
            self.refused_token().await?;
        }
        for (local_id, kind) in changed {
            let _ = self.events.send(Event::ItemChanged { local_id, kind });
        }
        for (local_id, next_url) in needs_action {
            let _ = self
                .events
                .send(Event::PaymentNeedsAction { local_id, next_url });
        }
        report.sent += outcomes.iter().filter(|o| **o == Outcome::Done).count() as u64;
        report.refused += outcomes.iter().filter(|o| **o == Outcome::Park).count() as u64;
        Ok(outcomes
            .iter()
            .any(|o| matches!(o, Outcome::Done | Outcome::Park)))
    }

    /// The council refused the token. A signed-in resident must sign in again: the queue pauses.
    /// A device that is not signed in registers again on the next round.
    async fn refused_token(&self) -> Result<()> {
        if self
            .secrets
            .get(ACCOUNT_TOKEN)
            .map_err(Error::Storage)?
            .is_some()
        {
            return self
                .store
                .write(|tx| store::set_meta(tx, "auth_required", "1"))
                .await;
        }
        // Registering again under the same key and secret gets this device back with a fresh
        // token, so its operations keep their scope; a council that truly forgot it makes a new one.
        self.secrets.delete(DEVICE_TOKEN).map_err(Error::Storage)
    }

    /// Pull the change feed from the stored cursor, leaving out the changes in `held` (those
    /// that carry what this device has just recorded from its answers); returns how many
    /// changes were applied.
    async fn pull(&self, token: &str, held: &[u64]) -> Result<u64> {
        let mut pulled = 0;
        loop {
            let cursor = self
                .store
                .read(|c| store::meta(c, "cursor"))
                .await?
                .unwrap_or_default();
            let answer = self
                .council
                .get(&feed_path(&cursor, held), Some(token), None)
                .await;
            let feed: ChangeFeed = answer.into()?;
            let count = feed.changes.len() as u64;
            let more = feed.more;
            let changed = self
                .store
                .write(move |tx| apply_feed(tx, &feed, now()))
                .await?;
            for (local_id, kind) in changed {
                let _ = self.events.send(Event::ItemChanged { local_id, kind });
            }
            pulled += count;
            if !more {
                return Ok(pulled);
            }
        }
    }
}

/// The change feed's address from `cursor`, naming the changes in `held` after it.
fn feed_path(cursor: &str, held: &[u64]) -> String {
    let since: u64 = cursor.parse().unwrap_or(0);
    let after: Vec<u64> = held.iter().copied().filter(|seq| *seq > since).collect();
    if after.is_empty() {
        format!("/v1/changes?since={cursor}")
    } else {
        format!("/v1/changes?since={cursor}&held={}", held_query(&after))
    }
}

fn problem_of(answer: &Answer) -> Problem {
    let error = &answer.body["error"];
    Problem {
        status: answer.status,
        code: error["code"].as_str().unwrap_or("refused").to_owned(),
        message: answer.message(),
        field: error["field"].as_str().map(str::to_owned),
        alternatives: serde_json::from_value(error["alternatives"].clone()).unwrap_or_default(),
    }
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

/// The first operation of every chain, when it is waiting and its time has come, oldest first,
/// with the path's `{id}` and a body's `"reference": "{reference}"` filled in from the chain's
/// item, which has landed by then (it is what went before in the chain). Operations in `sent`
/// (those this round has sent, perhaps still awaiting their answers' record) are left out.
pub(super) fn ready(conn: &Connection, now: i64, due: Due, sent: &[i64]) -> Result<Vec<Ready>> {
    let mut statement = conn.prepare_cached(
        "SELECT o.seq, o.key, o.chain, o.item, o.operation, o.method, o.path, o.body, o.photo, o.attempts, c.server, o.created_at, o.attempts > 0 OR o.problem IS NOT NULL
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
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, u32>(9)?,
                r.get::<_, Option<String>>(10)?,
                r.get::<_, i64>(11)?,
                r.get::<_, bool>(12)?,
            ))
        },
    )?;
    let mut ready = Vec::new();
    for row in rows {
        let (
            seq,
            key,
            operation,
            method,
            path,
            body,
            photo,
            attempts,
            chain_server,
            created_at,
            tried,
        ) = row?;
        let operation = Operation::parse(&operation)
            .ok_or_else(|| Error::Internal(format!("unknown operation {operation}")))?;
        // A body is read only when it may wait for the reference of what went before; any
        // other is sent as the text it was stored as.
        let mut asked: Option<Value> = match &body {
            Some(text) if text.contains("{reference}") => Some(serde_json::from_str(text)?),
            _ => None,
        };
        let needs_reference = asked
            .as_ref()
            .is_some_and(|b| b["reference"] == "{reference}");
        let path = if path.contains("{id}") || needs_reference {
            let server: Option<Value> =
                chain_server.map(|s| serde_json::from_str(&s)).transpose()?;
            let Some(server) = &server else { continue };
            if let Some(asked) = asked.as_mut().filter(|_| needs_reference) {
                asked["reference"] = server["reference"].clone();
            }
            path.replace("{id}", server["id"].as_str().unwrap_or_default())
        } else {
            path
        };
        let body = match asked.filter(|_| needs_reference) {
            Some(asked) => Some(to_raw_value(&asked)?),
            None => body.map(RawValue::from_string).transpose()?,
        };
        ready.push(Ready {
            seq,
            key,
            operation,
            method,
            path,
            body,
            photo,
            attempts,
            created_at,
            tried,
        });
    }
    Ok(ready)
}

fn kind_of(conn: &Connection, local_id: &str) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT kind FROM items WHERE local_id = ?1")?
        .query_row(params![local_id], |r| r.get(0))
        .optional()?
        .unwrap_or_default())
}

/// Write the council's copy of an item; an item the change feed brought in under the same
/// council id meanwhile is merged into this one.
fn write_server_copy(conn: &Connection, local_id: &str, server: Value, now: i64) -> Result<String> {
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

/// Apply one page of the change feed and move the cursor; returns the items that changed.
pub fn apply_feed(conn: &Connection, feed: &ChangeFeed, now: i64) -> Result<Vec<(String, String)>> {
    let entities: Vec<&ChangedItem> = feed.changes.iter().map(|c| &c.entity).collect();
    let changed = apply_items(conn, &entities, now)?;
    store::set_meta(conn, "cursor", &feed.cursor)?;
    Ok(changed)
}

/// Write the council's copies of items: each joins the item with its council id (unless the
/// copy held is newer), or becomes a new item. Returns the items that changed.
pub fn apply_items(
    conn: &Connection,
    entities: &[&ChangedItem],
    now: i64,
) -> Result<Vec<(String, String)>> {
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
        let local_id = match held {
            // The copy held is this very one (the answer to our own operation, most often).
            Some((local_id, Some(stored))) if stored == text => local_id,
            Some((local_id, stored)) => {
                let stored = stored
                    .map(|s| serde_json::from_str::<Value>(&s))
                    .transpose()?;
                if stored.is_none_or(|stored| is_newer(&body, &stored)) {
                    conn.prepare_cached(
                        "UPDATE items SET server = ?2, updated_at = ?3 WHERE local_id = ?1",
                    )?
                    .execute(params![local_id, text, now])?;
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
        changed.push((local_id, kind.to_owned()));
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
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

    fn ready_op(seq: i64) -> Ready {
        Ready {
            seq,
            key: format!("k{seq}"),
            operation: Operation::SendReport,
            method: "POST".into(),
            path: "/v1/reports".into(),
            body: None,
            photo: None,
            attempts: 0,
            created_at: 0,
            tried: false,
        }
    }

    fn answer(status: u16) -> Answer {
        Answer {
            status,
            body: serde_json::json!({}),
            retry_after: None,
            etag: None,
        }
    }

    #[test]
    fn only_the_changes_of_operations_done_are_held() {
        let answered = Answered::new(
            (1..=4).map(ready_op).collect(),
            vec![
                (answer(201), Some(11)),
                (answer(503), Some(12)),
                (answer(422), Some(13)),
                (answer(201), None),
            ],
        );
        assert_eq!(answered.changes, [11]);
        assert!(answered.progressed());
        let failing = Answered::new(vec![ready_op(5)], vec![(answer(0), None)]);
        assert!(
            !failing.progressed(),
            "nothing moved when the council failed"
        );
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
    fn a_change_held_at_the_same_version_is_left_alone_and_a_newer_one_replaces_it() {
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
        runtime
            .block_on(store.write(move |tx| apply_feed(tx, &page, 10)))
            .unwrap();
        runtime
            .block_on(store.write(move |tx| apply_feed(tx, &first, 20)))
            .unwrap();
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
        let (at, server) = updated();
        assert_eq!(at, 30, "a newer copy is written");
        assert!(server.contains("\"fixed\""));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
