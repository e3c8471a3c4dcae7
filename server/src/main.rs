//! The `doorstep-server` command: serve the council API, issue staff tokens, print counts.

use std::{net::SocketAddr, path::PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand};
use doorstep_server::{Config, db::Db, stats};

#[derive(Parser)]
#[command(
    name = "doorstep-server",
    version,
    about = "The council back end that Doorstep's apps talk to"
)]
struct Cli {
    /// A council's deployment in one file (TOML; see server/README.md), in place of the flags
    /// below; given before a command (`--config FILE staff token`), that command takes its
    /// store.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["db", "listen", "council", "public_url", "demo", "trusted_proxies"]
    )]
    config: Option<PathBuf>,
    /// The SQLite file that holds everything (created if missing), or a PostgreSQL database
    /// (`postgres://user:password@host/database`) that any number of servers share.
    #[arg(long, global = true, default_value = "doorstep-council.sqlite3")]
    db: PathBuf,
    #[command(subcommand)]
    command: Option<Command>,
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The council profile folder.
    #[arg(long, default_value = "assets/councils/durham")]
    council: PathBuf,
    /// The address devices reach this server at, for links such as payment pages and the
    /// endpoint Open311 discovery names; by default http://{listen address}.
    #[arg(long)]
    public_url: Option<String>,
    /// A demonstration server: sign-in codes are written to the log, since no email is sent.
    #[arg(long)]
    demo: bool,
    /// The address of one of the council's own proxies in front of this server, whose
    /// X-Forwarded-For is believed for counting new devices per client address (repeatable).
    #[arg(long = "trusted-proxy", value_name = "IP")]
    trusted_proxies: Vec<std::net::IpAddr>,
}

#[derive(Subcommand)]
enum Command {
    /// Back-office tokens.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Count reports, bookings, payments and idempotency records.
    Stats {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the OpenAPI document of the API.
    Openapi,
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Print a new staff token (valid for 30 days).
    Token,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let config = match &cli.config {
        Some(file) => doorstep_server::config_file::read(file)?,
        None => Config {
            public_url: cli.public_url,
            demo: cli.demo,
            trusted_proxies: cli.trusted_proxies,
            ..Config::new(cli.db, cli.listen, cli.council)
        },
    };
    match cli.command {
        None => serve(config),
        Some(Command::Staff {
            command: StaffCommand::Token,
        }) => {
            let token = Db::issue_staff_token(&config.db_path).context("issuing a staff token")?;
            println!("{token}");
            Ok(())
        }
        Some(Command::Stats { json }) => {
            let stats = stats::read(&config.db_path)?;
            if json {
                println!("{}", serde_json::to_string(&stats)?);
            } else {
                println!("reports            {}", stats.reports);
                for (status, n) in &stats.reports_by_status {
                    println!("  {status:<26} {n}");
                }
                println!("bookings           {:?}", stats.bookings);
                println!("payments           {:?}", stats.payments);
                println!("idempotency keys   {}", stats.idempotency_keys);
                println!("devices            {}", stats.devices);
                println!("accounts           {}", stats.accounts);
                println!("photos             {}", stats.attachments);
            }
            Ok(())
        }
        Some(Command::Openapi) => {
            print!("{}", doorstep_server::openapi::document());
            Ok(())
        }
    }
}

fn serve(config: Config) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(doorstep_server::serve_until(config, shutdown_signal()))
}

/// Ctrl-C or SIGTERM: stop accepting and finish the requests in flight.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
