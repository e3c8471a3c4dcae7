//! `doorstep-bench`: measures Doorstep against the budgets of DESIGN.md §6 and against its own
//! baselines in the same run, so that the ratios hold on a noisy, shared machine.
//!
//! Invariant: nothing here is a test; every figure is a median of several runs (or a whole
//! drain), printed as a table and written as JSON, and each budget is judged by the ratio or
//! figure it names. Run it with `cargo xtask bench` (release build).

mod measure;

use std::{
    path::PathBuf,
    process::ExitCode,
    time::{Duration, Instant},
};

use doorstep_core::{Doorstep, reports::ReportInput};
use measure::{Row, median, temp_dir};
use serde_json::json;

const ENQUEUE_RUNS: usize = 200;
const DRAIN: usize = 10_000;
const DRAIN_RUNS: usize = 3;
const NAIVE: usize = 2_000;
const CHANGES: usize = 10_000;
const PAST_ITEMS: usize = 100_000;

fn pothole(n: usize) -> ReportInput {
    doorstep_e2e::pothole(&format!(
        "Pothole {n} by the bus stop, deep enough to damage a wheel"
    ))
}

fn open(dir: &std::path::Path, url: &str) -> Doorstep {
    doorstep_e2e::Device::reopen(dir, url)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("drain-child") {
        return measure::drain_child(&args[1..]);
    }
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(PathBuf::from)
    };
    let out = value("--out");
    let desktop = value("--desktop");
    let mobile = value("--mobile");
    // `--only drain` (or enqueue, apply, open, server, stores, sizes, desktop): one part, for
    // profiling.
    let only = value("--only").map(|p| p.to_string_lossy().into_owned());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let wanted = |part: &str| only.as_deref().is_none_or(|only| only == part);
    let mut rows = runtime.block_on(run(desktop, &wanted));
    if wanted("sizes") {
        rows.extend(mobile.as_deref().map(measure::mobile_library));
    }
    println!(
        "\n{:<46} {:>16} {:>22}  holds",
        "benchmark", "figure", "budget"
    );
    for row in &rows {
        println!(
            "{:<46} {:>16} {:>22}  {}",
            row.name,
            row.figure,
            row.budget,
            if row.holds { "yes" } else { "NO" }
        );
    }
    let document = json!({
        "measured_at": chrono::Utc::now(),
        "machine": measure::machine(),
        "rows": rows.iter().map(Row::to_json).collect::<Vec<_>>(),
    });
    if let Some(path) = out {
        std::fs::write(
            &path,
            serde_json::to_string_pretty(&document).unwrap_or_default() + "\n",
        )
        .expect("write results");
        println!("\nwrote {}", path.display());
    }
    if rows.iter().all(|r| r.holds) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

async fn run(desktop: Option<PathBuf>, wanted: &impl Fn(&str) -> bool) -> Vec<Row> {
    let mut rows = Vec::new();
    let dir = temp_dir("council");
    let council = doorstep_server::start(doorstep_server::Config {
        limits: doorstep_server::Limits {
            registrations_per_hour: 1_000_000,
            ..doorstep_server::Limits::default()
        },
        ..doorstep_server::Config::new(
            dir.join("council.sqlite3"),
            "127.0.0.1:0".parse().unwrap(),
            doorstep_e2e::council_dir(),
        )
    })
    .await
    .expect("council starts");

    if wanted("enqueue") {
        rows.extend(enqueue(&council.url).await);
    }
    if wanted("drain") {
        rows.extend(drain(&council.url).await);
    }
    if wanted("apply") {
        rows.push(apply_changes().await);
    }
    if wanted("open") {
        rows.push(open_large_store());
    }
    if wanted("server") {
        rows.extend(measure::server_load(&council.url).await);
    }
    if wanted("stores") {
        rows.extend(measure::stores(&council.url).await);
    }
    if wanted("sizes") {
        rows.extend(measure::sizes());
    }
    if let Some(app) = desktop.filter(|_| wanted("desktop")) {
        rows.extend(desktop_app(&app, &council.url).await);
    }
    council.stop().await.expect("council stops");
    measure::remove_temp_dirs();
    rows
}

/// Queueing a report (durable commit) against a bare INSERT + COMMIT with the same pragmas. The
/// two take turns, one commit each and each going first every other time, so that whatever
/// else the machine is doing weighs on both alike.
async fn enqueue(url: &str) -> Vec<Row> {
    let dir = temp_dir("enqueue");
    let doorstep = open(&dir, url);
    doorstep.set_online(false).await;
    let bare_store = measure::BareStore::open(&temp_dir("bare"));
    let mut core_times = Vec::with_capacity(ENQUEUE_RUNS);
    let mut bare_times = Vec::with_capacity(ENQUEUE_RUNS);
    for n in 0..ENQUEUE_RUNS {
        if n % 2 == 1 {
            bare_times.push(bare_store.insert());
        }
        let started = Instant::now();
        doorstep.submit_report(pothole(n)).await.expect("queued");
        core_times.push(started.elapsed());
        if n % 2 == 0 {
            bare_times.push(bare_store.insert());
        }
    }
    let (core, bare) = (median(&core_times), median(&bare_times));
    let ratio = core.as_secs_f64() / bare.as_secs_f64();
    vec![
        Row::new(
            "queue a report: core (median)",
            format!("{:.2} ms", core.as_secs_f64() * 1e3),
            "",
            true,
        ),
        Row::new(
            "queue a report: bare INSERT + COMMIT (median)",
            format!("{:.2} ms", bare.as_secs_f64() * 1e3),
            "",
            true,
        ),
        Row::new(
            "queue a report: ratio core / bare",
            format!("{ratio:.2}×"),
            "≤ 1.5×",
            ratio <= 1.5,
        ),
    ]
}

