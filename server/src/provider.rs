//! Payment providers, and the built-in sandbox that behaves like GOV.UK Pay's test account.
//!
//! Invariant: the provider is the authority on a payment's state; the server only ever copies
//! what the provider says, and a payment the payer abandons is failed (P0020) once 90 minutes
//! have passed, exactly as GOV.UK Pay does.

use std::{future::Future, pin::Pin};

use crate::sql::{Optional, Sql, params};
use chrono::{DateTime, Duration, Utc};
use doorstep_protocol::{PaymentState, PaymentStatus};

use crate::{Clock, db::Db, error::ApiError};

/// Unfinished payments fail this long after they were created.
pub const EXPIRY_MINUTES: i64 = 90;

/// What the server asks a provider to take.
#[derive(Debug, Clone)]
pub struct ProviderRequest {
    pub amount_pence: u64,
    pub reference: String,
    pub description: String,
    pub return_url: String,
    /// Where the provider sends the receipt (GOV.UK Pay prefills its page with it).
    pub email: Option<String>,
    /// What the provider is asked under, so that a retry finds the payment made the first time
    /// (`govuk_pay::pay_key`).
    pub idempotency_key: String,
}

/// What a provider says about a payment.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderPayment {
    pub provider_id: String,
    pub state: PaymentState,
    pub next_url: Option<String>,
    pub card_brand: Option<String>,
    pub last_digits: Option<String>,
    pub captured_at: Option<DateTime<Utc>>,
}

pub type ProviderFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ApiError>> + Send + 'a>>;

/// A payment service provider (GOV.UK Pay's API shape).
pub trait PaymentProvider: Send + Sync {
    fn create(&self, request: ProviderRequest) -> ProviderFuture<'_, ProviderPayment>;
    fn status(&self, provider_id: &str) -> ProviderFuture<'_, ProviderPayment>;
    /// Refund `amount_pence`, provided `available_pence` is still what is left to refund (GOV.UK
    /// Pay's `refund_amount_available`): a retried refund can never refund twice.
    fn refund(
        &self,
        provider_id: &str,
        amount_pence: u64,
        available_pence: u64,
    ) -> ProviderFuture<'_, ()>;
}

/// The sandbox: its records live in the server's store and its card page is served by the
/// server at `/sandbox/pay/{id}`.
pub struct SandboxProvider {
    db: Db,
    clock: Clock,
    public_url: String,
}

impl SandboxProvider {
    pub fn new(db: Db, clock: Clock, public_url: String) -> Self {
        Self {
            db,
            clock,
            public_url,
        }
    }
}

impl PaymentProvider for SandboxProvider {
    fn create(&self, request: ProviderRequest) -> ProviderFuture<'_, ProviderPayment> {
        Box::pin(async move {
            let id = format!("sbx{}", uuid::Uuid::now_v7().simple());
            let now = self.clock.now();
            let public_url = self.public_url.clone();
            self.db
                .write(move |tx| {
                    tx.execute(
                        "INSERT INTO sandbox_payments (id, amount, description, reference, return_url, status, created_at, email)
                         VALUES (?1, ?2, ?3, ?4, ?5, 'created', ?6, ?7)",
                        params![id, request.amount_pence as i64, request.description, request.reference, request.return_url, now.timestamp(), request.email],
                    )?;
                    read(tx, &id, &public_url)?.ok_or_else(|| ApiError::internal("sandbox payment missing after writing it"))
                })
                .await
        })
    }

    fn status(&self, provider_id: &str) -> ProviderFuture<'_, ProviderPayment> {
        let id = provider_id.to_owned();
        Box::pin(async move {
            let now = self.clock.now();
            let public_url = self.public_url.clone();
            self.db
                .write(move |tx| {
                    expire(tx, &id, now)?;
                    read(tx, &id, &public_url)?
                        .ok_or_else(|| ApiError::internal("sandbox payment missing"))
                })
                .await
        })
    }

    fn refund(
        &self,
        provider_id: &str,
        amount_pence: u64,
        available_pence: u64,
    ) -> ProviderFuture<'_, ()> {
        let id = provider_id.to_owned();
        Box::pin(async move {
            self.db
                .write(move |tx| {
                    let changed = tx.execute(
                        "UPDATE sandbox_payments SET refunded = refunded + ?2
                         WHERE id = ?1 AND status = 'success' AND amount - refunded = ?3 AND refunded + ?2 <= amount",
                        params![id, amount_pence as i64, available_pence as i64],
                    )?;
                    if changed == 1 {
                        Ok(())
                    } else {
                        Err(ApiError::conflict(
                            "refund_amount_available_mismatch",
                            "What is left to refund has changed (another refund was made): look at the payment again",
                        ))
                    }
                })
                .await
        })
    }
}

/// The sandbox record of a payment, as the card page needs it.
#[derive(Debug, Clone)]
pub struct SandboxPayment {
    pub amount_pence: u64,
    pub description: String,
    pub reference: String,
    pub return_url: String,
    pub status: PaymentStatus,
    /// Where the receipt goes, when the payer gave an address.
    pub email: Option<String>,
}

