//! Bookings: capacity under concurrency, fallbacks, alternatives, cut-offs.

use doorstep_protocol::{Fee, ServiceDefinition};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Device, TestServer, council_dir, required_answers};

/// The first bookable service of the Durham profile that matches.
pub fn bookable(matches: impl Fn(&ServiceDefinition) -> bool) -> ServiceDefinition {
    let profile = doorstep_server::profile::Profile::load(&council_dir()).unwrap();
    profile
        .services
        .iter()
        .find(|s| s.booking.is_some() && matches(s))
        .cloned()
        .expect("a bookable service of that kind")
}

/// A free service with hourly (or shorter) slots, like a library computer session.
pub fn free_sessions() -> ServiceDefinition {
    bookable(|s| {
        s.fee.is_none()
            && s.booking
                .as_ref()
                .is_some_and(|b| b.slot_minutes.is_some() && !b.needs_location && b.capacity >= 2)
    })
}

pub fn booking_body(service: &ServiceDefinition, slot_id: &str) -> Value {
    let mut body = json!({"service_code": service.code, "slot_id": slot_id, "answers": required_answers(&service.code)});
    if service.booking.as_ref().unwrap().needs_location {
        let profile = doorstep_server::profile::Profile::load(&council_dir()).unwrap();
        body["location"] = json!({"uprn": profile.gazetteer.addresses[0].uprn});
    }
    body
}

