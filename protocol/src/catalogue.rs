//! The council's catalogue: its services, their questions (Open311 datatypes), fees and booking
//! rules.
//!
//! Invariant: a `ServiceDefinition` is the whole truth about a service; the summary listed in the
//! catalogue is derived from it, never written separately.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a resident does with a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// Tell the council about a problem.
    Report,
    /// Book a collection, an appointment or a session.
    Booking,
    /// Pay the council.
    Payment,
    /// Information and a link; nothing to submit.
    Info,
}

/// A heading the catalogue is grouped under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ServiceGroup {
    pub code: String,
    pub name: String,
}

/// One line of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ServiceSummary {
    pub code: String,
    pub name: String,
    pub group: String,
    pub kind: ServiceKind,
    pub description: String,
    #[serde(default)]
    pub keywords: Vec<String>,
}

/// `GET /v1/services`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ServiceList {
    pub groups: Vec<ServiceGroup>,
    pub services: Vec<ServiceSummary>,
}

/// Open311's datatypes for a question's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Datatype {
    String,
    Number,
    Datetime,
    Text,
    Singlevaluelist,
    Multivaluelist,
}

/// One allowed value of a list question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ValueOption {
    pub key: String,
    pub name: String,
}

/// A question the resident answers (an Open311 attribute).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct Question {
    pub code: String,
    pub datatype: Datatype,
    pub required: bool,
    /// The question, as asked.
    pub description: String,
    /// Help shown under the question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datatype_description: Option<String>,
    #[serde(default)]
    pub order: u32,
    /// For list questions: the allowed values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<ValueOption>>", optional))]
    pub values: Vec<ValueOption>,
}

/// What a service costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fee {
    /// One price.
    Fixed { pence: u32 },
    /// A price for each item counted by a question (a number, or the values picked in a list).
    PerItem {
        question: String,
        pence_each: u32,
        #[serde(default)]
        minimum_pence: u32,
    },
    /// A price for each band of items counted by a question; more items than the last band allows
    /// are refused.
    Bands {
        question: String,
        bands: Vec<FeeBand>,
    },
}

/// Up to `up_to` items cost `pence`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FeeBand {
    pub up_to: u32,
    pub pence: u32,
}

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl From<Weekday> for chrono::Weekday {
    fn from(day: Weekday) -> Self {
        match day {
            Weekday::Mon => chrono::Weekday::Mon,
            Weekday::Tue => chrono::Weekday::Tue,
            Weekday::Wed => chrono::Weekday::Wed,
            Weekday::Thu => chrono::Weekday::Thu,
            Weekday::Fri => chrono::Weekday::Fri,
            Weekday::Sat => chrono::Weekday::Sat,
            Weekday::Sun => chrono::Weekday::Sun,
        }
    }
}

/// Until when something may still be done, relative to a slot's start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cutoff {
    /// Until `hours` before the start (0: until the start).
    HoursBefore { hours: u32 },
    /// Until `time` (HH:MM, local) on the working day (Monday to Friday) before the start.
    WorkingDayBefore { time: String },
}

/// A place where a bookable service happens (a library, a register office, a collection round).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct Site {
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// How a bookable service's slots are made and kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct BookingRules {
    pub sites: Vec<Site>,
    /// The days slots are offered on.
    pub weekdays: Vec<Weekday>,
    /// Local opening time, HH:MM.
    pub opens: String,
    /// Local closing time, HH:MM.
    pub closes: String,
    /// Length of a slot; absent for one slot a day (a collection day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot_minutes: Option<u32>,
    /// Places in each slot at each site.
    pub capacity: u32,
    /// How many days ahead slots are offered.
    pub days_ahead: u32,
    /// The last moment a slot can be booked.
    pub book_cutoff: Cutoff,
    /// The last moment a booking can be cancelled.
    pub cancel_cutoff: Cutoff,
    /// The booking needs the resident's address (a collection).
    #[serde(default)]
    pub needs_location: bool,
}

/// Everything about one service: `GET /v1/services/{code}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ServiceDefinition {
    pub code: String,
    pub name: String,
    pub group: String,
    pub kind: ServiceKind,
    pub description: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    /// What happens after the resident submits, in plain English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what_happens_next: Option<String>,
    /// Working days the council aims to act within (reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_days: Option<u32>,
    #[serde(default)]
    pub questions: Vec<Question>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee: Option<Fee>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking: Option<BookingRules>,
    /// For payment services: the payment purpose they start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_purpose: Option<String>,
    /// The council's own page about the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more_info_url: Option<String>,
}

impl ServiceDefinition {
    /// The catalogue line for this service.
    pub fn summary(&self) -> ServiceSummary {
        ServiceSummary {
            code: self.code.clone(),
            name: self.name.clone(),
            group: self.group.clone(),
            kind: self.kind,
            description: self.description.clone(),
            keywords: self.keywords.clone(),
        }
    }
}