/// Look up a sandbox payment for its card page, expiring it first if its time is up.
pub fn page_payment(
    conn: &dyn Sql,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Option<SandboxPayment>, ApiError> {
    expire(conn, id, now)?;
    conn.execute(
        "UPDATE sandbox_payments SET status = 'started' WHERE id = ?1 AND status = 'created'",
        params![id],
    )?;
    Ok(conn
        .query_row(
            "SELECT amount, description, reference, return_url, status, email FROM sandbox_payments WHERE id = ?1",
            params![id],
            |r| {
                Ok(SandboxPayment {
                    amount_pence: r.get::<i64>(0)? as u64,
                    description: r.get(1)?,
                    reference: r.get(2)?,
                    return_url: r.get(3)?,
                    status: PaymentStatus::parse(&r.get::<String>(4)?).unwrap_or(PaymentStatus::Error),
                    email: r.get(5)?,
                })
            },
        )
        .optional()?)
}

/// What a test card does, as GOV.UK Pay's test environment documents it.
pub fn card_outcome(card_number: &str) -> Option<(PaymentState, &'static str)> {
    let declined = |message| PaymentState::failed(PaymentStatus::Failed, "P0010", message);
    Some(match card_number {
        "4242424242424242" | "4000058260000005" | "4000002500003155" => {
            (PaymentState::of(PaymentStatus::Success), "visa")
        }
        "5555555555554444" => (PaymentState::of(PaymentStatus::Success), "master-card"),
        "4000000000000002" => (declined("Your card was declined"), "visa"),
        "4000000000000069" => (declined("Your card has expired"), "visa"),
        "4000000000000127" => (declined("The card security code is incorrect"), "visa"),
        "4000000000000119" => (
            PaymentState::failed(
                PaymentStatus::Error,
                "P0050",
                "There was a problem processing the payment",
            ),
            "visa",
        ),
        _ => return None,
    })
}

/// The payer pays (or fails to) with `card_number`; `None` when it is not a test card.
pub fn pay_with_card(
    conn: &dyn Sql,
    id: &str,
    card_number: &str,
    now: DateTime<Utc>,
) -> Result<Option<PaymentState>, ApiError> {
    let Some((state, brand)) = card_outcome(card_number) else {
        return Ok(None);
    };
    let last_digits = &card_number[card_number.len() - 4..];
    conn.execute(
        "UPDATE sandbox_payments SET status = ?2, code = ?3, message = ?4, card_brand = ?5, last_digits = ?6, captured_at = ?7
         WHERE id = ?1 AND status IN ('created', 'started')",
        params![
            id,
            state.status.as_str(),
            state.code,
            state.message,
            brand,
            last_digits,
            (state.status == PaymentStatus::Success).then(|| now.to_rfc3339())
        ],
    )?;
    Ok(Some(state))
}

/// The payer cancels on the card page (P0030).
pub fn cancel_by_payer(conn: &dyn Sql, id: &str) -> Result<(), ApiError> {
    conn.execute(
        "UPDATE sandbox_payments SET status = 'failed', code = 'P0030', message = 'Payment was cancelled by the user'
         WHERE id = ?1 AND status IN ('created', 'started')",
        params![id],
    )?;
    Ok(())
}

fn expire(conn: &dyn Sql, id: &str, now: DateTime<Utc>) -> crate::sql::Result<usize> {
    conn.execute(
        "UPDATE sandbox_payments SET status = 'failed', code = 'P0020', message = 'Payment expired'
         WHERE id = ?1 AND status IN ('created', 'started') AND created_at <= ?2",
        params![id, (now - Duration::minutes(EXPIRY_MINUTES)).timestamp()],
    )
}

fn read(conn: &dyn Sql, id: &str, public_url: &str) -> crate::sql::Result<Option<ProviderPayment>> {
    conn.query_row(
        "SELECT status, code, message, card_brand, last_digits, captured_at FROM sandbox_payments WHERE id = ?1",
        params![id],
        |r| {
            let status = PaymentStatus::parse(&r.get::<String>(0)?).unwrap_or(PaymentStatus::Error);
            let state = PaymentState { status, finished: status.is_finished(), code: r.get(1)?, message: r.get(2)? };
            Ok(ProviderPayment {
                provider_id: id.to_owned(),
                next_url: (!status.is_finished()).then(|| format!("{public_url}/sandbox/pay/{id}")),
                state,
                card_brand: r.get(3)?,
                last_digits: r.get(4)?,
                captured_at: r
                    .get::<Option<String>>(5)?
                    .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                    .map(|t| t.with_timezone(&Utc)),
            })
        },
    )
    .optional()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_cards_behave_as_gov_uk_pay_documents() {
        assert_eq!(
            card_outcome("4242424242424242").unwrap().0.status,
            PaymentStatus::Success
        );
        let declined = card_outcome("4000000000000002").unwrap().0;
        assert_eq!(
            (declined.status, declined.code.as_deref()),
            (PaymentStatus::Failed, Some("P0010"))
        );
        assert_eq!(
            card_outcome("4000000000000069").unwrap().0.status,
            PaymentStatus::Failed
        );
        let error = card_outcome("4000000000000119").unwrap().0;
        assert_eq!(
            (error.status, error.code.as_deref()),
            (PaymentStatus::Error, Some("P0050"))
        );
        assert!(card_outcome("1234").is_none());
    }
}