pub async fn slots(device: &Device, code: &str) -> Vec<Value> {
    let (status, list) = device.get(&format!("/v1/services/{code}/slots")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["slots"].as_array().unwrap().clone()
}

#[tokio::test]
async fn many_residents_racing_for_one_slot_get_exactly_its_capacity() {
    let council = TestServer::start().await;
    let service = free_sessions();
    let capacity = service.booking.as_ref().unwrap().capacity as usize;
    let first = council.device().await;
    let slot = slots(&first, &service.code).await[0].clone();
    let slot_id = slot["id"].as_str().unwrap().to_owned();
    let mut residents = vec![first];
    for _ in 1..capacity * 3 {
        residents.push(council.device().await);
    }
    let tasks: Vec<_> = residents
        .into_iter()
        .map(|resident| {
            let body = booking_body(&service, &slot_id);
            tokio::spawn(async move { resident.post("/v1/bookings", body).await })
        })
        .collect();
    let mut confirmed = 0;
    let mut refused = 0;
    for task in tasks {
        let (status, body) = task.await.unwrap();
        match status {
            StatusCode::CREATED => confirmed += 1,
            StatusCode::CONFLICT => {
                assert_eq!(body["error"]["code"], "slot_unavailable");
                assert!(!body["error"]["alternatives"].as_array().unwrap().is_empty());
                refused += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((confirmed, refused), (capacity, capacity * 2));
    assert_eq!(
        council.stats().bookings.get("confirmed").copied(),
        Some(capacity as u64)
    );
    let after = council.device().await;
    let listed = slots(&after, &service.code).await;
    assert_eq!(
        listed.iter().find(|s| s["id"] == slot_id.as_str()).unwrap()["remaining"],
        0
    );
}

#[tokio::test]
async fn a_full_slot_falls_back_to_the_next_one_when_asked() {
    let council = TestServer::start().await;
    let service = free_sessions();
    let capacity = service.booking.as_ref().unwrap().capacity as usize;
    let resident = council.device().await;
    let slot_id = slots(&resident, &service.code).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..capacity {
        let (status, body) = resident
            .post("/v1/bookings", booking_body(&service, &slot_id))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, refused) = resident
        .post("/v1/bookings", booking_body(&service, &slot_id))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let alternative = refused["error"]["alternatives"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(alternative, slot_id);

    let mut with_fallback = booking_body(&service, &slot_id);
    with_fallback["fallback"] = json!("next_available");
    let (status, booking) = resident.post("/v1/bookings", with_fallback).await;
    assert_eq!(status, StatusCode::CREATED, "{booking}");
    assert_eq!(booking["requested_slot_id"], slot_id.as_str());
    assert_ne!(booking["slot_id"], slot_id.as_str());
    let site = slot_id.split('/').next().unwrap();
    assert!(
        booking["slot_id"].as_str().unwrap().starts_with(site),
        "same site: {booking}"
    );
}

#[tokio::test]
async fn cancelling_frees_the_place_until_the_cut_off() {
    let council = TestServer::start().await;
    let service = free_sessions();
    let resident = council.device().await;
    let all = slots(&resident, &service.code).await;
    let slot = &all[all.len() / 2];
    let slot_id = slot["id"].as_str().unwrap();
    let before = slot["remaining"].as_u64().unwrap();
    let (_, booking) = resident
        .post("/v1/bookings", booking_body(&service, slot_id))
        .await;
    let id = booking["id"].as_str().unwrap();
    let remaining = |list: Vec<Value>| {
        list.iter().find(|s| s["id"] == slot_id).unwrap()["remaining"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(remaining(slots(&resident, &service.code).await), before - 1);
    let (status, cancelled) = resident
        .post(&format!("/v1/bookings/{id}/cancel"), json!(null))
        .await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(remaining(slots(&resident, &service.code).await), before);

    let (_, late) = resident
        .post("/v1/bookings", booking_body(&service, slot_id))
        .await;
    let cancel_until =
        chrono::DateTime::parse_from_rfc3339(late["cancel_until"].as_str().unwrap()).unwrap();
    let wait = cancel_until.with_timezone(&chrono::Utc) - council.server.clock.now()
        + chrono::Duration::minutes(1);
    council.server.clock.advance(wait);
    let (status, body) = resident
        .post(
            &format!("/v1/bookings/{}/cancel", late["id"].as_str().unwrap()),
            json!(null),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("too_late_to_cancel"))
    );
}

#[tokio::test]
async fn a_booking_with_bad_input_is_refused_naming_the_field() {
    let council = TestServer::start().await;
    let service = free_sessions();
    let resident = council.device().await;
    let (status, body) = resident
        .post(
            "/v1/bookings",
            booking_body(&service, "nowhere/2026-12-01T09:00"),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("slot_id"))
    );
    let (status, body) = resident
        .post(
            "/v1/bookings",
            json!({"service_code": "pothole", "slot_id": "x/2026-12-01T09:00"}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("service_code"))
    );
    let (status, _) = resident.get("/v1/services/pothole/slots").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(council.stats().bookings.is_empty());
}

#[tokio::test]
async fn a_booking_with_a_fee_waits_for_its_payment() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let (_, _, booking) = book_with_fee(&resident).await;
    assert_eq!(booking["status"], "awaiting_payment");
    assert!(booking["fee_pence"].as_u64().unwrap() > 0);
    assert!(booking["location"]["address"].is_string());
    let fee = booking["fee_pence"].as_u64().unwrap();
    let reference = booking["reference"].as_str().unwrap();

    let (status, body) = resident
        .post("/v1/payments", json!({"purpose": "booking_fee", "reference": reference, "amount_pence": fee + 1, "return_url": "http://127.0.0.1:9/back"}))
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("amount_pence"))
    );
    let stranger = council.device().await;
    let (status, body) = stranger
        .post("/v1/payments", json!({"purpose": "booking_fee", "reference": reference, "amount_pence": fee, "return_url": "http://127.0.0.1:9/back"}))
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reference"))
    );

    let payment = crate::payments::pay(
        &council,
        &resident,
        "booking_fee",
        reference,
        fee,
        "4242424242424242",
    )
    .await;
    assert_eq!(payment["state"]["status"], "success");
    let (_, paid) = resident
        .get(&format!("/v1/bookings/{}", booking["id"].as_str().unwrap()))
        .await;
    assert_eq!(paid["status"], "confirmed");
    let (_, feed) = resident.get("/v1/changes").await;
    let last_booking = feed["changes"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|c| c["entity"]["kind"] == "booking")
        .unwrap();
    assert_eq!(last_booking["entity"]["item"]["status"], "confirmed");
    let (status, body) = resident
        .post("/v1/payments", json!({"purpose": "booking_fee", "reference": reference, "amount_pence": fee, "return_url": "http://127.0.0.1:9/back"}))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_paid"))
    );
}

