//! Many operations in one request.
//!
//! Invariant: the operations run in the order given, each through the same handler and the same
//! idempotency check as if it had come alone, and each gets its own result.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::ToSchema;

pub use crate::rules::batches::{MAX_BATCH_BYTES, MAX_BATCH_OPERATIONS};

// Operations' bodies and answers are carried as the JSON text they are (`RawValue`), so that
// neither end builds a tree of a body it only passes on.

/// `POST /v1/batch`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BatchRequest {
    pub operations: Vec<BatchOperation>,
}

/// One operation: what would have been a request of its own.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BatchOperation {
    /// Its idempotency key.
    pub key: String,
    /// `POST` or `PUT`.
    pub method: String,
    /// e.g. `/v1/reports`.
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<serde_json::Value>)]
    pub body: Option<Box<RawValue>>,
}

/// The answer to one operation, as it would have come alone.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BatchResult {
    pub key: String,
    pub status: u16,
    #[schema(value_type = serde_json::Value)]
    pub body: Box<RawValue>,
    /// Seconds to wait before trying this one again, when the server asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// The `seq` of the change-feed entry that carries this answer's entity as it is in `body`:
    /// a client that records the answer holds that change already (see `held_query`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<u64>,
}

/// The answers, in the order of the operations.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BatchResponse {
    pub results: Vec<BatchResult>,
}
