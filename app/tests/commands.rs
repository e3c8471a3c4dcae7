//! The desktop's commands, called as the page calls them (through Tauri's IPC, with the mock
//! runtime), against the demo council running in the process.
//!
//! Each test proves what a resident sees through a command: a report that lands, bad input
//! named field by field, a wrong council address that changes nothing, events that reach the
//! page.

use std::{
    path::Path,
    sync::{Arc, Mutex},
};

use base64::Engine as _;
use doorstep_desktop::{
    commands,
    shell::{Options, Outlet, Shell},
};
use doorstep_e2e::TempDir;
use serde_json::{Value, json};
use tauri::{
    WebviewWindow, WebviewWindowBuilder,
    ipc::{CallbackFn, InvokeBody},
    test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets},
    webview::InvokeRequest,
};

/// What the page and the desktop would have heard.
#[derive(Default)]
struct Heard {
    events: Mutex<Vec<(String, Value)>>,
    notifications: Mutex<Vec<String>>,
}

impl Outlet for Heard {
    fn emit(&self, name: &str, payload: Value) {
        self.events.lock().unwrap().push((name.to_owned(), payload));
    }
    fn notify(&self, title: &str, body: &str) {
        self.notifications
            .lock()
            .unwrap()
            .push(format!("{title}: {body}"));
    }
}

struct App {
    app: tauri::App<MockRuntime>,
    page: WebviewWindow<MockRuntime>,
    heard: Arc<Heard>,
}

fn app(dir: &Path) -> App {
    let heard = Arc::new(Heard::default());
    let options = Options {
        data_dir: dir.to_owned(),
        council_url: None,
        keyring: false,
    };
    let shell = tauri::async_runtime::block_on(Shell::start(options, heard.clone()))
        .expect("the demo council starts");
    let app = mock_builder()
        .manage(shell)
        .invoke_handler(commands::handler())
        .build(mock_context(noop_assets()))
        .expect("the app builds");
    let page = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("the page opens");
    App { app, page, heard }
}

impl App {
    /// Call a command as the page does; `Err` holds the `ShellError` the page would get.
    fn call(&self, command: &str, args: Value) -> Result<Value, Value> {
        self.call_from(&self.page, "tauri://localhost", command, args)
    }

