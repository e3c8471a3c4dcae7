//! Push: waking a resident's phone when the council changes one of their things, through
//! Firebase Cloud Messaging's HTTP v1 API (Android) and the Apple Push Notification service
//! with token-based authentication (iOS). The phone then pulls its change feed, as it would on
//! its own.
//!
//! Invariant: a push says only "something changed" — no reference, status or name — so a push
//! service learns nothing of the resident. Every change to a resident's thing made by the
//! council is queued in the same transaction as the change, one waiting push per device
//! however many changes stand behind it; a change made while its device's push is on its way
//! is pushed again. No request waits on a push service: a push it could not take for now (429,
//! 5xx, no answer) is tried again with a growing wait, and a token it says is no longer any
//! phone's is forgotten. A token is never logged.

use std::{sync::Arc, time::Duration};

use crate::sql::{Sql, ToValue, params};
use aws_lc_rs::{
    rand::SystemRandom,
    signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, RSA_PKCS1_SHA256, RsaKeyPair},
};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use doorstep_protocol::PushService;
use serde_json::{Value, json};
use tokio::{sync::Mutex, task::JoinHandle};

use crate::{
    Clock,
    db::Db,
    error::ApiResult,
    lease,
    notify::{wait_after, without_url},
};

/// Firebase Cloud Messaging's own address.
pub const FCM_URL: &str = "https://fcm.googleapis.com";

/// APNs's address for apps from the App Store and TestFlight (development builds use
/// `https://api.sandbox.push.apple.com`).
pub const APNS_URL: &str = "https://api.push.apple.com";

/// What an FCM access token is asked for.
const FCM_SCOPE: &str = "https://www.googleapis.com/auth/firebase.messaging";

/// What a push carries, on both services: that something changed, and nothing else.
const SOMETHING_CHANGED: &str = "changed";

/// How often the sender looks for pushes waiting to go.
const EVERY: Duration = Duration::from_secs(1);

/// Pushes sent in one look; the rest wait for the next.
const AT_ONCE: u32 = 100;

/// Tries before a push is given up on: the phone still catches up on its next pull.
const MOST_TRIES: i64 = 10;

/// How long an APNs provider token is used before another is made: APNs refuses one older
/// than an hour, and one made more often than every twenty minutes.
const APNS_TOKEN_MINUTES: i64 = 40;

/// A Google service account, from the JSON key file Firebase's console gives.
#[derive(Clone)]
pub struct ServiceAccount {
    pub project_id: String,
    client_email: String,
    private_key_id: String,
    /// Where an access token is asked for (`token_uri`; a stand-in's in tests).
    token_uri: String,
    key: Arc<RsaKeyPair>,
}

impl std::fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ServiceAccount {{ project_id: {}, client_email: {}, key: *** }}",
            self.project_id, self.client_email
        )
    }
}

impl ServiceAccount {
    /// Read a service account's key file; what is wrong with one, without repeating its key.
    pub fn parse(text: &str) -> Result<ServiceAccount, String> {
        let file: Value = serde_json::from_str(text).map_err(|_| {
            "the service account file is not JSON: give the key file Firebase's console makes \
             (Project settings, Service accounts, Generate new private key)"
                .to_owned()
        })?;
        let field = |name: &str| {
            file[name]
                .as_str()
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| format!("the service account file has no {name:?}"))
        };
        if file["type"] != "service_account" {
            return Err(
                "the file is not a service account's key: its \"type\" must be \
                        \"service_account\""
                    .to_owned(),
            );
        }
        let key = RsaKeyPair::from_pkcs8(&pkcs8_from_pem(&field("private_key")?)?)
            .map_err(|_| "the service account's private_key is not an RSA key".to_owned())?;
        let key = Arc::new(key);
        Ok(ServiceAccount {
            project_id: field("project_id")?,
            client_email: field("client_email")?,
            private_key_id: field("private_key_id")?,
            token_uri: field("token_uri")?,
            key,
        })
    }

    /// The signed assertion exchanged for an access token, made at `now` (RS256, an hour).
    fn assertion(&self, now: DateTime<Utc>) -> String {
        let claims = json!({
            "iss": self.client_email,
            "scope": FCM_SCOPE,
            "aud": self.token_uri,
            "iat": now.timestamp(),
            "exp": now.timestamp() + 3600,
        });
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": self.private_key_id});
        jwt(&header, &claims, |message| {
            let mut signature = vec![0; self.key.public_modulus_len()];
            self.key
                .sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    message,
                    &mut signature,
                )
                .map(|()| signature)
                .map_err(|_| "the service account's key cannot sign".to_owned())
        })
    }
}

