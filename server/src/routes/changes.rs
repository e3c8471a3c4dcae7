//! The resident's change feed.
//!
//! Invariant: a caller sees only changes to their own things — their device's, and their
//! account's when signed in — in `seq` order, from just after the cursor they pass; changes the
//! caller says it holds (`held`) are left out, and the cursor moves past them as past the rest.

use crate::sql::params;
use axum::extract::State;
use chrono::{DateTime, Utc};
use doorstep_protocol::{
    Change, ChangeFeed, ChangedItem, ErrorBody, MAX_HELD_RANGES, Payment, parse_held,
};
use serde::Deserialize;

use crate::{
    AppState,
    auth::Resident,
    error::{ApiError, ApiResult},
    extract::{self, Query},
    routes::payments,
    store,
};

const DEFAULT_LIMIT: u32 = 500;
const MAX_LIMIT: u32 = 1000;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// The cursor from the last answer; absent or empty for everything.
    since: Option<String>,
    /// At most this many changes (1 to 1000, default 500).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
    /// Changes the caller already holds, as `seq` ranges (`3-9,12`, at most 64): the ones a
    /// batch's answers named, once recorded.
    held: Option<String>,
}

/// What changed for the caller since the cursor.
#[utoipa::path(get, path = "/v1/changes", tag = "sync", params(ChangesQuery), security(("bearer" = [])),
    responses((status = 200, body = ChangeFeed), (status = 400, body = ErrorBody)))]
pub async fn feed(
    State(app): State<AppState>,
    caller: Resident,
    Query(query): Query<ChangesQuery>,
) -> ApiResult<axum::Json<ChangeFeed>> {
    let since: i64 = match query.since.as_deref() {
        None | Some("") => 0,
        Some(text) => text.parse().ok().filter(|n| *n >= 0).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_cursor",
                "since must be a cursor from an earlier answer",
            )
            .with_field("since")
        })?,
    };
    let held = parse_held(query.held.as_deref().unwrap_or_default()).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_query",
            format!("held must be up to {MAX_HELD_RANGES} seq ranges such as 3-9,12"),
        )
        .with_field("held")
    })?;
    let limit = extract::limit(query.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    // Payments the payer never came back from still move on (expiry): ask the provider first.
    let owner = caller.clone();
    let unfinished = app
        .db
        .read(move |conn| {
            Ok(store::list_for::<Payment>(conn, &owner)?
                .into_iter()
                .filter(|p| !p.state.finished)
                .collect::<Vec<_>>())
        })
        .await?;
    for payment in unfinished {
        // A provider that cannot be reached must not stop the feed: the payment is asked about
        // again on the next pull.
        if let Err(error) = payments::refresh(&app, payment).await {
            tracing::warn!(code = %error.body.error.code, "could not refresh a payment from its provider");
        }
    }
    let feed = app
        .db
        .read(move |conn| {
            let mut found: Vec<(i64, String, String)> = Vec::new();
            let mut passed = since;
            let mut more = false;
            conn.each_row(
                "SELECT seq, body, at FROM changes
                 WHERE seq > ?1 AND ((account_id IS NULL AND device_id = ?2) OR (CAST(?3 AS TEXT) IS NOT NULL AND account_id = ?3))
                 ORDER BY seq",
                params![since, caller.device_id, caller.account_id],
                &mut |row| {
                    let seq: i64 = row.get(0)?;
                    if is_held(&held, seq as u64) {
                        passed = seq;
                        return Ok(true);
                    }
                    if found.len() == limit as usize {
                        more = true;
                        return Ok(false);
                    }
                    passed = seq;
                    found.push((seq, row.get(1)?, row.get(2)?));
                    Ok(true)
                },
            )?;
            let mut changes = Vec::with_capacity(found.len());
            for (seq, entity, at) in found {
                let entity: ChangedItem = serde_json::from_str(&entity)?;
                let at = DateTime::parse_from_rfc3339(&at)
                    .map_err(ApiError::internal)?
                    .with_timezone(&Utc);
                changes.push(Change {
                    seq: seq as u64,
                    at,
                    entity,
                });
            }
            let cursor = passed.to_string();
            Ok(ChangeFeed {
                changes,
                cursor,
                more,
            })
        })
        .await?;
    Ok(axum::Json(feed))
}

/// Is `seq` within one of the `held` ranges?
fn is_held(held: &[(u64, u64)], seq: u64) -> bool {
    held.iter()
        .any(|&(first, last)| (first..=last).contains(&seq))
}
