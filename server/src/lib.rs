//! doorstep-server: the council back end that Doorstep's shells and tests talk to.
//!
//! It serves the protocol of DESIGN.md §3 over HTTP from one SQLite file and one council
//! profile. It can run as the `doorstep-server` binary or be started in-process with `start`
//! (the desktop app does this to work out of the box, and the tests do it on a free loopback
//! port).
//!
//! Invariant: the server keeps no state in memory that a second instance would need — rate
//! limits, idempotency records, sandbox payments and the change feed are all in the store.

pub mod auth;
pub mod clock;
pub mod config_file;
pub mod db;
pub mod error;
pub mod extract;
pub mod forwarded;
pub mod govuk_pay;
pub mod idempotency;
pub mod lease;
pub mod notify;
pub mod openapi;
#[cfg(feature = "postgres")]
pub mod pg;
pub mod profile;
pub mod provider;
pub mod push;
pub mod rate;
pub mod routes;
pub mod sql;
pub mod stats;
pub mod store;

use std::{
    net::SocketAddr,
    path::PathBuf,
    sync::{Arc, OnceLock},
    time::Duration,
};

use anyhow::Context;
use axum::Router;
use chrono::{DateTime, Utc};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

pub use clock::Clock;
use db::Db;
use profile::Profile;
use provider::{PaymentProvider, SandboxProvider};

/// How to run a server.
#[derive(Debug, Clone)]
pub struct Config {
    /// The SQLite file (created if missing).
    pub db_path: PathBuf,
    /// Where to listen; port 0 picks a free one.
    pub listen: SocketAddr,
    /// The council profile folder.
    pub council_dir: PathBuf,
    /// The address residents' devices reach this server at, for links such as a payment page
    /// and the endpoint Open311 discovery names; by default `http://{listen address}`.
    pub public_url: Option<String>,
    pub limits: Limits,
    /// A demonstration server: sign-in codes are written to the log, since no email is sent.
    pub demo: bool,
    /// The council's clock: the system's, or one set apart from it (tests of clock skew).
    pub clock: Clock,
    /// The council's own proxies in front of the server, whose `X-Forwarded-For` is believed
    /// (`forwarded`); none by default.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Email through GOV.UK Notify; none: emails wait in the store's outbox (a demo writes
    /// sign-in codes to its log).
    pub notify: Option<notify::Settings>,
    /// Payments through GOV.UK Pay; none: the built-in sandbox that behaves like its test
    /// account.
    pub govuk_pay: Option<govuk_pay::Settings>,
    /// Push to the phones through FCM and APNs; none by default: a phone's push token is kept,
    /// and its pushes wait, until the council has a push service to send them through.
    pub push: push::Settings,
    /// How often housekeeping runs (`spawn_housekeeping`): every five minutes by default.
    pub housekeeping_every: Duration,
}

/// Limits that protect the server and the residents.
#[derive(Debug, Clone)]
pub struct Limits {
    /// New devices per client address per hour.
    pub registrations_per_hour: u32,
    /// Sign-in codes per email address per hour.
    pub codes_per_hour: u32,
    /// Payments started per device per minute.
    pub payments_per_minute: u32,
    /// Bookings made per device per hour.
    pub bookings_per_hour: u32,
    /// The longest a request may take before it is answered 503 (and the longest a payment
    /// provider is given): at most half the payment key's lease, or the server does not start
    /// (`idempotency::timeout_within_lease`).
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            registrations_per_hour: 60,
            codes_per_hour: 5,
            payments_per_minute: 15,
            bookings_per_hour: 30,
            request_timeout: Duration::from_secs(30),
        }
    }
}

impl Config {
    /// The defaults of the `doorstep-server` command.
    pub fn new(db_path: PathBuf, listen: SocketAddr, council_dir: PathBuf) -> Self {
        Self {
            db_path,
            listen,
            council_dir,
            public_url: None,
            limits: Limits::default(),
            demo: false,
            clock: Clock::default(),
            trusted_proxies: Vec::new(),
            notify: None,
            govuk_pay: None,
            push: push::Settings::default(),
            housekeeping_every: Duration::from_secs(300),
        }
    }
}

/// Everything a request handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub db: Db,
    pub profile: Profile,
    pub clock: Clock,
    pub provider: Arc<dyn PaymentProvider>,
    pub limits: Limits,
    pub demo: bool,
    /// The address devices reach this server at, with no `/` at the end (`Config::public_url`).
    pub public_url: String,
    /// The council's own proxies (`Config::trusted_proxies`).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// This server's name as the holder of a lease (`lease`), one for each start.
    pub holder: String,
    /// The API's own router, for running the operations of a batch.
    api: OnceLock<Router>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Now, on the council's wall clock.
    pub fn local_now(&self) -> chrono::NaiveDateTime {
        self.now()
            .with_timezone(&self.profile.timezone)
            .naive_local()
    }
}

/// A server running in this process.
pub struct RunningServer {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    pub clock: Clock,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Stop accepting, finish the requests in flight, and wait until done.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        (&mut self.task).await.context("server task")??;
        Ok(())
    }
}

