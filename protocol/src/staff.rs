//! The back office: council officers' view of the work.
//!
//! Invariant: only staff tokens reach these; every change a member of staff makes to a
//! resident's thing reaches that resident through their change feed.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Report, ReportStatus};

/// `GET /v1/staff/reports`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StaffReportList {
    pub reports: Vec<Report>,
}

/// `POST /v1/staff/reports/{id}/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewStatus {
    pub status: ReportStatus,
    /// A public note the resident sees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// `POST /v1/staff/payments/{id}/refund`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewRefund {
    pub amount_pence: u64,
}
