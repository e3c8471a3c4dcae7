//! The values that cross to Kotlin and Swift: a record or an enum for everything the core takes
//! or returns, each made from (or into) the core's own type.
//!
//! Invariant: only conversions live here — field for field, with no check, default or rule of
//! the council's; whatever decides something is the core's. Times cross as timestamps, dates
//! as `YYYY-MM-DD` text, free-form forms (drafts) as JSON text.

use std::time::SystemTime;

use doorstep_core as core;
use doorstep_protocol as protocol;

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

/// A kind of service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ServiceKind {
    Report,
    Booking,
    Payment,
    Info,
}

impl From<protocol::ServiceKind> for ServiceKind {
    fn from(kind: protocol::ServiceKind) -> Self {
        match kind {
            protocol::ServiceKind::Report => ServiceKind::Report,
            protocol::ServiceKind::Booking => ServiceKind::Booking,
            protocol::ServiceKind::Payment => ServiceKind::Payment,
            protocol::ServiceKind::Info => ServiceKind::Info,
        }
    }
}

impl From<ServiceKind> for protocol::ServiceKind {
    fn from(kind: ServiceKind) -> Self {
        match kind {
            ServiceKind::Report => protocol::ServiceKind::Report,
            ServiceKind::Booking => protocol::ServiceKind::Booking,
            ServiceKind::Payment => protocol::ServiceKind::Payment,
            ServiceKind::Info => protocol::ServiceKind::Info,
        }
    }
}

/// A service in the council's catalogue.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ServiceSummary {
    pub code: String,
    pub name: String,
    pub group: String,
    pub kind: ServiceKind,
    pub description: String,
}

impl From<protocol::ServiceSummary> for ServiceSummary {
    fn from(s: protocol::ServiceSummary) -> Self {
        ServiceSummary {
            code: s.code,
            name: s.name,
            group: s.group,
            kind: s.kind.into(),
            description: s.description,
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
            services: g.services.into_iter().map(Into::into).collect(),
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
            kind: s.kind.into(),
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

/// What the council takes payments for.
#[derive(Debug, Clone, uniffi::Record)]
pub struct PaymentPurpose {
    pub code: String,
    pub name: String,
    pub reference_label: String,
    pub reference_hint: String,
    pub min_pence: u64,
    pub max_pence: u64,
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
            payment_purposes: c
                .payment_purposes
                .into_iter()
                .map(|p| PaymentPurpose {
                    code: p.code,
                    name: p.name,
                    reference_label: p.reference_label,
                    reference_hint: p.reference_hint,
                    min_pence: p.min_pence,
                    max_pence: p.max_pence,
                })
                .collect(),
        }
    }
}

/// Where: a point, an address or a property's UPRN.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Location {
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub uprn: Option<String>,
    pub address: Option<String>,
}

impl From<protocol::Location> for Location {
    fn from(l: protocol::Location) -> Self {
        Location {
            lat: l.lat,
            lon: l.lon,
            uprn: l.uprn,
            address: l.address,
        }
    }
}