/// Open the store, load the profile, bind, and serve in the background.
pub async fn start(config: Config) -> anyhow::Result<RunningServer> {
    let (shutdown, wait) = oneshot::channel::<()>();
    let bound = bind(config).await?;
    let (addr, url, clock) = (bound.addr, bound.url.clone(), bound.clock.clone());
    let task = tokio::spawn(bound.serve(async move {
        let _ = wait.await;
    }));
    Ok(RunningServer {
        addr,
        url,
        clock,
        shutdown: Some(shutdown),
        task,
    })
}

/// Serve until `signal` completes, then finish the requests in flight.
pub async fn serve_until(
    config: Config,
    signal: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let bound = bind(config).await?;
    let url = &bound.url;
    tracing::info!("Doorstep council server listening on {url} (health: {url}/v1/health)");
    bound.serve(signal).await?;
    tracing::info!("stopped");
    Ok(())
}

/// A server with its store open and its port bound, not yet serving.
struct Bound {
    listener: TcpListener,
    router: Router,
    addr: SocketAddr,
    url: String,
    clock: Clock,
    state: AppState,
    emails: Option<notify::Sender>,
    pushes: Option<push::Sender>,
    housekeeping_every: Duration,
}

impl Bound {
    /// Serve until `signal`; the housekeeping task and the email and push senders live exactly
    /// as long.
    async fn serve(
        self,
        signal: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let holder = &self.state.holder;
        let emails = self
            .emails
            .map(|sender| sender.start(self.state.db.clone(), self.clock.clone(), holder.clone()));
        let pushes = self
            .pushes
            .map(|sender| sender.start(self.state.db.clone(), self.clock.clone(), holder.clone()));
        let housekeeping = spawn_housekeeping(self.state.clone(), self.housekeeping_every);
        let served = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(signal)
        .await;
        housekeeping.abort();
        for sender in [emails, pushes].into_iter().flatten() {
            sender.abort();
        }
        lease::release(&self.state.db, &self.state.holder).await;
        served
    }
}

async fn bind(config: Config) -> anyhow::Result<Bound> {
    idempotency::timeout_within_lease(config.limits.request_timeout, idempotency::LEASE)
        .map_err(anyhow::Error::msg)?;
    let profile = Profile::load(&config.council_dir)?;
    let location = config.db_path.clone();
    let db = tokio::task::spawn_blocking(move || Db::connect(&location))
        .await?
        .with_context(|| format!("opening {}", db::shown(&config.db_path)))?;
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}");
    let public_url = config
        .public_url
        .as_deref()
        .unwrap_or(&url)
        .trim_end_matches('/')
        .to_owned();
    let clock = config.clock;
    let provider: Arc<dyn PaymentProvider> = match config.govuk_pay {
        Some(settings) => Arc::new(govuk_pay::GovukPay::new(
            settings,
            config.limits.request_timeout,
        )?),
        None => Arc::new(SandboxProvider::new(
            db.clone(),
            clock.clone(),
            public_url.clone(),
        )),
    };
    let state = AppState(Arc::new(Inner {
        db,
        profile,
        clock: clock.clone(),
        provider,
        limits: config.limits,
        demo: config.demo,
        public_url,
        trusted_proxies: config.trusted_proxies,
        holder: lease::holder(),
        api: OnceLock::new(),
    }));
    let router = routes::router(state.clone());
    Ok(Bound {
        listener,
        router,
        addr,
        url,
        clock,
        state,
        emails: config.notify.map(notify::Sender::new).transpose()?,
        pushes: if config.push.any() {
            Some(push::Sender::new(config.push)?)
        } else {
            None
        },
        housekeeping_every: config.housekeeping_every,
    })
}

/// Every `every` (a few minutes): give back the places of bookings whose fee was never paid,
/// take expired sign-in codes out of their emails, forget the rate limits' buckets that have
/// counted nothing for a day and idempotency keys past their
/// retention, and settle the payments whose payer never came back (`payments::reconcile`). Of
/// the servers on one store, only the one holding the housekeeping lease does it; the lease
/// outlasts a round by a minute, so another takes over only from a server that has stopped.
fn spawn_housekeeping(state: AppState, every: Duration) -> JoinHandle<()> {
    let lease_seconds = i64::try_from(every.as_secs()).unwrap_or(i64::MAX / 2) + 60;
    tokio::spawn(async move {
        let mut rounds = tokio::time::interval(every);
        loop {
            rounds.tick().await;
            let now = state.now();
            if !lease::hold(&state.db, "housekeeping", &state.holder, now, lease_seconds).await {
                continue;
            }
            let purged = state
                .db
                .write(move |tx| {
                    routes::bookings::release_expired_holds(tx, now)?;
                    routes::devices::forget_expired_codes(tx, now)?;
                    rate::forget_quiet_buckets(tx, now)?;
                    Ok(idempotency::purge(tx, now)?)
                })
                .await;
            if let Ok(count) = purged
                && count > 0
            {
                tracing::info!(count, "forgot idempotency keys past retention");
            }
            if let Ok(count) = routes::payments::reconcile(&state).await
                && count > 0
            {
                tracing::info!(count, "settled payments whose payer never came back");
            }
        }
    })
}
