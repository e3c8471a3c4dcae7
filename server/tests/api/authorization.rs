//! The authorization matrix: every route of the API, called by every kind of caller, answers
//! exactly the status in the table below — and a resident's private things never show in
//! another resident's answers.
//!
//! Each row runs in a world of its own on one server: Alice has a phone that never signed in
//! (its report, booking and payment are the device's) and a laptop signed in to her account
//! (its report, booking and payment are the account's); Bob has a device and an account of his
//! own; staff have a staff token. The device columns aim at Alice's phone's things, every
//! other column at her account's things. An expired token is one of Alice's account tokens past
//! its expiry; a retired one was signed out; a malformed one is not a bearer token at all.
//! For `/v1/batch` the cell is the status of the one operation inside the batch, whose own
//! answer is always 200.

use std::collections::HashMap;

use reqwest::{Method, StatusCode, redirect::Policy};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{
    bookings::{booking_body, free_sessions},
    common::{Device, TestServer, council_dir, key, pothole},
    payments::reference_for,
};

/// Who calls, in the order of the table's columns.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Caller {
    OwnerDevice,
    OtherDevice,
    OwnerAccount,
    OtherAccount,
    Staff,
    NoToken,
    Expired,
    Retired,
    Malformed,
}

const CALLERS: [Caller; 9] = [
    Caller::OwnerDevice,
    Caller::OtherDevice,
    Caller::OwnerAccount,
    Caller::OtherAccount,
    Caller::Staff,
    Caller::NoToken,
    Caller::Expired,
    Caller::Retired,
    Caller::Malformed,
];

/// Not a bearer token: another scheme altogether.
const MALFORMED: &str = "Basic ZG9vcnN0ZXA6b3BlbiBzZXNhbWU=";

/// What a route does with a body.
#[derive(Clone, Copy)]
enum Body {
    None,
    Json(fn(&Things) -> Value),
    /// A booking of a free session in a slot with room at the moment of the call.
    NewBooking,
    Photo,
    Open311Form,
    CardForm,
    Batch(fn(&Things) -> Value),
}

struct Row {
    method: Method,
    /// With `{report}`, `{reference}`, `{booking}`, `{payment}`, `{unpaid page}`,
    /// `{service}`, `{photo}`,
    /// `{uprn}`, `{postcode}` put in from the world.
    path: &'static str,
    body: Body,
    /// Answers open to anyone: another resident's 200 is no leak.
    public: bool,
    /// Owner's device, other device, owner's account, other account, staff, no token,
    /// expired, retired, malformed.
    expected: [u16; 9],
}

const RESIDENT: [u16; 9] = [200, 200, 200, 200, 403, 401, 401, 401, 401];
const RESIDENT_CREATES: [u16; 9] = [201, 201, 201, 201, 403, 401, 401, 401, 401];
const OWNER_ONLY: [u16; 9] = [200, 404, 200, 404, 403, 401, 401, 401, 401];
const STAFF_ONLY: [u16; 9] = [403, 403, 403, 403, 200, 401, 401, 401, 401];
const ANYONE: [u16; 9] = [200; 9];