/// How a council pushes to Android phones.
#[derive(Debug, Clone)]
pub struct FcmSettings {
    /// FCM's address (`FCM_URL`; a stand-in's in tests).
    pub url: String,
    pub account: ServiceAccount,
}

/// How a council pushes to iPhones: its APNs signing key (a `.p8` file), that key's id, the
/// Apple developer team's id, and the app's bundle id as the topic.
#[derive(Clone)]
pub struct ApnsSettings {
    /// APNs's address (`APNS_URL`; a stand-in's in tests).
    pub url: String,
    pub key_id: String,
    pub team_id: String,
    pub topic: String,
    key: Arc<EcdsaKeyPair>,
}

impl std::fmt::Debug for ApnsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ApnsSettings {{ url: {}, key_id: {}, team_id: {}, topic: {}, key: *** }}",
            self.url, self.key_id, self.team_id, self.topic
        )
    }
}

impl ApnsSettings {
    /// Settings with the signing key read from the `.p8` file's text.
    pub fn new(
        url: String,
        key_id: String,
        team_id: String,
        topic: String,
        p8: &str,
    ) -> Result<ApnsSettings, String> {
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &pkcs8_from_pem(p8)?)
            .map_err(|_| {
                "the APNs key is not the P-256 key Apple issues (a .p8 file)".to_owned()
            })?;
        Ok(ApnsSettings {
            url,
            key_id,
            team_id,
            topic,
            key: Arc::new(key),
        })
    }

    /// The provider token for requests made from `now` (ES256).
    fn token(&self, now: DateTime<Utc>) -> String {
        let header = json!({"alg": "ES256", "kid": self.key_id});
        let claims = json!({"iss": self.team_id, "iat": now.timestamp()});
        jwt(&header, &claims, |message| {
            self.key
                .sign(&SystemRandom::new(), message)
                .map(|signature| signature.as_ref().to_vec())
                .map_err(|_| "the APNs key cannot sign".to_owned())
        })
    }
}

/// Where a council sends pushes: either service, or both.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub fcm: Option<FcmSettings>,
    pub apns: Option<ApnsSettings>,
}

impl Settings {
    /// Does the council push through any service?
    pub fn any(&self) -> bool {
        self.fcm.is_some() || self.apns.is_some()
    }
}

/// A signed JWT: its header and claims, and the signature `sign` makes of them. A key that
/// cannot sign makes a token no service takes, which its answer then says.
fn jwt(
    header: &Value,
    claims: &Value,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, String>,
) -> String {
    let part = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let signed = format!(
        "{}.{}",
        part(header.to_string().as_bytes()),
        part(claims.to_string().as_bytes())
    );
    match sign(signed.as_bytes()) {
        Ok(signature) => format!("{signed}.{}", part(&signature)),
        Err(why) => {
            tracing::error!(%why, "a push service's token could not be signed");
            signed
        }
    }
}

/// The DER of a PEM-armoured PKCS #8 private key (`-----BEGIN PRIVATE KEY-----`).
pub fn pkcs8_from_pem(pem: &str) -> Result<Vec<u8>, String> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .skip_while(|line| *line != "-----BEGIN PRIVATE KEY-----")
        .skip(1)
        .take_while(|line| *line != "-----END PRIVATE KEY-----")
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .ok()
        .filter(|der| !der.is_empty())
        .ok_or_else(|| {
            "the key is not a PEM private key: it begins \"-----BEGIN PRIVATE KEY-----\"".to_owned()
        })
}

