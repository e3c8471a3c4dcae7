//! The one error body every failure of the API answers with.
//!
//! Invariant: every 4xx and 5xx response is `{"error": {...}}` with a stable machine `code`, a
//! sentence a resident could act on in `message`, and the offending `field` when there is one.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::bookings::Slot;

/// `{"error": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong, in words for people and a code for programs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, snake_case: `validation_failed`, `slot_unavailable`, `not_found`, ...
    pub code: String,
    /// What to fix, in plain English.
    pub message: String,
    /// The request field at fault, as a dotted path (`answers.depth`, `location`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every problem found, when there was more than one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<FieldProblem>,
    /// For `slot_unavailable`: the nearest slots that still have room.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<Slot>,
}

/// One field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl ErrorBody {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code: code.into(),
                message: message.into(),
                field: None,
                problems: Vec::new(),
                alternatives: Vec::new(),
            },
        }
    }
}
