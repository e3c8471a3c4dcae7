//! doorstep-mobile: the core as Kotlin and Swift see it, through uniffi's proc-macros.
//!
//! Invariant: each method converts its arguments, calls one core method and converts the answer
//! (DESIGN.md §1) — no rule lives here. Async methods run on tokio; every failure crosses as a
//! `DoorstepError`, never as a panic; the phone keeps the secrets (`SecretStore`) and hears of
//! events (`EventListener`) through traits it implements.

mod error;
mod values;

use std::sync::{Arc, Mutex};

use doorstep_core as core;
use tokio::{sync::broadcast::error::RecvError, task::AbortHandle};

pub use error::{DoorstepError, InputProblem, ListenerError, SecretStoreError};
pub use values::*;

uniffi::setup_scaffolding!();

type Answer<T> = Result<T, DoorstepError>;

/// Where the core keeps the resident's tokens: the Keychain on iOS, a Keystore-backed store on
/// Android. Called from the core's threads.
#[uniffi::export(with_foreign)]
pub trait SecretStore: Send + Sync {
    fn get(&self, name: String) -> Result<Option<String>, SecretStoreError>;
    fn set(&self, name: String, value: String) -> Result<(), SecretStoreError>;
    fn delete(&self, name: String) -> Result<(), SecretStoreError>;
}

/// The phone's secret store as the core's.
struct PhoneSecrets(Arc<dyn SecretStore>);

impl core::SecretStore for PhoneSecrets {
    fn get(&self, name: &str) -> Result<Option<String>, String> {
        self.0.get(name.to_owned()).map_err(|e| e.to_string())
    }
    fn set(&self, name: &str, value: &str) -> Result<(), String> {
        self.0
            .set(name.to_owned(), value.to_owned())
            .map_err(|e| e.to_string())
    }
    fn delete(&self, name: &str) -> Result<(), String> {
        self.0.delete(name.to_owned()).map_err(|e| e.to_string())
    }
}

/// Told of each event, on one of the core's threads.
#[uniffi::export(with_foreign)]
pub trait EventListener: Send + Sync {
    fn on_event(&self, event: Event) -> Result<(), ListenerError>;
}

/// Events keep coming to the listener while this handle lives, until `cancel`.
#[derive(uniffi::Object)]
pub struct Subscription(Mutex<Option<AbortHandle>>);

