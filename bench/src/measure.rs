//! The measuring: baselines, loads, medians and the process's own memory.
//!
//! Invariant: a baseline does the same durable work as what it is compared with — same file
//! system, same pragmas, same server — so a ratio compares designs, not machines.

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
    time::{Duration, Instant},
};

use doorstep_core::{Doorstep, reports::ReportInput};
use doorstep_protocol::{Change, ChangeFeed, ChangedItem};
use serde_json::{Value, json};

/// One line of the results.
pub struct Row {
    pub name: String,
    pub figure: String,
    pub budget: String,
    pub holds: bool,
}

impl Row {
    pub fn new(name: &str, figure: String, budget: &str, holds: bool) -> Row {
        Row {
            name: name.to_owned(),
            figure,
            budget: budget.to_owned(),
            holds,
        }
    }

    pub fn to_json(&self) -> Value {
        json!({"name": self.name, "figure": self.figure, "budget": self.budget, "holds": self.holds})
    }
}

pub fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort();
    let index = ((times.len() as f64 - 1.0) * p).round() as usize;
    times.get(index).copied().unwrap_or_default()
}

/// Remove every folder `temp_dir` made in this process.
pub fn remove_temp_dirs() {
    let prefix = "doorstep-bench-";
    let pid = std::process::id().to_string();
    if let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(prefix) && name.ends_with(&pid) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

pub fn temp_dir(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "doorstep-bench-{what}-{}-{}",
        uuid::Uuid::now_v7(),
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// What this machine is, for the record.
pub fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or_default().trim().to_owned())
        });
    json!({"cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1), "cpu": cpu, "os": std::env::consts::OS})
}

/// The process's peak resident memory, from the kernel.
pub fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// The baseline for queueing: a bare INSERT + COMMIT of a row like an outbox operation, with the
/// core's pragmas (WAL, synchronous FULL).
pub struct BareStore {
    conn: rusqlite::Connection,
    body: String,
}

impl BareStore {
    pub fn open(dir: &Path) -> BareStore {
        let conn = rusqlite::Connection::open(dir.join("bare.sqlite3")).expect("bare store");
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.pragma_update(None, "synchronous", "FULL").unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        conn.execute_batch(
            "CREATE TABLE intents (id INTEGER PRIMARY KEY, key TEXT UNIQUE, body TEXT)",
        )
        .unwrap();
        let body = json!({"service_code": "pothole", "description": "Pothole by the bus stop, deep enough to damage a wheel", "location": {"lat": 54.7761, "lon": -1.5733}, "answers": {"depth": "deep", "width": "small", "location_on_road": "kerb"}}).to_string();
        BareStore { conn, body }
    }

    /// One INSERT committed; returns the time it took.
    pub fn insert(&self) -> Duration {
        let started = Instant::now();
        self.conn.execute("BEGIN IMMEDIATE", []).unwrap();
        self.conn
            .execute(
                "INSERT INTO intents (key, body) VALUES (?1, ?2)",
                rusqlite::params![uuid::Uuid::now_v7().to_string(), self.body],
            )
            .unwrap();
        self.conn.execute("COMMIT", []).unwrap();
        started.elapsed()
    }
}

/// Queue `count` reports through the core.
pub async fn queue_quickly(doorstep: &Doorstep, count: usize, make: fn(usize) -> ReportInput) {
    for n in 0..count {
        doorstep.submit_report(make(n)).await.expect("queued");
    }
}

/// In a process of its own, so that its memory is its own: open the store in `args[0]`, sync to
/// the council at `args[1]` until the outbox is empty, and print what it took.
pub fn drain_child(args: &[String]) -> ExitCode {
    let (Some(dir), Some(url)) = (args.first(), args.get(1)) else {
        eprintln!("usage: doorstep-bench drain-child DIR URL");
        return ExitCode::from(2);
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let answer = runtime.block_on(async {
        let doorstep = super::open(Path::new(dir), url);
        let started = Instant::now();
        let mut sent = 0;
        for _ in 0..50 {
            let round = doorstep.sync_now().await.expect("sync");
            sent += round.sent;
            if round.waiting == 0 && round.needs_attention == 0 {
                break;
            }
        }
        json!({"seconds": started.elapsed().as_secs_f64(), "sent": sent, "peak_rss_kib": peak_rss_kib()})
    });
    println!("{answer}");
    ExitCode::SUCCESS
}

async fn register(http: &reqwest::Client, url: &str) -> String {
    let body = json!({"platform": "cli", "name": "bench", "device_secret": uuid::Uuid::now_v7().simple().to_string().repeat(2)});
    let answer: Value = http
        .post(format!("{url}/v1/devices"))
        .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
        .json(&body)
        .send()
        .await
        .expect("register")
        .json()
        .await
        .expect("token");
    answer["token"].as_str().expect("a token").to_owned()
}

fn report_body(n: usize) -> Value {
    json!({"service_code": "pothole", "description": format!("Pothole {n}"), "location": {"lat": 54.7761, "lon": -1.5733},
           "answers": {"depth": "deep", "width": "small", "location_on_road": "kerb"}})
}

/// The naive client: one request per operation, one after another, on a kept-alive connection.
pub async fn naive_client(url: &str, count: usize) -> Duration {
    let http = reqwest::Client::new();
    let token = register(&http, url).await;
    let started = Instant::now();
    for n in 0..count {
        let answer = http
            .post(format!("{url}/v1/reports"))
            .bearer_auth(&token)
            .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
            .json(&report_body(n))
            .send()
            .await
            .expect("naive request");
        assert!(answer.status().is_success());
    }
    started.elapsed()
}

/// A page of `count` report changes, as the council's feed would send them.
pub fn change_feed(count: usize) -> ChangeFeed {
    let at = chrono::Utc::now();
    let changes = (0..count)
        .map(|n| {
            let report = json!({
                "id": format!("r{n}"), "reference": format!("DUR-2026-{n:06}"), "service_code": "pothole",
                "service_name": "Report a pothole", "description": "Pothole", "location": {"lat": 54.7761, "lon": -1.5733},
                "answers": {"depth": "deep"}, "attachments": [], "status": "open", "created_at": at, "updated_at": at,
                "timeline": [{"at": at, "from": "resident", "status": "open"}]
            });
            Change { seq: n as u64 + 1, at, entity: ChangedItem::Report(serde_json::from_value(report).expect("a report")) }
        })
        .collect();
    ChangeFeed {
        changes,
        cursor: count.to_string(),
        more: false,
    }
}

/// A store holding `count` past items (sent reports), written directly.
pub fn fill_past_items(dir: &Path, count: usize) {
    drop(doorstep_core::store::Store::open(dir).expect("store"));
    let mut conn = rusqlite::Connection::open(dir.join("doorstep.sqlite3")).expect("store file");
    let tx = conn.transaction().expect("transaction");
    {
        let mut insert = tx
            .prepare("INSERT INTO items (local_id, kind, server_id, request, server, created_at, updated_at) VALUES (?1, 'report', ?2, ?3, ?4, ?5, ?5)")
            .expect("statement");
        for n in 0..count {
            let request = report_body(n).to_string();
            let server = json!({"id": format!("s{n}"), "reference": format!("DUR-2025-{n:06}"), "status": "closed", "body": request}).to_string();
            insert
                .execute(rusqlite::params![
                    uuid::Uuid::now_v7().to_string(),
                    format!("s{n}"),
                    request,
                    server,
                    n as i64
                ])
                .expect("insert");
        }
    }
    tx.commit().expect("commit");
}

/// Residents sending at once, each its own device, in the load runs.
const CLIENTS: usize = 32;
const SINGLES: usize = 40;
const BATCHES: usize = 4;
const PER_BATCH: usize = 50;

/// One load run against the council at `url`: `CLIENTS` residents each sending `SINGLES`
/// reports one request each, or `BATCHES` batches of `PER_BATCH`; operations a second and each
/// request's latency.
async fn load(url: &str, tokens: &[String], batch: bool) -> (f64, Vec<Duration>) {
    let http = reqwest::Client::new();
    let started = Instant::now();
    let tasks: Vec<_> = tokens
        .iter()
        .cloned()
        .map(|token| {
            let (http, url) = (http.clone(), url.to_owned());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let requests = if batch { BATCHES } else { SINGLES };
                for n in 0..requests {
                    let request = if batch {
                        let operations: Vec<Value> = (0..PER_BATCH)
                            .map(|i| json!({"key": uuid::Uuid::now_v7().to_string(), "method": "POST", "path": "/v1/reports", "body": report_body(n * PER_BATCH + i)}))
                            .collect();
                        http.post(format!("{url}/v1/batch")).bearer_auth(&token).json(&json!({"operations": operations}))
                    } else {
                        http.post(format!("{url}/v1/reports")).bearer_auth(&token).header("Idempotency-Key", uuid::Uuid::now_v7().to_string()).json(&report_body(n))
                    };
                    let sent = Instant::now();
                    let answer = request.send().await.expect("load request");
                    assert!(answer.status().is_success(), "{}", answer.status());
                    let _ = answer.bytes().await;
                    latencies.push(sent.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("load task"));
    }
    let operations = CLIENTS * if batch { BATCHES * PER_BATCH } else { SINGLES };
    (
        operations as f64 / started.elapsed().as_secs_f64(),
        latencies,
    )
}

/// `CLIENTS` new devices' tokens at `url`.
async fn residents(url: &str) -> Vec<String> {
    let http = reqwest::Client::new();
    let mut tokens = Vec::new();
    for _ in 0..CLIENTS {
        tokens.push(register(&http, url).await);
    }
    tokens
}

/// The council under many residents at once: single requests and batches.
pub async fn server_load(url: &str) -> Vec<Row> {
    let tokens = residents(url).await;
    let (single_rate, mut single) = load(url, &tokens, false).await;
    let (batch_rate, mut batched) = load(url, &tokens, true).await;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    vec![
        Row::new(
            "server: single requests, 32 clients",
            format!("{single_rate:.0} ops/s"),
            "",
            true,
        ),
        Row::new(
            "server: single requests p50 / p99",
            format!(
                "{:.1} / {:.1} ms",
                ms(percentile(&mut single, 0.5)),
                ms(percentile(&mut single, 0.99))
            ),
            "",
            true,
        ),
        Row::new(
            "server: batches of 50, 32 clients",
            format!("{batch_rate:.0} ops/s"),
            "",
            true,
        ),
        Row::new(
            "server: batch p50 / p99",
            format!(
                "{:.1} / {:.1} ms",
                ms(percentile(&mut batched, 0.5)),
                ms(percentile(&mut batched, 0.99))
            ),
            "",
            true,
        ),
    ]
}

/// The phone library as shipped (the `mobile` profile: size first, LTO, stripped).
pub fn mobile_library(library: &Path) -> Row {
    let bytes = std::fs::metadata(library)
        .map(|m| m.len())
        .unwrap_or(u64::MAX);
    let megabytes = bytes as f64 / 1e6;
    Row::new(
        "mobile library, release, stripped (mobile profile)",
        format!("{megabytes:.1} MB"),
        "≤ 8 MB",
        megabytes <= 8.0,
    )
}

/// Sizes of the release binaries that exist; the desktop app and the phone library have rows
/// of their own, built with their own profiles.
pub fn sizes() -> Vec<Row> {
    let dir = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    ["doorstep-server", "doorstep"]
        .into_iter()
        .filter_map(|name| {
            let bytes = std::fs::metadata(dir.join(name)).ok()?.len();
            Some(Row::new(
                &format!("release binary: {name}"),
                format!("{:.1} MiB", bytes as f64 / 1_048_576.0),
                "",
                true,
            ))
        })
        .collect()
}

/// The same load on the council's two stores: one server on SQLite (`sqlite_url`, the one the
/// other rows use), then one and three servers on one PostgreSQL database, the three behind a
/// round-robin balancer, in this process and on a throwaway cluster.
pub async fn stores(sqlite_url: &str) -> Vec<Row> {
    let cluster = doorstep_e2e::postgres::Postgres::start(&[]);
    let mut rows = Vec::new();
    let mut measure = |name: &str, (single, batched): (f64, f64)| {
        rows.push(Row::new(
            &format!("server on {name}: single requests / batches of 50, 32 clients"),
            format!("{single:.0} / {batched:.0} ops/s"),
            "",
            true,
        ));
    };
    let both = |url: String| async move {
        let tokens = residents(&url).await;
        (
            load(&url, &tokens, false).await.0,
            load(&url, &tokens, true).await.0,
        )
    };
    measure("SQLite, 1 instance", both(sqlite_url.to_owned()).await);
    for (instances, name) in [
        (1, "PostgreSQL, 1 instance"),
        (3, "PostgreSQL, 3 instances"),
    ] {
        let database = cluster.database(&format!("bench_{instances}"), "read committed");
        let mut servers = Vec::new();
        for _ in 0..instances {
            servers.push(
                doorstep_server::start(doorstep_server::Config {
                    limits: doorstep_server::Limits {
                        registrations_per_hour: 1_000_000,
                        ..doorstep_server::Limits::default()
                    },
                    ..doorstep_server::Config::new(
                        PathBuf::from(&database),
                        "127.0.0.1:0".parse().expect("an address"),
                        doorstep_e2e::council_dir(),
                    )
                })
                .await
                .expect("a server on PostgreSQL starts"),
            );
        }
        let ports: Vec<u16> = servers
            .iter()
            .map(|s| {
                s.url
                    .rsplit(':')
                    .next()
                    .and_then(|p| p.parse().ok())
                    .expect("a port")
            })
            .collect();
        let balancer = doorstep_e2e::Balancer::start(&ports);
        measure(name, both(balancer.url()).await);
        for server in servers {
            server.stop().await.expect("a server stops");
        }
    }
    rows
}
