//! Email through GOV.UK Notify: the `notifications` table is the outbox every email is written
//! to in the same transaction as what it tells of (a sign-in code), and a sender task posts
//! what waits there to Notify's `POST /v2/notifications/email`, signed with a JWT (HS256, the
//! service id as `iss`, `iat` now) made from the council's API key.
//!
//! Invariant: no request waits on Notify; an email Notify could not take for now (429, 5xx, no
//! answer) is tried again with a growing wait, one it refused for good (400, 403) is marked so
//! and never sent twice, and one taken is marked with Notify's id. The code or the address in
//! an email is never logged: only its row and Notify's answer.

use std::{collections::BTreeMap, time::Duration};

use crate::sql::{Dialect, Sql, params};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::task::JoinHandle;

use crate::{Clock, db::Db, error::ApiResult, lease};

/// Notify's own address.
pub const NOTIFY_URL: &str = "https://api.notifications.service.gov.uk";

/// How often the sender looks for email waiting to go.
const EVERY: Duration = Duration::from_secs(1);

/// Emails sent in one look; the rest wait for the next.
const AT_ONCE: u32 = 50;

/// The longest wait before another try.
const LONGEST_WAIT_SECONDS: i64 = 600;

/// Tries before an email is given up on (over about an hour of waits).
const MOST_TRIES: i64 = 12;

/// A council's Notify API key, as Notify issues it: `{key name}-{service id}-{secret}`, the
/// last two being UUIDs.
#[derive(Clone)]
pub struct ApiKey {
    service_id: String,
    secret: String,
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ApiKey {{ service_id: {}, secret: *** }}",
            self.service_id
        )
    }
}

impl ApiKey {
    /// Read a key; what is wrong with one, without repeating it.
    pub fn parse(key: &str) -> Result<ApiKey, String> {
        let key = key.trim();
        let hyphen_at = |i: usize| key.as_bytes().get(i) == Some(&b'-');
        let uuid = |part: &str| {
            part.len() == 36
                && part.char_indices().all(|(i, c)| match i {
                    8 | 13 | 18 | 23 => c == '-',
                    _ => c.is_ascii_hexdigit(),
                })
        };
        let well_formed = key.is_ascii()
            && key.len() > 74
            && hyphen_at(key.len() - 74)
            && hyphen_at(key.len() - 37);
        let (service_id, secret) = if well_formed {
            (&key[key.len() - 73..key.len() - 37], &key[key.len() - 36..])
        } else {
            ("", "")
        };
        if !well_formed || !uuid(service_id) || !uuid(secret) {
            return Err(
                "the GOV.UK Notify API key is not one Notify issues: it is the key's name, the \
                 service id and the secret, joined by hyphens, as Notify's API integration page \
                 shows it"
                    .to_owned(),
            );
        }
        Ok(ApiKey {
            service_id: service_id.to_owned(),
            secret: secret.to_owned(),
        })
    }

    /// The bearer token for a request made at `now`.
    pub fn token(&self, now: DateTime<Utc>) -> String {
        let part = |value: &Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
        };
        let signed = format!(
            "{}.{}",
            part(&json!({"typ": "JWT", "alg": "HS256"})),
            part(&json!({"iss": self.service_id, "iat": now.timestamp()}))
        );
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.secret.as_bytes()).expect("HMAC takes any key");
        mac.update(signed.as_bytes());
        let signature =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signed}.{signature}")
    }
}

/// How a council sends email through Notify.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Notify's address (`NOTIFY_URL`; a stand-in's in tests).
    pub url: String,
    pub key: ApiKey,
    /// Notify's template id for each of Doorstep's emails (`sign-in-code`).
    pub templates: BTreeMap<String, String>,
}

/// The emails Doorstep writes, each of which a council's Notify service must have a template
/// for: a sign-in code (`code`, `minutes`), and a report's new status to the address the
/// resident gave with it (`reference`, `service`, `status`, `note`).
pub const TEMPLATES: [&str; 2] = ["sign-in-code", "status-changed"];

