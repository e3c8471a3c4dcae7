//! Push to the phones: the real server, started from a deployment file with `[fcm]` (a
//! service account's key file) and `[apns]` (a `.p8` key from the environment), wakes an
//! Android phone through a stand-in of FCM and an iPhone through a stand-in of APNs when the
//! council moves their reports on. The phones' cores give their tokens in a sync round; a push
//! carries nothing but "something changed"; FCM busy once is tried again; the round the push
//! runs pulls the new status; a token APNs says is gone is forgotten; the token route refuses a bad token
//! by its field, moves a token from one device to another, and forgets it when the resident
//! is erased.

use std::time::{Duration, Instant};

use doorstep_e2e::{
    Deployed, Device, TempDir, council_dir, free_port, move_report, pothole,
    push::{Apns, Fcm, KEY_ID, TEAM_ID, TOPIC},
};
use doorstep_protocol::{PushService, ReportStatus};

const ANDROID_TOKEN: &str =
    "dQw4w9WgXcQ:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx_HyWfYfrHqnRP5cGJz0uW3e2GgE1";

fn iphone_token() -> String {
    "a1b2c3d4".repeat(8)
}

/// Wait until `done` says so, or fail saying `what` after 30 seconds.
async fn until<T>(what: &str, mut done: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(value) = done().await {
            return value;
        }
        assert!(Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_council_wakes_each_phone_through_its_push_service_with_nothing_personal() {
    let fcm = Fcm::start(&[503]).await;
    let apns = Apns::start().await;
    let deployment = TempDir::new("push");
    std::fs::write(deployment.0.join("firebase.json"), &fcm.service_account).unwrap();
    let port = free_port();
    let file = deployment.0.join("council.toml");
    std::fs::write(
        &file,
        format!(
            "db = \"council.sqlite3\"\nlisten = \"127.0.0.1:{port}\"\ncouncil = {:?}\n\n\
             [fcm]\nservice_account_file = \"firebase.json\"\nurl = \"{}\"\n\n\
             [apns]\nkey_env = \"DOORSTEP_APNS_KEY\"\nkey_id = \"{KEY_ID}\"\nteam_id = \"{TEAM_ID}\"\n\
             topic = \"{TOPIC}\"\nurl = \"{}\"\n",
            council_dir().display().to_string(),
            fcm.url,
            apns.url
        ),
    )
    .unwrap();
    let log = deployment.0.join("server.log");
    let env = [("DOORSTEP_APNS_KEY", apns.p8.as_str())];
    let _serving = Deployed::start(&file, port, &deployment.0, &env, Some(&log));
    let council = format!("http://127.0.0.1:{port}");

    let android_phone = Device::open(&council);
    let android = &android_phone.doorstep;
    android
        .register_push(PushService::Fcm, ANDROID_TOKEN)
        .await
        .unwrap();
    fcm.install(ANDROID_TOKEN);
    let iphone_phone = Device::open(&council);
    let iphone = &iphone_phone.doorstep;
    iphone
        .register_push(PushService::Apns, &iphone_token())
        .await
        .unwrap();
    let mut made = Vec::new();
    for resident in [android, iphone] {
        let report = resident
            .submit_report(pothole("Deep hole by the bus stop"))
            .await
            .unwrap();
        resident.sync_now().await.unwrap();
        let sent = resident.report(&report.local_id).await.unwrap();
        made.push((report.local_id, sent.report.expect("the council has it")));
    }
    let conn = rusqlite::Connection::open(deployment.0.join("council.sqlite3")).unwrap();
    let registered: Vec<(String, String)> = conn
        .prepare("SELECT service, token FROM push_tokens ORDER BY service")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        registered,
        [
            ("apns".to_owned(), iphone_token()),
            ("fcm".to_owned(), ANDROID_TOKEN.to_owned())
        ],
        "each phone's core gave its token in a sync round"
    );
    assert!(
        fcm.received().is_empty() && apns.received().is_empty(),
        "nothing changed yet"
    );

    // The council moves the Android resident's report on.
    let staff = Deployed::staff_token(&file, &env);
    let (android_local, android_report) = &made[0];
    move_report(
        &council,
        &staff,
        &android_report.id,
        "in_progress",
        "A crew is on its way",
    )
    .await;
    let pushed = until("FCM never took the push", async || {
        let received = fcm.received();
        received.iter().any(|r| r.status == 200).then_some(received)
    })
    .await;
    assert_eq!(
        pushed.iter().map(|r| r.status).collect::<Vec<_>>(),
        [503, 200],
        "busy once, then taken, and sent no more"
    );
    let message = &pushed[1].body["message"];
    assert_eq!(message["token"], ANDROID_TOKEN);
    assert_eq!(
        message["data"],
        serde_json::json!({"doorstep": "changed"}),
        "a push says only that something changed"
    );
    let said = pushed[1].body.to_string();
    for personal in [
        android_report.reference.as_str(),
        "in_progress",
        "crew",
        "pothole",
    ] {
        assert!(!said.contains(personal), "{personal} in {said}");
    }
    assert!(
        apns.received().is_empty(),
        "the iPhone's resident had nothing change"
    );

    // The phone's messaging service runs a round on the push, which pulls the change.
    android.sync_now().await.unwrap();
    let report = android.report(android_local).await.unwrap();
    assert_eq!(
        report.report.expect("the council's copy").status,
        ReportStatus::InProgress
    );

    // Now the iPhone resident's.
    let (_, iphone_report) = &made[1];
    move_report(
        &council,
        &staff,
        &iphone_report.id,
        "in_progress",
        "Booked in",
    )
    .await;
    let pushed = until("APNs never took the push", async || {
        let received = apns.received();
        received.iter().any(|r| r.status == 200).then_some(received)
    })
    .await;
    assert_eq!(pushed.len(), 1);
    let push = &pushed[0];
    assert_eq!(push.token, iphone_token());
    assert_eq!(push.headers["apns-push-type"], "background");
    assert_eq!(push.headers["apns-topic"], TOPIC);
    assert_eq!(
        push.body["aps"],
        serde_json::json!({"content-available": 1})
    );
    assert!(!push.body.to_string().contains(&iphone_report.reference));

    // The app is taken off the iPhone: APNs says the token is gone, and it is forgotten.
    apns.unregister(&iphone_token());
    move_report(&council, &staff, &iphone_report.id, "fixed", "Filled").await;
    until("the gone token was never forgotten", async || {
        let left: i64 = conn
            .query_row(
                "SELECT count(*) FROM push_tokens WHERE service = 'apns'",
                [],
                |r| r.get(0),
            )
            .ok()?;
        (left == 0).then_some(())
    })
    .await;
    assert_eq!(
        apns.received().iter().map(|r| r.status).collect::<Vec<_>>(),
        [200, 410]
    );
    assert_eq!(apns.provider_tokens_seen(), 1, "one provider token, reused");
    assert_eq!(fcm.access_tokens_issued(), 1, "one access token, reused");

    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        !logged.contains(ANDROID_TOKEN) && !logged.contains(&iphone_token()),
        "no token is logged: {logged}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_token_is_one_devices_and_a_bad_one_is_refused_by_its_field() {
    let council = doorstep_e2e::Council::start();
    let url = council.url();
    let register = async || {
        let answer: serde_json::Value = reqwest::Client::new()
            .post(format!("{url}/v1/devices"))
            .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
            .json(&serde_json::json!({"platform": "android", "device_secret": "s".repeat(40)}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["token"].as_str().expect("a device token").to_owned()
    };
    let owners = || -> Vec<String> {
        rusqlite::Connection::open(&council.db)
            .unwrap()
            .prepare("SELECT device_id FROM push_tokens")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let put = async |device: &str, key: &str, body: serde_json::Value| {
        reqwest::Client::new()
            .put(format!("{url}/v1/devices/me/push-token"))
            .bearer_auth(device)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
            .await
            .unwrap()
    };
    let first = register().await;
    let second = register().await;
    let token = serde_json::json!({"service": "fcm", "token": ANDROID_TOKEN});

    let refused = put(
        &first,
        "k0",
        serde_json::json!({"service": "apns", "token": "not hex"}),
    )
    .await;
    assert_eq!(refused.status(), 422);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["field"], "token", "{body}");
    let unknown = put(
        &first,
        "k1",
        serde_json::json!({"service": "pager", "token": "x"}),
    )
    .await;
    assert_eq!(unknown.status(), 400, "an unknown service is refused");
    let body: serde_json::Value = unknown.json().await.unwrap();
    assert_eq!(body["error"]["field"], "service", "{body}");

    let given = put(&first, "k2", token.clone()).await;
    assert_eq!(given.status(), 200);
    let answer: serde_json::Value = given.json().await.unwrap();
    assert_eq!(answer["service"], "fcm");
    let replayed = put(&first, "k2", token.clone()).await;
    assert_eq!(
        replayed.status(),
        200,
        "a retry under the same key is the same answer"
    );
    let other = put(
        &first,
        "k2",
        serde_json::json!({"service": "fcm", "token": "other"}),
    )
    .await;
    assert_eq!(
        other.status(),
        422,
        "the same key for another token is refused"
    );

    assert_eq!(owners().len(), 1);
    let moved = put(&second, "k3", token.clone()).await;
    let moved: serde_json::Value = moved.json().await.unwrap();
    assert_eq!(
        owners(),
        [moved["device_id"].as_str().unwrap().to_owned()],
        "the token moved to the second device"
    );

    let stopped = reqwest::Client::new()
        .delete(format!("{url}/v1/devices/me/push-token"))
        .bearer_auth(&second)
        .header("Idempotency-Key", "k4")
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.status(), 200);
    assert!(owners().is_empty());

    assert_eq!(put(&first, "k5", token.clone()).await.status(), 200);
    let mine: serde_json::Value = reqwest::Client::new()
        .get(format!("{url}/v1/me"))
        .bearer_auth(&first)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine["push_token"], token, "the resident's data includes it");
    let erased = reqwest::Client::new()
        .post(format!("{url}/v1/me/erase"))
        .bearer_auth(&first)
        .header("Idempotency-Key", "k6")
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), 200);
    assert!(
        owners().is_empty(),
        "an erased resident's phone is woken no more"
    );
}
