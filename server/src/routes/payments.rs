//! Payments: started here, taken by the provider, copied back from it.
//!
//! Invariant: a payment's state is whatever the provider last said, a finished state never
//! changes, and a booking fee's success confirms its booking in the same transaction. A booking
//! has at most one fee payment open: the check is made in the transaction that records the
//! payment, so two started at once cannot both pass it.

use crate::sql::{Optional, Sql, params};
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use chrono::{DateTime, Duration, Utc};
use doorstep_protocol::{
    Booking, BookingStatus, ErrorBody, FieldProblem, NewPayment, Payment, PaymentList,
    PaymentStatus, Receipt,
    rules::{self, pounds},
};

use crate::{
    AppState,
    auth::Resident,
    error::{ApiError, ApiResult},
    extract::Json,
    govuk_pay,
    idempotency::{self, Key, fingerprint},
    provider::{EXPIRY_MINUTES, ProviderPayment, ProviderRequest},
    push, rate,
    routes::bookings::{fee_payments, release_expired_holds, save_booking},
    store::{self, Owned},
};

/// Start a payment; open its `next_url` to pay.
#[utoipa::path(post, path = "/v1/payments", tag = "payments", request_body = NewPayment,
    params(("Idempotency-Key" = String, Header, description = "A key made once for this payment")),
    security(("bearer" = [])),
    responses((status = 201, body = Payment), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    caller: Resident,
    Key(key): Key,
    Json(body): Json<NewPayment>,
) -> ApiResult<Response> {
    let now = app.now();
    let pay_key = govuk_pay::pay_key(&caller.scope(), &key);
    let request = idempotency::Request {
        scope: caller.scope(),
        fingerprint: fingerprint("POST", "/v1/payments", &body)?,
        key,
    };
    let state = app.clone();
    let owner = caller.clone();
    let limit = app.limits.payments_per_minute;
    let provider = app.provider.clone();
    Ok(idempotency::run_around(
        &app.db,
        now,
        request,
        app.limits.request_timeout,
        move |conn| {
            let profile = &state.profile;
            let Some(purpose) = profile.purpose(&body.purpose) else {
                let codes: Vec<&str> = profile.council.payment_purposes.iter().map(|p| p.code.as_str()).collect();
                return Err(ApiError::validation(vec![FieldProblem::new("purpose", format!("Choose what you are paying for: one of {}", codes.join(", ")))]));
            };
            let mut problems = rules::validate_payment(purpose, &body.reference, body.amount_pence);
            if !rules::valid_return_url(&body.return_url) {
                problems.push(FieldProblem::new(
                    "return_url",
                    "Give the address to come back to after paying: https://..., http:// on this computer only, or the app's own address",
                ));
            }
            if let Some(email) = &body.email
                && !rules::valid_email(email)
            {
                problems.push(FieldProblem::new("email", "Enter an email address in the correct format, like name@example.com"));
            }
            if !problems.is_empty() {
                return Err(ApiError::validation(problems));
            }
            let reference = rules::normalise_reference(&body.reference);
            if purpose.code == "booking_fee" {
                check_booking_fee(conn, &caller, &reference, body.amount_pence, now)?;
            }
            rate::take(conn, &format!("payment:{}", caller.device_id), limit, 60, now, "payments started")?;
            let provider_request = ProviderRequest {
                amount_pence: body.amount_pence,
                description: format!("{} {}", purpose.name, reference),
                reference,
                return_url: body.return_url.clone(),
                email: body.email.as_deref().map(str::trim).filter(|e| !e.is_empty()).map(str::to_owned),
                idempotency_key: pay_key,
            };
            Ok((purpose.code.clone(), provider_request))
        },
        |(purpose, provider_request): (String, ProviderRequest)| async move {
            let taken = provider.create(provider_request.clone()).await?;
            Ok((purpose, provider_request, taken))
        },
        move |conn, (purpose, provider_request, taken): (String, ProviderRequest, ProviderPayment)| {
            // Checked again with the write: another fee payment may have been recorded while
            // this one was at the provider. If so, the provider's payment is left unused (its
            // page is never given out) and expires there.
            if purpose == "booking_fee" {
                check_booking_fee(conn, &owner, &provider_request.reference, provider_request.amount_pence, now)?;
            }
            let payment = Payment {
                id: store::new_id(),
                purpose,
                reference: provider_request.reference,
                description: provider_request.description,
                amount_pence: provider_request.amount_pence,
                state: taken.state.clone(),
                next_url: taken.next_url.clone(),
                return_url: provider_request.return_url,
                receipt: None,
                refunded_pence: 0,
                created_at: now,
                updated_at: now,
            };
            let owned = Owned { item: payment, device_id: owner.device_id.clone(), account_id: owner.account_id.clone() };
            save_payment(conn, &owned, &taken.provider_id, now)?;
            Ok((StatusCode::CREATED, serde_json::to_value(&owned.item)?))
        },
    )
    .await)
}

