//! Who is calling: a resident's device (perhaps signed in to an account), or council staff.
//!
//! Invariant: tokens are random, shown once, and stored only as their SHA-256; every resident
//! read and write is checked against the caller's device and account with `Resident::owns`.

use crate::sql::{Optional, Sql, params};
use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, request::Parts},
};
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{AppState, error::ApiError};

/// A resident's device, and the account it is signed in to.
#[derive(Debug, Clone)]
pub struct Resident {
    pub device_id: String,
    pub account_id: Option<String>,
    pub token_hash: String,
}

impl Resident {
    /// Idempotency keys belong to the device, whatever token it presents.
    pub fn scope(&self) -> String {
        format!("device:{}", self.device_id)
    }

    /// Does something owned by `device_id` / `account_id` belong to this caller? A thing that
    /// belongs to an account is its account's alone — a shared device signed out, or signed in
    /// as someone else, does not see it; a thing of no account is its device's.
    pub fn owns(&self, device_id: &str, account_id: Option<&str>) -> bool {
        match account_id {
            Some(account) => self.account_id.as_deref() == Some(account),
            None => device_id == self.device_id,
        }
    }
}

/// A member of the council's staff.
#[derive(Debug, Clone)]
pub struct Staff;

impl Staff {
    /// Staff keys are the council's, not a token's: a new staff token never re-runs a change.
    pub fn scope(&self) -> String {
        "staff".to_owned()
    }
}

/// A new random token with a recognisable prefix.
pub fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}_{}", hex::encode(bytes))
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Store a new token of `kind` and return it; it is never readable again.
pub fn issue_token(
    conn: &dyn Sql,
    kind: &str,
    device_id: Option<&str>,
    account_id: Option<&str>,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> crate::sql::Result<String> {
    let token = new_token(match kind {
        "staff" => "dss",
        "account" => "dsa",
        _ => "dsd",
    });
    conn.execute("INSERT INTO tokens (hash, kind, device_id, account_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", params![hash_token(&token), kind, device_id, account_id, now.to_rfc3339(), expires_at.map(|t| t.timestamp())],
    )?;
    Ok(token)
}

struct TokenRow {
    hash: String,
    kind: String,
    device_id: Option<String>,
    account_id: Option<String>,
}

fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let header = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::unauthorized("Send the device's token as 'Authorization: Bearer <token>' (register with POST /v1/devices)"))?;
    header
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthorized("The Authorization header must be 'Bearer <token>'"))
}

async fn token_row(state: &AppState, headers: &HeaderMap) -> Result<TokenRow, ApiError> {
    row_of(state, bearer(headers)?).await
}

async fn row_of(state: &AppState, token: &str) -> Result<TokenRow, ApiError> {
    let hash = hash_token(token);
    let now = state.now().timestamp();
    let row = state
        .db
        .read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT kind, device_id, account_id, expires_at FROM tokens WHERE hash = ?1",
                    params![hash],
                    |r| {
                        Ok((
                            TokenRow {
                                hash: hash.clone(),
                                kind: r.get(0)?,
                                device_id: r.get(1)?,
                                account_id: r.get(2)?,
                            },
                            r.get::<Option<i64>>(3)?,
                        ))
                    },
                )
                .optional()?)
        })
        .await?;
    match row {
        Some((row, expires_at)) if expires_at.is_none_or(|at| at > now) => Ok(row),
        Some(_) => Err(ApiError::unauthorized(
            "Your sign-in has expired: sign in again",
        )),
        None => Err(ApiError::unauthorized(
            "That token is not known: register the device or sign in again",
        )),
    }
}

impl FromRequestParts<AppState> for Resident {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(Vouched(resident)) = parts.extensions.get::<Vouched>() {
            return Ok(resident.clone());
        }
        resident(state, &parts.headers).await
    }
}

/// A resident the batch around this operation has already checked, once for all its
/// operations (they carry the batch's own `Authorization`). Only the server sets it.
#[derive(Debug, Clone)]
pub struct Vouched(pub Resident);

/// The resident whose token the headers carry.
pub async fn resident(state: &AppState, headers: &HeaderMap) -> Result<Resident, ApiError> {
    resident_of(token_row(state, headers).await?)
}

/// The resident whose token is `token` (Open311's `api_key` is a device's or account's token).
pub async fn resident_by_token(state: &AppState, token: &str) -> Result<Resident, ApiError> {
    resident_of(row_of(state, token).await?)
}

fn resident_of(row: TokenRow) -> Result<Resident, ApiError> {
    match (row.kind.as_str(), row.device_id) {
        ("device" | "account", Some(device_id)) => Ok(Resident {
            device_id,
            account_id: row.account_id,
            token_hash: row.hash,
        }),
        _ => Err(ApiError::forbidden(
            "Staff tokens cannot act for a resident",
        )),
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let row = token_row(state, &parts.headers).await?;
        if row.kind == "staff" {
            Ok(Staff)
        } else {
            Err(ApiError::forbidden("Only council staff can do this"))
        }
    }
}
