//! `with-postgres COMMAND [ARGS…]`: run a command beside a throwaway PostgreSQL cluster, its
//! URL in `DOORSTEP_TEST_POSTGRES` (how `cargo xtask test` runs the council server's API suite
//! on PostgreSQL).
//!
//! Invariant: the cluster stops and its folder goes when the command ends, whatever its exit;
//! the exit code is the command's.

use std::process::{Command, ExitCode};

use doorstep_e2e::postgres::Postgres;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(program) = args.next() else {
        eprintln!("usage: with-postgres COMMAND [ARGS…]");
        return ExitCode::from(2);
    };
    // A suite starts a server per test, many at once, each with its own connections.
    let cluster = Postgres::start(&["max_connections = 400"]);
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
