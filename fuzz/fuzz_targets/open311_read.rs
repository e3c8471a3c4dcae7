//! Fuzz the core's tolerant Open311 reader: any bytes, with any of the content types a council
//! may declare, read as a document and then taken apart as the core does.
//!
//! Invariant: whatever a server sends becomes values or an `Unreadable` error, never a panic.
//! The first byte picks the declared content type; the rest is the body.

#![no_main]

use doorstep_core::open311::{convert, read};
use libfuzzer_sys::fuzz_target;

const CONTENT_TYPES: [Option<&str>; 5] = [
    None,
    Some("application/json; charset=utf-8"),
    Some("text/xml"),
    Some("text/html"),
    Some(""),
];

fuzz_target!(|data: &[u8]| {
    let Some((&kind, body)) = data.split_first() else {
        return;
    };
    let declared = CONTENT_TYPES[usize::from(kind) % CONTENT_TYPES.len()];
    let Ok(document) = read::document(declared, body) else {
        return;
    };
    let _ = read::error_description(&document);
    let _ = convert::posted(&document);
    for row in read::items(
        &document,
        &["services", "service", "service_requests", "request"],
    ) {
        for name in [
            "service_code",
            "service_request_id",
            "status",
            "lat",
            "long",
        ] {
            let _ = read::text(&row, name);
            let _ = read::number(&row, name);
            let _ = read::flag(&row, name);
        }
        let _ = convert::has_definition(&row);
        let _ = convert::question(&row);
        let _ = convert::update(&row);
        if let Some(summary) = convert::service(&row) {
            let _ = convert::definition(&summary, Some(&document));
        }
    }
});
