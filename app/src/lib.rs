//! doorstep-desktop: Doorstep on the desktop. A Tauri 2 shell: the core runs in this process,
//! the page (`ui/`) calls the commands in `commands` and hears the core's events.
//!
//! Invariant: the shell holds no rule (DESIGN.md §1) — it opens the session (`shell`), turns
//! page calls into core calls (`commands`), forwards events, and keeps the provider's payment
//! page in its own window without access to any of this (`payment`).

pub mod commands;
pub mod payment;
pub mod secrets;
pub mod shell;

use std::{path::PathBuf, sync::Arc};

use serde_json::Value;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

use shell::{Options, Outlet, Shell};

/// Events and notifications go to the app's windows and the desktop.
struct AppOutlet<R: Runtime>(AppHandle<R>);

impl<R: Runtime> Outlet for AppOutlet<R> {
    fn emit(&self, name: &str, payload: Value) {
        let _ = self.0.emit_to("main", name, payload);
    }

    fn notify(&self, title: &str, body: &str) {
        let _ = self
            .0
            .notification()
            .builder()
            .title(title)
            .body(body)
            .show();
    }
}

/// How this run was asked to start: `DOORSTEP_DATA_DIR` (else the platform's data
/// directory), `DOORSTEP_COUNCIL_URL` (else the settings) and `DOORSTEP_SECRETS=file`.
fn options<R: Runtime>(app: &AppHandle<R>) -> anyhow::Result<Options> {
    let set = |name| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    Ok(Options {
        data_dir: match set("DOORSTEP_DATA_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => app.path().app_data_dir()?,
        },
        council_url: set("DOORSTEP_COUNCIL_URL"),
        keyring: set("DOORSTEP_SECRETS").as_deref() != Some("file"),
    })
}

/// Build and run the desktop app until its last window closes.
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            let handle = app.handle().clone();
            let options = options(&handle)?;
            let outlet = Arc::new(AppOutlet(handle));
            let shell = tauri::async_runtime::block_on(Shell::start(options, outlet))?;
            app.manage(shell);
            Ok(())
        })
        .invoke_handler(commands::handler())
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|handle, event| {
            if let tauri::RunEvent::Exit = event
                && let Some(shell) = handle.try_state::<Shell>()
            {
                tauri::async_runtime::block_on(shell.stop());
            }
        }),
        Err(error) => {
            eprintln!("Doorstep could not start: {error}");
            std::process::exit(1);
        }
    }
}
