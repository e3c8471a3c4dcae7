//! The `doorstep-server` command itself: serve, stop gracefully, count, issue staff tokens.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Device, TempDir, council_dir, key, pothole};

const BINARY: &str = env!("CARGO_BIN_EXE_doorstep-server");

/// A server process, killed if the test ends before it stops.
struct ServerProcess(Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What a server process has written to its log so far.
type Log = Arc<Mutex<Vec<String>>>;

fn spawn(db: &std::path::Path, flags: &[&str]) -> (ServerProcess, String, Log) {
    let mut child = Command::new(BINARY)
        .args(["--listen", "127.0.0.1:0", "--council"])
        .arg(council_dir())
        .arg("--db")
        .arg(db)
        .args(flags)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("the server says where it listens")
            .unwrap();
        if let Some(at) = line.find("listening on http://") {
            let rest = &line[at + "listening on ".len()..];
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    let log = Log::default();
    let kept = log.clone();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            kept.lock().unwrap().push(line);
        }
    });
    (ServerProcess(child), url, log)
}

/// The first line of the log that contains `text`, waiting a little for it.
fn log_line(log: &Log, text: &str) -> String {
    for _ in 0..100 {
        if let Some(line) = log.lock().unwrap().iter().find(|l| l.contains(text)) {
            return line.clone();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("no log line with {text:?}: {:?}", log.lock().unwrap());
}

#[tokio::test]
async fn the_server_process_serves_stops_on_sigterm_and_counts() {
    let dir = TempDir::new();
    let db = dir.0.join("council.sqlite3");
    let (mut process, url, _) = spawn(&db, &[]);
    let http = reqwest::Client::new();
    let health: Value = http
        .get(format!("{url}/v1/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    let device = Device::register(&url).await;
    let report = http
        .post(format!("{url}/v1/reports"))
        .bearer_auth(&device.token)
        .header("Idempotency-Key", key())
        .json(&pothole())
        .send()
        .await
        .unwrap();
    assert_eq!(report.status(), StatusCode::CREATED);

    let pid = process.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let mut waited = Duration::ZERO;
    let status = loop {
        if let Some(status) = process.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            waited < Duration::from_secs(10),
            "the server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
        waited += Duration::from_millis(50);
    };
    assert!(status.success(), "{status}");

    let output = Command::new(BINARY)
        .args(["stats", "--json", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stats: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(stats["reports"], 1);
    assert_eq!(stats["devices"], 1);
    assert_eq!(stats["idempotency_keys"], 2);

    let output = Command::new(BINARY)
        .args(["staff", "token", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .trim()
            .starts_with("dss_")
    );
}

#[tokio::test]
async fn sign_in_codes_reach_the_log_only_on_a_demo_server() {
    for (flags, shown) in [(&[][..], false), (&["--demo"][..], true)] {
        let dir = TempDir::new();
        let db = dir.0.join("council.sqlite3");
        let (_process, url, log) = spawn(&db, flags);
        let http = reqwest::Client::new();
        let device = Device::register(&url).await;
        let sent = http
            .post(format!("{url}/v1/auth/email"))
            .bearer_auth(&device.token)
            .header("Idempotency-Key", key())
            .json(&json!({"email": "sam@example.org"}))
            .send()
            .await
            .unwrap();
        assert_eq!(sent.status(), StatusCode::ACCEPTED);
        let personalisation: String = rusqlite::Connection::open(&db)
            .unwrap()
            .query_row("SELECT personalisation FROM notifications", [], |r| {
                r.get(0)
            })
            .unwrap();
        let code = serde_json::from_str::<Value>(&personalisation).unwrap()["code"]
            .as_str()
            .unwrap()
            .to_owned();
        let line = log_line(&log, "sign-in code");
        assert_eq!(line.contains(&code), shown, "{flags:?}: {line}");
        assert!(!line.contains("sam@example.org"), "{line}");
        assert!(line.contains("s***@example.org"), "{line}");
    }
}

#[test]
fn a_database_from_a_newer_server_is_refused_with_a_clear_message() {
    let dir = TempDir::new();
    let db = dir.0.join("council.sqlite3");
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", 42)
        .unwrap();
    let output = Command::new(BINARY)
        .args(["--listen", "127.0.0.1:0", "--council"])
        .arg(council_dir())
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("newer doorstep-server"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_broken_profile_is_refused_naming_the_file() {
    let dir = TempDir::new();
    for file in ["council.json", "services.json", "gazetteer.json"] {
        std::fs::copy(council_dir().join(file), dir.0.join(file)).unwrap();
    }
    std::fs::write(
        dir.0.join("services.json"),
        r#"{"groups": [], "services": [{"code": 7}]}"#,
    )
    .unwrap();
    let output = Command::new(BINARY)
        .args(["--listen", "127.0.0.1:0", "--council"])
        .arg(&dir.0)
        .arg("--db")
        .arg(dir.0.join("council.sqlite3"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("services.json") && stderr.contains("services[0].code"),
        "{stderr}"
    );
}
