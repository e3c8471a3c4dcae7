//! Reports of problems, their answers, location and timeline.
//!
//! Invariant: a report's status is always one of the mySociety Open311 statuses, and its
//! timeline holds every status change and every note in the order they happened.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a problem is: a point on the map, or a property from the council's gazetteer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct Location {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    /// Unique Property Reference Number of an address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uprn: Option<String>,
    /// The address, as the server resolved it (answers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// An answer to a question: text, a number, or the keys picked in a multi-value list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(untagged)]
pub enum Answer {
    Text(String),
    Number(f64),
    /// The keys picked in a multi-value list.
    Keys(Vec<String>),
}

/// Answers by question code.
pub type Answers = BTreeMap<String, Answer>;

/// How the resident can be reached about a report (optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ContactDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// `POST /v1/reports`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NewReport {
    pub service_code: String,
    #[serde(default)]
    pub description: String,
    pub location: Location,
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, Answer>)]
    pub answers: Answers,
    /// SHA-256 (hex) of photos already uploaded with `PUT /v1/attachments/{sha256}`.
    #[serde(default)]
    pub attachments: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactDetails>,
    /// A photo already online (an Open311 `media_url`), as an http(s) address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_url: Option<String>,
}

/// The statuses of mySociety's Open311 extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
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

impl ReportStatus {
    pub const ALL: [ReportStatus; 9] = [
        ReportStatus::Open,
        ReportStatus::Investigating,
        ReportStatus::InProgress,
        ReportStatus::ActionScheduled,
        ReportStatus::Fixed,
        ReportStatus::Closed,
        ReportStatus::Duplicate,
        ReportStatus::NotCouncilsResponsibility,
        ReportStatus::NoFurtherAction,
    ];

    /// The snake_case spelling used on the wire and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Open => "open",
            ReportStatus::Investigating => "investigating",
            ReportStatus::InProgress => "in_progress",
            ReportStatus::ActionScheduled => "action_scheduled",
            ReportStatus::Fixed => "fixed",
            ReportStatus::Closed => "closed",
            ReportStatus::Duplicate => "duplicate",
            ReportStatus::NotCouncilsResponsibility => "not_councils_responsibility",
            ReportStatus::NoFurtherAction => "no_further_action",
        }
    }

    /// The status as a resident reads it, on every screen and in every email.
    pub fn words(self) -> &'static str {
        match self {
            ReportStatus::Open => "Open",
            ReportStatus::Investigating => "Investigating",
            ReportStatus::InProgress => "In progress",
            ReportStatus::ActionScheduled => "Action scheduled",
            ReportStatus::Fixed => "Fixed",
            ReportStatus::Closed => "Closed",
            ReportStatus::Duplicate => "Already reported",
            ReportStatus::NotCouncilsResponsibility => "Not the council’s responsibility",
            ReportStatus::NoFurtherAction => "No further action",
        }
    }

    /// Open311's two-valued status: is the council done with it?
    pub fn is_closed(self) -> bool {
        !matches!(
            self,
            ReportStatus::Open
                | ReportStatus::Investigating
                | ReportStatus::InProgress
                | ReportStatus::ActionScheduled
        )
    }
}

/// Who wrote a timeline entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum Author {
    Resident,
    Council,
}

/// One entry of a report's timeline: a status change, a note, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub from: Author,
    /// The status the report moved to, if it moved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ReportStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A report as the council holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Report {
    pub id: String,
    /// The reference residents quote: `DUR-2026-000123`.
    pub reference: String,
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    pub location: Location,
    #[schema(value_type = BTreeMap<String, Answer>)]
    pub answers: Answers,
    pub attachments: Vec<String>,
    /// How the council may reach the resident about it, if they said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactDetails>,
    /// A photo already online, given by the resident's app as an address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_url: Option<String>,
    pub status: ReportStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the council aims to have acted, from the service's target days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_by: Option<NaiveDate>,
    pub timeline: Vec<TimelineEntry>,
}

/// `POST /v1/reports/{id}/updates`: a resident's note, and "still not fixed".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewReportUpdate {
    pub text: String,
    /// Reopen a report the council closed or marked fixed.
    #[serde(default)]
    pub reopen: bool,
}

/// `PUT /v1/attachments/{sha256}`: a photo the server now holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Attachment {
    pub sha256: String,
    pub content_type: String,
    pub size: u64,
}

/// `GET /v1/reports`: the caller's reports, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReportList {
    pub reports: Vec<Report>,
}