fn table() -> Vec<Row> {
    use Body::*;
    let row = |method: Method, path, body, public, expected| Row {
        method,
        path,
        body,
        public,
        expected,
    };
    vec![
        row(Method::GET, "/v1/health", None, true, ANYONE),
        row(Method::GET, "/v1/council", None, true, ANYONE),
        row(Method::GET, "/v1/services", None, true, ANYONE),
        row(Method::GET, "/v1/services/pothole", None, true, ANYONE),
        row(
            Method::GET,
            "/v1/services/{service}/slots",
            None,
            true,
            ANYONE,
        ),
        row(
            Method::POST,
            "/v1/devices",
            Json(
                |_| json!({"platform": "cli", "name": "another", "device_secret": crate::common::secret()}),
            ),
            true,
            [201; 9],
        ),
        row(
            Method::POST,
            "/v1/auth/email",
            Json(
                |_| json!({"email": format!("someone-{}@example.org", uuid::Uuid::now_v7().simple())}),
            ),
            false,
            [202, 202, 202, 202, 403, 401, 401, 401, 401],
        ),
        row(
            Method::POST,
            "/v1/auth/verify",
            Json(|_| json!({"email": "nobody@example.org", "code": "000000"})),
            false,
            [422, 422, 422, 422, 403, 401, 401, 401, 401],
        ),
        row(Method::POST, "/v1/auth/signout", None, false, RESIDENT),
        row(Method::GET, "/v1/me", None, false, RESIDENT),
        row(Method::POST, "/v1/me/erase", None, false, RESIDENT),
        row(
            Method::PUT,
            "/v1/attachments/{photo}",
            Photo,
            false,
            RESIDENT_CREATES,
        ),
        row(
            Method::POST,
            "/v1/reports",
            Json(|_| pothole()),
            false,
            RESIDENT_CREATES,
        ),
        row(Method::GET, "/v1/reports", None, false, RESIDENT),
        row(Method::GET, "/v1/reports/{report}", None, false, OWNER_ONLY),
        row(
            Method::POST,
            "/v1/reports/{report}/updates",
            Json(|_| json!({"text": "Still not fixed"})),
            false,
            OWNER_ONLY,
        ),
        row(
            Method::POST,
            "/v1/bookings",
            NewBooking,
            false,
            RESIDENT_CREATES,
        ),
        row(Method::GET, "/v1/bookings", None, false, RESIDENT),
        row(
            Method::GET,
            "/v1/bookings/{booking}",
            None,
            false,
            OWNER_ONLY,
        ),
        row(
            Method::POST,
            "/v1/bookings/{booking}/cancel",
            None,
            false,
            OWNER_ONLY,
        ),
        row(
            Method::POST,
            "/v1/payments",
            Json(|_| new_payment()),
            false,
            RESIDENT_CREATES,
        ),
        row(Method::GET, "/v1/payments", None, false, RESIDENT),
        row(
            Method::GET,
            "/v1/payments/{payment}",
            None,
            false,
            OWNER_ONLY,
        ),
        row(
            Method::GET,
            "/v1/addresses?postcode={postcode}",
            None,
            true,
            ANYONE,
        ),
        row(
            Method::GET,
            "/v1/collections?uprn={uprn}",
            None,
            true,
            ANYONE,
        ),
        row(
            Method::GET,
            "/v1/collections.ics?uprn={uprn}",
            None,
            true,
            ANYONE,
        ),
        row(Method::GET, "/v1/changes", None, false, RESIDENT),
        row(
            Method::POST,
            "/v1/batch",
            Batch(|things| json!({"text": format!("Still there ({})", things.report)})),
            false,
            OWNER_ONLY,
        ),
        row(Method::GET, "/v1/staff/reports", None, false, STAFF_ONLY),
        row(
            Method::POST,
            "/v1/staff/reports/{report}/status",
            Json(|_| json!({"status": "fixed", "note": "Filled on Tuesday"})),
            false,
            STAFF_ONLY,
        ),
        row(Method::GET, "/v1/staff/bookings", None, false, STAFF_ONLY),
        row(
            Method::POST,
            "/v1/staff/payments/{payment}/refund",
            Json(|_| json!({"amount_pence": 100})),
            false,
            STAFF_ONLY,
        ),
        row(
            Method::GET,
            "/open311/v2/discovery.json",
            None,
            true,
            ANYONE,
        ),
        row(Method::GET, "/open311/v2/services.xml", None, true, ANYONE),
        row(
            Method::GET,
            "/open311/v2/services/pothole.json",
            None,
            true,
            ANYONE,
        ),
        row(Method::GET, "/open311/v2/requests.json", None, true, ANYONE),
        row(
            Method::GET,
            "/open311/v2/requests/{reference}.json",
            None,
            true,
            ANYONE,
        ),
        row(
            Method::GET,
            "/open311/v2/tokens/{report}.xml",
            None,
            true,
            ANYONE,
        ),
        row(
            Method::GET,
            "/open311/v2/servicerequestupdates.json",
            None,
            true,
            ANYONE,
        ),
        // Open311 takes its key as `api_key` in the form, and refuses a bad one with 403.
        row(
            Method::POST,
            "/open311/v2/requests.json",
            Open311Form,
            true,
            [200, 200, 200, 200, 403, 403, 403, 403, 403],
        ),
        // The provider's card page of the phone's unpaid payment: reached by its unguessable
        // link, not by a token; paying (here with a declined card) sends the payer back.
        row(
            Method::GET,
            "/sandbox/pay/{unpaid page}",
            None,
            true,
            ANYONE,
        ),
        row(
            Method::POST,
            "/sandbox/pay/{unpaid page}",
            CardForm,
            true,
            [303; 9],
        ),
    ]
}

