//! Email through GOV.UK Notify: the real server, started from a deployment file whose Notify
//! key comes from the environment, sends a sign-in code to a stand-in of Notify's API; when
//! Notify is busy it waits and tries again, the resident's request never waits, the code that
//! arrives signs the resident in, a report's new status reaches the address given with it, and
//! neither a code nor an address is logged.

use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

use doorstep_e2e::{
    Deployed, Device, TempDir, council_dir, free_port, move_report, notify::Notify,
};

const TEMPLATE: &str = "f33517ff-2a88-4f6e-b855-c550268ce08a";
const STATUS_TEMPLATE: &str = "0b1e7c2a-5d3f-4e8a-9c6b-2f4d8e1a7b3c";

/// A deployment file `name` in `deployment`, its store `council.sqlite3` there, on a free port,
/// sending email through `notify` with the key in `DOORSTEP_NOTIFY_KEY`; the file and port.
fn deployment_file(deployment: &TempDir, name: &str, notify: &Notify) -> (PathBuf, u16) {
    let port = free_port();
    let file = deployment.0.join(name);
    std::fs::write(
        &file,
        format!(
            "db = \"council.sqlite3\"\nlisten = \"127.0.0.1:{port}\"\ncouncil = {:?}\n\n\
             [notify]\napi_key_env = \"DOORSTEP_NOTIFY_KEY\"\nurl = \"{}\"\n\n\
             [notify.templates]\nsign-in-code = \"{TEMPLATE}\"\nstatus-changed = \"{STATUS_TEMPLATE}\"\n",
            council_dir().display().to_string(),
            notify.url
        ),
    )
    .unwrap();
    (file, port)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_codes_and_new_statuses_reach_residents_through_notify_even_when_it_is_busy() {
    let notify = Notify::start(&[429]).await;
    let deployment = TempDir::new("notify");
    let (file, port) = deployment_file(&deployment, "council.toml", &notify);
    let log = deployment.0.join("server.log");
    let key = doorstep_e2e::notify::api_key();
    let env = [("DOORSTEP_NOTIFY_KEY", key.as_str())];
    let _serving = Deployed::start(&file, port, &deployment.0, &env, Some(&log));

    let phone = Device::open(&format!("http://127.0.0.1:{port}"));
    let email = "jane.resident@example.org";
    let asked = Instant::now();
    let sent = phone.doorstep.sign_in(email).await.unwrap();
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "the resident's request does not wait on Notify"
    );
    assert_eq!(sent.sent_to, "j***@example.org");

    let deadline = Instant::now() + Duration::from_secs(30);
    let received = loop {
        let received = notify.received();
        if received.iter().any(|r| r.status == 201) {
            break received;
        }
        assert!(
            Instant::now() < deadline,
            "Notify never took the email: {received:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        received.iter().map(|r| r.status).collect::<Vec<_>>(),
        [429, 201],
        "busy once, then taken, and sent no more: {received:?}"
    );
    let taken = &received[1].body;
    assert_eq!(taken["email_address"], email);
    assert_eq!(taken["template_id"], TEMPLATE);
    assert_eq!(
        taken["reference"], received[0].body["reference"],
        "the same email tried again"
    );
    let code = taken["personalisation"]["code"]
        .as_str()
        .expect("the code")
        .to_owned();
    assert_eq!(code.len(), 6);

    phone
        .doorstep
        .verify(email, &code)
        .await
        .expect("the emailed code signs in");
    assert_eq!(
        phone.doorstep.signed_in_as().await.unwrap().as_deref(),
        Some(email)
    );

    let conn = rusqlite::Connection::open(deployment.0.join("council.sqlite3")).unwrap();
    let (tries, sent_at, notify_id): (i64, Option<String>, Option<String>) = conn
        .query_row(
            "SELECT tries, sent_at, notify_id FROM notifications WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(tries, 2);
    assert!(
        sent_at.is_some() && notify_id.is_some(),
        "recorded as taken, under Notify's id"
    );

    // A report with an address to hear back at; the council moves it on.
    let contact = "sam.resident@example.org";
    let made = phone
        .doorstep
        .submit_report(doorstep_core::reports::ReportInput {
            contact: Some(doorstep_protocol::ContactDetails {
                email: Some(contact.to_owned()),
                ..Default::default()
            }),
            ..doorstep_e2e::pothole("Deep hole by the bus stop")
        })
        .await
        .unwrap();
    phone.doorstep.sync_now().await.unwrap();
    let sent = phone.doorstep.report(&made.local_id).await.unwrap();
    let council_copy = sent.report.expect("the council has it");
    let staff = Deployed::staff_token(&file, &env);
    let council = format!("http://127.0.0.1:{port}");
    move_report(
        &council,
        &staff,
        &council_copy.id,
        "in_progress",
        "A crew is on its way",
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let told = loop {
        if let Some(told) = notify
            .received()
            .into_iter()
            .find(|r| r.body["template_id"] == STATUS_TEMPLATE && r.status == 201)
        {
            break told.body;
        }
        assert!(
            Instant::now() < deadline,
            "no status email: {:?}",
            notify.received()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(told["email_address"], contact);
    assert_eq!(
        told["personalisation"],
        serde_json::json!({
            "reference": council_copy.reference,
            "service": "Report a pothole",
            "status": "In progress",
            "note": "A crew is on its way",
        })
    );

    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("taken by GOV.UK Notify"), "{logged}");
    assert!(
        !logged.contains(email) && !logged.contains(&code) && !logged.contains(contact),
        "neither an address nor the code is logged: {logged}"
    );
}

/// Two council servers on one store (as two instances of a council behind a load balancer):
/// both have the email outbox in front of them, and a Notify slow enough that both would send
/// the same emails, yet each email reaches Notify once, because only the holder of the email
/// lease sends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_store_send_each_email_once() {
    let notify = Notify::answering_after(&[], Duration::from_millis(300)).await;
    let deployment = TempDir::new("notify-twice");
    let key = doorstep_e2e::notify::api_key();
    let env = [("DOORSTEP_NOTIFY_KEY", key.as_str())];
    let mut servers = Vec::new();
    let mut phones = Vec::new();
    for name in ["a", "b"] {
        let (file, port) = deployment_file(&deployment, &format!("council-{name}.toml"), &notify);
        servers.push(Deployed::start(&file, port, &deployment.0, &env, None));
        phones.push(Device::open(&format!("http://127.0.0.1:{port}")));
    }
    const EMAILS: usize = 6;
    for i in 0..EMAILS {
        phones[i % 2]
            .doorstep
            .sign_in(&format!("resident{i}@example.org"))
            .await
            .unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while notify.received().len() < EMAILS {
        assert!(
            Instant::now() < deadline,
            "Notify was sent {} of {EMAILS}",
            notify.received().len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Long enough for a second sender to have sent them all again.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let received = notify.received();
    let mut references: Vec<&str> = received
        .iter()
        .map(|r| r.body["reference"].as_str().unwrap_or_default())
        .collect();
    references.sort_unstable();
    references.dedup();
    assert_eq!(
        (received.len(), references.len()),
        (EMAILS, EMAILS),
        "each email once: {received:?}"
    );
    drop(servers);
}