/// Put an email in the outbox, inside the caller's transaction; its reference.
pub fn queue(
    conn: &dyn Sql,
    template: &str,
    email_address: &str,
    personalisation: &Value,
    now: DateTime<Utc>,
) -> crate::sql::Result<String> {
    let reference = uuid::Uuid::now_v7().to_string();
    conn.execute(
        "INSERT INTO notifications (template_id, email_address, personalisation, reference, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![template, email_address, personalisation.to_string(), reference, now.to_rfc3339()],
    )?;
    Ok(reference)
}

/// What became of one try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tried {
    /// Notify took it, under this id.
    Taken(String),
    /// Not now: try again later.
    Later(String),
    /// Refused for good (a template or key that is wrong): never again.
    Refused(String),
}

/// What Notify's answer means for the email.
pub fn judge(status: u16, body: &Value) -> Tried {
    let said = body["errors"][0]["error"].as_str().map_or_else(
        || format!("HTTP {status}"),
        |error| format!("HTTP {status} {error}"),
    );
    match status {
        200..=299 => match body["id"].as_str() {
            Some(id) => Tried::Taken(id.to_owned()),
            None => Tried::Later(format!("HTTP {status} without an id")),
        },
        429 | 500..=599 => Tried::Later(said),
        _ => Tried::Refused(said),
    }
}

/// The wait after `tries` failed tries: 2, 4, 8 … seconds, at most ten minutes.
pub fn wait_after(tries: i64) -> i64 {
    2_i64
        .saturating_pow(u32::try_from(tries.clamp(1, 20)).unwrap_or(20))
        .min(LONGEST_WAIT_SECONDS)
}

/// One email waiting in the outbox.
struct Waiting {
    id: i64,
    template: String,
    email_address: String,
    personalisation: Value,
    reference: String,
    tries: i64,
}

/// The sender, ready to start: its settings and its HTTPS client.
pub struct Sender {
    settings: Settings,
    http: reqwest::Client,
}

impl Sender {
    /// A sender for `settings`; fails (and the server with it) when no HTTPS client can be made.
    pub fn new(settings: Settings) -> anyhow::Result<Sender> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| anyhow::anyhow!("cannot make the HTTPS client for GOV.UK Notify: {e}"))?;
        Ok(Sender { settings, http })
    }

    /// Start sending, while `holder` holds the email lease; it runs until the handle is aborted.
    pub fn start(self, db: Db, clock: Clock, holder: String) -> JoinHandle<()> {
        tokio::spawn(async move {
            let mut every = tokio::time::interval(EVERY);
            loop {
                every.tick().await;
                if let Err(error) =
                    send_waiting(&db, &clock, &self.settings, &self.http, &holder).await
                {
                    tracing::warn!(error = %error.body.error.message, "could not read the email outbox; the next look tries again");
                }
            }
        })
    }
}

/// Send what is due, one email after another, each just after renewing the lease: another
/// server on the same store sends nothing meanwhile.
async fn send_waiting(
    db: &Db,
    clock: &Clock,
    settings: &Settings,
    http: &reqwest::Client,
    holder: &str,
) -> ApiResult<()> {
    let now = clock.now();
    let due = db.read(move |conn| due(conn, now)).await?;
    for email in due {
        if !lease::hold(db, "email", holder, clock.now(), lease::SENDER_SECONDS).await {
            return Ok(());
        }
        let tried = match settings.templates.get(&email.template) {
            None => Tried::Refused(format!("no Notify template for {}", email.template)),
            Some(template) => send(http, settings, template, &email, clock.now()).await,
        };
        let (id, tries, at) = (email.id, email.tries + 1, clock.now());
        match &tried {
            Tried::Taken(_) => tracing::info!(row = id, "email taken by GOV.UK Notify"),
            Tried::Later(why) => {
                tracing::warn!(row = id, tries, %why, "GOV.UK Notify did not take an email; it is tried again")
            }
            Tried::Refused(why) => {
                tracing::error!(row = id, %why, "GOV.UK Notify refused an email for good")
            }
        }
        db.write(move |tx| record(tx, id, tries, &tried, at))
            .await?;
    }
    Ok(())
}

