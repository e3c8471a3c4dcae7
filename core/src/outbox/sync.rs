//! The sync engine: one round pushes the outbox in batches, then pulls the change feed.
//!
//! Invariant: an operation leaves the outbox only in the transaction that records the
//! council's answer to it; a crash anywhere before that resends it under the same key, which
//! the council answers from its record. Up to two batches are at the council at once, while
//! the answers to the one before them are recorded; no operation is sent before what precedes
//! it in its chain has been recorded, so the two never hold operations that depend on each
//! other, and the council may run them in either order. What a round has sent and not yet
//! recorded is on its way (`OnTheirWay`), and cannot be discarded meanwhile.
//! Pulled changes are applied in one transaction per page, and applying one twice changes
//! nothing; a change that carries what the round has recorded from an answer is left out of
//! the pull (`held`), since applying it would change nothing either.
//!
//! For a newcomer: `Engine::round` runs one `Round` (`push`, then `pull`); a `Round` picks what
//! is ready (`storage::ready`, sized to a batch's bytes), sends photos one by one and the rest
//! as batches (`Away`), turns every answer into a `Verdict` (`rules`), and records verdicts
//! through `storage`'s named changes in one transaction per batch. A new kind of answer is a
//! new `Verdict` case; a new state change of a row belongs in `storage`.

use std::{
    collections::HashSet,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
};

use doorstep_protocol::{BatchOperation, BatchRequest, BatchResponse, ChangeFeed};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::broadcast;

use super::{
    Operation,
    feed::{Changed, apply_feed, feed_path, kind_of, write_server_copy},
    rules::Verdict,
    storage::{self, Ready},
};
use crate::{
    client::Council,
    error::{Error, Result},
    events::{Event, SyncState},
    secrets::{ACCOUNT_TOKEN, DEVICE_SECRET, DEVICE_TOKEN, SecretStore},
    store::{self, Store},
};

/// What one round moved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(test, derive(ts_rs::TS))]
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
    /// What the round did, as "Send now" tells the resident: "2 things sent, 1 still waiting."
    pub said: String,
}

/// What a round did, in the resident's words: what was sent always, the rest when there is any.
pub fn round_words(report: &SyncReport) -> String {
    let counted =
        |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let rest = [
        (
            report.refused,
            format!("{} refused by the council", report.refused),
        ),
        (
            report.pulled,
            format!(
                "{} from the council",
                counted(report.pulled, "update", "updates")
            ),
        ),
        (report.waiting, format!("{} still waiting", report.waiting)),
        (
            report.needs_attention,
            format!(
                "{} your attention",
                counted(report.needs_attention, "needs", "need")
            ),
        ),
    ];
    let parts: Vec<String> =
        std::iter::once(format!("{} sent", counted(report.sent, "thing", "things")))
            .chain(
                rest.into_iter()
                    .filter(|(n, _)| *n > 0)
                    .map(|(_, said)| said),
            )
            .collect();
    format!("{}.", parts.join(", "))
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

/// A batch's verdicts, not yet recorded.
#[derive(Default)]
struct Answered {
    verdicts: Vec<(Ready, Verdict)>,
}

impl Answered {
    fn is_empty(&self) -> bool {
        self.verdicts.is_empty()
    }

    /// The change-feed entries that carry, as answered, what the operations done made.
    fn changes(&self) -> impl Iterator<Item = u64> + '_ {
        self.verdicts
            .iter()
            .filter_map(|(_, verdict)| match verdict {
                Verdict::Done { change, .. } => *change,
                _ => None,
            })
    }

    /// Did any operation leave the waiting state (done, or refused for good)?
    fn progressed(&self) -> bool {
        self.verdicts.iter().any(|(_, verdict)| verdict.is_final())
    }
}

/// A batch on its way to the council, sent by a task of its own so that the engine can record
/// and pick meanwhile; the request is cut off if the round ends without waiting for it (its
/// operations are then resent under their keys).
struct Away {
    ops: Vec<Ready>,
    task: tokio::task::JoinHandle<std::result::Result<BatchResponse, crate::client::Answer>>,
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