#[tokio::test]
async fn an_unpaid_booking_gives_its_place_back_after_the_hold() {
    let council = TestServer::start().await;
    let service = bookable(|s| matches!(s.fee, Some(Fee::Bands { .. })));
    let resident = council.device().await;
    let slot = slots(&resident, &service.code).await[0].clone();
    let slot_id = slot["id"].as_str().unwrap().to_owned();
    let (_, booking) = resident
        .post("/v1/bookings", booking_body(&service, &slot_id))
        .await;
    let remaining = |list: Vec<Value>| {
        list.iter().find(|s| s["id"] == slot_id.as_str()).unwrap()["remaining"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(
        remaining(slots(&resident, &service.code).await),
        slot["remaining"].as_u64().unwrap() - 1
    );

    council.server.clock.advance(chrono::Duration::minutes(91));
    // The next booking for the service releases the hold before it counts places.
    let (status, _) = council
        .device()
        .await
        .post("/v1/bookings", booking_body(&service, &slot_id))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, held) = resident
        .get(&format!("/v1/bookings/{}", booking["id"].as_str().unwrap()))
        .await;
    assert_eq!(held["status"], "cancelled");
    let (_, feed) = resident.get("/v1/changes").await;
    assert_eq!(
        feed["changes"].as_array().unwrap().last().unwrap()["entity"]["item"]["status"],
        "cancelled"
    );
    let fee = booking["fee_pence"].as_u64().unwrap();
    let (status, body) = resident
        .post("/v1/payments", json!({"purpose": "booking_fee", "reference": booking["reference"], "amount_pence": fee, "return_url": "http://127.0.0.1:9/back"}))
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reference")),
        "{body}"
    );
}

#[tokio::test]
async fn one_open_fee_payment_at_a_time_and_no_cancelling_under_it() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let (_, _, booking) = book_with_fee(&resident).await;
    let fee = fee_payment(&booking);
    let (status, _) = resident.post("/v1/payments", fee.clone()).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = resident.post("/v1/payments", fee).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("payment_in_progress"))
    );
    let (status, body) = resident
        .post(
            &format!("/v1/bookings/{}/cancel", booking["id"].as_str().unwrap()),
            json!(null),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("payment_in_progress"))
    );
    assert_eq!(council.stats().payments.get("created"), Some(&1));
}