impl From<Location> for protocol::Location {
    fn from(l: Location) -> Self {
        protocol::Location {
            lat: l.lat,
            lon: l.lon,
            uprn: l.uprn,
            address: l.address,
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

/// How to reach the resident about a report, if they want to be.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Contact {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl From<Contact> for protocol::ContactDetails {
    fn from(c: Contact) -> Self {
        protocol::ContactDetails {
            name: c.name,
            email: c.email,
            phone: c.phone,
        }
    }
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
    pub contact: Option<Contact>,
}

/// A report's status at the council.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ReportStatus {
    Open,
    Investigating,
    InProgress,
    ActionScheduled,
    Fixed,
    Closed,
    Duplicate,
    NotCouncilsResponsibility,
    NoFurtherAction,
}

impl From<protocol::ReportStatus> for ReportStatus {
    fn from(status: protocol::ReportStatus) -> Self {
        use protocol::ReportStatus as S;
        match status {
            S::Open => ReportStatus::Open,
            S::Investigating => ReportStatus::Investigating,
            S::InProgress => ReportStatus::InProgress,
            S::ActionScheduled => ReportStatus::ActionScheduled,
            S::Fixed => ReportStatus::Fixed,
            S::Closed => ReportStatus::Closed,
            S::Duplicate => ReportStatus::Duplicate,
            S::NotCouncilsResponsibility => ReportStatus::NotCouncilsResponsibility,
            S::NoFurtherAction => ReportStatus::NoFurtherAction,
        }
    }
}

/// One step in a report's history.
#[derive(Debug, Clone, uniffi::Record)]
pub struct TimelineEntry {
    pub at: SystemTime,
    pub from_council: bool,
    pub status: Option<ReportStatus>,
    pub note: Option<String>,
}

impl From<protocol::TimelineEntry> for TimelineEntry {
    fn from(t: protocol::TimelineEntry) -> Self {
        TimelineEntry {
            at: t.at.into(),
            from_council: t.from == protocol::Author::Council,
            status: t.status.map(Into::into),
            note: t.note,
        }
    }
}

/// A report as the council holds it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Report {
    pub id: String,
    pub reference: String,
    pub service_name: String,
    pub status: ReportStatus,
    /// `YYYY-MM-DD`, when the council expects to have dealt with it.
    pub expected_by: Option<String>,
    pub timeline: Vec<TimelineEntry>,
}

/// A report: what the resident sent, and the council's copy once it has it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct MyReport {
    pub local_id: String,
    pub delivery: Delivery,
    /// What the screens show of it, in the core's words.
    pub shown: core::shown::Shown,
    pub service_code: String,
    pub description: String,
    pub location: Option<Location>,
    pub report: Option<Report>,
}

impl From<core::MyReport> for MyReport {
    fn from(r: core::MyReport) -> Self {
        let (service_code, description, location) = match (&r.request, &r.report) {
            (_, Some(sent)) => (
                sent.service_code.clone(),
                sent.description.clone(),
                Some(sent.location.clone().into()),
            ),
            (Some(asked), None) => (
                asked.service_code.clone(),
                asked.description.clone(),
                Some(asked.location.clone().into()),
            ),
            (None, None) => (String::new(), String::new(), None),
        };
        MyReport {
            local_id: r.local_id,
            delivery: r.delivery.into(),
            shown: r.shown,
            service_code,
            description,
            location,
            report: r.report.map(|s| Report {
                id: s.id,
                reference: s.reference,
                service_name: s.service_name,
                status: s.status.into(),
                expected_by: s.expected_by.map(|d| d.to_string()),
                timeline: s.timeline.into_iter().map(Into::into).collect(),
            }),
        }
    }
}

/// A bookable slot.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Slot {
    pub id: String,
    pub site: String,
    pub site_name: String,
    pub start: SystemTime,
    pub end: SystemTime,
    pub remaining: u32,
}

impl From<protocol::Slot> for Slot {
    fn from(s: protocol::Slot) -> Self {
        Slot {
            id: s.id,
            site: s.site,
            site_name: s.site_name,
            start: s.start.into(),
            end: s.end.into(),
            remaining: s.remaining,
        }
    }
}

/// Slots as the phone knows them.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SlotView {
    pub service_code: String,
    pub slots: Vec<Slot>,
    /// Last-known slots from an earlier visit: the phone is offline.
    pub stale: bool,
    /// When they were fetched (unix seconds).
    pub fetched_at: i64,
}

impl From<core::bookings::SlotView> for SlotView {
    fn from(v: core::bookings::SlotView) -> Self {
        SlotView {
            service_code: v.list.service_code,
            slots: v.list.slots.into_iter().map(Into::into).collect(),
            stale: v.stale,
            fetched_at: v.fetched_at,
        }
    }
}

/// What to do if the slot has gone by the time the booking reaches the council.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Fallback {
    None,
    SameDay,
    NextAvailable,
}

impl From<Fallback> for protocol::Fallback {
    fn from(f: Fallback) -> Self {
        match f {
            Fallback::None => protocol::Fallback::None,
            Fallback::SameDay => protocol::Fallback::SameDay,
            Fallback::NextAvailable => protocol::Fallback::NextAvailable,
        }
    }
}

