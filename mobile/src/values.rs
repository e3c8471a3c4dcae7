//! The values that cross to Kotlin and Swift. Most are the core's and the protocol's own types,
//! which derive their uniffi records and enums (the `uniffi` features) and are re-exported here;
//! this module holds only what has no such type: how the phone opens the core, the forms it
//! fills in, and the few views that gather a core value with its freshness.
//!
//! Invariant: only conversions live here — field for field, with no check, default or rule of
//! the council's; whatever decides something is the core's. Moments cross as instants, days as
//! `YYYY-MM-DD` text, free-form forms (drafts) as JSON text.

use doorstep_core as core;
use doorstep_protocol as protocol;

pub use core::{Delivery, Event, MyBooking, MyPayment, MyReport, SyncReport, SyncState};
pub use core::{bookings::SlotView, outbox::Problem};
pub use protocol::{
    Address, Author, Bin, Booking, BookingStatus, CodeSent, Collection, ContactDetails, Fallback,
    Location, NewBooking, NewPayment, NewReport, Payment, PaymentPurpose, PaymentState,
    PaymentStatus, Receipt, Report, ReportStatus, ServiceKind, ServiceSummary, Slot, SlotList,
    TimelineEntry,
};

/// How to open the core on a phone.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Settings {
    /// The app's own files folder, where the store lives.
    pub data_dir: String,
    /// The council's server, e.g. `https://council.example/`.
    pub council_url: String,
    /// `android` or `ios`.
    pub platform: String,
    /// What the resident calls this phone.
    pub device_name: String,
    /// Sync on enqueue, on coming online and on a timer while the app runs.
    pub background_sync: bool,
    /// What kind of system the council runs.
    pub backend: Backend,
}

/// What kind of system the council runs.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum Backend {
    /// A Doorstep council server: everything, with exactly-once delivery.
    Doorstep,
    /// A plain Open311 GeoReport v2 endpoint (`council_url` is its base): reports only.
    Open311 {
        api_key: Option<String>,
        jurisdiction: Option<String>,
    },
}

impl From<Backend> for core::Backend {
    fn from(b: Backend) -> Self {
        match b {
            Backend::Doorstep => core::Backend::Doorstep,
            Backend::Open311 {
                api_key,
                jurisdiction,
            } => core::Backend::Open311 {
                api_key,
                jurisdiction,
            },
        }
    }
}

/// What the council offers through this app; the screens hide the rest.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Capabilities {
    pub reports: bool,
    pub report_updates: bool,
    pub photos: bool,
    pub bookings: bool,
    pub payments: bool,
    pub bins: bool,
    pub account: bool,
}

impl From<core::Capabilities> for Capabilities {
    fn from(c: core::Capabilities) -> Self {
        Capabilities {
            reports: c.reports,
            report_updates: c.report_updates,
            photos: c.photos,
            bookings: c.bookings,
            payments: c.payments,
            bins: c.bins,
            account: c.account,
        }
    }
}

/// A heading of the services pages: the council's name for a group and its services.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ServiceGroup {
    pub code: String,
    pub name: String,
    /// In the catalogue's order.
    pub services: Vec<ServiceSummary>,
}

impl From<core::catalogue::Group> for ServiceGroup {
    fn from(g: core::catalogue::Group) -> Self {
        ServiceGroup {
            code: g.code,
            name: g.name,
            services: g.services,
        }
    }
}

/// A service and what it asks.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Service {
    pub code: String,
    pub name: String,
    pub group: String,
    pub kind: ServiceKind,
    pub description: String,
    pub what_happens_next: Option<String>,
    pub target_days: Option<u32>,
    /// The form its questions make, in the council's order.
    pub fields: Vec<core::form::Field>,
    /// Whether it is booked in a slot.
    pub bookable: bool,
    /// Bookings that need the address of the collection.
    pub needs_location: bool,
    /// For a payment service: the purpose to pay with.
    pub payment_purpose: Option<String>,
    pub more_info_url: Option<String>,
}

