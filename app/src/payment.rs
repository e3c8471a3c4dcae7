//! The payment provider's page, in a window of its own.
//!
//! Invariant: the provider's page runs in a separate window that has no capability (it cannot
//! call a command or hear an event), it may only go to web addresses, and when it sends the
//! resident back to `RETURN_URL` the window closes, the payment is refreshed from the council
//! and the page hears `doorstep://payment-finished` — also when the resident closes the window
//! half-way, so the page never waits for a payment that stopped.

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use tauri::{AppHandle, Emitter, Manager, Runtime, WebviewUrl, WebviewWindowBuilder, WindowEvent};

use crate::shell::Shell;

/// Where the provider sends the resident back to. Nothing is served there: the window stops
/// at this address before loading it.
pub const RETURN_URL: &str = "http://127.0.0.1/doorstep/payment-finished";

const LABEL: &str = "payment";

/// Open `next_url` (the provider's page for the payment `local_id`) in the payment window.
pub fn open<R: Runtime>(
    app: &AppHandle<R>,
    local_id: &str,
    next_url: &str,
    title: &str,
) -> Result<(), String> {
    let url: tauri::Url = next_url
        .parse()
        .map_err(|e| format!("The payment page's address is not valid: {e}"))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err("The payment page's address is not a web address".to_owned());
    }
    if let Some(window) = app.get_webview_window(LABEL) {
        let _ = window.destroy();
    }
    let finished = Arc::new(AtomicBool::new(false));
    let (on_return, on_close) = (app.clone(), app.clone());
    let (id_return, id_close) = (local_id.to_owned(), local_id.to_owned());
    let (finished_return, finished_close) = (finished.clone(), finished);
    let window = WebviewWindowBuilder::new(app, LABEL, WebviewUrl::External(url))
        .title(title)
        .inner_size(720.0, 800.0)
        .on_navigation(move |to| {
            if to.as_str().starts_with(RETURN_URL) {
                if !finished_return.swap(true, Ordering::SeqCst) {
                    finish(on_return.clone(), id_return.clone(), true);
                }
                return false;
            }
            matches!(to.scheme(), "https" | "http")
        })
        .build()
        .map_err(|e| format!("The payment window did not open: {e}"))?;
    window.on_window_event(move |event| {
        if matches!(event, WindowEvent::Destroyed) && !finished_close.swap(true, Ordering::SeqCst) {
            finish(on_close.clone(), id_close.clone(), false);
        }
    });
    Ok(())
}

/// Ask the council how the payment stands, tell the page, and close the window if it is open.
fn finish<R: Runtime>(app: AppHandle<R>, local_id: String, close_window: bool) {
    tauri::async_runtime::spawn(async move {
        if let Some(shell) = app.try_state::<Shell>() {
            let _ = shell.core().await.refresh_payment(&local_id).await;
        }
        let _ = app.emit(
            "doorstep://payment-finished",
            serde_json::json!({ "local_id": local_id }),
        );
        if close_window && let Some(window) = app.get_webview_window(LABEL) {
            let _ = window.destroy();
        }
    });
}
