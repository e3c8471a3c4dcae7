//! Intents reach the council exactly once: offline, through lost answers, busy councils,
//! refusals and sign-in pauses.

use doorstep_core::{Delivery, Error, OutboxState};
use doorstep_e2e::{Council, Device, Proxy, pothole};
use doorstep_protocol::{Answer, Answers, Fallback, Location};
use serde_json::json;

/// A council, a proxy in front of it, and a device that has reached it through the proxy once
/// (catalogue fetched, registered).
async fn registered_behind_a_proxy() -> (Council, Proxy, Device) {
    let council = Council::start();
    let proxy = Proxy::start(council.addr()).await;
    let phone = Device::open(&proxy.url());
    phone.doorstep.refresh_catalogue().await.unwrap();
    phone.doorstep.sync_now().await.unwrap();
    (council, proxy, phone)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_intents_reach_the_council_exactly_once_when_it_returns() {
    let mut council = Council::start();
    let phone = Device::open(&council.url());
    let doorstep = &phone.doorstep;
    doorstep.refresh_catalogue().await.unwrap();
    let slot = doorstep.slots("library_computer").await.unwrap().list.slots[0]
        .id
        .clone();

    council.stop();
    let report = doorstep
        .submit_report(pothole("By the bus stop"))
        .await
        .unwrap();
    assert_eq!(report.delivery, Delivery::Waiting);
    let booking = doorstep
        .book(
            "library_computer",
            &slot,
            Answers::new(),
            None,
            Fallback::None,
        )
        .await
        .unwrap();
    let payment = doorstep
        .start_payment(
            "council_tax",
            "1234 5678",
            4510,
            "http://127.0.0.1:9/back",
            Some(" ann@example.org "),
        )
        .await
        .unwrap();
    assert!(matches!(doorstep.sync_now().await, Err(Error::Offline(_))));
    assert_eq!(doorstep.outbox().await.unwrap().len(), 3);

    council.restart();
    let round = doorstep.sync_now().await.unwrap();
    assert_eq!(
        (round.sent, round.waiting, round.needs_attention),
        (3, 0, 0)
    );
    let stats = council.stats();
    assert_eq!(stats["reports"], 1);
    assert_eq!(stats["bookings"]["confirmed"], 1);
    assert_eq!(stats["payments"]["created"], 1);
    assert_eq!(
        doorstep.sync_now().await.unwrap().sent,
        0,
        "nothing is sent twice"
    );

    let report = doorstep.report(&report.local_id).await.unwrap();
    let sent = report.report.expect("the council's copy");
    assert!(sent.reference.starts_with("DUR-"));
    assert_eq!(
        doorstep.booking(&booking.local_id).await.unwrap().delivery,
        Delivery::Sent
    );
    let page = doorstep
        .payment(&payment.local_id)
        .await
        .unwrap()
        .payment
        .unwrap()
        .next_url
        .expect("the payment page");
    let page = reqwest::get(page).await.unwrap().text().await.unwrap();
    assert!(
        page.contains("<dd>ann@example.org</dd>"),
        "the receipt goes where the resident said: {page}"
    );

    // The council moves the report on; the device hears of it through the change feed.
    let staff = council.staff_token();
    let moved = reqwest::Client::new()
        .post(format!(
            "{}/v1/staff/reports/{}/status",
            council.url(),
            sent.id
        ))
        .bearer_auth(staff)
        .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
        .json(&json!({"status": "action_scheduled", "note": "Crew booked for Monday"}))
        .send()
        .await
        .unwrap();
    assert!(moved.status().is_success());
    assert!(doorstep.sync_now().await.unwrap().pulled >= 1);
    let followed = doorstep
        .report(&report.local_id)
        .await
        .unwrap()
        .report
        .unwrap();
    assert_eq!(followed.status.as_str(), "action_scheduled");
    assert_eq!(
        followed.timeline.last().unwrap().note.as_deref(),
        Some("Crew booked for Monday")
    );
    assert_eq!(doorstep.reports().await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_response_is_not_submitted_twice() {
    let (council, proxy, phone) = registered_behind_a_proxy().await;
    let doorstep = &phone.doorstep;

    let report = doorstep
        .submit_report(pothole("By the bus stop"))
        .await
        .unwrap();
    proxy
        .faults
        .lose_answers
        .store(1, std::sync::atomic::Ordering::SeqCst);
    let first = doorstep.sync_now().await.unwrap();
    assert_eq!(first.sent, 0, "the answer was lost on the way");
    assert_eq!(
        council.stats()["reports"],
        1,
        "but the council has the report"
    );

    // The feed has already brought the report back as if it were new; an update the resident
    // adds to that copy must not be lost when the two are found to be one.
    let copies = doorstep.reports().await.unwrap();
    let target = copies
        .iter()
        .find(|r| r.local_id != report.local_id)
        .map_or(report.local_id.clone(), |c| c.local_id.clone());
    doorstep
        .add_update(&target, "Now with a puddle in it", false)
        .await
        .unwrap();
    let second = doorstep.sync_now().await.unwrap();
    assert!(
        second.sent >= 1,
        "the retry is answered from the council's record"
    );
    doorstep.sync_now().await.unwrap();
    assert_eq!(council.stats()["reports"], 1, "and makes no second report");
    let reports = doorstep.reports().await.unwrap();
    assert_eq!(reports.len(), 1, "one report on the device too");
    assert_eq!(reports[0].local_id, report.local_id);
    assert_eq!(reports[0].delivery, Delivery::Sent);
    let notes: Vec<_> = reports[0]
        .report
        .as_ref()
        .unwrap()
        .timeline
        .iter()
        .filter_map(|t| t.note.clone())
        .collect();
    assert_eq!(
        notes,
        ["Now with a puddle in it"],
        "the update was not lost"
    );
    assert!(doorstep.outbox().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_batches_travel_at_once_and_every_report_arrives_once_in_its_chain_order() {
    let (council, proxy, phone) = registered_behind_a_proxy().await;
    let doorstep = &phone.doorstep;
    doorstep.set_online(false).await;
    // Three batches' worth (500 a batch), and an update queued behind the first report.
    let first = doorstep.submit_report(pothole("Report 0")).await.unwrap();
    doorstep
        .add_update(&first.local_id, "Deeper since", false)
        .await
        .unwrap();
    for n in 1..1_100 {
        doorstep
            .submit_report(pothole(&format!("Report {n}")))
            .await
            .unwrap();
    }
    doorstep.set_online(true).await;
    // Each answer is held a little on its way, so that the next batch is surely sent meanwhile.
    proxy
        .faults
        .delay_ms
        .store(50, std::sync::atomic::Ordering::SeqCst);
    let round = doorstep.sync_now().await.unwrap();
    assert_eq!(
        (round.sent, round.waiting, round.needs_attention),
        (1_101, 0, 0)
    );
    assert_eq!(
        proxy
            .faults
            .most_awaiting
            .load(std::sync::atomic::Ordering::SeqCst),
        2,
        "two batches at the council at once, never more"
    );
    assert_eq!(council.stats()["reports"], 1_100);
    assert!(doorstep.outbox().await.unwrap().is_empty());
    let first = doorstep.report(&first.local_id).await.unwrap();
    let notes: Vec<_> = first
        .report
        .expect("the council's copy")
        .timeline
        .iter()
        .filter_map(|t| t.note.clone())
        .collect();
    assert_eq!(notes, ["Deeper since"], "the update followed its report");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_council_is_asked_again_only_after_its_retry_after_even_when_the_resident_retries() {
    let (council, proxy, phone) = registered_behind_a_proxy().await;
    let doorstep = &phone.doorstep;
    doorstep
        .submit_report(pothole("By the bus stop"))
        .await
        .unwrap();

    proxy
        .faults
        .unavailable
        .store(1, std::sync::atomic::Ordering::SeqCst);
    let round = doorstep.sync_now().await.unwrap();
    assert_eq!((round.sent, round.waiting), (0, 1));
    let entries = doorstep.outbox().await.unwrap();
    match &entries[0].state {
        OutboxState::Waiting {
            attempts,
            last_error,
            ..
        } => {
            assert_eq!(*attempts, 1);
            assert!(last_error.as_deref().unwrap().contains("maintenance"));
        }
        other => panic!("expected waiting, got {other:?}"),
    }
    // Even "sync now" waits for the council's Retry-After of two minutes.
    assert_eq!(doorstep.sync_now().await.unwrap().sent, 0);
    assert_eq!(council.stats()["reports"], 0);
    // The resident's own retry drops the backoff, but not the time the council asked for.
    doorstep.retry(&entries[0].key).await.unwrap();
    assert_eq!(doorstep.sync_now().await.unwrap().sent, 0);
    assert_eq!(council.stats()["reports"], 0);
    match &doorstep.outbox().await.unwrap()[0].state {
        OutboxState::Waiting {
            next_attempt_at, ..
        } => assert!(
            *next_attempt_at >= chrono::Utc::now().timestamp() + 100,
            "the outbox says it goes when the council asked"
        ),
        other => panic!("expected waiting, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_report_waits_for_a_fix_without_holding_up_the_others() {
    let council = Council::start();
    let phone = Device::open(&council.url());
    let doorstep = &phone.doorstep;
    // This device has never fetched the catalogue, so only the council can judge the answers.
    let mut wrong = pothole("By the bus stop");
    wrong
        .answers
        .insert("depth".into(), Answer::Text("bottomless".into()));
    let wrong = doorstep.submit_report(wrong).await.unwrap();
    let mut unknown = pothole("By the bus stop");
    unknown.service_code = "dragon_sighting".into();
    let unknown = doorstep.submit_report(unknown).await.unwrap();
    let good = doorstep
        .submit_report(pothole("By the bus stop"))
        .await
        .unwrap();

    let round = doorstep.sync_now().await.unwrap();
    assert_eq!(
        (round.sent, round.refused, round.needs_attention),
        (1, 2, 2)
    );
    assert_eq!(
        doorstep.report(&good.local_id).await.unwrap().delivery,
        Delivery::Sent
    );
    let Delivery::NeedsAttention { key, problem } =
        doorstep.report(&wrong.local_id).await.unwrap().delivery
    else {
        panic!("the wrong answer needs attention");
    };
    assert_eq!(problem.field.as_deref(), Some("answers.depth"));

    let mut fixed = serde_json::to_value(
        doorstep
            .report(&wrong.local_id)
            .await
            .unwrap()
            .request
            .unwrap(),
    )
    .unwrap();
    fixed["answers"]["depth"] = json!("deep");
    doorstep.fix(&key, fixed).await.unwrap();
    let Delivery::NeedsAttention {
        key: unknown_key, ..
    } = doorstep.report(&unknown.local_id).await.unwrap().delivery
    else {
        panic!("the unknown service needs attention");
    };
    doorstep.discard(&unknown_key).await.unwrap();
    assert!(matches!(
        doorstep.report(&unknown.local_id).await,
        Err(Error::NotFound(_))
    ));

    assert_eq!(doorstep.sync_now().await.unwrap().sent, 1);
    assert_eq!(
        doorstep
            .report(&wrong.local_id)
            .await
            .unwrap()
            .report
            .unwrap()
            .answers["depth"],
        Answer::Text("deep".into())
    );
    assert_eq!(council.stats()["reports"], 2);
    assert!(doorstep.outbox().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_residents_booking_the_last_place_offline_get_one_place_and_alternatives() {
    let council = Council::start();
    let filler = Device::open(&council.url());
    filler.doorstep.refresh_catalogue().await.unwrap();
    let slot = filler
        .doorstep
        .slots("library_computer")
        .await
        .unwrap()
        .list
        .slots[0]
        .clone();
    for _ in 1..slot.remaining {
        filler
            .doorstep
            .book(
                "library_computer",
                &slot.id,
                Answers::new(),
                None,
                Fallback::None,
            )
            .await
            .unwrap();
    }
    filler.doorstep.sync_now().await.unwrap();

    let mut residents = Vec::new();
    for _ in 0..2 {
        let device = Device::open(&council.url());
        device.doorstep.refresh_catalogue().await.unwrap();
        assert_eq!(
            device
                .doorstep
                .slots("library_computer")
                .await
                .unwrap()
                .list
                .slots[0]
                .remaining,
            1
        );
        device.doorstep.set_online(false).await;
        let booking = device
            .doorstep
            .book(
                "library_computer",
                &slot.id,
                Answers::new(),
                None,
                Fallback::None,
            )
            .await
            .unwrap();
        residents.push((device, booking));
    }
    let mut confirmed = 0;
    let mut parked = Vec::new();
    for (device, booking) in &residents {
        device.doorstep.set_online(true).await;
        device.doorstep.sync_now().await.unwrap();
        match device
            .doorstep
            .booking(&booking.local_id)
            .await
            .unwrap()
            .delivery
        {
            Delivery::Sent => confirmed += 1,
            Delivery::NeedsAttention { key, problem } => {
                assert_eq!(problem.code, "slot_unavailable");
                assert!(!problem.alternatives.is_empty());
                parked.push((device, booking, key, problem));
            }
            Delivery::Waiting => panic!("a booking is still waiting"),
        }
    }
    assert_eq!((confirmed, parked.len()), (1, 1));

    // The second resident takes the first alternative offered.
    let (device, booking, key, problem) = parked.pop().unwrap();
    let mut rebooked = serde_json::to_value(
        device
            .doorstep
            .booking(&booking.local_id)
            .await
            .unwrap()
            .request
            .unwrap(),
    )
    .unwrap();
    rebooked["slot_id"] = json!(problem.alternatives[0].id);
    device.doorstep.fix(&key, rebooked).await.unwrap();
    device.doorstep.sync_now().await.unwrap();
    let made = device
        .doorstep
        .booking(&booking.local_id)
        .await
        .unwrap()
        .booking
        .unwrap();
    assert_eq!(made.slot_id, problem.alternatives[0].id);
    let stats = council.stats();
    assert_eq!(stats["bookings"]["confirmed"], slot.remaining + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fee_queued_offline_is_paid_against_its_booking_once_the_booking_lands() {
    let mut council = Council::start();
    let phone = Device::open(&council.url());
    let doorstep = &phone.doorstep;
    doorstep.refresh_catalogue().await.unwrap();
    let slot = doorstep.slots("bulky_waste").await.unwrap().list.slots[0]
        .id
        .clone();
    let service = doorstep.service("bulky_waste").await.unwrap();
    let items_question = service
        .questions
        .iter()
        .find(|q| q.code == "items")
        .unwrap();
    let mut answers = Answers::new();
    answers.insert(
        "items".into(),
        Answer::Keys(
            items_question
                .values
                .iter()
                .take(2)
                .map(|v| v.key.clone())
                .collect(),
        ),
    );
    for question in service
        .questions
        .iter()
        .filter(|q| q.required && q.code != "items")
    {
        answers.insert(
            question.code.clone(),
            Answer::Text(
                question
                    .values
                    .first()
                    .map_or_else(|| "By the gate".to_owned(), |v| v.key.clone()),
            ),
        );
    }
    let uprn = Location {
        uprn: Some("100110000001".into()),
        ..Location::default()
    };

    council.stop();
    let booking = doorstep
        .book("bulky_waste", &slot, answers, Some(uprn), Fallback::None)
        .await
        .unwrap();
    let fee = doorstep
        .pay_booking_fee(&booking.local_id, "http://127.0.0.1:9/back")
        .await
        .unwrap();
    assert_eq!(
        fee.request.as_ref().unwrap().reference,
        "{reference}",
        "the reference is not known yet"
    );
    // The fee waits in its booking's chain, and is told by its own item.
    let waiting = doorstep.outbox().await.unwrap();
    let queued_fee = waiting.iter().find(|e| e.item == fee.local_id).unwrap();
    assert_eq!(queued_fee.chain, booking.local_id);
    let exported = doorstep.export().await.unwrap();
    let items: Vec<&str> = exported["waiting_to_send"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["item"].as_str())
        .collect();
    assert_eq!(items, [booking.local_id.as_str(), fee.local_id.as_str()]);
    council.restart();

    let round = doorstep.sync_now().await.unwrap();
    assert_eq!(round.sent, 2, "the booking, then its fee");
    let made = doorstep
        .booking(&booking.local_id)
        .await
        .unwrap()
        .booking
        .unwrap();
    assert_eq!(made.status.as_str(), "awaiting_payment");
    let payment = doorstep
        .payment(&fee.local_id)
        .await
        .unwrap()
        .payment
        .unwrap();
    assert_eq!(payment.reference, made.reference);
    assert_eq!(Some(payment.amount_pence), made.fee_pence.map(u64::from));
    assert!(payment.next_url.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_is_on_its_way_to_the_council_cannot_be_discarded_and_its_answer_is_recorded() {
    let (council, proxy, phone) = registered_behind_a_proxy().await;
    let doorstep = phone.doorstep.clone();
    let made = doorstep.submit_report(pothole("On its way")).await.unwrap();
    let key = doorstep.outbox().await.unwrap()[0].key.clone();
    let awaiting = || {
        proxy
            .faults
            .awaiting
            .load(std::sync::atomic::Ordering::SeqCst)
    };
    proxy
        .faults
        .delay_ms
        .store(1_000, std::sync::atomic::Ordering::SeqCst);
    let syncing = tokio::spawn({
        let doorstep = doorstep.clone();
        async move { doorstep.sync_now().await }
    });
    for _ in 0..200 {
        if awaiting() > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(awaiting() > 0, "the report is at the council");
    match doorstep.discard(&key).await {
        Err(Error::Invalid { problems }) => {
            assert_eq!(problems[0].field, "key");
            assert!(problems[0].message.contains("being sent"));
        }
        other => panic!("a discard of what is on its way must be refused, got {other:?}"),
    }
    let round = syncing.await.unwrap().unwrap();
    assert_eq!((round.sent, round.waiting), (1, 0));
    assert_eq!(
        doorstep.report(&made.local_id).await.unwrap().delivery,
        Delivery::Sent
    );
    assert_eq!(
        doorstep.reports().await.unwrap().len(),
        1,
        "one item, not a second from the feed"
    );
    assert_eq!(council.stats()["reports"], 1);
    assert!(matches!(
        doorstep.discard(&key).await,
        Err(Error::NotFound(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_refused_as_too_large_never_holds_up_the_queue() {
    let (council, proxy, phone) = registered_behind_a_proxy().await;
    let doorstep = &phone.doorstep;
    doorstep.set_online(false).await;
    for n in 0..60 {
        doorstep
            .submit_report(pothole(&format!("{n} {}", "a long account ".repeat(60))))
            .await
            .unwrap();
    }
    doorstep.set_online(true).await;
    // A proxy in front of the council takes bodies of 16 kB at most: 60 reports of about 1 kB
    // do not go in one batch, each goes alone.
    proxy
        .faults
        .largest_body
        .store(16 * 1024, std::sync::atomic::Ordering::SeqCst);
    let mut sent = 0;
    for _ in 0..8 {
        sent += doorstep.sync_now().await.unwrap().sent;
        if sent == 60 {
            break;
        }
    }
    assert_eq!(sent, 60, "every report went, in smaller batches");
    assert_eq!(council.stats()["reports"], 60);
    assert!(doorstep.outbox().await.unwrap().is_empty());

    // One report larger than the proxy takes even alone waits for the resident, and the rest go.
    proxy
        .faults
        .largest_body
        .store(512, std::sync::atomic::Ordering::SeqCst);
    let big = doorstep
        .submit_report(pothole(&"a long account ".repeat(60)))
        .await
        .unwrap();
    let round = doorstep.sync_now().await.unwrap();
    assert_eq!((round.refused, round.needs_attention), (1, 1));
    let entries = doorstep.outbox().await.unwrap();
    match &entries[0].state {
        OutboxState::NeedsAttention { problem } => {
            assert_eq!(problem.code, "too_large");
            assert!(problem.message.contains("too large"));
        }
        other => panic!("expected needs attention, got {other:?}"),
    }
    assert_eq!(entries[0].item, big.local_id);
    proxy
        .faults
        .largest_body
        .store(0, std::sync::atomic::Ordering::SeqCst);
    doorstep.submit_report(pothole("Small")).await.unwrap();
    assert_eq!(doorstep.sync_now().await.unwrap().sent, 1);
    assert_eq!(council.stats()["reports"], 61);
}
