//! The Open311 face: where discovery says it is, how an `api_key` is checked, and how much of
//! the store the updates feed reads.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use doorstep_server::Config;
use doorstep_server::sql::{Sql, params};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{TestServer, pothole_answers};

#[tokio::test]
async fn discovery_names_the_configured_public_address_not_the_callers_host() {
    let council = TestServer::start_configured(|config| Config {
        public_url: Some("https://doorstep.example.gov.uk/council".to_owned()),
        ..config
    })
    .await;
    let response = council
        .http
        .get(format!("{}/open311/v2/discovery.json", council.url))
        .header("Host", "somewhere-else.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let discovery: Value = response.json().await.unwrap();
    assert_eq!(
        discovery["endpoints"][0]["url"],
        "https://doorstep.example.gov.uk/council/open311/v2"
    );
    council.server.stop().await.unwrap();
}

/// A new pothole request in Open311's form, with `api_key`.
fn open311_form(api_key: &str) -> Vec<(String, String)> {
    let mut form = vec![
        ("api_key".to_owned(), api_key.to_owned()),
        ("service_code".to_owned(), "pothole".to_owned()),
        ("lat".to_owned(), "54.7761".to_owned()),
        ("long".to_owned(), "-1.5733".to_owned()),
        ("description".to_owned(), "Deep pothole".to_owned()),
    ];
    for (code, answer) in pothole_answers().as_object().unwrap() {
        let answer = answer
            .as_str()
            .map_or_else(|| answer.to_string(), str::to_owned);
        form.push((format!("attribute[{code}]"), answer));
    }
    form
}

#[tokio::test]
async fn an_api_key_the_store_cannot_check_is_a_server_failure_not_an_unknown_key() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let post = |api_key: String| {
        council
            .http
            .post(format!("{}/open311/v2/requests.json", council.url))
            .form(&open311_form(&api_key))
            .send()
    };
    let unknown = post("dsd_not_a_token".to_owned()).await.unwrap();
    assert_eq!(unknown.status(), StatusCode::FORBIDDEN);
    // The store can no longer read tokens at all.
    council.in_store(|store| store.execute_batch("DROP TABLE tokens").unwrap());
    let failed = post(resident.token.clone()).await.unwrap();
    assert_eq!(
        failed.status(),
        StatusCode::INTERNAL_SERVER_ERROR,
        "{:?}",
        failed.text().await
    );
    council.server.stop().await.unwrap();
}

/// A report with one note from the council; returns the report's id and when the note was made.
async fn report_with_a_council_note(council: &TestServer) -> (String, DateTime<Utc>) {
    let resident = council.device().await;
    let (status, report) = resident.post("/v1/reports", crate::common::pothole()).await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let id = report["id"].as_str().unwrap().to_owned();
    let (status, noted) = council
        .staff()
        .post(
            &format!("/v1/staff/reports/{id}/status"),
            json!({"status": "in_progress", "note": "On our list"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{noted}");
    let at = noted["timeline"].as_array().unwrap().last().unwrap()["at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    (id, at)
}

/// Put a row in the reports table that the server cannot read as a report (valid JSON, with a
/// timeline holding one council entry at `noted`), made at `made`: if the updates feed reads
/// it, its answer fails.
fn unreadable_report(conn: &dyn Sql, like: &str, made: DateTime<Utc>, noted: DateTime<Utc>) {
    let body = json!({"timeline": [{"at": noted, "from": "council", "note": "?"}]});
    conn.execute(
        "INSERT INTO reports (id, reference, device_id, account_id, service_code, status, body, created_at, updated_at)
         SELECT 'unreadable', 'DUR-UNREADABLE', device_id, account_id, service_code, status, ?2, ?3, ?3
         FROM reports WHERE id = ?1",
        params![like, body.to_string(), made.to_rfc3339()],
    )
    .unwrap();
}

async fn updates_between(
    council: &TestServer,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> (StatusCode, Value) {
    let at = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    council
        .get(&format!(
            "/open311/v2/servicerequestupdates.json?start_date={}&end_date={}",
            at(start),
            at(end)
        ))
        .await
}

#[tokio::test]
async fn the_updates_feed_reads_no_report_made_after_its_end_date() {
    let council = TestServer::start().await;
    let (id, noted) = report_with_a_council_note(&council).await;
    let later = noted + Duration::days(2);
    council.in_store(|store| unreadable_report(store, &id, later, later));
    let (status, updates) = updates_between(
        &council,
        noted - Duration::hours(1),
        noted + Duration::hours(1),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updates}");
    assert_eq!(updates.as_array().unwrap().len(), 1);
    assert_eq!(updates[0]["description"], "On our list");
    council.server.stop().await.unwrap();
}

#[tokio::test]
async fn the_updates_feed_reads_no_more_updates_than_the_thousand_it_gives() {
    let council = TestServer::start().await;
    let (id, noted) = report_with_a_council_note(&council).await;
    council.in_store(|store| {
        let body: String = store
            .query_row("SELECT body FROM reports WHERE id = ?1", params![id], |r| {
                r.get(0)
            })
            .unwrap();
        // 999 more reports, each with the same council note.
        store.execute_batch("BEGIN").unwrap();
        for i in 1..=999 {
            let mut copy: Value = serde_json::from_str(&body).unwrap();
            copy["id"] = json!(format!("copy{i}"));
            copy["reference"] = json!(format!("DUR-COPY-{i}"));
            store
                .execute(
                    "INSERT INTO reports (id, reference, device_id, account_id, service_code, status, body, created_at, updated_at)
                     SELECT ?2, ?3, device_id, account_id, service_code, status, ?4, created_at, updated_at
                     FROM reports WHERE id = ?1",
                    params![id, format!("copy{i}"), format!("DUR-COPY-{i}"), copy.to_string()],
                )
                .unwrap();
        }
        store.execute_batch("COMMIT").unwrap();
        // The 1001st update, later than the others: past the cap, so never read.
        let after = noted + Duration::minutes(1);
        unreadable_report(store, &id, after, after);
    });
    let (status, updates) = updates_between(
        &council,
        noted - Duration::hours(1),
        noted + Duration::hours(1),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updates}");
    let updates = updates.as_array().unwrap();
    assert_eq!(updates.len(), 1000);
    assert!(updates.iter().all(|u| u["description"] == "On our list"));
    council.server.stop().await.unwrap();
}
