//! Leases: the work that one instance of the council server must do alone, however many serve
//! one store — housekeeping, sending email, sending pushes — is done by whichever instance
//! holds its lease. A lease names its holder (one id per running server) and the time it runs
//! out; the holder renews it before each piece of the work, and another instance may take it
//! only once it has run out, so a server that stops (or is killed) hands its work on by itself.
//!
//! Invariant: at any moment at most one holder's lease on a name is live, and a holder acts
//! only just after renewing its lease for longer than one piece of the work can take.

use crate::sql::{Sql, params};
use chrono::{DateTime, Utc};

use crate::db::Db;

/// How long a sender's lease lasts from each renewal: longer than one email or push can take
/// (its HTTPS client gives up after 20 seconds), and short, since after a server is killed the
/// next waits this long to send.
pub const SENDER_SECONDS: i64 = 30;

/// One running server's name for itself as a lease holder.
pub fn holder() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Take or renew the lease on `name` for `holder` until `seconds` from `now`: true when
/// `holder` has it, false while another's is live.
pub fn take(
    conn: &dyn Sql,
    name: &str,
    holder: &str,
    now: DateTime<Utc>,
    seconds: i64,
) -> crate::sql::Result<bool> {
    let changed = conn.execute(
        "INSERT INTO leases (name, holder, until) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
             WHERE leases.holder = excluded.holder OR leases.until <= ?4",
        params![name, holder, now.timestamp() + seconds, now.timestamp()],
    )?;
    Ok(changed == 1)
}

/// `take`, in its own transaction: false too when the store cannot be written (the work waits
/// for the next round).
pub async fn hold(
    db: &Db,
    name: &'static str,
    holder: &str,
    now: DateTime<Utc>,
    seconds: i64,
) -> bool {
    let holder = holder.to_owned();
    match db
        .write(move |tx| Ok(take(tx, name, &holder, now, seconds)?))
        .await
    {
        Ok(held) => held,
        Err(error) => {
            tracing::warn!(name, error = %error.body.error.message, "could not renew a lease; the work waits");
            false
        }
    }
}

/// A server that stops gives up its leases, so another (or itself, started again) goes on at
/// once.
pub async fn release(db: &Db, holder: &str) {
    let holder = holder.to_owned();
    let released = db
        .write(move |tx| {
            tx.execute("DELETE FROM leases WHERE holder = ?1", params![holder])?;
            Ok(())
        })
        .await;
    if let Err(error) = released {
        tracing::warn!(error = %error.body.error.message, "could not give up the leases; they run out by themselves");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_until_its_lease_runs_out() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        crate::db::migrate(&mut conn).unwrap();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let later = |seconds| now + chrono::Duration::seconds(seconds);
        assert!(take(&conn, "email", "a", now, 60).unwrap());
        assert!(
            !take(&conn, "email", "b", later(30), 60).unwrap(),
            "a's is live"
        );
        assert!(
            take(&conn, "push", "b", later(30), 60).unwrap(),
            "each name apart"
        );
        assert!(
            take(&conn, "email", "a", later(50), 60).unwrap(),
            "a renews"
        );
        assert!(
            !take(&conn, "email", "b", later(100), 60).unwrap(),
            "renewed to 110"
        );
        assert!(
            take(&conn, "email", "b", later(110), 60).unwrap(),
            "a's ran out"
        );
        assert!(
            !take(&conn, "email", "a", later(111), 60).unwrap(),
            "now b's"
        );
    }
}
