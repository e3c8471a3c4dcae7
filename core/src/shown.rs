//! What every shell shows of the resident's things, in the resident's words: the words for a
//! status, an item's title and summary line, a report's timeline, and what a notification says
//! when the council changes something.
//!
//! Invariant: these are pure functions of the core's own values, so the desktop, Android, iOS
//! and the CLI say the same thing; where the council has its copy of an item, what is shown is
//! the council's copy, and what the resident asked for only until then.

use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
use doorstep_protocol::{
    Author, Booking, BookingStatus, Location, NewBooking, NewPayment, NewReport, Payment,
    PaymentStatus, Question, Report, ReportStatus, rules,
};
use serde::Serialize;

use crate::{
    form::{self, CheckedAnswer},
    items::Delivery,
};

/// A booking's status at the council, as a resident reads it.
pub fn booking_status(status: BookingStatus) -> &'static str {
    match status {
        BookingStatus::Confirmed => "Confirmed",
        BookingStatus::AwaitingPayment => "Waiting for payment",
        BookingStatus::Cancelled => "Cancelled",
    }
}

/// A payment's status, as a resident reads it: GOV.UK Pay's eight states in four phrases.
pub fn payment_status(status: PaymentStatus) -> &'static str {
    match status {
        PaymentStatus::Created | PaymentStatus::Started => "Not paid yet",
        PaymentStatus::Submitted | PaymentStatus::Capturable => "Being checked",
        PaymentStatus::Success => "Paid",
        PaymentStatus::Failed | PaymentStatus::Error => "Not paid",
        PaymentStatus::Cancelled => "Cancelled",
    }
}

/// Where an item stands on its way to the council.
pub fn delivery(delivery: &Delivery) -> &'static str {
    match delivery {
        Delivery::Waiting => "Waiting to send",
        Delivery::NeedsAttention { .. } => "Needs your attention",
        Delivery::Sent => "Sent",
    }
}

/// What a list's tag says of an item: the council's status once the council has it and nothing
/// of it waits to be sent, else where it stands on its way ("Waiting to send").
pub fn tag(status: Option<&str>, delivery: &Delivery) -> String {
    match (status, delivery) {
        (Some(status), Delivery::Sent) => status.to_owned(),
        _ => self::delivery(delivery).to_owned(),
    }
}

/// May the resident say a report in this status is not fixed? Only when the council says it is
/// done with the problem itself — not when it is someone else's, or already reported.
pub fn may_reopen(status: ReportStatus) -> bool {
    matches!(
        status,
        ReportStatus::Fixed | ReportStatus::Closed | ReportStatus::NoFurtherAction
    )
}

/// Where a place is, in words: its address, else its coordinates.
pub fn place(location: &Location) -> String {
    match (&location.address, location.lat, location.lon) {
        (Some(address), _, _) if !address.trim().is_empty() => address.clone(),
        (_, Some(lat), Some(lon)) => format!("{lat}, {lon}"),
        _ => "Not given".to_owned(),
    }
}

/// What a list or a heading shows of one of the resident's things.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Shown {
    /// What it is: the service's name ("Bulky waste collection"), or what the payment is for
    /// ("Council tax").
    pub title: String,
    /// The council's reference, once the council has it.
    pub reference: Option<String>,
    /// The council's status in words ("In progress", "Waiting for payment", "Paid"), once the
    /// council has it.
    pub status: Option<String>,
    /// Where it stands on its way to the council: "Waiting to send", "Needs your attention" or
    /// "Sent".
    pub delivery: String,
    /// What a list's tag says: the status once the council has it all, else the delivery.
    pub tag: String,
    /// The one line a list shows under the title: what the resident wrote, where and when a
    /// booking is, how much a payment is and for which reference.
    pub summary: String,
    /// Where it is, in words, when it is somewhere.
    pub place: Option<String>,
    /// A report's history, oldest first: what the council did and what the resident added.
    pub steps: Vec<Step>,
    /// A report the council has finished with as fixed or closed: the resident may say it is
    /// not fixed, which reopens it.
    pub may_reopen: bool,
    /// What was answered to the service's questions, as "Check your answers" says it (the
    /// council's copy's answers once it has them); empty for a payment.
    pub answers: Vec<CheckedAnswer>,
}

/// One step in a report's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Step {
    pub at: DateTime<Utc>,
    /// "The council" or "You".
    pub by: String,
    /// The status it moved to, in words.
    pub status: Option<String>,
    pub note: Option<String>,
}

