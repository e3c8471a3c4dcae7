//! The back office: council officers list the work, move reports on with a public note, and
//! refund payments.
//!
//! Invariant: only staff tokens reach these handlers (the `Staff` extractor), and every change
//! to a resident's thing goes out on that resident's change feed.

use crate::sql::params;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use doorstep_protocol::{
    Author, Booking, BookingList, ErrorBody, FieldProblem, NewRefund, NewStatus, Payment,
    PaymentStatus, Report, ReportStatus, StaffReportList, TimelineEntry,
    rules::answers::MAX_DESCRIPTION_CHARS,
};
use serde::Deserialize;
use serde_json::json;

use crate::{
    AppState,
    auth::Staff,
    error::{ApiError, ApiResult},
    extract::{self, Json, Query},
    idempotency::{self, Key, fingerprint},
    notify, push,
    routes::{payments::save_payment, reports::save_report},
    store,
};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorkQuery {
    /// Only reports with this status.
    status: Option<ReportStatus>,
    /// Only this service.
    service_code: Option<String>,
    /// At most this many (1 to 1000, default 200).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// Reports, newest first.
#[utoipa::path(get, path = "/v1/staff/reports", tag = "staff", params(WorkQuery), security(("staff" = [])),
    responses((status = 200, body = StaffReportList), (status = 403, body = ErrorBody)))]
