//! The reliability runs: each scenario puts residents' intents through one kind of fault, many
//! times, and counts what the council holds against what the devices queued.
//!
//! Invariant: a scenario's figures come only from comparing the descriptions each device queued
//! with the rows in the council's own store — never from what the device believes it sent — and
//! every scenario stops every server and process it starts, bounded in count and time.

use std::{
    collections::HashMap,
    net::{IpAddr, Ipv4Addr},
    sync::{Arc, atomic::Ordering},
    time::{Duration, Instant},
};

use doorstep_core::{Config, Doorstep, MemorySecrets};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::{Value, json};

use doorstep_server::sql::{Sql, params};

use crate::{
    Council, Device, Proxy, TempDir, council_dir, free_port,
    postgres::{Postgres, Servers},
    pothole, start_sync,
};

/// How big each run is.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    /// Runs of each scenario.
    pub runs: u32,
    /// Reports queued by the device offline for months.
    pub big_queue: usize,
    /// Residents at once in the load scenario.
    pub residents: usize,
}

impl Size {
    /// One short round of everything (the test suite's).
    pub fn quick() -> Size {
        Size {
            runs: 1,
            big_queue: 500,
            residents: 60,
        }
    }
}

/// What one scenario's runs add up to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub runs: u32,
    pub sent: u64,
    pub landed_once: u64,
    pub lost: u64,
    pub duplicated: u64,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.runs += other.runs;
        self.sent += other.sent;
        self.landed_once += other.landed_once;
        self.lost += other.lost;
        self.duplicated += other.duplicated;
    }
}

/// One row of the table: a scenario, what it does, and its figures.
#[derive(Debug, Clone)]
pub struct Row {
    pub scenario: &'static str,
    pub fault: String,
    pub tally: Tally,
    pub seconds: f64,
}

/// Compare what was queued with how many times the council holds each: one run's tally.
pub fn compare(queued: &[String], held: &HashMap<String, u64>) -> Tally {
    let mut tally = Tally {
        runs: 1,
        sent: queued.len() as u64,
        ..Tally::default()
    };
    for description in queued {
        match held.get(description).copied().unwrap_or(0) {
            0 => tally.lost += 1,
            1 => tally.landed_once += 1,
            _ => tally.duplicated += 1,
        }
    }
    tally
}

/// How many reports the council holds for each description, read from its own store (a SQLite
/// file or a PostgreSQL database), as `doorstep-server stats` reads it.
pub fn held_reports(council_db: &std::path::Path) -> Result<HashMap<String, u64>, String> {
    // Off the async workers: a PostgreSQL client blocks.
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let store = doorstep_server::db::look_at(council_db)
                    .map_err(|e| format!("the council's store: {e}"))?;
                let conn: &dyn Sql = &*store;
                let bodies: Vec<String> = conn
                    .query_map("SELECT body FROM reports", params![], |r| r.get(0))
                    .map_err(|e| e.to_string())?;
                let mut held = HashMap::new();
                for body in bodies {
                    let report: Value = serde_json::from_str(&body).map_err(|e| e.to_string())?;
                    let description = report["description"].as_str().unwrap_or_default();
                    *held.entry(description.to_owned()).or_insert(0) += 1;
                }
                Ok(held)
            })
            .join()
            .map_err(|_| "reading the council's store panicked".to_owned())?
    })
}

