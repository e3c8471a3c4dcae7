//! Signing in: the queue pauses when the council wants a new sign-in, and goes on after it
//! without sending anything twice.

use doorstep_core::{Error, Event, SyncState};
use doorstep_e2e::{Device, TempDir, council_dir, pothole};
use doorstep_server::{Config, Limits};

fn emailed_code(db: &std::path::Path, email: &str) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    let personalisation: String = conn
        .query_row("SELECT personalisation FROM notifications WHERE email_address = ?1 ORDER BY id DESC LIMIT 1", [email], |r| r.get(0))
        .unwrap();
    serde_json::from_str::<serde_json::Value>(&personalisation).unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A council in `dir`, its database file beside it.
async fn council_in(dir: &TempDir) -> (std::path::PathBuf, doorstep_server::RunningServer) {
    let db = dir.0.join("council.sqlite3");
    let council = doorstep_server::start(Config::new(
        db.clone(),
        "127.0.0.1:0".parse().unwrap(),
        council_dir(),
    ))
    .await
    .unwrap();
    (db, council)
}

fn reports_on(db: &std::path::Path) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM reports", [], |r| r.get(0))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_sign_in_pauses_the_queue_until_the_resident_signs_in_again() {
    let dir = TempDir::new("signin");
    let db = dir.0.join("council.sqlite3");
    let council = doorstep_server::start(Config {
        limits: Limits::default(),
        ..Config::new(db.clone(), "127.0.0.1:0".parse().unwrap(), council_dir())
    })
    .await
    .unwrap();
    let phone = Device::open(&council.url);
    let doorstep = &phone.doorstep;
    doorstep.refresh_catalogue().await.unwrap();
    let email = "resident@example.org";
    doorstep.sign_in(email).await.unwrap();
    doorstep
        .verify(email, &emailed_code(&db, email))
        .await
        .unwrap();
    assert_eq!(
        doorstep.signed_in_as().await.unwrap().as_deref(),
        Some(email)
    );

    // Half a year later the account token has expired.
    council.clock.advance(chrono::Duration::days(181));
    let mut events = doorstep.subscribe().await;
    doorstep.submit_report(pothole("")).await.unwrap();
    assert!(matches!(
        doorstep.sync_now().await,
        Err(Error::AuthRequired(_))
    ));
    assert!(
        matches!(doorstep.sync_now().await, Err(Error::AuthRequired(_))),
        "the queue stays paused"
    );
    assert_eq!(reports_on(&db), 0);
    assert_eq!(
        doorstep.outbox().await.unwrap().len(),
        1,
        "nothing is parked or lost"
    );
    let mut told = false;
    while let Ok(event) = events.try_recv() {
        told |= matches!(
            event,
            Event::Sync {
                state: SyncState::AuthRequired,
                ..
            }
        );
    }
    assert!(told, "the shells are told to ask for a sign-in");

    doorstep.sign_in(email).await.unwrap();
    doorstep
        .verify(email, &emailed_code(&db, email))
        .await
        .unwrap();
    let round = doorstep.sync_now().await.unwrap();
    assert_eq!(round.sent, 1);
    assert_eq!(reports_on(&db), 1);
    council.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_brings_the_accounts_things_from_its_other_devices() {
    let dir = TempDir::new("signin-join");
    let (db, council) = council_in(&dir).await;
    let email = "two.devices@example.org";
    let laptop = Device::open(&council.url);
    laptop.doorstep.sign_in(email).await.unwrap();
    laptop
        .doorstep
        .verify(email, &emailed_code(&db, email))
        .await
        .unwrap();
    laptop
        .doorstep
        .submit_report(pothole("seen from the laptop"))
        .await
        .unwrap();
    laptop.doorstep.sync_now().await.unwrap();

    let phone = Device::open(&council.url);
    phone
        .doorstep
        .submit_report(pothole("seen from the phone"))
        .await
        .unwrap();
    phone.doorstep.sync_now().await.unwrap();
    assert_eq!(phone.doorstep.reports().await.unwrap().len(), 1);
    phone.doorstep.sign_in(email).await.unwrap();
    phone
        .doorstep
        .verify(email, &emailed_code(&db, email))
        .await
        .unwrap();
    phone.doorstep.sync_now().await.unwrap();
    let mut seen: Vec<String> = phone
        .doorstep
        .reports()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.report.unwrap().description)
        .collect();
    seen.sort();
    assert_eq!(seen, ["seen from the laptop", "seen from the phone"]);
    council.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queue_paused_for_a_sign_in_keeps_the_device_token_however_many_rounds_run() {
    use doorstep_core::{
        SecretStore,
        secrets::{ACCOUNT_TOKEN, DEVICE_TOKEN},
    };
    let dir = TempDir::new("signin-paused");
    let (db, council) = council_in(&dir).await;
    let device_dir = TempDir::new("device");
    let secrets = std::sync::Arc::new(doorstep_core::MemorySecrets::default());
    let doorstep = Device::reopen_with(&device_dir.0, &council.url, secrets.clone());
    doorstep.refresh_catalogue().await.unwrap();
    let email = "paused@example.org";
    doorstep.sign_in(email).await.unwrap();
    doorstep
        .verify(email, &emailed_code(&db, email))
        .await
        .unwrap();
    council.clock.advance(chrono::Duration::days(181));
    doorstep.submit_report(pothole("")).await.unwrap();
    assert!(matches!(
        doorstep.sync_now().await,
        Err(Error::AuthRequired(_))
    ));
    // A sign-out that forgot the account token and then failed leaves the pause behind.
    secrets.delete(ACCOUNT_TOKEN).unwrap();
    let device_token = secrets.get(DEVICE_TOKEN).unwrap();
    assert!(device_token.is_some());
    for _ in 0..3 {
        assert!(matches!(
            doorstep.sync_now().await,
            Err(Error::AuthRequired(_))
        ));
    }
    assert_eq!(
        secrets.get(DEVICE_TOKEN).unwrap(),
        device_token,
        "the pause is not taken for a refusal of the device's token"
    );
    assert_eq!(doorstep.outbox().await.unwrap().len(), 1);
    council.stop().await.unwrap();
}
