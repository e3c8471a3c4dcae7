//! `cargo xtask`: the one place where Doorstep's build, run and test steps live.
//!
//! - `cargo xtask run`     — build and start the council server with the Durham demo profile.
//! - `cargo xtask test`    — every check and every test, as CI runs them.
//! - `cargo xtask bench`   — the benchmarks against DESIGN.md §6, in release; writes `BENCHMARKS.json`.
//! - `cargo xtask openapi` — rewrite `protocol/openapi.json` from the server's handlers.
//!
//! Invariant: `.ci/run` calls `cargo xtask test` and nothing else, so what passes here passes
//! in CI; a step the tests need is added here, never done by hand.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Command, ExitCode, Stdio},
};

use anyhow::{Context, Result, bail};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("test") => test(),
        Some("openapi") => openapi(),
        Some("bench") => bench(),
        _ => {
            eprintln!("usage: cargo xtask run [server options] | test | bench | openapi");
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

/// Start the council server with the Durham demo profile; extra arguments go to the server.
fn run(extra: &[String]) -> Result<()> {
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

/// Formatting, lints and every test; ends with one `N passed, N failed` line.
fn test() -> Result<()> {
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
    let mut bins = cargo();
    bins.args(["build", "--workspace", "--bins"]);
    status(bins, "building the binaries the end-to-end tests start")?;
    println!("==> cargo test --workspace");
    let (passed, failed) = counted(cargo().args(["test", "--workspace", "--no-fail-fast"]))?;
    println!("\n{passed} passed, {failed} failed");
    if failed > 0 {
        bail!("{failed} tests failed");
    }
    if passed == 0 {
        bail!("no test ran");
    }
    Ok(())
}

/// Run cargo test, echoing its output, and add up its `test result:` lines.
fn counted(command: &mut Command) -> Result<(u64, u64)> {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .context("starting cargo test")?;
    let stdout = child.stdout.take().context("cargo test's output")?;
    let (mut passed, mut failed) = (0, 0);
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        println!("{line}");
        if let Some(rest) = line.strip_prefix("test result: ") {
            passed += number_before(rest, " passed");
            failed += number_before(rest, " failed");
        }
    }
    let status = child.wait()?;
    if !status.success() && failed == 0 {
        bail!("cargo test failed ({status})");
    }
    Ok((passed, failed))
}

/// In "ok. 12 passed; 0 failed; ...", the number before `word`.
fn number_before(text: &str, word: &str) -> u64 {
    text.split(';')
        .find(|part| part.contains(word))
        .and_then(|part| part.split_whitespace().rev().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Build in release and run the benchmarks; the figures go to `BENCHMARKS.json`.
fn bench() -> Result<()> {
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
    .arg(root().join("BENCHMARKS.json"));
    status(run, "doorstep-bench")
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
    use super::number_before;

    #[test]
    fn test_result_lines_are_added_up() {
        let line =
            "ok. 12 passed; 3 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s";
        assert_eq!(number_before(line, " passed"), 12);
        assert_eq!(number_before(line, " failed"), 3);
        assert_eq!(number_before("nonsense", " passed"), 0);
    }
}
