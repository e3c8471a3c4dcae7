//! Addresses and bin collection calendars.
//!
//! Invariant: a calendar lists dates in ascending order, each date once, with every bin
//! collected that day.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A property in the council's gazetteer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Address {
    pub uprn: String,
    pub address: String,
    pub postcode: String,
    pub lat: f64,
    pub lon: f64,
}

/// `GET /v1/addresses?postcode=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AddressList {
    pub postcode: String,
    pub addresses: Vec<Address>,
}

/// A kind of bin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Bin {
    pub code: String,
    /// "Rubbish (black bin)".
    pub name: String,
    pub colour: String,
}

/// The bins collected on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Collection {
    pub date: NaiveDate,
    pub bins: Vec<Bin>,
}

/// `GET /v1/collections?uprn=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CollectionCalendar {
    pub uprn: String,
    pub address: String,
    /// When bins must be out, in plain English.
    pub advice: String,
    pub collections: Vec<Collection>,
}