    /// Call a command from `window`, as a page loaded from `origin`.
    fn call_from(
        &self,
        window: &WebviewWindow<MockRuntime>,
        origin: &str,
        command: &str,
        args: Value,
    ) -> Result<Value, Value> {
        get_ipc_response(
            window,
            InvokeRequest {
                cmd: command.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: origin.parse().unwrap(),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().expect("a JSON answer"))
    }
}

fn pothole(description: &str, photos: Vec<String>) -> Value {
    json!({
        "input": {
            "service_code": "pothole",
            "description": description,
            "location": {"lat": 54.7761, "lon": -1.5733},
            "answers": {"depth": "deep", "width": "small", "location_on_road": "kerb"},
            "contact": {"name": "", "email": "resident@example.com", "phone": ""}
        },
        "photos": photos,
    })
}

fn photo() -> String {
    let picture = image::RgbImage::from_pixel(64, 48, image::Rgb([120, 90, 60]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    picture
        .write_to(&mut bytes, image::ImageFormat::Png)
        .unwrap();
    base64::engine::general_purpose::STANDARD.encode(bytes.into_inner())
}

#[test]
fn a_report_with_a_photo_made_through_the_commands_reaches_the_demo_council() {
    let dir = TempDir::new("desktop-report");
    let app = app(&dir.0);
    let status = app.call("app_status", json!({})).unwrap();
    assert_eq!(status["demo"], true);
    assert!(app.call("refresh_catalogue", json!({})).is_ok());
    let found = app.call("services", json!({"search": "pothole"})).unwrap();
    assert!(
        found
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["code"] == "pothole"),
        "{found}"
    );

    let made = app
        .call(
            "submit_report",
            pothole("A deep pothole by the kerb", vec![photo()]),
        )
        .unwrap();
    let local_id = made["local_id"].as_str().unwrap().to_owned();
    assert_eq!(made["request"]["attachments"].as_array().unwrap().len(), 1);
    assert_eq!(
        made["request"]["contact"],
        json!({"email": "resident@example.com"})
    );

    app.call("sync_now", json!({})).unwrap();
    let sent = app.call("report", json!({"local_id": local_id})).unwrap();
    assert_eq!(sent["delivery"]["state"], "sent", "{sent}");
    assert!(
        sent["report"]["reference"]
            .as_str()
            .unwrap()
            .starts_with("DUR-"),
        "{sent}"
    );
    assert!(
        app.call("outbox", json!({}))
            .unwrap()
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(sent["shown"]["title"], "Report a pothole", "{sent}");
    assert_eq!(sent["shown"]["status"], "Open", "{sent}");

    // The council's staff move it on: the desktop says so in the core's words.
    let reference = sent["report"]["reference"].as_str().unwrap().to_owned();
    let db = dir.0.join("demo").join("council.sqlite3");
    let staff = doorstep_server::db::Db::issue_staff_token(&db).unwrap();
    let moved = tauri::async_runtime::block_on(
        reqwest::Client::new()
            .post(format!(
                "{}/v1/staff/reports/{}/status",
                status["council_url"]
                    .as_str()
                    .unwrap()
                    .trim_end_matches('/'),
                sent["report"]["id"].as_str().unwrap()
            ))
            .bearer_auth(staff)
            .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
            .json(&json!({"status": "in_progress", "note": "A crew is on its way"}))
            .send(),
    )
    .unwrap();
    assert!(moved.status().is_success(), "{}", moved.status());
    app.call("sync_now", json!({})).unwrap();
    let said = format!("Report a pothole {reference}: Now: In progress");
    let heard = (0..100).any(|_| {
        let heard = app.heard.notifications.lock().unwrap().contains(&said);
        if !heard {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        heard
    });
    assert!(
        heard,
        "{said} in {:?}",
        app.heard.notifications.lock().unwrap()
    );
}

#[test]
fn bad_input_comes_back_naming_each_field_to_fix_and_nothing_is_queued() {
    let dir = TempDir::new("desktop-invalid");
    let app = app(&dir.0);
    app.call("refresh_catalogue", json!({})).unwrap();

    let refused = app
        .call(
            "submit_report",
            pothole("", vec!["not base64 at all!".into()]),
        )
        .unwrap_err();
    assert_eq!(refused["kind"], "invalid", "{refused}");
    assert!(refused["problems"][0]["field"] == "photos.0", "{refused}");

    let mut in_london = pothole("A pothole", vec![]);
    in_london["input"]["location"] = json!({"lat": 51.5072, "lon": -0.1276});
    in_london["input"]["answers"]["depth"] = json!("bottomless");
    let refused = app.call("submit_report", in_london).unwrap_err();
    assert_eq!(refused["kind"], "invalid");
    let fields: Vec<&str> = refused["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"location"), "{refused}");
    assert!(fields.contains(&"answers.depth"), "{refused}");

    let refused = app
        .call(
            "start_payment",
            json!({"purpose": "council_tax", "reference": "12345678", "amount": "twelve"}),
        )
        .unwrap_err();
    assert_eq!(refused["problems"][0]["field"], "amount", "{refused}");
    let refused = app
        .call(
            "start_payment",
            json!({"purpose": "council_tax", "reference": "12345678", "amount": "12", "email": "ann@"}),
        )
        .unwrap_err();
    assert_eq!(refused["problems"][0]["field"], "email", "{refused}");
    let refused = app
        .call("open_council_page", json!({"code": "pothole"}))
        .unwrap_err();
    assert_eq!(
        (refused["kind"].as_str(), refused["message"].as_str()),
        (
            Some("not_found"),
            Some("Report a pothole has no web page to open: it is done here, in the app")
        ),
        "a service the app does itself has no page to open in the browser"
    );

    assert!(
        app.call("reports", json!({}))
            .unwrap()
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        app.call("outbox", json!({}))
            .unwrap()
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_council_address_that_cannot_be_used_changes_nothing() {
    let dir = TempDir::new("desktop-switch");
    let app = app(&dir.0);
    let refused = app
        .call("set_council_url", json!({"url": "not a web address"}))
        .unwrap_err();
    assert_eq!(refused["kind"], "invalid");
    assert_eq!(refused["problems"][0]["field"], "url");
    let status = app.call("app_status", json!({})).unwrap();
    assert_eq!(status["demo"], true, "{status}");
    assert!(!dir.0.join("settings.json").exists());
}

#[test]
fn the_page_hears_the_outbox_counts_when_it_is_ready() {
    let dir = TempDir::new("desktop-events");
    let app = app(&dir.0);
    app.call("ready", json!({})).unwrap();
    let heard = || {
        app.heard
            .events
            .lock()
            .unwrap()
            .iter()
            .any(|(name, event)| name == "doorstep://event" && event["event"] == "outbox")
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !heard() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(heard(), "no outbox event reached the page");
}

#[test]
fn the_payment_page_cannot_call_the_apps_commands() {
    let dir = TempDir::new("desktop-isolation");
    let app = app(&dir.0);
    let payment_page = WebviewWindowBuilder::new(
        &app.app,
        "payment",
        tauri::WebviewUrl::External("http://127.0.0.1:47311/sandbox/pay/1".parse().unwrap()),
    )
    .build()
    .expect("the payment window opens");
    for command in ["app_status", "export_data", "reports"] {
        let refused = app.call_from(
            &payment_page,
            "http://127.0.0.1:47311/sandbox/pay/1",
            command,
            json!({}),
        );
        let refused = refused.expect_err(&format!("the payment page called {command}"));
        assert!(
            refused.to_string().contains("not allowed"),
            "{command} failed for another reason: {refused}"
        );
    }
    assert!(app.call("app_status", json!({})).is_ok());
}
