//! A stand-in for GOV.UK Pay on loopback, speaking its documented contract: `POST
//! /v1/payments` (amount, reference, description, return_url; an Idempotency-Key that answers
//! a repeat with the payment made the first time), `GET /v1/payments/{id}`, `POST
//! /v1/payments/{id}/refunds` with `refund_amount_available`; 401 for another key, 422 for a
//! field it does not take, 404 for a payment it does not have, 412 for a refund whose
//! available amount is out of date; and, when a test asks, a 429 or an answer lost on its way
//! after the payment was made.
//!
//! Invariant: every payment it made is kept, once, whatever was retried; it stops when
//! dropped.

use std::{
    collections::{BTreeMap, VecDeque},
    sync::{Arc, Mutex},
};

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    routing::{get, post},
};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

/// The API key the stand-in takes.
pub const API_KEY: &str = "api_test_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN";

/// What the next `POST /v1/payments` does instead of answering as Pay does.
#[derive(Debug, Clone, Copy)]
pub enum Next {
    /// 429: too many requests.
    Busy,
    /// Make the payment, then drop the connection before answering.
    LoseTheAnswer,
}

#[derive(Default)]
struct Inner {
    payments: Mutex<BTreeMap<String, Value>>,
    /// Idempotency-Key → (the request's body, the payment it made).
    keys: Mutex<BTreeMap<String, (Value, String)>>,
    next: Mutex<VecDeque<Next>>,
    creates: Mutex<u32>,
    reads: Mutex<u32>,
}

/// The running stand-in.
pub struct Pay {
    pub url: String,
    inner: Arc<Inner>,
    task: JoinHandle<()>,
}

impl Pay {
    pub async fn start(next: &[Next]) -> Pay {
        let inner = Arc::new(Inner {
            next: Mutex::new(next.iter().copied().collect()),
            ..Inner::default()
        });
        let app = Router::new()
            .route("/v1/payments", post(create))
            .route("/v1/payments/{id}", get(status))
            .route("/v1/payments/{id}/refunds", post(refund))
            .with_state(inner.clone());
        let (url, task) = crate::stand_in(app).await;
        Pay { url, inner, task }
    }

    /// The payments it made, by id.
    pub fn payments(&self) -> BTreeMap<String, Value> {
        self.inner.payments.lock().expect("not poisoned").clone()
    }

    /// How many `POST /v1/payments` it was sent.
    pub fn creates(&self) -> u32 {
        *self.inner.creates.lock().expect("not poisoned")
    }

    /// How many `GET /v1/payments/{id}` it was sent.
    pub fn reads(&self) -> u32 {
        *self.inner.reads.lock().expect("not poisoned")
    }

    /// The payer never paid and Pay's 90 minutes are up: failed, P0020.
    pub fn expires(&self, id: &str) {
        let mut payments = self.inner.payments.lock().expect("not poisoned");
        let payment = payments.get_mut(id).expect("a payment it made");
        payment["state"] = json!({"status": "failed", "finished": true, "code": "P0020", "message": "Payment expired"});
    }

    /// The payer paid with a Visa card ending 4242.
    pub fn pays(&self, id: &str) {
        let mut payments = self.inner.payments.lock().expect("not poisoned");
        let payment = payments.get_mut(id).expect("a payment it made");
        payment["state"] = json!({"status": "success", "finished": true});
        payment["card_details"] = json!({"card_brand": "Visa", "last_digits_card_number": "4242"});
        payment["settlement_summary"] =
            json!({"capture_submit_time": chrono::Utc::now().to_rfc3339()});
        payment["refund_summary"] = json!({"status": "available", "amount_available": payment["amount"], "amount_submitted": 0});
    }
}

impl Drop for Pay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type Answer = (StatusCode, Json<Value>);

fn error(status: StatusCode, code: &str, description: &str) -> Answer {
    (
        status,
        Json(json!({"code": code, "description": description})),
    )
}