/// Queue a push to every phone that sees a thing owned by `device_id` and `account_id`: the
/// device itself when the thing belongs to no account, else every device signed in to the
/// account. Runs in the caller's transaction; a device without a push token is left out.
pub fn something_changed(
    conn: &dyn Sql,
    device_id: &str,
    account_id: Option<&str>,
    now: DateTime<Utc>,
) -> crate::sql::Result<usize> {
    conn.execute(
        "INSERT INTO pushes (device_id, wanted, due_at)
         SELECT device_id, 1, ?3 FROM push_tokens
         WHERE device_id IN (
             SELECT CAST(?1 AS TEXT) WHERE CAST(?2 AS TEXT) IS NULL
             UNION SELECT device_id FROM tokens
                   WHERE kind = 'account' AND account_id = ?2 AND expires_at > ?3)
         ON CONFLICT (device_id) DO UPDATE SET wanted = pushes.wanted + 1",
        params![device_id, account_id, now.timestamp()],
    )
}

/// What became of one push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tried {
    /// The service took it, under this id.
    Taken(String),
    /// Not now: try again, no sooner than the seconds the service asked for.
    Later(String, Option<i64>),
    /// The token is no longer any phone's: forget it.
    Gone(String),
    /// Refused for good: this push is dropped, the token kept.
    Refused(String),
}

/// What an FCM HTTP v1 answer means for the push.
pub fn judge_fcm(status: u16, body: &Value, retry_after: Option<i64>) -> Tried {
    let error = &body["error"];
    let code = error["details"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|detail| detail["errorCode"].as_str())
        .or_else(|| error["status"].as_str());
    let said = code.map_or_else(
        || format!("HTTP {status}"),
        |code| format!("HTTP {status} {code}"),
    );
    match (status, code) {
        (200..=299, _) => match body["name"].as_str() {
            Some(name) => Tried::Taken(name.to_owned()),
            None => Tried::Later(format!("HTTP {status} without a name"), None),
        },
        (404, _) | (_, Some("UNREGISTERED" | "SENDER_ID_MISMATCH")) => Tried::Gone(said),
        (401 | 429 | 500..=599, _) => Tried::Later(said, retry_after),
        _ => Tried::Refused(said),
    }
}

/// What an APNs answer means for the push.
pub fn judge_apns(status: u16, body: &Value, apns_id: Option<&str>) -> Tried {
    let reason = body["reason"].as_str();
    let said = reason.map_or_else(
        || format!("HTTP {status}"),
        |reason| format!("HTTP {status} {reason}"),
    );
    match (status, reason) {
        (200, _) => Tried::Taken(apns_id.unwrap_or_default().to_owned()),
        (410, _) | (400, Some("BadDeviceToken" | "DeviceTokenNotForTopic")) => Tried::Gone(said),
        (403, Some("ExpiredProviderToken" | "InvalidProviderToken")) | (429 | 500..=599, _) => {
            Tried::Later(said, None)
        }
        _ => Tried::Refused(said),
    }
}

/// One push waiting to go.
#[derive(Clone)]
struct Waiting {
    device_id: String,
    service: PushService,
    token: String,
    wanted: i64,
    tries: i64,
}

/// The sender, ready to start: its settings, its HTTPS clients and the tokens it has.
pub struct Sender {
    settings: Settings,
    http: reqwest::Client,
    /// APNs speaks only HTTP/2.
    apns_http: reqwest::Client,
    fcm_access: Mutex<Option<(String, DateTime<Utc>)>>,
    apns_token: Mutex<Option<(String, DateTime<Utc>)>>,
}

impl Sender {
    /// A sender for `settings`; fails (and the server with it) when no HTTPS client can be made.
    pub fn new(settings: Settings) -> anyhow::Result<Sender> {
        let made = |builder: reqwest::ClientBuilder| {
            builder
                .timeout(Duration::from_secs(20))
                .build()
                .map_err(|e| anyhow::anyhow!("cannot make the HTTPS client for push: {e}"))
        };
        Ok(Sender {
            settings,
            http: made(reqwest::Client::builder())?,
            apns_http: made(reqwest::Client::builder().http2_prior_knowledge())?,
            fcm_access: Mutex::new(None),
            apns_token: Mutex::new(None),
        })
    }

