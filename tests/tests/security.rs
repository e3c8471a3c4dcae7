//! What a council server keeps and writes down about a resident: its store holds no token or
//! sign-in code in clear, its log holds no personal data, and every answer carries the
//! security headers.
//!
//! Each test runs the real `doorstep-server` process on a loopback port, with its log captured,
//! and walks one resident through registering, signing in, reporting (with contact details and
//! an address), paying and the staff's reply.

use doorstep_e2e::Council;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

/// Who the resident is, as they would type it: none of it may reach the log.
const FIRST_NAME: &str = "Philippa";
const LAST_NAME: &str = "Quennell-Ashworth";
const EMAIL: &str = "philippa.quennell@example.org";
const PHONE: &str = "07700 900461";
const DESCRIPTION: &str = "Broken glass strewn outside the Quennell house";
const DEVICE_NAME: &str = "Philippa's kitchen tablet";
const NOTE: &str = "Swept up on Tuesday by the Gilesgate crew";
/// The secret the device made for its registration.
const DEVICE_SECRET: &str = "d3v1ce-s3cret-0f-the-kitchen-tablet-2b7e151628aed2a6";

/// What the journey handed out or typed: tokens, a code, an address, a payment reference.
struct Journey {
    device_token: String,
    account_token: String,
    staff_token: String,
    code: String,
    address: String,
    postcode: String,
    uprn: String,
    payment_reference: String,
}

impl Journey {
    /// Everything personal or secret, by name.
    fn secrets(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("first name", FIRST_NAME),
            ("last name", LAST_NAME),
            ("email", EMAIL),
            ("email's local part", "philippa.quennell"),
            ("phone", PHONE),
            ("phone without spaces", "07700900461"),
            ("description", DESCRIPTION),
            ("device name", DEVICE_NAME),
            ("device secret", DEVICE_SECRET),
            ("staff note", NOTE),
            ("address", &self.address),
            ("postcode", &self.postcode),
            ("uprn", &self.uprn),
            ("payment reference", &self.payment_reference),
            ("device token", &self.device_token),
            ("account token", &self.account_token),
            ("staff token", &self.staff_token),
        ]
    }
}