fn authorised(headers: &HeaderMap) -> Result<(), Answer> {
    let given = headers.get("authorization").and_then(|v| v.to_str().ok());
    if given == Some(&format!("Bearer {API_KEY}")) {
        Ok(())
    } else {
        Err(error(
            StatusCode::UNAUTHORIZED,
            "P0920",
            "Credentials are required to access this resource",
        ))
    }
}

async fn create(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Answer {
    if let Err(refused) = authorised(&headers) {
        return refused;
    }
    *inner.creates.lock().expect("not poisoned") += 1;
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(key) = &key
        && let Some((first, id)) = inner.keys.lock().expect("not poisoned").get(key).cloned()
    {
        if first != body {
            return error(
                StatusCode::CONFLICT,
                "P0191",
                "The Idempotency-Key was used with a different request body",
            );
        }
        let payment = inner.payments.lock().expect("not poisoned")[&id].clone();
        return (StatusCode::OK, Json(payment));
    }
    let next = inner.next.lock().expect("not poisoned").pop_front();
    if let Some(Next::Busy) = next {
        return error(StatusCode::TOO_MANY_REQUESTS, "P0900", "Too many requests");
    }
    let amount = body["amount"].as_u64().unwrap_or(0);
    if !(1..=10_000_000).contains(&amount) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "P0102",
            "Invalid attribute value: amount. Must be less than or equal to 10000000",
        );
    }
    for field in ["reference", "description", "return_url"] {
        let value = body[field].as_str().unwrap_or("");
        if value.is_empty() || value.len() > 255 {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "P0102",
                &format!("Invalid attribute value: {field}"),
            );
        }
    }
    let id = uuid::Uuid::now_v7().simple().to_string();
    let payment = json!({
        "payment_id": id,
        "amount": amount,
        "reference": body["reference"],
        "description": body["description"],
        "return_url": body["return_url"],
        "email": body["email"],
        "language": body["language"],
        "state": {"status": "created", "finished": false},
        "created_date": chrono::Utc::now().to_rfc3339(),
        "_links": {
            "self": {"href": format!("/v1/payments/{id}"), "method": "GET"},
            "next_url": {"href": format!("https://card.payments.example/secure/{id}"), "method": "GET"},
        },
    });
    inner
        .payments
        .lock()
        .expect("not poisoned")
        .insert(id.clone(), payment.clone());
    if let Some(key) = key {
        inner
            .keys
            .lock()
            .expect("not poisoned")
            .insert(key, (body, id));
    }
    if let Some(Next::LoseTheAnswer) = next {
        // Ends this connection's task: the client hears nothing back.
        panic!("the stand-in loses its answer on the way, as a test asked");
    }
    (StatusCode::CREATED, Json(payment))
}

async fn status(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Answer {
    if let Err(refused) = authorised(&headers) {
        return refused;
    }
    *inner.reads.lock().expect("not poisoned") += 1;
    match inner.payments.lock().expect("not poisoned").get(&id) {
        Some(payment) => (StatusCode::OK, Json(payment.clone())),
        None => error(StatusCode::NOT_FOUND, "P0200", "Not found"),
    }
}

async fn refund(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Answer {
    if let Err(refused) = authorised(&headers) {
        return refused;
    }
    let mut payments = inner.payments.lock().expect("not poisoned");
    let Some(payment) = payments.get_mut(&id) else {
        return error(StatusCode::NOT_FOUND, "P0700", "Not found");
    };
    let available = payment["refund_summary"]["amount_available"]
        .as_u64()
        .unwrap_or(0);
    let amount = body["amount"].as_u64().unwrap_or(0);
    if body["refund_amount_available"].as_u64() != Some(available) {
        return error(
            StatusCode::PRECONDITION_FAILED,
            "P0604",
            "Refund amount available mismatch",
        );
    }
    if amount == 0 || amount > available {
        return error(
            StatusCode::BAD_REQUEST,
            "P0603",
            "The payment is not available for refund",
        );
    }
    payment["refund_summary"]["amount_available"] = json!(available - amount);
    (
        StatusCode::ACCEPTED,
        Json(
            json!({"refund_id": uuid::Uuid::now_v7().simple().to_string(), "amount": amount, "status": "submitted"}),
        ),
    )
}
