//! Stand-ins on loopback for the two push services, speaking their documented contracts:
//!
//! - Firebase Cloud Messaging HTTP v1: Google's OAuth token endpoint takes a service account's
//!   signed assertion (RS256, checked against the account's public key; `scope`, `aud`, `iat`
//!   and `exp` as Google asks) for an access token, and
//!   `POST /v1/projects/{project}/messages:send` takes a message to a registration token with
//!   that access token, answering its `name`, 404 `UNREGISTERED` for a token no app has, and
//!   the answers a test scripts first (503, 429) to prove the sender tries again.
//! - APNs: `POST /3/device/{token}` over HTTP/2 only, with a provider token (ES256 over the
//!   key id and team id) and the `apns-topic` and `apns-push-type` headers, answering 200 with
//!   an `apns-id`, 410 `Unregistered` for a token the test has unregistered, and 403 for a
//!   provider token it cannot check.
//!
//! Invariant: every request to send a push is kept, in order, with its headers, body and the
//! status it was answered; each stand-in stops when dropped.

use std::{
    collections::{HashSet, VecDeque},
    sync::{Arc, Mutex},
};

use aws_lc_rs::{
    encoding::AsDer,
    rand::SystemRandom,
    rsa::{KeyPair as RsaKeyPair, KeySize},
    signature::{
        ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _,
        RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey,
    },
};
use axum::{
    Form, Json, Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
};
use base64::Engine as _;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

/// The Firebase project the stand-in serves.
pub const PROJECT: &str = "doorstep-durham";
/// The APNs key id and team id the stand-in takes.
pub const KEY_ID: &str = "ABC123DEFG";
pub const TEAM_ID: &str = "DEF123GHIJ";
/// The iOS app's bundle id, which its pushes are for.
pub const TOPIC: &str = "uk.doorstep.app";

/// One push it was asked to send, and what it answered.
#[derive(Debug, Clone)]
pub struct Received {
    /// The phone's token the push was for.
    pub token: String,
    pub headers: HeaderMap,
    pub body: Value,
    pub status: u16,
}

/// A PEM text of a PKCS #8 private key.
fn pem(der: &[u8]) -> String {
    let text = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = text
        .as_bytes()
        .chunks(64)
        .map(|line| std::str::from_utf8(line).expect("base64 is ASCII"))
        .collect();
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

/// A JWT's parts: its header and claims, and whether `verify` takes its signature.
fn read_jwt(token: &str, verify: impl Fn(&[u8], &[u8]) -> bool) -> Result<(Value, Value), String> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header, claims, signature] = parts[..] else {
        return Err("not a JWT".to_owned());
    };
    let decode = |part: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| "not base64url".to_owned())
    };
    if !verify(format!("{header}.{claims}").as_bytes(), &decode(signature)?) {
        return Err("the signature does not match the key".to_owned());
    }
    let json = |part: &str| -> Result<Value, String> {
        serde_json::from_slice(&decode(part)?).map_err(|_| "not JSON".to_owned())
    };
    Ok((json(header)?, json(claims)?))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

struct FcmInner {
    public_key: Vec<u8>,
    token_uri: Mutex<String>,
    access_tokens: Mutex<HashSet<String>>,
    received: Mutex<Vec<Received>>,
    scripted: Mutex<VecDeque<u16>>,
    /// Registration tokens that belong to an installed app.
    registered: Mutex<HashSet<String>>,
}

/// The running stand-in of FCM and Google's token endpoint.
pub struct Fcm {
    pub url: String,
    /// The service account's key file, as Firebase's console gives it.
    pub service_account: String,
    inner: Arc<FcmInner>,
    task: JoinHandle<()>,
}

