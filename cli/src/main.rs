//! `doorstep`: every Doorstep capability from a terminal, for residents who like one, for
//! scripts and for tests.
//!
//! Invariant: this shell holds no rule — each command converts its arguments, calls one core
//! method, and prints the answer (`--json` for programs). Commands that change something queue
//! it first and then try one sync, so they succeed offline with the item shown as waiting.
//! Exit codes: 0 done or queued, 2 bad input, 3 needs attention, 1 anything else (including
//! something this council does not offer, such as bookings from a plain Open311 council).

use std::{path::PathBuf, process::ExitCode, sync::Arc};

use clap::{Parser, Subcommand};
use doorstep_core::{
    Backend, Config, Delivery, Doorstep, Error, OutboxState, reports::ReportInput,
};
use doorstep_protocol::{
    Answers, Fallback, Location, ServiceDefinition,
    rules::{self, GivenAnswer},
};
use serde::Serialize;

#[derive(Parser)]
#[command(
    name = "doorstep",
    version,
    about = "Report, book and pay — your council, from a terminal. Works offline: what you do is sent when you are back online."
)]
struct Cli {
    /// Where this device keeps its data (default: ~/.local/share/doorstep).
    #[arg(long, global = true, env = "DOORSTEP_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Your council's Doorstep server.
    #[arg(
        long,
        global = true,
        env = "DOORSTEP_SERVER",
        default_value = "http://127.0.0.1:8080"
    )]
    server: String,
    /// Your council's Open311 GeoReport v2 endpoint (the address before `services.json`),
    /// in place of --server: reports only.
    #[arg(long, global = true, env = "DOORSTEP_OPEN311", value_name = "URL")]
    open311: Option<String>,
    /// The key the Open311 council gave you for sending reports.
    #[arg(long, global = true, env = "DOORSTEP_API_KEY", requires = "open311")]
    api_key: Option<String>,
    /// The jurisdiction_id, for an Open311 server that serves several councils.
    #[arg(long, global = true, requires = "open311")]
    jurisdiction: Option<String>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Do not try to reach the council now (queue only).
    #[arg(long, global = true)]
    offline: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the council's services, or search them (works offline once fetched).
    Services {
        #[arg(long)]
        search: Option<String>,
    },
    /// Show a service: what it is, its questions, fee and what happens next.
    Service { code: String },
    /// Report a problem, e.g. `doorstep report pothole --lat 54.7761 --lon -1.5733 --answer depth=deep`.
    Report {
        code: String,
        #[arg(
            long,
            requires = "lon",
            conflicts_with = "uprn",
            allow_hyphen_values = true
        )]
        lat: Option<f64>,
        #[arg(long, requires = "lat", allow_hyphen_values = true)]
        lon: Option<f64>,
        /// The property's reference, from `doorstep bins --postcode`.
        #[arg(long)]
        uprn: Option<String>,
        #[arg(long = "desc", default_value = "")]
        description: String,
        /// An answer, as question=value (lists: value,value).
        #[arg(long = "answer", value_name = "KEY=VALUE")]
        answers: Vec<String>,
        /// A photo to attach (resized, location data removed).
        #[arg(long = "photo", value_name = "FILE")]
        photos: Vec<PathBuf>,
    },
    /// Your reports and where they stand.
    Reports,
    /// Add an update to one of your reports; --reopen if it is still not fixed.
    Update {
        id: String,
        text: String,
        #[arg(long)]
        reopen: bool,
    },
    /// Slots you can book for a service, with places left.
    Slots { code: String },
    /// Book a slot.
    Book {
        code: String,
        #[arg(long)]
        slot: String,
        #[arg(long = "answer", value_name = "KEY=VALUE")]
        answers: Vec<String>,
        /// The address for a collection.
        #[arg(long)]
        uprn: Option<String>,
        /// If the slot is full: none, same_day or next_available.
        #[arg(long, default_value = "none")]
        fallback: String,
    },
    /// Your bookings.
    Bookings,
    /// Cancel one of your bookings (before its cut-off).
    Cancel { id: String },
    /// Pay the council, e.g. `doorstep pay council_tax --reference 12345678 --amount 120.50`.
    Pay {
        purpose: String,
        #[arg(long)]
        reference: String,
        /// In pounds, like 120.50.
        #[arg(long)]
        amount: String,
        /// Where the payment page sends you back to.
        #[arg(long, default_value = "http://127.0.0.1/doorstep/paid")]
        return_url: String,
        /// Where the payment service sends the receipt.
        #[arg(long)]
        email: Option<String>,
    },
    /// Pay a booking's fee.
    PayFee {
        booking: String,
        #[arg(long, default_value = "http://127.0.0.1/doorstep/paid")]
        return_url: String,
    },
    /// Your payments; with an id, ask the council for that payment's state now.
    Payments { id: Option<String> },
    /// Bin day: addresses at a postcode, or the collections at an address.
    Bins {
        #[arg(long, conflicts_with = "uprn")]
        postcode: Option<String>,
        #[arg(long)]
        uprn: Option<String>,
        /// Write the collections as a calendar file.
        #[arg(long, requires = "uprn")]
        ics: Option<PathBuf>,
    },
    /// Sign in: a code is emailed to you.
    Signin { email: String },
    /// Enter the emailed code.
    Verify {
        code: String,
        #[arg(long)]
        email: Option<String>,
    },
    /// Sign out (this device keeps working without an account).
    Signout,
    /// What is waiting to be sent, and what needs your attention.
    Outbox,
    /// Try something in the outbox again now.
    Retry { key: String },
    /// Change something the council refused and send it again: another slot, other answers.
    Fix {
        key: String,
        #[arg(long)]
        slot: Option<String>,
        #[arg(long = "answer", value_name = "KEY=VALUE")]
        answers: Vec<String>,
    },
    /// Give up something in the outbox.
    Discard { key: String },
    /// Send what is waiting and fetch what changed.
    Sync,
    /// Everything this device holds about you, as JSON.
    Export,
    /// Erase everything this device holds about you.
    Erase {
        /// Required: say you mean it.
        #[arg(long)]
        yes: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("doorstep: {error}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("doorstep: {error}");
            ExitCode::from(match error {
                Error::Invalid { .. } => 2,
                Error::Refused { .. } => 3,
                _ => 1,
            })
        }
    }
}