/// Sync again and again (200 times, 10 ms apart) on a task of its own, as a device does while
/// the fault is put in its way.
fn keep_syncing(doorstep: &Doorstep) -> tokio::task::JoinHandle<()> {
    let doorstep = doorstep.clone();
    tokio::spawn(async move {
        for _ in 0..200 {
            let _ = doorstep.sync_now().await;
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
}

/// Sync until the outbox is empty, or give up after `within`.
async fn drain(doorstep: &Doorstep, within: Duration) -> Result<(), String> {
    let deadline = Instant::now() + within;
    loop {
        let _ = doorstep.sync_now().await;
        let left = doorstep.outbox().await.map_err(|e| e.to_string())?;
        if left.is_empty() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("{} operations still waiting", left.len()));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn queue(doorstep: &Doorstep, tag: &str, from: usize, count: usize) -> Vec<String> {
    let mut queued = Vec::with_capacity(count);
    for i in from..from + count {
        let description = format!("{tag} report {i}");
        if doorstep.submit_report(pothole(&description)).await.is_ok() {
            queued.push(description);
        }
    }
    queued
}

/// The faults the proxy can put between a device and the council.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyFault {
    CutBeforeCommit,
    CutAfterCommit,
    Slow,
    Stalled,
    ServerErrors,
}

impl ProxyFault {
    fn arm(self, proxy: &Proxy, rng: &mut StdRng) {
        let faults = &proxy.faults;
        let n = rng.random_range(1..=3);
        match self {
            ProxyFault::CutBeforeCommit => faults.cut_requests.store(n, Ordering::SeqCst),
            ProxyFault::CutAfterCommit => faults.lose_answers.store(n, Ordering::SeqCst),
            ProxyFault::Slow => faults
                .delay_ms
                .store(rng.random_range(50..400), Ordering::SeqCst),
            ProxyFault::Stalled => faults.stalls.store(n, Ordering::SeqCst),
            ProxyFault::ServerErrors => faults
                .server_errors
                .store(rng.random_range(5..30), Ordering::SeqCst),
        }
    }

    fn disarm(proxy: &Proxy) {
        let faults = &proxy.faults;
        for counter in [
            &faults.cut_requests,
            &faults.lose_answers,
            &faults.delay_ms,
            &faults.stalls,
            &faults.server_errors,
        ] {
            counter.store(0, Ordering::SeqCst);
        }
    }
}

/// A device queues reports in bursts and syncs through a proxy that does `fault` each time.
pub async fn through_proxy(fault: ProxyFault, rng: &mut StdRng) -> Result<Tally, String> {
    let council = Council::start();
    let proxy = Proxy::start(council.addr()).await;
    let device = Device::open(&proxy.url());
    let doorstep = &device.doorstep;
    let tag = format!("{fault:?} {}", uuid::Uuid::now_v7());
    let mut queued = Vec::new();
    for _ in 0..rng.random_range(3..=5) {
        let count = rng.random_range(1..=20);
        queued.extend(queue(doorstep, &tag, queued.len(), count).await);
        fault.arm(&proxy, rng);
        let _ = doorstep.sync_now().await;
    }
    ProxyFault::disarm(&proxy);
    drain(doorstep, Duration::from_secs(90)).await?;
    Ok(compare(&queued, &held_reports(&council.db)?))
}

/// The council is killed (SIGKILL) and restarted at random moments while a device syncs.
pub async fn server_killed(rng: &mut StdRng) -> Result<Tally, String> {
    let mut council = Council::start();
    let device = Device::open(&council.url());
    let doorstep = device.doorstep.clone();
    let tag = format!("killed council {}", uuid::Uuid::now_v7());
    let mut queued = queue(&doorstep, &tag, 0, 300).await;
    let syncing = keep_syncing(&doorstep);
    for round in 0..3 {
        queued.extend(queue(&doorstep, &tag, queued.len(), 50 * (round + 1)).await);
        tokio::time::sleep(Duration::from_millis(rng.random_range(5..200))).await;
        council.stop();
        tokio::time::sleep(Duration::from_millis(rng.random_range(5..200))).await;
        council.restart();
    }
    syncing.abort();
    drain(&doorstep, Duration::from_secs(120)).await?;
    Ok(compare(&queued, &held_reports(&council.db)?))
}

/// Three council servers on one PostgreSQL database behind a balancer, two of them killed
/// (SIGKILL) in turn at random moments while a device syncs 600 reports through it: the
/// batches they had open are rolled back with their connections, and the device's retries
/// under the same keys reach the server left.
pub async fn server_killed_among_three(rng: &mut StdRng) -> Result<Tally, String> {
    let cluster = Postgres::start(&[]);
    let mut servers = Servers::start(3, &cluster.url());
    let device = Device::open(&servers.balancer.url());
    let doorstep = device.doorstep.clone();
    let tag = format!("killed among three {}", uuid::Uuid::now_v7());
    let queued = queue(&doorstep, &tag, 0, 600).await;
    let syncing = keep_syncing(&doorstep);
    for n in 0..2 {
        tokio::time::sleep(Duration::from_millis(rng.random_range(5..300))).await;
        servers.kill(n);
    }
    syncing.abort();
    drain(&doorstep, Duration::from_secs(120)).await?;
    Ok(compare(
        &queued,
        &held_reports(std::path::Path::new(&cluster.url()))?,
    ))
}

/// The `doorstep` command killed (SIGKILL) at random moments during a long sync.
pub async fn client_killed(rng: &mut StdRng) -> Result<Tally, String> {
    let council = Council::start();
    let device = Device::open(&council.url());
    device.doorstep.set_online(false).await;
    let tag = format!("killed client {}", uuid::Uuid::now_v7());
    let queued = queue(&device.doorstep, &tag, 0, 1_200).await;
    let dir = device.dir.0.clone();
    drop(device.doorstep);
    let sync = || start_sync(&dir, &council.url()).map_err(|e| format!("doorstep starts: {e}"));
    for _ in 0..10 {
        let mut child = sync()?;
        tokio::time::sleep(Duration::from_millis(rng.random_range(5..250))).await;
        let _ = child.kill();
        let _ = child.wait();
    }
    let finished = sync()?.wait().map_err(|e| e.to_string())?;
    if !finished.success() {
        return Err(format!("a sync left alone failed ({finished})"));
    }
    Ok(compare(&queued, &held_reports(&council.db)?))
}

/// The device's clock is hours behind the council's, or hours ahead of it: the council runs in
/// this process with its clock set apart from the system's, either way.
pub async fn clock_skew(rng: &mut StdRng) -> Result<Tally, String> {
    let dir = TempDir::new("skewed-council");
    let db = dir.0.join("council.sqlite3");
    let listen = std::net::SocketAddr::from(([127, 0, 0, 1], free_port()));
    let hours = rng.random_range(1..=48) * if rng.random_bool(0.5) { 1 } else { -1 };
    let server = doorstep_server::start(doorstep_server::Config {
        clock: doorstep_server::Clock::apart(chrono::Duration::hours(hours)),
        ..doorstep_server::Config::new(db.clone(), listen, council_dir())
    })
    .await
    .map_err(|e| format!("the council starts: {e}"))?;
    let device = Device::open(&server.url);
    let tag = format!("skew {hours:+}h {}", uuid::Uuid::now_v7());
    let queued = queue(&device.doorstep, &tag, 0, rng.random_range(10..50)).await;
    let drained = drain(&device.doorstep, Duration::from_secs(60)).await;
    let held = held_reports(&db);
    server.stop().await.map_err(|e| e.to_string())?;
    drained?;
    Ok(compare(&queued, &held?))
}

/// A device offline for months queues `reports`, then comes back online.
pub async fn offline_for_months(reports: usize) -> Result<Tally, String> {
    let council = Council::start();
    let device = Device::open(&council.url());
    device.doorstep.set_online(false).await;
    let tag = format!("months offline {}", uuid::Uuid::now_v7());
    let queued = queue(&device.doorstep, &tag, 0, reports).await;
    device.doorstep.set_online(true).await;
    drain(&device.doorstep, Duration::from_secs(600)).await?;
    Ok(compare(&queued, &held_reports(&council.db)?))
}

/// The device's store is damaged while the app is closed: it is moved aside whole with a clear
/// message, and what the resident does next reaches the council once.
pub async fn damaged_store(rng: &mut StdRng) -> Result<Tally, String> {
    let council = Council::start();
    let dir = TempDir::new("damaged-device");
    let open = || open_core(&dir.0, &council.url());
    let doorstep = open().map_err(|e| e.to_string())?;
    doorstep.set_online(false).await;
    let tag = format!("damaged store {}", uuid::Uuid::now_v7());
    let before = queue(&doorstep, &tag, 0, rng.random_range(1..10)).await;
    drop(doorstep);
    let file = dir.0.join("doorstep.sqlite3");
    let mut bytes = std::fs::read(&file).map_err(|e| e.to_string())?;
    let damage = rng.random_range(1..100);
    bytes[..damage].fill(0xA5);
    std::fs::write(&file, &bytes).map_err(|e| e.to_string())?;

    match open() {
        Err(doorstep_core::Error::Storage(message)) if message.contains("kept, not deleted") => {}
        Err(other) => return Err(format!("a damaged store gave {other}")),
        Ok(_) => return Err("a damaged store opened as if whole".to_owned()),
    }
    let kept = std::fs::read_dir(&dir.0)
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            name.contains(".damaged-") && !name.ends_with("-wal") && !name.ends_with("-shm")
        })
        .ok_or("the damaged store was not kept")?;
    if std::fs::read(&kept).map_err(|e| e.to_string())? != bytes {
        return Err(format!(
            "the damaged store was changed when kept ({} intents in it)",
            before.len()
        ));
    }
    let doorstep = open().map_err(|e| format!("the fresh store: {e}"))?;
    let queued = queue(&doorstep, &tag, before.len(), rng.random_range(5..30)).await;
    drain(&doorstep, Duration::from_secs(60)).await?;
    Ok(compare(&queued, &held_reports(&council.db)?))
}

fn open_core(dir: &std::path::Path, council_url: &str) -> Result<Doorstep, doorstep_core::Error> {
    Doorstep::open(Config {
        data_dir: dir.to_path_buf(),
        council_url: council_url.to_owned(),
        backend: doorstep_core::Backend::Doorstep,
        secrets: Arc::new(MemorySecrets::default()),
        platform: "linux".to_owned(),
        device_name: "test".to_owned(),
        background_sync: false,
    })
}

/// The device's disk fills up: the store refuses new intents with a clear error, keeps what it
/// had, and sends everything once space returns.
pub async fn disk_full(rng: &mut StdRng) -> Result<Tally, String> {
    let council = Council::start();
    let dir = TempDir::new("full-device");
    let doorstep = open_core(&dir.0, &council.url()).map_err(|e| e.to_string())?;
    doorstep.set_online(false).await;
    let tag = format!("disk full {}", uuid::Uuid::now_v7());
    let mut queued = queue(&doorstep, &tag, 0, rng.random_range(5..30)).await;
    let pages = doorstep.cap_storage(1).await.map_err(|e| e.to_string())?;
    let mut refused = None;
    for i in 0..5_000 {
        let description = format!("{tag} while filling {i}");
        match doorstep.submit_report(pothole(&description)).await {
            Ok(_) => queued.push(description),
            Err(error) => {
                refused = Some(error);
                break;
            }
        }
    }
    match refused {
        Some(doorstep_core::Error::Storage(message)) if message.contains("full") => {}
        other => return Err(format!("a full disk gave {other:?}")),
    }
    doorstep
        .cap_storage(pages * 4)
        .await
        .map_err(|e| e.to_string())?;
    queued.extend(queue(&doorstep, &tag, queued.len(), 5).await);
    doorstep.set_online(true).await;
    drain(&doorstep, Duration::from_secs(60)).await?;
    Ok(compare(&queued, &held_reports(&council.db)?))
}

/// The load run's figures.
#[derive(Debug, Clone, Default)]
pub struct Load {
    pub residents: usize,
    pub requests: usize,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub booked: usize,
    pub places: usize,
    pub most_in_a_slot: usize,
    pub capacity: usize,
    pub payments: usize,
    pub tally: Tally,
}

/// The `p`th percentile (0–100) of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p / 100.0 * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// A state-changing request sent twice with one key (a lost answer's retry): the replay's
/// answer — the one a device keeps — once found to match the first, and the time each took.
async fn twice(
    http: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    body: &Value,
) -> Result<(u16, Value, Vec<f64>), String> {
    let key = uuid::Uuid::now_v7().to_string();
    let mut answers = Vec::new();
    let mut times = Vec::new();
    for _ in 0..2 {
        let started = Instant::now();
        let mut request = http.post(url).header("Idempotency-Key", &key).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        answers.push((status, body));
    }
    // A replayed registration hands out a fresh token (tokens are kept hashed); all else is equal.
    let without_token = |(status, body): &(u16, Value)| {
        let mut body = body.clone();
        if let Some(fields) = body.as_object_mut() {
            fields.remove("token");
        }
        (*status, body)
    };
    if without_token(&answers[0]) != without_token(&answers[1]) {
        return Err(format!("a replay answered differently: {answers:?}"));
    }
    let (status, body) = answers.swap_remove(1);
    Ok((status, body, times))
}

/// What one resident did in the load run.
struct Resident {
    report: String,
    booking: Option<String>,
    payment: String,
    times: Vec<f64>,
}

async fn resident(
    number: usize,
    url: String,
    slots: Arc<Vec<String>>,
    tag: String,
) -> Result<Resident, String> {
    // The council allows a few registrations per address an hour; loopback has many addresses.
    let address = Ipv4Addr::new(127, 0, 1 + (number / 50) as u8, 2 + (number % 50) as u8);
    let http = reqwest::Client::builder()
        .local_address(IpAddr::V4(address))
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| e.to_string())?;
    let mut times = Vec::new();
    let secret = format!(
        "{}{}",
        uuid::Uuid::now_v7().simple(),
        uuid::Uuid::now_v7().simple()
    );
    let (status, device, t) = twice(
        &http,
        &format!("{url}/v1/devices"),
        None,
        &json!({"platform": "linux", "name": "load", "device_secret": secret}),
    )
    .await?;
    times.extend(t);
    let token = device["token"]
        .as_str()
        .ok_or(format!("registration answered {status}: {device}"))?
        .to_owned();
    let report = format!("{tag} resident {number}");
    let (status, _, t) = twice(
        &http,
        &format!("{url}/v1/reports"),
        Some(&token),
        &json!({"service_code": "pothole", "description": report,
                "location": {"lat": 54.7761, "lon": -1.5733},
                "answers": {"depth": "deep", "width": "small", "location_on_road": "kerb"}}),
    )
    .await?;
    times.extend(t);
    if status != 201 {
        return Err(format!("a report answered {status}"));
    }
    let slot = &slots[number % slots.len()];
    let (status, booking, t) = twice(
        &http,
        &format!("{url}/v1/bookings"),
        Some(&token),
        &json!({"service_code": "library_computer", "slot_id": slot, "answers": {}, "fallback": "none"}),
    )
    .await?;
    times.extend(t);
    let booking = match status {
        201 => Some(booking["id"].as_str().unwrap_or_default().to_owned()),
        409 => None,
        other => return Err(format!("a booking answered {other}: {booking}")),
    };
    let (status, payment, t) = twice(
        &http,
        &format!("{url}/v1/payments"),
        Some(&token),
        &json!({"purpose": "council_tax", "reference": "1234 5678", "amount_pence": 4510,
                "return_url": "http://127.0.0.1:9/back"}),
    )
    .await?;
    times.extend(t);
    if status != 201 {
        return Err(format!("a payment answered {status}: {payment}"));
    }
    Ok(Resident {
        report,
        booking,
        payment: payment["id"].as_str().unwrap_or_default().to_owned(),
        times,
    })
}