/// Draining 10,000 queued reports to the council, against one request per report: three
/// drains, each followed by a run of the one-request client, and the median of each.
async fn drain(url: &str) -> Vec<Row> {
    let mut rates = Vec::with_capacity(DRAIN_RUNS);
    let mut naive_rates = Vec::with_capacity(DRAIN_RUNS);
    let mut sent_all = true;
    let mut peak_rss_mib: f64 = 0.0;
    for _ in 0..DRAIN_RUNS {
        let (rate, sent, rss_mib) = drain_once(url).await;
        rates.push(rate);
        sent_all &= sent == DRAIN as u64;
        peak_rss_mib = peak_rss_mib.max(rss_mib);
        let naive = measure::naive_client(url, NAIVE).await;
        naive_rates.push(NAIVE as f64 / naive.as_secs_f64());
    }
    let (rate, naive_rate) = (median_of(&rates), median_of(&naive_rates));
    let speedup = rate / naive_rate;
    vec![
        Row::new(
            "drain 10,000: sync engine (median)",
            format!("{rate:.0} ops/s"),
            "≥ 3,000 ops/s",
            rate >= 3000.0 && sent_all,
        ),
        Row::new(
            "drain: one request per operation (median)",
            format!("{naive_rate:.0} ops/s"),
            "",
            true,
        ),
        Row::new(
            "drain: speed-up over one request each",
            format!("{speedup:.1}×"),
            "≥ 10×",
            speedup >= 10.0,
        ),
        Row::new(
            "drain: peak resident memory (client)",
            format!("{peak_rss_mib:.1} MiB"),
            "≤ 50 MB",
            peak_rss_mib * 1.048_576 <= 50.0,
        ),
    ]
}

/// One drain of 10,000 reports queued offline, by a process of its own: ops/s, how many were
/// sent, and the process's peak resident memory in MiB.
async fn drain_once(url: &str) -> (f64, u64, f64) {
    let dir = temp_dir("drain");
    {
        let doorstep = open(&dir, url);
        doorstep.set_online(false).await;
        measure::queue_quickly(&doorstep, DRAIN, pothole).await;
    }
    let child = std::process::Command::new(std::env::current_exe().expect("own path"))
        .arg("drain-child")
        .arg(&dir)
        .arg(url)
        .output()
        .expect("drain child runs");
    let answer: serde_json::Value = serde_json::from_slice(&child.stdout).unwrap_or_else(|_| {
        panic!(
            "drain child said: {}",
            String::from_utf8_lossy(&child.stderr)
        )
    });
    let seconds = answer["seconds"].as_f64().unwrap_or(f64::NAN);
    let sent = answer["sent"].as_u64().unwrap_or(0);
    let rss_mib = answer["peak_rss_kib"].as_u64().unwrap_or(0) as f64 / 1024.0;
    (sent as f64 / seconds, sent, rss_mib)
}

/// The median of some rates.
fn median_of(rates: &[f64]) -> f64 {
    let mut sorted = rates.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Applying 10,000 pulled changes in one go.
async fn apply_changes() -> Row {
    let dir = temp_dir("changes");
    let store = doorstep_core::store::Store::open(&dir).expect("store");
    let feed = measure::change_feed(CHANGES);
    let started = Instant::now();
    store
        .write(move |tx| doorstep_core::outbox::feed::apply_feed(tx, &feed, 0))
        .await
        .expect("applied");
    let took = started.elapsed();
    Row::new(
        "apply 10,000 pulled changes",
        format!("{:.0} ms", took.as_secs_f64() * 1e3),
        "≤ 1 s",
        took <= Duration::from_secs(1),
    )
}

/// The desktop app as shipped (the `desktop` profile): its size, and how long it takes from
/// asking for its window to the first screen's heading under Xvfb (median of three launches,
/// the first of which also creates its data).
async fn desktop_app(app: &std::path::Path, url: &str) -> Vec<Row> {
    let bytes = std::fs::metadata(app).map(|m| m.len()).unwrap_or(u64::MAX);
    let megabytes = bytes as f64 / 1e6;
    let screens = temp_dir("desktop-screens");
    let mut desktop = doorstep_e2e::desktop::Desktop::start_app(app, url, &screens).await;
    let mut times = vec![desktop.first_screen];
    for _ in 0..2 {
        desktop.restart().await;
        times.push(desktop.first_screen);
    }
    drop(desktop);
    let took = median(&times);
    vec![
        Row::new(
            "desktop binary, release (desktop profile)",
            format!("{megabytes:.1} MB"),
            "≤ 20 MB",
            megabytes <= 20.0,
        ),
        Row::new(
            "desktop: first screen under Xvfb (median)",
            format!("{:.2} s", took.as_secs_f64()),
            "≤ 1.5 s",
            took <= Duration::from_millis(1500),
        ),
    ]
}

/// Opening a store that holds 100,000 past items.
fn open_large_store() -> Row {
    let dir = temp_dir("large");
    measure::fill_past_items(&dir, PAST_ITEMS);
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let doorstep = open(&dir, "http://127.0.0.1:9");
        times.push(started.elapsed());
        drop(doorstep);
    }
    let took = median(&times);
    Row::new(
        "open a store of 100,000 past items (median)",
        format!("{:.1} ms", took.as_secs_f64() * 1e3),
        "≤ 100 ms",
        took <= Duration::from_millis(100),
    )
}