    /// Start sending, while `holder` holds the push lease; it runs until the handle is aborted.
    pub fn start(self, db: Db, clock: Clock, holder: String) -> JoinHandle<()> {
        let sender = Arc::new(self);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(EVERY);
            loop {
                every.tick().await;
                if let Err(error) = sender.send_waiting(&db, &clock, &holder).await {
                    tracing::warn!(error = %error.body.error.message, "could not read the waiting pushes; the next look tries again");
                }
            }
        })
    }

    /// The services this council pushes through.
    fn services(&self) -> Vec<&'static str> {
        let mut services = Vec::new();
        if self.settings.fcm.is_some() {
            services.push(PushService::Fcm.name());
        }
        if self.settings.apns.is_some() {
            services.push(PushService::Apns.name());
        }
        services
    }

    /// Send what is due, one push after another, each just after renewing the lease: another
    /// server on the same store sends nothing meanwhile.
    async fn send_waiting(&self, db: &Db, clock: &Clock, holder: &str) -> ApiResult<()> {
        let now = clock.now();
        let services = self.services();
        let due = db.read(move |conn| due(conn, &services, now)).await?;
        for push in due {
            if !lease::hold(db, "push", holder, clock.now(), lease::SENDER_SECONDS).await {
                return Ok(());
            }
            let tried = match push.service {
                PushService::Fcm => self.send_fcm(&push.token, clock.now()).await,
                PushService::Apns => self.send_apns(&push.token, clock.now()).await,
            };
            let service = push.service.name();
            match &tried {
                Tried::Taken(_) => tracing::debug!(service, "push taken"),
                Tried::Later(why, _) => {
                    tracing::warn!(service, tries = push.tries + 1, %why, "a push service did not take a push; it is tried again")
                }
                Tried::Gone(why) => {
                    tracing::info!(service, %why, "a push token is no longer a phone's; forgotten")
                }
                Tried::Refused(why) => {
                    tracing::error!(service, %why, "a push service refused a push for good")
                }
            }
            let at = clock.now();
            db.write(move |tx| Ok(record(tx, &push, &tried, at)?))
                .await?;
        }
        Ok(())
    }

    /// An FCM access token, asked for again a minute before the last one runs out.
    async fn fcm_access(&self, fcm: &FcmSettings, now: DateTime<Utc>) -> Result<String, Tried> {
        let mut held = self.fcm_access.lock().await;
        if let Some((token, until)) = held.as_ref()
            && *until > now + chrono::Duration::minutes(1)
        {
            return Ok(token.clone());
        }
        let answer = self
            .http
            .post(&fcm.account.token_uri)
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", &fcm.account.assertion(now)),
            ])
            .send()
            .await
            .map_err(|error| {
                Tried::Later(format!("no access token: {}", without_url(&error)), None)
            })?;
        let status = answer.status().as_u16();
        let body = answer.json::<Value>().await.unwrap_or(Value::Null);
        match (status, body["access_token"].as_str()) {
            (200, Some(token)) => {
                let lasts = body["expires_in"].as_i64().unwrap_or(3600);
                *held = Some((token.to_owned(), now + chrono::Duration::seconds(lasts)));
                Ok(token.to_owned())
            }
            _ => Err(Tried::Later(
                format!(
                    "no access token: HTTP {status} {}",
                    body["error"].as_str().unwrap_or_default()
                )
                .trim_end()
                .to_owned(),
                None,
            )),
        }
    }

    /// Push to an Android phone.
    async fn send_fcm(&self, token: &str, now: DateTime<Utc>) -> Tried {
        let Some(fcm) = &self.settings.fcm else {
            return Tried::Refused("this council does not push through FCM".to_owned());
        };
        let access = match self.fcm_access(fcm, now).await {
            Ok(access) => access,
            Err(tried) => return tried,
        };
        let answer = self
            .http
            .post(format!(
                "{}/v1/projects/{}/messages:send",
                fcm.url.trim_end_matches('/'),
                fcm.account.project_id
            ))
            .bearer_auth(access)
            .json(&json!({"message": {
                "token": token,
                "data": {"doorstep": SOMETHING_CHANGED},
                "android": {"priority": "high", "collapse_key": "doorstep"},
            }}))
            .send()
            .await;
        match answer {
            Err(error) => Tried::Later(format!("no answer: {}", without_url(&error)), None),
            Ok(answer) => {
                let status = answer.status().as_u16();
                let retry_after = retry_after(&answer);
                let body = answer.json::<Value>().await.unwrap_or(Value::Null);
                let tried = judge_fcm(status, &body, retry_after);
                if status == 401 {
                    *self.fcm_access.lock().await = None;
                }
                tried
            }
        }
    }

    /// Push to an iPhone.
    async fn send_apns(&self, token: &str, now: DateTime<Utc>) -> Tried {
        let Some(apns) = &self.settings.apns else {
            return Tried::Refused("this council does not push through APNs".to_owned());
        };
        let bearer = {
            let mut held = self.apns_token.lock().await;
            match held.as_ref() {
                Some((bearer, made))
                    if now - *made < chrono::Duration::minutes(APNS_TOKEN_MINUTES) =>
                {
                    bearer.clone()
                }
                _ => {
                    let bearer = apns.token(now);
                    *held = Some((bearer.clone(), now));
                    bearer
                }
            }
        };
        let answer = self
            .apns_http
            .post(format!(
                "{}/3/device/{token}",
                apns.url.trim_end_matches('/')
            ))
            .bearer_auth(bearer)
            .header("apns-topic", &apns.topic)
            .header("apns-push-type", "background")
            .header("apns-priority", "5")
            .header("apns-collapse-id", "doorstep")
            .json(&json!({"aps": {"content-available": 1}, "doorstep": SOMETHING_CHANGED}))
            .send()
            .await;
        match answer {
            Err(error) => Tried::Later(format!("no answer: {}", without_url(&error)), None),
            Ok(answer) => {
                let status = answer.status().as_u16();
                let apns_id = answer
                    .headers()
                    .get("apns-id")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let body = answer.json::<Value>().await.unwrap_or(Value::Null);
                let tried = judge_apns(status, &body, apns_id.as_deref());
                if status == 403 {
                    *self.apns_token.lock().await = None;
                }
                tried
            }
        }
    }
}

