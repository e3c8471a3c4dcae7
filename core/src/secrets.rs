//! Where the device and account tokens live: an interface each shell implements (OS keyring on
//! desktop, Keychain / Keystore on mobile), and a memory store for tests and scripts.
//!
//! Invariant: the core never writes a token anywhere but through this interface.

use std::{collections::HashMap, sync::Mutex};

/// A small key-value store for secrets.
pub trait SecretStore: Send + Sync {
    fn get(&self, name: &str) -> Result<Option<String>, String>;
    fn set(&self, name: &str, value: &str) -> Result<(), String>;
    fn delete(&self, name: &str) -> Result<(), String>;
}

/// Secrets held in memory only.
#[derive(Default)]
pub struct MemorySecrets(Mutex<HashMap<String, String>>);

impl SecretStore for MemorySecrets {
    fn get(&self, name: &str) -> Result<Option<String>, String> {
        Ok(self.0.lock().map_err(|e| e.to_string())?.get(name).cloned())
    }
    fn set(&self, name: &str, value: &str) -> Result<(), String> {
        self.0
            .lock()
            .map_err(|e| e.to_string())?
            .insert(name.to_owned(), value.to_owned());
        Ok(())
    }
    fn delete(&self, name: &str) -> Result<(), String> {
        self.0.lock().map_err(|e| e.to_string())?.remove(name);
        Ok(())
    }
}

/// The device's own token (kept after signing out).
pub const DEVICE_TOKEN: &str = "device_token";
/// The account token while signed in.
pub const ACCOUNT_TOKEN: &str = "account_token";
/// The device's registration secret: a replayed registration is honoured only with it.
pub const DEVICE_SECRET: &str = "device_secret";
