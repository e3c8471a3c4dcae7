//! Slots and bookings.
//!
//! Invariant: a slot's id names its service, site and start, so the same id always means the
//! same place and time; a booking never holds more than its slot's capacity allows.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::reports::{Answers, Location};

/// A time a service can be booked for, at one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Slot {
    /// `{site}/{YYYY-MM-DDTHH:MM}` in local time.
    pub id: String,
    pub site: String,
    pub site_name: String,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    /// Places still free.
    pub remaining: u32,
}

/// `GET /v1/services/{code}/slots`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SlotList {
    pub service_code: String,
    pub slots: Vec<Slot>,
}

/// What the server may do when the chosen slot is full.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Fallback {
    /// Refuse with the alternatives.
    #[default]
    None,
    /// Another slot on the same day at the same site.
    SameDay,
    /// The next slot with room at the same site.
    NextAvailable,
}

/// `POST /v1/bookings`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NewBooking {
    pub service_code: String,
    pub slot_id: String,
    #[serde(default)]
    #[schema(value_type = std::collections::BTreeMap<String, crate::reports::Answer>)]
    pub answers: Answers,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(default)]
    pub fallback: Fallback,
}

/// Where a booking stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Confirmed,
    /// Held until its fee is paid.
    AwaitingPayment,
    Cancelled,
}

impl BookingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Confirmed => "confirmed",
            BookingStatus::AwaitingPayment => "awaiting_payment",
            BookingStatus::Cancelled => "cancelled",
        }
    }
}

/// A booking as the council holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Booking {
    pub id: String,
    /// The reference residents quote, and the one a booking fee is paid against.
    pub reference: String,
    pub service_code: String,
    pub service_name: String,
    pub slot_id: String,
    pub site_name: String,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    /// The slot asked for, when the fallback chose another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_slot_id: Option<String>,
    #[schema(value_type = std::collections::BTreeMap<String, crate::reports::Answer>)]
    pub answers: Answers,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    pub status: BookingStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_pence: Option<u32>,
    /// The last moment it can be cancelled.
    pub cancel_until: DateTime<FixedOffset>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `GET /v1/bookings`: the caller's bookings, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BookingList {
    pub bookings: Vec<Booking>,
}
