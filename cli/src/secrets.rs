//! The CLI's secret store: a file readable by its owner only, in the data directory.
//!
//! Invariant: the file is written whole (to a temporary name, then renamed) with mode 0600, so
//! a crash never leaves half a token and no other user can read it. A terminal has no keyring
//! it can rely on; the desktop and mobile shells use the OS's.

use std::{collections::BTreeMap, fs, io::Write, path::PathBuf, sync::Mutex};

use doorstep_core::SecretStore;

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