impl From<protocol::Fallback> for Fallback {
    fn from(f: protocol::Fallback) -> Self {
        match f {
            protocol::Fallback::None => Fallback::None,
            protocol::Fallback::SameDay => Fallback::SameDay,
            protocol::Fallback::NextAvailable => Fallback::NextAvailable,
        }
    }
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

/// Where a booking stands at the council.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum BookingStatus {
    Confirmed,
    AwaitingPayment,
    Cancelled,
}

impl From<protocol::BookingStatus> for BookingStatus {
    fn from(s: protocol::BookingStatus) -> Self {
        match s {
            protocol::BookingStatus::Confirmed => BookingStatus::Confirmed,
            protocol::BookingStatus::AwaitingPayment => BookingStatus::AwaitingPayment,
            protocol::BookingStatus::Cancelled => BookingStatus::Cancelled,
        }
    }
}

/// A booking as the council made it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Booking {
    pub id: String,
    pub reference: String,
    pub service_name: String,
    pub slot_id: String,
    pub site_name: String,
    pub start: SystemTime,
    pub end: SystemTime,
    pub status: BookingStatus,
    pub fee_pence: Option<u32>,
    /// The last moment it can be cancelled.
    pub cancel_until: SystemTime,
}

impl From<protocol::Booking> for Booking {
    fn from(b: protocol::Booking) -> Self {
        Booking {
            id: b.id,
            reference: b.reference,
            service_name: b.service_name,
            slot_id: b.slot_id,
            site_name: b.site_name,
            start: b.start.into(),
            end: b.end.into(),
            status: b.status.into(),
            fee_pence: b.fee_pence,
            cancel_until: b.cancel_until.into(),
        }
    }
}

/// A booking: what the resident asked for, and the council's copy once it has it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct MyBooking {
    pub local_id: String,
    pub delivery: Delivery,
    /// What the screens show of it, in the core's words.
    pub shown: core::shown::Shown,
    pub service_code: String,
    pub slot_id: String,
    pub booking: Option<Booking>,
}

impl From<core::MyBooking> for MyBooking {
    fn from(b: core::MyBooking) -> Self {
        let (service_code, slot_id) = match (&b.request, &b.booking) {
            (_, Some(made)) => (made.service_code.clone(), made.slot_id.clone()),
            (Some(asked), None) => (asked.service_code.clone(), asked.slot_id.clone()),
            (None, None) => (String::new(), String::new()),
        };
        MyBooking {
            local_id: b.local_id,
            delivery: b.delivery.into(),
            shown: b.shown,
            service_code,
            slot_id,
            booking: b.booking.map(Into::into),
        }
    }
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

/// A payment's state, in GOV.UK Pay's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PaymentStatus {
    Created,
    Started,
    Submitted,
    Capturable,
    Success,
    Failed,
    Cancelled,
    Error,
}

impl From<protocol::PaymentStatus> for PaymentStatus {
    fn from(s: protocol::PaymentStatus) -> Self {
        use protocol::PaymentStatus as S;
        match s {
            S::Created => PaymentStatus::Created,
            S::Started => PaymentStatus::Started,
            S::Submitted => PaymentStatus::Submitted,
            S::Capturable => PaymentStatus::Capturable,
            S::Success => PaymentStatus::Success,
            S::Failed => PaymentStatus::Failed,
            S::Cancelled => PaymentStatus::Cancelled,
            S::Error => PaymentStatus::Error,
        }
    }
}

/// Proof of a successful payment.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Receipt {
    pub receipt_number: String,
    pub paid_at: SystemTime,
    pub amount_pence: u64,
    pub card_brand: String,
    pub last_digits: String,
}

/// A payment as the council holds it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Payment {
    pub id: String,
    pub description: String,
    pub status: PaymentStatus,
    pub finished: bool,
    pub message: Option<String>,
    /// The provider's page to open while the payment is unfinished.
    pub next_url: Option<String>,
    pub receipt: Option<Receipt>,
    pub refunded_pence: u64,
}

