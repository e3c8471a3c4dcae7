//! The `doorstep` command as a resident or a script uses it: exit codes, `--json`, offline.

use std::process::{Command, Output};

use doorstep_e2e::{Council, TempDir, binary};

struct Terminal {
    dir: TempDir,
    server: String,
}

impl Terminal {
    fn run(&self, args: &[&str]) -> Output {
        Command::new(binary("doorstep"))
            .arg("--data-dir")
            .arg(&self.dir.0)
            .arg("--server")
            .arg(&self.server)
            .args(args)
            .output()
            .expect("doorstep runs")
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let output = self.run(&all);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("JSON on stdout")
    }
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("an exit code")
}

const POTHOLE: &[&str] = &[
    "report",
    "pothole",
    "--lat",
    "54.7761",
    "--lon",
    "-1.5733",
    "--answer",
    "depth=deep",
    "--answer",
    "width=small",
    "--answer",
    "location_on_road=kerb",
];

#[test]
fn the_command_queues_offline_sends_later_and_says_what_to_fix() {
    let mut council = Council::start();
    let term = Terminal {
        dir: TempDir::new("cli"),
        server: council.url(),
    };
    let services = term.json(&["services", "--search", "pothole"]);
    assert_eq!(services[0]["code"], "pothole");

    council.stop();
    let queued = term.run(POTHOLE);
    assert_eq!(
        code(&queued),
        0,
        "{}",
        String::from_utf8_lossy(&queued.stderr)
    );
    assert!(String::from_utf8_lossy(&queued.stdout).contains("waiting to send"));
    let outside = term.run(&[
        "report",
        "pothole",
        "--lat",
        "51.5",
        "--lon",
        "-0.12",
        "--answer",
        "depth=deep",
    ]);
    assert_eq!(code(&outside), 2);
    assert!(String::from_utf8_lossy(&outside.stderr).contains("outside the council's area"));
    let bad_amount = term.run(&[
        "pay",
        "council_tax",
        "--reference",
        "12345678",
        "--amount",
        "12.345",
    ]);
    assert_eq!(code(&bad_amount), 2);
    assert!(String::from_utf8_lossy(&bad_amount.stderr).contains("amount"));
    let bad_answer = term.run(&[
        "report", "pothole", "--lat", "54.7761", "--lon", "-1.5733", "--answer", "depth",
    ]);
    assert_eq!(code(&bad_answer), 2);
    let outbox = term.json(&["outbox"]);
    assert_eq!(
        outbox.as_array().unwrap().len(),
        1,
        "only the good report was queued"
    );

    council.restart();
    let sync = term.json(&["sync"]);
    assert_eq!(sync["sent"], 1);
    let reports = term.json(&["reports"]);
    assert_eq!(reports[0]["delivery"]["state"], "sent");
    assert!(
        reports[0]["report"]["reference"]
            .as_str()
            .unwrap()
            .starts_with("DUR-")
    );
    assert_eq!(council.stats()["reports"], 1);

    let gazetteer: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(doorstep_e2e::council_dir().join("gazetteer.json")).unwrap(),
    )
    .unwrap();
    let postcode = gazetteer["addresses"][0]["postcode"].as_str().unwrap();
    let addresses = term.json(&["bins", "--postcode", postcode]);
    let uprn = addresses[0]["uprn"]
        .as_str()
        .expect("the sample postcode has addresses");
    let collections = term.json(&["bins", "--uprn", uprn]);
    assert!(!collections.as_array().unwrap().is_empty());
    council.stop();
    let offline = term.run(&["bins", "--uprn", uprn]);
    assert_eq!(code(&offline), 0, "the calendar is kept for offline use");
    assert!(String::from_utf8_lossy(&offline.stdout).contains("as last seen"));
}

#[test]
fn a_refusal_by_the_council_exits_3_and_shows_in_the_outbox() {
    let council = Council::start();
    let term = Terminal {
        dir: TempDir::new("cli-refused"),
        server: council.url(),
    };
    let slots = term.json(&["slots", "library_computer"]);
    let slot = slots[0]["id"].as_str().unwrap().to_owned();
    let remaining = slots[0]["remaining"].as_u64().unwrap();
    for _ in 0..remaining {
        assert_eq!(
            code(&term.run(&["book", "library_computer", "--slot", &slot])),
            0
        );
    }
    let full = term.run(&["book", "library_computer", "--slot", &slot]);
    assert_eq!(code(&full), 3, "{}", String::from_utf8_lossy(&full.stdout));
    assert!(String::from_utf8_lossy(&full.stdout).contains("NEEDS YOUR ATTENTION"));
    assert_eq!(code(&term.run(&["outbox"])), 3);
    let listed = term.run(&["--json", "outbox"]);
    assert_eq!(
        code(&listed),
        3,
        "needing attention is exit 3 with --json too"
    );
    let outbox: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert!(
        outbox[0]["state"]
            .as_str()
            .unwrap()
            .contains("needs your attention")
    );
    let about = outbox[0]["about"].as_str().unwrap();
    assert!(
        about.starts_with("Book a library computer, ") && about.contains(" at "),
        "the booking is told by its service and time: {about}"
    );
    let key = outbox[0]["key"].as_str().unwrap();
    let retried = term.run(&["retry", key]);
    assert_eq!(
        code(&retried),
        2,
        "a refusal is fixed or discarded, not retried as it is"
    );

    // Fixed with another slot, it goes through.
    let other = slots
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] != slot.as_str() && s["remaining"].as_u64() > Some(0))
        .unwrap();
    let fixed = term.run(&["fix", key, "--slot", other["id"].as_str().unwrap()]);
    assert_eq!(
        code(&fixed),
        0,
        "{}{}",
        String::from_utf8_lossy(&fixed.stdout),
        String::from_utf8_lossy(&fixed.stderr)
    );
    assert!(String::from_utf8_lossy(&fixed.stdout).contains("sent"));
    assert_eq!(code(&term.run(&["outbox"])), 0);

    // Another refusal, given up.
    assert_eq!(
        code(&term.run(&["book", "library_computer", "--slot", &slot])),
        3
    );
    let listed: serde_json::Value =
        serde_json::from_slice(&term.run(&["--json", "outbox"]).stdout).unwrap();
    assert_eq!(
        code(&term.run(&["discard", listed[0]["key"].as_str().unwrap()])),
        0
    );
    assert_eq!(code(&term.run(&["outbox"])), 0);
    let bookings = term.json(&["bookings"]);
    assert_eq!(
        bookings.as_array().unwrap().len(),
        remaining as usize + 1,
        "the discarded booking is gone"
    );
}