#[uniffi::export]
impl Subscription {
    /// Stop the events now (dropping the handle does the same).
    pub fn cancel(&self) {
        if let Some(task) = self.0.lock().ok().and_then(|mut task| task.take()) {
            task.abort();
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// An amount as the resident typed it ("£12.50", "12") in pence; says what to fix otherwise.
#[uniffi::export]
pub fn amount_in_pence(typed: String) -> Answer<u64> {
    Ok(core::payments::amount_in_pence(&typed)?)
}

/// Where the payment page sends the resident back to the app; pass it as a payment's return
/// address, and the app is opened with it and the payment's local id.
#[uniffi::export]
pub fn phone_return_url() -> String {
    core::payments::PHONE_RETURN_URL.to_owned()
}

/// What the booking form offers to do when the time chosen is taken, in the core's order and
/// words.
#[uniffi::export]
pub fn fallback_choices() -> Vec<FallbackChoice> {
    core::form::FALLBACKS
        .into_iter()
        .map(|fallback| FallbackChoice {
            fallback,
            name: core::form::fallback_words(fallback).to_owned(),
        })
        .collect()
}

/// The local id of the payment an address the app was opened with returns from, if it is one.
#[uniffi::export]
pub fn returned_payment(opened_with: String) -> Option<String> {
    core::payments::returned_payment(&opened_with)
}

/// The reminders to schedule for a bin calendar: the evening before each collection still to
/// come, at `now` on a phone whose clock is `utc_offset_seconds` ahead of UTC.
#[uniffi::export]
pub fn bin_reminders(
    calendar: BinCalendar,
    now: std::time::SystemTime,
    utc_offset_seconds: i32,
) -> Vec<BinReminder> {
    core::bins::reminders(&calendar.into(), local_time(now, utc_offset_seconds))
        .into_iter()
        .map(Into::into)
        .collect()
}

/// The phone's own time at `now`, its clock being `utc_offset_seconds` ahead of UTC.
fn local_time(now: std::time::SystemTime, utc_offset_seconds: i32) -> chrono::NaiveDateTime {
    chrono::DateTime::<chrono::Utc>::from(now).naive_utc()
        + chrono::Duration::seconds(i64::from(utc_offset_seconds))
}

/// The name a property's bin calendar file is shared under.
#[uniffi::export]
pub fn calendar_file_name(uprn: String) -> String {
    core::bins::calendar_file_name(&uprn)
}

/// The name the resident's data is shared under, on the phone's own day at `now`.
#[uniffi::export]
pub fn export_file_name(now: std::time::SystemTime, utc_offset_seconds: i32) -> String {
    core::account::export_file_name(local_time(now, utc_offset_seconds).date())
}

/// The core, for one resident on one phone.
#[derive(uniffi::Object)]
pub struct Doorstep(core::Doorstep);

impl Doorstep {
    async fn answers(
        &self,
        service_code: &str,
        answers: Vec<AnswerGiven>,
    ) -> Answer<doorstep_protocol::Answers> {
        Ok(self.0.answers(service_code, given_answers(answers)).await?)
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Doorstep {
    /// Open the store in `settings.data_dir` (migrating it) and, if asked, sync in the background.
    #[uniffi::constructor]
    pub async fn open(settings: Settings, secrets: Arc<dyn SecretStore>) -> Answer<Arc<Self>> {
        let core = core::Doorstep::open(core::Config {
            data_dir: settings.data_dir.into(),
            council_url: settings.council_url,
            secrets: Arc::new(PhoneSecrets(secrets)),
            platform: settings.platform,
            device_name: settings.device_name,
            background_sync: settings.background_sync,
            backend: settings.backend.into(),
        })?;
        Ok(Arc::new(Doorstep(core)))
    }

    /// Events from now on, starting with the current outbox counts and sync state; they stop
    /// when the returned handle is dropped or cancelled. Each is handed to the listener on a
    /// blocking thread, in order, so a slow listener never holds up the core's own work; a
    /// listener that fails (throws) misses that event only.
    pub async fn subscribe(&self, listener: Arc<dyn EventListener>) -> Arc<Subscription> {
        let mut events = self.0.subscribe().await;
        let task = tokio::spawn(async move {
            loop {
                match events.recv().await {
                    Ok(event) => {
                        let listener = listener.clone();
                        let _ = tokio::task::spawn_blocking(move || listener.on_event(event)).await;
                    }
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return,
                }
            }
        });
        Arc::new(Subscription(Mutex::new(Some(task.abort_handle()))))
    }

    /// The phone's connectivity, as the shell sees it; coming online starts a round.
    pub async fn set_online(&self, online: bool) {
        self.0.set_online(online).await;
    }

    pub fn is_online(&self) -> bool {
        self.0.is_online()
    }

    /// What this council offers; the screens hide the rest.
    pub fn capabilities(&self) -> Capabilities {
        self.0.capabilities().into()
    }

    /// The home page's ways in to what this council offers, in the core's words.
    pub fn top_tasks(&self) -> Vec<core::catalogue::TopTask> {
        core::catalogue::top_tasks(&self.0.capabilities())
    }

    /// Send what waits and hear of the council's changes, now.
    pub async fn sync_now(&self) -> Answer<SyncReport> {
        Ok(self.0.sync_now().await?)
    }

    /// Fetch the catalogue and council profile if they changed; says whether they did.
    pub async fn refresh_catalogue(&self) -> Answer<bool> {
        Ok(self.0.refresh_catalogue().await?)
    }

    /// Services in the council's order, or the best matches for `search` (offline too).
    pub async fn services(&self, search: Option<String>) -> Answer<Vec<ServiceSummary>> {
        Ok(self.0.services(search.as_deref()).await?)
    }

    /// The services under the council's names for their groups, in the catalogue's order
    /// (offline too); only those of `kind`, when given.
    pub async fn service_groups(&self, kind: Option<ServiceKind>) -> Answer<Vec<ServiceGroup>> {
        let groups = self.0.service_groups(kind).await?;
        Ok(groups.into_iter().map(Into::into).collect())
    }

    pub async fn service(&self, code: String) -> Answer<Service> {
        Ok(self.0.service(&code).await?.into())
    }

    /// "Check your answers" for what the form holds, in the council's order.
    pub async fn check_answers(
        &self,
        service_code: String,
        answers: Vec<AnswerGiven>,
    ) -> Answer<Vec<core::form::CheckedAnswer>> {
        let given = given_answers(answers).into_iter().collect();
        Ok(self.0.check_answers(&service_code, &given).await?)
    }

    /// "Check your answers" for a report before it is sent, every row in the core's words: what
    /// is wrong, the service's questions, where, the photos and the contact details.
    pub async fn check_report(&self, input: ReportInput) -> Answer<Vec<core::form::CheckedAnswer>> {
        let report = core::form::ReportToCheck {
            service_code: input.service_code,
            description: input.description,
            location: input.location,
            answers: given_answers(input.answers).into_iter().collect(),
            photos: input.photos.len(),
            contact: input.contact,
        };
        Ok(self.0.check_report(&report).await?)
    }

    /// "Check your answers" for a booking before it is made, every row in the core's words: the
    /// service's questions, where, the time at its site and what to do if it is taken.
    pub async fn check_booking(
        &self,
        input: BookingInput,
    ) -> Answer<Vec<core::form::CheckedAnswer>> {
        let booking = core::form::BookingToCheck {
            service_code: input.service_code,
            answers: given_answers(input.answers).into_iter().collect(),
            location: input.location,
            slot_id: input.slot_id,
            fallback: input.fallback,
        };
        Ok(self.0.check_booking(&booking).await?)
    }

    pub async fn council(&self) -> Answer<Option<CouncilProfile>> {
        Ok(self.0.council().await?.map(Into::into))
    }

    /// Check a report with the council's rules and queue it; it is sent at once when possible.
    pub async fn submit_report(&self, input: ReportInput) -> Answer<MyReport> {
        let answers = self.answers(&input.service_code, input.answers).await?;
        let report = core::reports::ReportInput {
            service_code: input.service_code,
            description: input.description,
            location: input.location,
            answers,
            photos: input.photos,
            contact: input.contact,
        };
        Ok(self.0.submit_report(report).await?)
    }

    pub async fn reports(&self) -> Answer<Vec<MyReport>> {
        Ok(self.0.reports().await?)
    }

    pub async fn report(&self, local_id: String) -> Answer<MyReport> {
        Ok(self.0.report(&local_id).await?)
    }

    /// Add a note to a report, or say it is still not fixed (`reopen`).
    pub async fn add_update(
        &self,
        local_id: String,
        text: String,
        reopen: bool,
    ) -> Answer<MyReport> {
        Ok(self.0.add_update(&local_id, &text, reopen).await?)
    }

    /// What a booking with these answers would cost, in pence, by the council's fee rule; none
    /// when the service has no fee or the answers do not yet say enough to work it out.
    pub async fn booking_fee(
        &self,
        service_code: String,
        answers: Vec<AnswerGiven>,
    ) -> Answer<Option<u32>> {
        let answers = self.answers(&service_code, answers).await?;
        Ok(self.0.booking_fee(&service_code, &answers).await?)
    }

    /// The fee to pay on one of the resident's bookings now, in pence; none when nothing is due.
    pub async fn fee_due(&self, local_id: String) -> Answer<Option<u32>> {
        Ok(self.0.fee_due(&local_id).await?)
    }

    /// Whether a booking may be cancelled now (the council has it and its cut-off has not passed).
    pub async fn may_cancel(&self, local_id: String) -> Answer<bool> {
        Ok(self.0.may_cancel(&local_id).await?)
    }

    /// Live slots when online, last-known ones (marked stale) offline.
    pub async fn slots(&self, service_code: String) -> Answer<SlotView> {
        Ok(self.0.slots(&service_code).await?)
    }

    /// Check and queue a booking.
    pub async fn book(&self, input: BookingInput) -> Answer<MyBooking> {
        let answers = self.answers(&input.service_code, input.answers).await?;
        let booked = self
            .0
            .book(
                &input.service_code,
                &input.slot_id,
                answers,
                input.location,
                input.fallback,
            )
            .await?;
        Ok(booked)
    }

    pub async fn bookings(&self) -> Answer<Vec<MyBooking>> {
        Ok(self.0.bookings().await?)
    }

    pub async fn booking(&self, local_id: String) -> Answer<MyBooking> {
        Ok(self.0.booking(&local_id).await?)
    }

    /// Cancel a booking, if its cut-off has not passed.
    pub async fn cancel_booking(&self, local_id: String) -> Answer<MyBooking> {
        Ok(self.0.cancel_booking(&local_id).await?)
    }

    /// Pay a booking's fee: queued after the booking itself.
    pub async fn pay_booking_fee(
        &self,
        booking_local_id: String,
        return_url: String,
    ) -> Answer<MyPayment> {
        Ok(self
            .0
            .pay_booking_fee(&booking_local_id, &return_url)
            .await?)
    }

    /// Check and queue a payment (council tax, a parking penalty, a permit).
    pub async fn start_payment(&self, input: PaymentInput) -> Answer<MyPayment> {
        let pence = core::payments::amount_in_pence(&input.amount)?;
        let started = self
            .0
            .start_payment(
                &input.purpose,
                &input.reference,
                pence,
                &input.return_url,
                input.email.as_deref(),
            )
            .await?;
        Ok(started)
    }

    pub async fn payments(&self) -> Answer<Vec<MyPayment>> {
        Ok(self.0.payments().await?)
    }

    pub async fn payment(&self, local_id: String) -> Answer<MyPayment> {
        Ok(self.0.payment(&local_id).await?)
    }

    /// Ask the council how a payment stands (after the resident comes back from its page).
    pub async fn refresh_payment(&self, local_id: String) -> Answer<MyPayment> {
        Ok(self.0.refresh_payment(&local_id).await?)
    }

    /// The properties at a postcode (cached for offline use).
    pub async fn addresses(&self, postcode: String) -> Answer<Addresses> {
        Ok(self.0.addresses(&postcode).await?.into())
    }

    /// A property's bin days for the coming weeks (cached for offline use).
    pub async fn collections(&self, uprn: String) -> Answer<BinCalendar> {
        Ok(self.0.collections(&uprn).await?.into())
    }

    /// The bin calendar as an iCalendar file, to add to the phone's calendar.
    pub async fn collections_ics(&self, uprn: String) -> Answer<String> {
        Ok(self.0.collections_ics(&uprn).await?)
    }

    /// Remember the address chosen for bin day, to show its calendar straight away next time.
    pub async fn remember_bin_address(&self, uprn: String) -> Answer<()> {
        Ok(self.0.remember_bin_address(&uprn).await?)
    }

    /// The address remembered for bin day (its UPRN), if one was chosen on this phone.
    pub async fn bin_address(&self) -> Answer<Option<String>> {
        Ok(self.0.bin_address().await?)
    }

    /// Everything in the outbox, oldest first.
    pub async fn outbox(&self) -> Answer<Vec<OutboxEntry>> {
        Ok(self.0.outbox().await?.into_iter().map(Into::into).collect())
    }

    /// Try an operation again now.
    pub async fn retry(&self, key: String) -> Answer<()> {
        Ok(self.0.retry(&key).await?)
    }

    /// Fix what the council refused — another slot, changed answers — and send it again;
    /// returns the operation's new key.
    pub async fn fix(
        &self,
        key: String,
        slot_id: Option<String>,
        answers: Vec<AnswerGiven>,
    ) -> Answer<String> {
        Ok(self
            .0
            .fix_with(&key, slot_id.as_deref(), given_answers(answers))
            .await?)
    }

    /// Give up an operation and what depends on it.
    pub async fn discard(&self, key: String) -> Answer<()> {
        Ok(self.0.discard(&key).await?)
    }

    /// Save a form as JSON text; with no id a new draft is made. Returns its id.
    pub async fn save_draft(
        &self,
        id: Option<String>,
        kind: String,
        body: String,
    ) -> Answer<String> {
        let body = serde_json::from_str(&body).map_err(|e| {
            core::Error::invalid("body", format!("A draft is saved as JSON text: {e}"))
        })?;
        Ok(self.0.save_draft(id.as_deref(), &kind, body).await?)
    }

    pub async fn drafts(&self) -> Answer<Vec<Draft>> {
        Ok(self.0.drafts().await?.into_iter().map(Into::into).collect())
    }

    pub async fn delete_draft(&self, id: String) -> Answer<()> {
        Ok(self.0.delete_draft(&id).await?)
    }

    /// Ask for a sign-in code by email.
    pub async fn sign_in(&self, email: String) -> Answer<CodeSent> {
        Ok(self.0.sign_in(&email).await?)
    }

    /// The address a sign-in code was last asked for.
    pub async fn pending_email(&self) -> Answer<Option<String>> {
        Ok(self.0.pending_email().await?)
    }

    /// Enter the emailed code; returns the account's email.
    pub async fn verify(&self, email: String, code: String) -> Answer<String> {
        Ok(self.0.verify(&email, &code).await?.email)
    }

    pub async fn sign_out(&self) -> Answer<()> {
        Ok(self.0.sign_out().await?)
    }

    /// The token the phone's push service gave it (Firebase Messaging's on Android, APNs's on
    /// iOS), on every start and whenever it changes; the council hears of it in the next round.
    pub async fn register_push(
        &self,
        service: doorstep_protocol::PushService,
        token: String,
    ) -> Answer<()> {
        Ok(self.0.register_push(service, &token).await?)
    }

    pub async fn signed_in_as(&self) -> Answer<Option<String>> {
        Ok(self.0.signed_in_as().await?)
    }

    /// Everything the phone holds about the resident, as JSON text.
    pub async fn export(&self) -> Answer<String> {
        Ok(self.0.export().await?.to_string())
    }

    /// Erase the resident here and at the council.
    pub async fn erase(&self) -> Answer<()> {
        Ok(self.0.erase().await?)
    }
}