async fn call(
    http: &Client,
    council: &Council,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = http
        .request(method, format!("{}{path}", council.url()))
        .header("Idempotency-Key", uuid::Uuid::now_v7().to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the council answers");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn emailed_code(council: &Council) -> String {
    let conn = rusqlite::Connection::open(&council.db).unwrap();
    let personalisation: String = conn
        .query_row(
            "SELECT personalisation FROM notifications WHERE email_address = ?1 ORDER BY id DESC LIMIT 1",
            [EMAIL],
            |r| r.get(0),
        )
        .unwrap();
    serde_json::from_str::<Value>(&personalisation).unwrap()["code"]
        .as_str()
        .expect("the code waits in its email until it is used")
        .to_owned()
}

/// A resident registers, signs in, looks up an address, reports with contact details, reports
/// through Open311 with a name and phone, pays, and staff answer; a few requests go wrong.
async fn journey(council: &Council) -> Journey {
    const GET: Method = Method::GET;
    const POST: Method = Method::POST;
    let http = Client::new();
    let profile = doorstep_server::profile::Profile::load(&doorstep_e2e::council_dir()).unwrap();
    let home = profile.gazetteer.addresses[0].clone();

    let (status, device) = call(
        &http,
        council,
        POST,
        "/v1/devices",
        None,
        Some(json!({"platform": "linux", "name": DEVICE_NAME, "device_secret": DEVICE_SECRET})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{device}");
    let device_token = device["token"].as_str().unwrap().to_owned();
    let device = Some(device_token.as_str());

    let (status, _) = call(
        &http,
        council,
        POST,
        "/v1/auth/email",
        device,
        Some(json!({"email": "philippa.quennell@@example.org"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, sent) = call(
        &http,
        council,
        POST,
        "/v1/auth/email",
        device,
        Some(json!({"email": EMAIL})),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
    let code = emailed_code(council);
    let (status, _) = call(
        &http,
        council,
        POST,
        "/v1/auth/verify",
        device,
        Some(json!({"email": EMAIL, "code": "999999x"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, account) = call(
        &http,
        council,
        POST,
        "/v1/auth/verify",
        device,
        Some(json!({"email": EMAIL, "code": code})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{account}");
    let account_token = account["token"].as_str().unwrap().to_owned();
    let account = Some(account_token.as_str());

    let postcode = home.postcode.replace(' ', "%20");
    let (status, _) = call(
        &http,
        council,
        GET,
        &format!("/v1/addresses?postcode={postcode}"),
        account,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(
        &http,
        council,
        GET,
        &format!("/v1/collections?uprn={}", home.uprn),
        account,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let answers = serde_json::to_value(
        profile
            .service("pothole")
            .unwrap()
            .questions
            .iter()
            .filter(|q| q.required)
            .map(|q| (q.code.clone(), json!(q.values[0].key)))
            .collect::<serde_json::Map<_, _>>(),
    )
    .unwrap();
    let (status, report) = call(&http, council, POST, "/v1/reports", account, Some(json!({
        "service_code": "pothole",
        "description": DESCRIPTION,
        "location": {"uprn": home.uprn},
        "answers": answers,
        "contact": {"name": format!("{FIRST_NAME} {LAST_NAME}"), "email": EMAIL, "phone": PHONE},
    }))).await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let report_id = report["id"].as_str().unwrap().to_owned();
    let (status, _) = call(
        &http,
        council,
        POST,
        &format!("/v1/reports/{report_id}/updates"),
        account,
        Some(json!({"text": DESCRIPTION})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(
        &http,
        council,
        GET,
        &format!("/v1/reports/{report_id}"),
        device,
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the signed-out device no longer holds it"
    );

    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("api_key", &account_token)
        .append_pair("service_code", "pothole")
        .append_pair("address_id", &home.uprn)
        .append_pair("first_name", FIRST_NAME)
        .append_pair("last_name", LAST_NAME)
        .append_pair("email", EMAIL)
        .append_pair("phone", PHONE)
        .append_pair("description", DESCRIPTION);
    for (code, answer) in answers.as_object().unwrap() {
        form.append_pair(&format!("attribute[{code}]"), answer.as_str().unwrap());
    }
    let posted = http
        .post(format!("{}/open311/v2/requests.json", council.url()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form.finish())
        .send()
        .await
        .unwrap();
    assert_eq!(
        posted.status(),
        StatusCode::OK,
        "{}",
        posted.text().await.unwrap_or_default()
    );

    let payment_reference = "DU12345678".to_owned();
    let (status, payment) = call(&http, council, POST, "/v1/payments", account, Some(json!({
        "purpose": "parking_penalty", "reference": payment_reference, "amount_pence": 7000, "return_url": "http://127.0.0.1:9/back"
    }))).await;
    assert_eq!(status, StatusCode::CREATED, "{payment}");

    let staff_token = council.staff_token();
    let staff = Some(staff_token.as_str());
    let (status, _) = call(&http, council, GET, "/v1/staff/reports", staff, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, fixed) = call(
        &http,
        council,
        POST,
        &format!("/v1/staff/reports/{report_id}/status"),
        staff,
        Some(json!({"status": "fixed", "note": NOTE})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{fixed}");
    let (status, _) = call(
        &http,
        council,
        GET,
        "/v1/me",
        Some(&format!("{account_token}x")),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = call(&http, council, GET, "/v1/changes", account, None).await;
    assert_eq!(status, StatusCode::OK);

    Journey {
        device_token,
        account_token,
        staff_token,
        code,
        address: home.address.clone(),
        postcode: home.postcode.clone(),
        uprn: home.uprn.clone(),
        payment_reference,
    }
}

fn assert_no_secret_in(what: &str, text: &str, secrets: &[(&str, &str)]) {
    for (name, secret) in secrets {
        assert!(
            !text.to_lowercase().contains(&secret.to_lowercase()),
            "the resident's {name} ({secret}) is in the {what}"
        );
    }
}

#[tokio::test]
async fn no_personal_data_or_secret_reaches_the_log() {
    for level in ["info", "debug"] {
        let council = Council::start_logging(level, false);
        let journey = journey(&council).await;
        let log = council.log();
        assert!(
            log.contains("listening on"),
            "the server logged at {level}: {log}"
        );
        if level == "debug" {
            assert!(
                log.contains("/v1/reports/{id}"),
                "requests are logged by route: {log}"
            );
        }
        let mut secrets = journey.secrets();
        secrets.push(("sign-in code", &journey.code));
        assert_no_secret_in(&format!("log at {level}"), &log, &secrets);
    }
}

#[tokio::test]
async fn a_demo_server_logs_the_sign_in_code_and_nothing_else_of_the_resident() {
    let council = Council::start_logging("info", true);
    let journey = journey(&council).await;
    let log = council.log();
    assert!(
        log.contains(&journey.code),
        "the demo shows the code: {log}"
    );
    assert_no_secret_in("demo log", &log, &journey.secrets());
}

#[tokio::test]
async fn the_store_holds_tokens_and_codes_only_as_hashes() {
    let mut council = Council::start();
    let journey = journey(&council).await;
    council.stop();
    let mut stored = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let mut path = council.db.clone().into_os_string();
        path.push(suffix);
        stored.extend(std::fs::read(&path).unwrap_or_default());
    }
    let stored = String::from_utf8_lossy(&stored);
    for (name, token) in [
        ("device token", &journey.device_token),
        ("account token", &journey.account_token),
        ("staff token", &journey.staff_token),
    ] {
        assert!(
            !stored.contains(token.as_str()),
            "the {name} is stored in clear"
        );
        let hash = doorstep_server::auth::hash_token(token);
        assert!(
            stored.contains(&hash),
            "the {name} is stored as its SHA-256"
        );
    }
    let conn = rusqlite::Connection::open(&council.db).unwrap();
    let emails: Vec<String> = conn
        .prepare("SELECT personalisation FROM notifications")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!emails.is_empty());
    for email in emails {
        assert!(
            !email.contains(&journey.code),
            "a used sign-in code stays in its email: {email}"
        );
    }
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let council = Council::start();
    let http = Client::new();
    let (status, device) = call(
        &http,
        &council,
        Method::POST,
        "/v1/devices",
        None,
        Some(json!({"platform": "linux", "name": "t", "device_secret": DEVICE_SECRET})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let token = device["token"].as_str().unwrap();
    let (_, payment) = call(&http, &council, Method::POST, "/v1/payments", Some(token), Some(json!({
        "purpose": "parking_penalty", "reference": "DU12345678", "amount_pence": 7000, "return_url": "http://127.0.0.1:9/back"
    }))).await;
    let page = payment["next_url"]
        .as_str()
        .expect("a card page")
        .to_owned();
    let url = council.url();
    let answers = [
        http.get(format!("{url}/v1/health")).send(),
        http.get(format!("{url}/v1/me")).bearer_auth(token).send(),
        http.get(format!("{url}/v1/me")).send(),
        http.get(format!("{url}/v1/nowhere")).send(),
        http.get(format!("{url}/open311/v2/services.xml")).send(),
        http.get(page).send(),
    ];
    for answer in answers {
        let answer = answer.await.unwrap();
        let headers = answer.headers();
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
        };
        let what = answer.url().path().to_owned();
        assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
        assert_eq!(header("x-frame-options"), "DENY", "{what}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{what}");
        assert_eq!(header("cache-control"), "no-store", "{what}");
        let policy = header("content-security-policy");
        assert!(policy.contains("default-src 'none'"), "{what}: {policy}");
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{what}: {policy}"
        );
        assert!(
            !policy.contains("script-src"),
            "no script runs on a council page: {policy}"
        );
    }
}

#[test]
fn the_desktop_page_runs_under_a_strict_policy_and_only_it_holds_a_capability() {
    let app = doorstep_e2e::workspace().join("app");
    let read = |path: &std::path::Path| -> Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let config = read(&app.join("tauri.conf.json"));
    let policy = &config["app"]["security"]["csp"];
    assert!(
        policy.is_object(),
        "the desktop page has a content security policy: {policy}"
    );
    for (directive, value) in [
        ("default-src", "'self'"),
        ("script-src", "'self'"),
        ("object-src", "'none'"),
        ("base-uri", "'none'"),
        ("form-action", "'none'"),
        ("frame-ancestors", "'none'"),
    ] {
        assert_eq!(policy[directive], value, "{directive}");
    }
    let whole = policy.to_string();
    for loose in ["unsafe-inline", "unsafe-eval", "*", "https:"] {
        assert!(!whole.contains(loose), "the policy allows {loose}: {whole}");
    }
    assert_eq!(config["app"]["security"]["freezePrototype"], true);

    for capability in std::fs::read_dir(app.join("capabilities")).unwrap() {
        let path = capability.unwrap().path();
        let capability = read(&path);
        assert_eq!(
            capability["windows"],
            json!(["main"]),
            "{}: only the main window",
            path.display()
        );
        assert_eq!(
            capability["permissions"],
            json!(["core:event:allow-listen", "core:event:allow-unlisten"]),
            "{}: only listening to Doorstep's events",
            path.display()
        );
    }
}
