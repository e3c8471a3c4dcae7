//! Rate limits kept in the store, so that every instance of the server counts alike.
//!
//! Invariant: at most `limit` events are accepted per bucket in any `window` seconds, however
//! many servers count at once — each takes the bucket's row before counting, so their counts
//! follow one another; a refused event is not counted, and the answer says how long to wait.

use crate::sql::{Sql, params};
use chrono::{DateTime, Utc};

use crate::error::{ApiError, ApiResult};

/// The longest window any limit counts over is an hour; a bucket quiet for a day is forgotten.
const QUIET_SECONDS: i64 = 86_400;

/// Forget the buckets that have counted nothing for a day, and their events (housekeeping).
pub fn forget_quiet_buckets(conn: &dyn Sql, now: DateTime<Utc>) -> crate::sql::Result<usize> {
    let before = now.timestamp() - QUIET_SECONDS;
    conn.execute(
        "DELETE FROM rate_events WHERE bucket IN (SELECT bucket FROM rate_buckets WHERE counted_at < ?1)",
        params![before],
    )?;
    conn.execute(
        "DELETE FROM rate_buckets WHERE counted_at < ?1",
        params![before],
    )
}

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
        "INSERT INTO rate_buckets (bucket, counted_at) VALUES (?1, ?2)
         ON CONFLICT (bucket) DO UPDATE SET counted_at = excluded.counted_at",
        params![bucket, now],
    )?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_window_refuses_and_a_quiet_bucket_is_forgotten_with_its_events() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        crate::db::migrate(&mut conn).unwrap();
        let sql: &dyn Sql = &conn;
        let start = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        for _ in 0..2 {
            take(sql, "quiet", 2, 3600, start, "tries").unwrap();
        }
        let refused = take(sql, "quiet", 2, 3600, start, "tries").unwrap_err();
        assert_eq!(refused.status.as_u16(), 429);
        let later = start + chrono::Duration::seconds(QUIET_SECONDS + 1);
        take(sql, "busy", 2, 3600, later, "tries").unwrap();
        assert_eq!(forget_quiet_buckets(sql, later).unwrap(), 1);
        let left: Vec<String> = sql
            .query_map(
                "SELECT bucket FROM rate_events UNION ALL SELECT bucket FROM rate_buckets",
                params![],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(left, ["busy", "busy"]);
    }
}
