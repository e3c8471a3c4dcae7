//! The end-to-end harness: the council server as a real process on a loopback port, residents'
//! devices as real cores (or the real `doorstep` command), and a TCP proxy between them that
//! loses answers or answers for the council.
//!
//! Invariant: everything a test starts it also stops, when it passes and when it fails (each
//! piece stops on drop); only loopback addresses are used. The binaries are the workspace's own
//! (`cargo xtask test` builds them first).

pub mod desktop;
pub mod govuk_pay;
pub mod notify;
pub mod open311;
pub mod postgres;
pub mod push;
pub mod reliability;

use std::{
    net::{SocketAddr, TcpListener as StdListener},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
    time::{Duration, Instant},
};

use doorstep_core::{Config, Doorstep, MemorySecrets};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

/// A workspace binary, built next to the test executables (or next to the running binary).
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows where it is");
    let beside = exe.parent().map(|dir| dir.join(name));
    let path = match beside {
        Some(path) if path.exists() => path,
        _ => exe
            .parent()
            .and_then(Path::parent)
            .expect("tests run from target/<profile>/deps")
            .join(name),
    };
    assert!(
        path.exists(),
        "{} is not built: run `cargo build --workspace --bins` (cargo xtask test does)",
        path.display()
    );
    path
}

/// `doorstep sync` started on the device whose data is in `dir`, against the council at
/// `url`, with its output dropped (the tests that kill it mid-sync).
pub fn start_sync(dir: &Path, url: &str) -> std::io::Result<Child> {
    Command::new(binary("doorstep"))
        .arg("--data-dir")
        .arg(dir)
        .arg("--server")
        .arg(url)
        .arg("sync")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
}

/// The workspace these tests were started in (named at run time: a target directory may be
/// shared between clones).
pub fn workspace() -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("..")
}

pub fn council_dir() -> PathBuf {
    workspace().join("assets/councils/durham")
}

/// A folder removed when the test ends.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(what: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("doorstep-e2e-{what}-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&path).expect("temp dir");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A free loopback port.
pub fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The council server started from a deployment file (`doorstep-server --config FILE`), as a
/// council runs it; stopped (SIGKILL) on drop.
pub struct Deployed(Child);

impl Deployed {
    /// Start it in `cwd` with `env` set, its log (stderr, at `info`) written to `log` when
    /// given; returns once it answers on `port`, the port its file names.
    pub fn start(
        file: &Path,
        port: u16,
        cwd: &Path,
        env: &[(&str, &str)],
        log: Option<&Path>,
    ) -> Deployed {
        let logged = log
            .and_then(|path| std::fs::File::create(path).ok())
            .map_or_else(Stdio::null, Stdio::from);
        let child = Command::new(binary("doorstep-server"))
            .arg("--config")
            .arg(file)
            .current_dir(cwd)
            .envs(env.iter().copied())
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(logged)
            .spawn()
            .expect("doorstep-server starts");
        let deployed = Deployed(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the server did not listen where its file says"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
        deployed
    }
}

impl Deployed {
    /// Kill the server (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }

    /// A staff token for the back office of the council deployed by `file`, its secrets from
    /// `env`.
    pub fn staff_token(file: &Path, env: &[(&str, &str)]) -> String {
        let staff = Command::new(binary("doorstep-server"))
            .arg("--config")
            .arg(file)
            .args(["staff", "token"])
            .envs(env.iter().copied())
            .output()
            .expect("staff token runs");
        assert!(
            staff.status.success(),
            "{}",
            String::from_utf8_lossy(&staff.stderr)
        );
        String::from_utf8_lossy(&staff.stdout).trim().to_owned()
    }
}

/// The council moves a report on, as its back office does: to `status`, with a note.
pub async fn move_report(
    council_url: &str,
    staff: &str,
    report_id: &str,
    status: &str,
    note: &str,
) {
    let moved = reqwest::Client::new()
        .post(format!("{council_url}/v1/staff/reports/{report_id}/status"))
        .bearer_auth(staff)
        .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
        .json(&serde_json::json!({"status": status, "note": note}))
        .send()
        .await
        .expect("the council answers");
    assert!(moved.status().is_success(), "{}", moved.status());
}

impl Drop for Deployed {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Serve a stand-in of a provider's API on a free loopback port until its task is aborted; its
/// address and task.
pub async fn stand_in(app: axum::Router) -> (String, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let url = format!("http://{}", listener.local_addr().expect("its address"));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, task)
}

/// The council server as its own process; stopped (SIGKILL if need be) on drop.
pub struct Council {
    pub port: u16,
    pub db: PathBuf,
    /// Where the server's log goes, when the test reads it.
    log: Option<Logging>,
    child: Option<Child>,
    _dir: Arc<TempDir>,
}

/// A server that logs at `level` to `file` (stdout and stderr both), `--demo` or not.
struct Logging {
    level: String,
    file: PathBuf,
    demo: bool,
}

impl Council {
    /// Start a council server with the Durham demo profile on a free port.
    pub fn start() -> Council {
        Self::start_with(None)
    }

