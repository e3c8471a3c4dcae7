//! `cargo xtask`: the one place where Doorstep's build, run and test steps live.
//!
//! - `cargo xtask run`     — build and open the desktop app (its demo council runs inside it);
//!   `cargo xtask run server [options]` starts the council server alone.
//! - `cargo xtask test`    — every check and every test, as CI runs them; `cargo xtask test
//!   mobile` runs the Kotlin and Swift suites alone (`mobile kotlin` or `mobile swift`, one;
//!   `DOORSTEP_ONLY=part` runs only the journeys whose name holds it); `cargo xtask test
//!   --fresh` runs them all as a new machine does, from an empty cache and target directory.
//! - `cargo xtask setup`   — what the desktop build and its tests need on this machine: Debian
//!   packages (WebKitGTK, Xvfb, WebKitWebDriver), tauri-driver, the page's npm packages.
//! - `cargo xtask bench`   — the benchmarks against DESIGN.md §6, in release; writes `BENCHMARKS.json`.
//! - `cargo xtask bindings` — the Kotlin and Swift bindings of `doorstep-mobile`, generated from
//!   the unstripped library into `<target>/bindings/` and checked against it.
//! - `cargo xtask openapi` — rewrite `protocol/openapi.json` from the server's handlers.
//! - `cargo xtask fuzz [--seconds N] [target]` — the cargo-fuzz targets, N seconds each (60).
//!   `cargo xtask test` runs each for 10 s and `.ci/schemathesis` once, each counted as a test.
//! - `cargo xtask schemathesis [max examples]` — `.ci/schemathesis` alone.
//!
//! The tools these steps need beyond the Rust toolchain are installed and cached by `tools`.
//!
//! Invariant: `.ci/run` calls `cargo xtask test` and nothing else, so what passes here passes
//! in CI; a step the tests need is added here, never done by hand.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Command, ExitCode, Stdio},
};

use anyhow::{Context, Result, bail};

