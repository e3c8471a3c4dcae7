//! The app's session: which council it talks to, the core opened for it, and — when the resident
//! has chosen no council — the demo council server running in this process on loopback.
//!
//! Invariant: exactly one core is open at a time, on the store of the council it talks to (each
//! council's store and secrets are kept apart, so switching never mixes two councils' data), and
//! the demo server lives exactly as long as the session that uses it.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::Arc,
};

use anyhow::Context;
use doorstep_core::{Config, Doorstep, Event};
use doorstep_protocol::Council;
use doorstep_server::RunningServer;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::{RwLock, broadcast::error::RecvError};

use crate::secrets::{self, SecretsPlace};

/// The demo council's profile, carried inside the app so it runs anywhere.
const DEMO_PROFILE: [(&str, &str); 3] = [
    (
        "council.json",
        include_str!("../../assets/councils/durham/council.json"),
    ),
    (
        "services.json",
        include_str!("../../assets/councils/durham/services.json"),
    ),
    (
        "gazetteer.json",
        include_str!("../../assets/councils/durham/gazetteer.json"),
    ),
];

/// The port the demo council prefers, so that links it gave (a payment page) still work after
/// the app restarts; another is taken when it is busy.
const DEMO_PORT: u16 = 47311;

/// Where the page and the desktop hear from the session.
pub trait Outlet: Send + Sync + 'static {
    /// Send an event to the page.
    fn emit(&self, name: &str, payload: Value);
    /// Raise a desktop notification.
    fn notify(&self, title: &str, body: &str);
}

/// How the app stands, for the page.
#[derive(Debug, Clone, Serialize)]
pub struct AppStatus {
    pub council: Option<Council>,
    pub council_url: String,
    /// True when the app runs the built-in demo council in this process.
    pub demo: bool,
    pub online: bool,
    pub signed_in_as: Option<String>,
    pub pending_email: Option<String>,
    pub secrets: SecretsPlace,
    pub data_dir: String,
}

/// What the resident chose in settings, kept in `settings.json`.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Settings {
    council_url: Option<String>,
}

struct Session {
    core: Doorstep,
    council_url: String,
    demo: Option<RunningServer>,
    secrets: SecretsPlace,
    forwarder: tauri::async_runtime::JoinHandle<()>,
}

/// How the app was started.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where the app keeps its data.
    pub data_dir: PathBuf,
    /// A council to use whatever the settings say (for a council officer's test, or the
    /// end-to-end tests).
    pub council_url: Option<String>,
    /// Try the OS keyring before falling back to a file.
    pub keyring: bool,
}

pub struct Shell {
    data_dir: PathBuf,
    keyring: bool,
    outlet: Arc<dyn Outlet>,
    session: RwLock<Option<Session>>,
}

impl Shell {
    /// Open the session for the council chosen in `options`, else the one in the settings,
    /// else the demo council.
    pub async fn start(options: Options, outlet: Arc<dyn Outlet>) -> anyhow::Result<Shell> {
        let data_dir = options.data_dir;
        std::fs::create_dir_all(&data_dir)
            .with_context(|| format!("cannot make the data folder {}", data_dir.display()))?;
        let shell = Shell {
            data_dir,
            keyring: options.keyring,
            outlet,
            session: RwLock::new(None),
        };
        let chosen = options.council_url.or_else(|| shell.settings().council_url);
        let session = shell.open(chosen).await?;
        *shell.session.write().await = Some(session);
        Ok(shell)
    }

    /// The core of the current session.
    pub async fn core(&self) -> Doorstep {
        self.session
            .read()
            .await
            .as_ref()
            .map(|s| s.core.clone())
            .expect("a session is open from start to stop")
    }

    /// Talk to another council (`None`: the demo council). The new council is checked by
    /// opening it before the old session is closed, so a wrong address changes nothing.
    pub async fn switch(&self, url: Option<String>) -> anyhow::Result<()> {
        let url = url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
        let session = self.open(url.clone()).await?;
        let old = self.session.write().await.replace(session);
        self.write_settings(&Settings { council_url: url })?;
        if let Some(old) = old {
            close(old).await;
        }
        Ok(())
    }

    /// Close the session: stop forwarding events and stop the demo server.
    pub async fn stop(&self) {
        if let Some(session) = self.session.write().await.take() {
            close(session).await;
        }
    }

    pub async fn status(&self) -> doorstep_core::Result<AppStatus> {
        let (core, council_url, demo, secrets) = {
            let guard = self.session.read().await;
            let session = guard
                .as_ref()
                .expect("a session is open from start to stop");
            (
                session.core.clone(),
                session.council_url.clone(),
                session.demo.is_some(),
                session.secrets.clone(),
            )
        };
        Ok(AppStatus {
            council: core.council().await?,
            council_url,
            demo,
            online: core.is_online(),
            signed_in_as: core.signed_in_as().await?,
            pending_email: core.pending_email().await?,
            secrets,
            data_dir: self.data_dir.display().to_string(),
        })
    }

    /// Where files the resident asked for (a calendar, an export) are saved.
    pub fn saved_files_dir(&self) -> PathBuf {
        self.data_dir.join("saved")
    }

