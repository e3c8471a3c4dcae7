//! Reports: idempotency, validation, photos, privacy between residents.

use reqwest::{Method, StatusCode};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::common::{TestServer, key, pothole};

#[tokio::test]
async fn lost_response_replay_returns_the_same_report_once() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let k = key();
    let first = resident
        .send(Method::POST, "/v1/reports", &k, pothole())
        .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: serde_json::Value = first.json().await.unwrap();
    let again = resident
        .send(Method::POST, "/v1/reports", &k, pothole())
        .await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers().get("idempotent-replayed").unwrap(), "true");
    let again: serde_json::Value = again.json().await.unwrap();
    assert_eq!(first, again);
    assert!(
        first["reference"]
            .as_str()
            .unwrap()
            .starts_with("DUR-2026-"),
        "{first}"
    );
    assert_eq!(council.stats().reports, 1);

    let mut other = pothole();
    other["description"] = json!("A different pothole");
    let (status, body) = resident.post_keyed("/v1/reports", &k, other).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "idempotency_key_reused");
    assert_eq!(council.stats().reports, 1);
}

#[tokio::test]
async fn a_report_has_a_reference_expected_date_and_timeline() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let (status, report) = resident.post("/v1/reports", pothole()).await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    assert_eq!(report["status"], "open");
    assert!(report["expected_by"].is_string());
    assert_eq!(report["timeline"].as_array().unwrap().len(), 1);
    let (status, listed) = resident.get("/v1/reports").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed["reports"][0]["id"], report["id"]);
}

#[tokio::test]
async fn bad_reports_are_refused_naming_the_field_and_nothing_is_stored() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let post_raw = |body: &'static str| {
        let resident = resident.clone();
        async move {
            let response = resident
                .http
                .post(format!("{}/v1/reports", resident.url))
                .bearer_auth(&resident.token)
                .header("Idempotency-Key", key())
                .header("Content-Type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            crate::common::answer(response).await
        }
    };
    let (status, body) = post_raw("{\"service_code\": \"pothole\", ").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("malformed_json"))
    );
    let (status, body) =
        post_raw(r#"{"service_code": "pothole", "location": {"lat": "north", "lon": 1}}"#).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("location.lat"))
    );
    let (status, body) = post_raw(r#"{"service_code": "pothole"}"#).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("location"))
    );

    let mut outside = pothole();
    outside["location"] = json!({"lat": 51.5014, "lon": -0.1419});
    let (status, body) = resident.post("/v1/reports", outside).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["field"], "location");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("outside")
    );

    let mut unknown = pothole();
    unknown["service_code"] = json!("dragon_sighting");
    let (status, body) = resident.post("/v1/reports", unknown).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("service_code"))
    );

    let mut unanswered = pothole();
    unanswered["answers"] = json!({});
    let (status, body) = resident.post("/v1/reports", unanswered).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["field"]
            .as_str()
            .unwrap()
            .starts_with("answers."),
        "{body}"
    );

    let mut bad_uprn = pothole();
    bad_uprn["location"] = json!({"uprn": "999999999999"});
    let (status, body) = resident.post("/v1/reports", bad_uprn).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("location.uprn"))
    );

    let no_key = resident
        .http
        .post(format!("{}/v1/reports", resident.url))
        .bearer_auth(&resident.token)
        .json(&pothole())
        .send()
        .await
        .unwrap();
    let (status, body) = crate::common::answer(no_key).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("idempotency_key_missing"))
    );

    assert_eq!(council.stats().reports, 0);
}

#[tokio::test]
async fn a_report_by_uprn_takes_the_address_from_the_gazetteer() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let profile = doorstep_server::profile::Profile::load(&crate::common::council_dir()).unwrap();
    let address = &profile.gazetteer.addresses[0];
    let mut report = pothole();
    report["location"] = json!({"uprn": address.uprn});
    let (status, body) = resident.post("/v1/reports", report).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["location"]["address"], address.address.as_str());
    assert_eq!(body["location"]["lat"], address.lat);
}

#[tokio::test]
async fn device_a_cannot_read_or_change_device_b_report() {
    let council = TestServer::start().await;
    let a = council.device().await;
    let b = council.device().await;
    let (_, report) = b.post("/v1/reports", pothole()).await;
    let id = report["id"].as_str().unwrap();
    let (status, body) = a.get(&format!("/v1/reports/{id}")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, _) = a
        .post(
            &format!("/v1/reports/{id}/updates"),
            json!({"text": "mine now", "reopen": true}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, listed) = a.get("/v1/reports").await;
    assert_eq!(listed["reports"].as_array().unwrap().len(), 0);
    let (_, feed) = a.get("/v1/changes").await;
    assert_eq!(feed["changes"].as_array().unwrap().len(), 0);
    let (_, theirs) = b.get(&format!("/v1/reports/{id}")).await;
    assert_eq!(
        theirs["timeline"].as_array().unwrap().len(),
        1,
        "B's report is unchanged"
    );
}

fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(&[0u8; 64]);
    bytes
}