impl From<protocol::ServiceDefinition> for Service {
    fn from(s: protocol::ServiceDefinition) -> Self {
        Service {
            code: s.code,
            name: s.name,
            group: s.group,
            kind: s.kind,
            description: s.description,
            what_happens_next: s.what_happens_next,
            target_days: s.target_days,
            fields: core::form::fields(&s.questions),
            bookable: s.booking.is_some(),
            needs_location: s.booking.is_some_and(|b| b.needs_location),
            payment_purpose: s.payment_purpose,
            more_info_url: s.more_info_url,
        }
    }
}

/// The council as last fetched.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CouncilProfile {
    pub id: String,
    pub name: String,
    pub area_name: String,
    pub phone: String,
    pub email: String,
    pub website: String,
    pub privacy_url: String,
    pub payment_purposes: Vec<PaymentPurpose>,
}

impl From<protocol::Council> for CouncilProfile {
    fn from(c: protocol::Council) -> Self {
        CouncilProfile {
            id: c.id,
            name: c.name,
            area_name: c.area_name,
            phone: c.contact.phone,
            email: c.contact.email,
            website: c.contact.website,
            privacy_url: c.policies.privacy_url,
            payment_purposes: c.payment_purposes,
        }
    }
}

/// An answer as the resident gave it: the text typed in, or the keys picked from a list.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum GivenAnswer {
    Typed { text: String },
    Picked { keys: Vec<String> },
}

/// The answer to one question.
#[derive(Debug, Clone, uniffi::Record)]
pub struct AnswerGiven {
    pub question: String,
    pub answer: GivenAnswer,
}

/// The answers as the core takes them, to type by the service's questions.
pub fn given_answers(answers: Vec<AnswerGiven>) -> Vec<(String, protocol::rules::GivenAnswer)> {
    answers
        .into_iter()
        .map(|a| {
            let answer = match a.answer {
                GivenAnswer::Typed { text } => protocol::rules::GivenAnswer::Typed(text),
                GivenAnswer::Picked { keys } => protocol::rules::GivenAnswer::Picked(keys),
            };
            (a.question, answer)
        })
        .collect()
}

/// What the resident fills in to report a problem.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ReportInput {
    pub service_code: String,
    pub description: String,
    pub location: Location,
    pub answers: Vec<AnswerGiven>,
    /// Photos as taken or picked: resized and stripped of their metadata by the core.
    pub photos: Vec<Vec<u8>>,
    pub contact: Option<ContactDetails>,
}

/// One of the booking form's choices of what to do when the time chosen is taken.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FallbackChoice {
    pub fallback: Fallback,
    pub name: String,
}

/// What the resident fills in to book.
#[derive(Debug, Clone, uniffi::Record)]
pub struct BookingInput {
    pub service_code: String,
    pub slot_id: String,
    pub answers: Vec<AnswerGiven>,
    pub location: Option<Location>,
    pub fallback: Fallback,
}

/// What the resident fills in to pay a bill.
#[derive(Debug, Clone, uniffi::Record)]
pub struct PaymentInput {
    pub purpose: String,
    pub reference: String,
    /// The amount as typed ("£12.50", "12"): the core reads it.
    pub amount: String,
    /// Where the payment page sends the resident back (the app's own address).
    pub return_url: String,
    /// Where the payment service sends the receipt, if the resident gave an address.
    #[uniffi(default = None)]
    pub email: Option<String>,
}

/// Where an outbox operation stands.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum OutboxState {
    /// Will be sent; `next_attempt_at` (unix seconds) is when, at the earliest.
    Waiting {
        attempts: u32,
        next_attempt_at: i64,
        last_error: Option<String>,
    },
    /// Refused for good: the resident must fix it or discard it.
    NeedsAttention { problem: Problem },
}

