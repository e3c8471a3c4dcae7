//! The outbox's sender for a council whose system speaks Open311: reports are posted as forms
//! and followed through `servicerequestupdates` (or, where a server has none, by asking for the
//! requests again); the council's copies land in the same items as Doorstep's own.
//!
//! Design. Open311 has no idempotency key, so a report whose answer was lost could be sent
//! twice. Every report carries a marker in its description (`[Doorstep <16 hex of its key>]`);
//! before sending again an operation that has been tried before, the sender lists the council's
//! recent requests for that service and adopts the one carrying its marker. It posts again only
//! when the council's list answered and holds no such request — or when the council cannot list
//! requests at all. An answer that cannot be read counts as lost, never as a refusal.
//!
//! Invariant: as with Doorstep's own council, an operation leaves the outbox only in the
//! transaction that records the council's copy (`Engine::record`); updates are applied with
//! `feed::apply_items`, and applying them twice changes nothing.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use doorstep_protocol::{ChangedItem, NewReport, Report};
use rusqlite::params;
use serde_json::json;

use super::{
    Operation, Problem,
    feed::apply_items,
    rules::Verdict,
    storage::Ready,
    sync::{Due, Engine, SyncReport, now},
};
use crate::{
    client::Answer,
    error::Result,
    events::Event,
    open311::{Fetched, convert, path_segment, read},
    store,
};

/// The list of requests is asked for at most this many ids at a time.
const IDS_PER_ASK: usize = 50;
/// How far around a report's queueing time its copy is looked for.
const LOOK_AROUND_HOURS: i64 = 1;
/// The longest span an Open311 server is asked about (the spec allows 90 days).
const LONGEST_SPAN_DAYS: i64 = 89;

/// What looking for a report among the council's found.
enum Looked {
    Found(Box<Report>),
    NotThere,
    /// The council's system does not list requests: the marker cannot be checked.
    CannotList,
    /// No answer, or one that cannot be read: look again later before sending.
    CouldNotLook(String),
}

fn when(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_else(Utc::now)
}