pub async fn reports(
    State(app): State<AppState>,
    _staff: Staff,
    Query(query): Query<WorkQuery>,
) -> ApiResult<axum::Json<StaffReportList>> {
    let limit = extract::limit(query.limit, 200, 1000)?;
    let reports = app
        .db
        .read(move |conn| {
            let rows = conn.query_map(
"SELECT body FROM reports WHERE (CAST(?1 AS TEXT) IS NULL OR status = ?1) AND (CAST(?2 AS TEXT) IS NULL OR service_code = ?2)
                 ORDER BY created_at DESC, id DESC LIMIT ?3", params![query.status.map(ReportStatus::as_str), query.service_code, limit], |r| r.get::<String>(0))?;
            let mut reports = Vec::new();
            for body in rows {
                reports.push(serde_json::from_str(&body)?);
            }
            Ok(reports)
        })
        .await?;
    Ok(axum::Json(StaffReportList { reports }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BookingsQuery {
    /// Only this service.
    service_code: Option<String>,
}

/// Bookings, soonest first.
#[utoipa::path(get, path = "/v1/staff/bookings", tag = "staff", params(BookingsQuery), security(("staff" = [])),
    responses((status = 200, body = BookingList), (status = 403, body = ErrorBody)))]
pub async fn bookings(
    State(app): State<AppState>,
    _staff: Staff,
    Query(query): Query<BookingsQuery>,
) -> ApiResult<axum::Json<BookingList>> {
    let bookings = app
        .db
        .read(move |conn| {
            let rows = conn.query_map(
                "SELECT body FROM bookings WHERE (CAST(?1 AS TEXT) IS NULL OR service_code = ?1)",
                params![query.service_code],
                |r| r.get::<String>(0),
            )?;
            let mut bookings: Vec<Booking> = Vec::new();
            for body in rows {
                bookings.push(serde_json::from_str(&body)?);
            }
            bookings.sort_by_key(|b| b.start);
            bookings.truncate(1000);
            Ok(bookings)
        })
        .await?;
    Ok(axum::Json(BookingList { bookings }))
}

/// Move a report on, with a public note the resident receives.
#[utoipa::path(post, path = "/v1/staff/reports/{id}/status", tag = "staff", request_body = NewStatus,
    params(("id" = String, Path), ("Idempotency-Key" = String, Header, description = "A key made once for this change")),
    security(("staff" = [])),
    responses((status = 200, body = Report), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_status(
    State(app): State<AppState>,
    staff: Staff,
    Key(key): Key,
    Path(id): Path<String>,
    Json(body): Json<NewStatus>,
) -> ApiResult<Response> {
    let now = app.now();
    let path = format!("/v1/staff/reports/{id}/status");
    let request = idempotency::Request {
        scope: staff.scope(),
        fingerprint: fingerprint("POST", &path, &body)?,
        key,
    };
    Ok(idempotency::run(&app.db, now, request, move |conn| {
        let note = body
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        if note
            .as_ref()
            .is_some_and(|n| n.chars().count() > MAX_DESCRIPTION_CHARS)
        {
            return Err(ApiError::validation(vec![FieldProblem::new(
                "note",
                format!("Use {MAX_DESCRIPTION_CHARS} characters or fewer"),
            )]));
        }
        let mut owned =
            store::load::<Report>(conn, &id)?.ok_or_else(|| ApiError::not_found("report"))?;
        let report = &mut owned.item;
        let moved = report.status != body.status;
        if !moved && note.is_none() {
            return Ok((StatusCode::OK, serde_json::to_value(&owned.item)?));
        }
        report.status = body.status;
        report.updated_at = now;
        report.timeline.push(TimelineEntry {
            at: now,
            from: Author::Council,
            status: moved.then_some(body.status),
            note,
        });
        save_report(conn, &owned, now)?;
        push::something_changed(conn, &owned.device_id, owned.account_id.as_deref(), now)?;
        let report = &owned.item;
        if let Some(email) = report.contact.as_ref().and_then(|c| c.email.as_deref())
            && moved
        {
            let said = json!({
                "reference": report.reference,
                "service": report.service_name,
                "status": report.status.words(),
                "note": report.timeline.last().and_then(|t| t.note.clone()).unwrap_or_default(),
            });
            notify::queue(conn, "status-changed", email, &said, now)?;
        }
        Ok((StatusCode::OK, serde_json::to_value(&owned.item)?))
    })
    .await)
}

/// Refund some or all of a successful payment.
#[utoipa::path(post, path = "/v1/staff/payments/{id}/refund", tag = "staff", request_body = NewRefund,
    params(("id" = String, Path), ("Idempotency-Key" = String, Header, description = "A key made once for this refund")),
    security(("staff" = [])),
    responses((status = 200, body = Payment), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn refund(
    State(app): State<AppState>,
    staff: Staff,
    Key(key): Key,
    Path(id): Path<String>,
    Json(body): Json<NewRefund>,
) -> ApiResult<Response> {
    let now = app.now();
    let path = format!("/v1/staff/payments/{id}/refund");
    let request = idempotency::Request {
        scope: staff.scope(),
        fingerprint: fingerprint("POST", &path, &body)?,
        key,
    };
    let provider = app.provider.clone();
    let amount = body.amount_pence;
    Ok(idempotency::run_around(
        &app.db,
        now,
        request,
        app.limits.request_timeout,
        move |conn| {
            let owned =
                store::load::<Payment>(conn, &id)?.ok_or_else(|| ApiError::not_found("payment"))?;
            if owned.item.state.status != PaymentStatus::Success {
                return Err(ApiError::conflict(
                    "not_refundable",
                    "Only a successful payment can be refunded",
                ));
            }
            let available = owned.item.amount_pence - owned.item.refunded_pence;
            if amount == 0 || amount > available {
                return Err(ApiError::validation(vec![FieldProblem::new(
                    "amount_pence",
                    format!(
                        "Refund from 1p up to what is left: {}",
                        doorstep_protocol::rules::pounds(available)
                    ),
                )]));
            }
            let provider_id: String = conn.query_row(
                "SELECT provider_id FROM payments WHERE id = ?1",
                params![id],
                |r| r.get(0),
            )?;
            Ok((id, provider_id, available))
        },
        move |(id, provider_id, available): (String, String, u64)| async move {
            provider.refund(&provider_id, amount, available).await?;
            Ok((id, provider_id))
        },
        move |conn, (id, provider_id): (String, String)| {
            let mut owned =
                store::load::<Payment>(conn, &id)?.ok_or_else(|| ApiError::not_found("payment"))?;
            owned.item.refunded_pence += amount;
            owned.item.updated_at = now;
            save_payment(conn, &owned, &provider_id, now)?;
            push::something_changed(conn, &owned.device_id, owned.account_id.as_deref(), now)?;
            Ok((StatusCode::OK, serde_json::to_value(&owned.item)?))
        },
    )
    .await)
}