/// A sign-in email's code, read from its personalisation (NULL once taken out).
pub fn code_of(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "json_extract(personalisation, '$.code')",
        Dialect::Postgres => "(personalisation::jsonb ->> 'code')",
    }
}

/// The emails due now, oldest first; a sign-in email whose code was taken out (used, replaced
/// or expired) is not worth sending.
fn due(conn: &dyn Sql, now: DateTime<Utc>) -> ApiResult<Vec<Waiting>> {
    let sql = format!(
        "SELECT id, template_id, email_address, personalisation, reference, tries FROM notifications
         WHERE sent_at IS NULL AND given_up IS NULL AND next_try_at <= ?1
           AND (template_id <> 'sign-in-code' OR {code} IS NOT NULL)
         ORDER BY id LIMIT ?2",
        code = code_of(conn.dialect())
    );
    let rows = conn.query_map(&sql, params![now.timestamp(), AT_ONCE], |r| {
        Ok(Waiting {
            id: r.get(0)?,
            template: r.get(1)?,
            email_address: r.get(2)?,
            personalisation: serde_json::from_str(&r.get::<String>(3)?).unwrap_or(Value::Null),
            reference: r.get(4)?,
            tries: r.get(5)?,
        })
    })?;
    Ok(rows)
}

/// Post one email to Notify.
async fn send(
    http: &reqwest::Client,
    settings: &Settings,
    template: &str,
    email: &Waiting,
    now: DateTime<Utc>,
) -> Tried {
    let answer = http
        .post(format!(
            "{}/v2/notifications/email",
            settings.url.trim_end_matches('/')
        ))
        .bearer_auth(settings.key.token(now))
        .json(&json!({
            "email_address": email.email_address,
            "template_id": template,
            "personalisation": email.personalisation,
            "reference": email.reference,
        }))
        .send()
        .await;
    match answer {
        Err(error) => Tried::Later(format!("no answer: {}", without_url(&error))),
        Ok(answer) => {
            let status = answer.status().as_u16();
            let body = answer.json::<Value>().await.unwrap_or(Value::Null);
            judge(status, &body)
        }
    }
}

/// A transport error in words, without the address (Notify's holds nothing personal, but an
/// APNs address holds the phone's token).
pub(crate) fn without_url(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else {
        "the request failed".to_owned()
    }
}