impl From<protocol::Payment> for Payment {
    fn from(p: protocol::Payment) -> Self {
        Payment {
            id: p.id,
            description: p.description,
            status: p.state.status.into(),
            finished: p.state.finished,
            message: p.state.message,
            next_url: p.next_url,
            receipt: p.receipt.map(|r| Receipt {
                receipt_number: r.receipt_number,
                paid_at: r.paid_at.into(),
                amount_pence: r.amount_pence,
                card_brand: r.card_brand,
                last_digits: r.last_digits,
            }),
            refunded_pence: p.refunded_pence,
        }
    }
}

/// A payment: what the resident asked to pay, and the council's copy once it has it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct MyPayment {
    pub local_id: String,
    pub delivery: Delivery,
    /// What the screens show of it, in the core's words.
    pub shown: core::shown::Shown,
    pub purpose: String,
    pub reference: String,
    pub amount_pence: u64,
    pub payment: Option<Payment>,
}

impl From<core::MyPayment> for MyPayment {
    fn from(p: core::MyPayment) -> Self {
        let (purpose, reference, amount_pence) = match (&p.request, &p.payment) {
            (_, Some(made)) => (
                made.purpose.clone(),
                made.reference.clone(),
                made.amount_pence,
            ),
            (Some(asked), None) => (
                asked.purpose.clone(),
                asked.reference.clone(),
                asked.amount_pence,
            ),
            (None, None) => (String::new(), String::new(), 0),
        };
        MyPayment {
            local_id: p.local_id,
            delivery: p.delivery.into(),
            shown: p.shown,
            purpose,
            reference,
            amount_pence,
            payment: p.payment.map(Into::into),
        }
    }
}

/// Why the council refused an operation.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Problem {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub field: Option<String>,
    /// Other slots, when the one chosen has gone.
    pub alternatives: Vec<Slot>,
}

impl From<core::outbox::Problem> for Problem {
    fn from(p: core::outbox::Problem) -> Self {
        Problem {
            status: p.status,
            code: p.code,
            message: p.message,
            field: p.field,
            alternatives: p.alternatives.into_iter().map(Into::into).collect(),
        }
    }
}

/// Whether an item has reached the council.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum Delivery {
    /// Saved on this phone; it will be sent when the council can be reached.
    Waiting,
    /// The council refused something about it: fix it (the outbox key) or discard it.
    NeedsAttention { key: String, problem: Problem },
    /// The council has it.
    Sent,
}

impl From<core::Delivery> for Delivery {
    fn from(d: core::Delivery) -> Self {
        match d {
            core::Delivery::Waiting => Delivery::Waiting,
            core::Delivery::NeedsAttention { key, problem } => Delivery::NeedsAttention {
                key,
                problem: problem.into(),
            },
            core::Delivery::Sent => Delivery::Sent,
        }
    }
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
                core::OutboxState::NeedsAttention { problem } => OutboxState::NeedsAttention {
                    problem: problem.into(),
                },
            },
            created_at: e.created_at,
        }
    }
}

/// What one sync round moved.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SyncReport {
    pub sent: u64,
    pub refused: u64,
    pub pulled: u64,
    pub waiting: u64,
    pub needs_attention: u64,
}

impl From<core::SyncReport> for SyncReport {
    fn from(r: core::SyncReport) -> Self {
        SyncReport {
            sent: r.sent,
            refused: r.refused,
            pulled: r.pulled,
            waiting: r.waiting,
            needs_attention: r.needs_attention,
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

/// A property at a postcode.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Address {
    pub uprn: String,
    pub address: String,
    pub postcode: String,
    pub lat: f64,
    pub lon: f64,
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
            addresses: f
                .value
                .addresses
                .into_iter()
                .map(|a| Address {
                    uprn: a.uprn,
                    address: a.address,
                    postcode: a.postcode,
                    lat: a.lat,
                    lon: a.lon,
                })
                .collect(),
            stale: f.stale,
        }
    }
}

