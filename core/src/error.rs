//! The core's one public error, in the buckets a shell acts on.
//!
//! Invariant: every failure a shell can see is one of these variants, and each says what the
//! resident can do about it; internal causes map in here, in one place.

use doorstep_protocol::{FieldProblem, Slot};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The input is wrong: fix the named fields. Nothing was queued.
    #[error("{}", summary(.problems))]
    Invalid { problems: Vec<FieldProblem> },
    /// There is no such thing (here, or for this resident).
    #[error("{0}")]
    NotFound(String),
    /// This needs the council and the device is offline or the council cannot be reached.
    #[error("You are offline or the council cannot be reached: {0}")]
    Offline(String),
    /// The resident must sign in (again).
    #[error("Sign in again to carry on: {0}")]
    AuthRequired(String),
    /// The council refused it for good; the reason says why.
    #[error("{message}")]
    Refused {
        code: String,
        message: String,
        field: Option<String>,
        alternatives: Vec<Slot>,
    },
    /// This council does not offer it (its system is a plain Open311 one, say); nothing was
    /// queued. The message says what to do instead.
    #[error("{0}")]
    NotOffered(String),
    /// The device's store failed (disk full, file damaged). What was accepted before is kept.
    #[error("The app's storage failed: {0}")]
    Storage(String),
    /// Something the core did not expect; the message is for a bug report.
    #[error("Something went wrong: {0}")]
    Internal(String),
}

fn summary(problems: &[FieldProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Error::Invalid {
            problems: vec![FieldProblem::new(field, message)],
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<rusqlite::Error> for Error {
    fn from(error: rusqlite::Error) -> Self {
        match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => Error::Storage(
                "the device's storage is full: free some space and try again; nothing saved before was lost"
                    .to_owned(),
            ),
            _ => Error::Storage(error.to_string()),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(error: serde_json::Error) -> Self {
        Error::Internal(format!("data: {error}"))
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(error: tokio::task::JoinError) -> Self {
        Error::Internal(error.to_string())
    }
}