/// What the core knows the service or the payment's purpose is called (from the catalogue and
/// the council's profile), for items the council does not have yet.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub service: Option<String>,
    pub purpose: Option<String>,
    /// The service's questions, when this device has its definition.
    pub questions: Vec<Question>,
}

/// The most of a description a summary line quotes.
const SUMMARY_CHARS: usize = 80;

/// Text cut to `most` characters, with an ellipsis when something was left out.
pub fn quoted(text: &str, most: usize) -> String {
    let text = text.trim();
    let short: String = text.chars().take(most).collect();
    if short.len() < text.len() {
        format!("{}…", short.trim_end())
    } else {
        short
    }
}

/// The one line a notification says when the council changed an item's status, or nothing
/// when the status did not change (or the council did not have the item before).
pub fn status_change(before: Option<&str>, shown: &Shown) -> Option<(String, String)> {
    let now = shown.status.as_deref()?;
    let before = before?;
    (before != now).then(|| {
        let what = match &shown.reference {
            Some(reference) => format!("{} {reference}", shown.title),
            None => shown.title.clone(),
        };
        (what, format!("Now: {now}"))
    })
}

/// A report: the council's copy wins over what was asked.
pub fn report(
    request: Option<&NewReport>,
    report: Option<&Report>,
    delivery: &Delivery,
    names: &Names,
) -> Shown {
    let (code, description, location) = match (report, request) {
        (Some(r), _) => (r.service_code.as_str(), r.description.as_str(), &r.location),
        (None, Some(asked)) => (
            asked.service_code.as_str(),
            asked.description.as_str(),
            &asked.location,
        ),
        (None, None) => ("", "", &Location::default()),
    };
    let title = report
        .map(|r| r.service_name.clone())
        .or_else(|| names.service.clone())
        .unwrap_or_else(|| or(code, "Report"));
    let status = report.map(|r| r.status.words().to_owned());
    Shown {
        title,
        reference: report.map(|r| r.reference.clone()),
        tag: tag(status.as_deref(), delivery),
        status,
        delivery: self::delivery(delivery).to_owned(),
        summary: quoted(description, SUMMARY_CHARS),
        place: (report.is_some() || request.is_some()).then(|| place(location)),
        steps: report
            .map(|r| {
                r.timeline
                    .iter()
                    .map(|entry| Step {
                        at: entry.at,
                        by: match entry.from {
                            Author::Council => "The council",
                            Author::Resident => "You",
                        }
                        .to_owned(),
                        status: entry.status.map(|s| s.words().to_owned()),
                        note: entry.note.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        may_reopen: report.is_some_and(|r| may_reopen(r.status)),
        answers: report
            .map(|r| &r.answers)
            .or(request.map(|r| &r.answers))
            .map(|answers| form::answered(&names.questions, answers))
            .unwrap_or_default(),
    }
}

/// A booking: the council's copy wins over what was asked.
pub fn booking(
    request: Option<&NewBooking>,
    booking: Option<&Booking>,
    delivery: &Delivery,
    names: &Names,
) -> Shown {
    let code = booking
        .map(|b| b.service_code.as_str())
        .or(request.map(|r| r.service_code.as_str()))
        .unwrap_or_default();
    let title = booking
        .map(|b| b.service_name.clone())
        .or_else(|| names.service.clone())
        .unwrap_or_else(|| or(code, "Booking"));
    let summary = match (booking, request) {
        (Some(b), _) => format!("{}, {}", b.site_name, slot_time(b.start.naive_local())),
        (None, Some(asked)) => rules::parse_slot_id(&asked.slot_id)
            .map_or_else(|| asked.slot_id.clone(), |(_, start)| slot_time(start)),
        (None, None) => String::new(),
    };
    let location = booking
        .and_then(|b| b.location.as_ref())
        .or(request.and_then(|r| r.location.as_ref()));
    let status = booking.map(|b| booking_status(b.status).to_owned());
    Shown {
        title,
        reference: booking.map(|b| b.reference.clone()),
        tag: tag(status.as_deref(), delivery),
        status,
        delivery: self::delivery(delivery).to_owned(),
        summary,
        place: location.map(place),
        steps: Vec::new(),
        may_reopen: false,
        answers: booking
            .map(|b| &b.answers)
            .or(request.map(|r| &r.answers))
            .map(|answers| form::answered(&names.questions, answers))
            .unwrap_or_default(),
    }
}

/// A payment: the council's copy wins over what was asked.
pub fn payment(
    request: Option<&NewPayment>,
    payment: Option<&Payment>,
    delivery: &Delivery,
    names: &Names,
) -> Shown {
    let (reference, pence) = match (payment, request) {
        (Some(p), _) => (p.reference.as_str(), p.amount_pence),
        (None, Some(asked)) => (asked.reference.as_str(), asked.amount_pence),
        (None, None) => ("", 0),
    };
    let amount = rules::pounds(pence);
    let status = payment.map(|p| payment_status(p.state.status).to_owned());
    Shown {
        title: names
            .purpose
            .clone()
            .unwrap_or_else(|| "Payment".to_owned()),
        reference: payment.map(|p| p.reference.clone()),
        tag: tag(status.as_deref(), delivery),
        status,
        delivery: self::delivery(delivery).to_owned(),
        summary: match reference.trim() {
            "" => amount,
            reference => format!("{amount} for {reference}"),
        },
        place: None,
        steps: Vec::new(),
        may_reopen: false,
        answers: Vec::new(),
    }
}

/// A slot's start as a list shows it, in the council's own time and GOV.UK's style:
/// "Tuesday 1 December 2026 at 9:30am", "… at 2pm".
pub fn slot_time(start: NaiveDateTime) -> String {
    let clock = if start.minute() == 0 {
        start.format("%-I%P")
    } else {
        start.format("%-I:%M%P")
    };
    format!("{} at {clock}", start.format("%A %-d %B %Y"))
}

fn or(text: &str, otherwise: &str) -> String {
    if text.is_empty() {
        otherwise.to_owned()
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use doorstep_protocol::{Fallback, TimelineEntry};

    use super::*;

    fn report_copy(status: ReportStatus) -> Report {
        let at = "2026-12-01T10:00:00Z".parse().unwrap();
        Report {
            id: "r1".into(),
            reference: "DUR-2026-000123".into(),
            service_code: "pothole".into(),
            service_name: "Report a pothole".into(),
            description: "The council's words".into(),
            location: Location {
                lat: Some(54.77),
                lon: Some(-1.57),
                ..Location::default()
            },
            answers: Default::default(),
            attachments: Vec::new(),
            contact: None,
            media_url: None,
            status,
            created_at: at,
            updated_at: at,
            expected_by: None,
            timeline: vec![
                TimelineEntry {
                    at,
                    from: Author::Resident,
                    status: None,
                    note: Some("Still there".into()),
                },
                TimelineEntry {
                    at,
                    from: Author::Council,
                    status: Some(ReportStatus::InProgress),
                    note: None,
                },
            ],
        }
    }

    fn asked() -> NewReport {
        NewReport {
            service_code: "pothole".into(),
            description: "Deep hole by the bus stop".into(),
            location: Location {
                address: Some("1 Front Street, Durham".into()),
                ..Location::default()
            },
            answers: Default::default(),
            attachments: Vec::new(),
            contact: None,
            media_url: None,
        }
    }

    #[test]
    fn a_report_shows_what_was_asked_until_the_council_has_it_and_then_its_copy() {
        let names = Names {
            service: Some("Pothole".into()),
            purpose: None,
            questions: vec![Question {
                code: "depth".into(),
                datatype: doorstep_protocol::Datatype::Singlevaluelist,
                required: true,
                description: "How deep is it?".into(),
                datatype_description: None,
                order: 0,
                values: vec![doorstep_protocol::ValueOption {
                    key: "deep".into(),
                    name: "Deeper than 4cm".into(),
                }],
            }],
        };
        let mut asked = asked();
        asked.answers.insert(
            "depth".into(),
            doorstep_protocol::Answer::Text("deep".into()),
        );
        let waiting = report(Some(&asked), None, &Delivery::Waiting, &names);
        assert_eq!(waiting.title, "Pothole");
        assert_eq!(waiting.summary, "Deep hole by the bus stop");
        assert_eq!(waiting.place.as_deref(), Some("1 Front Street, Durham"));
        assert_eq!(waiting.status, None);
        assert_eq!(waiting.delivery, "Waiting to send");
        assert_eq!(waiting.tag, "Waiting to send");
        let said: Vec<_> = waiting
            .answers
            .iter()
            .map(|a| (a.question.as_str(), a.answer.as_str()))
            .collect();
        assert_eq!(said, [("How deep is it?", "Deeper than 4cm")]);

        let copy = report_copy(ReportStatus::InProgress);
        let sent = report(Some(&asked), Some(&copy), &Delivery::Sent, &names);
        assert_eq!(
            sent.answers[0].answer, "Not answered",
            "the council's copy's answers win"
        );
        assert_eq!(sent.title, "Report a pothole");
        assert_eq!(sent.summary, "The council's words");
        assert_eq!(sent.place.as_deref(), Some("54.77, -1.57"));
        assert_eq!(sent.status.as_deref(), Some("In progress"));
        assert_eq!(
            sent.tag, "In progress",
            "the council's status once it has it"
        );
        let updating = report(Some(&asked), Some(&copy), &Delivery::Waiting, &names);
        assert_eq!(
            updating.tag, "Waiting to send",
            "an update still on its way is what the tag says"
        );
        assert_eq!(sent.reference.as_deref(), Some("DUR-2026-000123"));
        let steps: Vec<_> = sent
            .steps
            .iter()
            .map(|s| (s.by.as_str(), s.status.as_deref(), s.note.as_deref()))
            .collect();
        assert_eq!(
            steps,
            [
                ("You", None, Some("Still there")),
                ("The council", Some("In progress"), None)
            ]
        );
        assert!(!sent.may_reopen);
    }

    #[test]
    fn only_a_report_the_council_finished_itself_may_be_reopened() {
        let shown = |status| {
            report(
                None,
                Some(&report_copy(status)),
                &Delivery::Sent,
                &Names::default(),
            )
            .may_reopen
        };
        assert!(shown(ReportStatus::Fixed));
        assert!(shown(ReportStatus::Closed));
        assert!(shown(ReportStatus::NoFurtherAction));
        assert!(!shown(ReportStatus::Duplicate));
        assert!(!shown(ReportStatus::NotCouncilsResponsibility));
        assert!(!shown(ReportStatus::Open));
        assert!(!report(Some(&asked()), None, &Delivery::Waiting, &Names::default()).may_reopen);
    }

    #[test]
    fn a_long_description_is_cut_at_a_word_with_an_ellipsis() {
        let mut long = asked();
        long.description = "word ".repeat(40);
        let shown = report(Some(&long), None, &Delivery::Waiting, &Names::default());
        assert!(shown.summary.ends_with('…'), "{}", shown.summary);
        assert!(shown.summary.chars().count() <= SUMMARY_CHARS + 1);
        assert_eq!(
            shown.title, "pothole",
            "the code when the catalogue has no name"
        );
        assert_eq!(quoted("  short  ", 80), "short");
    }

    #[test]
    fn a_booking_says_where_and_when_and_a_payment_how_much_for_what() {
        let asked = NewBooking {
            service_code: "bulky_waste".into(),
            slot_id: "hwrc-1/2026-12-01T09:30".into(),
            answers: Default::default(),
            location: None,
            fallback: Fallback::None,
        };
        let waiting = booking(Some(&asked), None, &Delivery::Waiting, &Names::default());
        assert_eq!(waiting.title, "bulky_waste");
        assert_eq!(waiting.summary, "Tuesday 1 December 2026 at 9:30am");

        let paying = NewPayment {
            purpose: "council_tax".into(),
            reference: "1234 5678".into(),
            amount_pence: 1250,
            return_url: "https://council.example/paid".into(),
            email: None,
        };
        let names = Names {
            purpose: Some("Council tax".into()),
            ..Names::default()
        };
        let shown = payment(Some(&paying), None, &Delivery::Waiting, &names);
        assert_eq!(shown.title, "Council tax");
        assert_eq!(shown.summary, "£12.50 for 1234 5678");
        assert_eq!(shown.status, None);
    }

    #[test]
    fn every_status_has_words_and_eight_payment_states_read_as_four() {
        for status in ReportStatus::ALL {
            assert!(!status.words().is_empty());
        }
        assert_eq!(payment_status(PaymentStatus::Started), "Not paid yet");
        assert_eq!(payment_status(PaymentStatus::Capturable), "Being checked");
        assert_eq!(payment_status(PaymentStatus::Error), "Not paid");
        assert_eq!(
            booking_status(BookingStatus::AwaitingPayment),
            "Waiting for payment"
        );
    }

    #[test]
    fn a_notification_is_said_only_when_the_councils_status_changed() {
        let names = Names::default();
        let copy = report_copy(ReportStatus::Fixed);
        let shown = report(None, Some(&copy), &Delivery::Sent, &names);
        assert_eq!(
            status_change(Some("In progress"), &shown),
            Some((
                "Report a pothole DUR-2026-000123".to_owned(),
                "Now: Fixed".to_owned()
            ))
        );
        assert_eq!(status_change(Some("Fixed"), &shown), None);
        assert_eq!(
            status_change(None, &shown),
            None,
            "the council's first copy"
        );
    }
}
