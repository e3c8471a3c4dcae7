//! A council's deployment in one file (`doorstep-server --config FILE`, TOML): what the
//! command's flags set, and the limits that only the file sets. `server/README.md` documents
//! every key.
//!
//! Invariant: a file is taken whole or not at all — an unknown key, a missing one, or a value
//! of the wrong kind or out of range stops the server before it starts, with the file, the key
//! and what to write instead; paths in the file are read from the file's folder, so the same
//! file works from any working directory.

use std::{
    net::{IpAddr, SocketAddr},
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::Context;
use serde::Deserialize;

use crate::{Config, Limits};

/// The file as written; every key but `db`, `listen` and `council` may be left out.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    /// The SQLite file that holds everything (created if missing).
    db: PathBuf,
    /// Where to listen, `address:port`.
    listen: String,
    /// The council profile folder.
    council: PathBuf,
    /// The address residents' devices reach this server at (`https://…`).
    public_url: Option<String>,
    #[serde(default)]
    demo: bool,
    /// The council's own proxies in front of the server, whose `X-Forwarded-For` is believed.
    #[serde(default)]
    trusted_proxies: Vec<String>,
    #[serde(default)]
    limits: LimitsFile,
}

/// `[limits]`; what is left out keeps its default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsFile {
    registrations_per_hour: Option<u32>,
    codes_per_hour: Option<u32>,
    payments_per_minute: Option<u32>,
    bookings_per_hour: Option<u32>,
    request_timeout_seconds: Option<u64>,
}

/// Read the deployment in `path`.
pub fn read(path: &Path) -> anyhow::Result<Config> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    let folder = path.parent().unwrap_or(Path::new(""));
    parse(&text, folder).map_err(|problem| anyhow::anyhow!("{}: {problem}", path.display()))
}

