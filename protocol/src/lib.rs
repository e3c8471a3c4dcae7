//! Doorstep's protocol: the wire types that the resident core and the council server both speak,
//! and the pure rules that both sides must apply alike.
//!
//! Invariant: a type here has one JSON spelling, the one written in DESIGN.md §3, and the
//! checked-in `openapi.json` describes exactly these types (a server test fails when it is
//! stale). A rule here is a function from values to values, with no I/O, so that the device can
//! refuse bad input before anything is queued with the very same judgement the server applies.

pub mod batch;
pub mod bins;
pub mod bookings;
pub mod catalogue;
pub mod changes;
pub mod council;
pub mod devices;
pub mod error;
pub mod payments;
pub mod reports;
pub mod rules;
pub mod staff;

pub use batch::*;
pub use bins::*;
pub use bookings::*;
pub use catalogue::*;
pub use changes::*;
pub use council::*;
pub use devices::*;
pub use error::*;
pub use payments::*;
pub use reports::*;
pub use staff::*;

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();
#[cfg(feature = "uniffi")]
pub mod phone;

/// The header that carries an operation's idempotency key.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// The answer to `GET /v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok` when the server answers at all.
    pub status: String,
    /// The server's version.
    pub version: String,
}