/// The caller's payments, newest first.
#[utoipa::path(get, path = "/v1/payments", tag = "payments", security(("bearer" = [])), responses((status = 200, body = PaymentList)))]
pub async fn list(
    State(app): State<AppState>,
    caller: Resident,
) -> ApiResult<axum::Json<PaymentList>> {
    let payments = app
        .db
        .read(move |conn| store::list_for::<Payment>(conn, &caller))
        .await?;
    Ok(axum::Json(PaymentList { payments }))
}

/// One of the caller's payments, its state fresh from the provider.
#[utoipa::path(get, path = "/v1/payments/{id}", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Payment), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(app): State<AppState>,
    caller: Resident,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Payment>> {
    let owned = app
        .db
        .read(move |conn| store::view_for::<Payment>(conn, &caller, &id, "payment"))
        .await?;
    Ok(axum::Json(refresh(&app, owned.item).await?))
}

/// Ask the provider about an unfinished payment and copy what it says.
pub async fn refresh(app: &AppState, payment: Payment) -> ApiResult<Payment> {
    if payment.state.finished {
        return Ok(payment);
    }
    let id = payment.id.clone();
    let provider_id = app
        .db
        .read(move |conn| {
            Ok(conn.query_row(
                "SELECT provider_id FROM payments WHERE id = ?1",
                params![id],
                |r| r.get::<String>(0),
            )?)
        })
        .await?;
    let said = app.provider.status(&provider_id).await?;
    let now = app.now();
    let prefix = app.profile.council.reference_prefix.clone();
    app.db
        .write(move |tx| apply_provider(tx, &said, &prefix, now))
        .await
}

/// Refresh the payment the provider knows as `provider_id` (its card page finished).
pub async fn refresh_by_provider_id(app: &AppState, provider_id: &str) -> ApiResult<Payment> {
    let said = app.provider.status(provider_id).await?;
    let now = app.now();
    let prefix = app.profile.council.reference_prefix.clone();
    app.db
        .write(move |tx| apply_provider(tx, &said, &prefix, now))
        .await
}

/// How many payments one round of `reconcile` asks the provider about.
const RECONCILED_PER_ROUND: i64 = 50;

/// Settle the payments whose payer never came back: each still unfinished here once the
/// provider's expiry has passed is asked about, oldest first, and what the provider says is
/// copied (a success writes its receipt and confirms its booking, an abandoned one is failed
/// P0020), so the resident's device hears of it through the change feed. A provider that cannot
/// be asked leaves the payment for the next round. Returns how many are now finished.
pub async fn reconcile(app: &AppState) -> ApiResult<usize> {
    let expired_before = (app.now() - Duration::minutes(EXPIRY_MINUTES)).to_rfc3339();
    let due: Vec<String> = app
        .db
        .read(move |conn| {
            let ids = conn.query_map(
"SELECT provider_id FROM payments
                 WHERE status IN ('created', 'started', 'submitted', 'capturable') AND created_at <= ?1
                 ORDER BY created_at LIMIT ?2", params![expired_before, RECONCILED_PER_ROUND], |r| r.get(0))?;
            Ok(ids)
        })
        .await?;
    let mut finished = 0;
    for provider_id in due {
        match refresh_by_provider_id(app, &provider_id).await {
            Ok(payment) if payment.state.finished => finished += 1,
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(code = %error.body.error.code, "a payment could not be reconciled this round");
            }
        }
    }
    Ok(finished)
}

