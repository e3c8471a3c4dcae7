//! The council server on PostgreSQL, several instances at once: the throwaway cluster the
//! tests run on (it starts as an ordinary user, answers on 127.0.0.1 only, takes the settings a
//! race test asks for, and is gone when its handle is dropped), then three servers on one
//! database behind a round-robin balancer, racing at each isolation level.

use doorstep_e2e::{
    council_dir,
    postgres::{ISOLATION_LEVELS, Postgres, Servers, running},
};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[test]
fn a_throwaway_cluster_answers_with_its_settings_and_stops_when_dropped() {
    let cluster = Postgres::start(&["default_transaction_isolation = 'serializable'"]);
    assert_eq!(cluster.sql("SELECT 1 + 1"), "2");
    assert_eq!(cluster.sql("SELECT current_user"), "doorstep");
    assert_eq!(
        cluster.sql("SHOW default_transaction_isolation"),
        "serializable",
        "the race tests' isolation is the cluster's"
    );
    assert_eq!(
        cluster.sql("SELECT setting FROM pg_settings WHERE name = 'listen_addresses'"),
        "127.0.0.1",
        "loopback only"
    );
    let pid = cluster.pid().expect("the cluster's process");
    assert!(running(pid));
    drop(cluster);
    assert!(!running(pid), "the cluster stops with its handle");
}

#[test]
fn two_clusters_run_side_by_side() {
    let one = Postgres::start(&[]);
    let two = Postgres::start(&["default_transaction_isolation = 'repeatable read'"]);
    assert_ne!(one.port(), two.port());
    one.sql("CREATE TABLE only_here (n integer)");
    assert_eq!(
        two.sql("SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'"),
        "0",
        "each test has a cluster of its own"
    );
    assert_eq!(
        two.sql("SHOW default_transaction_isolation"),
        "repeatable read"
    );
}

/// A client that opens a connection per request, so that the balancer spreads its requests
/// over the servers.
fn spread() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("a client")
}

/// A new device's token, registered through `url`.
async fn register(http: &reqwest::Client, url: &str) -> String {
    let secret = format!(
        "{}{}",
        uuid::Uuid::now_v7().simple(),
        uuid::Uuid::now_v7().simple()
    );
    let answer = http
        .post(format!("{url}/v1/devices"))
        .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
        .json(&json!({"platform": "cli", "name": "race", "device_secret": secret}))
        .send()
        .await
        .expect("registering");
    assert_eq!(answer.status(), StatusCode::CREATED);
    let body: Value = answer.json().await.expect("a device");
    body["token"].as_str().expect("a token").to_owned()
}