/// Write down what became of a try.
fn record(tx: &dyn Sql, id: i64, tries: i64, tried: &Tried, at: DateTime<Utc>) -> ApiResult<()> {
    match tried {
        Tried::Taken(notify_id) => tx.execute(
            "UPDATE notifications SET sent_at = ?2, notify_id = ?3, tries = ?4 WHERE id = ?1",
            params![id, at.to_rfc3339(), notify_id, tries],
        )?,
        Tried::Later(why) if tries < MOST_TRIES => tx.execute(
            "UPDATE notifications SET tries = ?2, next_try_at = ?3, last_error = ?4 WHERE id = ?1",
            params![id, tries, at.timestamp() + wait_after(tries), why],
        )?,
        Tried::Later(why) | Tried::Refused(why) => tx.execute(
            "UPDATE notifications SET tries = ?2, given_up = ?3, last_error = ?4 WHERE id = ?1",
            params![id, tries, at.to_rfc3339(), why],
        )?,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "doorstep_live-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0";

    #[test]
    fn a_key_is_read_as_notify_issues_it_and_never_shown() {
        let key = ApiKey::parse(KEY).unwrap();
        assert_eq!(key.service_id, "26785a09-ab16-4eb0-8407-a37497a57506");
        assert_eq!(key.secret, "3d844edf-8d35-48ac-975b-e847b4f122b0");
        assert!(!format!("{key:?}").contains("3d844edf"));
        for wrong in [
            "",
            "not a key",
            &KEY[..KEY.len() - 1],
            &KEY.replace('-', "_"),
        ] {
            let said = ApiKey::parse(wrong).unwrap_err();
            assert!(
                !said.contains("3d844edf") && said.contains("Notify"),
                "{said}"
            );
        }
    }

    #[test]
    fn the_token_is_a_jwt_notify_can_check() {
        let key = ApiKey::parse(KEY).unwrap();
        let at = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        let token = key.token(at);
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let decode = |part: &str| -> Value {
            serde_json::from_slice(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(part)
                    .unwrap(),
            )
            .unwrap()
        };
        assert_eq!(decode(parts[0])["alg"], "HS256");
        assert_eq!(
            decode(parts[1]),
            json!({"iss": "26785a09-ab16-4eb0-8407-a37497a57506", "iat": 1_790_000_000})
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(key.secret.as_bytes()).unwrap();
        mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
        let expected =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        assert_eq!(parts[2], expected, "signed with the secret");
    }

    #[test]
    fn notifys_answers_decide_between_taken_later_and_never() {
        assert_eq!(judge(201, &json!({"id": "n1"})), Tried::Taken("n1".into()));
        let busy = json!({"errors": [{"error": "RateLimitError", "message": "Exceeded"}]});
        assert_eq!(
            judge(429, &busy),
            Tried::Later("HTTP 429 RateLimitError".into())
        );
        assert!(matches!(judge(503, &Value::Null), Tried::Later(_)));
        let wrong =
            json!({"errors": [{"error": "BadRequestError", "message": "Template not found"}]});
        assert_eq!(
            judge(400, &wrong),
            Tried::Refused("HTTP 400 BadRequestError".into())
        );
        assert!(matches!(judge(403, &Value::Null), Tried::Refused(_)));
    }

    fn outbox() -> rusqlite::Connection {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        crate::db::migrate(&mut conn).unwrap();
        for (email, personalisation) in [
            ("a@example.org", r#"{"code":"123456","minutes":15}"#),
            ("b@example.org", r#"{"minutes":15}"#),
        ] {
            conn.execute(
                "INSERT INTO notifications (template_id, email_address, personalisation, reference, created_at)
                 VALUES ('sign-in-code', ?1, ?2, 'ref', '2026-12-01T09:00:00Z')",
                rusqlite::params![email, personalisation],
            )
            .unwrap();
        }
        conn
    }

    #[test]
    fn only_emails_still_worth_sending_are_due() {
        let conn = outbox();
        let now = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        let due: Vec<String> = due(&conn, now)
            .unwrap()
            .into_iter()
            .map(|w| w.email_address)
            .collect();
        assert_eq!(
            due,
            ["a@example.org"],
            "a code already used or expired is not sent"
        );
    }

    #[test]
    fn a_try_is_written_down_and_decides_when_the_next_is() {
        let conn = outbox();
        let now = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        record(&conn, 1, 1, &Tried::Later("HTTP 429".into()), now).unwrap();
        assert!(due(&conn, now).unwrap().is_empty(), "not again at once");
        let later = now + chrono::Duration::seconds(wait_after(1));
        assert_eq!(due(&conn, later).unwrap().len(), 1, "again after its wait");

        record(
            &conn,
            1,
            MOST_TRIES,
            &Tried::Later("HTTP 503".into()),
            later,
        )
        .unwrap();
        assert!(
            due(&conn, later + chrono::Duration::days(1))
                .unwrap()
                .is_empty(),
            "given up after its tries"
        );
        let (given_up, error): (Option<String>, String) = conn
            .query_row(
                "SELECT given_up, last_error FROM notifications WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert!(given_up.is_some());
        assert_eq!(error, "HTTP 503");
    }

    #[test]
    fn waits_grow_and_stop_growing() {
        assert_eq!(wait_after(1), 2);
        assert_eq!(wait_after(3), 8);
        assert_eq!(wait_after(10), LONGEST_WAIT_SECONDS);
        assert_eq!(wait_after(1000), LONGEST_WAIT_SECONDS);
    }
}
