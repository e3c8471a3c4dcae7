//! `with-postgres [--set 'NAME = VALUE']… COMMAND [ARGS…]`: run a command beside a throwaway
//! PostgreSQL cluster, its URL in `DOORSTEP_TEST_POSTGRES`, with each `--set` added to the
//! cluster's configuration (how `cargo xtask test` runs the council server's API suite on
//! PostgreSQL, at each isolation level).
//!
//! Invariant: the cluster stops and its folder goes when the command ends, whatever its exit;
//! the exit code is the command's.

use std::process::{Command, ExitCode};

use doorstep_e2e::postgres::Postgres;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    // A suite starts a server per test, many at once, each with its own connections.
    let mut settings = vec!["max_connections = 400".to_owned()];
    while args.peek().map(String::as_str) == Some("--set") {
        args.next();
        match args.next() {
            Some(setting) => settings.push(setting),
            None => {
                eprintln!("with-postgres: --set needs a setting, such as 'fsync = off'");
                return ExitCode::from(2);
            }
        }
    }
    let Some(program) = args.next() else {
        eprintln!("usage: with-postgres [--set 'NAME = VALUE']… COMMAND [ARGS…]");
        return ExitCode::from(2);
    };
    let settings: Vec<&str> = settings.iter().map(String::as_str).collect();
    let cluster = Postgres::start(&settings);
    let ran = Command::new(&program)
        .args(args)
        .env("DOORSTEP_TEST_POSTGRES", cluster.url())
        .status();
    drop(cluster);
    match ran {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(status) => ExitCode::from(u8::try_from(status.code().unwrap_or(1)).unwrap_or(1)),
        Err(error) => {
            eprintln!("with-postgres: could not start {program}: {error}");
            ExitCode::FAILURE
        }
    }
}
