//! Payments through GOV.UK Pay: the council server, given `[govuk_pay]`, makes a resident's
//! payment at a stand-in of Pay's API. Pay busy, then Pay's answer lost after it made the
//! payment: the device's retries under its one key end with the payment made the first time,
//! never a second. The payer pays; the council reads it as Pay says (a receipt with the card's
//! last digits); staff refund part of it against what Pay says is left. Payers who never come
//! back are settled by the council once Pay's 90 minutes are up, and not before.

use doorstep_e2e::{
    TempDir, council_dir,
    govuk_pay::{API_KEY, Next, Pay},
};
use doorstep_server::{Config, RunningServer, govuk_pay::Settings};
use serde_json::{Value, json};

/// A council taking payments at `pay`, housekeeping every `housekeeping`, and a resident's
/// device token.
async fn council_at(
    pay: &Pay,
    dir: &TempDir,
    housekeeping: std::time::Duration,
) -> (RunningServer, String) {
    let council = doorstep_server::start(Config {
        govuk_pay: Some(Settings {
            url: pay.url.clone(),
            api_key: API_KEY.to_owned(),
        }),
        housekeeping_every: housekeeping,
        ..Config::new(
            dir.0.join("council.sqlite3"),
            "127.0.0.1:0".parse().unwrap(),
            council_dir(),
        )
    })
    .await
    .unwrap();
    let (status, device) = send(
        reqwest::Client::new().post(format!("{}/v1/devices", council.url)),
        &uuid::Uuid::now_v7().to_string(),
        &json!({"platform": "linux", "name": "test", "device_secret": "0123456789abcdef0123456789abcdef"}),
    )
    .await;
    assert_eq!(status, 201, "{device}");
    let token = device["token"].as_str().unwrap().to_owned();
    (council, token)
}

