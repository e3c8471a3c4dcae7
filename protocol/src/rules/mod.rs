//! The rules both the device and the server apply: pure functions from values to values.
//!
//! Invariant: no function here reads a clock, a file, a database or the network; whatever it
//! needs (today's date, the service definition, the boundary) is passed in.

pub mod answers;
pub mod batches;
pub mod calendar;
pub mod devices;
pub mod errors;
pub mod fees;
pub mod geo;
pub mod ics;
pub mod references;

pub use answers::{
    GivenAnswer, given_answers, typed_answers, valid_sha256, validate_answers, validate_location,
    validate_report, validate_update_text,
};
pub use batches::{
    MAX_BATCH_BYTES, MAX_BATCH_OPERATIONS, operation_bytes, operations_that_fit, smaller_budget,
};
pub use calendar::{
    LocalSlot, add_working_days, cutoff_for, localise, nearest_alternatives, offered_slots,
    parse_slot_id, parse_time, pick_fallback, slot_at, slot_id,
};
pub use devices::{validate_device, validate_push_token};
pub use errors::is_temporary;
pub use fees::fee_pence;
pub use geo::{contains, valid_point};
pub use ics::to_ics;
pub use references::{
    normalise_reference, parse_pounds, pounds, valid_email, valid_return_url, validate_payment,
    web_page,
};
