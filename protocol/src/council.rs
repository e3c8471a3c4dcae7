//! The council profile: who the council is, how to reach it, its colours, its boundary and
//! what can be paid to it.
//!
//! Invariant: nothing in Doorstep is specific to one council; everything that differs between
//! councils is in this profile.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A point on the map, WGS84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

/// `GET /v1/council`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Council {
    /// Short machine name, e.g. `durham`.
    pub id: String,
    pub name: String,
    /// The area, as residents say it: "County Durham".
    pub area_name: String,
    /// Prefix of human references, e.g. `DUR` in `DUR-2026-000123`.
    pub reference_prefix: String,
    /// IANA time zone of the council's clocks.
    pub timezone: String,
    pub contact: Contact,
    pub branding: Branding,
    pub policies: Policies,
    pub boundary: Boundary,
    pub payment_purposes: Vec<PaymentPurpose>,
}

/// How residents reach the council other than through Doorstep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct Contact {
    pub phone: String,
    pub email: String,
    pub website: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// The council's own header: its name and colours (no crown: councils are not central government).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Branding {
    /// Header background, `#rrggbb`.
    pub primary_colour: String,
    /// Header text, `#rrggbb`; must contrast with the background (WCAG AA).
    pub text_colour: String,
    /// Text shown as the council's logo.
    pub logo_text: String,
}

/// Links to the council's policies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Policies {
    pub privacy_url: String,
    pub accessibility_url: String,
}

/// The area the council serves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Boundary {
    /// True when the polygon is a simplification of the legal boundary.
    pub approximate: bool,
    pub note: String,
    /// A closed ring (the last point joins the first).
    pub polygon: Vec<GeoPoint>,
}

/// Something a resident can pay for, and how its reference looks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PaymentPurpose {
    /// `council_tax`, `parking_penalty`, `garden_waste_permit`, `booking_fee`, ...
    pub code: String,
    pub name: String,
    /// What the reference is called on the resident's letter.
    pub reference_label: String,
    /// Where to find it and how it looks, in plain English.
    pub reference_hint: String,
    /// A regular expression the whole reference must match (after trimming, upper case).
    pub reference_pattern: String,
    pub min_pence: u64,
    pub max_pence: u64,
}
