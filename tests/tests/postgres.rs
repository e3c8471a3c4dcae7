//! The throwaway PostgreSQL cluster that the council server's PostgreSQL tests run on: it
//! starts as an ordinary user, answers on 127.0.0.1 only, takes the settings a race test asks
//! for, and is gone when its handle is dropped.

use doorstep_e2e::postgres::{Postgres, running};

#[test]
fn a_throwaway_cluster_answers_with_its_settings_and_stops_when_dropped() {
    let cluster = Postgres::start(&["default_transaction_isolation = 'serializable'"]);
    assert_eq!(cluster.sql("SELECT 1 + 1"), "2");
    assert_eq!(cluster.sql("SELECT current_user"), "doorstep");
    assert_eq!(
        cluster.sql("SHOW default_transaction_isolation"),
        "serializable",
        "the race tests' isolation is the cluster's"
    );
    assert_eq!(
        cluster.sql("SELECT setting FROM pg_settings WHERE name = 'listen_addresses'"),
        "127.0.0.1",
        "loopback only"
    );
    let pid = cluster.pid().expect("the cluster's process");
    assert!(running(pid));
    drop(cluster);
    assert!(!running(pid), "the cluster stops with its handle");
}

#[test]
fn two_clusters_run_side_by_side() {
    let one = Postgres::start(&[]);
    let two = Postgres::start(&["default_transaction_isolation = 'repeatable read'"]);
    assert_ne!(one.port(), two.port());
    one.sql("CREATE TABLE only_here (n integer)");
    assert_eq!(
        two.sql("SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'"),
        "0",
        "each test has a cluster of its own"
    );
    assert_eq!(
        two.sql("SHOW default_transaction_isolation"),
        "repeatable read"
    );
}
