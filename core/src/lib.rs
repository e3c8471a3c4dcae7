//! doorstep-core: the resident-side engine. Every shell (CLI, desktop, mobile) is a thin layer
//! over the `Doorstep` facade here.
//!
//! Invariant: what a resident does is validated on the device with the council's own rules
//! (`doorstep_protocol::rules`), then written — the item and its outbox operations — in one
//! transaction before any network call, and only then sent (DESIGN.md §2). The core knows no
//! shell, screen, Tauri or uniffi; secrets go only through `SecretStore`.

pub mod account;
pub mod bins;
pub mod bookings;
pub mod catalogue;
pub mod client;
pub mod drafts;
pub mod error;
pub mod events;
pub mod form;
pub mod items;
pub mod open311;
pub mod outbox;
#[cfg(test)]
mod page_types;
pub mod payments;
pub mod photos;
pub mod push;
pub mod reports;
pub mod secrets;
pub mod shown;
pub mod store;

use std::{
    path::PathBuf,
    sync::{Arc, Weak, atomic::Ordering},
    time::Duration,
};

use doorstep_protocol::rules::GivenAnswer;
use tokio::sync::{Notify, broadcast};

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

// The core's own moments (a step of a report's history) cross as the protocol's do.
#[cfg(feature = "uniffi")]
use doorstep_protocol::phone::UtcDateTime;
#[cfg(feature = "uniffi")]
uniffi::use_remote_type!(doorstep_protocol::UtcDateTime);

pub use error::{Error, Result};
pub use events::{Event, SyncState};
pub use items::{Delivery, MyBooking, MyPayment, MyReport};
pub use outbox::{Entry as OutboxEntry, State as OutboxState, sync::SyncReport};
pub use secrets::{FileSecrets, MemorySecrets, SecretStore};

use outbox::sync::{Due, Engine};

/// What kind of system the council runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Backend {
    /// A Doorstep council server: everything, with exactly-once delivery.
    #[default]
    Doorstep,
    /// A plain Open311 GeoReport v2 endpoint (`council_url` is its base, ending before
    /// `services.json`): reports only.
    Open311 {
        /// The key the council gave for posting requests, if it asks for one.
        api_key: Option<String>,
        /// Sent as `jurisdiction_id` to servers that serve several councils.
        jurisdiction: Option<String>,
    },
}

/// What the council offers through this app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Capabilities {
    /// Report a problem and follow it.
    pub reports: bool,
    /// Add a note to a report, or say it is still not fixed.
    pub report_updates: bool,
    /// Photos sent with a report.
    pub photos: bool,
    pub bookings: bool,
    pub payments: bool,
    /// Bin days by address.
    pub bins: bool,
    /// Signing in, and the council's copy of what it holds about the resident.
    pub account: bool,
}

impl Capabilities {
    /// What a Doorstep council server offers.
    pub const EVERYTHING: Capabilities = Capabilities {
        reports: true,
        report_updates: true,
        photos: true,
        bookings: true,
        payments: true,
        bins: true,
        account: true,
    };
}

/// A capability, to ask for by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    ReportUpdates,
    Photos,
    Bookings,
    Payments,
    Bins,
    Account,
}

/// How to open the core.
pub struct Config {
    /// Where the device's store lives.
    pub data_dir: PathBuf,
    /// The council's server, e.g. `https://council.example/`.
    pub council_url: String,
    /// What kind of system `council_url` is.
    pub backend: Backend,
    pub secrets: Arc<dyn SecretStore>,
    /// `linux`, `android`, `cli`, ...
    pub platform: String,
    /// What the resident calls this device.
    pub device_name: String,
    /// Run a background task that syncs on enqueue, on coming online and on a timer.
    pub background_sync: bool,
}

/// The facade: cheap to clone, `Send + Sync`.
#[derive(Clone)]
pub struct Doorstep(Arc<Inner>);

pub struct Inner {
    engine: Engine,
    wake: Arc<Notify>,
}

impl Drop for Inner {
    /// Let the background task see that the core is gone.
    fn drop(&mut self) {
        self.wake.notify_one();
    }
}

impl Doorstep {
    /// Open the store in `config.data_dir` (migrating it) and, if asked, start syncing in the
    /// background. Must be called within a tokio runtime.
    pub fn open(config: Config) -> Result<Doorstep> {
        let store = store::Store::open(&config.data_dir)?;
        let council = client::Council::new(&config.council_url)?;
        let (events, _) = broadcast::channel(256);
        let inner = Arc::new(Inner {
            engine: Engine {
                store,
                council,
                backend: config.backend,
                open311_xml: false.into(),
                secrets: config.secrets,
                events,
                online: true.into(),
                platform: config.platform,
                device_name: config.device_name,
                round_lock: tokio::sync::Mutex::new(()),
                on_their_way: outbox::OnTheirWay::default(),
                batch_budget: Arc::new(doorstep_protocol::MAX_BATCH_BYTES.into()),
            },
            wake: Arc::new(Notify::new()),
        });
        if config.background_sync {
            tokio::spawn(background(Arc::downgrade(&inner), inner.wake.clone()));
        }
        Ok(Doorstep(inner))
    }

