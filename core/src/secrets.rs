//! Where the device and account tokens live: an interface each shell implements (OS keyring on
//! desktop, Keychain / Keystore on mobile), a file readable by its owner only (for a terminal,
//! or a desktop with no keyring), and a memory store for tests and scripts.
//!
//! Invariant: the core never writes a token anywhere but through this interface. The file
//! store writes its file whole (to a temporary name, then renamed) with mode 0600, so a crash
//! never leaves half a token and no other user can read it.

use std::{
    collections::{BTreeMap, HashMap},
    fs,
    io::Write,
    path::PathBuf,
    sync::Mutex,
};

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

/// Secrets in one JSON file, readable by its owner only.
pub struct FileSecrets {
    path: PathBuf,
    lock: Mutex<()>,
}

impl FileSecrets {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            lock: Mutex::new(()),
        }
    }

    fn read(&self) -> Result<BTreeMap<String, String>, String> {
        match fs::read_to_string(&self.path) {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|e| format!("{} is damaged: {e}", self.path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(format!("cannot read {}: {e}", self.path.display())),
        }
    }

    fn write(&self, secrets: &BTreeMap<String, String>) -> Result<(), String> {
        let temporary = self.path.with_extension("tmp");
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(&temporary)
            .map_err(|e| format!("cannot write {}: {e}", temporary.display()))?;
        file.write_all(
            serde_json::to_string(secrets)
                .map_err(|e| e.to_string())?
                .as_bytes(),
        )
        .map_err(|e| e.to_string())?;
        file.sync_all().map_err(|e| e.to_string())?;
        fs::rename(&temporary, &self.path)
            .map_err(|e| format!("cannot replace {}: {e}", self.path.display()))
    }
}

impl SecretStore for FileSecrets {
    fn get(&self, name: &str) -> Result<Option<String>, String> {
        let _guard = self.lock.lock().map_err(|e| e.to_string())?;
        Ok(self.read()?.get(name).cloned())
    }

    fn set(&self, name: &str, value: &str) -> Result<(), String> {
        let _guard = self.lock.lock().map_err(|e| e.to_string())?;
        let mut secrets = self.read()?;
        secrets.insert(name.to_owned(), value.to_owned());
        self.write(&secrets)
    }

    fn delete(&self, name: &str) -> Result<(), String> {
        let _guard = self.lock.lock().map_err(|e| e.to_string())?;
        let mut secrets = self.read()?;
        if secrets.remove(name).is_some() {
            self.write(&secrets)?;
        }
        Ok(())
    }
}