/// Many residents at once report, book the same few library computers and pay.
pub async fn load(residents: usize) -> Result<Load, String> {
    let council = Council::start();
    let probe = Device::open(&council.url());
    let slots = probe
        .doorstep
        .slots("library_computer")
        .await
        .map_err(|e| e.to_string())?
        .list
        .slots;
    let capacity = slots.first().map_or(0, |s| s.remaining as usize);
    let slots: Vec<String> = slots.into_iter().take(3).map(|s| s.id).collect();
    let tag = format!("load {}", uuid::Uuid::now_v7());
    let started = Instant::now();
    let shared = Arc::new(slots.clone());
    let tasks: Vec<_> = (0..residents)
        .map(|n| tokio::spawn(resident(n, council.url(), shared.clone(), tag.clone())))
        .collect();
    let mut done = Vec::new();
    for task in tasks {
        done.push(task.await.map_err(|e| e.to_string())??);
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut times: Vec<f64> = done.iter().flat_map(|r| r.times.clone()).collect();
    times.sort_by(f64::total_cmp);

    let conn = rusqlite::Connection::open_with_flags(
        &council.db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .map_err(|e| e.to_string())?;
    let most_in_a_slot: i64 = conn
        .query_row(
            "SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM bookings WHERE status != 'cancelled' GROUP BY slot_id)",
            [],
            |r| r.get(0),
        )
        .map_err(|e| e.to_string())?;
    let bookings: i64 = conn
        .query_row("SELECT COUNT(*) FROM bookings", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    let payments: Vec<String> = conn
        .prepare("SELECT id FROM payments")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| e.to_string())?;
    let mut tally = compare(
        &done.iter().map(|r| r.report.clone()).collect::<Vec<_>>(),
        &held_reports(&council.db)?,
    );
    let booked = done.iter().filter(|r| r.booking.is_some()).count();
    let mut held_payments: HashMap<String, u64> = HashMap::new();
    for id in payments.iter() {
        *held_payments.entry(id.clone()).or_default() += 1;
    }
    let payment_tally = compare(
        &done.iter().map(|r| r.payment.clone()).collect::<Vec<_>>(),
        &held_payments,
    );
    tally.sent += payment_tally.sent + booked as u64;
    tally.landed_once += payment_tally.landed_once;
    tally.lost += payment_tally.lost;
    tally.duplicated += payment_tally.duplicated;
    let extra_payments = payments.len().saturating_sub(residents) as u64;
    tally.duplicated += extra_payments;
    let booked_held = usize::try_from(bookings).unwrap_or(0);
    if booked_held == booked {
        tally.landed_once += booked as u64;
    } else if booked_held > booked {
        tally.duplicated += (booked_held - booked) as u64;
    } else {
        tally.lost += (booked - booked_held) as u64;
    }
    Ok(Load {
        residents,
        requests: times.len(),
        seconds,
        p50_ms: percentile(&times, 50.0),
        p99_ms: percentile(&times, 99.0),
        booked,
        places: capacity * slots.len(),
        most_in_a_slot: usize::try_from(most_in_a_slot).unwrap_or(0),
        capacity,
        payments: payments.len(),
        tally,
    })
}

/// Run every scenario `size.runs` times from `seed`; rows in order, and the load run.
pub async fn run_all(seed: u64, size: Size) -> Result<(Vec<Row>, Load), String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut rows = Vec::new();
    let scenarios: [(&'static str, String); 12] = [
        (
            "reset before commit",
            "the connection is cut before the council sees the request".into(),
        ),
        (
            "reset after commit",
            "the council commits; the answer is cut".into(),
        ),
        ("slow answers", "every answer held 50–400 ms".into()),
        (
            "stalled answers",
            format!(
                "answer held {} ms, then cut (the device gives up)",
                crate::STALL.as_millis()
            ),
        ),
        ("5xx storm", "5–30 requests answered 500 in a row".into()),
        (
            "council killed under load",
            "SIGKILL and restart, 3 times during a sync of 600 reports".into(),
        ),
        (
            "council server killed among three",
            "three servers on one PostgreSQL database, two SIGKILLed in turn during a sync of 600 reports"
                .into(),
        ),
        (
            "device app killed",
            "`doorstep sync` SIGKILLed 10 times at 5–250 ms, 1,200 reports".into(),
        ),
        (
            "device disk full",
            "store capped at its size (SQLITE_FULL), then given room again".into(),
        ),
        (
            "device store damaged",
            "the store's first bytes overwritten while the app is closed; reopened twice".into(),
        ),
        (
            "clock skew",
            "device clock 1–48 hours behind or ahead of the council's".into(),
        ),
        (
            "offline for months",
            format!("{} reports queued offline, then one sync", size.big_queue),
        ),
    ];
    for (index, (scenario, fault)) in scenarios.into_iter().enumerate() {
        let mut tally = Tally::default();
        let started = Instant::now();
        let runs = if index == 11 { 1 } else { size.runs };
        for run in 0..runs {
            let result = match index {
                0 => through_proxy(ProxyFault::CutBeforeCommit, &mut rng).await,
                1 => through_proxy(ProxyFault::CutAfterCommit, &mut rng).await,
                2 => through_proxy(ProxyFault::Slow, &mut rng).await,
                3 => through_proxy(ProxyFault::Stalled, &mut rng).await,
                4 => through_proxy(ProxyFault::ServerErrors, &mut rng).await,
                5 => server_killed(&mut rng).await,
                6 => server_killed_among_three(&mut rng).await,
                7 => client_killed(&mut rng).await,
                8 => disk_full(&mut rng).await,
                9 => damaged_store(&mut rng).await,
                10 => clock_skew(&mut rng).await,
                _ => offline_for_months(size.big_queue).await,
            };
            let one = result.map_err(|e| format!("{scenario}, run {run} (seed {seed}): {e}"))?;
            tally.add(&one);
        }
        rows.push(Row {
            scenario,
            fault,
            tally,
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    let load = load(size.residents)
        .await
        .map_err(|e| format!("load (seed {seed}): {e}"))?;
    Ok((rows, load))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_description_held_twice_is_duplicated_and_one_held_never_is_lost() {
        let queued = vec!["a".to_owned(), "b".to_owned(), "c".to_owned()];
        let held = HashMap::from([("a".to_owned(), 1), ("b".to_owned(), 2)]);
        let tally = compare(&queued, &held);
        assert_eq!(
            (tally.sent, tally.landed_once, tally.duplicated, tally.lost),
            (3, 1, 1, 1)
        );
    }

    #[test]
    fn percentiles_pick_from_the_sorted_values() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&values, 50.0), 51.0);
        assert_eq!(percentile(&values, 99.0), 99.0);
        assert_eq!(percentile(&[], 99.0), 0.0);
    }
}
