//! Devices, sign-in, the change feed, batches, bins and the JSON error contract.

use doorstep_server::sql::params;
use doorstep_server::{Config, Limits};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Device, TestServer, key, pothole};

/// The last sign-in code "emailed" to `email` (the notifications table stands in for Notify).
pub fn emailed_code(council: &TestServer, email: &str) -> String {
    let personalisation: String = council.in_store(|store| {
        store
            .query_row(
                "SELECT personalisation FROM notifications WHERE email_address = ?1 ORDER BY id DESC LIMIT 1",
                params![email],
                |r| r.get(0),
            )
            .unwrap()
    });
    serde_json::from_str::<Value>(&personalisation).unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn sign_in(council: &TestServer, device: &Device, email: &str) -> Device {
    let (status, sent) = device.post("/v1/auth/email", json!({"email": email})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
    let code = emailed_code(council, &email.to_lowercase());
    let (status, account) = device
        .post("/v1/auth/verify", json!({"email": email, "code": code}))
        .await;
    assert_eq!(status, StatusCode::OK, "{account}");
    Device {
        token: account["token"].as_str().unwrap().to_owned(),
        ..device.clone()
    }
}

#[tokio::test]
async fn signing_in_joins_the_device_to_the_account_on_every_device() {
    let council = TestServer::start().await;
    let phone = council.device().await;
    let laptop = council.device().await;
    let (_, report) = phone.post("/v1/reports", pothole()).await;
    let phone_account = sign_in(&council, &phone, "resident@example.org").await;
    let laptop_account = sign_in(&council, &laptop, "Resident@Example.org").await;
    let (status, seen) = laptop_account
        .get(&format!("/v1/reports/{}", report["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    let (_, feed) = laptop_account.get("/v1/changes").await;
    assert_eq!(feed["changes"].as_array().unwrap().len(), 1);
    // The laptop's device token alone does not see the phone's report.
    let (status, _) = laptop
        .get(&format!("/v1/reports/{}", report["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, out) = phone_account.post("/v1/auth/signout", json!(null)).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let (status, body) = phone_account.get("/v1/reports").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let (status, _) = phone.get("/v1/reports").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the device token still works after signing out"
    );
    assert_eq!(council.stats().accounts, 1);
}

#[tokio::test]
async fn a_retry_after_signing_in_replays_instead_of_duplicating() {
    let council = TestServer::start().await;
    let device = council.device().await;
    let k = key();
    let (status, first) = device.post_keyed("/v1/reports", &k, pothole()).await;
    assert_eq!(status, StatusCode::CREATED);
    let account = sign_in(&council, &device, "someone@example.org").await;
    let (status, again) = account.post_keyed("/v1/reports", &k, pothole()).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(first["id"], again["id"]);
    assert_eq!(council.stats().reports, 1);
}

#[tokio::test]
async fn sign_in_codes_expire_and_allow_few_attempts() {
    let council = TestServer::start().await;
    let device = council.device().await;
    let (status, body) = device
        .post("/v1/auth/email", json!({"email": "not-an-address"}))
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("email"))
    );

    device
        .post("/v1/auth/email", json!({"email": "a@example.org"}))
        .await;
    let code = emailed_code(&council, "a@example.org");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let (status, body) = device
            .post(
                "/v1/auth/verify",
                json!({"email": "a@example.org", "code": wrong}),
            )
            .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("code_wrong"))
        );
    }
    let (_, body) = device
        .post(
            "/v1/auth/verify",
            json!({"email": "a@example.org", "code": code}),
        )
        .await;
    assert_eq!(body["error"]["code"], "too_many_attempts");

    device
        .post("/v1/auth/email", json!({"email": "b@example.org"}))
        .await;
    let code = emailed_code(&council, "b@example.org");
    council.server.clock.advance(chrono::Duration::minutes(16));
    let (_, body) = device
        .post(
            "/v1/auth/verify",
            json!({"email": "b@example.org", "code": code}),
        )
        .await;
    assert_eq!(body["error"]["code"], "code_expired");
    assert_eq!(council.stats().accounts, 0);
}

#[tokio::test]
async fn registration_and_codes_are_rate_limited() {
    let council = TestServer::start_with(Limits {
        registrations_per_hour: 2,
        codes_per_hour: 1,
        ..Limits::default()
    })
    .await;
    let device = council.device().await;
    council.device().await;
    let response = council
        .http
        .post(format!("{}/v1/devices", council.url))
        .header("Idempotency-Key", key())
        .json(&json!({"platform": "cli", "device_secret": crate::common::secret()}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().get("retry-after").is_some());
    assert_eq!(council.stats().devices, 2);
    let (status, _) = device
        .post("/v1/auth/email", json!({"email": "c@example.org"}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, body) = device
        .post("/v1/auth/email", json!({"email": "c@example.org"}))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
    );
}

/// Register a device as sent through a proxy that says the client is `forwarded_for`, alone or
/// as the one operation of a batch; the status the registration got.
async fn register_forwarded(council: &TestServer, forwarded_for: &str, in_batch: bool) -> u16 {
    let device = json!({"platform": "cli", "device_secret": crate::common::secret()});
    let request = if in_batch {
        council
            .http
            .post(format!("{}/v1/batch", council.url))
            .json(&json!({"operations": [{"key": key(), "method": "POST", "path": "/v1/devices", "body": device}]}))
    } else {
        council
            .http
            .post(format!("{}/v1/devices", council.url))
            .header("Idempotency-Key", key())
            .json(&device)
    };
    let response = request
        .header("X-Forwarded-For", forwarded_for)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    if in_batch {
        assert_eq!(status, 200, "{body}");
        return body["results"][0]["status"].as_u64().unwrap() as u16;
    }
    status
}

#[tokio::test]
async fn behind_a_trusted_proxy_new_devices_are_counted_by_the_forwarded_client() {
    let limits = Limits {
        registrations_per_hour: 2,
        ..Limits::default()
    };
    let council = TestServer::start_configured(|config| Config {
        limits: limits.clone(),
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..config
    })
    .await;
    for in_batch in [false, true] {
        assert_eq!(
            register_forwarded(&council, "198.51.100.7", in_batch).await,
            201
        );
    }
    assert_eq!(
        register_forwarded(&council, "198.51.100.7", false).await,
        429
    );
    assert_eq!(
        register_forwarded(&council, "198.51.100.7", true).await,
        429,
        "a batch counts by the same client"
    );
    // Another resident behind the same proxy has a count of their own, and what a client puts
    // in the header before the proxy's own entry does not change whom it is counted as.
    assert_eq!(
        register_forwarded(&council, "203.0.113.5", false).await,
        201
    );
    assert_eq!(
        register_forwarded(&council, "203.0.113.5, 198.51.100.7", false).await,
        429
    );

    let direct = TestServer::start_with(limits).await;
    for forwarded_for in ["198.51.100.1", "198.51.100.2"] {
        assert_eq!(register_forwarded(&direct, forwarded_for, false).await, 201);
    }
    assert_eq!(
        register_forwarded(&direct, "198.51.100.3", false).await,
        429,
        "without trusted proxies the header is not believed"
    );
}

#[tokio::test]
async fn replaying_a_registration_keeps_the_device_and_issues_a_fresh_token() {
    let council = TestServer::start().await;
    let k = key();
    let secret = crate::common::secret();
    let register = || async {
        let response = council
            .http
            .post(format!("{}/v1/devices", council.url))
            .header("Idempotency-Key", &k)
            .json(&json!({"platform": "android", "name": "Pixel", "device_secret": secret}))
            .send()
            .await
            .unwrap();
        crate::common::answer(response).await.1
    };
    let first = register().await;
    let second = register().await;
    assert_eq!(first["device_id"], second["device_id"]);
    assert_ne!(first["token"], second["token"]);
    assert_eq!(council.stats().devices, 1);
    let earlier = Device {
        url: council.url.clone(),
        http: council.http.clone(),
        token: first["token"].as_str().unwrap().to_owned(),
    };
    assert_eq!(
        earlier.get("/v1/reports").await.0,
        StatusCode::UNAUTHORIZED,
        "the replay retired the token issued before"
    );
    let stored: String = council.in_store(|store| {
        store
            .query_row(
                "SELECT body FROM idempotency WHERE scope = 'registration'",
                params![],
                |r| r.get(0),
            )
            .unwrap()
    });
    assert!(
        !stored.contains("token"),
        "a token must never be stored: {stored}"
    );
}

#[tokio::test]
async fn a_registration_key_without_the_devices_secret_yields_no_token() {
    let council = TestServer::start().await;
    let k = key();
    let register = |body: Value| {
        council
            .http
            .post(format!("{}/v1/devices", council.url))
            .header("Idempotency-Key", &k)
            .json(&body)
            .send()
    };
    let (status, device) = crate::common::answer(
        register(json!({"platform": "android", "name": "Pixel", "device_secret": crate::common::secret()}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{device}");
    let (status, body) = crate::common::answer(
        register(json!({"platform": "android", "name": "Pixel", "device_secret": crate::common::secret()}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("idempotency_key_reused")
        ),
        "{body}"
    );
    assert!(body.get("token").is_none());
    let (status, body) = crate::common::answer(
        register(json!({"platform": "android", "name": "Pixel"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status.is_client_error(), body["error"]["field"].as_str()),
        (true, Some("device_secret")),
        "{body}"
    );
    let (status, body) = crate::common::answer(
        council
            .http
            .post(format!("{}/v1/devices", council.url))
            .header("Idempotency-Key", key())
            .json(&json!({"platform": "android", "device_secret": "guessable"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("device_secret")),
        "{body}"
    );
    assert_eq!(council.stats().devices, 1);
}

#[tokio::test]
async fn a_batch_runs_each_operation_once_in_order_with_its_own_result() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let mut outside = pothole();
    outside["location"] = json!({"lat": 0.0, "lon": 0.0});
    let keys: Vec<String> = (0..4).map(|_| key()).collect();
    let batch = json!({"operations": [
        {"key": keys[0], "method": "POST", "path": "/v1/reports", "body": pothole()},
        {"key": keys[1], "method": "POST", "path": "/v1/reports", "body": outside},
        {"key": keys[2], "method": "POST", "path": "/v1/reports", "body": pothole()},
        {"key": keys[3], "method": "GET", "path": "/v1/reports"},
    ]});
    let (status, first) = resident.post("/v1/batch", batch.clone()).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let statuses: Vec<u64> = first["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [201, 422, 201, 405]);
    assert_eq!(first["results"][1]["key"], keys[1].as_str());
    let (_, again) = resident.post("/v1/batch", batch).await;
    assert_eq!(first["results"][0]["body"], again["results"][0]["body"]);
    assert_eq!(first["results"][1], again["results"][1]);
    assert_eq!(council.stats().reports, 2);
    let number = |result: &Value| {
        let reference = result["body"]["reference"].as_str().unwrap();
        reference
            .rsplit('-')
            .next()
            .unwrap()
            .parse::<u32>()
            .unwrap()
    };
    assert_eq!(
        number(&first["results"][2]),
        number(&first["results"][0]) + 1,
        "the refused report wrote nothing of itself, not even a reference number"
    );

    let (status, body) = resident.post("/v1/batch", json!({"operations": []})).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("operations"))
    );
    let stranger = Device {
        token: "dsd_nonsense".into(),
        ..resident.clone()
    };
    let (_, body) = stranger.post("/v1/batch", json!({"operations": [{"key": key(), "method": "POST", "path": "/v1/reports", "body": pothole()}]})).await;
    assert_eq!(body["results"][0]["status"], 401);
}

#[tokio::test]
async fn a_report_in_a_batch_is_answered_as_it_would_be_alone() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let mut outside = pothole();
    outside["location"] = json!({"lat": 0.0, "lon": 0.0});
    let mut unnamed = pothole();
    unnamed.as_object_mut().unwrap().remove("service_code");
    // (a key of this shape, body): each sent alone and in a batch, under keys of their own.
    let cases: Vec<(fn() -> String, Value)> = vec![
        (key, pothole()),
        (key, outside),
        (key, unnamed),
        (key, json!("not a report")),
        (|| "two words".to_owned(), pothole()),
        (|| "x".repeat(256), pothole()),
    ];
    let mut alone = Vec::new();
    let mut operations = Vec::new();
    for (make_key, body) in &cases {
        alone.push(
            resident
                .post_keyed("/v1/reports", &make_key(), body.clone())
                .await,
        );
        operations.push(
            json!({"key": make_key(), "method": "POST", "path": "/v1/reports", "body": body}),
        );
    }
    let (status, batch) = resident
        .post("/v1/batch", json!({"operations": operations}))
        .await;
    assert_eq!(status, StatusCode::OK, "{batch}");
    for (i, ((status, body), result)) in alone
        .iter()
        .zip(batch["results"].as_array().unwrap())
        .enumerate()
    {
        assert_eq!(result["status"], status.as_u16(), "case {i}: {result}");
        if status.is_success() {
            assert_eq!(result["body"]["status"], body["status"], "case {i}");
            assert_ne!(
                result["body"]["id"], body["id"],
                "case {i}: a report of its own"
            );
        } else {
            assert_eq!(&result["body"], body, "case {i}");
        }
    }
    assert_eq!(council.stats().reports, 2);
}

#[tokio::test]
async fn a_batch_keeps_its_order_and_keys_across_reports_and_other_operations() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let (_, earlier) = resident.post("/v1/reports", pothole()).await;
    let update = format!("/v1/reports/{}/updates", earlier["id"].as_str().unwrap());
    let mut other = pothole();
    other["description"] = json!("Another pothole, by the school gates");
    let (first, second) = (key(), key());
    let batch = json!({"operations": [
        {"key": first, "method": "POST", "path": "/v1/reports", "body": pothole()},
        {"key": key(), "method": "POST", "path": update, "body": {"text": "Still there"}},
        {"key": second, "method": "POST", "path": "/v1/reports", "body": pothole()},
        {"key": first, "method": "POST", "path": "/v1/reports", "body": pothole()},
        {"key": first, "method": "POST", "path": "/v1/reports", "body": other},
        {"key": key(), "method": "POST", "path": "/v1/reports", "body": pothole()},
    ]});
    let (status, answer) = resident.post("/v1/batch", batch).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let results = answer["results"].as_array().unwrap();
    let statuses: Vec<u64> = results
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [201, 200, 201, 201, 422, 201], "{answer}");
    assert_eq!(
        results[3]["body"], results[0]["body"],
        "a key sent twice is applied once and answered alike"
    );
    assert_eq!(
        results[4]["body"]["error"]["code"], "idempotency_key_reused",
        "{answer}"
    );
    let reference = |n: usize| results[n]["body"]["reference"].as_str().unwrap().to_owned();
    assert!(reference(0) < reference(2) && reference(2) < reference(5));
    // The change feed shows the operations' work in the order they were sent.
    let (_, feed) = resident.get("/v1/changes").await;
    let ids: Vec<&str> = feed["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["entity"]["item"]["id"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = [
        &earlier,
        &results[0]["body"],
        &earlier,
        &results[2]["body"],
        &results[5]["body"],
    ]
    .iter()
    .map(|r| r["id"].as_str().unwrap())
    .collect();
    assert_eq!(ids, expected);
    assert_eq!(council.stats().reports, 4);
}

#[tokio::test]
async fn the_change_feed_pages_from_its_cursor_and_never_repeats() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    for _ in 0..5 {
        resident.post("/v1/reports", pothole()).await;
    }
    let (_, page) = resident.get("/v1/changes?limit=3").await;
    assert_eq!(page["changes"].as_array().unwrap().len(), 3);
    assert_eq!(page["more"], true);
    let cursor = page["cursor"].as_str().unwrap();
    let (_, rest) = resident
        .get(&format!("/v1/changes?since={cursor}&limit=3"))
        .await;
    assert_eq!(rest["changes"].as_array().unwrap().len(), 2);
    assert_eq!(rest["more"], false);
    let (_, empty) = resident
        .get(&format!(
            "/v1/changes?since={}",
            rest["cursor"].as_str().unwrap()
        ))
        .await;
    assert_eq!(empty["changes"].as_array().unwrap().len(), 0);
    assert_eq!(empty["cursor"], rest["cursor"]);
    let (status, body) = resident.get("/v1/changes?since=yesterday").await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("since"))
    );
}

#[tokio::test]
async fn changes_a_device_holds_from_its_answers_are_left_out_but_passed_by_the_cursor() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let operations: Vec<Value> = (0..3)
        .map(|_| json!({"key": key(), "method": "POST", "path": "/v1/reports", "body": pothole()}))
        .collect();
    let (_, batch) = resident
        .post("/v1/batch", json!({"operations": operations.clone()}))
        .await;
    let results = batch["results"].as_array().unwrap();
    let seqs: Vec<u64> = results
        .iter()
        .map(|r| {
            r["change"]
                .as_u64()
                .expect("a fresh report names its change")
        })
        .collect();
    let (_, feed) = resident.get("/v1/changes").await;
    for (result, seq) in results.iter().zip(&seqs) {
        let change = feed["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["seq"].as_u64() == Some(*seq))
            .unwrap();
        assert_eq!(
            change["entity"]["item"], result["body"],
            "the change named carries the report as answered"
        );
    }
    let (_, replayed) = resident
        .post("/v1/batch", json!({"operations": operations}))
        .await;
    assert!(
        replayed["results"][0].get("change").is_none(),
        "a replay names no change: {replayed}"
    );
    // A change after those, made by someone else (the council's staff).
    let id = results[1]["body"]["id"].as_str().unwrap();
    let (status, _) = council
        .staff()
        .post(
            &format!("/v1/staff/reports/{id}/status"),
            json!({"status": "in_progress", "note": "On our list"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let held = format!("{}-{},{}", seqs[0], seqs[1], seqs[2]);
    let (_, feed) = resident.get(&format!("/v1/changes?held={held}")).await;
    let changes = feed["changes"].as_array().unwrap();
    assert_eq!(
        changes.len(),
        1,
        "only what the device does not hold: {feed}"
    );
    assert_eq!(changes[0]["entity"]["item"]["status"], "in_progress");
    let (_, only_held) = resident
        .get(&format!(
            "/v1/changes?since={}&held={held}&limit=1",
            seqs[0] - 1
        ))
        .await;
    assert_eq!(only_held["changes"].as_array().unwrap().len(), 1);
    assert_eq!(only_held["more"], false);
    assert_eq!(only_held["cursor"], feed["cursor"]);
    let (_, nothing_after) = resident
        .get(&format!(
            "/v1/changes?since={}&held={}-{}",
            seqs[0] - 1,
            seqs[0],
            seqs[2]
        ))
        .await;
    assert_eq!(nothing_after["changes"].as_array().unwrap().len(), 1);
    let (status, body) = resident.get("/v1/changes?held=9-3").await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("held"))
    );
}

#[tokio::test]
async fn bins_addresses_calendars_and_ics() {
    let council = TestServer::start().await;
    let profile = doorstep_server::profile::Profile::load(&crate::common::council_dir()).unwrap();
    let address = &profile.gazetteer.addresses[0];
    let (status, list) = council
        .get(&format!(
            "/v1/addresses?postcode={}",
            address.postcode.to_lowercase().replace(' ', "+")
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(
        list["addresses"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["uprn"] == address.uprn.as_str())
    );
    let (status, body) = council.get("/v1/addresses?postcode=nonsense").await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("postcode"))
    );
    let (status, body) = council.get("/v1/addresses").await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("postcode"))
    );

    let (status, calendar) = council
        .get(&format!("/v1/collections?uprn={}&weeks=4", address.uprn))
        .await;
    assert_eq!(status, StatusCode::OK);
    let days = calendar["collections"].as_array().unwrap();
    assert!(days.len() >= 3 && days.len() <= 5, "{calendar}");
    let ics = council
        .http
        .get(format!(
            "{}/v1/collections.ics?uprn={}&weeks=4",
            council.url, address.uprn
        ))
        .send()
        .await
        .unwrap();
    assert!(
        ics.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    assert_eq!(
        ics.text().await.unwrap().matches("BEGIN:VEVENT").count(),
        days.len()
    );
    let (status, _) = council.get("/v1/collections?uprn=1").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_failure_is_json() {
    let council = TestServer::start().await;
    let (status, body) = council.get("/nowhere").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let response = council
        .http
        .delete(format!("{}/v1/services", council.url))
        .send()
        .await
        .unwrap();
    let (status, body) = crate::common::answer(response).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed"))
    );
    let (status, body) = council.get("/v1/reports").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    let (status, body) = council.get("/v1/services/nope").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_service"))
    );
}

#[tokio::test]
async fn the_catalogue_answers_304_to_its_own_etag() {
    let council = TestServer::start().await;
    let first = council
        .http
        .get(format!("{}/v1/services", council.url))
        .send()
        .await
        .unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let list: Value = first.json().await.unwrap();
    assert!(list["services"].as_array().unwrap().len() >= 40);
    let again = council
        .http
        .get(format!("{}/v1/services", council.url))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let (status, council_profile) = council.get("/v1/council").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(council_profile["reference_prefix"], "DUR");
}

#[tokio::test]
async fn on_a_shared_device_one_residents_things_stay_theirs() {
    let council = TestServer::start().await;
    let shared = council.device().await;
    let (_, alices) = shared.post("/v1/reports", pothole()).await;
    let alice = sign_in(&council, &shared, "alice@example.org").await;
    alice.post("/v1/auth/signout", json!(null)).await;
    let bob = sign_in(&council, &shared, "bob@example.org").await;
    let path = format!("/v1/reports/{}", alices["id"].as_str().unwrap());
    assert_eq!(bob.get(&path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        shared.get(&path).await.0,
        StatusCode::NOT_FOUND,
        "signed out, the device no longer shows it"
    );
    let (_, feed) = bob.get("/v1/changes").await;
    assert!(feed["changes"].as_array().unwrap().is_empty(), "{feed}");
    let (_, listed) = shared.get("/v1/reports").await;
    assert!(listed["reports"].as_array().unwrap().is_empty());
    let alice_again = sign_in(&council, &council.device().await, "alice@example.org").await;
    assert_eq!(
        alice_again.get(&path).await.0,
        StatusCode::OK,
        "still Alice's, on any of her devices"
    );
}

#[tokio::test]
async fn devices_already_in_step_hear_of_what_joins_the_account() {
    let council = TestServer::start().await;
    let laptop = sign_in(&council, &council.device().await, "carol@example.org").await;
    let (_, caught_up) = laptop.get("/v1/changes").await;
    let cursor = caught_up["cursor"].as_str().unwrap().to_owned();
    let phone = council.device().await;
    let (_, report) = phone.post("/v1/reports", pothole()).await;
    sign_in(&council, &phone, "carol@example.org").await;
    let (_, feed) = laptop.get(&format!("/v1/changes?since={cursor}")).await;
    let changes = feed["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{feed}");
    assert_eq!(changes[0]["entity"]["item"]["id"], report["id"]);
}

#[tokio::test]
async fn a_resident_can_take_their_data_away_and_have_it_erased() {
    let council = TestServer::start().await;
    let device = council.device().await;
    let mut report = pothole();
    report["contact"] = json!({"name": "Sam", "email": "sam@example.org"});
    let (_, made) = device.post("/v1/reports", report).await;
    let account = sign_in(&council, &device, "sam@example.org").await;

    let (status, mine) = account.get("/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine["account_email"], "sam@example.org");
    assert_eq!(mine["reports"][0]["id"], made["id"]);

    let (status, erased) = account.post("/v1/me/erase", json!(null)).await;
    assert_eq!(status, StatusCode::OK, "{erased}");
    assert_eq!(erased["reports"], 1);
    assert_eq!(
        account.get("/v1/me").await.0,
        StatusCode::UNAUTHORIZED,
        "the tokens are gone"
    );
    assert_eq!(device.get("/v1/me").await.0, StatusCode::UNAUTHORIZED);
    let stats = council.stats();
    assert_eq!(
        (stats.accounts, stats.reports),
        (0, 1),
        "the account is gone; the council's record of the pothole stays"
    );
    let (_, work) = council.staff().get("/v1/staff/reports").await;
    assert!(
        work["reports"][0].get("contact").is_none(),
        "without anything that points to Sam: {work}"
    );
    let left: i64 = council.in_store(|store| {
        store
            .query_row(
                "SELECT COUNT(*) FROM notifications WHERE email_address = 'sam@example.org'",
                params![],
                |r| r.get(0),
            )
            .unwrap()
    });
    assert_eq!(left, 0, "nor the emails sent to them");
}

#[tokio::test]
async fn sign_in_codes_are_limited_per_device_whatever_the_email() {
    let council = TestServer::start_with(Limits {
        codes_per_hour: 1,
        ..Limits::default()
    })
    .await;
    let device = council.device().await;
    for email in ["a@example.org", "b@example.org"] {
        let (status, body) = device.post("/v1/auth/email", json!({"email": email})).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    }
    let (status, body) = device
        .post("/v1/auth/email", json!({"email": "c@example.org"}))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")),
        "one device cannot spray codes at many addresses: {body}"
    );
    let (status, _) = council
        .device()
        .await
        .post("/v1/auth/email", json!({"email": "c@example.org"}))
        .await;
    assert_eq!(
        status,
        StatusCode::ACCEPTED,
        "another device is not held back"
    );
}
