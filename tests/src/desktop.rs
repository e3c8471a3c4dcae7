//! The desktop app as a resident uses it: the real `doorstep-desktop` binary in a real window
//! on a virtual display (Xvfb), driven through WebDriver (tauri-driver in front of
//! WebKitWebDriver), with axe-core run in the page and a screenshot of each screen.
//!
//! Invariant: the display, the driver, WebKitWebDriver and the app are started in process groups
//! of their own and all of them are stopped when the `Desktop` is dropped, also when a test
//! fails; every wait is bounded and says what it waited for.

use std::{
    io::{BufRead, BufReader},
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use crate::{TempDir, binary, free_port};

/// The W3C name of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long any one thing may take to appear.
const PATIENCE: Duration = Duration::from_secs(20);

/// A process group we started, ended (whole) on drop.
struct Group(Child);

impl Drop for Group {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        for signal in ["-TERM", "-KILL"] {
            let _ = Command::new("kill")
                .args([signal, "--", &group])
                .stderr(Stdio::null())
                .status();
            if signal == "-TERM" {
                std::thread::sleep(Duration::from_millis(300));
            }
        }
        let _ = self.0.wait();
    }
}

/// The program to drive the app with: `TAURI_DRIVER`, else `tauri-driver` on the PATH.
fn tauri_driver() -> PathBuf {
    std::env::var_os("TAURI_DRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("tauri-driver"))
}

/// The desktop app running on its own display, with a WebDriver session open on it.
pub struct Desktop {
    http: reqwest::Client,
    base: String,
    session: String,
    /// Where the app keeps its data (kept across `restart`).
    pub data: TempDir,
    council_url: String,
    screens: PathBuf,
    display: String,
    app: PathBuf,
    driver: Option<Group>,
    _display: Group,
    /// How long the last launch took from asking for the window to its first screen's heading.
    pub first_screen: Duration,
}

impl Desktop {
    /// Start a display and the app on it, talking to `council_url`; `screens` is where the
    /// screenshots go.
    pub async fn start(council_url: &str, screens: &Path) -> Desktop {
        Desktop::start_app(&binary("doorstep-desktop"), council_url, screens).await
    }

    /// As `start`, with the app binary named (a release build, for the benchmarks).
    pub async fn start_app(app: &Path, council_url: &str, screens: &Path) -> Desktop {
        let (display_group, display) = start_display();
        std::fs::create_dir_all(screens).expect("the screenshots folder");
        let mut desktop = Desktop {
            http: reqwest::Client::new(),
            base: String::new(),
            session: String::new(),
            data: TempDir::new("desktop"),
            council_url: council_url.to_owned(),
            screens: screens.to_owned(),
            display,
            app: app.to_owned(),
            driver: None,
            _display: display_group,
            first_screen: Duration::ZERO,
        };
        desktop.launch().await;
        desktop
    }

    /// Close the app as if killed, and open it again on the same data.
    pub async fn restart(&mut self) {
        self.driver = None;
        self.launch().await;
    }

    async fn launch(&mut self) {
        let (port, native) = (free_port(), free_port());
        let mut command = Command::new(tauri_driver());
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("DISPLAY", &self.display)
            .env("DOORSTEP_DATA_DIR", &self.data.0)
            .env("DOORSTEP_COUNCIL_URL", &self.council_url)
            .env("DOORSTEP_SECRETS", "file")
            .env("RUST_LOG", "warn")
            .env_remove("WAYLAND_DISPLAY")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        let driver = Group(command.spawn().unwrap_or_else(|e| {
            panic!(
                "{} did not start ({e}): install it with `cargo install tauri-driver --locked` \
                 (cargo xtask test does) or set TAURI_DRIVER",
                tauri_driver().display()
            )
        }));
        self.driver = Some(driver);
        self.base = format!("http://127.0.0.1:{port}");
        // tauri-driver listens first and starts WebKitWebDriver beside it; a session asked
        // for before both listen is dropped, so both are waited for.
        let deadline = Instant::now() + PATIENCE;
        for (listener, name) in [(port, "tauri-driver"), (native, "WebKitWebDriver")] {
            while std::net::TcpStream::connect(("127.0.0.1", listener)).is_err() {
                assert!(Instant::now() < deadline, "{name} did not start");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "tauri:options": {"application": self.app}
        }}});
        let asked = Instant::now();
        let answer = self.send("POST", "/session", Some(capabilities)).await;
        self.session = answer["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {answer}"))
            .to_owned();
        self.wait_for("#page-title").await;
        self.first_screen = asked.elapsed();
    }

    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let request = match method {
            "GET" => self.http.get(&url),
            "DELETE" => self.http.delete(&url),
            _ => self
                .http
                .post(&url)
                .json(&body.unwrap_or_else(|| json!({}))),
        };
        let response = request
            .timeout(Duration::from_secs(60))
            .send()
            .await
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        let answer: Value = response.json().await.expect("WebDriver answers JSON");
        answer.get("value").cloned().unwrap_or(Value::Null)
    }

    async fn session(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        self.send(method, &path, body).await
    }

    /// Run `script` in the page and return what it returns.
    pub async fn run(&self, script: &str, args: Value) -> Value {
        self.session(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    /// Go to a route of the page (`#/outbox`).
    pub async fn go(&self, route: &str) {
        self.run("location.hash = arguments[0];", json!([route]))
            .await;
        tokio::time::sleep(Duration::from_millis(150)).await;
    }

    async fn find(&self, css: &str) -> Option<String> {
        let found = self
            .session(
                "POST",
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        found
            .get(ELEMENT)
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    /// Wait until an element matches `css`; returns its reference.
    pub async fn wait_for(&self, css: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(element) = self.find(css).await {
                return element;
            }
            assert!(
                Instant::now() < deadline,
                "nothing matched {css} within {PATIENCE:?}; the page says: {}",
                self.page_text().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Wait until the page's text contains `words`.
    pub async fn wait_for_text(&self, words: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let text = self.page_text().await;
            if text.contains(words) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the page never said {words:?}; it says: {text}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Everything the page says.
    pub async fn page_text(&self) -> String {
        self.run(
            "return document.body ? document.body.innerText : '';",
            json!([]),
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// The text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        let element = self.wait_for(css).await;
        self.session("GET", &format!("/element/{element}/text"), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn click(&self, css: &str) {
        let element = self.wait_for(css).await;
        self.session("POST", &format!("/element/{element}/click"), None)
            .await;
    }

    /// Click the button (or link, or details summary) whose words are `words`.
    pub async fn press(&self, words: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let clicked = self
                .run(
                    "const wanted = arguments[0];
                     const all = [...document.querySelectorAll('button, a, summary, input[type=submit]')];
                     const it = all.find(e => (e.innerText || e.value || '').trim() === wanted);
                     if (!it) return false;
                     it.scrollIntoView();
                     it.click();
                     return true;",
                    json!([words]),
                )
                .await;
            if clicked == Value::Bool(true) {
                tokio::time::sleep(Duration::from_millis(150)).await;
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no button or link says {words:?}; the page says: {}",
                self.page_text().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Type into the field matching `css`, replacing what was there.
    pub async fn fill(&self, css: &str, text: &str) {
        let element = self.wait_for(css).await;
        self.session("POST", &format!("/element/{element}/clear"), None)
            .await;
        self.session(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    /// Pick the radio button or checkbox with this value in the group `name`.
    pub async fn choose(&self, name: &str, value: &str) {
        self.click(&format!("input[name=\"{name}\"][value=\"{value}\"]"))
            .await;
    }

    /// Pick an option of the `<select>` matching `css` by its value.
    pub async fn select(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value=\"{value}\"]"))
            .await;
    }

    /// Save a screenshot of the window as `<name>.png`.
    pub async fn screenshot(&self, name: &str) {
        let picture = self.session("GET", "/screenshot", None).await;
        if let Some(data) = picture.as_str() {
            use base64::Engine as _;
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data) {
                let _ = std::fs::write(self.screens.join(format!("{name}.png")), bytes);
            }
        }
    }

    /// Run axe-core in the page for WCAG 2.2 A and AA; returns each violation as
    /// "rule: what, at selector".
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let axe = std::fs::read_to_string(axe_script()).unwrap_or_else(|e| {
            panic!("axe-core is not installed ({e}): run `npm ci` in ui/ (cargo xtask test does)")
        });
        self.run(&axe, json!([])).await;
        let outcome = self
            .session(
                "POST",
                "/execute/async",
                Some(
                    json!({"script": "const done = arguments[arguments.length - 1];
                    axe.run(document, {runOnly: {type: 'tag', values:
                        ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})
                      .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ', at ' +
                        v.nodes.map(n => n.target.join(' ')).join('; '))))
                      .catch(e => done(['axe failed: ' + e]));", "args": []}),
                ),
            )
            .await;
        outcome
            .as_array()
            .map(|all| {
                all.iter()
                    .map(|v| v.as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_else(|| vec![format!("axe gave no answer: {outcome}")])
    }

    /// Screenshot the screen and assert axe-core finds nothing on it.
    pub async fn check_screen(&self, name: &str) {
        self.screenshot(name).await;
        let violations = self.accessibility_violations().await;
        assert!(
            violations.is_empty(),
            "the {name} screen breaks WCAG 2.2 AA:\n{}",
            violations.join("\n")
        );
    }

    /// The windows open now.
    pub async fn windows(&self) -> Vec<String> {
        self.session("GET", "/window/handles", None)
            .await
            .as_array()
            .map(|all| {
                all.iter()
                    .filter_map(|h| h.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub async fn switch_to(&self, window: &str) {
        self.session("POST", "/window", Some(json!({"handle": window})))
            .await;
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        self.driver = None;
    }
}

/// axe-core, from the page's own development packages.
fn axe_script() -> PathBuf {
    crate::workspace().join("ui/node_modules/axe-core/axe.min.js")
}

/// Start Xvfb on a display of its choosing; returns it and its name (`:N`).
fn start_display() -> (Group, String) {
    let mut child = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1280x900x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| {
            panic!("Xvfb did not start ({e}): install the Debian package xvfb (.ci/run does)")
        });
    let stdout = child.stdout.take().expect("Xvfb's output");
    let group = Group(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("Xvfb names its display");
    let number = line.trim();
    assert!(
        !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()),
        "Xvfb did not name its display: {line:?}"
    );
    (group, format!(":{number}"))
}
