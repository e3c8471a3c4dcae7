//! Device registration, sign-in by emailed one-time code, and the push token a phone gives.
//!
//! Invariant: a token appears only in the answer that issues it, never in a stored answer;
//! replaying the request that issued one issues a fresh token for the same device or account.
//! A code is stored hashed, expires, and allows a few attempts only; its email, waiting in the
//! notifications outbox, holds it in clear only while it can still be used (until it is used,
//! replaced or expired). A push token is one device's: registering it moves it from any other.

use std::net::{IpAddr, SocketAddr};

use crate::sql::{Dialect, Optional, Sql, params};
use axum::{
    extract::{ConnectInfo, FromRequestParts, State},
    http::{StatusCode, request::Parts},
    response::Response,
};
use chrono::Duration;
use doorstep_protocol::{
    AccountToken, Booking, CodeSent, DeviceToken, EmailSignIn, ErrorBody, FieldProblem, NewDevice,
    Payment, PushTarget, PushToken, Report, SignedOut, VerifyCode,
    rules::{self, valid_email},
};
use rand::Rng;
use serde_json::{Value, json};

use crate::{
    AppState,
    auth::{Resident, hash_token, issue_token},
    error::{ApiError, ApiResult},
    extract::Json,
    idempotency::{self, Key, fingerprint},
    notify, rate,
    store::{self, new_id},
};

const CODE_MINUTES: i64 = 15;
const CODE_ATTEMPTS: i64 = 5;
const ACCOUNT_TOKEN_DAYS: i64 = 180;