    async fn open(&self, url: Option<String>) -> anyhow::Result<Session> {
        let (council_url, demo, store_dir, scope) = match url {
            Some(url) => {
                let scope = scope_of(&url);
                let councils = self.data_dir.join("councils");
                let dir = councils.join(&scope);
                let earlier = councils.join(earlier_scope_of(&url));
                if !dir.exists() && earlier.is_dir() {
                    std::fs::rename(&earlier, &dir)?;
                }
                (url, None, dir, scope)
            }
            None => {
                let dir = self.data_dir.join("demo");
                let server = start_demo(&dir).await?;
                (server.url.clone(), Some(server), dir, "demo".to_owned())
            }
        };
        std::fs::create_dir_all(&store_dir)
            .with_context(|| format!("cannot make {}", store_dir.display()))?;
        let (secrets, place) = secrets::open(&scope, &store_dir, self.keyring);
        let core = Doorstep::open(Config {
            data_dir: store_dir.join("device"),
            council_url: council_url.clone(),
            backend: doorstep_core::Backend::Doorstep,
            secrets,
            platform: std::env::consts::OS.to_owned(),
            device_name: "Doorstep on this computer".to_owned(),
            background_sync: true,
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let forwarder = tauri::async_runtime::spawn(forward(core.clone(), self.outlet.clone()));
        let resume = core.clone();
        tauri::async_runtime::spawn(async move {
            let _ = resume.refresh_catalogue().await;
            for payment in resume.payments().await.unwrap_or_default() {
                if payment.payment.is_some_and(|p| !p.state.finished) {
                    let _ = resume.refresh_payment(&payment.local_id).await;
                }
            }
        });
        Ok(Session {
            core,
            council_url,
            demo,
            secrets: place,
            forwarder,
        })
    }

    fn settings(&self) -> Settings {
        std::fs::read_to_string(self.data_dir.join("settings.json"))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    fn write_settings(&self, settings: &Settings) -> anyhow::Result<()> {
        let path = self.data_dir.join("settings.json");
        let temporary = path.with_extension("tmp");
        std::fs::write(&temporary, serde_json::to_vec_pretty(settings)?)?;
        std::fs::rename(&temporary, &path)
            .with_context(|| format!("cannot save the settings in {}", path.display()))
    }
}

async fn close(session: Session) {
    session.forwarder.abort();
    if let Some(server) = session.demo {
        let _ = server.stop().await;
    }
}

/// A folder name for a council's address: its host, port and path, in safe characters.
fn scope_of(url: &str) -> String {
    let mut scope = String::new();
    for byte in without_scheme(url).bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'.' || byte == b'-' {
            scope.push(char::from(byte));
        } else {
            scope.push_str(&format!("_{byte:02x}"));
        }
    }
    scope
}

/// The folder name earlier versions gave a council's data, with every other character as `_`
/// (so that `host/a_b` and `host/a/b` shared one): a folder of that name is moved to the
/// council's own when that does not exist yet.
fn earlier_scope_of(url: &str) -> String {
    without_scheme(url)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn without_scheme(url: &str) -> &str {
    url.split_once("://")
        .map_or(url, |(_, rest)| rest)
        .trim_end_matches('/')
}

/// Write the demo profile into `dir` and serve it on loopback.
async fn start_demo(dir: &Path) -> anyhow::Result<RunningServer> {
    let profile = dir.join("profile");
    std::fs::create_dir_all(&profile)?;
    for (name, text) in DEMO_PROFILE {
        std::fs::write(profile.join(name), text)?;
    }
    let config = |port| {
        let mut config = doorstep_server::Config::new(
            dir.join("council.sqlite3"),
            SocketAddr::from(([127, 0, 0, 1], port)),
            profile.clone(),
        );
        config.demo = true;
        config
    };
    match doorstep_server::start(config(DEMO_PORT)).await {
        Ok(server) => Ok(server),
        Err(_) => doorstep_server::start(config(0))
            .await
            .context("cannot start the demo council"),
    }
}

/// Forward the core's events to the page, and raise a notification when the council changes
/// the status of something the resident sent (the core says when, and in which words).
async fn forward(core: Doorstep, outlet: Arc<dyn Outlet>) {
    let mut events = core.subscribe().await;
    loop {
        let event = match events.recv().await {
            Ok(event) => event,
            Err(RecvError::Lagged(_)) => continue,
            Err(RecvError::Closed) => return,
        };
        if let Event::StatusChanged { title, body, .. } = &event {
            outlet.notify(title, body);
        }
        if let Ok(payload) = serde_json::to_value(&event) {
            outlet.emit("doorstep://event", payload);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{earlier_scope_of, scope_of};

    #[test]
    fn each_council_address_has_its_own_folder_name() {
        assert_eq!(scope_of("https://council.example/"), "council.example");
        assert_eq!(
            scope_of("http://127.0.0.1:8080/doorstep"),
            "127.0.0.1_3a8080_2fdoorstep"
        );
        assert_ne!(
            scope_of("https://council.example/a_b"),
            scope_of("https://council.example/a/b")
        );
        assert_ne!(
            scope_of("https://council.example/a_2fb"),
            scope_of("https://council.example/a/b")
        );
        assert_eq!(
            earlier_scope_of("http://127.0.0.1:8080/doorstep"),
            "127.0.0.1_8080_doorstep"
        );
        assert_ne!(
            scope_of("http://127.0.0.1:8080"),
            scope_of("http://127.0.0.1:8081")
        );
    }
}