async fn put_photo(
    resident: &crate::common::Device,
    sha: &str,
    bytes: Vec<u8>,
    content_type: &str,
) -> (StatusCode, serde_json::Value) {
    let response = resident
        .http
        .put(format!("{}/v1/attachments/{sha}", resident.url))
        .bearer_auth(&resident.token)
        .header("Idempotency-Key", key())
        .header("Content-Type", content_type)
        .body(bytes)
        .send()
        .await
        .unwrap();
    crate::common::answer(response).await
}

#[tokio::test]
async fn photos_are_checked_before_a_report_can_cite_them() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let bytes = png();
    let sha = hex::encode(Sha256::digest(&bytes));

    let mut report = pothole();
    report["attachments"] = json!([sha]);
    let (status, body) = resident.post("/v1/reports", report.clone()).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("attachments.0"))
    );

    let wrong_sha = hex::encode(Sha256::digest(b"something else"));
    let (status, body) = put_photo(&resident, &wrong_sha, bytes.clone(), "image/png").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("hash_mismatch"))
    );

    let pdf = b"%PDF-1.7 not a photo".to_vec();
    let pdf_sha = hex::encode(Sha256::digest(&pdf));
    let (status, body) = put_photo(&resident, &pdf_sha, pdf, "application/pdf").await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("body"))
    );

    let mut huge = png();
    huge.resize(10 * 1024 * 1024 + 1, 0);
    let huge_sha = hex::encode(Sha256::digest(&huge));
    let (status, body) = put_photo(&resident, &huge_sha, huge, "image/png").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large"))
    );
    assert_eq!(council.stats().attachments, 0);

    let (status, body) = put_photo(&resident, &sha, bytes, "image/png").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["content_type"], "image/png");
    let (status, body) = resident.post("/v1/reports", report).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["attachments"][0], sha.as_str());
}

#[tokio::test]
async fn still_not_fixed_reopens_a_fixed_report_and_staff_notes_reach_the_feed() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let staff = council.staff();
    let (_, report) = resident.post("/v1/reports", pothole()).await;
    let id = report["id"].as_str().unwrap();

    let (status, body) = resident.get("/v1/staff/reports").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = staff
        .post(&format!("/v1/reports/{id}/updates"), json!({"text": "x"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (_, first_feed) = resident.get("/v1/changes").await;
    let cursor = first_feed["cursor"].as_str().unwrap().to_owned();

    let (status, fixed) = staff
        .post(
            &format!("/v1/staff/reports/{id}/status"),
            json!({"status": "fixed", "note": "Filled on Tuesday"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{fixed}");
    assert_eq!(fixed["status"], "fixed");

    let (_, feed) = resident.get(&format!("/v1/changes?since={cursor}")).await;
    let changes = feed["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{feed}");
    assert_eq!(changes[0]["entity"]["kind"], "report");
    let timeline = changes[0]["entity"]["item"]["timeline"].as_array().unwrap();
    assert_eq!(timeline.last().unwrap()["note"], "Filled on Tuesday");
    assert_eq!(timeline.last().unwrap()["from"], "council");

    let (status, reopened) = resident
        .post(
            &format!("/v1/reports/{id}/updates"),
            json!({"text": "Still a hole", "reopen": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reopened["status"], "open");
    let (_, listed) = staff.get("/v1/staff/reports?status=open").await;
    assert_eq!(listed["reports"].as_array().unwrap().len(), 1);
    let (status, body) = resident
        .post(&format!("/v1/reports/{id}/updates"), json!({"text": "  "}))
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("text"))
    );
}

#[tokio::test]
async fn a_photo_damaged_on_the_way_can_be_sent_again_under_its_key() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let bytes = png();
    let sha = hex::encode(Sha256::digest(&bytes));
    let mut damaged = bytes.clone();
    damaged[20] ^= 0xFF;
    let k = key();
    let put = |body: Vec<u8>| {
        resident
            .http
            .put(format!("{}/v1/attachments/{sha}", resident.url))
            .bearer_auth(&resident.token)
            .header("Idempotency-Key", &k)
            .header("Content-Type", "image/png")
            .body(body)
            .send()
    };
    let (status, body) = crate::common::answer(put(damaged).await.unwrap()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("hash_mismatch"))
    );
    let (status, body) = crate::common::answer(put(bytes).await.unwrap()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(council.stats().attachments, 1);
}

#[tokio::test]
async fn the_residents_contact_details_are_kept_with_the_report() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let mut report = pothole();
    report["contact"] = json!({"name": "Sam", "email": "sam@example.org"});
    let (status, body) = resident.post("/v1/reports", report).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, listed) = council.staff().get("/v1/staff/reports").await;
    assert_eq!(listed["reports"][0]["contact"]["email"], "sam@example.org");
}