fn data_dir(cli: &Cli) -> PathBuf {
    cli.data_dir.clone().unwrap_or_else(|| {
        let base = std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
            .unwrap_or_else(|| PathBuf::from("."));
        base.join("doorstep")
    })
}

async fn run(cli: Cli) -> Result<ExitCode, Error> {
    let dir = data_dir(&cli);
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::Storage(format!("cannot create {}: {e}", dir.display())))?;
    let doorstep = Doorstep::open(Config {
        secrets: Arc::new(doorstep_core::FileSecrets::new(dir.join("secrets.json"))),
        data_dir: dir,
        council_url: cli.open311.clone().unwrap_or_else(|| cli.server.clone()),
        backend: match &cli.open311 {
            Some(_) => Backend::Open311 {
                api_key: cli.api_key.clone(),
                jurisdiction: cli.jurisdiction.clone(),
            },
            None => Backend::Doorstep,
        },
        platform: "cli".to_owned(),
        device_name: "doorstep command".to_owned(),
        background_sync: false,
    })?;
    doorstep.set_online(!cli.offline).await;
    let out = Out { json: cli.json };
    match cli.command {
        Command::Services { search } => {
            if search.is_none() || doorstep.services(None).await?.is_empty() {
                refresh(&doorstep).await;
            }
            let services = doorstep.services(search.as_deref()).await?;
            out.list(&services, |s| {
                format!(
                    "{:<28} {:<9} {}",
                    s.code,
                    format!("{:?}", s.kind).to_lowercase(),
                    s.name
                )
            });
        }
        Command::Service { code } => {
            refresh(&doorstep).await;
            let service = doorstep.service(&code).await?;
            out.one(&service, describe_service);
        }
        Command::Report {
            code,
            lat,
            lon,
            uprn,
            description,
            answers,
            photos,
        } => {
            refresh(&doorstep).await;
            let answers = parse_answers(&doorstep, &code, &answers).await?;
            let mut images = Vec::new();
            for path in &photos {
                images.push(std::fs::read(path).map_err(|e| {
                    Error::invalid("photo", format!("cannot read {}: {e}", path.display()))
                })?);
            }
            let location = Location {
                lat,
                lon,
                uprn,
                address: None,
            };
            let input = ReportInput {
                service_code: code,
                description,
                location,
                answers,
                photos: images,
                contact: None,
            };
            let made = doorstep.submit_report(input).await?;
            try_sync(&doorstep).await;
            let made = doorstep.report(&made.local_id).await?;
            out.one(&made, |r| {
                let reference = r.report.as_ref().map_or("", |r| r.reference.as_str());
                format!("{} {} {}", r.local_id, delivery(&r.delivery), reference)
            });
            return Ok(exit_for(&made.delivery));
        }
        Command::Reports => {
            let reports = doorstep.reports().await?;
            out.list(&reports, |r| match &r.report {
                Some(report) => format!(
                    "{}  {}  {:<22} {}  {}",
                    r.local_id,
                    report.reference,
                    report.status.as_str(),
                    report.service_name,
                    delivery(&r.delivery)
                ),
                None => format!(
                    "{}  {:<14} {:<22} {}  {}",
                    r.local_id,
                    "-",
                    "-",
                    r.request.as_ref().map_or("", |q| q.service_code.as_str()),
                    delivery(&r.delivery)
                ),
            });
        }
        Command::Update { id, text, reopen } => {
            let updated = doorstep.add_update(&id, &text, reopen).await?;
            try_sync(&doorstep).await;
            let updated = doorstep.report(&updated.local_id).await?;
            out.one(&updated, |r| {
                format!("{} {}", r.local_id, delivery(&r.delivery))
            });
            return Ok(exit_for(&updated.delivery));
        }
        Command::Slots { code } => {
            let view = doorstep.slots(&code).await?;
            if view.stale && !out.json {
                say("(offline: these are the slots as last seen; places may have gone)");
            }
            out.list(&view.list.slots, |s| {
                format!(
                    "{}  {}  {} places left",
                    s.id,
                    s.start.format("%a %-d %b %H:%M"),
                    s.remaining
                )
            });
        }
        Command::Book {
            code,
            slot,
            answers,
            uprn,
            fallback,
        } => {
            refresh(&doorstep).await;
            let fallback = match fallback.as_str() {
                "none" => Fallback::None,
                "same_day" => Fallback::SameDay,
                "next_available" => Fallback::NextAvailable,
                _ => {
                    return Err(Error::invalid(
                        "fallback",
                        "Choose none, same_day or next_available",
                    ));
                }
            };
            let answers = parse_answers(&doorstep, &code, &answers).await?;
            let location = uprn.map(|uprn| Location {
                uprn: Some(uprn),
                ..Location::default()
            });
            let made = doorstep
                .book(&code, &slot, answers, location, fallback)
                .await?;
            try_sync(&doorstep).await;
            let made = doorstep.booking(&made.local_id).await?;
            out.one(&made, |b| {
                let detail = b.booking.as_ref().map_or_else(String::new, |b| {
                    format!(
                        "{} {} {}",
                        b.reference,
                        b.status.as_str(),
                        b.start.format("%a %-d %b %H:%M")
                    )
                });
                format!("{} {} {}", b.local_id, delivery(&b.delivery), detail)
            });
            return Ok(exit_for(&made.delivery));
        }
        Command::Bookings => {
            let bookings = doorstep.bookings().await?;
            out.list(&bookings, |b| match &b.booking {
                Some(x) => format!(
                    "{}  {}  {:<16} {}  {}  {}",
                    b.local_id,
                    x.reference,
                    x.status.as_str(),
                    x.start.format("%a %-d %b %H:%M"),
                    x.service_name,
                    delivery(&b.delivery)
                ),
                None => format!("{}  {}", b.local_id, delivery(&b.delivery)),
            });
        }
        Command::Cancel { id } => {
            let cancelled = doorstep.cancel_booking(&id).await?;
            try_sync(&doorstep).await;
            let cancelled = doorstep.booking(&cancelled.local_id).await?;
            out.one(&cancelled, |b| {
                format!("{} {}", b.local_id, delivery(&b.delivery))
            });
            return Ok(exit_for(&cancelled.delivery));
        }
        Command::Pay {
            purpose,
            reference,
            amount,
            return_url,
            email,
        } => {
            refresh(&doorstep).await;
            let pence = doorstep_core::payments::amount_in_pence(&amount)?;
            let started = doorstep
                .start_payment(&purpose, &reference, pence, &return_url, email.as_deref())
                .await?;
            return show_payment(&doorstep, &out, &started.local_id).await;
        }
        Command::PayFee {
            booking,
            return_url,
        } => {
            let started = doorstep.pay_booking_fee(&booking, &return_url).await?;
            return show_payment(&doorstep, &out, &started.local_id).await;
        }
        Command::Payments { id: Some(id) } => {
            let payment = doorstep.refresh_payment(&id).await?;
            out.one(&payment, describe_payment);
        }
        Command::Payments { id: None } => {
            let payments = doorstep.payments().await?;
            out.list(&payments, describe_payment);
        }
        Command::Bins {
            postcode: Some(postcode),
            ..
        } => {
            let found = doorstep.addresses(&postcode).await?;
            out.list(&found.value.addresses, |a| {
                format!("{}  {}", a.uprn, a.address)
            });
        }
        Command::Bins {
            uprn: Some(uprn),
            ics,
            ..
        } => {
            if let Some(path) = ics {
                let calendar = doorstep.collections_ics(&uprn).await?;
                std::fs::write(&path, calendar)
                    .map_err(|e| Error::Storage(format!("cannot write {}: {e}", path.display())))?;
                say(&format!("Wrote {}", path.display()));
            } else {
                let calendar = doorstep.collections(&uprn).await?;
                if calendar.stale && !out.json {
                    say("(offline: as last seen)");
                }
                if !out.json {
                    say(&format!(
                        "{}\n{}",
                        calendar.value.address, calendar.value.advice
                    ));
                }
                out.list(&calendar.value.collections, |c| {
                    format!(
                        "{}  {}",
                        c.date.format("%a %-d %b"),
                        c.bins
                            .iter()
                            .map(|b| b.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                });
            }
        }
        Command::Bins { .. } => {
            return Err(Error::invalid(
                "postcode",
                "Give --postcode to find your address, or --uprn for its collections",
            ));
        }
        Command::Signin { email } => {
            let sent = doorstep.sign_in(&email).await?;
            out.one(&sent, |s| format!("We have sent a code to {}. It expires in {} minutes: run `doorstep verify CODE`.", s.sent_to, s.expires_in_seconds / 60));
        }
        Command::Verify { code, email } => {
            let email = match email {
                Some(email) => email,
                None => doorstep
                    .pending_email()
                    .await?
                    .ok_or_else(|| Error::invalid("email", "Run `doorstep signin EMAIL` first"))?,
            };
            let account = doorstep.verify(&email, &code).await?;
            try_sync(&doorstep).await;
            out.one(&serde_json::json!({"signed_in_as": account.email}), |_| {
                format!("Signed in as {}", account.email)
            });
        }
        Command::Signout => {
            doorstep.sign_out().await?;
            out.one(&serde_json::json!({"signed_in": false}), |_| {
                "Signed out. This device keeps working without an account.".to_owned()
            });
        }
        Command::Outbox => {
            let entries = doorstep.outbox().await?;
            out.list(
                &entries.iter().map(OutboxLine::from).collect::<Vec<_>>(),
                |e| format!("{}  {:<20} {}  {}", e.key, e.what, e.about, e.state),
            );
            if entries
                .iter()
                .any(|e| matches!(e.state, OutboxState::NeedsAttention { .. }))
            {
                return Ok(ExitCode::from(3));
            }
        }
        Command::Retry { key } => {
            doorstep.retry(&key).await?;
            try_sync(&doorstep).await;
            say(&format!("Trying again: {key}"));
        }
        Command::Fix { key, slot, answers } => {
            refresh(&doorstep).await;
            let new_key = doorstep
                .fix_with(&key, slot.as_deref(), split_pairs(&answers)?)
                .await?;
            try_sync(&doorstep).await;
            let still = doorstep
                .outbox()
                .await?
                .into_iter()
                .find(|e| e.key == new_key);
            match still.map(|e| e.state) {
                Some(OutboxState::NeedsAttention { problem }) => {
                    say(&format!(
                        "Still refused: {} (outbox key {new_key})",
                        problem.message
                    ));
                    return Ok(ExitCode::from(3));
                }
                Some(_) => say(&format!("Changed; waiting to send (outbox key {new_key})")),
                None => say("Changed and sent."),
            }
        }
        Command::Discard { key } => {
            doorstep.discard(&key).await?;
            say(&format!("Discarded: {key}"));
        }
        Command::Sync => {
            let report = doorstep.sync_now().await?;
            out.one(&report, |r| r.said.clone());
            if report.needs_attention > 0 {
                return Ok(ExitCode::from(3));
            }
        }
        Command::Export => say(&serde_json::to_string_pretty(&doorstep.export().await?)
            .map_err(|e| Error::Internal(e.to_string()))?),
        Command::Erase { yes } => {
            if !yes {
                return Err(Error::invalid(
                    "yes",
                    "This erases everything Doorstep holds on this device: add --yes if you mean it",
                ));
            }
            doorstep.erase().await?;
            say("Erased everything this device held about you.");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Fetch the catalogue when the council can be reached; offline, the cached one serves.
async fn refresh(doorstep: &Doorstep) {
    if doorstep.is_online()
        && let Err(error) = doorstep.refresh_catalogue().await
    {
        tracing_free_note(&format!(
            "could not refresh the list of services ({error}); using the one on this device"
        ));
    }
}

/// One sync round when online; being offline is not a failure of the command.
async fn try_sync(doorstep: &Doorstep) {
    if doorstep.is_online()
        && let Err(error) = doorstep.sync_now().await
    {
        tracing_free_note(&format!(
            "saved on this device; it will be sent later ({error})"
        ));
    }
}

fn tracing_free_note(text: &str) {
    eprintln!("doorstep: {text}");
}

/// `key=value` pairs → answers, typed by the core from the service's questions.
async fn parse_answers(
    doorstep: &Doorstep,
    code: &str,
    pairs: &[String],
) -> Result<Answers, Error> {
    doorstep.answers(code, split_pairs(pairs)?).await
}

/// `key=value` pairs → answers typed in, for the core to type.
fn split_pairs(pairs: &[String]) -> Result<Vec<(String, GivenAnswer)>, Error> {
    pairs
        .iter()
        .map(|pair| {
            pair.split_once('=')
                .map(|(k, v)| (k.to_owned(), GivenAnswer::Typed(v.to_owned())))
                .ok_or_else(|| {
                    Error::invalid(
                        "answer",
                        format!("Write each answer as question=value, not '{pair}'"),
                    )
                })
        })
        .collect()
}

async fn show_payment(doorstep: &Doorstep, out: &Out, local_id: &str) -> Result<ExitCode, Error> {
    try_sync(doorstep).await;
    let payment = doorstep.payment(local_id).await?;
    out.one(&payment, |p| {
        let mut text = describe_payment(p);
        if let Some(url) = p.payment.as_ref().and_then(|p| p.next_url.as_deref()) {
            text.push_str(&format!(
                "\nOpen this page to pay: {url}\nThen run `doorstep payments {}`.",
                p.local_id
            ));
        }
        text
    });
    Ok(exit_for(&payment.delivery))
}

fn describe_payment(p: &doorstep_core::MyPayment) -> String {
    match &p.payment {
        Some(x) => {
            let receipt = x
                .receipt
                .as_ref()
                .map_or_else(String::new, |r| format!(" receipt {}", r.receipt_number));
            format!(
                "{}  {}  {}  {}  {}{}",
                p.local_id,
                x.description,
                rules::pounds(x.amount_pence),
                x.state.status.as_str(),
                delivery(&p.delivery),
                receipt
            )
        }
        None => format!("{}  {}", p.local_id, delivery(&p.delivery)),
    }
}

fn describe_service(s: &ServiceDefinition) -> String {
    let mut text = format!("{} ({})\n{}\n", s.name, s.code, s.description);
    if let Some(next) = &s.what_happens_next {
        text.push_str(&format!("What happens next: {next}\n"));
    }
    if let Some(days) = s.target_days {
        text.push_str(&format!(
            "The council aims to act within {days} working days.\n"
        ));
    }
    for q in &s.questions {
        let required = if q.required { "required" } else { "optional" };
        text.push_str(&format!(
            "  --answer {}=…  {} ({:?}, {required})\n",
            q.code, q.description, q.datatype
        ));
        for v in &q.values {
            text.push_str(&format!("      {:<20} {}\n", v.key, v.name));
        }
    }
    text
}

fn delivery(delivery: &Delivery) -> String {
    match delivery {
        Delivery::Waiting => "waiting to send".to_owned(),
        Delivery::Sent => "sent".to_owned(),
        Delivery::NeedsAttention { key, problem } => format!(
            "NEEDS YOUR ATTENTION: {} (outbox key {key})",
            problem.message
        ),
    }
}

fn exit_for(delivery: &Delivery) -> ExitCode {
    match delivery {
        Delivery::NeedsAttention { .. } => ExitCode::from(3),
        _ => ExitCode::SUCCESS,
    }
}

#[derive(Serialize)]
struct OutboxLine {
    key: String,
    what: &'static str,
    about: String,
    item: String,
    state: String,
}

impl From<&doorstep_core::OutboxEntry> for OutboxLine {
    fn from(entry: &doorstep_core::OutboxEntry) -> Self {
        let state = match &entry.state {
            OutboxState::Waiting { attempts: 0, .. } => "waiting".to_owned(),
            OutboxState::Waiting {
                attempts,
                last_error,
                ..
            } => {
                format!(
                    "waiting (tried {attempts} times: {})",
                    last_error.as_deref().unwrap_or("no answer")
                )
            }
            OutboxState::NeedsAttention { problem } => {
                format!("needs your attention: {}", problem.message)
            }
        };
        OutboxLine {
            key: entry.key.clone(),
            what: entry.operation.describe(),
            about: entry.about.clone(),
            item: entry.item.clone(),
            state,
        }
    }
}

/// Text for people, JSON for programs.
struct Out {
    json: bool,
}

impl Out {
    fn one<T: Serialize>(&self, value: &T, text: impl Fn(&T) -> String) {
        if self.json {
            say(&serde_json::to_string(value).unwrap_or_default());
        } else {
            say(&text(value));
        }
    }

    fn list<T: Serialize>(&self, values: &[T], text: impl Fn(&T) -> String) {
        if self.json {
            say(&serde_json::to_string(values).unwrap_or_default());
        } else if values.is_empty() {
            say("(none)");
        } else {
            values.iter().for_each(|v| say(&text(v)));
        }
    }
}

/// Print a line; a reader that went away (`| head`) is not an error.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}
