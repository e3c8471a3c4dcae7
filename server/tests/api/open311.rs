//! The Open311 face: where discovery says it is, how an `api_key` is checked, and how much of
//! the store the updates feed reads.

use doorstep_server::Config;
use reqwest::StatusCode;
use rusqlite::Connection;
use serde_json::Value;

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
    Connection::open(council.db_path())
        .unwrap()
        .execute_batch("DROP TABLE tokens")
        .unwrap();
    let failed = post(resident.token.clone()).await.unwrap();
    assert_eq!(
        failed.status(),
        StatusCode::INTERNAL_SERVER_ERROR,
        "{:?}",
        failed.text().await
    );
    council.server.stop().await.unwrap();
}
