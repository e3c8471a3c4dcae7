//! One quick round of every reliability scenario: no intent is lost or duplicated under any of
//! the faults, and the load run neither double-books a slot nor charges twice.
//!
//! The seed is printed; `DOORSTEP_SEED=n` replays a run.

use doorstep_e2e::reliability::{Size, run_all};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_scenario_delivers_each_intent_exactly_once() {
    let seed: u64 = std::env::var("DOORSTEP_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    println!("DOORSTEP_SEED={seed}");
    let (rows, load) = run_all(seed, Size::quick())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for row in &rows {
        let t = &row.tally;
        println!("{}: {t:?}", row.scenario);
        assert!(t.sent > 0, "{} sent nothing (seed {seed})", row.scenario);
        assert_eq!(
            (t.lost, t.duplicated, t.landed_once),
            (0, 0, t.sent),
            "{} (seed {seed})",
            row.scenario
        );
    }
    let t = &load.tally;
    println!("load: {load:?}");
    assert_eq!((t.lost, t.duplicated), (0, 0), "load (seed {seed})");
    assert!(
        load.most_in_a_slot <= load.capacity,
        "no slot is double-booked"
    );
    assert_eq!(load.booked, load.places, "every scarce place is taken once");
    assert_eq!(load.payments, load.residents, "one payment per resident");
}
