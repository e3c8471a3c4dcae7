//! The resident's own data: take it away (`GET /v1/me`) or have it erased (`POST /v1/me/erase`).
//!
//! Invariant: after an erase nothing the council holds points to the resident — their device,
//! account, tokens, push token (with the device), codes, emails, feed and keys are gone, and
//! their reports, bookings and payments belong to nobody (kept, without contact details, where
//! the council must keep them).

use crate::sql::{Optional, Sql, params};
use axum::{extract::State, http::StatusCode, response::Response};
use doorstep_protocol::{
    Booking, Erased, ErrorBody, MyData, Payment, PushService, PushToken, Report,
};

use crate::{
    AppState,
    auth::Resident,
    error::ApiResult,
    idempotency::{self, Key, fingerprint},
    store::{self, Stored},
};

/// Who erased things are left belonging to.
const NOBODY: &str = "erased";

/// Everything the council holds about the caller.
#[utoipa::path(get, path = "/v1/me", tag = "account", security(("bearer" = [])), responses((status = 200, body = MyData), (status = 401, body = ErrorBody)))]
pub async fn export(
    State(app): State<AppState>,
    caller: Resident,
) -> ApiResult<axum::Json<MyData>> {
    let data = app
        .db
        .read(move |conn| {
            let account_email = match &caller.account_id {
                Some(account) => conn
                    .query_row(
                        "SELECT email FROM accounts WHERE id = ?1",
                        params![account],
                        |r| r.get(0),
                    )
                    .optional()?,
                None => None,
            };
            let push_token = conn
                .query_row(
                    "SELECT service, token FROM push_tokens WHERE device_id = ?1",
                    params![caller.device_id],
                    |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)),
                )
                .optional()?
                .and_then(|(service, token)| {
                    Some(PushToken {
                        service: PushService::named(&service)?,
                        token,
                    })
                });
            Ok(MyData {
                device_id: caller.device_id.clone(),
                account_email,
                push_token,
                reports: store::list_for::<Report>(conn, &caller)?,
                bookings: store::list_for::<Booking>(conn, &caller)?,
                payments: store::list_for::<Payment>(conn, &caller)?,
            })
        })
        .await?;
    Ok(axum::Json(data))
}

/// Erase the caller: this device, and the account it is signed in to.
#[utoipa::path(post, path = "/v1/me/erase", tag = "account",
    params(("Idempotency-Key" = String, Header, description = "A key made once for this erasure")),
    security(("bearer" = [])),
    responses((status = 200, body = Erased), (status = 401, body = ErrorBody)))]
pub async fn erase(
    State(app): State<AppState>,
    caller: Resident,
    Key(key): Key,
) -> ApiResult<Response> {
    let now = app.now();
    let request = idempotency::Request {
        scope: caller.scope(),
        fingerprint: fingerprint("POST", "/v1/me/erase", &())?,
        key,
    };
    Ok(idempotency::run(&app.db, now, request, move |conn| {
        conn.execute(
            "INSERT INTO devices (id, platform, name, created_at) VALUES (?1, 'cli', 'erased residents', ?2) ON CONFLICT (id) DO NOTHING",
            params![NOBODY, now.to_rfc3339()],
        )?;
        let erased = Erased {
            reports: disown::<Report>(conn, &caller, |report| report.contact = None)?,
            bookings: disown::<Booking>(conn, &caller, |_| {})?,
            payments: disown::<Payment>(conn, &caller, |_| {})?,
        };
        conn.execute("UPDATE attachments SET device_id = ?2 WHERE device_id = ?1", params![caller.device_id, NOBODY])?;
        conn.execute(
            "DELETE FROM changes WHERE device_id = ?1 OR (CAST(?2 AS TEXT) IS NOT NULL AND account_id = ?2)",
            params![caller.device_id, caller.account_id],
        )?;
        conn.execute("DELETE FROM tokens WHERE device_id = ?1 OR (CAST(?2 AS TEXT) IS NOT NULL AND account_id = ?2)", params![caller.device_id, caller.account_id])?;
        conn.execute("DELETE FROM sign_in_codes WHERE device_id = ?1", params![caller.device_id])?;
        conn.execute("DELETE FROM idempotency WHERE scope = ?1", params![caller.scope()])?;
        if let Some(account) = &caller.account_id {
            let email: Option<String> = conn.query_row("SELECT email FROM accounts WHERE id = ?1", params![account], |r| r.get(0)).optional()?;
            if let Some(email) = email {
                conn.execute("DELETE FROM notifications WHERE email_address = ?1", params![email])?;
                conn.execute("DELETE FROM sign_in_codes WHERE email = ?1", params![email])?;
            }
            conn.execute("UPDATE devices SET account_id = NULL WHERE account_id = ?1", params![account])?;
            conn.execute("DELETE FROM accounts WHERE id = ?1", params![account])?;
        }
        conn.execute("DELETE FROM devices WHERE id = ?1", params![caller.device_id])?;
        Ok((StatusCode::OK, serde_json::to_value(erased)?))
    })
    .await)
}

/// Leave the caller's things of one kind to nobody, after `scrub` removes what identifies them.
fn disown<T: Stored + Clone>(
    conn: &dyn Sql,
    caller: &Resident,
    scrub: impl Fn(&mut T),
) -> ApiResult<u64> {
    let items = store::list_for::<T>(conn, caller)?;
    for listed in &items {
        // Read again to be changed, so that a change made meanwhile (a council officer's note)
        // is scrubbed with the rest, never overwritten by the copy listed.
        let Some(owned) = store::load::<T>(conn, listed.id())? else {
            continue;
        };
        let mut item = owned.item;
        scrub(&mut item);
        conn.execute(
            &format!(
                "UPDATE {} SET body = ?2, device_id = ?3, account_id = NULL WHERE id = ?1",
                T::TABLE
            ),
            params![item.id(), serde_json::to_string(&item)?, NOBODY],
        )?;
    }
    Ok(items.len() as u64)
}
