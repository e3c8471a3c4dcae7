//! The one error Kotlin and Swift see, in the buckets an app acts on, and the errors a phone's
//! secret store and event listener give back.
//!
//! Invariant: every core error maps to exactly one variant here, in one place, and each
//! variant says what the app should do: fix the input, go online, sign in, change or drop what
//! the council refused, leave out what the council does not offer, or report a bug.

use doorstep_core::Error;

use crate::values::Slot;

/// A field the resident should fix, and how.
#[derive(Debug, Clone, uniffi::Record)]
pub struct InputProblem {
    pub field: String,
    pub message: String,
}

/// What went wrong, as the app acts on it. `reason` is in plain words, for the resident
/// (Kotlin's exceptions keep `message` for themselves).
#[derive(Debug, Clone, thiserror::Error, uniffi::Error)]
pub enum DoorstepError {
    /// The resident should fix what they entered (`field` first, all of `problems`); nothing
    /// was queued.
    #[error("{reason}")]
    FixInput {
        reason: String,
        field: String,
        problems: Vec<InputProblem>,
    },
    /// There is no such thing, here or for this resident.
    #[error("{reason}")]
    NotFound { reason: String },
    /// This needs the council and the phone is offline or the council cannot be reached: try
    /// again when online (queued work is kept and sent then).
    #[error("{reason}")]
    Offline { reason: String },
    /// The resident must sign in (again) before this can go on.
    #[error("{reason}")]
    SignInNeeded { reason: String },
    /// The council refused it for good: change it (another slot from `alternatives`, say) or
    /// give it up.
    #[error("{reason}")]
    Refused {
        reason: String,
        code: String,
        field: Option<String>,
        alternatives: Vec<Slot>,
    },
    /// This council does not offer it (its system is a plain Open311 one, say): hide it, or
    /// send the resident to the council another way; nothing was queued.
    #[error("{reason}")]
    NotOffered { reason: String },
    /// The phone's storage failed (full, damaged); what was accepted before is kept.
    #[error("{reason}")]
    Storage { reason: String },
    /// Something unexpected; the reason is for a bug report.
    #[error("{reason}")]
    Internal { reason: String },
}

impl From<Error> for DoorstepError {
    fn from(error: Error) -> Self {
        let reason = error.to_string();
        match error {
            Error::Invalid { problems } => DoorstepError::FixInput {
                reason,
                field: problems
                    .first()
                    .map(|p| p.field.clone())
                    .unwrap_or_default(),
                problems: problems
                    .into_iter()
                    .map(|p| InputProblem {
                        field: p.field,
                        message: p.message,
                    })
                    .collect(),
            },
            Error::NotFound(_) => DoorstepError::NotFound { reason },
            Error::Offline(_) => DoorstepError::Offline { reason },
            Error::AuthRequired(_) => DoorstepError::SignInNeeded { reason },
            Error::Refused {
                code,
                field,
                alternatives,
                ..
            } => DoorstepError::Refused {
                reason,
                code,
                field,
                alternatives,
            },
            Error::NotOffered(_) => DoorstepError::NotOffered { reason },
            Error::Storage(_) => DoorstepError::Storage { reason },
            Error::Internal(_) => DoorstepError::Internal { reason },
        }
    }
}

/// A phone's secret store could not do what was asked (the Keychain is locked, say).
#[derive(Debug, Clone, thiserror::Error, uniffi::Error)]
pub enum SecretStoreError {
    #[error("{reason}")]
    Unavailable { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for SecretStoreError {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        SecretStoreError::Unavailable {
            reason: error.reason,
        }
    }
}

/// The phone's event listener failed on one event (its screen has gone, say); it still hears
/// the next one.
#[derive(Debug, Clone, thiserror::Error, uniffi::Error)]
pub enum ListenerError {
    #[error("{reason}")]
    Failed { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for ListenerError {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        ListenerError::Failed {
            reason: error.reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use doorstep_protocol::FieldProblem;

    use super::*;

    #[test]
    fn every_core_error_says_what_the_app_should_do() {
        let invalid = Error::Invalid {
            problems: vec![
                FieldProblem::new("amount", "Enter an amount in pounds"),
                FieldProblem::new("reference", "Enter the account number"),
            ],
        };
        match DoorstepError::from(invalid) {
            DoorstepError::FixInput {
                field, problems, ..
            } => {
                assert_eq!(field, "amount");
                assert_eq!(problems.len(), 2);
            }
            other => panic!("bad input is FixInput, not {other:?}"),
        }
        let cases = [
            (Error::NotFound("no such report".into()), "NotFound"),
            (Error::Offline("no network".into()), "Offline"),
            (Error::AuthRequired("token expired".into()), "SignInNeeded"),
            (
                Error::Refused {
                    code: "slot_unavailable".into(),
                    message: "That slot has gone".into(),
                    field: Some("slot_id".into()),
                    alternatives: Vec::new(),
                },
                "Refused",
            ),
            (Error::NotOffered("no bookings".into()), "NotOffered"),
            (Error::Storage("disk full".into()), "Storage"),
            (Error::Internal("bug".into()), "Internal"),
        ];
        for (error, variant) in cases {
            let said = error.to_string();
            let mapped = DoorstepError::from(error);
            assert!(format!("{mapped:?}").starts_with(variant), "{mapped:?}");
            assert_eq!(
                mapped.to_string(),
                said,
                "the reason is the core's own words"
            );
        }
    }
}
