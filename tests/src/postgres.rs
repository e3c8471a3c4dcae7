//! A throwaway PostgreSQL cluster for a test: made with Debian's own `initdb` in a temporary
//! folder, run by an ordinary user (PostgreSQL refuses to run as root; when the tests run as
//! root the cluster runs as `nobody`), listening on 127.0.0.1 only, with its socket in its own
//! folder.
//!
//! Invariant: the cluster stops when its handle is dropped — when the test passes and when it
//! fails — and its folder goes with it; nothing outside the folder is touched.

use std::{
    fs,
    path::PathBuf,
    process::{Command, Output},
    thread,
    time::{Duration, Instant},
};

use crate::{Balancer, Deployed, TempDir, council_dir, free_port};

/// The database and its owner every cluster starts with.
pub const DATABASE: &str = "doorstep";
const OWNER: &str = "doorstep";

/// The user a cluster runs as when the tests run as root.
const ORDINARY_USER: &str = "nobody";

/// A running cluster; stopped on drop.
pub struct Postgres {
    bin: PathBuf,
    data: PathBuf,
    socket: PathBuf,
    port: u16,
    as_user: Option<&'static str>,
    /// Last, so that the folder goes after the cluster stopped.
    _dir: TempDir,
}

impl Postgres {
    /// Make a cluster and start it, with `settings` (`name = value` lines, e.g.
    /// `default_transaction_isolation = 'serializable'`) added to its configuration.
    pub fn start(settings: &[&str]) -> Postgres {
        let bin = bin_dir().unwrap_or_else(|| {
            panic!(
                "no PostgreSQL server under /usr/lib/postgresql: `cargo xtask test` installs \
                 Debian's postgresql package, or run apt-get install postgresql"
            )
        });
        let dir = TempDir::new("postgres");
        let data = dir.0.join("data");
        let socket = dir.0.join("socket");
        fs::create_dir_all(&socket).expect("the socket folder");
        let as_user = is_root().then_some(ORDINARY_USER);
        if let Some(user) = as_user {
            let owned = Command::new("chown")
                .args(["-R", &format!("{user}:")])
                .arg(&dir.0)
                .status()
                .expect("chown runs");
            assert!(
                owned.success(),
                "the cluster's folder could not be given to {user}"
            );
        }
        let cluster = Postgres {
            bin,
            data,
            socket,
            port: free_port(),
            as_user,
            _dir: dir,
        };
        let made = cluster.run(
            "initdb",
            &[
                "--pgdata",
                &cluster.data.display().to_string(),
                "--username",
                OWNER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
            ],
        );
        assert!(made.status.success(), "initdb failed: {}", said(&made));
        let mut conf = format!(
            "\nlisten_addresses = '127.0.0.1'\nport = {}\nunix_socket_directories = '{}'\nfsync = off\n",
            cluster.port,
            cluster.socket.display()
        );
        for setting in settings {
            conf.push_str(setting);
            conf.push('\n');
        }
        let conf_path = cluster.data.join("postgresql.conf");
        let mut whole = fs::read_to_string(&conf_path).expect("postgresql.conf");
        whole.push_str(&conf);
        fs::write(&conf_path, whole).expect("postgresql.conf written");
        cluster.begin();
        let created = cluster.run(
            "createdb",
            &[
                "--host",
                "127.0.0.1",
                "--port",
                &cluster.port.to_string(),
                "--username",
                OWNER,
                DATABASE,
            ],
        );
        assert!(
            created.status.success(),
            "createdb failed: {}",
            said(&created)
        );
        cluster
    }

    /// The address a server or a client connects with.
    pub fn url(&self) -> String {
        self.url_of(DATABASE)
    }

    fn url_of(&self, database: &str) -> String {
        format!("postgres://{OWNER}@127.0.0.1:{}/{database}", self.port)
    }