    /// Each operation's verdict.
    async fn answers(mut self) -> Answered {
        let ops = std::mem::take(&mut self.ops);
        let response = match (&mut self.task).await {
            Ok(Ok(response)) => response,
            Ok(Err(answer)) => return self.refused_whole(ops, answer),
            Err(_) => {
                let verdict = Verdict::no_answer("no_answer", "the batch was not sent");
                return Answered {
                    verdicts: ops.into_iter().map(|op| (op, verdict.clone())).collect(),
                };
            }
        };
        let mut by_key: std::collections::HashMap<String, doorstep_protocol::BatchResult> =
            response
                .results
                .into_iter()
                .map(|r| (r.key.clone(), r))
                .collect();
        let verdicts = ops
            .into_iter()
            .map(|op| {
                let verdict = match by_key.remove(op.key.as_str()) {
                    Some(result) => Verdict::of(
                        crate::client::Answer {
                            status: result.status,
                            body: serde_json::from_str(result.body.get()).unwrap_or(Value::Null),
                            retry_after: result.retry_after,
                            etag: None,
                        },
                        result.change,
                    ),
                    None => Verdict::no_answer("no_answer", "the council did not answer this one"),
                };
                (op, verdict)
            })
            .collect();
        Answered { verdicts }
    }

    /// The batch as a whole failed: no operation in it was judged. A refused token stands for
    /// all of them. Refused as too large, the batches are made smaller from now on, and an
    /// operation alone that is still too large needs the resident's attention (so that it holds
    /// up only its own chain). Anything else means "try again".
    fn refused_whole(&self, ops: Vec<Ready>, answer: crate::client::Answer) -> Answered {
        let verdict = match answer.status {
            401 => Verdict::SignIn,
            413 => {
                let sent: usize = ops.iter().map(Ready::bytes).sum();
                self.budget.fetch_min(
                    doorstep_protocol::rules::smaller_budget(sent),
                    Ordering::SeqCst,
                );
                if ops.len() == 1 {
                    Verdict::needs_attention(
                        "too_large",
                        "This is too large for the council to take: make it shorter and send \
                         it again, or discard it",
                    )
                } else {
                    Verdict::no_answer("too_large", "sent again in smaller batches")
                }
            }
            _ => Verdict::RetryAfter {
                retry_after: answer.retry_after,
                problem: super::Problem::of(&answer),
            },
        };
        Answered {
            verdicts: ops.into_iter().map(|op| (op, verdict.clone())).collect(),
        }
    }
}

impl Drop for Away {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// One round against a Doorstep council: what it has sent, what came back, and what it holds.
struct Round<'e> {
    engine: &'e Engine,
    due: Due,
    /// The token to send with; replaced when the device registers again.
    token: String,
    /// Each operation is tried at most once a round: one that gets "try again" waits for the
    /// next round (and its backoff), however much else moves. Those recorded as done or refused
    /// leave the set, since they are no longer waiting (one refused and then fixed by the
    /// resident mid-round may go again): it stays small however many operations the round sends.
    tried: HashSet<i64>,
    /// The verdicts on the batch that came back last: recorded while the next two batches are
    /// at the council. Until then its operations stay in the outbox, and a crash resends them.
    answered: Answered,
    /// The batch sent last, while it is at the council.
    away: Option<Away>,
    /// Changes of the feed that carry what has been recorded from answers in this round.
    held: Vec<u64>,
    report: SyncReport,
}