/// The client's address, when the connection has one (a batch's operations inherit it).
pub struct ClientAddress(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

/// Register a device: no account is needed to report, book or pay.
#[utoipa::path(post, path = "/v1/devices", tag = "account", request_body = NewDevice,
    params(("Idempotency-Key" = String, Header, description = "A key made once for this action")),
    responses((status = 201, body = DeviceToken), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn register(
    State(app): State<AppState>,
    ClientAddress(ip): ClientAddress,
    Key(key): Key,
    Json(body): Json<NewDevice>,
) -> ApiResult<Response> {
    let now = app.now();
    let request = idempotency::Request {
        scope: "registration".to_owned(),
        fingerprint: fingerprint("POST", "/v1/devices", &body)?,
        key,
    };
    let limit = app.limits.registrations_per_hour;
    let bucket = format!(
        "register:{}",
        ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
    );
    Ok(idempotency::run_revealing(
        &app.db,
        now,
        request,
        move |conn| {
            let problems = rules::validate_device(&body);
            if !problems.is_empty() {
                return Err(ApiError::validation(problems));
            }
            rate::take(
                conn,
                &bucket,
                limit,
                3600,
                now,
                "new devices from this address",
            )?;
            let device_id = new_id();
            conn.execute(
                "INSERT INTO devices (id, platform, name, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![device_id, body.platform, body.name, now.to_rfc3339()],
            )?;
            Ok((StatusCode::CREATED, json!({ "device_id": device_id })))
        },
        move |conn, answer| {
            let device_id = answer["device_id"].as_str().unwrap_or_default().to_owned();
            // A replay (the first answer was lost) replaces any token issued before.
            conn.execute(
                "DELETE FROM tokens WHERE device_id = ?1 AND kind = 'device'",
                params![device_id],
            )?;
            answer["token"] = Value::String(issue_token(
                conn,
                "device",
                Some(&device_id),
                None,
                None,
                now,
            )?);
            Ok(())
        },
    )
    .await)
}

/// Email a one-time sign-in code.
#[utoipa::path(post, path = "/v1/auth/email", tag = "account", request_body = EmailSignIn,
    params(("Idempotency-Key" = String, Header, description = "A key made once for this action")),
    security(("bearer" = [])),
    responses((status = 202, body = CodeSent), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn send_code(
    State(app): State<AppState>,
    caller: Resident,
    Key(key): Key,
    Json(body): Json<EmailSignIn>,
) -> ApiResult<Response> {
    let now = app.now();
    let request = idempotency::Request {
        scope: caller.scope(),
        fingerprint: fingerprint("POST", "/v1/auth/email", &body)?,
        key,
    };
    let limit = app.limits.codes_per_hour;
    let demo = app.demo;
    Ok(idempotency::run(&app.db, now, request, move |conn| {
        let email = body.email.trim().to_lowercase();
        if !valid_email(&email) {
            return Err(ApiError::validation(vec![FieldProblem::new(
                "email",
                "Enter an email address in the correct format, like name@example.com",
            )]));
        }
        rate::take(conn, &format!("code:{email}"), limit, 3600, now, "sign-in codes for this email address")?;
        rate::take(conn, &format!("code-device:{}", caller.device_id), limit * 2, 3600, now, "sign-in codes from this device")?;
        let code = format!("{:06}", rand::rng().random_range(0..1_000_000));
        conn.execute(
            "INSERT INTO sign_in_codes (email, code_hash, device_id, expires_at, attempts) VALUES (?1, ?2, ?3, ?4, 0)
             ON CONFLICT (email) DO UPDATE SET code_hash = excluded.code_hash, device_id = excluded.device_id,
                 expires_at = excluded.expires_at, attempts = 0",
            params![email, code_hash(&email, &code), caller.device_id, (now + Duration::minutes(CODE_MINUTES)).timestamp()],
        )?;
        forget_emailed_codes(conn, &email)?;
        // Sent through GOV.UK Notify when the deployment configures it (notify.rs).
        let reference = notify::queue(conn, "sign-in-code", &email, &json!({ "code": code, "minutes": CODE_MINUTES }), now)?;
        if demo {
            tracing::info!(to = %mask(&email), %code, reference, "sign-in code (demo: no email is sent; the code is shown here)");
        } else {
            tracing::info!(to = %mask(&email), reference, "sign-in code queued for GOV.UK Notify");
        }
        let sent = CodeSent { sent_to: mask(&email), expires_in_seconds: (CODE_MINUTES * 60) as u64 };
        Ok((StatusCode::ACCEPTED, serde_json::to_value(sent)?))
    })
    .await)
}

/// Exchange a code for an account token; the device's reports, bookings and payments that
/// belong to no account yet join this one.
#[utoipa::path(post, path = "/v1/auth/verify", tag = "account", request_body = VerifyCode,
    params(("Idempotency-Key" = String, Header, description = "A key made once for this attempt")),
    security(("bearer" = [])),
    responses((status = 200, body = AccountToken), (status = 422, body = ErrorBody)))]
pub async fn verify(
    State(app): State<AppState>,
    caller: Resident,
    Key(key): Key,
    Json(body): Json<VerifyCode>,
) -> ApiResult<Response> {
    let now = app.now();
    let request = idempotency::Request {
        scope: caller.scope(),
        fingerprint: fingerprint("POST", "/v1/auth/verify", &body)?,
        key,
    };
    let device_id = caller.device_id.clone();
    Ok(idempotency::run_revealing(
        &app.db,
        now,
        request,
        move |conn| {
            let email = body.email.trim().to_lowercase();
            let code = body.code.trim();
            // Read to be changed: on PostgreSQL the code's row is this transaction's, so that
            // guesses sent at once through several servers are counted one after another.
            let read = match conn.dialect() {
                Dialect::Sqlite => "SELECT code_hash, expires_at, attempts FROM sign_in_codes WHERE email = ?1 AND device_id = ?2",
                Dialect::Postgres => "UPDATE sign_in_codes SET attempts = attempts WHERE email = ?1 AND device_id = ?2
                                      RETURNING code_hash, expires_at, attempts",
            };
            let row: Option<(String, i64, i64)> = conn
                .query_row(read, params![email, caller.device_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            let refuse = |code: &str, message: &str| {
                let error = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message).with_field("code");
                Ok((error.status, serde_json::to_value(error.body)?))
            };
            let Some((stored_hash, expires_at, attempts)) = row else {
                return refuse("code_not_found", "Ask for a sign-in code first, then enter it here");
            };
            if expires_at <= now.timestamp() {
                return refuse("code_expired", "That code has expired: ask for a new one");
            }
            if attempts >= CODE_ATTEMPTS {
                return refuse("too_many_attempts", "That code was entered wrongly too many times: ask for a new one");
            }
            if code_hash(&email, code) != stored_hash {
                // The failed attempt is counted even though the answer is an error.
                conn.execute("UPDATE sign_in_codes SET attempts = attempts + 1 WHERE email = ?1", params![email])?;
                return refuse("code_wrong", "That code is not right: check the email and try again");
            }
            conn.execute("DELETE FROM sign_in_codes WHERE email = ?1", params![email])?;
            forget_emailed_codes(conn, &email)?;
            let account_id: String = match conn
                .query_row("SELECT id FROM accounts WHERE email = ?1", params![email], |r| r.get(0))
                .optional()?
            {
                Some(id) => id,
                None => {
                    let id = new_id();
                    conn.execute("INSERT INTO accounts (id, email, created_at) VALUES (?1, ?2, ?3)", params![id, email, now.to_rfc3339()])?;
                    id
                }
            };
            conn.execute("UPDATE devices SET account_id = ?1 WHERE id = ?2", params![account_id, caller.device_id])?;
            // Only what this device made while signed out joins: on a shared device, another
            // resident's things stay theirs. The account's other devices hear of what joined.
            store::join_account::<Report>(conn, &caller.device_id, &account_id, now)?;
            store::join_account::<Booking>(conn, &caller.device_id, &account_id, now)?;
            store::join_account::<Payment>(conn, &caller.device_id, &account_id, now)?;
            Ok((StatusCode::OK, json!({ "account_id": account_id, "device_id": caller.device_id, "email": email })))
        },
        move |conn, answer| {
            let account_id = answer["account_id"].as_str().unwrap_or_default().to_owned();
            let expires = now + Duration::days(ACCOUNT_TOKEN_DAYS);
            answer["token"] = Value::String(issue_token(conn, "account", Some(&device_id), Some(&account_id), Some(expires), now)?);
            Ok(())
        },
    )
    .await)
}

/// Sign out: the account token stops working; the device keeps its own identity and token.
#[utoipa::path(post, path = "/v1/auth/signout", tag = "account",
    params(("Idempotency-Key" = String, Header, description = "A key made once for this action")),
    security(("bearer" = [])),
    responses((status = 200, body = SignedOut)))]