    /// Start one that logs at `level` (as `RUST_LOG` says it), to be read with `log`; a demo
    /// server writes sign-in codes to its log.
    pub fn start_logging(level: &str, demo: bool) -> Council {
        Self::start_with(Some((level, demo)))
    }

    fn start_with(logging: Option<(&str, bool)>) -> Council {
        let dir = Arc::new(TempDir::new("council"));
        let mut council = Council {
            port: free_port(),
            db: dir.0.join("council.sqlite3"),
            log: logging.map(|(level, demo)| Logging {
                level: level.to_owned(),
                file: dir.0.join("council.log"),
                demo,
            }),
            child: None,
            _dir: dir,
        };
        council.restart();
        council
    }

    /// Everything the server has logged so far.
    pub fn log(&self) -> String {
        self.log
            .as_ref()
            .map(|log| std::fs::read_to_string(&log.file).unwrap_or_default())
            .unwrap_or_default()
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Start (again) on the same port and store; returns once it answers.
    pub fn restart(&mut self) {
        self.stop();
        let child = Command::new(binary("doorstep-server"))
            .arg("--listen")
            .arg(self.addr().to_string())
            .arg("--db")
            .arg(&self.db)
            .arg("--council")
            .arg(council_dir())
            .args(self.log.iter().filter(|log| log.demo).map(|_| "--demo"))
            .env(
                "RUST_LOG",
                self.log.as_ref().map_or("warn", |log| log.level.as_str()),
            )
            .stdout(self.log_output())
            .stderr(self.log_output())
            .spawn()
            .expect("doorstep-server starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(self.addr()).is_err() {
            assert!(
                Instant::now() < deadline,
                "the council server did not start"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Where the server writes: the log file (appended to across restarts), or nowhere.
    fn log_output(&self) -> Stdio {
        match &self.log {
            Some(log) => std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&log.file)
                .map_or_else(|_| Stdio::null(), Stdio::from),
            None => Stdio::null(),
        }
    }

    /// Stop the server (SIGKILL: as abrupt as a crash).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// `doorstep-server stats --json`.
    pub fn stats(&self) -> serde_json::Value {
        let output = Command::new(binary("doorstep-server"))
            .arg("stats")
            .arg("--json")
            .arg("--db")
            .arg(&self.db)
            .output()
            .expect("stats runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("stats prints JSON")
    }

    /// A staff token for the back office.
    pub fn staff_token(&self) -> String {
        let output = Command::new(binary("doorstep-server"))
            .args(["staff", "token", "--db"])
            .arg(&self.db)
            .output()
            .expect("staff token runs");
        String::from_utf8(output.stdout)
            .expect("a token")
            .trim()
            .to_owned()
    }
}

impl Drop for Council {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A resident's device: a real core with its own store.
pub struct Device {
    pub doorstep: Doorstep,
    pub dir: TempDir,
}

impl Device {
    pub fn open(council_url: &str) -> Device {
        let dir = TempDir::new("device");
        let doorstep = Self::reopen(&dir.0, council_url);
        Device { doorstep, dir }
    }

    /// A device whose council is of the given kind (a plain Open311 one, say).
    pub fn open_with(council_url: &str, backend: doorstep_core::Backend) -> Device {
        let dir = TempDir::new("device");
        let doorstep = Doorstep::open(Config {
            data_dir: dir.0.clone(),
            council_url: council_url.to_owned(),
            backend,
            secrets: Arc::new(MemorySecrets::default()),
            platform: "linux".to_owned(),
            device_name: "test".to_owned(),
            background_sync: false,
        })
        .expect("the core opens");
        Device { doorstep, dir }
    }

    /// Open the core on an existing data directory (as after a restart of the app).
    pub fn reopen(dir: &Path, council_url: &str) -> Doorstep {
        Self::reopen_with(dir, council_url, Arc::new(MemorySecrets::default()))
    }

    /// Reopen with the secrets the device kept (a real shell's keyring outlives the app).
    pub fn reopen_with(dir: &Path, council_url: &str, secrets: Arc<MemorySecrets>) -> Doorstep {
        Doorstep::open(Config {
            data_dir: dir.to_path_buf(),
            council_url: council_url.to_owned(),
            backend: doorstep_core::Backend::Doorstep,
            secrets,
            platform: "linux".to_owned(),
            device_name: "test".to_owned(),
            background_sync: false,
        })
        .expect("the core opens")
    }
}

/// A pothole in Durham city centre, with every required answer.
pub fn pothole(description: &str) -> doorstep_core::reports::ReportInput {
    use doorstep_protocol::{Answer, Location};
    doorstep_core::reports::ReportInput {
        service_code: "pothole".into(),
        description: description.to_owned(),
        location: Location {
            lat: Some(54.7761),
            lon: Some(-1.5733),
            ..Location::default()
        },
        answers: [
            ("depth", "deep"),
            ("width", "small"),
            ("location_on_road", "kerb"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Answer::Text(v.to_owned())))
        .collect(),
        ..doorstep_core::reports::ReportInput::default()
    }
}

/// What the proxy does to the traffic that passes.
#[derive(Default)]
pub struct Faults {
    /// Forward the next N requests, then cut the connection instead of passing the answer on.
    pub lose_answers: AtomicU32,
    /// Answer the next N requests with 503 and `Retry-After` (`retry_after`) without forwarding
    /// them.
    pub unavailable: AtomicU32,
    /// The seconds those 503s ask the device to wait; 120 when 0.
    pub retry_after: AtomicU32,
    /// Cut the connection on the next N requests before the council sees them.
    pub cut_requests: AtomicU32,
    /// Answer the next N requests with a bare 500 (no `Retry-After`) without forwarding them.
    pub server_errors: AtomicU32,
    /// Hold every answer this many milliseconds before passing it on.
    pub delay_ms: AtomicU32,
    /// Forward the next N requests, hold the answer `STALL` long, then cut the connection: the
    /// council has done the work, and the device gave up waiting.
    pub stalls: AtomicU32,
    /// Requests passed on whose answers have not yet begun to reach the device, across
    /// connections.
    pub awaiting: AtomicU32,
    /// The most requests that were awaiting their answers at once.
    pub most_awaiting: AtomicU32,
    /// Answer 413 to a request whose body is larger than this many bytes, once the whole body
    /// has been read, as a proxy stricter than the council does (0: any size passes).
    pub largest_body: AtomicU32,
}

/// How long a stalled answer is held before the connection is cut.
pub const STALL: Duration = Duration::from_millis(1_500);

/// A round-robin TCP balancer in front of several servers, on its own loopback port: each
/// connection goes to the next server in turn (a server that refuses it is passed over);
/// stops on drop. A client that opens a connection per request spreads its requests evenly.
pub struct Balancer {
    pub port: u16,
    task: tokio::task::JoinHandle<()>,
}

impl Balancer {
    /// Balance over the servers on `ports` of 127.0.0.1; call it inside a Tokio runtime.
    pub fn start(ports: &[u16]) -> Balancer {
        let listener = StdListener::bind("127.0.0.1:0").expect("balancer binds");
        let port = listener.local_addr().expect("balancer address").port();
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let upstreams: Vec<SocketAddr> = ports
            .iter()
            .map(|p| SocketAddr::from(([127, 0, 0, 1], *p)))
            .collect();
        let task = tokio::spawn(async move {
            let listener = TcpListener::from_std(listener).expect("balancer listens");
            let mut next = 0;
            while let Ok((mut client, _)) = listener.accept().await {
                let turn: Vec<SocketAddr> = (0..upstreams.len())
                    .map(|i| upstreams[(next + i) % upstreams.len()])
                    .collect();
                next = (next + 1) % upstreams.len();
                tokio::spawn(async move {
                    for upstream in turn {
                        if let Ok(mut server) = TcpStream::connect(upstream).await {
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                            return;
                        }
                    }
                });
            }
        });
        Balancer { port, task }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A TCP proxy in front of the council, on its own loopback port; stops on drop.
pub struct Proxy {
    pub port: u16,
    pub faults: Arc<Faults>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    pub async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy binds");
        let port = listener.local_addr().expect("proxy address").port();
        let faults = Arc::new(Faults::default());
        let shared = faults.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(relay(client, upstream, shared.clone()));
            }
        });
        Proxy { port, faults, task }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn take(counter: &AtomicU32) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

/// Whether a connection's request has been passed on with its answer not yet begun to reach
/// the device, counted in `Faults::awaiting` until it does or the connection ends.
struct Awaiting<'a> {
    faults: &'a Faults,
    now: bool,
}

impl Awaiting<'_> {
    fn sent(&mut self) {
        if !std::mem::replace(&mut self.now, true) {
            let at_once = self.faults.awaiting.fetch_add(1, Ordering::SeqCst) + 1;
            self.faults
                .most_awaiting
                .fetch_max(at_once, Ordering::SeqCst);
        }
    }

    fn answered(&mut self) {
        if std::mem::take(&mut self.now) {
            self.faults.awaiting.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl Drop for Awaiting<'_> {
    fn drop(&mut self) {
        self.answered();
    }
}

/// The `Content-Length` of the request whose head begins `bytes`.
fn content_length(bytes: &[u8]) -> Option<usize> {
    let head = String::from_utf8_lossy(&bytes[..head_end(bytes)?]).to_ascii_lowercase();
    head.lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse().ok())
}

/// Where the head of the request in `bytes` ends (after its blank line).
fn head_end(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| at + 4)
}

/// How much of the body came with the head.
fn body_in(bytes: &[u8]) -> usize {
    head_end(bytes).map_or(0, |end| bytes.len() - end)
}

async fn relay(mut client: TcpStream, upstream: SocketAddr, faults: Arc<Faults>) {
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    let mut from_client = [0u8; 64 * 1024];
    let mut from_server = [0u8; 64 * 1024];
    let mut awaiting = Awaiting {
        faults: &faults,
        now: false,
    };
    loop {
        tokio::select! {
            read = client.read(&mut from_client) => {
                let Ok(n @ 1..) = read else { return };
                if take(&faults.cut_requests) {
                    return;
                }
                let largest = faults.largest_body.load(Ordering::SeqCst) as usize;
                if largest > 0 && let Some(length) = content_length(&from_client[..n]).filter(|l| *l > largest) {
                    let mut unread = length.saturating_sub(body_in(&from_client[..n]));
                    while unread > 0 {
                        let Ok(m @ 1..) = client.read(&mut from_client).await else { return };
                        unread = unread.saturating_sub(m);
                    }
                    let body = r#"{"error":{"code":"too_large","message":"Request body too large"}}"#;
                    let answer = format!(
                        "HTTP/1.1 413 Payload Too Large\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = client.write_all(answer.as_bytes()).await;
                    return;
                }
                if take(&faults.server_errors) {
                    let answer = "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
                    let _ = client.write_all(answer.as_bytes()).await;
                    return;
                }
                if take(&faults.unavailable) {
                    let body = r#"{"error":{"code":"unavailable","message":"The council's system is down for maintenance"}}"#;
                    let wait = match faults.retry_after.load(Ordering::SeqCst) {
                        0 => 120,
                        seconds => seconds,
                    };
                    let answer = format!(
                        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: {wait}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = client.write_all(answer.as_bytes()).await;
                    return;
                }
                if server.write_all(&from_client[..n]).await.is_err() { return }
                awaiting.sent();
            }
            read = server.read(&mut from_server) => {
                let Ok(n @ 1..) = read else { return };
                let delay = faults.delay_ms.load(Ordering::SeqCst);
                if delay > 0 {
                    tokio::time::sleep(Duration::from_millis(delay.into())).await;
                }
                if take(&faults.stalls) {
                    tokio::time::sleep(STALL).await;
                    return;
                }
                if take(&faults.lose_answers) {
                    // The council has done the work; the device never hears of it.
                    return;
                }
                awaiting.answered();
                if client.write_all(&from_server[..n]).await.is_err() { return }
            }
        }
    }
}
