//! The desktop app end to end: the real app in a real window under Xvfb, driven by WebDriver,
//! against a real council server process; axe-core on every screen, a screenshot of each
//! written to the target directory (`desktop-screens/`).

use std::path::PathBuf;

use doorstep_e2e::{Council, Device, council_dir, desktop::Desktop};
use doorstep_protocol::{Answers, Fallback};
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
    desktop
        .wait_for_text("Report a pothole: Reported with no signal")
        .await;
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

#[tokio::test(flavor = "multi_thread")]
async fn a_bulky_waste_collection_is_booked_and_its_fee_paid_in_the_payment_window() {
    let council = Council::start();
    let desktop = Desktop::start(&council.url(), &screens()).await;
    desktop.go("#/book/bulky_waste").await;
    desktop.wait_for("#slot").await;
    desktop.choose("answers-items", "sofa").await;
    desktop.choose("answers-items", "table").await;
    desktop.choose("answers-where_left", "front").await;
    desktop.wait_for_text("£26.00").await;
    let (postcode, uprn) = sample_address();
    desktop.fill("#postcode", &postcode).await;
    desktop.press("Find address").await;
    desktop.select("#uprn", &uprn).await;
    desktop.click("#slot").await;
    desktop.check_screen("book-form").await;
    desktop.press("Continue").await;
    desktop.wait_for("#check-answers").await;
    desktop.check_screen("book-check").await;
    desktop.click("#book").await;

    let reference = desktop.text("#reference").await;
    assert!(reference.starts_with("DUR-BK-"), "{reference}");
    desktop.check_screen("booked").await;
    let main = desktop.windows().await;
    desktop.click("#pay-fee").await;

    // The provider's page opens in a window of its own; the card is the sandbox's good one.
    let mut payment_window = None;
    for _ in 0..100 {
        let windows = desktop.windows().await;
        payment_window = windows.into_iter().find(|w| !main.contains(w));
        if payment_window.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let payment_window = payment_window.expect("the payment window opened");
    desktop.switch_to(&payment_window).await;
    desktop.fill("#card-number", "4242 4242 4242 4242").await;
    desktop.click("button[value=\"pay\"]").await;
    desktop.switch_to(&main[0]).await;

    let receipt = desktop.text("#receipt").await;
    assert!(!receipt.is_empty());
    desktop.check_screen("fee-paid").await;
    desktop.go("#/payments").await;
    desktop.wait_for_text("Paid").await;
    desktop.check_screen("payments").await;
    desktop.go("#/bookings").await;
    desktop.wait_for_text(&reference).await;
    desktop.wait_for_text("Confirmed").await;
    desktop.check_screen("bookings").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_booking_refused_because_the_time_was_taken_is_made_at_an_alternative() {
    let council = Council::start();
    let desktop = Desktop::start(&council.url(), &screens()).await;
    desktop.go("#/book/library_computer").await;
    desktop.click("#slot").await;
    let slot = desktop
        .run(
            "return document.getElementById('slot').value;",
            serde_json::json!([]),
        )
        .await
        .as_str()
        .unwrap()
        .to_owned();

    // Meanwhile other residents take every place at that time.
    let others = Device::open(&council.url());
    others.doorstep.refresh_catalogue().await.unwrap();
    let places = others
        .doorstep
        .slots("library_computer")
        .await
        .unwrap()
        .list
        .slots
        .into_iter()
        .find(|s| s.id == slot)
        .expect("the slot is listed")
        .remaining;
    for _ in 0..places {
        others
            .doorstep
            .book(
                "library_computer",
                &slot,
                Answers::new(),
                None,
                Fallback::None,
            )
            .await
            .unwrap();
    }
    others.doorstep.sync_now().await.unwrap();

    desktop.press("Continue").await;
    desktop.click("#book").await;
    desktop.wait_for("#alternative").await;
    desktop.wait_for_text("could not make your booking").await;
    desktop.check_screen("booking-refused").await;
    desktop.click("#alternative").await;
    desktop.click("#book-alternative").await;
    let reference = desktop.text("#reference").await;
    assert!(reference.starts_with("DUR-BK-"), "{reference}");

    desktop.go("#/outbox").await;
    desktop.wait_for_text("Nothing is waiting to send").await;
    desktop.check_screen("outbox-empty").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_other_screen_reads_well_and_passes_axe() {
    let council = Council::start();
    let desktop = Desktop::start(&council.url(), &screens()).await;
    for (route, name, words) in [
        ("#/services", "services", "Council services"),
        ("#/book", "book-services", "Book something"),
        ("#/pay", "pay", "Council Tax"),
        (
            "#/pay/council_tax",
            "pay-council-tax",
            "Council Tax account number",
        ),
        ("#/bins", "bins", "Postcode"),
        ("#/account", "account", "Sign in"),
        ("#/nowhere", "not-found", "Page not found"),
    ] {
        desktop.go(route).await;
        desktop.wait_for_text(words).await;
        desktop.check_screen(name).await;
    }
    // Bin day for the sample address.
    let (postcode, uprn) = sample_address();
    desktop.go("#/bins").await;
    desktop.fill("#postcode", &postcode).await;
    desktop.press("Find address").await;
    desktop.select("#uprn", &uprn).await;
    desktop.press("Show bin days").await;
    desktop.wait_for_text("Save to your calendar").await;
    desktop.check_screen("bins-calendar").await;
}