/// One operation in the outbox.
#[derive(Debug, Clone, uniffi::Record)]
pub struct OutboxEntry {
    pub key: String,
    /// The report, booking or payment (its local id) it acts on.
    pub item: String,
    /// What it is, in the resident's words: "Report", "Photo", "Payment", ...
    pub what: String,
    /// The thing it acts on, so that one can be told from another: "Report a pothole: Deep
    /// hole by the bus stop".
    pub about: String,
    pub state: OutboxState,
    pub created_at: i64,
}

impl From<core::OutboxEntry> for OutboxEntry {
    fn from(e: core::OutboxEntry) -> Self {
        OutboxEntry {
            key: e.key,
            item: e.item,
            what: e.what.to_owned(),
            about: e.about,
            state: match e.state {
                core::OutboxState::Waiting {
                    attempts,
                    next_attempt_at,
                    last_error,
                } => OutboxState::Waiting {
                    attempts,
                    next_attempt_at,
                    last_error,
                },
                core::OutboxState::NeedsAttention { problem } => {
                    OutboxState::NeedsAttention { problem }
                }
            },
            created_at: e.created_at,
        }
    }
}

/// A saved form.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Draft {
    pub id: String,
    /// What it is a draft of: `report`, `booking`, `payment`, ...
    pub kind: String,
    /// The shell's form, as JSON text.
    pub body: String,
    pub updated_at: i64,
}

impl From<core::drafts::Draft> for Draft {
    fn from(d: core::drafts::Draft) -> Self {
        Draft {
            id: d.id,
            kind: d.kind,
            body: d.body.to_string(),
            updated_at: d.updated_at,
        }
    }
}

/// The properties at a postcode.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Addresses {
    pub postcode: String,
    pub addresses: Vec<Address>,
    /// From an earlier visit: the phone is offline.
    pub stale: bool,
}

impl From<core::bins::Fresh<protocol::AddressList>> for Addresses {
    fn from(f: core::bins::Fresh<protocol::AddressList>) -> Self {
        Addresses {
            postcode: f.value.postcode,
            addresses: f.value.addresses,
            stale: f.stale,
        }
    }
}

/// A property's bin days.
#[derive(Debug, Clone, uniffi::Record)]
pub struct BinCalendar {
    pub uprn: String,
    pub address: String,
    pub advice: String,
    pub collections: Vec<Collection>,
    /// From an earlier visit: the phone is offline.
    pub stale: bool,
}

impl From<core::bins::Fresh<protocol::CollectionCalendar>> for BinCalendar {
    fn from(f: core::bins::Fresh<protocol::CollectionCalendar>) -> Self {
        BinCalendar {
            uprn: f.value.uprn,
            address: f.value.address,
            advice: f.value.advice,
            collections: f.value.collections,
            stale: f.stale,
        }
    }
}

impl From<BinCalendar> for protocol::CollectionCalendar {
    fn from(c: BinCalendar) -> Self {
        protocol::CollectionCalendar {
            uprn: c.uprn,
            address: c.address,
            advice: c.advice,
            collections: c.collections,
        }
    }
}

/// A reminder of a collection, for the phone to schedule as a local notification at its
/// moment in the phone's own time zone.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BinReminder {
    /// The same for the same address and day: scheduling it again replaces it.
    pub id: String,
    /// The day the bins are collected, `YYYY-MM-DD`.
    pub collection: String,
    /// When to remind, in local time.
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub title: String,
    pub body: String,
}

impl From<core::bins::Reminder> for BinReminder {
    fn from(r: core::bins::Reminder) -> Self {
        use chrono::{Datelike, Timelike};
        BinReminder {
            id: r.id,
            collection: r.collection.to_string(),
            year: r.at.year(),
            month: r.at.month(),
            day: r.at.day(),
            hour: r.at.hour(),
            minute: r.at.minute(),
            title: r.title,
            body: r.body,
        }
    }
}