mod fuzz;
mod mobile;
mod tools;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") if args.get(1).map(String::as_str) == Some("server") => run_server(&args[2..]),
        Some("run") => run_desktop(),
        Some("setup") => setup().map(|_| ()),
        Some("test") if args.get(1).map(String::as_str) == Some("mobile") => {
            match args.get(2).map(String::as_str) {
                None => test_mobile(Suites::Both),
                Some("kotlin") => test_mobile(Suites::Kotlin),
                Some("swift") => test_mobile(Suites::Swift),
                Some(other) => Err(anyhow::anyhow!(
                    "`cargo xtask test mobile` takes kotlin or swift, not {other}"
                )),
            }
        }
        Some("test") if args.get(1).map(String::as_str) == Some("--fresh") => test_fresh(),
        Some("test") => test(),
        Some("schemathesis") => schemathesis(&args[1..]).and_then(|ok| {
            if ok {
                Ok(())
            } else {
                bail!("schemathesis found problems")
            }
        }),
        Some("openapi") => openapi(),
        Some("bench") => bench(),
        Some("reliability") => reliability(&args[1..]),
        Some("bindings") => mobile::bindings().map(|_| ()),
        Some("fuzz") => fuzz::command(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask run | run server [server options] | setup | test [mobile [kotlin | swift] | --fresh] | schemathesis [max examples] | bench | reliability [--runs N] [--seed S] [--big] | bindings | openapi | fuzz [--seconds N] [target]"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace this run was started in. `cargo run` names the package's folder at run time;
/// the folder it was built in may be another clone sharing the same target directory.
fn root() -> PathBuf {
    let xtask = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    xtask
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    command.current_dir(root());
    command
}

fn status(mut command: Command, what: &str) -> Result<()> {
    println!("==> {what}");
    let status = command
        .status()
        .with_context(|| format!("starting {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

/// Debian packages the desktop app is built and tested with.
const DEBIAN_PACKAGES: [&str; 5] = [
    "libwebkit2gtk-4.1-dev",
    "libdbus-1-dev",
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
];

/// Install what is missing — Debian packages, tauri-driver, the page's npm packages — and
/// build the page. Returns the tauri-driver to drive the app with.
fn setup() -> Result<PathBuf> {
    tools::debian_packages(&DEBIAN_PACKAGES, "the desktop app and its tests")?;
    let driver = tools::tauri_driver()?;
    let ui = root().join("ui");
    let mut npm = Command::new("npm");
    npm.args(["ci", "--no-audit", "--no-fund"]).current_dir(&ui);
    status(npm, "npm ci (the desktop page)")?;
    let mut build = Command::new("npm");
    build.args(["run", "build"]).current_dir(&ui);
    status(build, "building the desktop page")?;
    Ok(driver)
}

/// Build and open the desktop app; with no council chosen it runs the demo council inside.
fn run_desktop() -> Result<()> {
    setup()?;
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        bail!(
            "there is no display to open the app on: run this from a desktop session \
             (or `cargo xtask run server` for the council server alone)"
        );
    }
    println!(
        "\nDoorstep is opening. With no council chosen it runs the County Durham demo council \
         inside the app; sign-in codes are written here, since the demo sends no email.\n"
    );
    let mut app = cargo();
    app.args(["run", "--quiet", "-p", "doorstep-desktop"]);
    status(app, "doorstep-desktop")
}

/// Start the council server with the Durham demo profile; extra arguments go to the server.
fn run_server(extra: &[String]) -> Result<()> {
    let data = root().join(".doorstep-demo");
    std::fs::create_dir_all(&data)?;
    let mut build = cargo();
    build.args(["build", "--release", "-p", "doorstep-server"]);
    status(build, "building doorstep-server")?;
    let listen = extra
        .iter()
        .position(|a| a == "--listen")
        .and_then(|i| extra.get(i + 1))
        .map_or("127.0.0.1:8080", String::as_str);
    println!(
        "\nDoorstep's council server, with the County Durham demo profile, is starting on http://{listen}\n\
         Try:  curl http://{listen}/v1/services\n\
         The API is described in protocol/openapi.json. Stop it with Ctrl-C.\n"
    );
    let mut server = cargo();
    server
        .args([
            "run",
            "--quiet",
            "--release",
            "-p",
            "doorstep-server",
            "--",
            "--db",
        ])
        .arg(data.join("council.sqlite3"))
        .args(["--council", "assets/councils/durham", "--demo"])
        .args(extra);
    status(server, "doorstep-server")
}

/// How long each fuzz target runs inside `cargo xtask test`.
const QUICK_FUZZ_SECONDS: u64 = 10;

/// Formatting, lints and every test; ends with one `N passed, N failed` line.
fn test() -> Result<()> {
    let driver = setup()?;
    let ui = root().join("ui");
    let mut check = Command::new("npm");
    check.args(["run", "check"]).current_dir(&ui);
    status(check, "npm run check (the desktop page)")?;
    println!("==> npm test (the desktop page)");
    let (ui_passed, ui_failed) = counted(
        Command::new("npm")
            .args(["test", "--silent"])
            .current_dir(&ui),
        |_| {},
    )?;
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--check"]);
    status(fmt, "cargo fmt --check")?;
    let mut clippy = cargo();
    clippy.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    status(clippy, "cargo clippy -D warnings")?;
    let mut without_postgres = cargo();
    without_postgres.args([
        "clippy",
        "--package",
        "doorstep-server",
        "--no-default-features",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]);
    status(
        without_postgres,
        "cargo clippy -D warnings, the server as the desktop builds it (without PostgreSQL)",
    )?;
    let mut bins = cargo();
    bins.args(["build", "--workspace", "--bins"]);
    status(bins, "building the binaries the end-to-end tests start")?;
    tools::postgres_server()?;
    println!("==> cargo test --workspace");
    let (passed, failed) = counted(
        cargo()
            .args(["test", "--workspace", "--no-fail-fast"])
            .env("TAURI_DRIVER", &driver),
        |_| {},
    )?;
    let (postgres_passed, postgres_failed) = api_suite_on_postgres()?;
    let (phone_passed, phone_failed) = phone_suites(Suites::Both)?;
    let (fuzz_passed, fuzz_failed) = fuzz::run(QUICK_FUZZ_SECONDS, None)?;
    let schemathesis_ok = schemathesis(&[])?;
    let (passed, failed) = (
        passed
            + ui_passed
            + postgres_passed
            + phone_passed
            + fuzz_passed
            + u64::from(schemathesis_ok),
        failed
            + ui_failed
            + postgres_failed
            + phone_failed
            + fuzz_failed
            + u64::from(!schemathesis_ok),
    );
    println!("\n{passed} passed, {failed} failed");
    if failed > 0 {
        bail!("{failed} tests failed");
    }
    if passed == 0 {
        bail!("no test ran");
    }
    Ok(())
}

/// The isolation levels the council server's API suite runs at on PostgreSQL: the default,
/// and the two at which the database gives transactions up (as distributed databases do).
const ISOLATION_LEVELS: [&str; 3] = ["read committed", "repeatable read", "serializable"];

/// The council server's API suite again, on a throwaway PostgreSQL cluster (`with-postgres`)
/// at each isolation level; passed and failed added up.
fn api_suite_on_postgres() -> Result<(u64, u64)> {
    let (mut passed, mut failed) = (0, 0);
    for isolation in ISOLATION_LEVELS {
        println!("==> the council server's API suite on PostgreSQL, {isolation}");
        let (p, f) = counted(
            cargo().args([
                "run",
                "--quiet",
                "--package",
                "doorstep-e2e",
                "--bin",
                "with-postgres",
                "--",
                "--set",
                &format!("default_transaction_isolation = '{isolation}'"),
                "cargo",
                "test",
                "--package",
                "doorstep-server",
                "--test",
                "api",
            ]),
            |_| {},
        )?;
        passed += p;
        failed += f;
    }
    Ok((passed, failed))
}

/// Schemathesis against the council server's OpenAPI document (`.ci/schemathesis`, with the
/// maximum examples an operation and more of its options in `args`); whether it passed.
fn schemathesis(args: &[String]) -> Result<bool> {
    let program = tools::schemathesis()?;
    println!("==> schemathesis against protocol/openapi.json (.ci/schemathesis)");
    Ok(Command::new(root().join(".ci/schemathesis"))
        .args(args)
        .env("SCHEMATHESIS", program)
        .current_dir(root())
        .status()
        .context("starting .ci/schemathesis")?
        .success())
}

/// The whole test command as a new machine runs it: with an empty cache folder, target
/// directory and npm cache in a folder of its own, removed afterwards. Debian packages already
/// installed stay installed, and cargo's own download cache is shared.
fn test_fresh() -> Result<()> {
    let scratch = std::env::temp_dir().join(format!("doorstep-fresh-{}", std::process::id()));
    tools::remove_folder(&scratch)?;
    std::fs::create_dir_all(&scratch)?;
    println!(
        "==> the whole test command from nothing, with its cache, target directory and npm \
         cache in {}",
        scratch.display()
    );
    let started = std::time::Instant::now();
    let mut run = cargo();
    run.args(["run", "--quiet", "--package", "xtask", "--", "test"])
        .env("DOORSTEP_CACHE", scratch.join("cache"))
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .env("npm_config_cache", scratch.join("npm"));
    let ran = status(run, "cargo xtask test (fresh)");
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    let removed = tools::remove_folder(&scratch);
    println!("the fresh run took {minutes:.1} minutes");
    ran.and(removed)
}

/// Which phone suites `cargo xtask test mobile` runs.
#[derive(Clone, Copy, PartialEq)]
enum Suites {
    Both,
    Kotlin,
    Swift,
}

/// The mobile suites alone: bindings, then Kotlin, Swift or both, with one `N passed, N failed` line.
fn test_mobile(suites: Suites) -> Result<()> {
    let (passed, failed) = phone_suites(suites)?;
    println!("\n{passed} passed, {failed} failed");
    if failed > 0 {
        bail!("{failed} tests failed");
    }
    Ok(())
}

/// Install what the phone suites need when it is missing, check the Android manifest, then
/// generate the bindings and run the Kotlin and Swift journeys; their passed and failed, added up.
fn phone_suites(suites: Suites) -> Result<(u64, u64)> {
    let tools = tools::phone_tools()?;
    let (manifest_passed, manifest_failed) = mobile::android_manifest(&tools.framework_res)?;
    let built = mobile::bindings()?;
    let (kotlin_passed, kotlin_failed) = if suites == Suites::Swift {
        (0, 0)
    } else {
        mobile::kotlin(&built, &tools.kotlin)?
    };
    let (swift_passed, swift_failed) = if suites == Suites::Kotlin {
        (0, 0)
    } else {
        mobile::swift(&built, &tools.swift_root)?
    };
    Ok((
        manifest_passed + kotlin_passed + swift_passed,
        manifest_failed + kotlin_failed + swift_failed,
    ))
}

/// Run a test command, echoing its output, and add up its summary lines: cargo's
/// `test result: ...`, Vitest's `Tests  3 passed | 1 failed (4)` and the mobile suites'
/// `Kotlin: 7 passed, 0 failed`. `ended` is called with the process id once it has exited.
fn counted(command: &mut Command, ended: impl FnOnce(u32)) -> Result<(u64, u64)> {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .context("starting the tests")?;
    let stdout = child.stdout.take().context("the tests' output")?;
    let (mut passed, mut failed) = (0, 0);
    let read = || -> Result<()> {
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            println!("{line}");
            let line = without_colours(&line);
            let trimmed = line.trim_start();
            let summary = line
                .strip_prefix("test result: ")
                .or_else(|| trimmed.strip_prefix("Tests "))
                .or_else(|| trimmed.strip_prefix("Kotlin: "))
                .or_else(|| trimmed.strip_prefix("Swift: "));
            if let Some(rest) = summary {
                passed += number_before(rest, " passed");
                failed += number_before(rest, " failed");
            }
        }
        Ok(())
    };
    let reading = read();
    let status = child.wait();
    ended(child.id());
    reading?;
    let status = status?;
    if !status.success() && failed == 0 {
        bail!("the tests failed ({status})");
    }
    Ok((passed, failed))
}

/// A line without its terminal colour codes (`ESC [ ... m`), which test runners print when
/// they think they run in a CI that shows colours.
fn without_colours(line: &str) -> String {
    let mut plain = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
}

/// In "ok. 12 passed; 0 failed; ...", "3 passed | 1 failed (4)" or "7 passed, 0 failed", the
/// number before `word`.
fn number_before(text: &str, word: &str) -> u64 {
    text.split([';', '|', ','])
        .find_map(|part| part.split_once(word))
        .and_then(|(before, _)| before.split_whitespace().next_back())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Run every fault scenario and the load run against the real binaries; the table goes to
/// `RELIABILITY.md`.
fn reliability(args: &[String]) -> Result<()> {
    let mut build = cargo();
    build.args([
        "build",
        "-p",
        "doorstep-server",
        "-p",
        "doorstep-cli",
        "-p",
        "doorstep-e2e",
        "--bins",
    ]);
    status(
        build,
        "building the council server, the command and the runner",
    )?;
    let mut run = cargo();
    run.args([
        "run",
        "--quiet",
        "-p",
        "doorstep-e2e",
        "--bin",
        "reliability",
        "--",
    ])
    .args(args)
    .arg("--out")
    .arg(root().join("RELIABILITY.md"));
    status(run, "the reliability runs")
}

/// Build in release and run the benchmarks; the figures go to `BENCHMARKS.json`.
fn bench() -> Result<()> {
    let driver = setup()?;
    let mut build = cargo();
    build.args([
        "build",
        "--release",
        "-p",
        "doorstep-bench",
        "-p",
        "doorstep-server",
        "-p",
        "doorstep-cli",
    ]);
    status(build, "building the benchmarks and binaries in release")?;
    let mut desktop = cargo();
    desktop.args(["build", "--profile", "desktop", "-p", "doorstep-desktop"]);
    status(
        desktop,
        "building the desktop app as shipped (desktop profile)",
    )?;
    let mut phone = cargo();
    phone.args(["build", "--profile", "mobile", "-p", "doorstep-mobile"]);
    status(
        phone,
        "building the phone library as shipped (mobile profile)",
    )?;
    let mut run = cargo();
    run.args([
        "run",
        "--quiet",
        "--release",
        "-p",
        "doorstep-bench",
        "--",
        "--out",
    ])
    .arg(root().join("BENCHMARKS.json"))
    .arg("--desktop")
    .arg(target_dir().join("desktop/doorstep-desktop"))
    .arg("--mobile")
    .arg(target_dir().join("mobile").join(mobile::library_name()))
    .env("TAURI_DRIVER", &driver);
    status(run, "doorstep-bench")
}

/// Where cargo builds: `CARGO_TARGET_DIR`, else the workspace's `target/`.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

fn openapi() -> Result<()> {
    let output = cargo()
        .args(["run", "--quiet", "-p", "doorstep-server", "--", "openapi"])
        .output()
        .context("running doorstep-server openapi")?;
    if !output.status.success() {
        bail!(
            "doorstep-server openapi failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    std::fs::write(root().join("protocol/openapi.json"), output.stdout)?;
    println!("wrote protocol/openapi.json");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{number_before, without_colours};

    #[test]
    fn a_summary_in_colour_is_read_as_one_without() {
        let coloured = "\u{1b}[2m      Tests \u{1b}[22m \u{1b}[1m\u{1b}[32m59 passed\u{1b}[39m\u{1b}[22m\u{1b}[90m (59)\u{1b}[39m";
        let plain = without_colours(coloured);
        assert_eq!(plain, "      Tests  59 passed (59)");
        assert_eq!(
            number_before(
                plain.trim_start().strip_prefix("Tests ").unwrap(),
                " passed"
            ),
            59
        );
    }

    #[test]
    fn test_result_lines_are_added_up() {
        let line =
            "ok. 12 passed; 3 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s";
        assert_eq!(number_before(line, " passed"), 12);
        assert_eq!(number_before(line, " failed"), 3);
        assert_eq!(number_before("nonsense", " passed"), 0);
        let vitest = " 2 failed | 40 passed (42)";
        assert_eq!(number_before(vitest, " passed"), 40);
        assert_eq!(number_before(vitest, " failed"), 2);
        let kotlin = "7 passed, 1 failed";
        assert_eq!(number_before(kotlin, " passed"), 7);
        assert_eq!(number_before(kotlin, " failed"), 1);
    }
}
