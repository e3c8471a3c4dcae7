//! GOV.UK Pay, the payment provider a council goes live with: `POST /v1/payments`,
//! `GET /v1/payments/{id}` and `POST /v1/payments/{id}/refunds`, with the council's API key
//! as a bearer token.
//!
//! Invariant: a payment is asked for under an Idempotency-Key made from the device's own key
//! and its scope, so a retry after an answer that was lost finds the payment made the first
//! time, never a second one; and the key made is not one another device could guess. The API
//! key is never logged, and Pay's answers are copied, never second-guessed.

use std::time::Duration;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use doorstep_protocol::{PaymentState, PaymentStatus};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{
    error::ApiError,
    provider::{PaymentProvider, ProviderFuture, ProviderPayment, ProviderRequest},
};

/// GOV.UK Pay's own address.
pub const PAY_URL: &str = "https://publicapi.payments.service.gov.uk";

/// How a council takes payments through GOV.UK Pay.
#[derive(Clone)]
pub struct Settings {
    /// Pay's address (`PAY_URL`; a stand-in's in tests).
    pub url: String,
    pub api_key: String,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Settings {{ url: {}, api_key: *** }}", self.url)
    }
}

/// The provider.
pub struct GovukPay {
    settings: Settings,
    http: reqwest::Client,
}

impl GovukPay {
    /// Fails (and the server with it) when no HTTPS client can be made; at most `within` is
    /// given to each of Pay's answers.
    pub fn new(settings: Settings, within: Duration) -> anyhow::Result<GovukPay> {
        let http = reqwest::Client::builder()
            .timeout(within)
            .build()
            .map_err(|e| anyhow::anyhow!("cannot make the HTTPS client for GOV.UK Pay: {e}"))?;
        Ok(GovukPay { settings, http })
    }

    fn at(&self, path: &str) -> String {
        format!("{}{path}", self.settings.url.trim_end_matches('/'))
    }

    /// Send a request and read Pay's answer: its body when it is a success.
    async fn answer(&self, request: reqwest::RequestBuilder) -> Result<Value, ApiError> {
        let sent = request.bearer_auth(&self.settings.api_key).send().await;
        let answer = sent.map_err(|error| {
            tracing::warn!(timeout = error.is_timeout(), "GOV.UK Pay did not answer");
            unavailable()
        })?;
        let status = answer.status();
        let body = answer.json::<Value>().await.unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(body);
        }
        let code = body["code"].as_str().unwrap_or("").to_owned();
        let said = body["description"].as_str().unwrap_or("").to_owned();
        Err(match status.as_u16() {
            401 => ApiError::internal("GOV.UK Pay refused the council's API key"),
            412 => ApiError::conflict(
                "refund_amount_available_mismatch",
                "What is left to refund has changed (another refund was made): look at the payment again",
            ),
            429 => ApiError::too_many("The payment service is busy. Try again in a minute.", 30),
            500..=599 => unavailable(),
            _ => ApiError::internal(format!("GOV.UK Pay answered {status} {code}: {said}")),
        })
    }
}

fn unavailable() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "payment_provider_unavailable",
        "The payment service cannot be reached just now. Try again in a minute.",
    )
    .with_retry_after(30)
}

/// The Idempotency-Key Pay is asked under: the device's key and its scope, hashed, so a key
/// one device sent can never reach another's payment.
pub fn pay_key(scope: &str, device_key: &str) -> String {
    hex::encode(Sha256::digest(format!("{scope}\n{device_key}")))
}

/// A payment as Pay describes it.
pub fn read_payment(body: &Value) -> Result<ProviderPayment, ApiError> {
    let text = |value: &Value| value.as_str().map(str::to_owned);
    let provider_id = text(&body["payment_id"])
        .ok_or_else(|| ApiError::internal("GOV.UK Pay answered without a payment_id"))?;
    let status = body["state"]["status"]
        .as_str()
        .and_then(PaymentStatus::parse)
        .ok_or_else(|| {
            ApiError::internal("GOV.UK Pay answered with a state it does not document")
        })?;
    let state = PaymentState {
        status,
        finished: body["state"]["finished"].as_bool().unwrap_or(false),
        message: text(&body["state"]["message"]),
        code: text(&body["state"]["code"]),
    };
    let captured_at = body["settlement_summary"]["capture_submit_time"]
        .as_str()
        .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
        .map(|at| at.with_timezone(&Utc));
    Ok(ProviderPayment {
        provider_id,
        next_url: text(&body["_links"]["next_url"]["href"]).filter(|_| !state.finished),
        card_brand: text(&body["card_details"]["card_brand"]),
        last_digits: text(&body["card_details"]["last_digits_card_number"]),
        captured_at,
        state,
    })
}

