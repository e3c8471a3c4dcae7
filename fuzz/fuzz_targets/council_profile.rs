//! Fuzz the council profile loader: one of the three files replaced by any bytes, the other two
//! the demo council's own, parsed and checked as the server does at start.
//!
//! Invariant: a profile that is wrong is refused with an error naming the file and the field,
//! never a panic. The first byte picks the file replaced; the rest is its text.

#![no_main]

use doorstep_server::profile::Profile;
use libfuzzer_sys::fuzz_target;

const COUNCIL: &str = include_str!("../../assets/councils/durham/council.json");
const SERVICES: &str = include_str!("../../assets/councils/durham/services.json");
const GAZETTEER: &str = include_str!("../../assets/councils/durham/gazetteer.json");

fuzz_target!(|data: &[u8]| {
    let Some((&kind, body)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(body) else {
        return;
    };
    let _ = match kind % 3 {
        0 => Profile::from_json(text, SERVICES, GAZETTEER),
        1 => Profile::from_json(COUNCIL, text, GAZETTEER),
        _ => Profile::from_json(COUNCIL, SERVICES, text),
    };
});
