//! Open311 GeoReport v2 as a council back end: what a council that speaks only Open311 offers a
//! resident (reports: the catalogue, questions, sending, status and updates), read tolerantly.
//!
//! Invariant: `read` turns whatever a server sends into values or a clear `Unreadable`, and
//! `convert` turns those values into Doorstep's own types with pure functions; the network and
//! the store are touched only by the outbox's Open311 sender (`outbox::open311`) and the catalogue.

pub mod convert;
pub mod read;
