//! Open311 GeoReport v2 from both sides: the council server's Open311 face checked against the
//! spec's field names and formats, and the core using an Open311 council — the project's own
//! server, and recorded payloads of the kinds real servers send, hostile ones included.

use doorstep_core::{Backend, Delivery, Error};
use doorstep_e2e::{Device, TempDir, council_dir, open311::FixtureCouncil, pothole};
use doorstep_protocol::{ReportStatus, rules::GivenAnswer};
use doorstep_server::RunningServer;
use serde_json::{Value, json};

/// The project's own server, in this process on a free loopback port.
struct OwnCouncil {
    server: Option<RunningServer>,
    db: std::path::PathBuf,
    _dir: TempDir,
}

impl OwnCouncil {
    async fn start() -> OwnCouncil {
        let dir = TempDir::new("open311-council");
        let db = dir.0.join("council.sqlite3");
        let server = doorstep_server::start(doorstep_server::Config::new(
            db.clone(),
            "127.0.0.1:0".parse().unwrap(),
            council_dir(),
        ))
        .await
        .unwrap();
        OwnCouncil {
            server: Some(server),
            db,
            _dir: dir,
        }
    }

    fn url(&self) -> String {
        self.server.as_ref().unwrap().url.clone()
    }

    fn open311(&self) -> String {
        format!("{}/open311/v2", self.url())
    }