fn new_payment() -> Value {
    json!({"purpose": "council_tax", "reference": reference_for("council_tax"), "amount_pence": 2500, "return_url": "http://127.0.0.1:9/back"})
}

/// A resident's report, booking and payment, and what a new booking would need.
#[derive(Clone)]
struct Things {
    report: String,
    reference: String,
    booking: String,
    payment: String,
    page: String,
}

impl Things {
    async fn made_by(resident: &Device) -> Things {
        let (status, report) = resident.post("/v1/reports", pothole()).await;
        assert_eq!(status, StatusCode::CREATED, "{report}");
        let (status, booking) = resident
            .post("/v1/bookings", free_booking(resident).await)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{booking}");
        let (status, payment) = resident.post("/v1/payments", new_payment()).await;
        assert_eq!(status, StatusCode::CREATED, "{payment}");
        let page = payment["next_url"].as_str().unwrap();
        Things {
            report: text(&report["id"]),
            reference: text(&report["reference"]),
            booking: text(&booking["id"]),
            payment: text(&payment["id"]),
            page: page.rsplit('/').next().unwrap().to_owned(),
        }
    }

    fn ids(&self) -> [&str; 4] {
        [&self.report, &self.reference, &self.booking, &self.payment]
    }
}

fn text(value: &Value) -> String {
    value.as_str().expect("a string").to_owned()
}

/// A booking of a free session in the slot with the most room left. Made afresh for each call,
/// because every caller of a row may take a place and a slot has only a few.
async fn free_booking(resident: &Device) -> Value {
    let service = free_sessions();
    let (status, list) = resident
        .get(&format!("/v1/services/{}/slots", service.code))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let roomiest = list["slots"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|s| s["remaining"].as_u64().unwrap_or(0))
        .expect("the service lists slots");
    assert!(
        roomiest["remaining"].as_u64().unwrap_or(0) > 0,
        "every slot is full: {list}"
    );
    booking_body(&service, roomiest["id"].as_str().unwrap())
}

/// Everyone of one row's world.
struct World {
    alice_phone: Device,
    bob_phone: Device,
    alice: Device,
    bob: Device,
    staff: Device,
    expired: String,
    retired: String,
    phone_things: Things,
    account_things: Things,
}

impl World {
    async fn new(council: &TestServer) -> World {
        let alice_phone = council.device().await;
        let phone_things = Things::made_by(&alice_phone).await;
        let alice_laptop = council.device().await;
        let email = format!("alice-{}@example.org", uuid::Uuid::now_v7().simple());
        let (alice, alice_ids) = sign_in(council, &alice_laptop, &email).await;
        let account_things = Things::made_by(&alice).await;
        pay(&alice, &account_things).await;
        let (retired, _) = sign_in(council, &council.device().await, &email).await;
        let (status, _) = retired.post("/v1/auth/signout", json!({})).await;
        assert_eq!(status, StatusCode::OK);
        let bob_phone = council.device().await;
        let bob_email = format!("bob-{}@example.org", uuid::Uuid::now_v7().simple());
        let (bob, _) = sign_in(council, &council.device().await, &bob_email).await;
        World {
            alice_phone,
            bob_phone,
            alice,
            bob,
            staff: council.staff(),
            expired: expired_token(council, &alice_ids),
            retired: retired.token,
            phone_things,
            account_things,
        }
    }

