//! Payments, in GOV.UK Pay's states.
//!
//! Invariant: a payment's state only moves forward — once `finished`, it never changes again
//! (a refund is recorded beside it, not as a new state).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// GOV.UK Pay's payment statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Created,
    Started,
    Submitted,
    Capturable,
    Success,
    Failed,
    Cancelled,
    Error,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 8] = [
        PaymentStatus::Created,
        PaymentStatus::Started,
        PaymentStatus::Submitted,
        PaymentStatus::Capturable,
        PaymentStatus::Success,
        PaymentStatus::Failed,
        PaymentStatus::Cancelled,
        PaymentStatus::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Created => "created",
            PaymentStatus::Started => "started",
            PaymentStatus::Submitted => "submitted",
            PaymentStatus::Capturable => "capturable",
            PaymentStatus::Success => "success",
            PaymentStatus::Failed => "failed",
            PaymentStatus::Cancelled => "cancelled",
            PaymentStatus::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// No further change will happen.
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            PaymentStatus::Success
                | PaymentStatus::Failed
                | PaymentStatus::Cancelled
                | PaymentStatus::Error
        )
    }
}

/// GOV.UK Pay's `state` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PaymentState {
    pub status: PaymentStatus,
    pub finished: bool,
    /// Why it failed, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// GOV.UK Pay's code: P0010 declined, P0020 expired, P0030 cancelled by the payer, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

impl PaymentState {
    /// A state with no failure.
    pub fn of(status: PaymentStatus) -> Self {
        Self {
            status,
            finished: status.is_finished(),
            message: None,
            code: None,
        }
    }

    /// A failed or errored state with GOV.UK Pay's code and message.
    pub fn failed(status: PaymentStatus, code: &str, message: &str) -> Self {
        Self {
            status,
            finished: status.is_finished(),
            message: Some(message.to_owned()),
            code: Some(code.to_owned()),
        }
    }
}

/// `POST /v1/payments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NewPayment {
    /// A payment purpose of the council profile: `council_tax`, `parking_penalty`, ...
    pub purpose: String,
    /// The reference on the resident's bill, notice or booking.
    pub reference: String,
    pub amount_pence: u64,
    /// Where the payment page sends the payer back to.
    pub return_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// Proof of a successful payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Receipt {
    pub receipt_number: String,
    pub paid_at: DateTime<Utc>,
    pub amount_pence: u64,
    pub card_brand: String,
    pub last_digits: String,
}

/// A payment as the council holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Payment {
    pub id: String,
    pub purpose: String,
    pub reference: String,
    pub description: String,
    pub amount_pence: u64,
    pub state: PaymentState,
    /// The provider's page to open while the payment is not finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_url: Option<String>,
    pub return_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<Receipt>,
    #[serde(default)]
    pub refunded_pence: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `GET /v1/payments`: the caller's payments, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaymentList {
    pub payments: Vec<Payment>,
}
