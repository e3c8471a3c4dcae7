//! Counts for operators and tests: `doorstep-server stats --db FILE [--json]`.
//!
//! Invariant: read-only; it opens the store without migrating it, so it can look at a store
//! while servers are using it.

use std::{collections::BTreeMap, path::Path};

use serde::Serialize;

use crate::sql::{Sql, params};

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

/// Count what the store at `location` (a file or a PostgreSQL URL) holds.
pub fn read(location: &Path) -> anyhow::Result<Stats> {
    let store = crate::db::look_at(location)?;
    let conn: &dyn Sql = &*store;
    let count =
        |sql: &str| -> anyhow::Result<u64> { Ok(conn.query_row(sql, params![], |r| r.get(0))?) };
    let by_status = |table: &str| -> anyhow::Result<BTreeMap<String, u64>> {
        let rows = conn.query_map(
            &format!("SELECT status, COUNT(*) FROM {table} GROUP BY status"),
            params![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(rows.into_iter().collect())
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
