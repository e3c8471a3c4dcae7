//! A stand-in for GOV.UK Notify on loopback, speaking its documented contract for email:
//! `POST /v2/notifications/email` with a JWT (HS256, `iss` the service id, `iat` within 30
//! seconds) answered 201 with the notification's id, 403 `AuthError` for a token it cannot
//! check, 400 `BadRequestError` for a body without what Notify needs, and the answers a test
//! scripts first (429 `RateLimitError`, 500) to prove the sender waits and tries again.
//!
//! Invariant: every request it was sent is kept, in order, with the status it was answered;
//! it stops when dropped.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
};

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::task::JoinHandle;

/// The service id and secret of the key the stand-in takes.
pub const SERVICE_ID: &str = "26785a09-ab16-4eb0-8407-a37497a57506";
pub const SECRET: &str = "3d844edf-8d35-48ac-975b-e847b4f122b0";

/// The whole key, as Notify shows it to a council.
pub fn api_key() -> String {
    format!("doorstep_test-{SERVICE_ID}-{SECRET}")
}

/// One request, and what it was answered.
#[derive(Debug, Clone)]
pub struct Received {
    pub body: Value,
    pub status: u16,
}

#[derive(Default)]
struct Inner {
    received: Mutex<Vec<Received>>,
    /// Statuses to answer first, before answering as Notify does.
    scripted: Mutex<VecDeque<u16>>,
    /// How long each answer takes.
    delay: std::time::Duration,
}

/// The running stand-in.
pub struct Notify {
    pub url: String,
    inner: Arc<Inner>,
    task: JoinHandle<()>,
}

impl Notify {
    /// Start it; the first requests are answered with `first` (e.g. `[429]`).
    pub async fn start(first: &[u16]) -> Notify {
        Self::answering_after(first, std::time::Duration::ZERO).await
    }

    /// Start one that takes `delay` over each answer, as Notify under load does.
    pub async fn answering_after(first: &[u16], delay: std::time::Duration) -> Notify {
        let inner = Arc::new(Inner {
            received: Mutex::default(),
            scripted: Mutex::new(first.iter().copied().collect()),
            delay,
        });
        let app = Router::new()
            .route("/v2/notifications/email", post(email))
            .with_state(inner.clone());
        let (url, task) = crate::stand_in(app).await;
        Notify { url, inner, task }
    }

    /// Everything it was sent so far.
    pub fn received(&self) -> Vec<Received> {
        self.inner.received.lock().expect("not poisoned").clone()
    }
}

impl Drop for Notify {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn email(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    tokio::time::sleep(inner.delay).await;
    let (status, answer) = answer(&inner, &headers, &body);
    inner.received.lock().expect("not poisoned").push(Received {
        body,
        status: status.as_u16(),
    });
    (status, Json(answer))
}

fn answer(inner: &Inner, headers: &HeaderMap, body: &Value) -> (StatusCode, Value) {
    let error = |status: StatusCode, error: &str, message: &str| {
        (
            status,
            json!({"status_code": status.as_u16(), "errors": [{"error": error, "message": message}]}),
        )
    };
    if let Err(why) = check_token(headers) {
        return error(StatusCode::FORBIDDEN, "AuthError", &why);
    }
    if let Some(status) = inner.scripted.lock().expect("not poisoned").pop_front() {
        let status = StatusCode::from_u16(status).expect("a status");
        return match status {
            StatusCode::TOO_MANY_REQUESTS => error(
                status,
                "RateLimitError",
                "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
            ),
            _ => error(status, "Exception", "Internal server error"),
        };
    }
    for field in ["email_address", "template_id"] {
        if !body[field].is_string() {
            return error(
                StatusCode::BAD_REQUEST,
                "ValidationError",
                &format!("{field} is a required property"),
            );
        }
    }
    (
        StatusCode::CREATED,
        json!({
            "id": uuid::Uuid::now_v7().to_string(),
            "reference": body["reference"],
            "content": {"subject": "Your sign-in code", "body": "…", "from_email": "council@notifications.service.gov.uk"},
            "template": {"id": body["template_id"], "version": 1, "uri": "…"},
            "uri": "…",
        }),
    )
}

/// The token: signed with the secret, issued by the service, and issued within 30 seconds.
fn check_token(headers: &HeaderMap) -> Result<(), String> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or("Unauthorized, authentication token must be provided")?;
    let parts: Vec<&str> = token.split('.').collect();
    let [header, claims, signature] = parts[..] else {
        return Err("Invalid token: not a JWT".to_owned());
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key");
    mac.update(format!("{header}.{claims}").as_bytes());
    let expected =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    if signature != expected {
        return Err("Invalid token: signature, api token not found".to_owned());
    }
    let claims: Value = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(claims)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or("Invalid token: claims")?;
    if claims["iss"] != SERVICE_ID {
        return Err("Invalid token: service not found".to_owned());
    }
    let iat = claims["iat"].as_i64().ok_or("Invalid token: no iat")?;
    if (chrono::Utc::now().timestamp() - iat).abs() > 30 {
        return Err("Error: Your system clock must be accurate to within 30 seconds".to_owned());
    }
    Ok(())
}