async fn send(request: reqwest::RequestBuilder, key: &str, body: &Value) -> (u16, Value) {
    let answer = request
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_is_made_once_at_govuk_pay_whatever_was_lost_and_is_read_and_refunded_as_pay_says()
 {
    let pay = Pay::start(&[Next::Busy, Next::LoseTheAnswer]).await;
    let dir = TempDir::new("govuk-pay");
    let db = dir.0.join("council.sqlite3");
    let (council, token) = council_at(&pay, &dir, std::time::Duration::from_secs(300)).await;
    let http = reqwest::Client::new();

    let key = uuid::Uuid::now_v7().to_string();
    let asked = json!({
        "purpose": "council_tax", "reference": "12345678", "amount_pence": 12050,
        "return_url": "http://127.0.0.1:9/", "email": "pat@example.org",
    });
    let post = || {
        http.post(format!("{}/v1/payments", council.url))
            .bearer_auth(&token)
    };
    let (busy, _) = send(post(), &key, &asked).await;
    assert_eq!(busy, 429, "Pay was busy: the device is told to try again");
    let (lost, said) = send(post(), &key, &asked).await;
    assert_eq!(lost, 503, "Pay's answer was lost: {said}");
    let (made, payment) = send(post(), &key, &asked).await;
    assert_eq!(made, 201, "{payment}");
    assert_eq!(pay.creates(), 3);
    let at_pay = pay.payments();
    assert_eq!(
        at_pay.len(),
        1,
        "one payment at Pay, whatever was retried: {at_pay:?}"
    );
    let (pay_id, made_at_pay) = at_pay.iter().next().unwrap();
    assert_eq!(made_at_pay["amount"], 12050);
    assert_eq!(made_at_pay["email"], "pat@example.org");
    assert_eq!(
        payment["next_url"], made_at_pay["_links"]["next_url"]["href"],
        "the resident is sent to Pay's page for that payment"
    );
    let (again, replayed) = send(post(), &key, &asked).await;
    assert_eq!(
        (again, &replayed["id"]),
        (201, &payment["id"]),
        "a repeat is answered from the record"
    );
    assert_eq!(pay.creates(), 3, "and never reaches Pay again");

    pay.pays(pay_id);
    let checked: Value = http
        .get(format!(
            "{}/v1/payments/{}",
            council.url,
            payment["id"].as_str().unwrap()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(checked["state"]["status"], "success", "{checked}");
    assert_eq!(checked["receipt"]["last_digits"], "4242", "{checked}");

    let staff = doorstep_server::db::Db::issue_staff_token(&db).unwrap();
    let refund_url = format!(
        "{}/v1/staff/payments/{}/refund",
        council.url,
        payment["id"].as_str().unwrap()
    );
    let (refunded, after) = send(
        http.post(&refund_url).bearer_auth(&staff),
        &uuid::Uuid::now_v7().to_string(),
        &json!({"amount_pence": 2050}),
    )
    .await;
    assert_eq!(refunded, 200, "{after}");
    assert_eq!(after["refunded_pence"], 2050);
    assert_eq!(
        pay.payments()[pay_id]["refund_summary"]["amount_available"],
        10000,
        "refunded at Pay, against what Pay said was left"
    );
    council.stop().await.unwrap();
}

/// The resident's payments as the council holds them, without asking Pay.
async fn held(council: &RunningServer, token: &str) -> Vec<Value> {
    let list: Value = reqwest::Client::new()
        .get(format!("{}/v1/payments", council.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list["payments"].as_array().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payers_who_never_come_back_are_settled_once_pays_ninety_minutes_are_up() {
    let pay = Pay::start(&[]).await;
    let dir = TempDir::new("govuk-pay-reconcile");
    let every = std::time::Duration::from_millis(100);
    let (council, token) = council_at(&pay, &dir, every).await;
    let http = reqwest::Client::new();
    let mut started = Vec::new();
    for reference in ["12345678", "87654321"] {
        let (status, payment) = send(
            http.post(format!("{}/v1/payments", council.url))
                .bearer_auth(&token),
            &uuid::Uuid::now_v7().to_string(),
            &json!({"purpose": "council_tax", "reference": reference, "amount_pence": 5000, "return_url": "http://127.0.0.1:9/"}),
        )
        .await;
        assert_eq!(status, 201, "{payment}");
        started.push(payment);
    }
    let at_pay = pay.payments();
    let by_reference = |reference: &str| {
        at_pay
            .iter()
            .find(|(_, p)| p["reference"] == reference)
            .map(|(id, _)| id.clone())
            .unwrap()
    };
    // One payer paid and closed the page; the other walked away.
    pay.pays(&by_reference("12345678"));
    pay.expires(&by_reference("87654321"));

    tokio::time::sleep(every * 10).await;
    assert_eq!(
        pay.reads(),
        0,
        "within Pay's 90 minutes the payer may still come back: nobody is asked"
    );
    assert!(
        held(&council, &token)
            .await
            .iter()
            .all(|p| p["state"]["status"] == "created")
    );

    council.clock.advance(chrono::Duration::minutes(91));
    let mut settled = Vec::new();
    for _ in 0..100 {
        settled = held(&council, &token).await;
        if settled.iter().all(|p| p["state"]["finished"] == true) {
            break;
        }
        tokio::time::sleep(every).await;
    }
    let of = |reference: &str| {
        settled
            .iter()
            .find(|p| p["reference"] == reference)
            .cloned()
            .unwrap()
    };
    let paid = of("12345678");
    assert_eq!(paid["state"]["status"], "success", "{paid}");
    assert_eq!(paid["receipt"]["last_digits"], "4242", "{paid}");
    let walked_away = of("87654321");
    assert_eq!(
        (
            &walked_away["state"]["status"],
            &walked_away["state"]["code"]
        ),
        (&json!("failed"), &json!("P0020")),
        "{walked_away}"
    );
    let reads = pay.reads();
    assert_eq!(reads, 2, "each was asked about once");
    tokio::time::sleep(every * 5).await;
    assert_eq!(
        pay.reads(),
        reads,
        "a finished payment is never asked about again"
    );

    let changes: Value = http
        .get(format!("{}/v1/changes?since=0", council.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let told: Vec<&Value> = changes["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["entity"]["kind"] == "payment" && c["entity"]["item"]["state"]["finished"] == true
        })
        .collect();
    assert_eq!(told.len(), 2, "the device hears of both: {changes}");
    council.stop().await.unwrap();
}