    /// The things a caller aims at: the phone's for the device columns, else the account's.
    fn target(&self, caller: Caller) -> &Things {
        match caller {
            Caller::OwnerDevice | Caller::OtherDevice => &self.phone_things,
            _ => &self.account_things,
        }
    }

    /// The `Authorization` header the caller sends, if any.
    fn authorization(&self, caller: Caller) -> Option<String> {
        let bearer = |token: &str| Some(format!("Bearer {token}"));
        match caller {
            Caller::OwnerDevice => bearer(&self.alice_phone.token),
            Caller::OtherDevice => bearer(&self.bob_phone.token),
            Caller::OwnerAccount => bearer(&self.alice.token),
            Caller::OtherAccount => bearer(&self.bob.token),
            Caller::Staff => bearer(&self.staff.token),
            Caller::NoToken => None,
            Caller::Expired => bearer(&self.expired),
            Caller::Retired => bearer(&self.retired),
            Caller::Malformed => Some(MALFORMED.to_owned()),
        }
    }

    /// Alice's private ids, which must never reach Bob.
    fn alices_ids(&self) -> Vec<&str> {
        let mut ids = self.phone_things.ids().to_vec();
        ids.extend(self.account_things.ids());
        ids
    }
}

/// Sign `device` in to `email`: the account's token, and its `(device_id, account_id)`.
async fn sign_in(council: &TestServer, device: &Device, email: &str) -> (Device, (String, String)) {
    let (status, sent) = device.post("/v1/auth/email", json!({"email": email})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
    let code = crate::residents::emailed_code(council, email);
    let (status, account) = device
        .post("/v1/auth/verify", json!({"email": email, "code": code}))
        .await;
    assert_eq!(status, StatusCode::OK, "{account}");
    let signed_in = Device {
        token: text(&account["token"]),
        ..device.clone()
    };
    (
        signed_in,
        (text(&account["device_id"]), text(&account["account_id"])),
    )
}

/// An account token of `(device_id, account_id)` that expired yesterday.
fn expired_token(council: &TestServer, (device_id, account_id): &(String, String)) -> String {
    let now = council.server.clock.now();
    council.in_store(|store| {
        doorstep_server::auth::issue_token(
            store,
            "account",
            Some(device_id),
            Some(account_id),
            Some(now - chrono::Duration::days(1)),
            now - chrono::Duration::days(181),
        )
        .unwrap()
    })
}

/// Pay for `things`' payment with the test card that succeeds, so that staff can refund it.
async fn pay(resident: &Device, things: &Things) {
    let page = format!("{}/sandbox/pay/{}", resident.url, things.page);
    let browser = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let paid = browser
        .post(&page)
        .form(&[("card_number", "4242424242424242"), ("action", "pay")])
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), StatusCode::SEE_OTHER);
    let (status, payment) = resident
        .get(&format!("/v1/payments/{}", things.payment))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(payment["state"]["status"], "success", "{payment}");
}

fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(uuid::Uuid::now_v7().as_bytes());
    bytes.extend_from_slice(&[0u8; 48]);
    bytes
}

