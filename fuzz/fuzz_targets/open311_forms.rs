//! Fuzz what a stranger sends the server's Open311 face: any bytes read as the form of
//! `POST requests` and turned into a report against the demo council, or as the query of
//! `GET requests`.
//!
//! Invariant: a form or query the server cannot take is refused with a message naming the
//! parameter, never a panic; a form that reads is judged by the same rules as a /v1 report.
//! The first byte picks form or query; the rest is the text.

#![no_main]

use doorstep_protocol::rules;
use doorstep_server::routes::open311;
use libfuzzer_sys::fuzz_target;

mod durham;

use durham::DURHAM;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, body)) = data.split_first() else {
        return;
    };
    let profile = &*DURHAM;
    if kind % 2 == 0 {
        let Ok(request) = open311::wire::parse_new_request(body) else {
            return;
        };
        let Ok(report) = open311::new_report(profile, request) else {
            return;
        };
        if let Some(service) = profile.service(&report.service_code) {
            let _ = rules::validate_report(service, &report, &profile.council.boundary.polygon);
        }
    } else if let Ok(query) = std::str::from_utf8(body) {
        let now = chrono::DateTime::from_timestamp(1_796_000_000, 0).unwrap_or_default();
        let _ = open311::wire::parse_filter(query, now);
    }
});
