//! Payments through GOV.UK Pay: the council server, given `[govuk_pay]`, makes a resident's
//! payment at a stand-in of Pay's API. Pay busy, then Pay's answer lost after it made the
//! payment: the device's retries under its one key end with the payment made the first time,
//! never a second. The payer pays; the council reads it as Pay says (a receipt with the card's
//! last digits); staff refund part of it against what Pay says is left.

use doorstep_e2e::{
    TempDir, council_dir,
    govuk_pay::{API_KEY, Next, Pay},
};
use doorstep_server::{Config, govuk_pay::Settings};
use serde_json::{Value, json};

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
    let council = doorstep_server::start(Config {
        govuk_pay: Some(Settings {
            url: pay.url.clone(),
            api_key: API_KEY.to_owned(),
        }),
        ..Config::new(db.clone(), "127.0.0.1:0".parse().unwrap(), council_dir())
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let (status, device) = send(
        http.post(format!("{}/v1/devices", council.url)),
        &uuid::Uuid::now_v7().to_string(),
        &json!({"platform": "linux", "name": "test", "device_secret": "0123456789abcdef0123456789abcdef"}),
    )
    .await;
    assert_eq!(status, 201, "{device}");
    let token = device["token"].as_str().unwrap().to_owned();

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