impl PaymentProvider for GovukPay {
    fn create(&self, request: ProviderRequest) -> ProviderFuture<'_, ProviderPayment> {
        Box::pin(async move {
            let mut body = json!({
                "amount": request.amount_pence,
                "reference": request.reference,
                "description": request.description,
                "return_url": request.return_url,
                "language": "en",
            });
            if let Some(email) = &request.email {
                body["email"] = json!(email);
            }
            let post = self
                .http
                .post(self.at("/v1/payments"))
                .header("Idempotency-Key", &request.idempotency_key)
                .json(&body);
            read_payment(&self.answer(post).await?)
        })
    }

    fn status(&self, provider_id: &str) -> ProviderFuture<'_, ProviderPayment> {
        let path = format!("/v1/payments/{provider_id}");
        Box::pin(async move { read_payment(&self.answer(self.http.get(self.at(&path))).await?) })
    }

    fn refund(
        &self,
        provider_id: &str,
        amount_pence: u64,
        available_pence: u64,
    ) -> ProviderFuture<'_, ()> {
        let path = format!("/v1/payments/{provider_id}/refunds");
        Box::pin(async move {
            let post = self.http.post(self.at(&path)).json(&json!({
                "amount": amount_pence,
                "refund_amount_available": available_pence,
            }));
            self.answer(post).await.map(|_| ())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payment_is_read_as_pay_describes_it() {
        let body = json!({
            "payment_id": "hu20sqlact5260q2nanm0q8u93",
            "state": {"status": "created", "finished": false},
            "_links": {"next_url": {"href": "https://card.payments.service.gov.uk/secure/abc", "method": "GET"}},
        });
        let made = read_payment(&body).unwrap();
        assert_eq!(made.provider_id, "hu20sqlact5260q2nanm0q8u93");
        assert_eq!(made.state.status, PaymentStatus::Created);
        assert_eq!(
            made.next_url.as_deref(),
            Some("https://card.payments.service.gov.uk/secure/abc")
        );

        let paid = json!({
            "payment_id": "p1",
            "state": {"status": "success", "finished": true},
            "_links": {"next_url": {"href": "https://card.example/gone"}},
            "card_details": {"card_brand": "Visa", "last_digits_card_number": "4242"},
            "settlement_summary": {"capture_submit_time": "2026-12-01T10:00:05.000Z"},
        });
        let paid = read_payment(&paid).unwrap();
        assert_eq!(paid.next_url, None, "no page to go to once finished");
        assert_eq!(paid.last_digits.as_deref(), Some("4242"));
        assert!(paid.captured_at.is_some());

        // Pay's documented codes for a payment that ended without being paid.
        for (status, code, message) in [
            ("failed", "P0010", "Payment method rejected"),
            ("failed", "P0020", "Payment expired"),
            ("failed", "P0030", "Payment was cancelled by the user"),
            ("cancelled", "P0040", "Payment was cancelled by the service"),
            ("error", "P0050", "Payment provider returned an error"),
        ] {
            let ended = json!({"payment_id": "p2", "state": {"status": status, "finished": true, "code": code, "message": message}});
            let ended = read_payment(&ended).unwrap();
            assert!(ended.state.finished, "{code}");
            assert_eq!(ended.state.code.as_deref(), Some(code));
            assert_ne!(ended.state.status, PaymentStatus::Success, "{code}");
        }
        assert!(read_payment(&json!({"state": {"status": "created"}})).is_err());
        assert!(read_payment(&json!({"payment_id": "p", "state": {"status": "paid"}})).is_err());
    }

    #[test]
    fn the_key_pay_is_asked_under_belongs_to_one_device() {
        let key = "0190c3a2-7b7e-7cc0-8f10-2d6a7f1e9b21";
        assert_eq!(pay_key("device:a", key), pay_key("device:a", key));
        assert_ne!(pay_key("device:a", key), pay_key("device:b", key));
        assert!(!pay_key("device:a", key).contains(key));
    }
}
