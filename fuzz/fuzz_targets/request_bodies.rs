//! Fuzz the server's request bodies: any bytes read as each request type the API takes, the way
//! the server reads a body, then checked with the protocol's rules against the demo council.
//!
//! Invariant: a body the server cannot take is a 4xx error naming the field, never a panic; a
//! body that reads is judged by the same rules the handlers apply, and they do not panic either.
//! The first byte picks the request type; the rest is the body.

#![no_main]

use doorstep_protocol::{
    BatchRequest, EmailSignIn, NewBooking, NewDevice, NewPayment, NewRefund, NewReport,
    NewReportUpdate, NewStatus, VerifyCode, rules,
};
use doorstep_server::{extract::parse_json, profile::Profile};
use libfuzzer_sys::fuzz_target;

mod durham;

use durham::DURHAM;

fn report(profile: &Profile, body: &NewReport) {
    if let Some(service) = profile.service(&body.service_code) {
        let _ = rules::validate_report(service, body, &profile.council.boundary.polygon);
    }
}

fn booking(profile: &Profile, body: &NewBooking) {
    let Some(service) = profile.service(&body.service_code) else {
        return;
    };
    let _ = rules::validate_answers(&service.questions, &body.answers);
    let _ = rules::fee_pence(service.fee.as_ref(), &body.answers);
    if let Some(location) = &body.location {
        let _ = rules::validate_location(location, &profile.council.boundary.polygon);
    }
    if let (Some(booking_rules), Some((site, start))) =
        (&service.booking, rules::parse_slot_id(&body.slot_id))
    {
        let _ = rules::slot_at(booking_rules, &site, start);
    }
}

fn payment(profile: &Profile, body: &NewPayment) {
    if let Some(purpose) = profile.purpose(&body.purpose) {
        let _ = rules::validate_payment(purpose, &body.reference, body.amount_pence);
    }
    let _ = rules::valid_return_url(&body.return_url);
    let _ = body.email.as_deref().map(rules::valid_email);
    let _ = rules::normalise_reference(&body.reference);
}

fuzz_target!(|data: &[u8]| {
    let Some((&kind, body)) = data.split_first() else {
        return;
    };
    let profile = &*DURHAM;
    match kind % 10 {
        0 => {
            if let Ok(device) = parse_json::<NewDevice>(body) {
                let _ = rules::validate_device(&device);
            }
        }
        1 => {
            if let Ok(sign_in) = parse_json::<EmailSignIn>(body) {
                let _ = rules::valid_email(&sign_in.email);
            }
        }
        2 => {
            if let Ok(verify) = parse_json::<VerifyCode>(body) {
                let _ = rules::valid_email(&verify.email);
            }
        }
        3 => {
            if let Ok(new) = parse_json::<NewReport>(body) {
                report(profile, &new);
            }
        }
        4 => {
            let _ = parse_json::<NewReportUpdate>(body);
        }
        5 => {
            if let Ok(new) = parse_json::<NewBooking>(body) {
                booking(profile, &new);
            }
        }
        6 => {
            if let Ok(new) = parse_json::<NewPayment>(body) {
                payment(profile, &new);
            }
        }
        7 => {
            let _ = parse_json::<NewStatus>(body);
        }
        8 => {
            let _ = parse_json::<NewRefund>(body);
        }
        _ => {
            let Ok(batch) = parse_json::<BatchRequest>(body) else {
                return;
            };
            for operation in batch.operations {
                let Some(inner) = operation.body else {
                    continue;
                };
                let bytes = inner.get().as_bytes();
                if let Ok(new) = parse_json::<NewReport>(bytes) {
                    report(profile, &new);
                }
                if let Ok(new) = parse_json::<NewBooking>(bytes) {
                    booking(profile, &new);
                }
                if let Ok(new) = parse_json::<NewPayment>(bytes) {
                    payment(profile, &new);
                }
            }
        }
    }
});