    /// A new database `name` whose transactions run at `isolation` (`read committed`,
    /// `repeatable read` or `serializable`); its URL.
    pub fn database(&self, name: &str, isolation: &str) -> String {
        self.sql(&format!("CREATE DATABASE {name}"));
        self.sql(&format!(
            "ALTER DATABASE {name} SET default_transaction_isolation = '{isolation}'"
        ));
        self.url_of(name)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The cluster's main process, while it runs.
    pub fn pid(&self) -> Option<u32> {
        fs::read_to_string(self.data.join("postmaster.pid"))
            .ok()?
            .lines()
            .next()?
            .trim()
            .parse()
            .ok()
    }

    /// Run one statement with `psql`; its output, rows unaligned and without headers.
    pub fn sql(&self, statement: &str) -> String {
        self.sql_in(DATABASE, statement)
    }

    /// As `sql`, in the database `name`.
    pub fn sql_in(&self, name: &str, statement: &str) -> String {
        let output = self.run(
            "psql",
            &[
                "--no-psqlrc",
                "--tuples-only",
                "--no-align",
                "--set",
                "ON_ERROR_STOP=1",
                "--dbname",
                &self.url_of(name),
                "--command",
                statement,
            ],
        );
        assert!(output.status.success(), "psql failed: {}", said(&output));
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    /// Start the cluster and wait until it takes connections.
    fn begin(&self) {
        let log = self.data.join("server.log");
        let started = self.run(
            "pg_ctl",
            &[
                "--pgdata",
                &self.data.display().to_string(),
                "--log",
                &log.display().to_string(),
                "--wait",
                "--timeout",
                "60",
                "start",
            ],
        );
        assert!(
            started.status.success(),
            "the cluster did not start: {}\n{}",
            said(&started),
            fs::read_to_string(&log).unwrap_or_default()
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.ready() {
            assert!(
                Instant::now() < deadline,
                "the cluster never took connections"
            );
            thread::sleep(Duration::from_millis(100));
        }
    }

    fn ready(&self) -> bool {
        self.run(
            "pg_isready",
            &["--host", "127.0.0.1", "--port", &self.port.to_string()],
        )
        .status
        .success()
    }

    /// Run one of the cluster's programs, as the cluster's user.
    fn run(&self, program: &str, args: &[&str]) -> Output {
        let path = self.bin.join(program);
        let mut command = match self.as_user {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(&path);
                command
            }
            None => Command::new(&path),
        };
        command
            .args(args)
            .current_dir(&self.socket)
            .output()
            .unwrap_or_else(|e| panic!("{} does not run: {e}", path.display()))
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self.run(
            "pg_ctl",
            &[
                "--pgdata",
                &self.data.display().to_string(),
                "--mode",
                "immediate",
                "--wait",
                "stop",
            ],
        );
    }
}

/// The newest PostgreSQL's programs on this machine, as Debian installs them.
fn bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Whether `pid` names a live process (for a test that proves a cluster stopped): one that
/// ended but was not yet reaped by whoever adopted it is not.
pub fn running(pid: u32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z'))
    })
}

/// The isolation levels the race tests run at: PostgreSQL's default, and the two at which it
/// gives transactions up to keep them apart (as distributed databases do at every level).
pub const ISOLATION_LEVELS: [&str; 3] = ["read committed", "repeatable read", "serializable"];

/// Council servers sharing one database, each its own process started from a deployment file
/// (limits raised for many residents from one address), behind a round-robin balancer; all
/// killed on drop.
pub struct Servers {
    pub balancer: Balancer,
    servers: Vec<Deployed>,
    dir: TempDir,
}

/// The limits the servers run with unless a test says otherwise: high enough for hundreds of
/// residents from one address.
const MANY: &str = "registrations_per_hour = 100000\nbookings_per_hour = 100000\n";

impl Servers {
    pub fn start(count: usize, database: &str) -> Servers {
        Self::start_limited(count, database, MANY)
    }

    /// As `start`, with `limits` (lines of the deployment file's `[limits]`).
    pub fn start_limited(count: usize, database: &str, limits: &str) -> Servers {
        let dir = TempDir::new("servers");
        let mut ports = Vec::new();
        let servers = (0..count)
            .map(|n| {
                let port = free_port();
                ports.push(port);
                let file = dir.0.join(format!("server-{n}.toml"));
                fs::write(
                    &file,
                    format!(
                        "db = \"{database}\"\nlisten = \"127.0.0.1:{port}\"\ncouncil = \"{}\"\n\n\
                         [limits]\n{limits}",
                        council_dir().display()
                    ),
                )
                .expect("a deployment file");
                let log = dir.0.join(format!("server-{n}.log"));
                Deployed::start(&file, port, &dir.0, &[], Some(&log))
            })
            .collect();
        Servers {
            balancer: Balancer::start(&ports),
            servers,
            dir,
        }
    }

    /// Kill server `n` (SIGKILL), as a crash would.
    pub fn kill(&mut self, n: usize) {
        self.servers[n].kill();
    }

    /// What the servers logged, for a failing test's message.
    pub fn logs(&self) -> String {
        (0..self.servers.len())
            .map(|n| {
                fs::read_to_string(self.dir.0.join(format!("server-{n}.log"))).unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
