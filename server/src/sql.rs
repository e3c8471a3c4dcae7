//! The store's SQL face: the few things the server asks of a database (run a statement, read
//! rows, say whether its transaction was lost), which each backend implements — SQLite here,
//! PostgreSQL in `pg.rs` — so that routes, keys, leases and the feed are written once.
//!
//! Invariant: every value crosses this face as one of five kinds (`Value`), the kinds SQLite
//! stores, so a statement binds and reads the same on every backend; a read of the wrong kind
//! is an error that names the column, never a silent zero or empty string. Statements are
//! written with numbered parameters (`?1`), the one spelling both backends are given.

use std::fmt;

/// One value, as bound to a statement or read from a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// What went wrong in the store, by what its caller can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A `query_row` found no row.
    NoRows,
    /// The store is held by another writer past its wait: retry later (503).
    Busy,
    /// The database gave up the transaction to keep it serializable, or to break a deadlock:
    /// the whole transaction may be run again.
    Retry,
    /// A value read was not of the kind asked for.
    Conversion,
    /// Anything else: a fault, not the caller's.
    Other,
}

/// An error from the store.
#[derive(Debug, Clone)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// A value that can be bound to a statement.
pub trait ToValue {
    fn to_value(&self) -> Value;
}

/// A value that can be read from a row.
pub trait FromValue: Sized {
    fn from_value(value: &Value) -> Result<Self>;
}

/// Bind parameters, as `params![a, b]` (numbered `?1`, `?2` in the statement).
#[macro_export]
macro_rules! sql_params {
    () => { &[] as &[&dyn $crate::sql::ToValue] };
    ($($param:expr),+ $(,)?) => { &[$(&$param as &dyn $crate::sql::ToValue),+] as &[&dyn $crate::sql::ToValue] };
}
pub use crate::sql_params as params;

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_owned())
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl ToValue for [u8] {
    fn to_value(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}

impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value {
        Value::Blob(self.clone())
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Integer(i64::from(*self))
    }
}

impl ToValue for f64 {
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::Integer(i64::from(*self))
            }
        }
        impl FromValue for $t {
            fn from_value(value: &Value) -> Result<$t> {
                let wide = i64::from_value(value)?;
                <$t>::try_from(wide).map_err(|_| {
                    Error::new(ErrorKind::Conversion, format!("{wide} is out of range for {}", stringify!($t)))
                })
            }
        }
    )*};
}
integers!(i32, u8, u16, u32);

impl ToValue for i64 {
    fn to_value(&self) -> Value {
        Value::Integer(*self)
    }
}

