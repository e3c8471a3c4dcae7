//! A council's deployment in one file (`doorstep-server --config FILE`, TOML): what the
//! command's flags set, and what only the file sets — the limits, GOV.UK Notify, GOV.UK Pay and
//! the push services, each with its secret by file or environment variable, never in the file. `server/README.md` documents every
//! key.
//!
//! Invariant: a file is taken whole or not at all — an unknown key, a missing one, or a value
//! of the wrong kind or out of range stops the server before it starts, with the file, the key
//! and what to write instead; paths in the file are read from the file's folder, so the same
//! file works from any working directory.

use std::{
    collections::BTreeMap,
    net::{IpAddr, SocketAddr},
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::Context;
use serde::Deserialize;

use crate::{Config, Limits, govuk_pay, notify, push};

/// The file as written; every key but `db`, `listen` and `council` may be left out.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    /// The SQLite file that holds everything (created if missing; relative to the file's
    /// folder), or a PostgreSQL URL (`postgres://user:password@host/database`).
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
    notify: Option<NotifyFile>,
    govuk_pay: Option<GovukPayFile>,
    fcm: Option<FcmFile>,
    apns: Option<ApnsFile>,
}

/// `[fcm]`: the Firebase service account's key file, by file or by environment variable.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FcmFile {
    service_account_file: Option<PathBuf>,
    service_account_env: Option<String>,
    url: Option<String>,
}

/// `[apns]`: the APNs signing key (`.p8`) by file or by environment variable, its id, the
/// team's id and the app's bundle id.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApnsFile {
    key_file: Option<PathBuf>,
    key_env: Option<String>,
    key_id: String,
    team_id: String,
    topic: String,
    url: Option<String>,
}

/// `[govuk_pay]`: the key by file or by environment variable (exactly one).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GovukPayFile {
    api_key_file: Option<PathBuf>,
    api_key_env: Option<String>,
    url: Option<String>,
}

/// `[notify]`: the key by file or by environment variable (exactly one), and a Notify template
/// id for each of Doorstep's emails.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NotifyFile {
    api_key_file: Option<PathBuf>,
    api_key_env: Option<String>,
    url: Option<String>,
    templates: BTreeMap<String, String>,
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

/// Read the deployment in `path`, its secrets from the files and environment it names.
pub fn read(path: &Path) -> anyhow::Result<Config> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    let folder = path.parent().unwrap_or(Path::new(""));
    parse(&text, folder, &|name| std::env::var(name).ok())
        .map_err(|problem| anyhow::anyhow!("{}: {problem}", path.display()))
}

