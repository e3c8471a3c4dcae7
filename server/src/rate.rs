//! Rate limits kept in the store, so that every instance of the server counts alike.
//!
//! Invariant: at most `limit` events are accepted per bucket in any `window` seconds; a refused
//! event is not counted, and the answer says how long to wait.

use crate::sql::{Sql, params};
use chrono::{DateTime, Utc};

use crate::error::{ApiError, ApiResult};

/// Count one event in `bucket`, or refuse it with 429 when the window is full.
pub fn take(
    conn: &dyn Sql,
    bucket: &str,
    limit: u32,
    window_seconds: i64,
    now: DateTime<Utc>,
    what: &str,
) -> ApiResult<()> {
    let now = now.timestamp();
    let since = now - window_seconds;
    conn.execute(
        "DELETE FROM rate_events WHERE bucket = ?1 AND at <= ?2",
        params![bucket, since],
    )?;
    let (count, oldest): (u32, Option<i64>) = conn.query_row(
        "SELECT COUNT(*), MIN(at) FROM rate_events WHERE bucket = ?1",
        params![bucket],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if count >= limit {
        let wait = oldest
            .map_or(window_seconds, |at| at + window_seconds - now)
            .max(1);
        return Err(ApiError::too_many(
            format!("Too many {what}: try again in {} minutes", (wait + 59) / 60),
            wait as u64,
        ));
    }
    conn.execute(
        "INSERT INTO rate_events (bucket, at) VALUES (?1, ?2)",
        params![bucket, now],
    )?;
    Ok(())
}