    async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await.unwrap();
        }
    }

    /// A new device's token: an api_key.
    async fn device_token(&self) -> String {
        let answer: Value = reqwest::Client::new()
            .post(format!("{}/v1/devices", self.url()))
            .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
            .json(&json!({"platform": "linux", "name": "test", "device_secret": "0123456789abcdef0123456789abcdef"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["token"].as_str().unwrap().to_owned()
    }

    /// Move a report on as the council's staff would.
    async fn set_status(&self, reference: &str, status: &str, note: &str) {
        let id: String = rusqlite::Connection::open(&self.db)
            .unwrap()
            .query_row(
                "SELECT id FROM reports WHERE reference = ?1",
                [reference],
                |r| r.get(0),
            )
            .unwrap();
        let staff = doorstep_server::db::Db::issue_staff_token(&self.db).unwrap();
        let answer = reqwest::Client::new()
            .post(format!("{}/v1/staff/reports/{id}/status", self.url()))
            .bearer_auth(staff)
            .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
            .json(&json!({"status": status, "note": note}))
            .send()
            .await
            .unwrap();
        assert!(
            answer.status().is_success(),
            "{}",
            answer.text().await.unwrap()
        );
    }
}

/// GET: status, content type, body.
async fn get(url: &str) -> (u16, String, String) {
    let answer = reqwest::get(url).await.unwrap();
    let status = answer.status().as_u16();
    let content_type = answer
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, content_type, answer.text().await.unwrap())
}

async fn get_json(url: &str) -> (u16, Value) {
    let (status, content_type, body) = get(url).await;
    assert!(
        content_type.starts_with("application/json"),
        "{url}: {content_type}"
    );
    (status, serde_json::from_str(&body).unwrap())
}

/// POST a form: status and body.
async fn post(url: &str, form: &[(&str, &str)]) -> (u16, String) {
    let answer = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            form.iter()
                .fold(
                    form_urlencoded::Serializer::new(String::new()),
                    |mut f, (k, v)| {
                        f.append_pair(k, v);
                        f
                    },
                )
                .finish(),
        )
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

const POTHOLE_FORM: &[(&str, &str)] = &[
    ("service_code", "pothole"),
    ("lat", "54.7761"),
    ("long", "-1.5733"),
    ("attribute[depth]", "deep"),
    ("attribute[width]", "small"),
    ("attribute[location_on_road]", "kerb"),
    ("description", "A hole by the kerb"),
];

fn with_key<'a>(key: &'a str, form: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = vec![("api_key", key)];
    all.extend_from_slice(form);
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_open311_face_uses_the_specs_names_in_json_and_xml() {
    let council = OwnCouncil::start().await;
    let base = council.open311();

    let (status, discovery) = get_json(&format!("{base}/discovery.json")).await;
    assert_eq!(status, 200);
    assert_eq!(discovery["endpoints"][0]["url"], base);
    assert_eq!(
        discovery["endpoints"][0]["formats"],
        json!(["text/xml", "application/json"])
    );
    let (_, content_type, xml) = get(&format!("{base}/discovery.xml")).await;
    assert!(content_type.starts_with("text/xml"));
    assert!(
        xml.contains("<discovery>") && xml.contains("<formats><format>text/xml</format>"),
        "{xml}"
    );

    let (_, services) = get_json(&format!("{base}/services.json")).await;
    let pothole = services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service_code"] == "pothole")
        .unwrap();
    for field in ["service_name", "description", "type", "keywords", "group"] {
        assert!(pothole[field].is_string(), "{field} in {pothole}");
    }
    assert_eq!(pothole["metadata"], true);
    assert!(
        !services
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["service_code"] == "bulky_waste"),
        "bookings are not Open311 services"
    );
    let (_, _, xml) = get(&format!("{base}/services.xml")).await;
    assert!(
        xml.starts_with("<?xml") && xml.contains("<services><service><service_code>"),
        "{xml}"
    );

    let (_, definition) = get_json(&format!("{base}/services/pothole.json")).await;
    assert_eq!(definition["service_code"], "pothole");
    let depth = &definition["attributes"][0];
    assert_eq!(depth["variable"], true);
    assert_eq!(depth["code"], "depth");
    assert_eq!(depth["datatype"], "singlevaluelist");
    assert_eq!(depth["required"], true);
    assert!(depth["order"].is_number());
    assert!(depth["values"][0]["key"].is_string() && depth["values"][0]["name"].is_string());
    let (_, _, xml) = get(&format!("{base}/services/pothole.xml")).await;
    assert!(xml.contains("<service_definition><service_code>pothole</service_code><attributes><attribute><variable>true</variable>"), "{xml}");

    let (status, missing) = get_json(&format!("{base}/services/no_such.json")).await;
    assert_eq!(status, 404);
    assert_eq!(missing[0]["code"], 404);
    assert!(
        missing[0]["description"]
            .as_str()
            .unwrap()
            .contains("no_such")
    );
    let (status, _, xml) = get(&format!("{base}/requests/DUR-1999-000001.xml")).await;
    assert_eq!(status, 404);
    assert!(
        xml.contains("<errors><error><code>404</code><description>"),
        "{xml}"
    );
    council.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posting_needs_a_known_key_and_says_what_to_fix() {
    let council = OwnCouncil::start().await;
    let base = council.open311();
    let requests = format!("{base}/requests.json");

    let (status, body) = post(&requests, POTHOLE_FORM).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("api_key"));
    let (status, body) = post(
        &format!("{base}/requests.xml"),
        &with_key("dsd_unknown", POTHOLE_FORM),
    )
    .await;
    assert_eq!(status, 403);
    assert!(body.contains("<errors><error><code>403</code>"), "{body}");

    let key = council.device_token().await;
    let (status, body) = post(&requests, &with_key(&key, &POTHOLE_FORM[..3])).await;
    assert_eq!(status, 400);
    assert!(
        body.contains("answers.depth"),
        "the missing answer is named: {body}"
    );
    let (status, body) = post(
        &requests,
        &[
            ("api_key", &key),
            ("service_code", "pothole"),
            ("lat", "north"),
            ("long", "1"),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert!(body.contains("lat:"), "{body}");
    let (status, body) = post(
        &requests,
        &[
            ("api_key", &key),
            ("service_code", "pothole"),
            ("lat", "51.5"),
            ("long", "-0.12"),
            ("attribute[depth]", "deep"),
            ("attribute[width]", "small"),
            ("attribute[location_on_road]", "kerb"),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body.contains("outside"),
        "a place outside the council's area is refused: {body}"
    );
    assert_eq!(
        rusqlite::Connection::open(&council.db)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM reports", [], |r| r.get::<_, i64>(0))
            .unwrap(),
        0,
        "nothing refused was kept"
    );

    let (status, body) = post(&requests, &with_key(&key, POTHOLE_FORM)).await;
    assert_eq!(status, 200, "{body}");
    let made: Value = serde_json::from_str(&body).unwrap();
    let id = made[0]["service_request_id"].as_str().unwrap().to_owned();
    let token = made[0]["token"].as_str().unwrap().to_owned();
    assert!(id.starts_with("DUR-"));
    assert!(made[0]["service_notice"].is_string());
    let (_, resolved) = get_json(&format!("{base}/tokens/{token}.json")).await;
    assert_eq!(resolved[0]["service_request_id"], id.as_str());
    let (_, _, xml) = get(&format!("{base}/requests/{id}.xml")).await;
    for element in [
        "service_request_id",
        "status",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "lat",
        "long",
    ] {
        assert!(xml.contains(&format!("<{element}>")), "{element} in {xml}");
    }
    assert!(xml.contains("<status>open</status>"));
    council.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_filter_and_never_show_who_reported_or_their_home() {
    let council = OwnCouncil::start().await;
    let base = council.open311();
    let key = council.device_token().await;
    let (_, body) = post(
        &format!("{base}/requests.json"),
        &with_key(&key, POTHOLE_FORM),
    )
    .await;
    let pothole_id = serde_json::from_str::<Value>(&body).unwrap()[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let addresses: Value =
        reqwest::get(format!("{}/v1/addresses?postcode=DH1%204RB", council.url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let home = addresses["addresses"][0]["uprn"]
        .as_str()
        .expect("the demo council has addresses at DH1 4RB")
        .to_owned();
    let missed_on = (chrono::Utc::now() - chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    let (status, body) = post(
        &format!("{base}/requests.json"),
        &[
            ("api_key", &key),
            ("service_code", "missed_bin"),
            ("address_id", &home),
            ("email", "resident@example.org"),
            ("first_name", "Ann"),
            ("last_name", "Resident"),
            ("phone", "07700900123"),
            ("attribute[bin]", "rubbish"),
            ("attribute[collection_date]", &missed_on),
            ("attribute[out_by_7am]", "yes"),
            ("attribute[bin_position]", "kerbside"),
            ("description", "Not emptied"),
        ],
    )
    .await;
    let missed_bin = if status == 200 {
        serde_json::from_str::<Value>(&body).unwrap()[0]["service_request_id"]
            .as_str()
            .unwrap()
            .to_owned()
    } else {
        let definition: Value = reqwest::get(format!("{}/v1/services/missed_bin", council.url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        panic!(
            "the property report was refused: {body}; its questions: {}",
            definition["questions"]
        );
    };

    let (_, all) = get_json(&format!("{base}/requests.json")).await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    let text = all.to_string();
    for personal in ["resident@example.org", "Ann", "07700900123", &home] {
        assert!(
            !text.contains(personal),
            "{personal} is in a public list: {text}"
        );
    }
    let property = all
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["service_request_id"] == missed_bin.as_str())
        .unwrap();
    assert!(
        property.get("lat").is_none() && property.get("address").is_none(),
        "a home's place is not shown: {property}"
    );
    let (_, _, xml) = get(&format!("{base}/requests/{missed_bin}.xml")).await;
    assert!(
        !xml.contains("<lat>") && !xml.contains("resident@example.org"),
        "{xml}"
    );

    let (_, potholes) = get_json(&format!("{base}/requests.json?service_code=pothole")).await;
    assert_eq!(potholes.as_array().unwrap().len(), 1);
    assert_eq!(potholes[0]["service_request_id"], pothole_id.as_str());
    let (_, closed) = get_json(&format!("{base}/requests.json?status=closed")).await;
    assert_eq!(closed, json!([]));
    let (_, one) = get_json(&format!(
        "{base}/requests.json?service_request_id={missed_bin}&service_code=pothole"
    ))
    .await;
    assert_eq!(
        one.as_array().unwrap().len(),
        1,
        "an id list overrides the other filters"
    );
    let (_, old) = get_json(&format!(
        "{base}/requests.json?end_date=2020-01-01T00:00:00Z"
    ))
    .await;
    assert_eq!(old, json!([]));
    let (status, too_long) = get_json(&format!(
        "{base}/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-12-01T00:00:00Z"
    ))
    .await;
    assert_eq!(status, 400);
    assert!(
        too_long[0]["description"]
            .as_str()
            .unwrap()
            .contains("90 days")
    );
    let (status, _) = get_json(&format!("{base}/requests.json?status=fixed")).await;
    assert_eq!(status, 400);

    council
        .set_status(&pothole_id, "in_progress", "Crew booked for Friday")
        .await;
    let (_, updates) = get_json(&format!("{base}/servicerequestupdates.json")).await;
    assert_eq!(updates.as_array().unwrap().len(), 1, "{updates}");
    assert_eq!(updates[0]["service_request_id"], pothole_id.as_str());
    assert_eq!(updates[0]["status"], "IN_PROGRESS");
    assert_eq!(updates[0]["description"], "Crew booked for Friday");
    assert!(updates[0]["update_id"].is_string() && updates[0]["updated_datetime"].is_string());
    let (_, _, xml) = get(&format!("{base}/servicerequestupdates.xml")).await;
    assert!(
        xml.contains("<service_request_updates><request_update><update_id>"),
        "{xml}"
    );
    council.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_made_through_either_face_is_the_same_report_in_both() {
    let council = OwnCouncil::start().await;
    let base = council.open311();
    let key = council.device_token().await;
    let http = reqwest::Client::new();
    let made: Value = http
        .post(format!("{}/v1/reports", council.url()))
        .bearer_auth(&key)
        .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
        .json(&json!({"service_code": "pothole", "description": "Made through v1", "location": {"lat": 54.7761, "lon": -1.5733},
            "answers": {"depth": "deep", "width": "small", "location_on_road": "kerb"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let reference = made["reference"].as_str().unwrap();
    let (status, seen) = get_json(&format!("{base}/requests/{reference}.json")).await;
    assert_eq!(status, 200);
    assert_eq!(seen[0]["description"], "Made through v1");

    let (_, body) = post(
        &format!("{base}/requests.json"),
        &with_key(&key, POTHOLE_FORM),
    )
    .await;
    let open311_id = serde_json::from_str::<Value>(&body).unwrap()[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mine: Value = http
        .get(format!("{}/v1/reports", council.url()))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let references: Vec<&str> = mine["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reference"].as_str().unwrap())
        .collect();
    assert_eq!(
        references,
        [open311_id.as_str(), reference],
        "the device sees both, newest first"
    );
    let answers = &mine["reports"][0]["answers"];
    assert_eq!(
        answers["depth"], "deep",
        "answers given as attribute[code] are the report's answers"
    );
    council.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_core_uses_the_councils_own_open311_face() {
    let council = OwnCouncil::start().await;
    let key = council.device_token().await;
    let phone = Device::open_with(
        &council.open311(),
        Backend::Open311 {
            api_key: Some(key),
            jurisdiction: None,
        },
    );
    let doorstep = &phone.doorstep;
    assert!(doorstep.refresh_catalogue().await.unwrap());
    let services = doorstep.services(None).await.unwrap();
    assert!(services.iter().any(|s| s.code == "pothole"));
    let found = doorstep.services(Some("pothole")).await.unwrap();
    assert_eq!(
        found[0].code, "pothole",
        "the catalogue is searchable offline"
    );
    let questions = doorstep.service("pothole").await.unwrap().questions;
    let codes: Vec<&str> = questions.iter().map(|q| q.code.as_str()).collect();
    assert_eq!(codes[..3], ["depth", "width", "location_on_road"]);

    let missing = doorstep
        .submit_report(doorstep_core::reports::ReportInput {
            answers: Default::default(),
            ..pothole("")
        })
        .await;
    assert!(
        matches!(missing, Err(Error::Invalid { .. })),
        "the questions are checked on the device"
    );
    let made = doorstep.submit_report(pothole("Deep one")).await.unwrap();
    let round = doorstep.sync_now().await.unwrap();
    assert_eq!(round.sent, 1);
    let sent = doorstep.report(&made.local_id).await.unwrap();
    assert_eq!(sent.delivery, Delivery::Sent);
    let copy = sent.report.unwrap();
    assert!(copy.reference.starts_with("DUR-"));
    assert_eq!(
        copy.description, "Deep one",
        "the marker is not shown to the resident"
    );

    council
        .set_status(&copy.reference, "action_scheduled", "Booked for Friday")
        .await;
    doorstep.sync_now().await.unwrap();
    let followed = doorstep
        .report(&made.local_id)
        .await
        .unwrap()
        .report
        .unwrap();
    assert_eq!(followed.status, ReportStatus::ActionScheduled);
    assert_eq!(
        followed.timeline.last().unwrap().note.as_deref(),
        Some("Booked for Friday")
    );
    doorstep.sync_now().await.unwrap();
    assert_eq!(
        doorstep
            .report(&made.local_id)
            .await
            .unwrap()
            .report
            .unwrap()
            .timeline,
        followed.timeline,
        "hearing it twice changes nothing"
    );

    let offers = doorstep.capabilities();
    assert!(offers.reports && !offers.bookings && !offers.payments);
    assert!(matches!(
        doorstep.slots("bulky_waste").await,
        Err(Error::NotOffered(_))
    ));
    assert!(matches!(
        doorstep.bookings().await,
        Err(Error::NotOffered(_))
    ));
    assert!(matches!(
        doorstep
            .start_payment(
                "council_tax",
                "12345678",
                100,
                "http://127.0.0.1/paid",
                None
            )
            .await,
        Err(Error::NotOffered(_))
    ));
    assert!(matches!(
        doorstep
            .add_update(&made.local_id, "Still there", true)
            .await,
        Err(Error::NotOffered(_))
    ));
    assert_eq!(
        doorstep.outbox().await.unwrap().len(),
        0,
        "nothing refused was queued"
    );
    council.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_core_reads_an_xml_only_server_that_answers_with_a_token() {
    let fixtures = FixtureCouncil::start().await;
    fixtures.serve("GET /services.xml", "services.xml");
    fixtures.serve("GET /services/001.xml", "service_001.xml");
    fixtures.serve("POST /requests.xml", "post_token.xml");
    let phone = Device::open_with(
        &fixtures.url,
        Backend::Open311 {
            api_key: Some("k".into()),
            jurisdiction: Some("city.example".into()),
        },
    );
    let doorstep = &phone.doorstep;
    doorstep.refresh_catalogue().await.unwrap();
    let names: Vec<String> = doorstep
        .services(None)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["Cans left out 24x7", "Construction plate shifted"]);
    let cans = doorstep.service("001").await.unwrap();
    assert_eq!(
        cans.questions.len(),
        1,
        "an attribute that is not variable is not asked"
    );
    assert_eq!(cans.questions[0].code, "WHISHETN");
    assert!(cans.questions[0].required);
    assert_eq!(cans.questions[0].values[1].name, "Chrysler");
    assert!(doorstep.service("002").await.unwrap().questions.is_empty());

    let mut input = pothole("Cans left out in the street");
    input.service_code = "001".into();
    input.location.lat = Some(37.762221815);
    input.location.lon = Some(-122.4651145);
    input.answers = [(
        "WHISHETN".to_owned(),
        doorstep_protocol::Answer::Text("123".into()),
    )]
    .into_iter()
    .collect();
    let made = doorstep.submit_report(input).await.unwrap();
    assert_eq!(doorstep.sync_now().await.unwrap().sent, 1);
    let posted = &fixtures.posts()[0];
    let field = |name: &str| {
        posted
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(field("attribute[WHISHETN]"), Some("123"));
    assert_eq!(field("api_key"), Some("k"));
    assert_eq!(field("jurisdiction_id"), Some("city.example"));
    assert!(field("description").unwrap().contains("[Doorstep "));
    let waiting = doorstep.report(&made.local_id).await.unwrap();
    assert_eq!(
        waiting.delivery,
        Delivery::Sent,
        "a token means the council has it"
    );
    assert_eq!(
        waiting.report.as_ref().unwrap().reference,
        "",
        "no reference yet"
    );

    fixtures.serve("GET /tokens/12345.xml", "token_12345.xml");
    fixtures.serve("GET /requests/638344.xml", "request_638344.xml");
    fixtures.serve("GET /servicerequestupdates.xml", "updates.xml");
    doorstep.sync_now().await.unwrap();
    let copy = doorstep
        .report(&made.local_id)
        .await
        .unwrap()
        .report
        .unwrap();
    assert_eq!(copy.reference, "638344");
    assert_eq!(
        copy.media_url.as_deref(),
        Some("http://city.example/media/638344.jpg")
    );
    doorstep.sync_now().await.unwrap();
    let copy = doorstep
        .report(&made.local_id)
        .await
        .unwrap()
        .report
        .unwrap();
    assert_eq!(copy.status, ReportStatus::ActionScheduled);
    let notes: Vec<(Option<ReportStatus>, Option<&str>)> = copy
        .timeline
        .iter()
        .skip(1)
        .map(|e| (e.status, e.note.as_deref()))
        .collect();
    assert_eq!(
        notes,
        [
            (
                Some(ReportStatus::Investigating),
                Some("An officer will look at it this week")
            ),
            (None, Some("Passed to our contractor")),
            (
                Some(ReportStatus::ActionScheduled),
                Some("Booked for Friday")
            ),
        ],
        "an unknown status keeps the nearest known one; another report's update is not applied"
    );
    assert_eq!(doorstep.reports().await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_core_reads_wrapped_json_with_strings_for_everything_and_polls_without_updates() {
    let fixtures = FixtureCouncil::start().await;
    fixtures.serve("GET /services.json", "services_wrapped.json");
    fixtures.serve("GET /services/4.json", "service_4.json");
    fixtures.serve("POST /requests.json", "post_id.json");
    fixtures.serve("GET /requests/293944.json", "requests_293944.json");
    let phone = Device::open_with(
        &fixtures.url,
        Backend::Open311 {
            api_key: None,
            jurisdiction: None,
        },
    );
    let doorstep = &phone.doorstep;
    doorstep.refresh_catalogue().await.unwrap();
    let codes: Vec<String> = doorstep
        .services(None)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.code)
        .collect();
    assert_eq!(
        codes,
        ["4", "5"],
        "numbers as codes are read, a service without a code is skipped"
    );
    let graffiti = doorstep.service("4").await.unwrap();
    let asked: Vec<(&str, bool)> = graffiti
        .questions
        .iter()
        .map(|q| (q.code.as_str(), q.required))
        .collect();
    assert_eq!(
        asked,
        [("surface", true), ("offensive", false), ("area_m2", false)]
    );
    assert_eq!(graffiti.questions[1].values[0].key, "1");

    let mut input = pothole("Tags on the bus shelter");
    input.service_code = "4".into();
    input.answers = doorstep
        .answers(
            "4",
            vec![
                ("surface".into(), GivenAnswer::Typed("wall,sign".into())),
                ("area_m2".into(), GivenAnswer::Typed("2".into())),
            ],
        )
        .await
        .unwrap();
    let made = doorstep.submit_report(input).await.unwrap();
    doorstep.sync_now().await.unwrap();
    let posted = &fixtures.posts()[0];
    let lists: Vec<&str> = posted
        .iter()
        .filter(|(k, _)| k == "attribute[surface][]")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(lists, ["wall", "sign"]);
    assert!(
        !posted.iter().any(|(k, _)| k == "api_key"),
        "no key configured, none sent"
    );
    let copy = doorstep
        .report(&made.local_id)
        .await
        .unwrap()
        .report
        .unwrap();
    assert_eq!(copy.reference, "293944");
    assert_eq!(
        copy.location.lat,
        Some(54.7761),
        "numbers sent as strings are read"
    );

    fixtures.serve("GET /requests.json", "requests_293944_closed.json");
    doorstep.sync_now().await.unwrap();
    let copy = doorstep
        .report(&made.local_id)
        .await
        .unwrap()
        .report
        .unwrap();
    assert_eq!(copy.status, ReportStatus::Closed);
    assert_eq!(
        copy.timeline.last().unwrap().note.as_deref(),
        Some("Painted over")
    );
    let asked_again = fixtures
        .served
        .lock()
        .unwrap()
        .gets
        .iter()
        .any(|g| g.starts_with("/requests.json?service_request_id=293944"));
    assert!(
        asked_again,
        "a server without updates is asked for the requests again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_response_is_not_submitted_twice() {
    let fixtures = FixtureCouncil::start().await;
    fixtures.serve("GET /services.json", "services_wrapped.json");
    fixtures.serve("GET /services/4.json", "service_4.json");
    fixtures.serve("POST /requests.json", "post_id.json");
    fixtures.set(|s| {
        s.list_posts = true;
        s.lose_post_answers = 1;
    });
    let phone = Device::open_with(
        &fixtures.url,
        Backend::Open311 {
            api_key: None,
            jurisdiction: None,
        },
    );
    let doorstep = &phone.doorstep;
    doorstep.refresh_catalogue().await.unwrap();
    let mut input = pothole("Tags on the bus shelter");
    input.service_code = "4".into();
    input.answers = doorstep
        .answers(
            "4",
            vec![("surface".into(), GivenAnswer::Typed("wall".into()))],
        )
        .await
        .unwrap();
    let made = doorstep.submit_report(input).await.unwrap();

    let first = doorstep.sync_now().await.unwrap();
    assert_eq!(first.waiting, 1, "the answer was lost: the report waits");
    assert_eq!(fixtures.posts().len(), 1, "but the council kept it");
    let key = doorstep.outbox().await.unwrap()[0].key.clone();
    doorstep.retry(&key).await.unwrap();
    let second = doorstep.sync_now().await.unwrap();
    assert_eq!(second.sent, 1);
    assert_eq!(
        fixtures.posts().len(),
        1,
        "the report was found by its marker, not posted again"
    );
    let copy = doorstep.report(&made.local_id).await.unwrap();
    assert_eq!(copy.delivery, Delivery::Sent);
    assert_eq!(
        copy.report.unwrap().reference,
        "5000",
        "the council's copy of the first post is adopted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_answers_give_a_clear_error_and_change_nothing() {
    let fixtures = FixtureCouncil::start().await;
    fixtures.serve("GET /services.json", "services_wrapped.json");
    fixtures.serve("GET /services/4.json", "service_4.json");
    let phone = Device::open_with(
        &fixtures.url,
        Backend::Open311 {
            api_key: None,
            jurisdiction: None,
        },
    );
    let doorstep = &phone.doorstep;
    doorstep.refresh_catalogue().await.unwrap();
    let before = doorstep.services(None).await.unwrap();

    for (file, expected) in [
        ("malformed.xml", "XML is not valid"),
        ("wrong_types.json", "no service_code"),
    ] {
        let content_type = if file.ends_with(".xml") {
            "text/xml"
        } else {
            "application/json"
        };
        fixtures.serve_bytes(
            "GET /services.json",
            content_type,
            doorstep_e2e::open311::fixture(file),
        );
        match doorstep.refresh_catalogue().await {
            Err(Error::Refused { code, message, .. }) => {
                assert_eq!(code, "unreadable_answer");
                assert!(message.contains(expected), "{file}: {message}");
            }
            other => panic!("{file}: {other:?}"),
        }
        assert_eq!(
            doorstep.services(None).await.unwrap(),
            before,
            "{file}: the catalogue held is kept whole"
        );
    }
    let huge = format!("[{}]", vec![r#"{"service_code": "x"}"#; 600_000].join(","));
    assert!(huge.len() > 9 * 1024 * 1024);
    fixtures.serve_bytes("GET /services.json", "application/json", huge.into_bytes());
    let error = doorstep.refresh_catalogue().await.unwrap_err().to_string();
    assert!(error.contains("larger than 8 MB"), "{error}");
    fixtures.serve("GET /services.json", "services_wrapped.json");
    fixtures.serve_bytes(
        "GET /services/4.json",
        "text/xml",
        b"<service_definition><attributes>".to_vec(),
    );
    assert!(
        doorstep.refresh_catalogue().await.is_err(),
        "a definition cut short fails the refresh"
    );
    assert_eq!(doorstep.services(None).await.unwrap(), before);

    fixtures.serve("GET /services/4.json", "service_4.json");
    fixtures.serve_bytes(
        "POST /requests.json",
        "application/json",
        br#"[{"service_request_id": "#.to_vec(),
    );
    fixtures.set(|s| s.list_posts = true);
    let mut input = pothole("Tags");
    input.service_code = "4".into();
    input.answers = doorstep
        .answers(
            "4",
            vec![("surface".into(), GivenAnswer::Typed("wall".into()))],
        )
        .await
        .unwrap();
    let made = doorstep.submit_report(input).await.unwrap();
    let round = doorstep.sync_now().await.unwrap();
    assert_eq!(
        (round.sent, round.waiting),
        (0, 1),
        "an answer that cannot be read is not taken as a refusal"
    );
    match &doorstep.outbox().await.unwrap()[0].state {
        doorstep_core::OutboxState::Waiting {
            last_error: Some(error),
            ..
        } => assert!(error.contains("could not be read"), "{error}"),
        other => panic!("{other:?}"),
    }
    assert!(
        doorstep
            .report(&made.local_id)
            .await
            .unwrap()
            .report
            .is_none(),
        "no half-written copy"
    );
    let key = doorstep.outbox().await.unwrap()[0].key.clone();
    doorstep.retry(&key).await.unwrap();
    doorstep.sync_now().await.unwrap();
    assert_eq!(
        fixtures.posts().len(),
        1,
        "looked for before sending again, and found"
    );
    assert_eq!(
        doorstep.report(&made.local_id).await.unwrap().delivery,
        Delivery::Sent
    );

    fixtures.serve("POST /requests.json", "errors.xml");
    let refused = doorstep.submit_report({
        let mut input = pothole("Again");
        input.service_code = "4".into();
        input.answers = doorstep
            .answers(
                "4",
                vec![("surface".into(), GivenAnswer::Typed("sign".into()))],
            )
            .await
            .unwrap();
        input
    });
    let refused = refused.await.unwrap();
    doorstep.sync_now().await.unwrap();
    assert_eq!(
        doorstep.report(&refused.local_id).await.unwrap().delivery,
        Delivery::Waiting,
        "a 200 carrying an error list is read as no answer, never as a report"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_points_at_an_open311_council_and_says_what_it_does_not_offer() {
    let fixtures = FixtureCouncil::start().await;
    fixtures.serve("GET /services.xml", "services.xml");
    fixtures.serve("GET /services/001.xml", "service_001.xml");
    let dir = TempDir::new("open311-cli");
    let run = |args: &[&str]| {
        let data_dir = dir.0.clone();
        let url = fixtures.url.clone();
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        async move {
            tokio::task::spawn_blocking(move || {
                std::process::Command::new(doorstep_e2e::binary("doorstep"))
                    .arg("--data-dir")
                    .arg(data_dir)
                    .args(["--open311", &url, "--api-key", "k"])
                    .args(args)
                    .output()
                    .unwrap()
            })
            .await
            .unwrap()
        }
    };
    let listed = run(&["services"]).await;
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    assert!(String::from_utf8_lossy(&listed.stdout).contains("Cans left out 24x7"));
    let shown = run(&["service", "001"]).await;
    assert!(String::from_utf8_lossy(&shown.stdout).contains("What is the ticket/tag/DL number?"));
    for command in [
        &["bookings"][..],
        &["slots", "bulky_waste"],
        &["pay", "council_tax", "--reference", "1", "--amount", "1.00"],
    ] {
        let refused = run(command).await;
        assert_eq!(refused.status.code(), Some(1), "{command:?}");
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(said.contains("does not offer"), "{command:?}: {said}");
    }
}