#[tokio::test]
async fn fee_payments_for_one_booking_sent_at_once_make_one() {
    const ROUNDS: usize = 20;
    const AT_ONCE: usize = 4;
    let council = TestServer::start().await;
    let resident = council.device().await;
    let service = bookable(|s| matches!(s.fee, Some(Fee::Bands { .. })));
    for round in 0..ROUNDS {
        let slot = slots(&resident, &service.code)
            .await
            .into_iter()
            .rev()
            .find(|s| s["remaining"].as_u64() > Some(0))
            .expect("a slot with places left");
        let (status, booking) = resident
            .post(
                "/v1/bookings",
                booking_body(&service, slot["id"].as_str().unwrap()),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{booking}");
        // Each under its own key, as two devices of one account, or a retry with a new key.
        let sent: Vec<_> = (0..AT_ONCE)
            .map(|_| {
                let (resident, fee) = (resident.clone(), fee_payment(&booking));
                tokio::spawn(async move { resident.post("/v1/payments", fee).await })
            })
            .collect();
        let mut created = 0;
        for answer in sent {
            let (status, body) = answer.await.unwrap();
            match status {
                StatusCode::CREATED => created += 1,
                _ => assert_eq!(
                    (status, body["error"]["code"].as_str()),
                    (StatusCode::CONFLICT, Some("payment_in_progress")),
                    "round {round}: {body}"
                ),
            }
        }
        assert_eq!(
            created, 1,
            "round {round}: one payment, and the others refused"
        );
    }
    assert_eq!(
        council.stats().payments.get("created"),
        Some(&(ROUNDS as u64))
    );
    council.server.stop().await.unwrap();
}

/// A booking of a service with a fee, in the slot furthest ahead (which no cut-off reaches
/// while a test moves the clock on by hours).
async fn book_with_fee(resident: &Device) -> (ServiceDefinition, Value, Value) {
    let service = bookable(|s| matches!(s.fee, Some(Fee::Bands { .. })));
    let slot = slots(resident, &service.code).await.last().unwrap().clone();
    let (status, booking) = resident
        .post(
            "/v1/bookings",
            booking_body(&service, slot["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{booking}");
    (service, slot, booking)
}

fn fee_payment(booking: &Value) -> Value {
    json!({"purpose": "booking_fee", "reference": booking["reference"], "amount_pence": booking["fee_pence"], "return_url": "http://127.0.0.1:9/back"})
}

#[tokio::test]
async fn the_slot_list_gives_back_a_place_held_past_the_hold() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let (service, slot, booking) = book_with_fee(&resident).await;
    let remaining = |list: Vec<Value>| {
        list.iter().find(|s| s["id"] == slot["id"]).unwrap()["remaining"]
            .as_u64()
            .unwrap()
    };
    let before = slot["remaining"].as_u64().unwrap();
    assert_eq!(remaining(slots(&resident, &service.code).await), before - 1);
    council.server.clock.advance(chrono::Duration::minutes(91));
    assert_eq!(remaining(slots(&resident, &service.code).await), before);
    let (_, released) = resident
        .get(&format!("/v1/bookings/{}", booking["id"].as_str().unwrap()))
        .await;
    assert_eq!(released["status"], "cancelled");
}

#[tokio::test]
async fn a_paid_booking_can_still_be_cancelled_before_its_cut_off() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let (_, _, booking) = book_with_fee(&resident).await;
    let paid = crate::payments::pay(
        &council,
        &resident,
        "booking_fee",
        booking["reference"].as_str().unwrap(),
        booking["fee_pence"].as_u64().unwrap(),
        "4242424242424242",
    )
    .await;
    assert_eq!(paid["state"]["status"], "success");
    let (status, cancelled) = resident
        .post(
            &format!("/v1/bookings/{}/cancel", booking["id"].as_str().unwrap()),
            json!(null),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
}

#[tokio::test]
async fn a_cancel_refused_during_a_payment_goes_through_under_its_key_once_the_payment_fails() {
    let council = TestServer::start().await;
    let resident = council.device().await;
    let (_, _, booking) = book_with_fee(&resident).await;
    let (status, payment) = resident.post("/v1/payments", fee_payment(&booking)).await;
    assert_eq!(status, StatusCode::CREATED, "{payment}");
    let cancel = format!("/v1/bookings/{}/cancel", booking["id"].as_str().unwrap());
    let k = crate::common::key();
    let (status, body) = resident.post_keyed(&cancel, &k, json!(null)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("payment_in_progress"))
    );
    let declined = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(payment["next_url"].as_str().unwrap())
        .form(&[("card_number", "4000000000000002"), ("action", "pay")])
        .send()
        .await
        .unwrap();
    assert_eq!(declined.status(), StatusCode::SEE_OTHER);
    let (_, failed) = resident
        .get(&format!("/v1/payments/{}", payment["id"].as_str().unwrap()))
        .await;
    assert_eq!(failed["state"]["status"], "failed");
    let (status, cancelled) = resident.post_keyed(&cancel, &k, json!(null)).await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
}

#[tokio::test]
async fn bookings_are_rate_limited_per_device() {
    let council = TestServer::start_with(doorstep_server::Limits {
        registrations_per_hour: 10_000,
        bookings_per_hour: 2,
        ..doorstep_server::Limits::default()
    })
    .await;
    let service = free_sessions();
    let resident = council.device().await;
    let offered = slots(&resident, &service.code).await;
    let mut statuses = Vec::new();
    for slot in &offered[..3] {
        let (status, _) = resident
            .post(
                "/v1/bookings",
                booking_body(&service, slot["id"].as_str().unwrap()),
            )
            .await;
        statuses.push(status);
    }
    assert_eq!(
        statuses,
        [
            StatusCode::CREATED,
            StatusCode::CREATED,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    let (status, _) = council
        .device()
        .await
        .post(
            "/v1/bookings",
            booking_body(&service, offered[3]["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "another device has its own limit"
    );
}

#[tokio::test]
async fn staff_see_bookings_soonest_first_whatever_their_site() {
    let council = TestServer::start().await;
    let service = free_sessions();
    let resident = council.device().await;
    let offered = slots(&resident, &service.code).await;
    let site = |slot: &Value| {
        let id = slot["id"].as_str().unwrap();
        id[..id.rfind('/').unwrap()].to_owned()
    };
    let sites: Vec<String> = offered.iter().map(site).collect();
    let (first_site, last_site) = (
        sites.iter().min().unwrap().clone(),
        sites.iter().max().unwrap().clone(),
    );
    // The last site in the alphabet at the soonest time; the first site a day later.
    let soonest = offered.iter().find(|s| site(s) == last_site).unwrap();
    let soonest_start =
        chrono::DateTime::parse_from_rfc3339(soonest["start"].as_str().unwrap()).unwrap();
    let later = offered
        .iter()
        .find(|s| {
            site(s) == first_site
                && chrono::DateTime::parse_from_rfc3339(s["start"].as_str().unwrap()).unwrap()
                    > soonest_start + chrono::Duration::days(1)
        })
        .unwrap();
    for slot in [later, soonest] {
        let (status, body) = resident
            .post(
                "/v1/bookings",
                booking_body(&service, slot["id"].as_str().unwrap()),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, listed) = council
        .staff()
        .get(&format!("/v1/staff/bookings?service_code={}", service.code))
        .await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let ids: Vec<&str> = listed["bookings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["slot_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            soonest["id"].as_str().unwrap(),
            later["id"].as_str().unwrap()
        ]
    );
}