pub async fn sign_out(
    State(app): State<AppState>,
    caller: Resident,
    Key(key): Key,
) -> ApiResult<Response> {
    let now = app.now();
    let request = idempotency::Request {
        scope: caller.scope(),
        fingerprint: fingerprint("POST", "/v1/auth/signout", &())?,
        key,
    };
    Ok(idempotency::run(&app.db, now, request, move |conn| {
        conn.execute(
            "DELETE FROM tokens WHERE hash = ?1 AND kind = 'account'",
            params![caller.token_hash],
        )?;
        Ok((
            StatusCode::OK,
            serde_json::to_value(SignedOut {
                device_id: caller.device_id,
            })?,
        ))
    })
    .await)
}

/// Where the council wakes this phone: the token its push service gave it. The token leaves any
/// other device that had it (a phone restored from another's backup); the council then pushes
/// "something changed" (never more) when it changes one of the resident's things.
#[utoipa::path(put, path = "/v1/devices/me/push-token", tag = "account", request_body = PushToken,
    params(("Idempotency-Key" = String, Header, description = "A key made once for this action")),
    security(("bearer" = [])),
    responses((status = 200, body = PushTarget), (status = 422, body = ErrorBody)))]
pub async fn set_push_token(
    State(app): State<AppState>,
    caller: Resident,
    Key(key): Key,
    Json(body): Json<PushToken>,
) -> ApiResult<Response> {
    let now = app.now();
    let request = idempotency::Request {
        scope: caller.scope(),
        fingerprint: fingerprint("PUT", PUSH_TOKEN_PATH, &body)?,
        key,
    };
    Ok(idempotency::run(&app.db, now, request, move |conn| {
        let problems = rules::validate_push_token(&body);
        if !problems.is_empty() {
            return Err(ApiError::validation(problems));
        }
        conn.execute(
            "DELETE FROM push_tokens WHERE token = ?1 AND device_id <> ?2",
            params![body.token, caller.device_id],
        )?;
        conn.execute(
            "INSERT INTO push_tokens (device_id, service, token, registered_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (device_id) DO UPDATE SET
                 service = excluded.service, token = excluded.token, registered_at = excluded.registered_at",
            params![caller.device_id, body.service.name(), body.token, now.to_rfc3339()],
        )?;
        Ok((
            StatusCode::OK,
            serde_json::to_value(PushTarget {
                device_id: caller.device_id,
                service: Some(body.service),
            })?,
        ))
    })
    .await)
}