async fn send(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    key: &str,
    path: &str,
    body: &Value,
) -> (StatusCode, Value) {
    let answer = http
        .post(format!("{url}{path}"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .expect("an answer");
    let status = answer.status();
    (status, answer.json().await.unwrap_or(Value::Null))
}

async fn get(http: &reqwest::Client, url: &str, token: &str, path: &str) -> Value {
    let answer = http
        .get(format!("{url}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.status(), StatusCode::OK);
    answer.json().await.expect("JSON")
}

/// A valid answer to each required question of a Durham service.
fn required_answers(code: &str) -> Value {
    let profile = doorstep_server::profile::Profile::load(&council_dir()).expect("the profile");
    let service = profile.service(code).expect("the service");
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

/// The library computers: four places a slot, free, no address needed.
const FOUR_PLACES: &str = "library_computer";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_residents_racing_across_three_servers_for_four_places_get_exactly_four() {
    let cluster = Postgres::start(&["max_connections = 200"]);
    for (n, isolation) in ISOLATION_LEVELS.into_iter().enumerate() {
        let servers = Servers::start(3, &cluster.database(&format!("slots_{n}"), isolation));
        let (http, url) = (spread(), servers.balancer.url());
        let mut residents = Vec::new();
        for _ in 0..200 {
            residents.push(register(&http, &url).await);
        }
        let slots = get(
            &http,
            &url,
            &residents[0],
            &format!("/v1/services/{FOUR_PLACES}/slots"),
        )
        .await;
        let slot = slots["slots"][0].clone();
        assert_eq!(slot["remaining"], 4, "{slot}");
        let body = json!({"service_code": FOUR_PLACES, "slot_id": slot["id"], "answers": required_answers(FOUR_PLACES)});
        let racing: Vec<_> = residents
            .iter()
            .map(|token| {
                let (http, url, token, body) =
                    (http.clone(), url.clone(), token.clone(), body.clone());
                tokio::spawn(async move {
                    let key = uuid::Uuid::now_v7().to_string();
                    send(&http, &url, &token, &key, "/v1/bookings", &body).await
                })
            })
            .collect();
        let (mut booked, mut full) = (0, 0);
        for answer in racing {
            match answer.await.expect("a booking task") {
                (StatusCode::CREATED, _) => booked += 1,
                (StatusCode::CONFLICT, body) if body["error"]["code"] == "slot_unavailable" => {
                    full += 1
                }
                (status, body) => panic!("{isolation}: {status} {body}\n{}", servers.logs()),
            }
        }
        assert_eq!((booked, full), (4, 196), "{isolation}");
        let after = get(
            &http,
            &url,
            &residents[0],
            &format!("/v1/services/{FOUR_PLACES}/slots"),
        )
        .await;
        let listed = after["slots"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["id"] == slot["id"]))
            .cloned()
            .expect("the slot is still offered");
        assert_eq!(listed["remaining"], 0, "{isolation}: {listed}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_report_sent_twenty_times_at_once_across_three_servers_is_made_once() {
    let cluster = Postgres::start(&["max_connections = 200"]);
    for (n, isolation) in ISOLATION_LEVELS.into_iter().enumerate() {
        let name = format!("key_{n}");
        let servers = Servers::start(3, &cluster.database(&name, isolation));
        let (http, url) = (spread(), servers.balancer.url());
        let token = register(&http, &url).await;
        let key = uuid::Uuid::now_v7().to_string();
        let report = json!({
            "service_code": "pothole",
            "description": "Deep pothole by the bus stop",
            "location": {"lat": 54.7761, "lon": -1.5733},
            "answers": required_answers("pothole"),
        });
        let sent: Vec<_> = (0..20)
            .map(|_| {
                let (http, url, token, key, report) = (
                    http.clone(),
                    url.clone(),
                    token.clone(),
                    key.clone(),
                    report.clone(),
                );
                tokio::spawn(async move {
                    send(&http, &url, &token, &key, "/v1/reports", &report).await
                })
            })
            .collect();
        let mut ids = std::collections::BTreeSet::new();
        for answer in sent {
            let (status, body) = answer.await.expect("a report task");
            assert_eq!(
                status,
                StatusCode::CREATED,
                "{isolation}: {body}\n{}",
                servers.logs()
            );
            ids.insert(body["id"].as_str().expect("an id").to_owned());
        }
        assert_eq!(
            ids.len(),
            1,
            "{isolation}: every answer is the one report: {ids:?}"
        );
        let counts = cluster.sql_in(
            &name,
            "SELECT (SELECT count(*) FROM reports) || ' ' || (SELECT count(*) FROM changes)",
        );
        assert_eq!(
            counts, "1 1",
            "{isolation}: one report, one change in the feed"
        );
    }
}

/// The ids of what a write made: its own thing, or a batch's reports.
fn made_by(isolation: &str, (status, body): (StatusCode, Value)) -> Vec<String> {
    let id = |body: &Value| body["id"].as_str().expect("an id").to_owned();
    match status {
        StatusCode::CREATED => vec![id(&body)],
        StatusCode::OK => body["results"]
            .as_array()
            .expect("a batch's results")
            .iter()
            .map(|result| {
                assert_eq!(result["status"], 201, "{isolation}: {result}");
                id(&result["body"])
            })
            .collect(),
        _ => panic!("{isolation}: {status} {body}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reader_of_the_feed_sees_every_change_once_while_three_servers_commit_out_of_order() {
    // Batches of reports hold one transaction open over many changes, taking their first
    // number early; single bookings (each of its own slot, so nothing else holds them up)
    // commit through the other servers meanwhile. Numbered without the feed's lock, the
    // bookings' later numbers would commit first and the reader pass the batch's.
    const BATCHES: usize = 4;
    const IN_A_BATCH: usize = 60;
    const SINGLES: usize = 80;
    let cluster = Postgres::start(&["max_connections = 200"]);
    for (n, isolation) in ISOLATION_LEVELS.into_iter().enumerate() {
        let servers = Servers::start(3, &cluster.database(&format!("feed_{n}"), isolation));
        let (http, url) = (spread(), servers.balancer.url());
        let token = register(&http, &url).await;
        let report = json!({
            "service_code": "pothole",
            "description": "Deep pothole by the bus stop",
            "location": {"lat": 54.7761, "lon": -1.5733},
            "answers": required_answers("pothole"),
        });
        let batch = || {
            let operations: Vec<Value> = (0..IN_A_BATCH)
                .map(|_| json!({"key": uuid::Uuid::now_v7().to_string(), "method": "POST", "path": "/v1/reports", "body": report}))
                .collect();
            ("/v1/batch", json!({ "operations": operations }))
        };
        let slots = get(
            &http,
            &url,
            &token,
            &format!("/v1/services/{FOUR_PLACES}/slots"),
        )
        .await;
        let bookings = slots["slots"].as_array().expect("slots")[..SINGLES].iter().map(|slot| {
            let body = json!({"service_code": FOUR_PLACES, "slot_id": slot["id"], "answers": required_answers(FOUR_PLACES)});
            ("/v1/bookings", body)
        });
        let writes: Vec<(&str, Value)> = (0..BATCHES).map(|_| batch()).chain(bookings).collect();
        let writers: Vec<_> = writes
            .into_iter()
            .map(|(path, body)| {
                let (http, url, token) = (http.clone(), url.clone(), token.clone());
                tokio::spawn(async move {
                    let key = uuid::Uuid::now_v7().to_string();
                    send(&http, &url, &token, &key, path, &body).await
                })
            })
            .collect();
        // The reader pages through the feed all the while the writers commit, as a device
        // syncing, then once more after the last has answered.
        let (mut cursor, mut seen, mut seqs) = (String::new(), Vec::new(), Vec::new());
        let mut last = false;
        loop {
            let page = get(
                &http,
                &url,
                &token,
                &format!("/v1/changes?since={cursor}&limit=7"),
            )
            .await;
            for change in page["changes"].as_array().expect("changes") {
                seqs.push(change["seq"].as_u64().expect("a number"));
                seen.push(
                    change["entity"]["item"]["id"]
                        .as_str()
                        .expect("an id")
                        .to_owned(),
                );
            }
            cursor = page["cursor"].as_str().expect("a cursor").to_owned();
            if page["more"] == true {
                continue;
            }
            if last {
                break;
            }
            last = writers.iter().all(tokio::task::JoinHandle::is_finished);
        }
        let mut made = std::collections::BTreeSet::new();
        for writer in writers {
            made.extend(made_by(isolation, writer.await.expect("a writer")));
        }
        assert_eq!(made.len(), BATCHES * IN_A_BATCH + SINGLES, "{isolation}");
        assert!(
            seqs.windows(2).all(|w| w[0] < w[1]),
            "{isolation}: the feed goes forward: {seqs:?}"
        );
        let once: std::collections::BTreeSet<_> = seen.iter().cloned().collect();
        assert_eq!(once.len(), seen.len(), "{isolation}: no change seen twice");
        let skipped: Vec<_> = made.difference(&once).collect();
        assert!(
            skipped.is_empty(),
            "{isolation}: {} changes never reached the reader",
            skipped.len()
        );
        assert_eq!(once, made, "{isolation}: the reader saw only what was made");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rate_limit_counts_alike_on_three_servers_however_many_requests_come_at_once() {
    let cluster = Postgres::start(&["max_connections = 200"]);
    for (n, isolation) in ISOLATION_LEVELS.into_iter().enumerate() {
        let database = cluster.database(&format!("rate_{n}"), isolation);
        let servers = Servers::start_limited(3, &database, "registrations_per_hour = 10\n");
        let (http, url) = (spread(), servers.balancer.url());
        let racing: Vec<_> = (0..30)
            .map(|_| {
                let (http, url) = (http.clone(), url.clone());
                tokio::spawn(async move {
                    let secret = format!(
                        "{}{}",
                        uuid::Uuid::now_v7().simple(),
                        uuid::Uuid::now_v7().simple()
                    );
                    http.post(format!("{url}/v1/devices"))
                        .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
                        .json(&json!({"platform": "cli", "name": "race", "device_secret": secret}))
                        .send()
                        .await
                        .expect("an answer")
                        .status()
                })
            })
            .collect();
        let (mut registered, mut limited) = (0, 0);
        for answer in racing {
            match answer.await.expect("a registration") {
                StatusCode::CREATED => registered += 1,
                StatusCode::TOO_MANY_REQUESTS => limited += 1,
                other => panic!("{isolation}: {other}\n{}", servers.logs()),
            }
        }
        assert_eq!(
            (registered, limited),
            (10, 20),
            "{isolation}: ten an hour from one address"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_keeps_what_its_operations_kept_when_one_fails_in_the_database() {
    use doorstep_server::{db::Db, sql::params};
    let cluster = Postgres::start(&[]);
    let url = cluster.url();
    let db = tokio::task::spawn_blocking(move || Db::connect(std::path::Path::new(&url)))
        .await
        .expect("connecting")
        .expect("the store opens");
    let insert = |name: &'static str| {
        move |tx: &dyn doorstep_server::sql::Sql| {
            Ok(tx.execute(
                "INSERT INTO counters (name, value) VALUES (?1, 1)",
                params![name],
            )?)
        }
    };
    let inner = db.clone();
    let answered = db
        .clone()
        .batch_owned(|| {
            let inner = inner.clone();
            async move {
                inner.write(insert("first")).await?;
                // The same key again: PostgreSQL fails the statement, and the operation with it.
                let refused = inner.write(insert("first")).await;
                assert!(refused.is_err(), "a duplicate key is refused");
                inner.write(insert("third")).await?;
                Ok(())
            }
        })
        .await;
    assert!(answered.is_ok(), "{answered:?}");
    assert_eq!(
        cluster.sql("SELECT string_agg(name, ',' ORDER BY name) FROM counters"),
        "first,third",
        "what the batch answered as kept was kept"
    );
}