fn w3c(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn done(report: &Report) -> Result<Verdict> {
    Ok(Verdict::Done {
        copy: Some(serde_json::to_value(report)?),
        change: None,
    })
}

/// An operation this council's system does not take: it needs the resident's attention.
fn not_offered(operation: Operation) -> Verdict {
    Verdict::needs_attention(
        "not_offered",
        format!(
            "This council's system does not take this from the app ({}): discard it",
            operation.describe().to_lowercase()
        ),
    )
}

impl Engine {
    /// One round against an Open311 council: send what is ready, then hear what changed.
    pub(super) async fn open311_push_and_pull(&self, due: Due) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        let mut tried = HashSet::new();
        loop {
            let waiting = self.pick(due, &mut tried).await?;
            if waiting.is_empty() {
                break;
            }
            for op in waiting {
                let verdict = match op.operation {
                    Operation::SendReport => self.send_report(&op).await?,
                    other => not_offered(other),
                };
                self.record(vec![(op, verdict)], &mut report).await?;
            }
        }
        report.pulled = self.open311_pull().await?;
        let (waiting, needs_attention) = self.store.read(super::counts).await?;
        report.waiting = waiting;
        report.needs_attention = needs_attention;
        Ok(report)
    }

    /// Send one report, or adopt the council's copy of it if an earlier try reached it.
    async fn send_report(&self, op: &Ready) -> Result<Verdict> {
        let asked: NewReport = match op
            .body
            .as_ref()
            .map(|body| serde_json::from_str(body.get()))
            .transpose()
        {
            Ok(Some(asked)) => asked,
            _ => {
                return Ok(Verdict::needs_attention(
                    "invalid",
                    "This report cannot be read on this device: discard it",
                ));
            }
        };
        let marker = convert::marker(&op.key);
        if op.tried {
            match self.look_for(&asked, op.created_at, &marker).await {
                Looked::Found(report) => return done(&report),
                Looked::CouldNotLook(why) => {
                    return Ok(Verdict::no_answer(
                        "no_answer",
                        format!(
                            "before sending again the app must check the council has not got it already: {why}"
                        ),
                    ));
                }
                Looked::NotThere | Looked::CannotList => {}
            }
        }
        self.mark_sending(op.seq).await?;
        let (api_key, jurisdiction) = self.open311_settings();
        let form = convert::form(&asked, &marker, api_key, jurisdiction);
        let path = format!("/requests.{}", self.open311_format());
        let posted = Fetched::of(self.council.post_form(&path, &form).await);
        let document = match posted {
            Fetched::Document(document) => document,
            Fetched::NoAnswer(why) => return Ok(Verdict::no_answer("no_answer", why)),
            Fetched::Refused(status, why) => {
                let code = if status == 403 {
                    "forbidden"
                } else {
                    "refused"
                };
                let answer = Answer {
                    status,
                    body: json!({"error": {"code": code, "message": why}}),
                    retry_after: None,
                    etag: None,
                };
                return Ok(Verdict::of(answer, None));
            }
            Fetched::Unreadable(why) => return Ok(unreadable_post(&why)),
        };
        let now = Utc::now();
        match convert::posted(&document) {
            Some(convert::Posted::Request(id)) => done(&self.copy_of(&id, &asked, now).await),
            Some(convert::Posted::Token(token)) => match self.resolve_token(&token).await {
                Some(id) => done(&self.copy_of(&id, &asked, now).await),
                None => done(&convert::awaiting_reference(&token, &asked, now)),
            },
            None => Ok(unreadable_post(
                "it names neither a service_request_id nor a token",
            )),
        }
    }

    /// Note, before posting, that the operation is on its way: if the answer never comes — lost,
    /// or the app stopped — the next try looks for the report before posting again.
    async fn mark_sending(&self, seq: i64) -> Result<()> {
        let problem = Problem::on_device("sending", "sent to the council; waiting for its answer");
        let problem = serde_json::to_string(&problem)?;
        self.store
            .write(move |tx| {
                tx.execute(
                    "UPDATE outbox SET problem = ?2 WHERE seq = ?1",
                    params![seq, problem],
                )?;
                Ok(())
            })
            .await
    }

    /// Among the council's recent requests for the service, the one carrying `marker`.
    async fn look_for(&self, asked: &NewReport, queued_at: i64, marker: &str) -> Looked {
        let now = Utc::now();
        let start = (when(queued_at) - Duration::hours(LOOK_AROUND_HOURS))
            .max(now - Duration::days(LONGEST_SPAN_DAYS));
        let end = now + Duration::hours(LOOK_AROUND_HOURS);
        let query = [
            ("service_code", asked.service_code.clone()),
            ("start_date", w3c(start)),
            ("end_date", w3c(end)),
        ];
        match self.open311_get("requests", &query).await {
            Fetched::Document(document) => read::items(&document, &["service_requests", "request"])
                .iter()
                .find(|row| read::text(row, "description").is_some_and(|d| d.contains(marker)))
                .and_then(|row| convert::report(row, Some(asked), None, now))
                .map_or(Looked::NotThere, |report| Looked::Found(Box::new(report))),
            Fetched::Refused(..) => Looked::CannotList,
            Fetched::NoAnswer(why) | Fetched::Unreadable(why) => Looked::CouldNotLook(why),
        }
    }

    /// The council's copy of request `id`; what the resident asked, under that id, if the
    /// council will not say more now (the next pull fills it in).
    async fn copy_of(&self, id: &str, asked: &NewReport, now: DateTime<Utc>) -> Report {
        let row = match self
            .open311_get(&format!("requests/{}", path_segment(id)), &[])
            .await
        {
            Fetched::Document(document) => read::items(&document, &["service_requests", "request"])
                .into_iter()
                .find(|row| read::text(row, "service_request_id").as_deref() == Some(id)),
            _ => None,
        };
        let row = row.unwrap_or_else(|| json!({"service_request_id": id, "status": "open"}));
        convert::report(&row, Some(asked), None, now).unwrap_or_else(|| {
            let mut placeholder = convert::awaiting_reference(id, asked, now);
            placeholder.id = id.to_owned();
            placeholder.reference = id.to_owned();
            placeholder
        })
    }

    /// The request id a token has become, if the council says yet.
    async fn resolve_token(&self, token: &str) -> Option<String> {
        match self
            .open311_get(&format!("tokens/{}", path_segment(token)), &[])
            .await
        {
            Fetched::Document(document) => match convert::posted(&document) {
                Some(convert::Posted::Request(id)) => Some(id),
                _ => None,
            },
            _ => None,
        }
    }

    /// Hear what changed: tokens that became requests, then the council's updates (or the
    /// requests themselves, from a server without updates). Returns how many copies changed.
    async fn open311_pull(&self) -> Result<u64> {
        let mine = self
            .store
            .read(|c| {
                let mut statement = c.prepare(
                    "SELECT local_id, server_id, server, request FROM items
                     WHERE kind = 'report' AND server_id IS NOT NULL AND server IS NOT NULL",
                )?;
                let rows = statement.query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                })?;
                let mut mine = Vec::new();
                for row in rows {
                    let (local_id, server_id, server, request) = row?;
                    let copy: Report = serde_json::from_str(&server)?;
                    let asked: Option<NewReport> = serde_json::from_str(&request).ok();
                    mine.push((local_id, server_id, copy, asked));
                }
                Ok(mine)
            })
            .await?;
        let now = Utc::now();
        let mut changed: Vec<(String, Report)> = Vec::new();
        let mut copies: HashMap<String, (String, Report, Option<NewReport>)> = HashMap::new();
        for (local_id, server_id, copy, asked) in mine {
            match server_id.strip_prefix("token:") {
                Some(token) => {
                    if let (Some(id), Some(asked)) = (self.resolve_token(token).await, &asked) {
                        let copy = self.copy_of(&id, asked, now).await;
                        changed.push((local_id.clone(), copy));
                    }
                }
                None => {
                    copies.insert(server_id, (local_id, copy, asked));
                }
            }
        }
        let resolved = changed.len() as u64;
        self.write_resolved(changed).await?;
        if copies.is_empty() {
            return Ok(resolved);
        }
        let earliest = copies
            .values()
            .map(|(_, c, _)| c.created_at)
            .min()
            .unwrap_or(now);
        let since = self
            .store
            .read(|c| store::meta(c, "open311_updates_since"))
            .await?
            .and_then(|s| convert::datetime(&s))
            .unwrap_or(earliest)
            .max(now - Duration::days(LONGEST_SPAN_DAYS));
        // The end is a little ahead: times are sent to the second, and an update may have come
        // in the second this round began.
        let until = now + Duration::minutes(5);
        let query = [("start_date", w3c(since)), ("end_date", w3c(until))];
        let fresh = match self.open311_get("servicerequestupdates", &query).await {
            Fetched::Document(document) => {
                let mut fresh: HashMap<String, Report> = HashMap::new();
                for row in read::items(&document, &["service_request_updates", "request_update"]) {
                    let Some(update) = convert::update(&row) else {
                        continue;
                    };
                    let Some((_, copy, _)) = copies.get(&update.request_id) else {
                        continue;
                    };
                    let report = fresh
                        .entry(update.request_id.clone())
                        .or_insert_with(|| copy.clone());
                    convert::apply_update(report, &update);
                }
                fresh
                    .into_iter()
                    .filter(|(id, report)| copies.get(id).is_some_and(|(_, c, _)| c != report))
                    .collect()
            }
            Fetched::Refused(..) => self.ask_again(&copies, now).await?,
            other => {
                other.document()?;
                Vec::new()
            }
        };
        let count = fresh.len() as u64;
        let entities: Vec<ChangedItem> = fresh
            .into_iter()
            .map(|(_, r)| ChangedItem::Report(r))
            .collect();
        let mark = w3c(now - Duration::minutes(1));
        let stamp = now.timestamp();
        let touched = self
            .store
            .write(move |tx| {
                let refs: Vec<&ChangedItem> = entities.iter().collect();
                let touched = apply_items(tx, &refs, stamp)?;
                store::set_meta(tx, "open311_updates_since", &mark)?;
                Ok(touched)
            })
            .await?;
        self.tell_changed(touched);
        Ok(resolved + count)
    }

    /// Ask for the requests again, a few at a time, for a server with no updates feed.
    async fn ask_again(
        &self,
        copies: &HashMap<String, (String, Report, Option<NewReport>)>,
        now: DateTime<Utc>,
    ) -> Result<Vec<(String, Report)>> {
        let ids: Vec<&String> = copies.keys().collect();
        let mut fresh = Vec::new();
        for chunk in ids.chunks(IDS_PER_ASK) {
            let list = chunk
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(",");
            let document = match self
                .open311_get("requests", &[("service_request_id", list)])
                .await
            {
                // A server that will not say is asked again next round; what was sent stands.
                Fetched::Refused(..) => continue,
                other => other.document()?,
            };
            for row in read::items(&document, &["service_requests", "request"]) {
                let Some(id) = read::text(&row, "service_request_id") else {
                    continue;
                };
                let Some((_, before, asked)) = copies.get(&id) else {
                    continue;
                };
                if let Some(report) = convert::report(&row, asked.as_ref(), Some(before), now)
                    && report != *before
                {
                    fresh.push((id, report));
                }
            }
        }
        Ok(fresh)
    }

    /// Copies of reports that were known only by a token: they take their request's id.
    async fn write_resolved(&self, resolved: Vec<(String, Report)>) -> Result<()> {
        if resolved.is_empty() {
            return Ok(());
        }
        let stamp = now();
        let touched = self
            .store
            .write(move |tx| {
                let mut touched = Vec::new();
                for (local_id, copy) in &resolved {
                    let taken: bool = tx.query_row(
                        "SELECT EXISTS (SELECT 1 FROM items WHERE server_id = ?1)",
                        params![copy.id],
                        |r| r.get(0),
                    )?;
                    if taken {
                        continue;
                    }
                    tx.execute(
                        "UPDATE items SET server_id = ?2, server = ?3, updated_at = ?4 WHERE local_id = ?1",
                        params![local_id, copy.id, serde_json::to_string(copy)?, stamp],
                    )?;
                    touched.push(local_id.clone());
                }
                Ok(touched)
            })
            .await?;
        for local_id in touched {
            let _ = self.events.send(Event::ItemChanged {
                local_id,
                kind: "report".to_owned(),
            });
        }
        Ok(())
    }
}

/// A POST whose answer came but cannot be read: the council may have the report, so it counts
/// as lost (looked for before any new try), never as refused.
fn unreadable_post(why: &str) -> Verdict {
    Verdict::no_answer(
        "unreadable_answer",
        format!(
            "the council's answer could not be read ({why}); the app will look for the report before sending it again"
        ),
    )
}
