//! The `doorstep` command killed with SIGKILL at random moments during a long sync, again and
//! again: when it finally finishes, the council holds every intent exactly once.
//!
//! The seed is printed; `DOORSTEP_SEED=n` replays a run.

use std::time::Duration;

use doorstep_e2e::{Council, Device, pothole, start_sync};
use rand::{Rng, SeedableRng, rngs::StdRng};

/// More than one batch (500), so a sync has several requests to be killed between.
const REPORTS: usize = 1_200;
const MOST_KILLS: usize = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_killed_mid_sync_again_and_again_delivers_each_intent_once() {
    let seed: u64 = std::env::var("DOORSTEP_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    println!("DOORSTEP_SEED={seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    let council = Council::start();

    // Queue the reports offline, through the core the command itself opens.
    let phone = Device::open(&council.url());
    phone.doorstep.set_online(false).await;
    for i in 0..REPORTS {
        phone
            .doorstep
            .submit_report(pothole(&format!("Pothole number {i}")))
            .await
            .unwrap();
    }
    let dir = phone.dir.0.clone();
    drop(phone.doorstep);

    let sync = || start_sync(&dir, &council.url()).expect("doorstep starts");
    let mut kills = 0;
    for _ in 0..MOST_KILLS {
        let mut child = sync();
        std::thread::sleep(Duration::from_millis(rng.random_range(5..250)));
        match child.try_wait().unwrap() {
            Some(_) => {}
            None => {
                child.kill().unwrap();
                kills += 1;
            }
        }
        child.wait().unwrap();
    }
    let status = sync().wait().unwrap();
    assert!(status.success(), "a sync left alone finishes (seed {seed})");
    let stats = council.stats();
    println!("killed {kills} times; council stats {stats}");
    assert!(
        kills > 0,
        "the test must actually kill the client (seed {seed})"
    );
    assert_eq!(
        stats["reports"], REPORTS as u64,
        "every report exactly once (seed {seed})"
    );

    let reopened = Device::reopen(&dir, &council.url());
    assert!(reopened.outbox().await.unwrap().is_empty());
    let reports = reopened.reports().await.unwrap();
    assert_eq!(reports.len(), REPORTS);
    assert!(
        reports.iter().all(|r| r.report.is_some()),
        "every report has the council's copy (seed {seed})"
    );
}