impl Fcm {
    /// Start it; the first sends are answered with `first` (e.g. `[503]`).
    pub async fn start(first: &[u16]) -> Fcm {
        let key = RsaKeyPair::generate(KeySize::Rsa2048).expect("an RSA key");
        let der = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&key).expect("its PKCS #8");
        let inner = Arc::new(FcmInner {
            public_key: key.public_key().as_ref().to_vec(),
            token_uri: Mutex::default(),
            access_tokens: Mutex::default(),
            received: Mutex::default(),
            scripted: Mutex::new(first.iter().copied().collect()),
            registered: Mutex::default(),
        });
        let app = Router::new()
            .route("/token", post(fcm_token))
            .route("/v1/projects/{project}/messages:send", post(fcm_send))
            .with_state(inner.clone());
        let (url, task) = crate::stand_in(app).await;
        let token_uri = format!("{url}/token");
        *inner.token_uri.lock().expect("not poisoned") = token_uri.clone();
        let service_account = json!({
            "type": "service_account",
            "project_id": PROJECT,
            "private_key_id": "2f1c0e5d9b8a7c6e5d4c3b2a1f0e9d8c7b6a5f4e",
            "private_key": pem(der.as_ref()),
            "client_email": format!("doorstep@{PROJECT}.iam.gserviceaccount.com"),
            "client_id": "109876543210987654321",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": token_uri,
        })
        .to_string();
        Fcm {
            url,
            service_account,
            inner,
            task,
        }
    }

    /// A phone's app has this registration token.
    pub fn install(&self, token: &str) {
        self.inner
            .registered
            .lock()
            .expect("not poisoned")
            .insert(token.to_owned());
    }

    /// Everything it was asked to send so far.
    pub fn received(&self) -> Vec<Received> {
        self.inner.received.lock().expect("not poisoned").clone()
    }

    /// How many access tokens it has issued.
    pub fn access_tokens_issued(&self) -> usize {
        self.inner.access_tokens.lock().expect("not poisoned").len()
    }
}

impl Drop for Fcm {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn fcm_token(
    State(inner): State<Arc<FcmInner>>,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Response {
    let refuse = |why: &str| {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant", "error_description": why})),
        )
            .into_response()
    };
    if form.get("grant_type").map(String::as_str)
        != Some("urn:ietf:params:oauth:grant-type:jwt-bearer")
    {
        return refuse("Invalid grant_type");
    }
    let verify = |message: &[u8], signature: &[u8]| {
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &inner.public_key)
            .verify(message, signature)
            .is_ok()
    };
    let Ok((header, claims)) = read_jwt(form.get("assertion").map_or("", String::as_str), verify)
    else {
        return refuse("Invalid JWT Signature.");
    };
    let now = chrono::Utc::now().timestamp();
    let iat = claims["iat"].as_i64().unwrap_or(0);
    let token_uri = inner.token_uri.lock().expect("not poisoned").clone();
    if header["alg"] != "RS256"
        || claims["aud"] != token_uri.as_str()
        || claims["scope"] != "https://www.googleapis.com/auth/firebase.messaging"
        || (now - iat).abs() > 60
        || claims["exp"].as_i64().unwrap_or(0) - iat > 3600
    {
        return refuse(
            "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe",
        );
    }
    let access = format!("ya29.{}", uuid::Uuid::now_v7().simple());
    inner
        .access_tokens
        .lock()
        .expect("not poisoned")
        .insert(access.clone());
    Json(json!({"access_token": access, "expires_in": 3599, "token_type": "Bearer"}))
        .into_response()
}

/// FCM's error body, as its HTTP v1 API writes one.
fn fcm_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {
            "code": status.as_u16(),
            "message": message,
            "status": code,
            "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code}],
        }})),
    )
        .into_response()
}

async fn fcm_send(
    State(inner): State<Arc<FcmInner>>,
    Path(project): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let token = body["message"]["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let answer = fcm_answer(&inner, &project, &headers, &body);
    inner.received.lock().expect("not poisoned").push(Received {
        token,
        headers,
        body,
        status: answer.status().as_u16(),
    });
    answer
}

fn fcm_answer(inner: &FcmInner, project: &str, headers: &HeaderMap, body: &Value) -> Response {
    let known = bearer(headers).is_some_and(|access| {
        inner
            .access_tokens
            .lock()
            .expect("not poisoned")
            .contains(access)
    });
    if !known {
        return fcm_error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials.",
        );
    }
    if project != PROJECT {
        return fcm_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "Requested entity was not found.",
        );
    }
    if let Some(status) = inner.scripted.lock().expect("not poisoned").pop_front() {
        let status = StatusCode::from_u16(status).expect("a status");
        let code = if status == StatusCode::TOO_MANY_REQUESTS {
            "QUOTA_EXCEEDED"
        } else {
            "UNAVAILABLE"
        };
        let mut answer = fcm_error(status, code, "The service is currently unavailable.");
        answer
            .headers_mut()
            .insert("retry-after", "1".parse().expect("a header value"));
        return answer;
    }
    let message = &body["message"];
    let token = message["token"].as_str().unwrap_or_default();
    if token.is_empty() || !message["data"].is_object() {
        return fcm_error(
            StatusCode::BAD_REQUEST,
            "INVALID_ARGUMENT",
            "Request contains an invalid argument.",
        );
    }
    if !inner
        .registered
        .lock()
        .expect("not poisoned")
        .contains(token)
    {
        return fcm_error(
            StatusCode::NOT_FOUND,
            "UNREGISTERED",
            "Requested entity was not found.",
        );
    }
    Json(json!({"name": format!("projects/{PROJECT}/messages/{}", uuid::Uuid::now_v7().simple())}))
        .into_response()
}