/// The deployment a file's text describes, its paths read from `folder`; or what is wrong
/// with it, in words that say what to write.
pub fn parse(text: &str, folder: &Path) -> Result<Config, String> {
    let file: File = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())?;
    let listen: SocketAddr = file.listen.parse().map_err(|_| {
        format!(
            "listen = {:?} is not an address and port: write it like \"127.0.0.1:8080\"",
            file.listen
        )
    })?;
    if let Some(url) = &file.public_url
        && !(url.starts_with("https://") || url.starts_with("http://"))
    {
        return Err(format!(
            "public_url = {url:?} is not a web address: write the address devices reach this \
             server at, like \"https://council.example/doorstep\""
        ));
    }
    let trusted_proxies = file
        .trusted_proxies
        .iter()
        .map(|proxy| {
            proxy.parse::<IpAddr>().map_err(|_| {
                format!(
                    "trusted_proxies holds {proxy:?}, which is not an IP address: write each \
                     proxy's address, like \"10.0.0.2\""
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let limits = limits(&file.limits)?;
    Ok(Config {
        public_url: file
            .public_url
            .map(|url| url.trim_end_matches('/').to_owned()),
        demo: file.demo,
        trusted_proxies,
        limits,
        ..Config::new(folder.join(file.db), listen, folder.join(file.council))
    })
}

/// `[limits]` over the defaults; a limit of nothing would shut the door on everyone.
fn limits(given: &LimitsFile) -> Result<Limits, String> {
    let defaults = Limits::default();
    let at_least_one = |name: &str, value: Option<u32>, default: u32| match value {
        Some(0) => Err(format!(
            "limits.{name} = 0 would refuse everyone: give at least 1, or leave it out for \
             {default}"
        )),
        Some(n) => Ok(n),
        None => Ok(default),
    };
    let request_timeout = match given.request_timeout_seconds {
        Some(0) => {
            return Err(format!(
                "limits.request_timeout_seconds = 0 would answer nothing: give at least 1, or \
                 leave it out for {}",
                defaults.request_timeout.as_secs()
            ));
        }
        Some(seconds) => Duration::from_secs(seconds),
        None => defaults.request_timeout,
    };
    Ok(Limits {
        registrations_per_hour: at_least_one(
            "registrations_per_hour",
            given.registrations_per_hour,
            defaults.registrations_per_hour,
        )?,
        codes_per_hour: at_least_one(
            "codes_per_hour",
            given.codes_per_hour,
            defaults.codes_per_hour,
        )?,
        payments_per_minute: at_least_one(
            "payments_per_minute",
            given.payments_per_minute,
            defaults.payments_per_minute,
        )?,
        bookings_per_hour: at_least_one(
            "bookings_per_hour",
            given.bookings_per_hour,
            defaults.bookings_per_hour,
        )?,
        request_timeout,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHOLE: &str = r#"
db = "data/council.sqlite3"
listen = "0.0.0.0:8443"
council = "profile"
public_url = "https://council.example/doorstep/"
trusted_proxies = ["10.0.0.2", "fd00::2"]

[limits]
codes_per_hour = 3
request_timeout_seconds = 20
"#;

    #[test]
    fn a_whole_file_is_read_with_its_paths_from_its_own_folder() {
        let config = parse(WHOLE, Path::new("/etc/doorstep")).unwrap();
        assert_eq!(
            config.db_path,
            Path::new("/etc/doorstep/data/council.sqlite3")
        );
        assert_eq!(config.council_dir, Path::new("/etc/doorstep/profile"));
        assert_eq!(config.listen, "0.0.0.0:8443".parse().unwrap());
        assert_eq!(
            config.public_url.as_deref(),
            Some("https://council.example/doorstep")
        );
        assert_eq!(config.trusted_proxies.len(), 2);
        assert!(!config.demo);
        assert_eq!(config.limits.codes_per_hour, 3);
        assert_eq!(config.limits.request_timeout, Duration::from_secs(20));
        assert_eq!(
            config.limits.bookings_per_hour,
            Limits::default().bookings_per_hour,
            "what is left out keeps its default"
        );
    }

    #[test]
    fn an_absolute_path_stays_where_it_points() {
        let text = "db = \"/var/lib/doorstep/council.sqlite3\"\nlisten = \"127.0.0.1:8080\"\ncouncil = \"/srv/profile\"\n";
        let config = parse(text, Path::new("/etc/doorstep")).unwrap();
        assert_eq!(
            config.db_path,
            Path::new("/var/lib/doorstep/council.sqlite3")
        );
        assert_eq!(config.council_dir, Path::new("/srv/profile"));
        assert_eq!(config.public_url, None);
    }

    fn refused(text: &str) -> String {
        parse(text, Path::new("/etc/doorstep")).expect_err(text)
    }

    const BASE: &str = "db = \"c.sqlite3\"\nlisten = \"127.0.0.1:8080\"\ncouncil = \"p\"\n";

    #[test]
    fn a_misspelt_key_is_named_rather_than_ignored() {
        let said = refused(&format!("{BASE}public_address = \"https://x\"\n"));
        assert!(said.contains("public_address"), "{said}");
        let said = refused(&format!("{BASE}[limits]\ncodes_per_day = 3\n"));
        assert!(said.contains("codes_per_day"), "{said}");
    }

    #[test]
    fn a_missing_key_and_a_value_of_the_wrong_kind_say_which() {
        let said = refused("listen = \"127.0.0.1:8080\"\ncouncil = \"p\"\n");
        assert!(said.contains("db"), "{said}");
        let said = refused(&format!("{BASE}demo = \"yes\"\n"));
        assert!(said.contains("demo"), "{said}");
    }

    #[test]
    fn values_that_cannot_work_say_what_to_write() {
        let said = refused("db = \"c\"\nlisten = \"8080\"\ncouncil = \"p\"\n");
        assert!(said.contains("127.0.0.1:8080"), "{said}");
        let said = refused(&format!("{BASE}public_url = \"council.example\"\n"));
        assert!(said.contains("https://"), "{said}");
        let said = refused(&format!("{BASE}trusted_proxies = [\"the proxy\"]\n"));
        assert!(said.contains("the proxy"), "{said}");
        let said = refused(&format!("{BASE}[limits]\ncodes_per_hour = 0\n"));
        assert!(said.contains("limits.codes_per_hour"), "{said}");
        let said = refused(&format!("{BASE}[limits]\nrequest_timeout_seconds = 0\n"));
        assert!(said.contains("request_timeout_seconds"), "{said}");
    }

    #[test]
    fn a_file_that_is_not_there_names_itself() {
        let said = read(Path::new("/nonexistent/doorstep.toml"))
            .unwrap_err()
            .to_string();
        assert!(said.contains("/nonexistent/doorstep.toml"), "{said}");
    }
}