    fn engine(&self) -> &Engine {
        &self.0.engine
    }

    /// What this council offers; the shells hide the rest.
    pub fn capabilities(&self) -> Capabilities {
        match self.engine().backend {
            Backend::Doorstep => Capabilities::EVERYTHING,
            Backend::Open311 { .. } => Capabilities {
                reports: true,
                report_updates: false,
                photos: false,
                bookings: false,
                payments: false,
                bins: false,
                account: false,
            },
        }
    }

    /// `Ok` when the council offers `what`; `Error::NotOffered` saying so in plain words if not.
    pub fn require(&self, what: Offer) -> Result<()> {
        let offers = self.capabilities();
        let (offered, words) = match what {
            Offer::ReportUpdates => (offers.report_updates, "adding updates to reports"),
            Offer::Photos => (offers.photos, "photos sent from the app"),
            Offer::Bookings => (offers.bookings, "bookings"),
            Offer::Payments => (offers.payments, "payments"),
            Offer::Bins => (offers.bins, "bin days"),
            Offer::Account => (offers.account, "signing in"),
        };
        if offered {
            Ok(())
        } else {
            Err(Error::NotOffered(format!(
                "This council's system does not offer {words} through this app: use the council's website or phone line for that"
            )))
        }
    }

    /// Run one sync round now and say what moved.
    pub async fn sync_now(&self) -> Result<SyncReport> {
        self.engine().round(Due::Now).await
    }

    /// The shell says whether the device has a connection; coming online starts a round.
    pub async fn set_online(&self, online: bool) {
        self.engine().online.store(online, Ordering::SeqCst);
        let _ = self.engine().events.send(self.engine().sync_state().await);
        if online {
            self.0.wake.notify_one();
        }
    }

    pub fn is_online(&self) -> bool {
        self.engine().online.load(Ordering::SeqCst)
    }

    /// Events from now on, starting with the current outbox counts and sync state.
    pub async fn subscribe(&self) -> broadcast::Receiver<Event> {
        let receiver = self.engine().events.subscribe();
        self.engine().emit_counts().await;
        let _ = self.engine().events.send(self.engine().sync_state().await);
        receiver
    }

    /// Cap the device's store at `pages` pages (never below its size now) and return the cap:
    /// how a full disk is simulated when proving that nothing accepted is lost.
    pub async fn cap_storage(&self, pages: u64) -> Result<u64> {
        self.engine()
            .store
            .read(move |conn| store::cap_pages(conn, pages))
            .await
    }