impl Round<'_> {
    /// Send everything that is ready, until nothing is or nothing moves.
    async fn push(&mut self) -> Result<()> {
        let mut next = self.pick().await?;
        loop {
            if next.is_empty() {
                if self.away.is_none() && self.answered.is_empty() {
                    return Ok(());
                }
                // Nothing more to send: record everything, the batch still away included; what
                // was recorded may have let the rest of its chains go.
                self.record_all().await?;
                self.token = self.engine.token_after_answers().await?;
                next = self.pick().await?;
                continue;
            }
            let (photos, others): (Vec<Ready>, Vec<Ready>) =
                next.into_iter().partition(|r| r.photo.is_some());
            let mut progressed = false;
            if !photos.is_empty() {
                progressed |= self.send_photos(photos).await?;
            }
            if others.is_empty() {
                if !progressed {
                    return Ok(());
                }
                next = self.pick().await?;
                continue;
            }
            match self.send_batch(others, progressed).await? {
                Some(after) => next = after,
                None if progressed => next = self.pick().await?,
                None => return Ok(()),
            }
        }
    }

    /// Photos go one by one, once what was answered before is recorded; whether any moved.
    async fn send_photos(&mut self, photos: Vec<Ready>) -> Result<bool> {
        self.record_all().await?;
        let mut progressed = false;
        for op in photos {
            let verdict = self.engine.upload(&self.token, &op).await?;
            progressed |= verdict.is_final();
            self.engine
                .record(vec![(op, verdict)], &mut self.report)
                .await?;
        }
        self.token = self.engine.token_after_answers().await?;
        Ok(progressed)
    }

    /// Send this batch on its way, then wait for the one before it (if any) while recording the
    /// answers to the one before that and picking the next. Returns what to send next, or none
    /// when nothing moved — neither the batch that came back nor the photos sent just before
    /// (`photos_moved`): the council is failing, or refused the token — once all that came back
    /// has been recorded.
    async fn send_batch(
        &mut self,
        ops: Vec<Ready>,
        photos_moved: bool,
    ) -> Result<Option<Vec<Ready>>> {
        let sent = Away::send(
            &self.engine.council,
            &self.token,
            ops,
            self.engine.batch_budget.clone(),
        );
        let Some(before) = self.away.replace(sent) else {
            return Ok(Some(self.pick().await?));
        };
        let earlier = std::mem::take(&mut self.answered);
        let (answers, after) = tokio::join!(before.answers(), async {
            self.record_batch(earlier).await?;
            let token = self.engine.token_after_answers().await?;
            let next = self.pick().await?;
            Ok::<_, Error>((token, next))
        });
        self.answered = answers;
        match after {
            Ok((token, next)) if photos_moved || self.answered.progressed() => {
                self.token = token;
                Ok(Some(next))
            }
            outcome => {
                self.record_all().await?;
                outcome?;
                self.token = self.engine.token_after_answers().await?;
                Ok(None)
            }
        }
    }

    /// Record the verdicts in hand, then, once it comes back, those on the batch still away.
    async fn record_all(&mut self) -> Result<()> {
        if let Some(last) = self.away.take() {
            let earlier = std::mem::take(&mut self.answered);
            self.record_batch(earlier).await?;
            self.answered = last.answers().await;
        }
        let answered = std::mem::take(&mut self.answered);
        self.record_batch(answered).await
    }

    /// Record a batch's verdicts; once they are, the changes that carry them are `held`, and
    /// the operations no longer waiting leave `tried`.
    async fn record_batch(&mut self, answered: Answered) -> Result<()> {
        let changes: Vec<u64> = answered.changes().collect();
        let finished: Vec<i64> = answered
            .verdicts
            .iter()
            .filter(|(_, verdict)| verdict.is_final())
            .map(|(op, _)| op.seq)
            .collect();
        self.engine
            .record(answered.verdicts, &mut self.report)
            .await?;
        self.held.extend(changes);
        for seq in finished {
            self.tried.remove(&seq);
        }
        Ok(())
    }

    async fn pick(&mut self) -> Result<Vec<Ready>> {
        self.engine.pick(self.due, &mut self.tried).await
    }
}

/// What one record step did, for the round's report.
#[derive(Default)]
struct Counted {
    done: u64,
    needing_attention: u64,
    sign_in: bool,
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

    /// Tell the shells which items the council's copies changed, and what to notify of.
    pub fn tell_changed(&self, changed: Vec<Changed>) {
        for Changed {
            local_id,
            kind,
            notice,
        } in changed
        {
            if let Some((title, body)) = notice {
                let _ = self.events.send(Event::StatusChanged {
                    local_id: local_id.clone(),
                    kind: kind.clone(),
                    title,
                    body,
                });
            }
            let _ = self.events.send(Event::ItemChanged { local_id, kind });
        }
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
        result.map(|report| SyncReport {
            said: round_words(&report),
            ..report
        })
    }

    async fn push_and_pull(&self, due: Due) -> Result<SyncReport> {
        if let crate::Backend::Open311 { .. } = self.backend {
            return self.open311_push_and_pull(due).await;
        }
        if self.paused_for_sign_in().await? {
            return Err(Error::AuthRequired(
                "the council asked for a new sign-in".to_owned(),
            ));
        }
        let token = self.ensure_device().await?;
        self.tell_push_token(&token).await;
        let mut round = Round {
            engine: self,
            due,
            token,
            tried: HashSet::new(),
            answered: Answered::default(),
            away: None,
            held: Vec::new(),
            report: SyncReport::default(),
        };
        round.push().await?;
        let mut report = round.report;
        report.pulled = self.pull(&round.token, &round.held).await?;
        let (waiting, needs_attention) = self.store.read(super::counts).await?;
        report.waiting = waiting;
        report.needs_attention = needs_attention;
        Ok(report)
    }