/// The seconds a `Retry-After` header asks for.
fn retry_after(answer: &reqwest::Response) -> Option<i64> {
    answer
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// The pushes due now through `services`, oldest first.
fn due(conn: &dyn Sql, services: &[&str], now: DateTime<Utc>) -> ApiResult<Vec<Waiting>> {
    if services.is_empty() {
        return Ok(Vec::new());
    }
    // One parameter per service (there are two), after the time and the limit.
    let wanted = crate::sql::placeholders(3, services.len());
    let sql = format!(
        "SELECT p.device_id, t.service, t.token, p.wanted, p.tries
         FROM pushes p JOIN push_tokens t ON t.device_id = p.device_id
         WHERE p.due_at <= ?1 AND t.service IN ({wanted})
         ORDER BY p.due_at LIMIT ?2"
    );
    let at = now.timestamp();
    let mut bound: Vec<&dyn ToValue> = vec![&at, &AT_ONCE];
    bound.extend(services.iter().map(|s| s as &dyn ToValue));
    let rows = conn.query_map(&sql, &bound, |r| {
        Ok((
            r.get::<String>(0)?,
            r.get::<String>(1)?,
            r.get::<String>(2)?,
            r.get::<i64>(3)?,
            r.get::<i64>(4)?,
        ))
    })?;
    let mut due = Vec::new();
    for row in rows {
        let (device_id, service, token, wanted, tries) = row;
        if let Some(service) = PushService::named(&service) {
            due.push(Waiting {
                device_id,
                service,
                token,
                wanted,
                tries,
            });
        }
    }
    Ok(due)
}

/// Write down what became of a push. A push taken is done only for the changes it was sent
/// for: if more were queued meanwhile, it stays, due at once.
fn record(
    tx: &dyn Sql,
    push: &Waiting,
    tried: &Tried,
    at: DateTime<Utc>,
) -> crate::sql::Result<()> {
    let tries = push.tries + 1;
    match tried {
        Tried::Taken(_) => {
            tx.execute(
                "DELETE FROM pushes WHERE device_id = ?1 AND wanted = ?2",
                params![push.device_id, push.wanted],
            )?;
            tx.execute(
                "UPDATE pushes SET wanted = wanted - ?2, tries = 0, due_at = ?3, last_error = NULL
                 WHERE device_id = ?1",
                params![push.device_id, push.wanted, at.timestamp()],
            )?;
        }
        Tried::Later(why, asked) if tries < MOST_TRIES => {
            let wait = wait_after(tries).max(asked.unwrap_or(0));
            tx.execute(
                "UPDATE pushes SET tries = ?2, due_at = ?3, last_error = ?4 WHERE device_id = ?1",
                params![push.device_id, tries, at.timestamp() + wait, why],
            )?;
        }
        Tried::Gone(_) => {
            tx.execute(
                "DELETE FROM push_tokens WHERE device_id = ?1 AND token = ?2",
                params![push.device_id, push.token],
            )?;
        }
        Tried::Later(..) | Tried::Refused(_) => {
            tx.execute(
                "DELETE FROM pushes WHERE device_id = ?1",
                params![push.device_id],
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MADE: &str = "'2026-12-01T09:00:00Z'";

    fn store() -> rusqlite::Connection {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        crate::db::migrate(&mut conn).unwrap();
        conn.execute_batch(&format!(
            "INSERT INTO accounts (id, email, created_at) VALUES ('acc', 'a@example.org', {MADE});
             INSERT INTO devices (id, platform, name, created_at) VALUES
                 ('phone', 'android', 'p', {MADE}), ('ipad', 'ios', 'i', {MADE}),
                 ('old', 'ios', 'o', {MADE}), ('desk', 'linux', 'd', {MADE});
             INSERT INTO push_tokens (device_id, service, token, registered_at) VALUES
                 ('phone', 'fcm', 'f1', {MADE}), ('ipad', 'apns', 'a1', {MADE}),
                 ('old', 'apns', 'a2', {MADE});
             INSERT INTO tokens (hash, kind, device_id, account_id, created_at, expires_at) VALUES
                 ('h1', 'account', 'ipad', 'acc', {MADE}, 1900000000),
                 ('h2', 'account', 'old', 'acc', {MADE}, 1700000000),
                 ('h3', 'account', 'desk', 'acc', {MADE}, 1900000000);"
        ))
        .unwrap();
        conn
    }

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn waiting(conn: &dyn Sql) -> Vec<(String, i64)> {
        conn.query_map(
            "SELECT device_id, wanted FROM pushes ORDER BY device_id",
            params![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    }

    #[test]
    fn a_change_wakes_the_phones_that_see_it_and_no_others() {
        let conn = store();
        something_changed(&conn, "phone", None, at()).unwrap();
        assert_eq!(waiting(&conn), [("phone".to_owned(), 1)]);
        something_changed(&conn, "phone", Some("acc"), at()).unwrap();
        assert_eq!(
            waiting(&conn),
            [("ipad".to_owned(), 1), ("phone".to_owned(), 1)],
            "an account's thing wakes its signed-in phones; a signed-out token and a device \
             without push do not, nor the owning device once it is not signed in"
        );
        something_changed(&conn, "desk", None, at()).unwrap();
        something_changed(&conn, "phone", None, at()).unwrap();
        assert_eq!(
            waiting(&conn),
            [("ipad".to_owned(), 1), ("phone".to_owned(), 2)],
            "one push waits per phone, counting the changes behind it"
        );
    }

    fn push(conn: &dyn Sql, device: &str) -> Waiting {
        due(conn, &["fcm", "apns"], at())
            .unwrap()
            .into_iter()
            .find(|p| p.device_id == device)
            .unwrap()
    }

    #[test]
    fn a_change_made_while_its_push_was_on_its_way_is_pushed_again() {
        let conn = store();
        something_changed(&conn, "phone", None, at()).unwrap();
        let sent = push(&conn, "phone");
        something_changed(&conn, "phone", None, at()).unwrap();
        record(&conn, &sent, &Tried::Taken("m1".into()), at()).unwrap();
        assert_eq!(waiting(&conn), [("phone".to_owned(), 1)]);
        let again = push(&conn, "phone");
        record(&conn, &again, &Tried::Taken("m2".into()), at()).unwrap();
        assert!(waiting(&conn).is_empty());
    }

    #[test]
    fn a_push_not_taken_waits_longer_each_time_and_a_gone_token_is_forgotten() {
        let conn = store();
        something_changed(&conn, "phone", None, at()).unwrap();
        let first = push(&conn, "phone");
        record(
            &conn,
            &first,
            &Tried::Later("HTTP 503".into(), Some(30)),
            at(),
        )
        .unwrap();
        assert!(
            due(&conn, &["fcm"], at() + chrono::Duration::seconds(29))
                .unwrap()
                .is_empty(),
            "not before the wait the service asked for"
        );
        let second = due(&conn, &["fcm"], at() + chrono::Duration::seconds(30)).unwrap();
        assert_eq!(second[0].tries, 1);
        assert!(
            due(&conn, &["apns"], at() + chrono::Duration::days(1))
                .unwrap()
                .is_empty(),
            "only through the services the council has"
        );
        record(&conn, &second[0], &Tried::Gone("HTTP 404".into()), at()).unwrap();
        let tokens: i64 = conn
            .query_row(
                "SELECT count(*) FROM push_tokens WHERE device_id = 'phone'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tokens, 0);
        assert!(waiting(&conn).is_empty());
    }

    #[test]
    fn fcms_answers_decide_between_taken_later_gone_and_never() {
        let error = |status: u16, code: &str| {
            json!({"error": {"code": status, "status": "X",
                "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code}]}})
        };
        assert_eq!(
            judge_fcm(200, &json!({"name": "projects/p/messages/1"}), None),
            Tried::Taken("projects/p/messages/1".into())
        );
        assert_eq!(
            judge_fcm(404, &error(404, "UNREGISTERED"), None),
            Tried::Gone("HTTP 404 UNREGISTERED".into())
        );
        assert!(matches!(
            judge_fcm(403, &error(403, "SENDER_ID_MISMATCH"), None),
            Tried::Gone(_)
        ));
        assert_eq!(
            judge_fcm(429, &error(429, "QUOTA_EXCEEDED"), Some(60)),
            Tried::Later("HTTP 429 QUOTA_EXCEEDED".into(), Some(60))
        );
        assert!(matches!(
            judge_fcm(503, &Value::Null, None),
            Tried::Later(..)
        ));
        assert!(matches!(
            judge_fcm(400, &error(400, "INVALID_ARGUMENT"), None),
            Tried::Refused(_)
        ));
    }

    #[test]
    fn apnss_answers_decide_between_taken_later_gone_and_never() {
        assert_eq!(
            judge_apns(200, &Value::Null, Some("id-1")),
            Tried::Taken("id-1".into())
        );
        assert!(matches!(
            judge_apns(410, &json!({"reason": "Unregistered"}), None),
            Tried::Gone(_)
        ));
        assert!(matches!(
            judge_apns(400, &json!({"reason": "BadDeviceToken"}), None),
            Tried::Gone(_)
        ));
        assert!(matches!(
            judge_apns(403, &json!({"reason": "ExpiredProviderToken"}), None),
            Tried::Later(..)
        ));
        assert!(matches!(
            judge_apns(429, &json!({"reason": "TooManyRequests"}), None),
            Tried::Later(..)
        ));
        assert!(matches!(
            judge_apns(400, &json!({"reason": "PayloadEmpty"}), None),
            Tried::Refused(_)
        ));
    }

    #[test]
    fn a_key_that_is_not_pem_says_what_a_key_looks_like() {
        assert!(
            pkcs8_from_pem("not a key")
                .unwrap_err()
                .contains("BEGIN PRIVATE KEY")
        );
        assert!(
            ServiceAccount::parse("{}")
                .unwrap_err()
                .contains("service_account")
        );
        assert!(
            ApnsSettings::new(
                APNS_URL.into(),
                "K".into(),
                "T".into(),
                "uk.doorstep.app".into(),
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"
            )
            .unwrap_err()
            .contains("P-256")
        );
    }
}
