//! Where the desktop keeps the resident's tokens: the operating system's keyring (Secret Service
//! on Linux, Keychain on macOS, Credential Manager on Windows), or — where no keyring answers —
//! a file only the resident can read, with a message saying so.
//!
//! Invariant: each council's tokens are kept apart (a scope in every entry's name), and the
//! choice between keyring and file is made once, when the app starts, and shown to the resident.

use std::{path::Path, sync::Arc};

use doorstep_core::{FileSecrets, SecretStore};
use serde::Serialize;

const SERVICE: &str = "Doorstep";

/// Where secrets are kept, as the settings screen shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SecretsPlace {
    /// `keyring` or `file`.
    pub kind: &'static str,
    /// Why the file was chosen, in plain words; `None` for the keyring.
    pub note: Option<String>,
}

/// The OS keyring, one entry per secret and council.
struct KeyringSecrets {
    scope: String,
}

impl KeyringSecrets {
    fn entry(&self, name: &str) -> Result<keyring::Entry, String> {
        keyring::Entry::new(SERVICE, &format!("{}/{name}", self.scope)).map_err(|e| e.to_string())
    }
}

impl SecretStore for KeyringSecrets {
    fn get(&self, name: &str) -> Result<Option<String>, String> {
        match self.entry(name)?.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(format!("the keyring did not answer: {e}")),
        }
    }

    fn set(&self, name: &str, value: &str) -> Result<(), String> {
        self.entry(name)?
            .set_password(value)
            .map_err(|e| format!("the keyring did not keep it: {e}"))
    }

    fn delete(&self, name: &str) -> Result<(), String> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(format!("the keyring did not forget it: {e}")),
        }
    }
}

/// The keyring if it is wanted and answers, else a file in `dir`.
pub fn open(scope: &str, dir: &Path, keyring: bool) -> (Arc<dyn SecretStore>, SecretsPlace) {
    let file = || Arc::new(FileSecrets::new(dir.join("secrets.json"))) as Arc<dyn SecretStore>;
    if !keyring {
        return (
            file(),
            SecretsPlace {
                kind: "file",
                note: Some(format!(
                    "This app was started with DOORSTEP_SECRETS=file, so your sign-in is kept \
                     in a file only you can read: {}",
                    dir.join("secrets.json").display()
                )),
            },
        );
    }
    let keyring = KeyringSecrets {
        scope: scope.to_owned(),
    };
    match keyring.get("probe") {
        Ok(_) => (
            Arc::new(keyring),
            SecretsPlace {
                kind: "keyring",
                note: None,
            },
        ),
        Err(reason) => (
            file(),
            SecretsPlace {
                kind: "file",
                note: Some(format!(
                    "No keyring is available on this computer ({reason}), so your sign-in is \
                     kept in a file only you can read: {}",
                    dir.join("secrets.json").display()
                )),
            },
        ),
    }
}
