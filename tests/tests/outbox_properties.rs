//! Property: for any interleaving of intents, lost answers, unavailable councils, restarts of
//! the app and sync rounds, every intent reaches the council exactly once and each chain keeps
//! its order (a report before its updates, its updates in the order written).

use std::{collections::BTreeMap, sync::Arc, sync::atomic::Ordering};

use doorstep_core::{Doorstep, MemorySecrets};
use doorstep_e2e::{Device, Proxy, TempDir, council_dir, pothole};
use doorstep_protocol::Report;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Step {
    /// A new report, with this many updates queued after it.
    Report {
        updates: u8,
    },
    /// An update to an earlier report (by index, modulo the reports made so far).
    Update {
        report: usize,
    },
    LoseNextAnswer,
    CouncilUnavailable,
    RestartApp,
    Sync,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0u8..3).prop_map(|updates| Step::Report { updates }),
        2 => any::<usize>().prop_map(|report| Step::Update { report }),
        2 => Just(Step::LoseNextAnswer),
        1 => Just(Step::CouncilUnavailable),
        1 => Just(Step::RestartApp),
        3 => Just(Step::Sync),
    ]
}

/// Run the steps; return what was intended (description → updates in order) and what the
/// council holds.
async fn run(steps: Vec<Step>) -> (BTreeMap<String, Vec<String>>, Vec<Report>, usize) {
    let dir = TempDir::new("property");
    let db = dir.0.join("council.sqlite3");
    let council = doorstep_server::start(doorstep_server::Config::new(
        db.clone(),
        "127.0.0.1:0".parse().unwrap(),
        council_dir(),
    ))
    .await
    .unwrap();
    let proxy = Proxy::start(council.addr).await;
    // A council that is down asks for a second's wait, which even the resident's retry keeps.
    proxy.faults.retry_after.store(1, Ordering::SeqCst);
    let app_dir = TempDir::new("property-app");
    let secrets = Arc::new(MemorySecrets::default());
    let open = |secrets: Arc<MemorySecrets>| Device::reopen_with(&app_dir.0, &proxy.url(), secrets);
    let mut app: Doorstep = open(secrets.clone());
    app.refresh_catalogue().await.unwrap();
    let mut intended: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut local_ids: Vec<(String, String)> = Vec::new();
    for (n, step) in steps.into_iter().enumerate() {
        match step {
            Step::Report { updates } => {
                let description = format!("report {n}");
                let made = app.submit_report(pothole(&description)).await.unwrap();
                let mut notes = Vec::new();
                for u in 0..updates {
                    let note = format!("update {n}.{u}");
                    app.add_update(&made.local_id, &note, false).await.unwrap();
                    notes.push(note);
                }
                intended.insert(description.clone(), notes);
                local_ids.push((made.local_id, description));
            }
            Step::Update { report } if !local_ids.is_empty() => {
                let (local_id, description) = &local_ids[report % local_ids.len()];
                let note = format!("update {n}");
                app.add_update(local_id, &note, false).await.unwrap();
                intended.get_mut(description).unwrap().push(note);
            }
            Step::Update { .. } => {}
            Step::LoseNextAnswer => proxy.faults.lose_answers.store(1, Ordering::SeqCst),
            Step::CouncilUnavailable => proxy.faults.unavailable.store(1, Ordering::SeqCst),
            Step::RestartApp => {
                drop(app);
                app = open(secrets.clone());
            }
            Step::Sync => {
                let _ = app.sync_now().await;
            }
        }
    }
    proxy.faults.lose_answers.store(0, Ordering::SeqCst);
    proxy.faults.unavailable.store(0, Ordering::SeqCst);
    for _ in 0..20 {
        if app.outbox().await.unwrap().is_empty() {
            break;
        }
        for entry in app.outbox().await.unwrap() {
            app.retry(&entry.key).await.unwrap();
        }
        tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
        let _ = app.sync_now().await;
    }
    assert!(
        app.outbox().await.unwrap().is_empty(),
        "the outbox drains once the faults stop"
    );
    let on_device = app.reports().await.unwrap().len();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut statement = conn.prepare("SELECT body FROM reports").unwrap();
    let held: Vec<Report> = statement
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|b| serde_json::from_str(&b.unwrap()).unwrap())
        .collect();
    drop(statement);
    council.stop().await.unwrap();
    (intended, held, on_device)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, max_shrink_iters: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_intent_lands_once_and_chains_keep_their_order(steps in proptest::collection::vec(step(), 1..14)) {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let (intended, held, on_device) = runtime.block_on(run(steps));
        prop_assert_eq!(held.len(), intended.len(), "one report per intent at the council");
        prop_assert_eq!(on_device, intended.len(), "and one on the device");
        for report in &held {
            let notes: Vec<String> = report.timeline.iter().filter_map(|t| t.note.clone()).collect();
            prop_assert_eq!(Some(&notes), intended.get(&report.description), "updates once each, in order");
        }
    }
}