/// One cell: the status `caller` gets for `row`, and the answer's text.
async fn call(world: &World, row: &Row, caller: Caller) -> (u16, String) {
    let things = world.target(caller);
    let profile = doorstep_server::profile::Profile::load(&council_dir()).unwrap();
    let address = &profile.gazetteer.addresses[0];
    let photo = png();
    let photo_hash = hex::encode(Sha256::digest(&photo));
    let service = free_sessions().code;
    let vars: HashMap<&str, &str> = HashMap::from([
        ("{report}", things.report.as_str()),
        ("{reference}", things.reference.as_str()),
        ("{booking}", things.booking.as_str()),
        ("{payment}", things.payment.as_str()),
        ("{unpaid page}", world.phone_things.page.as_str()),
        ("{service}", service.as_str()),
        ("{uprn}", address.uprn.as_str()),
        ("{postcode}", address.postcode.as_str()),
        ("{photo}", photo_hash.as_str()),
    ]);
    let mut path = row.path.to_owned();
    for (name, value) in &vars {
        path = path.replace(name, value);
    }
    let http = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let mut request = http
        .request(row.method.clone(), format!("{}{path}", world.staff.url))
        .header("Idempotency-Key", key());
    let authorization = world.authorization(caller);
    if let (Some(value), false) = (&authorization, matches!(row.body, Body::Open311Form)) {
        request = request.header("Authorization", value);
    }
    request = match row.body {
        Body::None => request,
        Body::Json(make) => request.json(&make(things)),
        Body::NewBooking => request.json(&free_booking(&world.alice_phone).await),
        Body::Photo => request.header("Content-Type", "image/png").body(photo),
        Body::CardForm => request.form(&[("card_number", "4000000000000002"), ("action", "pay")]),
        Body::Open311Form => {
            let mut form = vec![
                ("service_code".to_owned(), "pothole".to_owned()),
                ("lat".to_owned(), "54.7761".to_owned()),
                ("long".to_owned(), "-1.5733".to_owned()),
                (
                    "description".to_owned(),
                    "Deep pothole by the bus stop".to_owned(),
                ),
            ];
            if let Some(value) = authorization {
                let api_key = value.trim_start_matches("Bearer ").to_owned();
                form.push(("api_key".to_owned(), api_key));
            }
            for (code, answer) in crate::common::pothole_answers().as_object().unwrap() {
                let answer = answer
                    .as_str()
                    .map_or_else(|| answer.to_string(), str::to_owned);
                form.push((format!("attribute[{code}]"), answer));
            }
            request.form(&form)
        }
        Body::Batch(make) => request.json(&json!({"operations": [{
            "key": key(),
            "method": "POST",
            "path": format!("/v1/reports/{}/updates", things.report),
            "body": make(things),
        }]})),
    };
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    if matches!(row.body, Body::Batch(_)) {
        assert_eq!(
            status, 200,
            "a batch answers 200 for its operations: {body}"
        );
        let answer: Value = serde_json::from_str(&body).unwrap();
        let inner = answer["results"][0]["status"].as_u64().unwrap() as u16;
        return (inner, body);
    }
    (status, body)
}

#[tokio::test]
async fn every_route_answers_every_caller_as_the_table_says() {
    let council = TestServer::start().await;
    let mut wrong = Vec::new();
    let rows = table();
    for row in &rows {
        let world = World::new(&council).await;
        for (caller, expected) in CALLERS.iter().zip(row.expected) {
            let (status, body) = call(&world, row, *caller).await;
            if status != expected {
                wrong.push(format!(
                    "{} {} as {caller:?}: expected {expected}, got {status}: {}",
                    row.method,
                    row.path,
                    body.chars().take(200).collect::<String>()
                ));
            }
            let is_bob = matches!(caller, Caller::OtherDevice | Caller::OtherAccount);
            if is_bob && !row.public {
                for id in world.alices_ids() {
                    assert!(
                        !body.contains(id),
                        "{} {} as {caller:?} shows Alice's {id}: {body}",
                        row.method,
                        row.path
                    );
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cells differ from the table:\n{}",
        wrong.len(),
        rows.len() * CALLERS.len(),
        wrong.join("\n")
    );
}