/// Stop waking this phone: its push token is forgotten, and any push waiting for it.
#[utoipa::path(delete, path = "/v1/devices/me/push-token", tag = "account",
    params(("Idempotency-Key" = String, Header, description = "A key made once for this action")),
    security(("bearer" = [])),
    responses((status = 200, body = PushTarget)))]
pub async fn stop_push(
    State(app): State<AppState>,
    caller: Resident,
    Key(key): Key,
) -> ApiResult<Response> {
    let now = app.now();
    let request = idempotency::Request {
        scope: caller.scope(),
        fingerprint: fingerprint("DELETE", PUSH_TOKEN_PATH, &())?,
        key,
    };
    Ok(idempotency::run(&app.db, now, request, move |conn| {
        conn.execute(
            "DELETE FROM push_tokens WHERE device_id = ?1",
            params![caller.device_id],
        )?;
        Ok((
            StatusCode::OK,
            serde_json::to_value(PushTarget {
                device_id: caller.device_id,
                service: None,
            })?,
        ))
    })
    .await)
}

/// Where a phone gives and takes back its push token.
pub const PUSH_TOKEN_PATH: &str = "/v1/devices/me/push-token";

/// Take the codes out of the sign-in emails to `email`: they can no longer be used.
fn forget_emailed_codes(conn: &dyn Sql, email: &str) -> crate::sql::Result<usize> {
    conn.execute(
        &forget_codes_where(conn, "email_address = ?1"),
        params![email],
    )
}

/// The statement that takes the code out of the sign-in emails that match `which`.
fn forget_codes_where(conn: &dyn Sql, which: &str) -> String {
    let without = match conn.dialect() {
        Dialect::Sqlite => "json_remove(personalisation, '$.code')",
        Dialect::Postgres => "(personalisation::jsonb - 'code')::text",
    };
    format!(
        "UPDATE notifications SET personalisation = {without}
         WHERE template_id = 'sign-in-code' AND {which} AND {code} IS NOT NULL",
        code = notify::code_of(conn.dialect())
    )
}

/// Take the codes out of sign-in emails older than a code lives.
pub fn forget_expired_codes(
    conn: &dyn Sql,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::sql::Result<usize> {
    conn.execute(
        &forget_codes_where(conn, "created_at < ?1"),
        params![(now - Duration::minutes(CODE_MINUTES)).to_rfc3339()],
    )
}

fn code_hash(email: &str, code: &str) -> String {
    hash_token(&format!("{email}\n{code}"))
}

/// `jane@example.org` → `j***@example.org`: enough to recognise, not enough to leak.
pub fn mask(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().next().unwrap_or('*')),
        None => "***".to_owned(),
    }
}