    /// Everything in the outbox, oldest first.
    pub async fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        self.engine().store.read(outbox::list).await
    }

    /// Try an operation again now.
    pub async fn retry(&self, key: &str) -> Result<()> {
        let key = key.to_owned();
        self.queue(move |tx| outbox::retry(tx, &key)).await
    }

    /// Fix an operation the council refused — new answers, another slot — and send it again.
    /// The new payload is checked with the same rules as a new one; the item's request is
    /// updated to match, and the operation gets a new key (the council never applied the old).
    pub async fn fix(&self, key: &str, body: serde_json::Value) -> Result<String> {
        let key = key.to_owned();
        self.queue(move |tx| {
            let (_, operation, _) = outbox::find(tx, &key)?.ok_or_else(|| {
                Error::NotFound(format!("Nothing in the outbox has the key {key}"))
            })?;
            let invalid = |e: serde_json::Error| {
                Error::invalid(
                    "body",
                    format!(
                        "This is not a valid {}: {e}",
                        operation.describe().to_lowercase()
                    ),
                )
            };
            let problems = match operation {
                outbox::Operation::SendReport => {
                    reports::check(tx, &serde_json::from_value(body.clone()).map_err(invalid)?)?
                }
                outbox::Operation::Book => {
                    bookings::check(tx, &serde_json::from_value(body.clone()).map_err(invalid)?)?
                }
                outbox::Operation::StartPayment => {
                    payments::check(tx, &serde_json::from_value(body.clone()).map_err(invalid)?)?
                }
                _ => {
                    return Err(Error::invalid(
                        "key",
                        "Only a report, a booking or a payment can be changed and sent again",
                    ));
                }
            };
            if !problems.is_empty() {
                return Err(Error::Invalid { problems });
            }
            let item: String =
                tx.query_row("SELECT item FROM outbox WHERE key = ?1", [&key], |r| {
                    r.get(0)
                })?;
            let new_key = outbox::replace_body(tx, &key, &body)?;
            tx.execute(
                "UPDATE items SET request = ?2 WHERE local_id = ?1",
                rusqlite::params![item, body.to_string()],
            )?;
            Ok(new_key)
        })
        .await
    }

    /// Fix a refused report or booking from the resident's words: another slot, and answers that
    /// replace those given (the rest of what was asked stays as it was).
    pub async fn fix_with(
        &self,
        key: &str,
        slot_id: Option<&str>,
        answers: Vec<(String, GivenAnswer)>,
    ) -> Result<String> {
        let wanted = key.to_owned();
        let (_, _, body) = self
            .engine()
            .store
            .read(move |c| outbox::find(c, &wanted))
            .await?
            .ok_or_else(|| Error::NotFound(format!("Nothing in the outbox has the key {key}")))?;
        let mut body =
            body.ok_or_else(|| Error::invalid("key", "There is nothing to change in this one"))?;
        if let Some(slot_id) = slot_id {
            body["slot_id"] = serde_json::Value::String(slot_id.to_owned());
        }
        let service_code = body["service_code"].as_str().unwrap_or_default().to_owned();
        for (code, answer) in self.answers(&service_code, answers).await? {
            body["answers"][code] = serde_json::to_value(answer)?;
        }
        self.fix(key, body).await
    }

    /// Answers as a form gives them (text typed, keys picked), typed by the service's questions
    /// when this device knows them. Every shell makes its answers here.
    pub async fn answers(
        &self,
        service_code: &str,
        given: Vec<(String, GivenAnswer)>,
    ) -> Result<doorstep_protocol::Answers> {
        let questions = self
            .service(service_code)
            .await
            .map(|s| s.questions)
            .unwrap_or_default();
        Ok(doorstep_protocol::rules::given_answers(&questions, given))
    }

    /// The form the service's questions make, for a shell to draw.
    pub async fn form(&self, service_code: &str) -> Result<Vec<form::Field>> {
        Ok(form::fields(&self.service(service_code).await?.questions))
    }

    /// "Check your answers" for what was given to the service's questions.
    pub async fn check_answers(
        &self,
        service_code: &str,
        given: &std::collections::BTreeMap<String, GivenAnswer>,
    ) -> Result<Vec<form::CheckedAnswer>> {
        let questions = self.service(service_code).await?.questions;
        Ok(form::check_answers(&questions, given))
    }

    /// "Check your answers" for a report before it is sent: what is wrong, the service's
    /// questions and their answers, where, the photos and the contact details, in words.
    pub async fn check_report(
        &self,
        report: &form::ReportToCheck,
    ) -> Result<Vec<form::CheckedAnswer>> {
        let answers = self
            .check_answers(&report.service_code, &report.answers)
            .await?;
        Ok(form::report_check(report, answers))
    }

    /// Give up an operation and what depends on it; an item that never reached the council
    /// goes with it. Refused while the operation or one after it is on its way to the council.
    pub async fn discard(&self, key: &str) -> Result<()> {
        let key = key.to_owned();
        let on_their_way = self.engine().on_their_way.clone();
        let touched = self
            .engine()
            .store
            .write(move |tx| {
                let mut touched = Vec::new();
                for item in outbox::discard(tx, &key, &on_their_way)? {
                    let kind: String =
                        tx.query_row("SELECT kind FROM items WHERE local_id = ?1", [&item], |r| {
                            r.get(0)
                        })?;
                    tx.execute(
                        "DELETE FROM items WHERE local_id = ?1 AND server_id IS NULL
                         AND NOT EXISTS (SELECT 1 FROM outbox WHERE item = ?1)",
                        [&item],
                    )?;
                    touched.push((item, kind));
                }
                outbox::forget_unneeded_photos(tx)?;
                Ok(touched)
            })
            .await?;
        self.engine().emit_counts().await;
        for (local_id, kind) in touched {
            let _ = self
                .engine()
                .events
                .send(Event::ItemChanged { local_id, kind });
        }
        Ok(())
    }

    /// Change what is queued — a new intent with its operations, a retry, a fix, a sign-in that
    /// lets a paused queue go on — in one transaction that also reads the outbox counts, then
    /// tell the shells and wake the background sync: one trip to the store.
    async fn queue<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Transaction) -> Result<T> + Send + 'static,
    {
        let (value, (waiting, needs_attention)) = self
            .engine()
            .store
            .write(move |tx| {
                let value = work(tx)?;
                Ok((value, outbox::counts(tx)?))
            })
            .await?;
        let _ = self.engine().events.send(Event::Outbox {
            waiting,
            needs_attention,
        });
        if self.is_online() {
            self.0.wake.notify_one();
        }
        Ok(value)
    }
}

/// Sync when woken (an enqueue, coming online), when the next retry falls due, and at least
/// every `outbox::rules::CAP` to hear of the council's changes; ends when the last handle to
/// the core is dropped. A queue paused for a sign-in is not tried until the resident signs in.
async fn background(inner: Weak<Inner>, wake: Arc<Notify>) {
    let cap = outbox::rules::CAP.as_secs() as i64;
    loop {
        let due = {
            let Some(strong) = inner.upgrade() else {
                return;
            };
            strong
                .engine
                .store
                .read(outbox::storage::next_due)
                .await
                .ok()
                .flatten()
        };
        let wait = Duration::from_secs(
            due.map_or(cap, |at| (at - outbox::sync::now()).clamp(1, cap)) as u64,
        );
        let _ = tokio::time::timeout(wait, wake.notified()).await;
        let Some(strong) = inner.upgrade() else {
            return;
        };
        if strong.engine.online.load(Ordering::SeqCst) {
            let _ = strong.engine.round(Due::Backoff).await;
        }
    }
}