/// Copy the provider's word into the payment; on success write the receipt and confirm a paid
/// booking. A finished payment is never changed.
fn apply_provider(
    conn: &dyn Sql,
    said: &ProviderPayment,
    prefix: &str,
    now: DateTime<Utc>,
) -> ApiResult<Payment> {
    let id: String = conn
        .query_row(
            "SELECT id FROM payments WHERE provider_id = ?1",
            params![said.provider_id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| ApiError::not_found("payment"))?;
    let mut owned =
        store::load::<Payment>(conn, &id)?.ok_or_else(|| ApiError::not_found("payment"))?;
    let payment = &mut owned.item;
    if payment.state.finished || (payment.state == said.state && payment.next_url == said.next_url)
    {
        return Ok(owned.item);
    }
    payment.state = said.state.clone();
    payment.next_url = said.next_url.clone();
    payment.updated_at = now;
    if said.state.status == PaymentStatus::Success {
        let number = store::next_number(conn, "receipt")?;
        payment.receipt = Some(Receipt {
            receipt_number: format!("{prefix}-R-{number:06}"),
            paid_at: said.captured_at.unwrap_or(now),
            amount_pence: payment.amount_pence,
            card_brand: said.card_brand.clone().unwrap_or_default(),
            last_digits: said.last_digits.clone().unwrap_or_default(),
        });
        if payment.purpose == "booking_fee" {
            confirm_booking(conn, &payment.reference, now)?;
        }
    }
    let provider_id = said.provider_id.clone();
    save_payment(conn, &owned, &provider_id, now)?;
    push::something_changed(conn, &owned.device_id, owned.account_id.as_deref(), now)?;
    Ok(owned.item)
}

fn booking_by_reference(conn: &dyn Sql, reference: &str) -> ApiResult<Option<Owned<Booking>>> {
    let id: Option<String> = conn
        .query_row(
            "SELECT id FROM bookings WHERE reference = ?1",
            params![reference],
            |r| r.get(0),
        )
        .optional()?;
    match id {
        Some(id) => store::load::<Booking>(conn, &id),
        None => Ok(None),
    }
}

fn confirm_booking(conn: &dyn Sql, reference: &str, now: DateTime<Utc>) -> ApiResult<()> {
    if let Some(mut owned) = booking_by_reference(conn, reference)?
        && owned.item.status == BookingStatus::AwaitingPayment
    {
        owned.item.status = BookingStatus::Confirmed;
        owned.item.updated_at = now;
        save_booking(conn, &owned, now)?;
    }
    Ok(())
}

/// A booking fee must be for one of the caller's bookings that is waiting for exactly this sum
/// and has no other fee payment open (a booking whose hold has run out is released first).
fn check_booking_fee(
    conn: &dyn Sql,
    caller: &Resident,
    reference: &str,
    amount_pence: u64,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    release_expired_holds(conn, now)?;
    let booking = booking_by_reference(conn, reference)?
        .filter(|b| caller.owns(&b.device_id, b.account_id.as_deref()))
        .ok_or_else(|| {
            ApiError::validation(vec![FieldProblem::new(
                "reference",
                "None of your bookings has that reference: check it",
            )])
        })?;
    match booking.item.status {
        BookingStatus::Confirmed => Err(ApiError::conflict(
            "already_paid",
            "This booking is already paid for and confirmed",
        )
        .with_field("reference")),
        BookingStatus::Cancelled => Err(ApiError::validation(vec![FieldProblem::new(
            "reference",
            "This booking was cancelled: there is nothing to pay",
        )])),
        BookingStatus::AwaitingPayment
            if fee_payments(conn, reference, now).map(|f| f.unfinished || f.paid)? =>
        {
            Err(ApiError::conflict(
            "payment_in_progress",
            "A payment for this booking is already open: finish it, or wait for it to expire and start again",
            )
            .with_field("reference"))
        }
        BookingStatus::AwaitingPayment => {
            let fee = u64::from(booking.item.fee_pence.unwrap_or(0));
            if fee == amount_pence {
                Ok(())
            } else {
                Err(ApiError::validation(vec![FieldProblem::new(
                    "amount_pence",
                    format!("The fee for this booking is {}", pounds(fee)),
                )]))
            }
        }
    }
}

/// Write a payment (new or changed) with its indexed columns.
pub fn save_payment(
    conn: &dyn Sql,
    owned: &Owned<Payment>,
    provider_id: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let payment = &owned.item;
    store::save(
        conn,
        owned,
        &[
            ("provider_id", &provider_id),
            ("purpose", &payment.purpose),
            ("reference", &payment.reference),
            ("status", &payment.state.status.as_str()),
        ],
        now,
    )?;
    Ok(())
}