    /// The operations to send next: those `ready` gives, less any this round has sent already,
    /// as many as one batch of the budget's bytes carries; they are added to `tried`, and are
    /// on their way until recorded.
    pub(super) async fn pick(&self, due: Due, tried: &mut HashSet<i64>) -> Result<Vec<Ready>> {
        let sent: Vec<i64> = tried.iter().copied().collect();
        let on_their_way = self.on_their_way.clone();
        let budget = self.batch_budget.load(Ordering::SeqCst);
        let ready = self
            .store
            .read(move |c| {
                let mut ready = storage::ready(c, now(), due, &sent)?;
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

    /// Upload a photo; one no longer on the device needs the resident's attention.
    async fn upload(&self, token: &str, op: &Ready) -> Result<Verdict> {
        let sha = op.photo.clone().unwrap_or_default();
        let photo = self
            .store
            .read(move |c| {
                use rusqlite::OptionalExtension;
                Ok(c.query_row(
                    "SELECT content_type, bytes FROM photos WHERE sha256 = ?1",
                    rusqlite::params![sha],
                    |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)),
                )
                .optional()?)
            })
            .await?;
        let Some((content_type, bytes)) = photo else {
            return Ok(Verdict::needs_attention(
                "photo_gone",
                "The photo is no longer on this device: add it again",
            ));
        };
        let answer = self
            .council
            .put_photo(&op.path, token, &op.key, &content_type, bytes)
            .await;
        Ok(Verdict::of(answer, None))
    }

    /// Record the verdicts on operations in one transaction, each through its named change of
    /// the outbox, and tell the shells what changed.
    pub(super) async fn record(
        &self,
        verdicts: Vec<(Ready, Verdict)>,
        report: &mut SyncReport,
    ) -> Result<()> {
        if verdicts.is_empty() {
            return Ok(());
        }
        let when = now();
        let on_their_way = self.on_their_way.clone();
        let (counted, changed, needs_action) = self
            .store
            .write(move |tx| {
                let mut counted = Counted::default();
                let mut changed = Vec::new();
                let mut needs_action = Vec::new();
                for (op, verdict) in verdicts {
                    on_their_way.remove(op.seq);
                    match verdict {
                        Verdict::Done { copy, .. } => {
                            let Some(item) = storage::done(tx, op.seq)? else {
                                continue;
                            };
                            counted.done += 1;
                            if let Some(copy) =
                                copy.filter(|_| op.operation != Operation::UploadPhoto)
                            {
                                if let Some(next_url) = copy.get("next_url").and_then(Value::as_str)
                                {
                                    needs_action.push((item.clone(), next_url.to_owned()));
                                }
                                let kind = write_server_copy(tx, &item, copy, when)?;
                                changed.push((item, kind));
                            }
                        }
                        Verdict::RetryAfter {
                            retry_after,
                            problem,
                        } => {
                            storage::retry_later(
                                tx,
                                &op,
                                retry_after,
                                &problem,
                                when,
                                rand::random(),
                            )?;
                        }
                        Verdict::NeedsAttention(problem) => {
                            if let Some(item) = storage::needs_attention(tx, op.seq, &problem)? {
                                counted.needing_attention += 1;
                                let kind = kind_of(tx, &item)?;
                                changed.push((item, kind));
                            }
                        }
                        Verdict::SignIn => counted.sign_in = true,
                    }
                }
                super::forget_unneeded_photos(tx)?;
                Ok((counted, changed, needs_action))
            })
            .await?;
        if counted.sign_in {
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
        report.sent += counted.done;
        report.refused += counted.needing_attention;
        Ok(())
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
            self.tell_changed(changed);
            pulled += count;
            if !more {
                return Ok(pulled);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_is_told_by_what_it_did() {
        let nothing = SyncReport::default();
        assert_eq!(round_words(&nothing), "0 things sent.");
        let busy = SyncReport {
            sent: 1,
            refused: 1,
            pulled: 2,
            waiting: 3,
            needs_attention: 1,
            said: String::new(),
        };
        assert_eq!(
            round_words(&busy),
            "1 thing sent, 1 refused by the council, 2 updates from the council, 3 still waiting, \
             1 needs your attention."
        );
        let two = SyncReport {
            needs_attention: 2,
            ..SyncReport::default()
        };
        assert_eq!(round_words(&two), "0 things sent, 2 need your attention.");
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

    fn answer(status: u16) -> crate::client::Answer {
        crate::client::Answer {
            status,
            body: serde_json::json!({}),
            retry_after: None,
            etag: None,
        }
    }

    #[test]
    fn only_the_changes_of_operations_done_are_held() {
        let answered = Answered {
            verdicts: (1..=4)
                .map(ready_op)
                .zip([
                    Verdict::of(answer(201), Some(11)),
                    Verdict::of(answer(503), Some(12)),
                    Verdict::of(answer(422), Some(13)),
                    Verdict::of(answer(201), None),
                ])
                .collect(),
        };
        assert_eq!(answered.changes().collect::<Vec<_>>(), [11]);
        assert!(answered.progressed());
        let failing = Answered {
            verdicts: vec![(ready_op(5), Verdict::no_answer("no_answer", "none"))],
        };
        assert!(
            !failing.progressed(),
            "nothing moved when the council failed"
        );
    }
}
