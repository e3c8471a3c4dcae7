//! `cargo xtask fuzz [--seconds N] [target]`: every cargo-fuzz target in `fuzz/`, each run for a
//! bounded time on nightly, seeded from the project's own fixtures.
//!
//! Invariant: a run never writes into the clone except `fuzz/artifacts/` (crashing inputs, kept
//! out of git); the growing corpus and the seeds live in the target directory, and each target
//! counts as one passed or one failed test.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, Result, bail};

use crate::{root, status, target_dir, tools};

/// The targets, as named in `fuzz/Cargo.toml`.
pub const TARGETS: [&str; 5] = [
    "open311_read",
    "server_responses",
    "request_bodies",
    "open311_forms",
    "council_profile",
];

/// How long each target runs when not told.
const DEFAULT_SECONDS: u64 = 60;

/// Request bodies to start from, by the first byte `request_bodies` reads as the type.
const REQUEST_SEEDS: [(u8, &str); 10] = [
    (0, r#"{"platform":"android","app_version":"1.0.0"}"#),
    (1, r#"{"email":"resident@example.org"}"#),
    (2, r#"{"email":"resident@example.org","code":"123456"}"#),
    (
        3,
        r#"{"service_code":"pothole","description":"A deep hole","location":{"lat":54.77,"lon":-1.57},"answers":{"depth":{"number":5}}}"#,
    ),
    (4, r#"{"text":"Still not fixed","reopen":true}"#),
    (
        5,
        r#"{"service_code":"bulky_waste","slot_id":"bulky_collections/2026-12-01T09:00","answers":{"items":{"number":3}},"fallback":"nearest"}"#,
    ),
    (
        6,
        r#"{"purpose":"council_tax","reference":"12345678","amount_pence":1500,"return_url":"doorstep://paid","email":"a@b.org"}"#,
    ),
    (7, r#"{"status":"in_progress","note":"On its way"}"#),
    (8, r#"{"amount_pence":100}"#),
    (
        9,
        r#"{"operations":[{"key":"k1","method":"POST","path":"/v1/reports","body":{"service_code":"pothole"}}]}"#,
    ),
];

/// Open311 forms (first byte even) and list queries (odd) to start from.
const OPEN311_SEEDS: [(u8, &str); 4] = [
    (
        0,
        "api_key=k&service_code=pothole&lat=54.7761&long=-1.5733&description=Deep+pothole\
         &attribute[depth]=deep&attribute[width]=small&attribute[location_on_road]=kerb\
         &email=ann%40example.org&first_name=Ann&last_name=Lee&phone=0191+000+0000",
    ),
    (
        0,
        "api_key=k&service_code=fly_tipping&address_id=100110000001&description=Sofas\
         &attribute[waste][]=furniture&attribute[waste][]=bags&media_url=https%3A%2F%2Fexample.org%2Fa.jpg",
    ),
    (
        0,
        "service_code=pothole&address_string=4+Sherburn+Road%2C+Gilesgate%2C+Durham&description=Hole",
    ),
    (
        1,
        "service_request_id=a,b&service_code=pothole&start_date=2026-10-01T00:00:00Z\
         &end_date=2026-11-01T00:00:00Z&status=open,closed",
    ),
];

/// Run the targets named (all when none) for `seconds` each; returns how many passed and failed.
pub fn run(seconds: u64, only: Option<&str>) -> Result<(u64, u64)> {
    let targets: Vec<&str> = match only {
        Some(name) if TARGETS.contains(&name) => vec![name],
        Some(name) => bail!("no fuzz target '{name}'; there are {}", TARGETS.join(", ")),
        None => TARGETS.to_vec(),
    };
    let cargo_fuzz = tools::cargo_fuzz()?;
    let mut build = nightly(&cargo_fuzz);
    build.args(["build", "--debug-assertions"]);
    status(build, "building the fuzz targets (nightly)")?;
    let (mut passed, mut failed) = (0, 0);
    for target in targets {
        let seeds = seeds(target)?;
        let corpus = target_dir().join("fuzz-corpus").join(target);
        std::fs::create_dir_all(&corpus)?;
        println!("==> fuzzing {target} for {seconds} s");
        let mut fuzz = nightly(&cargo_fuzz);
        fuzz.args(["run", "--debug-assertions", target])
            .arg(&corpus)
            .arg(&seeds)
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .arg("-timeout=10")
            .arg("-rss_limit_mb=2048");
        let ran = fuzz
            .status()
            .with_context(|| format!("starting the fuzzer for {target}"))?;
        if ran.success() {
            println!("fuzz {target}: passed");
            passed += 1;
        } else {
            println!(
                "fuzz {target}: FAILED ({ran}); the input is in fuzz/artifacts/{target}/ — \
                 replay it with `cargo +nightly fuzz run {target} <file>` from fuzz/"
            );
            failed += 1;
        }
    }
    println!("\nfuzz: {passed} passed, {failed} failed");
    Ok((passed, failed))
}

/// `cargo xtask fuzz [--seconds N] [target]`.
pub fn command(args: &[String]) -> Result<()> {
    let mut seconds = DEFAULT_SECONDS;
    let mut only = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--seconds" {
            seconds = args
                .next()
                .and_then(|n| n.parse().ok())
                .context("--seconds needs a whole number")?;
        } else {
            only = Some(arg.as_str());
        }
    }
    let (_, failed) = run(seconds, only)?;
    if failed > 0 {
        bail!("{failed} fuzz targets failed");
    }
    Ok(())
}

/// cargo-fuzz under the nightly toolchain, in `fuzz/`, building into the usual target folder.
fn nightly(cargo_fuzz: &Path) -> Command {
    let mut command = Command::new("rustup");
    command
        .args(["run", "nightly"])
        .arg(cargo_fuzz)
        .arg("fuzz")
        .current_dir(root().join("fuzz"))
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO");
    command
}

/// Write the seeds of `target` from the project's fixtures and demo council; returns their folder.
fn seeds(target: &str) -> Result<PathBuf> {
    let dir = target_dir().join("fuzz-seeds").join(target);
    std::fs::create_dir_all(&dir)?;
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    let prefixed = |kind: u8, body: &[u8]| [&[kind][..], body].concat();
    match target {
        "open311_read" => {
            for (body, ext) in fixtures(&root().join("tests/fixtures/open311"))? {
                let declared = if ext == "xml" { 2 } else { 1 };
                seeds.push(prefixed(0, &body));
                seeds.push(prefixed(declared, &body));
            }
        }
        "server_responses" => {
            for (body, ext) in fixtures(&root().join("assets/councils/durham"))? {
                if ext == "json" {
                    seeds.push(body);
                }
            }
            seeds.extend(
                REQUEST_SEEDS
                    .iter()
                    .map(|(_, body)| body.as_bytes().to_vec()),
            );
        }
        "request_bodies" => {
            seeds.extend(
                REQUEST_SEEDS
                    .iter()
                    .map(|(kind, body)| prefixed(*kind, body.as_bytes())),
            );
        }
        "open311_forms" => {
            seeds.extend(
                OPEN311_SEEDS
                    .iter()
                    .map(|(kind, text)| prefixed(*kind, text.as_bytes())),
            );
        }
        _ => {
            let council = root().join("assets/councils/durham");
            for (kind, file) in ["council.json", "services.json", "gazetteer.json"]
                .into_iter()
                .enumerate()
            {
                let body = std::fs::read(council.join(file))?;
                seeds.push(prefixed(u8::try_from(kind)?, &body));
            }
        }
    }
    for (n, seed) in seeds.iter().enumerate() {
        std::fs::write(dir.join(format!("seed-{n}")), seed)?;
    }
    Ok(dir)
}

/// The files of a folder with their extensions.
fn fixtures(dir: &Path) -> Result<Vec<(Vec<u8>, String)>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().into_owned())
            .unwrap_or_default();
        found.push((std::fs::read(&path)?, ext));
    }
    Ok(found)
}
