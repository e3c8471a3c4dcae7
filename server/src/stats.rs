//! Counts for operators and tests: `doorstep-server stats --db FILE [--json]`.
//!
//! Invariant: read-only; it opens the file without migrating it, so it can look at a store
//! while a server is using it.

use std::{collections::BTreeMap, path::Path};

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Stats {
    pub reports: u64,
    pub reports_by_status: BTreeMap<String, u64>,
    pub bookings: BTreeMap<String, u64>,
    pub payments: BTreeMap<String, u64>,
    pub idempotency_keys: u64,
    pub devices: u64,
    pub accounts: u64,
    pub attachments: u64,
}

/// Count what the store at `path` holds.
pub fn read(path: &Path) -> anyhow::Result<Stats> {
    anyhow::ensure!(path.exists(), "there is no database at {}", path.display());
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let count = |sql: &str| -> anyhow::Result<u64> {
        Ok(conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64)
    };
    let by_status = |table: &str| -> anyhow::Result<BTreeMap<String, u64>> {
        let mut statement = conn.prepare(&format!(
            "SELECT status, COUNT(*) FROM {table} GROUP BY status"
        ))?;
        let rows = statement.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    Ok(Stats {
        reports: count("SELECT COUNT(*) FROM reports")?,
        reports_by_status: by_status("reports")?,
        bookings: by_status("bookings")?,
        payments: by_status("payments")?,
        idempotency_keys: count("SELECT COUNT(*) FROM idempotency")?,
        devices: count("SELECT COUNT(*) FROM devices")?,
        accounts: count("SELECT COUNT(*) FROM accounts")?,
        attachments: count("SELECT COUNT(*) FROM attachments")?,
    })
}
