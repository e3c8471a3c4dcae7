//! Fuzz the core's decoding of a Doorstep server's answers: the bytes are read as the client
//! reads a body, then decoded as every answer type the core asks for (a batch's answer straight
//! from the bytes, as the core reads that one).
//!
//! Invariant: an answer the core cannot use is a decoding error, never a panic; a service
//! definition that decodes can be checked against with the same rules the device applies.

#![no_main]

use doorstep_protocol::{
    Answers, BatchResponse, Booking, BookingList, ChangeFeed, Council, DeviceToken, ErrorBody,
    Payment, PaymentList, PaymentState, Report, ReportList, ServiceDefinition, ServiceList,
    SlotList, rules,
};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn decode<T: serde::de::DeserializeOwned>(body: &Value) -> Option<T> {
    serde_json::from_value(body.clone()).ok()
}

fuzz_target!(|data: &[u8]| {
    let body: Value = serde_json::from_slice(data).unwrap_or(Value::Null);
    let _ = decode::<ServiceList>(&body);
    let _ = decode::<Council>(&body);
    let _ = decode::<Report>(&body);
    let _ = decode::<ReportList>(&body);
    let _ = decode::<Booking>(&body);
    let _ = decode::<BookingList>(&body);
    let _ = decode::<Payment>(&body);
    let _ = decode::<PaymentList>(&body);
    let _ = decode::<PaymentState>(&body);
    let _ = decode::<SlotList>(&body);
    let _ = decode::<ChangeFeed>(&body);
    // A batch's answer is read straight from its bytes, as the core reads it, and so is each
    // operation's answer in it.
    if let Ok(batch) = serde_json::from_slice::<BatchResponse>(data) {
        for result in batch.results {
            let _ = serde_json::from_str::<Value>(result.body.get());
        }
    }
    let _ = decode::<DeviceToken>(&body);
    let _ = decode::<ErrorBody>(&body);
    if let Some(definition) = decode::<ServiceDefinition>(&body) {
        let answers = Answers::new();
        let _ = rules::validate_answers(&definition.questions, &answers);
        let _ = rules::fee_pence(definition.fee.as_ref(), &answers);
        let _ = definition.summary();
    }
});