struct ApnsInner {
    public_key: Vec<u8>,
    received: Mutex<Vec<Received>>,
    unregistered: Mutex<HashSet<String>>,
    provider_tokens: Mutex<HashSet<String>>,
}

/// The running stand-in of APNs.
pub struct Apns {
    pub url: String,
    /// The signing key, as the `.p8` file Apple's developer account gives.
    pub p8: String,
    inner: Arc<ApnsInner>,
    task: JoinHandle<()>,
}

impl Apns {
    pub async fn start() -> Apns {
        let rng = SystemRandom::new();
        let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .expect("a P-256 key");
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der.as_ref())
            .expect("the key just made");
        let inner = Arc::new(ApnsInner {
            public_key: key.public_key().as_ref().to_vec(),
            received: Mutex::default(),
            unregistered: Mutex::default(),
            provider_tokens: Mutex::default(),
        });
        let app = Router::new()
            .route("/3/device/{token}", post(apns_send))
            .with_state(inner.clone());
        let (url, task) = crate::stand_in(app).await;
        Apns {
            url,
            p8: pem(der.as_ref()),
            inner,
            task,
        }
    }

    /// The app was removed from the phone with this token.
    pub fn unregister(&self, token: &str) {
        self.inner
            .unregistered
            .lock()
            .expect("not poisoned")
            .insert(token.to_owned());
    }

    /// Everything it was asked to send so far.
    pub fn received(&self) -> Vec<Received> {
        self.inner.received.lock().expect("not poisoned").clone()
    }

    /// How many different provider tokens it was sent.
    pub fn provider_tokens_seen(&self) -> usize {
        self.inner
            .provider_tokens
            .lock()
            .expect("not poisoned")
            .len()
    }
}

impl Drop for Apns {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn apns_send(
    State(inner): State<Arc<ApnsInner>>,
    Path(token): Path<String>,
    version: axum::http::Version,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let (status, reason) = apns_answer(&inner, &token, version, &headers, &body);
    inner.received.lock().expect("not poisoned").push(Received {
        token,
        headers,
        body,
        status: status.as_u16(),
    });
    match reason {
        None => (status, [("apns-id", uuid::Uuid::now_v7().to_string())]).into_response(),
        Some(reason) => (status, Json(json!({"reason": reason}))).into_response(),
    }
}

fn apns_answer(
    inner: &ApnsInner,
    token: &str,
    version: axum::http::Version,
    headers: &HeaderMap,
    body: &Value,
) -> (StatusCode, Option<&'static str>) {
    if version != axum::http::Version::HTTP_2 {
        return (StatusCode::BAD_REQUEST, Some("BadRequest"));
    }
    let verify = |message: &[u8], signature: &[u8]| {
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &inner.public_key)
            .verify(message, signature)
            .is_ok()
    };
    let Some(provider) = bearer(headers) else {
        return (StatusCode::FORBIDDEN, Some("MissingProviderToken"));
    };
    let checked = read_jwt(provider, verify).ok().filter(|(header, claims)| {
        let iat = claims["iat"].as_i64().unwrap_or(0);
        header["alg"] == "ES256"
            && header["kid"] == KEY_ID
            && claims["iss"] == TEAM_ID
            && (chrono::Utc::now().timestamp() - iat).abs() < 3600
    });
    if checked.is_none() {
        return (StatusCode::FORBIDDEN, Some("InvalidProviderToken"));
    }
    inner
        .provider_tokens
        .lock()
        .expect("not poisoned")
        .insert(provider.to_owned());
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if header("apns-topic") != Some(TOPIC) {
        return (StatusCode::BAD_REQUEST, Some("DeviceTokenNotForTopic"));
    }
    if header("apns-push-type") == Some("background") && header("apns-priority") != Some("5") {
        return (StatusCode::BAD_REQUEST, Some("BadPriority"));
    }
    if !body["aps"].is_object() {
        return (StatusCode::BAD_REQUEST, Some("PayloadEmpty"));
    }
    if token.len() < 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return (StatusCode::BAD_REQUEST, Some("BadDeviceToken"));
    }
    if inner
        .unregistered
        .lock()
        .expect("not poisoned")
        .contains(token)
    {
        return (StatusCode::GONE, Some("Unregistered"));
    }
    (StatusCode::OK, None)
}