/// A bin.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Bin {
    pub code: String,
    pub name: String,
    pub colour: String,
}

/// One collection day.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Collection {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub bins: Vec<Bin>,
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
            collections: f
                .value
                .collections
                .into_iter()
                .map(|c| Collection {
                    date: c.date.to_string(),
                    bins: c
                        .bins
                        .into_iter()
                        .map(|b| Bin {
                            code: b.code,
                            name: b.name,
                            colour: b.colour,
                        })
                        .collect(),
                })
                .collect(),
            stale: f.stale,
        }
    }
}

impl TryFrom<BinCalendar> for protocol::CollectionCalendar {
    type Error = core::Error;

    fn try_from(c: BinCalendar) -> Result<Self, core::Error> {
        let mut collections = Vec::with_capacity(c.collections.len());
        for (n, collection) in c.collections.into_iter().enumerate() {
            let date =
                chrono::NaiveDate::parse_from_str(&collection.date, "%Y-%m-%d").map_err(|_| {
                    core::Error::invalid(
                        &format!("collections.{n}.date"),
                        "A collection's date is YYYY-MM-DD",
                    )
                })?;
            collections.push(protocol::Collection {
                date,
                bins: collection
                    .bins
                    .into_iter()
                    .map(|b| protocol::Bin {
                        code: b.code,
                        name: b.name,
                        colour: b.colour,
                    })
                    .collect(),
            });
        }
        Ok(protocol::CollectionCalendar {
            uprn: c.uprn,
            address: c.address,
            advice: c.advice,
            collections,
        })
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

/// Where a sign-in code went.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CodeSent {
    /// The address, partly hidden: `j***@example.com`.
    pub sent_to: String,
    pub expires_in_seconds: u64,
}

impl From<protocol::CodeSent> for CodeSent {
    fn from(c: protocol::CodeSent) -> Self {
        CodeSent {
            sent_to: c.sent_to,
            expires_in_seconds: c.expires_in_seconds,
        }
    }
}

/// How syncing stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SyncState {
    Idle,
    Syncing,
    Offline,
    /// The council wants the resident to sign in again; the queue is paused.
    AuthRequired,
}

impl From<core::SyncState> for SyncState {
    fn from(s: core::SyncState) -> Self {
        match s {
            core::SyncState::Idle => SyncState::Idle,
            core::SyncState::Syncing => SyncState::Syncing,
            core::SyncState::Offline => SyncState::Offline,
            core::SyncState::AuthRequired => SyncState::AuthRequired,
        }
    }
}

/// One thing that happened, as the core tells it.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum Event {
    /// How many operations wait, and how many need the resident's attention.
    Outbox { waiting: u64, needs_attention: u64 },
    /// A report, booking or payment changed (on the phone or at the council).
    ItemChanged { local_id: String, kind: String },
    /// Syncing started, stopped, or could not run.
    Sync {
        state: SyncState,
        last_success: Option<i64>,
        last_error: Option<String>,
    },
    /// A payment waits for the resident on the provider's page.
    PaymentNeedsAction { local_id: String, next_url: String },
    /// The council moved the status of something the resident sent: what a notification says.
    StatusChanged {
        local_id: String,
        kind: String,
        title: String,
        body: String,
    },
}

impl From<core::Event> for Event {
    fn from(e: core::Event) -> Self {
        match e {
            core::Event::Outbox {
                waiting,
                needs_attention,
            } => Event::Outbox {
                waiting,
                needs_attention,
            },
            core::Event::ItemChanged { local_id, kind } => Event::ItemChanged { local_id, kind },
            core::Event::Sync {
                state,
                last_success,
                last_error,
            } => Event::Sync {
                state: state.into(),
                last_success,
                last_error,
            },
            core::Event::PaymentNeedsAction { local_id, next_url } => {
                Event::PaymentNeedsAction { local_id, next_url }
            }
            core::Event::StatusChanged {
                local_id,
                kind,
                title,
                body,
            } => Event::StatusChanged {
                local_id,
                kind,
                title,
                body,
            },
        }
    }
}