/// The deployment a file's text describes, its paths read from `folder` and its environment
/// variables from `env`; or what is wrong with it, in words that say what to write.
pub fn parse(
    text: &str,
    folder: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, String> {
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
    let notify = file
        .notify
        .map(|given| notify_settings(given, folder, env))
        .transpose()?;
    let govuk_pay = file
        .govuk_pay
        .map(|given| {
            let api_key = secret(
                "govuk_pay",
                "api_key",
                &given.api_key_file,
                &given.api_key_env,
                folder,
                env,
            )?;
            Ok::<_, String>(govuk_pay::Settings {
                url: web_address("govuk_pay.url", given.url, govuk_pay::PAY_URL)?,
                api_key: api_key.trim().to_owned(),
            })
        })
        .transpose()?;
    let push = push_settings(file.fcm, file.apns, folder, env)?;
    Ok(Config {
        notify,
        govuk_pay,
        push,
        public_url: file
            .public_url
            .map(|url| url.trim_end_matches('/').to_owned()),
        demo: file.demo,
        trusted_proxies,
        limits,
        ..Config::new(
            if crate::db::is_postgres(&file.db) {
                file.db
            } else {
                folder.join(file.db)
            },
            listen,
            folder.join(file.council),
        )
    })
}

/// A section's secret `what`, from the file `{what}_file` names (read from `folder`) or the
/// environment variable `{what}_env` names: exactly one of the two.
fn secret(
    section: &str,
    what: &str,
    file: &Option<PathBuf>,
    variable: &Option<String>,
    folder: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, String> {
    match (file, variable) {
        (Some(file), None) => {
            let path = folder.join(file);
            std::fs::read_to_string(&path)
                .map_err(|e| format!("{section}.{what}_file: cannot read {}: {e}", path.display()))
        }
        (None, Some(name)) => env(name).ok_or_else(|| {
            format!(
                "{section}.{what}_env names {name}, which is not set in the server's environment"
            )
        }),
        _ => Err(format!(
            "[{section}] takes its {words} from a file ({what}_file = \"…\") or from an \
             environment variable ({what}_env = \"…\"): give exactly one",
            words = what.replace('_', " ").replace("api", "API")
        )),
    }
}

/// A provider's address: the one given, if it is a web address, or its own.
fn web_address(key: &str, given: Option<String>, default: &str) -> Result<String, String> {
    let url = given.unwrap_or_else(|| default.to_owned());
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(url)
    } else {
        Err(format!(
            "{key} = {url:?} is not a web address: leave it out for {default}"
        ))
    }
}

/// `[notify]`, with its key read and every email's template named.
fn notify_settings(
    given: NotifyFile,
    folder: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<notify::Settings, String> {
    let key = secret(
        "notify",
        "api_key",
        &given.api_key_file,
        &given.api_key_env,
        folder,
        env,
    )?;
    let key = notify::ApiKey::parse(&key).map_err(|problem| format!("notify: {problem}"))?;
    let url = web_address("notify.url", given.url, notify::NOTIFY_URL)?;
    for email in notify::TEMPLATES {
        match given.templates.get(email) {
            Some(id) if id.len() == 36 && id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()) => {
            }
            Some(id) => {
                return Err(format!(
                    "notify.templates.{email} = {id:?} is not a template id: copy it from the \
                     template's page in GOV.UK Notify"
                ));
            }
            None => {
                return Err(format!(
                    "notify.templates has no {email:?}: give the id of the Notify template \
                     that email is sent with"
                ));
            }
        }
    }
    if let Some(unknown) = given
        .templates
        .keys()
        .find(|name| !notify::TEMPLATES.contains(&name.as_str()))
    {
        return Err(format!(
            "notify.templates.{unknown} is not an email Doorstep sends: it sends {}",
            notify::TEMPLATES.join(", ")
        ));
    }
    Ok(notify::Settings {
        url,
        key,
        templates: given.templates,
    })
}

/// `[fcm]` and `[apns]`, with their keys read.
fn push_settings(
    fcm: Option<FcmFile>,
    apns: Option<ApnsFile>,
    folder: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<push::Settings, String> {
    let fcm = fcm
        .map(|given| {
            let account = secret(
                "fcm",
                "service_account",
                &given.service_account_file,
                &given.service_account_env,
                folder,
                env,
            )?;
            Ok::<_, String>(push::FcmSettings {
                url: web_address("fcm.url", given.url, push::FCM_URL)?,
                account: push::ServiceAccount::parse(&account)
                    .map_err(|problem| format!("fcm: {problem}"))?,
            })
        })
        .transpose()?;
    let apns = apns
        .map(|given| {
            let key = secret("apns", "key", &given.key_file, &given.key_env, folder, env)?;
            for (name, value) in [("key_id", &given.key_id), ("team_id", &given.team_id)] {
                if value.len() != 10 || !value.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(format!(
                        "apns.{name} = {value:?} is not one Apple issues: copy the ten letters \
                         and digits from the Apple developer account's Keys or Membership page"
                    ));
                }
            }
            if given.topic.is_empty() || given.topic.contains(char::is_whitespace) {
                return Err(format!(
                    "apns.topic = {:?} is not a bundle id: write the iOS app's, like \
                     \"uk.doorstep.app\"",
                    given.topic
                ));
            }
            push::ApnsSettings::new(
                web_address("apns.url", given.url, push::APNS_URL)?,
                given.key_id,
                given.team_id,
                given.topic,
                &key,
            )
            .map_err(|problem| format!("apns: {problem}"))
        })
        .transpose()?;
    Ok(push::Settings { fcm, apns })
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

    fn no_env(_: &str) -> Option<String> {
        None
    }

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
        let config = parse(WHOLE, Path::new("/etc/doorstep"), &no_env).unwrap();
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
    fn an_absolute_path_or_a_database_url_stays_where_it_points() {
        let on_postgres = "db = \"postgres://council@db.internal/doorstep\"\nlisten = \"127.0.0.1:8080\"\ncouncil = \"p\"\n";
        assert_eq!(
            parse(on_postgres, Path::new("/etc/doorstep"), &no_env)
                .unwrap()
                .db_path,
            PathBuf::from("postgres://council@db.internal/doorstep"),
            "a database URL is taken as it is, not as a file beside the deployment file"
        );
        let text = "db = \"/var/lib/doorstep/council.sqlite3\"\nlisten = \"127.0.0.1:8080\"\ncouncil = \"/srv/profile\"\n";
        let config = parse(text, Path::new("/etc/doorstep"), &no_env).unwrap();
        assert_eq!(
            config.db_path,
            Path::new("/var/lib/doorstep/council.sqlite3")
        );
        assert_eq!(config.council_dir, Path::new("/srv/profile"));
        assert_eq!(config.public_url, None);
    }

    fn refused(text: &str) -> String {
        parse(text, Path::new("/etc/doorstep"), &no_env).expect_err(text)
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

    const KEY: &str =
        "doorstep_live-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0";
    const TEMPLATE: &str = "f33517ff-2a88-4f6e-b855-c550268ce08a";
    const STATUS_TEMPLATE: &str = "0b1e7c2a-5d3f-4e8a-9c6b-2f4d8e1a7b3c";

    #[test]
    fn notify_takes_its_key_from_the_environment_or_a_file() {
        let text = format!(
            "{BASE}[notify]\napi_key_env = \"NOTIFY_KEY\"\n[notify.templates]\nsign-in-code = \"{TEMPLATE}\"\nstatus-changed = \"{STATUS_TEMPLATE}\"\n"
        );
        let env = |name: &str| (name == "NOTIFY_KEY").then(|| KEY.to_owned());
        let config = parse(&text, Path::new("/etc/doorstep"), &env).unwrap();
        let settings = config.notify.expect("notify");
        assert_eq!(settings.url, notify::NOTIFY_URL);
        assert_eq!(settings.templates["sign-in-code"], TEMPLATE);

        let folder = std::env::temp_dir().join(format!("doorstep-config-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("notify.key"), format!("{KEY}\n")).unwrap();
        let text = format!(
            "{BASE}[notify]\napi_key_file = \"notify.key\"\nurl = \"http://127.0.0.1:9\"\n[notify.templates]\nsign-in-code = \"{TEMPLATE}\"\nstatus-changed = \"{STATUS_TEMPLATE}\"\n"
        );
        let from_file = parse(&text, &folder, &no_env);
        std::fs::remove_dir_all(&folder).unwrap();
        assert_eq!(from_file.unwrap().notify.unwrap().url, "http://127.0.0.1:9");
    }

    #[test]
    fn notify_without_what_it_needs_says_what_is_missing_and_never_shows_the_key() {
        let templates = format!(
            "[notify.templates]\nsign-in-code = \"{TEMPLATE}\"\nstatus-changed = \"{STATUS_TEMPLATE}\"\n"
        );
        let said = refused(&format!("{BASE}[notify]\n{templates}"));
        assert!(said.contains("exactly one"), "{said}");
        let said = refused(&format!(
            "{BASE}[notify]\napi_key_env = \"UNSET_HERE\"\n{templates}"
        ));
        assert!(
            said.contains("UNSET_HERE") && said.contains("not set"),
            "{said}"
        );
        let said = refused(&format!(
            "{BASE}[notify]\napi_key_file = \"missing.key\"\n{templates}"
        ));
        assert!(said.contains("/etc/doorstep/missing.key"), "{said}");

        let env = |_: &str| Some(KEY.to_owned());
        let wrong = |text: String| parse(&text, Path::new("/etc/doorstep"), &env).unwrap_err();
        let said = wrong(format!(
            "{BASE}[notify]\napi_key_env = \"K\"\n[notify.templates]\n"
        ));
        assert!(said.contains("sign-in-code"), "{said}");
        let said = wrong(format!(
            "{BASE}[notify]\napi_key_env = \"K\"\n[notify.templates]\nsign-in-code = \"welcome\"\n"
        ));
        assert!(said.contains("not a template id"), "{said}");
        let said = wrong(format!(
            "{BASE}[notify]\napi_key_env = \"K\"\n{templates}receipt = \"{TEMPLATE}\"\n"
        ));
        assert!(said.contains("receipt"), "{said}");
        let bad_key = |_: &str| Some("not-a-key".to_owned());
        let said = parse(
            &format!("{BASE}[notify]\napi_key_env = \"K\"\n{templates}"),
            Path::new("/etc/doorstep"),
            &bad_key,
        )
        .unwrap_err();
        assert!(
            said.contains("API key") && !said.contains("not-a-key"),
            "{said}"
        );
    }

    #[test]
    fn govuk_pay_takes_its_key_the_same_way_and_defaults_to_pays_address() {
        let env = |name: &str| (name == "PAY_KEY").then(|| "api_test_abc123\n".to_owned());
        let text = format!("{BASE}[govuk_pay]\napi_key_env = \"PAY_KEY\"\n");
        let pay = parse(&text, Path::new("/etc/doorstep"), &env)
            .unwrap()
            .govuk_pay
            .unwrap();
        assert_eq!(pay.url, govuk_pay::PAY_URL);
        assert_eq!(pay.api_key, "api_test_abc123");
        assert!(
            !format!("{pay:?}").contains("abc123"),
            "the key is never shown"
        );
        let said = refused(&format!("{BASE}[govuk_pay]\n"));
        assert!(
            said.contains("[govuk_pay]") && said.contains("exactly one"),
            "{said}"
        );
        let said = parse(
            &format!("{BASE}[govuk_pay]\napi_key_env = \"PAY_KEY\"\nurl = \"pay\"\n"),
            Path::new("/etc/doorstep"),
            &env,
        )
        .unwrap_err();
        assert!(said.contains("govuk_pay.url"), "{said}");
    }

    /// A P-256 key as Apple's `.p8` file holds one.
    fn p8() -> String {
        use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
        use base64::Engine as _;
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let text = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
        format!("-----BEGIN PRIVATE KEY-----\n{text}\n-----END PRIVATE KEY-----\n")
    }

    #[test]
    fn push_services_take_their_keys_the_same_way_and_say_what_is_wrong() {
        let apns = "[apns]\nkey_env = \"APNS_KEY\"\nkey_id = \"ABC123DEFG\"\nteam_id = \"DEF123GHIJ\"\ntopic = \"uk.doorstep.app\"\n";
        let key = p8();
        let env = |name: &str| (name == "APNS_KEY").then(|| key.clone());
        let config = parse(&format!("{BASE}{apns}"), Path::new("/etc/doorstep"), &env).unwrap();
        let settings = config.push.apns.expect("apns");
        assert_eq!(settings.url, push::APNS_URL);
        assert!(config.push.fcm.is_none());
        assert!(
            !format!("{settings:?}").contains(&key[30..60]),
            "the key is never shown"
        );

        let wrong = |text: String| parse(&text, Path::new("/etc/doorstep"), &env).unwrap_err();
        let said = wrong(format!("{BASE}{}", apns.replace("ABC123DEFG", "ABC")));
        assert!(said.contains("apns.key_id"), "{said}");
        let said = wrong(format!("{BASE}{}", apns.replace("uk.doorstep.app", "")));
        assert!(said.contains("apns.topic"), "{said}");
        let said = wrong(format!(
            "{BASE}{}",
            apns.replace("key_env = \"APNS_KEY\"\n", "")
        ));
        assert!(
            said.contains("[apns] takes its key from a file (key_file"),
            "{said}"
        );
        let garbage = |_: &str| {
            Some("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----".to_owned())
        };
        let said = parse(
            &format!("{BASE}{apns}"),
            Path::new("/etc/doorstep"),
            &garbage,
        )
        .unwrap_err();
        assert!(said.contains("apns:") && said.contains("P-256"), "{said}");

        let fcm = "[fcm]\nservice_account_env = \"FCM_ACCOUNT\"\n";
        let not_json = |_: &str| Some("{not json".to_owned());
        let said = parse(
            &format!("{BASE}{fcm}"),
            Path::new("/etc/doorstep"),
            &not_json,
        )
        .unwrap_err();
        assert!(
            said.contains("fcm:") && said.contains("Service accounts"),
            "{said}"
        );
        let said = refused(&format!("{BASE}[fcm]\n"));
        assert!(
            said.contains("[fcm] takes its service account from a file (service_account_file"),
            "{said}"
        );
    }
}
