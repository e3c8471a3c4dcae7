//! Payments through the sandbox card page, with GOV.UK Pay's test cards.

use doorstep_server::sql::params;
use reqwest::{StatusCode, redirect::Policy};
use serde_json::{Value, json};

use crate::common::{Device, TestServer, council_dir, key};

/// A reference that the profile accepts for `purpose`.
pub fn reference_for(purpose: &str) -> String {
    let profile = doorstep_server::profile::Profile::load(&council_dir()).unwrap();
    let purpose = profile.purpose(purpose).unwrap();
    let candidates = [
        "12345678",
        "123456789",
        "1234567890",
        "DU12345678",
        "GW123456",
        "PCN12345678",
        "AB12345678",
    ];
    candidates
        .iter()
        .find(|c| {
            doorstep_protocol::rules::validate_payment(purpose, c, purpose.min_pence).is_empty()
        })
        .unwrap_or_else(|| panic!("no sample reference fits {}", purpose.reference_pattern))
        .to_string()
}

/// Start a payment, pay on the card page with `card`, and return the payment as the API then
/// reports it.
pub async fn pay(
    council: &TestServer,
    resident: &Device,
    purpose: &str,
    reference: &str,
    pence: u64,
    card: &str,
) -> Value {
    let (status, payment) = resident
        .post("/v1/payments", json!({"purpose": purpose, "reference": reference, "amount_pence": pence, "return_url": "http://127.0.0.1:9/back"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{payment}");
    assert_eq!(payment["state"]["status"], "created");
    let next_url = payment["next_url"].as_str().unwrap();
    let browser = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let page = browser.get(next_url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Enter card details"));
    let submitted = browser
        .post(next_url)
        .form(&[("card_number", card), ("action", "pay")])
        .send()
        .await
        .unwrap();
    assert_eq!(submitted.status(), StatusCode::SEE_OTHER);
    assert_eq!(submitted.headers()["location"], "http://127.0.0.1:9/back");
    let (status, after) = resident
        .get(&format!("/v1/payments/{}", payment["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, StatusCode::OK);
    let _ = council;
    after
}

#[tokio::test]
async fn each_sandbox_card_ends_in_gov_uk_pay_state() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let reference = reference_for("council_tax");
    let cases = [
        ("4242 4242 4242 4242", "success", None),
        ("4000000000000002", "failed", Some("P0010")),
        ("4000000000000069", "failed", Some("P0010")),
        ("4000000000000119", "error", Some("P0050")),
    ];
    for (card, status, code) in cases {
        let card: String = card.chars().filter(|c| c.is_ascii_digit()).collect();
        let payment = pay(
            &council,
            &resident,
            "council_tax",
            &reference,
            12_345,
            &card,
        )
        .await;
        assert_eq!(payment["state"]["status"], status, "{card}: {payment}");
        assert_eq!(payment["state"]["finished"], true);
        assert_eq!(payment["state"]["code"].as_str(), code, "{card}");
        assert!(
            payment.get("next_url").is_none(),
            "a finished payment has no page to open"
        );
        if status == "success" {
            assert_eq!(payment["receipt"]["last_digits"], "4242");
            assert!(
                payment["receipt"]["receipt_number"]
                    .as_str()
                    .unwrap()
                    .starts_with("DUR-R-")
            );
        }
    }
    let stats = council.stats();
    assert_eq!(stats.payments.get("success"), Some(&1));
    assert_eq!(stats.payments.get("failed"), Some(&2));
    assert_eq!(stats.payments.get("error"), Some(&1));
}

#[tokio::test]
async fn an_abandoned_payment_expires_after_ninety_minutes() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let (_, payment) = resident
        .post(
            "/v1/payments",
            json!({"purpose": "council_tax", "reference": reference_for("council_tax"), "amount_pence": 5000, "return_url": "http://127.0.0.1:9/back"}),
        )
        .await;
    let id = payment["id"].as_str().unwrap();
    council.server.clock.advance(chrono::Duration::minutes(89));
    let (_, still) = resident.get(&format!("/v1/payments/{id}")).await;
    assert_eq!(still["state"]["finished"], false);
    council.server.clock.advance(chrono::Duration::minutes(2));
    let (_, feed) = resident.get("/v1/changes").await;
    let last = feed["changes"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        last["entity"]["item"]["state"]["code"], "P0020",
        "the feed learns of the expiry: {last}"
    );
}

#[tokio::test]
async fn the_payment_page_says_where_the_receipt_goes_when_an_email_is_given() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let mut pages = Vec::new();
    for email in [Some("ann@example.org"), None] {
        let mut body = json!({"purpose": "council_tax", "reference": reference_for("council_tax"), "amount_pence": 5000, "return_url": "http://127.0.0.1:9/back"});
        if let Some(email) = email {
            body["email"] = json!(email);
        }
        let (status, payment) = resident.post("/v1/payments", body).await;
        assert_eq!(status, StatusCode::CREATED, "{payment}");
        assert!(
            payment.get("email").is_none(),
            "the council does not keep it: {payment}"
        );
        let next_url = payment["next_url"].as_str().unwrap();
        pages.push(reqwest::get(next_url).await.unwrap().text().await.unwrap());
    }
    assert!(
        pages[0].contains("<dt>Receipt to</dt><dd>ann@example.org</dd>"),
        "{}",
        pages[0]
    );
    assert!(!pages[1].contains("Receipt to"), "{}", pages[1]);
}

#[tokio::test]
async fn a_payer_who_cancels_gets_p0030_and_a_bad_card_number_is_asked_again() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let (_, payment) = resident
        .post(
            "/v1/payments",
            json!({"purpose": "council_tax", "reference": reference_for("council_tax"), "amount_pence": 5000, "return_url": "http://127.0.0.1:9/back"}),
        )
        .await;
    let next_url = payment["next_url"].as_str().unwrap();
    let browser = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let wrong = browser
        .post(next_url)
        .form(&[("card_number", "1234"), ("action", "pay")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().await.unwrap().contains("There is a problem"));
    let cancelled = browser
        .post(next_url)
        .form(&[("action", "cancel")])
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), StatusCode::SEE_OTHER);
    let (_, after) = resident
        .get(&format!("/v1/payments/{}", payment["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        (
            after["state"]["status"].as_str(),
            after["state"]["code"].as_str()
        ),
        (Some("failed"), Some("P0030"))
    );
}

#[tokio::test]
async fn bad_payments_are_refused_naming_the_field() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let ok_reference = reference_for("council_tax");
    let cases = [
        (
            json!({"purpose": "lottery", "reference": ok_reference, "amount_pence": 100, "return_url": "https://council.example/paid"}),
            "purpose",
        ),
        (
            json!({"purpose": "council_tax", "reference": "??", "amount_pence": 100, "return_url": "https://council.example/paid"}),
            "reference",
        ),
        (
            json!({"purpose": "council_tax", "reference": ok_reference, "amount_pence": 0, "return_url": "https://council.example/paid"}),
            "amount_pence",
        ),
        (
            json!({"purpose": "council_tax", "reference": ok_reference, "amount_pence": 100, "return_url": "nowhere"}),
            "return_url",
        ),
        (
            json!({"purpose": "council_tax", "reference": ok_reference, "amount_pence": 100, "return_url": "http://evil.example/"}),
            "return_url",
        ),
        (
            json!({"purpose": "council_tax", "reference": ok_reference, "amount_pence": 100, "return_url": "javascript://alert(1)"}),
            "return_url",
        ),
        (
            json!({"purpose": "council_tax", "reference": ok_reference, "amount_pence": "ten pounds", "return_url": "https://council.example/paid"}),
            "amount_pence",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = resident.post("/v1/payments", body).await;
        assert!(status.is_client_error(), "{answer}");
        assert_eq!(answer["error"]["field"], field, "{answer}");
    }
    assert!(council.stats().payments.is_empty());
}

#[tokio::test]
async fn staff_refund_part_of_a_payment_and_no_more_than_was_paid() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let staff = council.staff();
    let payment = pay(
        &council,
        &resident,
        "council_tax",
        &reference_for("council_tax"),
        10_000,
        "4242424242424242",
    )
    .await;
    let id = payment["id"].as_str().unwrap();
    let (status, refunded) = staff
        .post(
            &format!("/v1/staff/payments/{id}/refund"),
            json!({"amount_pence": 4000}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{refunded}");
    assert_eq!(refunded["refunded_pence"], 4000);
    let (status, body) = staff
        .post(
            &format!("/v1/staff/payments/{id}/refund"),
            json!({"amount_pence": 6001}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("amount_pence"))
    );
    let (status, _) = resident
        .post(
            &format!("/v1/staff/payments/{id}/refund"),
            json!({"amount_pence": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// A successful council tax payment of £100.
async fn paid(council: &TestServer, resident: &Device) -> String {
    let payment = pay(
        council,
        resident,
        "council_tax",
        &reference_for("council_tax"),
        10_000,
        "4242424242424242",
    )
    .await;
    assert_eq!(payment["state"]["status"], "success");
    payment["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_refund_the_provider_already_made_is_never_made_twice() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let id = paid(&council, &resident).await;
    // The provider refunded £40 but the answer never reached the council (a crash, a lost
    // connection): what is left to refund is no longer what the council last saw.
    council.in_store(|store| {
        store
            .execute("UPDATE sandbox_payments SET refunded = 4000", params![])
            .unwrap()
    });
    let (status, body) = council
        .staff()
        .post(
            &format!("/v1/staff/payments/{id}/refund"),
            json!({"amount_pence": 4000}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (
            StatusCode::CONFLICT,
            Some("refund_amount_available_mismatch")
        ),
        "{body}"
    );
    let refunded: i64 = council.in_store(|store| {
        store
            .query_row("SELECT refunded FROM sandbox_payments", params![], |r| {
                r.get(0)
            })
            .unwrap()
    });
    assert_eq!(refunded, 4000);
}

#[tokio::test]
async fn a_refund_retried_with_a_new_staff_token_is_replayed_not_repeated() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let id = paid(&council, &resident).await;
    let path = format!("/v1/staff/payments/{id}/refund");
    let k = key();
    let (status, first) = council
        .staff()
        .post_keyed(&path, &k, json!({"amount_pence": 4000}))
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (status, again) = council
        .staff()
        .post_keyed(&path, &k, json!({"amount_pence": 4000}))
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["refunded_pence"], 4000);
    let (_, payment) = resident.get(&format!("/v1/payments/{id}")).await;
    assert_eq!(payment["refunded_pence"], 4000);
}

#[tokio::test]
async fn the_change_feed_answers_when_the_provider_cannot() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let (status, payment) = resident
        .post("/v1/payments", json!({"purpose": "council_tax", "reference": reference_for("council_tax"), "amount_pence": 100, "return_url": "http://127.0.0.1:9/back"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{payment}");
    // The provider loses the payment: asking it about the payment now fails.
    council.in_store(|store| {
        store
            .execute("DELETE FROM sandbox_payments", params![])
            .unwrap()
    });
    let (status, feed) = resident.get("/v1/changes").await;
    assert_eq!(status, StatusCode::OK, "{feed}");
    assert_eq!(feed["changes"][0]["entity"]["item"]["id"], payment["id"]);
}

#[tokio::test]
async fn payments_started_are_rate_limited_per_device() {
    let council = TestServer::start_with(doorstep_server::Limits {
        payments_per_minute: 2,
        ..doorstep_server::Limits::default()
    })
    .await;
    let resident = council.device().await;
    let payment = || json!({"purpose": "council_tax", "reference": reference_for("council_tax"), "amount_pence": 5000, "return_url": "http://127.0.0.1:9/back"});
    for _ in 0..2 {
        let (status, body) = resident.post("/v1/payments", payment()).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let refused = resident
        .send(reqwest::Method::POST, "/v1/payments", &key(), payment())
        .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().get("retry-after").is_some());
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    let (status, _) = council.device().await.post("/v1/payments", payment()).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "another device is not held back"
    );
}

#[tokio::test]
async fn a_server_whose_request_timeout_is_not_well_inside_the_payment_lease_refuses_to_start() {
    let dir = crate::common::TempDir::new();
    let config = doorstep_server::Config {
        limits: doorstep_server::Limits {
            request_timeout: std::time::Duration::from_secs(45),
            ..doorstep_server::Limits::default()
        },
        ..doorstep_server::Config::new(
            dir.0.join("council.sqlite3"),
            "127.0.0.1:0".parse().unwrap(),
            crate::common::council_dir(),
        )
    };
    match doorstep_server::start(config).await {
        Ok(server) => {
            server.stop().await.unwrap();
            panic!("a server whose requests may outlast half the payment lease started");
        }
        Err(error) => {
            let message = format!("{error:#}");
            assert!(
                message.contains("45 s") && message.contains("60 s"),
                "{message}"
            );
        }
    }
}

#[tokio::test]
async fn a_payment_started_in_a_batch_is_made_once_and_replayed() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let batch = json!({"operations": [{
        "key": key(),
        "method": "POST",
        "path": "/v1/payments",
        "body": {"purpose": "council_tax", "reference": reference_for("council_tax"), "amount_pence": 2500, "return_url": "http://127.0.0.1:9/back"},
    }]});
    let send = || {
        tokio::time::timeout(
            std::time::Duration::from_secs(10),
            resident.post("/v1/batch", batch.clone()),
        )
    };
    let (status, first) = send().await.expect("the batch is answered");
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["results"][0]["status"], 201, "{first}");
    let (_, again) = send().await.expect("the batch is answered");
    assert_eq!(
        again["results"][0]["body"]["id"],
        first["results"][0]["body"]["id"]
    );
    assert_eq!(council.stats().payments.get("created"), Some(&1));
    council.server.stop().await.unwrap();
}