impl ToValue for usize {
    fn to_value(&self) -> Value {
        Value::Integer(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl ToValue for u64 {
    fn to_value(&self) -> Value {
        Value::Integer(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

fn wrong_kind(wanted: &str, value: &Value) -> Error {
    Error::new(
        ErrorKind::Conversion,
        format!("expected {wanted}, the store holds {value:?}"),
    )
}

impl FromValue for i64 {
    fn from_value(value: &Value) -> Result<i64> {
        match value {
            Value::Integer(n) => Ok(*n),
            other => Err(wrong_kind("an integer", other)),
        }
    }
}

impl FromValue for usize {
    fn from_value(value: &Value) -> Result<usize> {
        let wide = i64::from_value(value)?;
        usize::try_from(wide)
            .map_err(|_| Error::new(ErrorKind::Conversion, format!("{wide} is not a count")))
    }
}

impl FromValue for u64 {
    fn from_value(value: &Value) -> Result<u64> {
        let wide = i64::from_value(value)?;
        u64::try_from(wide)
            .map_err(|_| Error::new(ErrorKind::Conversion, format!("{wide} is not a count")))
    }
}

impl FromValue for bool {
    fn from_value(value: &Value) -> Result<bool> {
        Ok(i64::from_value(value)? != 0)
    }
}

impl FromValue for f64 {
    fn from_value(value: &Value) -> Result<f64> {
        match value {
            Value::Real(x) => Ok(*x),
            Value::Integer(n) => Ok(*n as f64),
            other => Err(wrong_kind("a number", other)),
        }
    }
}

impl FromValue for String {
    fn from_value(value: &Value) -> Result<String> {
        match value {
            Value::Text(s) => Ok(s.clone()),
            other => Err(wrong_kind("text", other)),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(value: &Value) -> Result<Vec<u8>> {
        match value {
            Value::Blob(b) => Ok(b.clone()),
            other => Err(wrong_kind("bytes", other)),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> Result<Option<T>> {
        match value {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// The values of `params`, as a backend binds them.
pub(crate) fn bind(params: &[&dyn ToValue]) -> Vec<Value> {
    params.iter().map(|p| p.to_value()).collect()
}

/// One row read, its columns in the statement's order.
#[derive(Debug)]
pub struct Row(pub Vec<Value>);

impl Row {
    /// Column `index` (from 0) as a `T`.
    pub fn get<T: FromValue>(&self, index: usize) -> Result<T> {
        let value = self.0.get(index).ok_or_else(|| {
            Error::new(
                ErrorKind::Other,
                format!("no column {index} in a row of {}", self.0.len()),
            )
        })?;
        T::from_value(value).map_err(|e| Error::new(e.kind, format!("column {index}: {e}")))
    }
}

/// The parameters `?first`, `?first+1`, … for `count` values bound one each, as an `IN` list.
pub fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("?{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Which SQL a backend speaks, for the few statements whose spelling differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A connection (inside a transaction, when a write runs) of either backend.
pub trait Sql {
    /// Run one statement; the number of rows it changed.
    fn execute(&self, sql: &str, params: &[&dyn ToValue]) -> Result<usize>;
    /// Run one statement and give each row it returns to `each`, until `each` says stop.
    fn each_row(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        each: &mut dyn FnMut(Row) -> Result<bool>,
    ) -> Result<()>;
    /// Run an INSERT into a table whose key `key` is a number the database gives, and return
    /// the number given.
    fn insert(&self, sql: &str, params: &[&dyn ToValue], key: &str) -> Result<i64>;
    /// Run statements with no parameters, separated by `;`.
    fn execute_batch(&self, sql: &str) -> Result<()>;
    /// Has a statement failed so that nothing more may be done in the open transaction? On
    /// SQLite the transaction is gone (rolled back whole); on PostgreSQL it is aborted until
    /// it is rolled back to a savepoint taken before the failure.
    fn transaction_lost(&self) -> bool;
    fn dialect(&self) -> Dialect;
}

impl dyn Sql + '_ {
    /// The first row `sql` returns, made into a `T`; `NoRows` if it returns none.
    pub fn query_row<T>(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        make: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<T> {
        let mut first = None;
        self.each_row(sql, params, &mut |row| {
            first = Some(row);
            Ok(false)
        })?;
        match first {
            Some(row) => make(&row),
            None => Err(Error::new(ErrorKind::NoRows, "no row")),
        }
    }

    /// Every row `sql` returns, each made into a `T`.
    pub fn query_map<T>(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        mut make: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut all = Vec::new();
        self.each_row(sql, params, &mut |row| {
            all.push(make(&row)?);
            Ok(true)
        })?;
        Ok(all)
    }

    /// Run `work` inside a savepoint: kept when it returns `Ok`, undone when it returns `Err`.
    pub fn savepoint<T, E: From<Error>>(
        &self,
        work: impl FnOnce(&dyn Sql) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        self.execute_batch("SAVEPOINT work")?;
        match work(self) {
            Ok(value) => {
                self.execute_batch("RELEASE work")?;
                Ok(value)
            }
            Err(error) => {
                // SQLite's transaction may be gone with the failure; PostgreSQL's is kept, and
                // aborted until it is rolled back to the savepoint.
                if self.dialect() == Dialect::Postgres || !self.transaction_lost() {
                    self.execute_batch("ROLLBACK TO work; RELEASE work")?;
                }
                Err(error)
            }
        }
    }
}

/// `query_row(..).optional()`: no row is `None`, not an error.
pub trait Optional<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> Optional<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(error) if error.kind == ErrorKind::NoRows => Ok(None),
            Err(error) => Err(error),
        }
    }
}

mod sqlite {
    //! SQLite, through rusqlite: every statement from the connection's cache of prepared ones.

    use rusqlite::types::{ToSqlOutput, ValueRef};

    use super::{Dialect, Error, ErrorKind, Result, Row, Sql, ToValue, Value, bind};

    impl From<rusqlite::Error> for Error {
        fn from(error: rusqlite::Error) -> Error {
            let kind = match &error {
                rusqlite::Error::QueryReturnedNoRows => ErrorKind::NoRows,
                rusqlite::Error::SqliteFailure(e, _)
                    if matches!(
                        e.code,
                        rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                    ) =>
                {
                    ErrorKind::Busy
                }
                _ => ErrorKind::Other,
            };
            Error::new(kind, error.to_string())
        }
    }

    impl rusqlite::ToSql for Value {
        fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
            Ok(ToSqlOutput::Borrowed(match self {
                Value::Null => ValueRef::Null,
                Value::Integer(n) => ValueRef::Integer(*n),
                Value::Real(x) => ValueRef::Real(*x),
                Value::Text(s) => ValueRef::Text(s.as_bytes()),
                Value::Blob(b) => ValueRef::Blob(b),
            }))
        }
    }

    fn value(read: ValueRef<'_>) -> Result<Value> {
        Ok(match read {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(n) => Value::Integer(n),
            ValueRef::Real(x) => Value::Real(x),
            ValueRef::Text(t) => Value::Text(
                std::str::from_utf8(t)
                    .map_err(|e| Error::new(ErrorKind::Conversion, e.to_string()))?
                    .to_owned(),
            ),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        })
    }

    impl Sql for rusqlite::Connection {
        fn execute(&self, sql: &str, params: &[&dyn ToValue]) -> Result<usize> {
            let mut statement = self.prepare_cached(sql)?;
            Ok(statement.execute(rusqlite::params_from_iter(bind(params)))?)
        }

        fn each_row(
            &self,
            sql: &str,
            params: &[&dyn ToValue],
            each: &mut dyn FnMut(Row) -> Result<bool>,
        ) -> Result<()> {
            let mut statement = self.prepare_cached(sql)?;
            let columns = statement.column_count();
            let mut rows = statement.query(rusqlite::params_from_iter(bind(params)))?;
            while let Some(row) = rows.next()? {
                let values = (0..columns)
                    .map(|i| value(row.get_ref(i)?))
                    .collect::<Result<Vec<_>>>()?;
                if !each(Row(values))? {
                    break;
                }
            }
            Ok(())
        }

        /// Without RETURNING, which SQLite runs as a trigger and so journals every page the
        /// insert touches in case the statement must be undone half-way.
        fn insert(&self, sql: &str, params: &[&dyn ToValue], _key: &str) -> Result<i64> {
            Sql::execute(self, sql, params)?;
            Ok(self.last_insert_rowid())
        }

        fn execute_batch(&self, sql: &str) -> Result<()> {
            Ok(rusqlite::Connection::execute_batch(self, sql)?)
        }

        fn transaction_lost(&self) -> bool {
            self.is_autocommit()
        }

        fn dialect(&self) -> Dialect {
            Dialect::Sqlite
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> rusqlite::Connection {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (n INTEGER, s TEXT, b BLOB, x REAL)")
            .unwrap();
        conn
    }

    #[test]
    fn values_come_back_as_they_were_bound() {
        let conn = conn();
        let sql: &dyn Sql = &conn;
        let blob = vec![0u8, 255];
        sql.execute(
            "INSERT INTO t VALUES (?1, ?2, ?3, ?4)",
            params![7_i64, "seven", blob, 0.5],
        )
        .unwrap();
        sql.execute(
            "INSERT INTO t VALUES (?1, ?2, ?3, ?4)",
            params![None::<i64>, None::<String>, None::<Vec<u8>>, None::<f64>],
        )
        .unwrap();
        type Read = (Option<i64>, Option<String>, Option<Vec<u8>>, Option<f64>);
        let rows: Vec<Read> = sql
            .query_map("SELECT n, s, b, x FROM t ORDER BY rowid", params![], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .unwrap();
        assert_eq!(
            rows,
            vec![
                (Some(7), Some("seven".to_owned()), Some(blob), Some(0.5)),
                (None, None, None, None)
            ]
        );
    }

    #[test]
    fn a_read_of_the_wrong_kind_names_the_column() {
        let conn = conn();
        let sql: &dyn Sql = &conn;
        sql.execute("INSERT INTO t (s) VALUES ('x')", params![])
            .unwrap();
        let error = sql
            .query_row("SELECT s FROM t", params![], |r| r.get::<i64>(0))
            .unwrap_err();
        assert_eq!(error.kind, ErrorKind::Conversion);
        assert!(error.message.starts_with("column 0:"), "{error}");
        let error = sql
            .query_row("SELECT n FROM t WHERE s = 'y'", params![], |r| {
                r.get::<i64>(0)
            })
            .unwrap_err();
        assert_eq!(error.kind, ErrorKind::NoRows);
        assert_eq!(
            sql.query_row("SELECT n FROM t WHERE s = 'y'", params![], |r| r
                .get::<i64>(0))
                .optional()
                .unwrap(),
            None
        );
    }

    #[test]
    fn a_savepoint_that_fails_is_undone_and_one_that_passes_is_kept() {
        let conn = conn();
        let sql: &dyn Sql = &conn;
        sql.execute_batch("BEGIN").unwrap();
        let failed: Result<()> = sql.savepoint(|sp| {
            sp.execute("INSERT INTO t (n) VALUES (1)", params![])?;
            Err(Error::new(ErrorKind::Other, "refused"))
        });
        assert!(failed.is_err());
        sql.savepoint(|sp| sp.execute("INSERT INTO t (n) VALUES (2)", params![]))
            .unwrap();
        sql.execute_batch("COMMIT").unwrap();
        let kept = sql
            .query_map("SELECT n FROM t", params![], |r| r.get::<i64>(0))
            .unwrap();
        assert_eq!(kept, vec![2]);
    }
}
