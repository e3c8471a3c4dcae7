//! A server for one test, and a resident's device to talk to it with.

use std::path::PathBuf;

use doorstep_server::{Config, Limits, RunningServer, sql::Sql};
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{Value, json};

pub fn council_dir() -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../assets/councils/durham")
}

/// A folder removed when the test ends, pass or fail.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let path =
            std::env::temp_dir().join(format!("doorstep-server-test-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct TestServer {
    pub server: RunningServer,
    pub url: String,
    pub http: Client,
    _dir: TempDir,
    /// The store's location: a file in `dir`, or a PostgreSQL database of its own.
    store: PathBuf,
}

/// Set (by `with-postgres`) to a PostgreSQL server's URL, the suite runs on PostgreSQL: each
/// test's server on a database of its own there.
const ON_POSTGRES: &str = "DOORSTEP_TEST_POSTGRES";

/// Run blocking store work from a test, which runs on an async worker.
fn off_async<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| scope.spawn(work).join().expect("store work"))
}

/// Where a new test's store goes.
fn new_store(dir: &TempDir) -> PathBuf {
    let Ok(server) = std::env::var(ON_POSTGRES) else {
        return dir.0.join("council.sqlite3");
    };
    let name = format!("test_{}", uuid::Uuid::now_v7().simple());
    off_async(|| {
        let mut client = postgres::Client::connect(&server, postgres::NoTls)
            .expect("the PostgreSQL server named by DOORSTEP_TEST_POSTGRES");
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("a database for the test");
    });
    let (base, _) = server
        .rsplit_once('/')
        .expect("DOORSTEP_TEST_POSTGRES is a URL with a database");
    PathBuf::from(format!("{base}/{name}"))
}

/// A connection of its own to the store at `location`, writable.
fn store_connection(location: &str) -> Box<dyn Sql> {
    #[cfg(feature = "postgres")]
    if on_postgres() {
        return Box::new(doorstep_server::pg::connect(location).unwrap());
    }
    Box::new(rusqlite::Connection::open(location).unwrap())
}

/// Is the suite running on PostgreSQL?
#[cfg(feature = "postgres")]
fn on_postgres() -> bool {
    std::env::var_os(ON_POSTGRES).is_some()
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(Limits {
            registrations_per_hour: 10_000,
            codes_per_hour: 50,
            payments_per_minute: 1_000,
            bookings_per_hour: 1_000,
            ..Limits::default()
        })
        .await
    }

    pub async fn start_with(limits: Limits) -> Self {
        Self::start_configured(|config| Config { limits, ..config }).await
    }

    /// A server whose configuration `change` makes from the tests' defaults.
    pub async fn start_configured(change: impl FnOnce(Config) -> Config) -> Self {
        // The server's own log, shown with a failing test's output.
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter("warn")
            .try_init();
        let dir = TempDir::new();
        let store = new_store(&dir);
        let config = change(Config::new(
            store.clone(),
            "127.0.0.1:0".parse().unwrap(),
            council_dir(),
        ));
        let server = doorstep_server::start(config).await.expect("server starts");
        let url = server.url.clone();
        TestServer {
            server,
            url,
            http: Client::new(),
            _dir: dir,
            store,
        }
    }

    pub fn stats(&self) -> doorstep_server::stats::Stats {
        off_async(|| doorstep_server::stats::read(&self.store).unwrap())
    }

    /// Do `work` on the store from outside the server, on a connection of its own (outside
    /// any transaction), as an operator or a fault would.
    pub fn in_store<T: Send>(&self, work: impl FnOnce(&dyn Sql) -> T + Send) -> T {
        off_async(|| {
            let location = self.store.to_str().unwrap();
            let conn = store_connection(location);
            work(&*conn)
        })
    }

    /// Register a new device.
    pub async fn device(&self) -> Device {
        Device::register(&self.url).await
    }

    /// A token for council staff.
    pub fn staff(&self) -> Device {
        let token = off_async(|| doorstep_server::db::Db::issue_staff_token(&self.store).unwrap());
        Device {
            url: self.url.clone(),
            http: self.http.clone(),
            token,
        }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        answer(
            self.http
                .get(format!("{}{path}", self.url))
                .send()
                .await
                .unwrap(),
        )
        .await
    }
}

/// A caller with a token: a resident's device, or staff.
#[derive(Clone)]
pub struct Device {
    pub url: String,
    pub http: Client,
    pub token: String,
}

impl Device {
    /// Register a new device with the council at `url`.
    pub async fn register(url: &str) -> Device {
        let http = Client::new();
        let response = http
            .post(format!("{url}/v1/devices"))
            .header("Idempotency-Key", key())
            .json(&json!({"platform": "cli", "name": "test", "device_secret": secret()}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        Device {
            url: url.to_owned(),
            http,
            token: body["token"].as_str().unwrap().to_owned(),
        }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        answer(
            self.http
                .get(format!("{}{path}", self.url))
                .bearer_auth(&self.token)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// POST with a new key.
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.post_keyed(path, &key(), body).await
    }

    pub async fn post_keyed(&self, path: &str, key: &str, body: Value) -> (StatusCode, Value) {
        answer(self.send(Method::POST, path, key, body).await).await
    }

    pub async fn send(&self, method: Method, path: &str, key: &str, body: Value) -> Response {
        self.http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

pub async fn answer(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// A fresh device secret.
pub fn secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::now_v7().simple(),
        uuid::Uuid::now_v7().simple()
    )
}

pub fn key() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A pothole report in Durham city centre.
pub fn pothole() -> Value {
    json!({
        "service_code": "pothole",
        "description": "Deep pothole by the bus stop",
        "location": {"lat": 54.7761, "lon": -1.5733},
        "answers": pothole_answers(),
    })
}

/// Answers to every required question of the pothole service, from the profile itself.
pub fn pothole_answers() -> Value {
    required_answers("pothole")
}

/// A valid answer for each required question of a service in the Durham profile.
pub fn required_answers(code: &str) -> Value {
    let profile = doorstep_server::profile::Profile::load(&council_dir()).unwrap();
    let service = profile
        .service(code)
        .unwrap_or_else(|| panic!("no service {code}"));
    let mut answers = serde_json::Map::new();
    for q in service.questions.iter().filter(|q| q.required) {
        use doorstep_protocol::Datatype::*;
        let value = match q.datatype {
            String | Text => json!("Near number 12"),
            Number => json!(2),
            Datetime => json!("2026-11-20T22:30"),
            Singlevaluelist => json!(q.values[0].key),
            Multivaluelist => json!([q.values[0].key]),
        };
        answers.insert(q.code.clone(), value);
    }
    Value::Object(answers)
}
