//! A resident's device as the shells use it: background sync, photos, drafts, export and erase.

use std::{sync::Arc, time::Duration};

use doorstep_core::{Config, Delivery, Doorstep, MemorySecrets};
use doorstep_e2e::{Council, Device, TempDir, pothole};
use doorstep_protocol::Location;
use serde_json::json;

/// A JPEG with an EXIF segment that names a home's position.
fn photo_with_location() -> Vec<u8> {
    let image = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(80, 60, |x, y| {
        image::Rgb([x as u8, y as u8, 120])
    }));
    let mut jpeg = Vec::new();
    image
        .write_to(
            &mut std::io::Cursor::new(&mut jpeg),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    let payload = b"Exif\0\0MM\0*GPSLatitude 54.7761 GPSLongitude -1.5733";
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_sync_sends_what_is_queued_without_being_asked() {
    let council = Council::start();
    let dir = TempDir::new("background");
    let doorstep = Doorstep::open(Config {
        data_dir: dir.0.clone(),
        council_url: council.url(),
        backend: doorstep_core::Backend::Doorstep,
        secrets: Arc::new(MemorySecrets::default()),
        platform: "linux".into(),
        device_name: "test".into(),
        background_sync: true,
    })
    .unwrap();
    let made = doorstep.submit_report(pothole("")).await.unwrap();
    let mut waited = Duration::ZERO;
    while doorstep.report(&made.local_id).await.unwrap().delivery != Delivery::Sent {
        assert!(
            waited < Duration::from_secs(10),
            "the background task did not send the report"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += Duration::from_millis(50);
    }
    assert_eq!(council.stats()["reports"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_reaches_the_council_without_its_location_data() {
    let council = Council::start();
    let phone = Device::open(&council.url());
    phone.doorstep.refresh_catalogue().await.unwrap();
    let mut input = pothole("");
    input.photos = vec![photo_with_location()];
    let made = phone.doorstep.submit_report(input).await.unwrap();
    let outbox = phone.doorstep.outbox().await.unwrap();
    assert_eq!(
        outbox.len(),
        2,
        "the photo goes before its report, in one chain"
    );
    assert_eq!(outbox[0].chain, outbox[1].chain);
    assert_eq!(phone.doorstep.sync_now().await.unwrap().sent, 2);
    let sent = phone
        .doorstep
        .report(&made.local_id)
        .await
        .unwrap()
        .report
        .unwrap();
    assert_eq!(sent.attachments.len(), 1);
    let conn = rusqlite::Connection::open(&council.db).unwrap();
    let bytes: Vec<u8> = conn
        .query_row(
            "SELECT bytes FROM attachments WHERE sha256 = ?1",
            [&sent.attachments[0]],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        !bytes.windows(4).any(|w| w == b"Exif"),
        "no EXIF at the council"
    );
    assert!(!bytes.windows(11).any(|w| w == b"GPSLatitude"));
    let on_device: i64 = rusqlite::Connection::open(phone.dir.0.join("doorstep.sqlite3"))
        .unwrap()
        .query_row("SELECT COUNT(*) FROM photos", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        on_device, 0,
        "the device keeps no copy once the photo is uploaded"
    );

    let mut not_a_photo = pothole("");
    not_a_photo.photos = vec![b"%PDF-1.7".to_vec()];
    let refused = phone.doorstep.submit_report(not_a_photo).await.unwrap_err();
    assert!(
        matches!(&refused, doorstep_core::Error::Invalid { problems } if problems[0].field == "photos.0"),
        "{refused}"
    );
    assert!(
        phone.doorstep.outbox().await.unwrap().is_empty(),
        "nothing was queued"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_on_the_device_before_anything_is_queued() {
    let council = Council::start();
    let phone = Device::open(&council.url());
    phone.doorstep.refresh_catalogue().await.unwrap();
    let mut outside = pothole("");
    outside.location = Location {
        lat: Some(51.5),
        lon: Some(-0.12),
        ..Location::default()
    };
    let mut unanswered = pothole("");
    unanswered.answers.clear();
    let mut unknown = pothole("");
    unknown.service_code = "dragon_sighting".into();
    for (input, field) in [
        (outside, "location"),
        (unanswered, "answers.depth"),
        (unknown, "service_code"),
    ] {
        match phone.doorstep.submit_report(input).await {
            Err(doorstep_core::Error::Invalid { problems }) => {
                assert!(problems.iter().any(|p| p.field == field), "{problems:?}")
            }
            other => panic!("expected {field} to be refused, got {other:?}"),
        }
    }
    let refused = phone
        .doorstep
        .start_payment("council_tax", "12", 100, "http://127.0.0.1:9/", None)
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, doorstep_core::Error::Invalid { problems } if problems[0].field == "reference"),
        "{refused}"
    );
    let refused = phone
        .doorstep
        .book(
            "library_computer",
            "not-a-slot",
            Default::default(),
            None,
            Default::default(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, doorstep_core::Error::Invalid { problems } if problems[0].field == "slot_id"),
        "{refused}"
    );
    assert!(phone.doorstep.outbox().await.unwrap().is_empty());
    assert!(phone.doorstep.reports().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_survive_a_restart_and_erase_leaves_nothing_behind() {
    let council = Council::start();
    let phone = Device::open(&council.url());
    let id = phone
        .doorstep
        .save_draft(
            None,
            "report",
            json!({"service_code": "pothole", "description": "half-typ"}),
        )
        .await
        .unwrap();
    phone
        .doorstep
        .save_draft(
            Some(&id),
            "report",
            json!({"service_code": "pothole", "description": "half-typed"}),
        )
        .await
        .unwrap();
    phone.doorstep.submit_report(pothole("")).await.unwrap();
    phone.doorstep.sync_now().await.unwrap();

    let reopened = Device::reopen(&phone.dir.0, &council.url());
    let drafts = reopened.drafts().await.unwrap();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].body["description"], "half-typed");

    let exported = phone.doorstep.export().await.unwrap();
    assert_eq!(exported["reports"].as_array().unwrap().len(), 1);
    assert!(
        !exported.to_string().contains("dsd_"),
        "no token in an export"
    );
    phone.doorstep.erase().await.unwrap();
    assert!(phone.doorstep.reports().await.unwrap().is_empty());
    assert!(phone.doorstep.drafts().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checking_a_payment_keeps_a_newer_copy_and_tells_the_shells_when_it_changes() {
    let council = Council::start();
    let phone = Device::open(&council.url());
    let doorstep = &phone.doorstep;
    doorstep.refresh_catalogue().await.unwrap();
    let started = doorstep
        .start_payment(
            "council_tax",
            "12345678",
            1_000,
            "http://127.0.0.1:9/",
            None,
        )
        .await
        .unwrap();
    doorstep.sync_now().await.unwrap();
    // The change feed has brought a newer copy between the check's question and its answer:
    // the resident has begun to pay.
    let store = rusqlite::Connection::open(phone.dir.0.join("doorstep.sqlite3")).unwrap();
    store
        .execute(
            "UPDATE items SET server = json_set(server, '$.state.status', 'started',
                                                '$.updated_at', '2999-01-01T00:00:00Z')
             WHERE local_id = ?1",
            [&started.local_id],
        )
        .unwrap();
    let mut events = doorstep.subscribe().await;
    let checked = doorstep.refresh_payment(&started.local_id).await.unwrap();
    assert_eq!(
        checked.payment.unwrap().state.status.as_str(),
        "started",
        "an older copy from the council does not undo a newer one"
    );
    // And a change the council has made reaches the shells as an event.
    store
        .execute(
            "UPDATE items SET server = json_set(server, '$.updated_at', '2000-01-01T00:00:00Z')
             WHERE local_id = ?1",
            [&started.local_id],
        )
        .unwrap();
    while events.try_recv().is_ok() {}
    let checked = doorstep.refresh_payment(&started.local_id).await.unwrap();
    assert_eq!(checked.payment.unwrap().state.status.as_str(), "created");
    let mut told = false;
    while let Ok(event) = events.try_recv() {
        told |= matches!(&event, doorstep_core::Event::ItemChanged { local_id, .. } if *local_id == started.local_id);
    }
    assert!(told, "the shells hear that the payment changed");
}
