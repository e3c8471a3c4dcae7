//! The desktop page's TypeScript declarations of the core's types (`ui/src/lib/core.ts`), made
//! from the Rust types themselves.
//!
//! Invariant: the committed file is exactly what the types declare; the test fails when a type
//! changed and the file did not, and `DOORSTEP_WRITE_PAGE_TYPES=1 cargo test -p doorstep-core
//! page_types` writes it anew.

use std::path::Path;

use doorstep_protocol::{
    Address, AddressList, Answer, Author, Bin, Booking, BookingRules, BookingStatus, Boundary,
    Branding, CodeSent, Collection, CollectionCalendar, Contact, ContactDetails, Council, Cutoff,
    Datatype, Fallback, Fee, FeeBand, GeoPoint, Location, NewBooking, NewPayment, NewReport,
    Payment, PaymentPurpose, PaymentState, PaymentStatus, Policies, Question, Receipt, Report,
    ReportStatus, ServiceDefinition, ServiceKind, ServiceSummary, Site, Slot, SlotList,
    TimelineEntry, ValueOption, Weekday, rules::GivenAnswer,
};
use ts_rs::{Config, TS};

use crate::{
    SyncState,
    bins::Fresh,
    bookings::SlotView,
    catalogue::{Group, HomeTask, TopTask},
    events::Event,
    form, items,
    outbox::{Entry, Operation, Problem, State, sync::SyncReport},
    shown,
};

const HEADER: &str = "// The core's types as the desktop page gets them, made from the Rust types by the core's test\n\
// page_types (core/src/page_types.rs). Do not edit: change the Rust type, then run\n\
// DOORSTEP_WRITE_PAGE_TYPES=1 cargo test -p doorstep-core page_types\n";

/// One declaration, with its doc comment, as the page imports it.
fn declared<T: TS>(cfg: &Config) -> String {
    format!(
        "\n{}export {}\n",
        T::docs().unwrap_or_default(),
        T::decl(cfg)
    )
}

/// The whole file, in a fixed order.
fn page_types() -> String {
    let cfg = Config::new().with_large_int("number");
    [
        HEADER.to_owned(),
        declared::<GivenAnswer>(&cfg),
        declared::<form::FieldKind>(&cfg),
        declared::<form::Choice>(&cfg),
        declared::<form::Field>(&cfg),
        declared::<form::CheckedAnswer>(&cfg),
        declared::<Location>(&cfg),
        declared::<ContactDetails>(&cfg),
        declared::<form::ReportToCheck>(&cfg),
        declared::<Fallback>(&cfg),
        declared::<form::BookingToCheck>(&cfg),
        declared::<shown::Step>(&cfg),
        declared::<shown::Shown>(&cfg),
        declared::<Answer>(&cfg),
        declared::<NewReport>(&cfg),
        declared::<ReportStatus>(&cfg),
        declared::<Author>(&cfg),
        declared::<TimelineEntry>(&cfg),
        declared::<Report>(&cfg),
        declared::<Slot>(&cfg),
        declared::<SlotList>(&cfg),
        declared::<NewBooking>(&cfg),
        declared::<BookingStatus>(&cfg),
        declared::<Booking>(&cfg),
        declared::<PaymentStatus>(&cfg),
        declared::<PaymentState>(&cfg),
        declared::<NewPayment>(&cfg),
        declared::<Receipt>(&cfg),
        declared::<Payment>(&cfg),
        declared::<Problem>(&cfg),
        declared::<items::Delivery>(&cfg),
        declared::<items::MyReport>(&cfg),
        declared::<items::MyBooking>(&cfg),
        declared::<items::MyPayment>(&cfg),
        declared::<SlotView>(&cfg),
        declared::<SyncReport>(&cfg),
        declared::<HomeTask>(&cfg),
        declared::<TopTask>(&cfg),
        declared::<GeoPoint>(&cfg),
        declared::<Contact>(&cfg),
        declared::<Branding>(&cfg),
        declared::<Policies>(&cfg),
        declared::<Boundary>(&cfg),
        declared::<PaymentPurpose>(&cfg),
        declared::<Council>(&cfg),
        declared::<ServiceKind>(&cfg),
        declared::<ServiceSummary>(&cfg),
        declared::<Group>(&cfg),
        declared::<Datatype>(&cfg),
        declared::<ValueOption>(&cfg),
        declared::<Question>(&cfg),
        declared::<FeeBand>(&cfg),
        declared::<Fee>(&cfg),
        declared::<Weekday>(&cfg),
        declared::<Cutoff>(&cfg),
        declared::<Site>(&cfg),
        declared::<BookingRules>(&cfg),
        declared::<ServiceDefinition>(&cfg),
        declared::<Address>(&cfg),
        declared::<AddressList>(&cfg),
        declared::<Bin>(&cfg),
        declared::<Collection>(&cfg),
        declared::<CollectionCalendar>(&cfg),
        declared::<Fresh<()>>(&cfg),
        declared::<Operation>(&cfg),
        declared::<State>(&cfg),
        declared::<Entry>(&cfg),
        declared::<SyncState>(&cfg),
        declared::<Event>(&cfg),
        declared::<CodeSent>(&cfg),
    ]
    .concat()
}

#[test]
fn the_pages_declarations_are_the_cores_types() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/core.ts");
    let made = page_types();
    if std::env::var_os("DOORSTEP_WRITE_PAGE_TYPES").is_some() {
        std::fs::write(&file, &made).unwrap();
    }
    let committed = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        committed == made,
        "{} is not what the core's types declare: run DOORSTEP_WRITE_PAGE_TYPES=1 cargo test -p \
         doorstep-core page_types, and commit the file. It should be:\n{made}",
        file.display()
    );
}
