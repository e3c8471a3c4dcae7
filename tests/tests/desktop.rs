//! The desktop app end to end: the real app in a real window under Xvfb, driven by WebDriver,
//! against a real council server process; axe-core on every screen, a screenshot of each
//! written to the target directory (`desktop-screens/`).

use std::path::PathBuf;

use doorstep_e2e::{Council, council_dir, desktop::Desktop};
use serde_json::Value;

fn screens() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("desktop-screens")
}

/// The first sample address of the demo gazetteer: (postcode, uprn).
fn sample_address() -> (String, String) {
    let gazetteer: Value = serde_json::from_str(
        &std::fs::read_to_string(council_dir().join("gazetteer.json")).unwrap(),
    )
    .unwrap();
    let first = &gazetteer["addresses"][0];
    (
        first["postcode"].as_str().unwrap().to_owned(),
        first["uprn"].as_str().unwrap().to_owned(),
    )
}

/// The reports the council holds, as its staff see them.
async fn council_reports(council: &Council) -> Vec<Value> {
    let list: Value = reqwest::Client::new()
        .get(format!("{}/v1/staff/reports", council.url()))
        .bearer_auth(council.staff_token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list["reports"].as_array().cloned().unwrap_or_default()
}

/// Where the resident says the pothole is.
enum Place {
    /// An address found by postcode (needs the council, or an earlier lookup).
    Postcode,
    /// Coordinates typed in (works offline).
    Coordinates,
}

/// Fill in the pothole form with good answers and a place.
async fn fill_in_pothole(desktop: &Desktop, description: &str, place: Place) {
    desktop.fill("#description", description).await;
    desktop.choose("answers-depth", "deep").await;
    desktop.choose("answers-width", "small").await;
    desktop.choose("answers-location_on_road", "kerb").await;
    match place {
        Place::Postcode => {
            let (postcode, uprn) = sample_address();
            desktop.fill("#postcode", &postcode).await;
            desktop.press("Find address").await;
            desktop.select("#uprn", &uprn).await;
        }
        Place::Coordinates => {
            desktop.press("Enter the coordinates instead").await;
            desktop.fill("#lat", "54.7761").await;
            desktop.fill("#lon", "-1.5733").await;
        }
    }
    desktop.wait_for("#chosen-location").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resident_reports_a_pothole_from_the_home_screen() {
    let council = Council::start();
    let desktop = Desktop::start(&council.url(), &screens()).await;
    assert_eq!(desktop.text("#page-title").await, "What do you need to do?");
    desktop.check_screen("home").await;

    desktop.fill("#search", "pothole").await;
    desktop.press("Search").await;
    desktop.wait_for_text("1 service matches").await;
    desktop.check_screen("home-search").await;

    desktop.press("Report a problem").await;
    desktop.wait_for_text("Roads and pavements").await;
    desktop.check_screen("report-services").await;
    desktop.press("Report a pothole").await;
    desktop.wait_for("#start").await;
    desktop.check_screen("service").await;
    desktop.press("Start now").await;
    desktop.wait_for("#description").await;
    desktop.check_screen("report-form").await;

    // Sent with nothing filled in: every problem is listed and linked to its field.
    desktop.press("Continue").await;
    desktop.press("Send report").await;
    desktop.wait_for("#error-summary").await;
    let summary = desktop.text("#error-summary").await;
    assert!(summary.contains("There is a problem"), "{summary}");
    desktop
        .wait_for("#error-summary a[href=\"#answers-depth\"]")
        .await;
    desktop.check_screen("report-errors").await;

    fill_in_pothole(&desktop, "Deep pothole outside number 4", Place::Postcode).await;
    desktop.press("Continue").await;
    desktop.wait_for("#check-answers").await;
    assert!(
        desktop
            .text("#check-answers")
            .await
            .contains("Deep pothole outside number 4")
    );
    desktop.check_screen("check-answers").await;
    desktop.press("Send report").await;

    let reference = desktop.text("#reference").await;
    assert!(reference.starts_with("DUR-"), "{reference}");
    desktop.check_screen("report-sent").await;
    let held = council_reports(&council).await;
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0]["reference"], reference.as_str());
    assert_eq!(held[0]["description"], "Deep pothole outside number 4");

    desktop.go("#/requests").await;
    desktop.wait_for_text(&reference).await;
    desktop.check_screen("requests").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_made_offline_survives_a_restart_and_is_sent_once_when_the_council_is_back() {
    let mut council = Council::start();
    let mut desktop = Desktop::start(&council.url(), &screens()).await;
    // The app has the catalogue; then the council goes away.
    desktop.go("#/report/pothole").await;
    desktop.wait_for("#description").await;
    council.stop();

    fill_in_pothole(&desktop, "Reported with no signal", Place::Coordinates).await;
    desktop.press("Continue").await;
    desktop.press("Send report").await;
    desktop.wait_for("#saved").await;
    desktop.wait_for("#offline-banner").await;
    desktop.wait_for_text("Report saved").await;
    desktop.check_screen("report-saved-offline").await;

    // Killed and opened again, offline: the report is still waiting.
    desktop.restart().await;
    desktop.go("#/requests").await;
    desktop.wait_for_text("Not sent yet").await;
    desktop.wait_for_text("Waiting to send (1)").await;
    desktop.go("#/outbox").await;
    desktop.wait_for("#send-now").await;
    desktop.check_screen("outbox-waiting").await;

    council.restart();
    desktop.click("#send-now").await;
    desktop.wait_for_text("Nothing is waiting to send").await;
    desktop.go("#/requests").await;
    desktop.wait_for_text("DUR-").await;
    let held = council_reports(&council).await;
    assert_eq!(held.len(), 1, "sent exactly once: {held:?}");
    assert_eq!(held[0]["description"], "Reported with no signal");
}
