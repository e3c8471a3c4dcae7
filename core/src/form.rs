//! The form a service's questions make, and what "Check your answers" says of what was given:
//! one model that the desktop, Android, iOS and the command line all draw.
//!
//! Invariant: pure functions of the service's questions and the answers given. Every question
//! is one field, in the council's order; a field names the input the core's problems point at
//! (`answers.{code}`), so a shell puts each problem beside its field without a rule of its own.

use std::collections::BTreeMap;

use doorstep_protocol::{
    Answer, Answers, ContactDetails, Datatype, Fallback, Location, Question, ValueOption,
    rules::{self, GivenAnswer},
};
use serde::{Deserialize, Serialize};

use crate::shown;

/// How a question is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// A line of text.
    Line,
    /// A longer text, over several lines.
    Lines,
    /// A number.
    Number,
    /// A date, with a time when the resident wants to give one.
    Date,
    /// One of the choices.
    OneOf,
    /// Any of the choices.
    AnyOf,
}

/// One of the choices a list question offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Choice {
    pub key: String,
    pub name: String,
}

/// One question, as a form asks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Field {
    /// The question's code: the answer is given under it.
    pub code: String,
    /// What a problem with this answer names as its field.
    pub problem_field: String,
    /// The question, with "(optional)" when it may be left out.
    pub label: String,
    /// Help shown under the question: the council's own, or how to write a date, or "Select
    /// all that apply".
    pub hint: Option<String>,
    pub kind: FieldKind,
    pub required: bool,
    /// For a list question, the choices in the council's order; empty otherwise.
    pub choices: Vec<Choice>,
}

/// Every question of a service, in the order the council asks them.
pub fn fields(questions: &[Question]) -> Vec<Field> {
    let mut ordered: Vec<&Question> = questions.iter().collect();
    ordered.sort_by_key(|q| q.order);
    ordered.into_iter().map(field).collect()
}

fn field(question: &Question) -> Field {
    let kind = match question.datatype {
        Datatype::String => FieldKind::Line,
        Datatype::Text => FieldKind::Lines,
        Datatype::Number => FieldKind::Number,
        Datatype::Datetime => FieldKind::Date,
        Datatype::Singlevaluelist => FieldKind::OneOf,
        Datatype::Multivaluelist => FieldKind::AnyOf,
    };
    let hint = question.datatype_description.clone().or_else(|| {
        match kind {
            FieldKind::Date => Some("For example, 2026-12-01, or 2026-12-01T14:30 with a time"),
            FieldKind::AnyOf => Some("Select all that apply"),
            _ => None,
        }
        .map(str::to_owned)
    });
    Field {
        code: question.code.clone(),
        problem_field: format!("answers.{}", question.code),
        label: if question.required {
            question.description.clone()
        } else {
            format!("{} (optional)", question.description)
        },
        hint,
        kind,
        required: question.required,
        choices: question
            .values
            .iter()
            .map(|v| Choice {
                key: v.key.clone(),
                name: v.name.clone(),
            })
            .collect(),
    }
}

/// One row of "Check your answers".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CheckedAnswer {
    /// The question's code, for the row's "Change" link back to its field.
    pub code: String,
    /// The question, as asked.
    pub question: String,
    /// The answer in words: the text, the names of the choices picked, or "Not answered".
    pub answer: String,
}

/// "Check your answers" for the service's questions, in the council's order.
pub fn check_answers(
    questions: &[Question],
    given: &BTreeMap<String, GivenAnswer>,
) -> Vec<CheckedAnswer> {
    let mut ordered: Vec<&Question> = questions.iter().collect();
    ordered.sort_by_key(|q| q.order);
    ordered
        .into_iter()
        .map(|question| CheckedAnswer {
            code: question.code.clone(),
            question: question.description.clone(),
            answer: answer_words(&question.values, given.get(&question.code)),
        })
        .collect()
}

/// A report as the form holds it before it is sent: what "Check your answers" is made from.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ReportToCheck {
    pub service_code: String,
    pub description: String,
    pub location: Location,
    pub answers: BTreeMap<String, GivenAnswer>,
    /// How many photos are chosen.
    pub photos: usize,
    pub contact: Option<ContactDetails>,
}

/// The row codes of a report's "Check your answers" besides its questions' own: each is the
/// input its "Change" goes back to.
pub const DESCRIPTION: &str = "description";
pub const LOCATION: &str = "location";
pub const PHOTOS: &str = "photos";
pub const CONTACT: &str = "contact";

/// "Check your answers" for a report, in the order its form asks: what is wrong, the service's
/// questions (`answers`, from [`check_answers`]), where, the photos and the contact details.
pub fn report_check(report: &ReportToCheck, answers: Vec<CheckedAnswer>) -> Vec<CheckedAnswer> {
    let row = |code: &str, question: &str, answer: String| CheckedAnswer {
        code: code.to_owned(),
        question: question.to_owned(),
        answer,
    };
    let description = report.description.trim();
    let contact = report
        .contact
        .iter()
        .flat_map(|c| [&c.name, &c.email, &c.phone])
        .flatten()
        .map(|part| part.trim())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let mut rows = vec![row(
        DESCRIPTION,
        "What is wrong",
        if description.is_empty() {
            "Not given".to_owned()
        } else {
            description.to_owned()
        },
    )];
    rows.extend(answers);
    rows.push(row(LOCATION, "Where", shown::place(&report.location)));
    rows.push(row(
        PHOTOS,
        "Photos",
        match report.photos {
            0 => "None".to_owned(),
            n => format!("{n} chosen"),
        },
    ));
    rows.push(row(
        CONTACT,
        "Your contact details",
        if contact.is_empty() {
            "None given".to_owned()
        } else {
            contact
        },
    ));
    rows
}

/// A booking as the form holds it before it is made: what "Check your answers" is made from.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct BookingToCheck {
    pub service_code: String,
    pub answers: BTreeMap<String, GivenAnswer>,
    /// Where, for a service that comes to the resident.
    pub location: Option<Location>,
    pub slot_id: String,
    pub fallback: Fallback,
}

/// The row codes of a booking's "Check your answers" besides its questions' and [`LOCATION`]:
/// the fields a refusal names for the time and for what to do if it is taken.
pub const SLOT: &str = "slot_id";
pub const FALLBACK: &str = "fallback";

/// What the form offers to do when the time chosen is taken, in the order it offers them.
pub const FALLBACKS: [Fallback; 3] = [Fallback::None, Fallback::SameDay, Fallback::NextAvailable];

/// What the council does when the time chosen is taken, as the form offers it.
pub fn fallback_words(fallback: Fallback) -> &'static str {
    match fallback {
        Fallback::None => "Don’t book",
        Fallback::SameDay => "Book another time that day",
        Fallback::NextAvailable => "Book the next time available",
    }
}

/// "Check your answers" for a booking, in the order its form asks: the service's questions
/// (`answers`, from [`check_answers`]), where (for a service that comes to the resident), the
/// time at its site (`site_name`, when the device knows the slot) and what to do if it is taken.
pub fn booking_check(
    booking: &BookingToCheck,
    answers: Vec<CheckedAnswer>,
    site_name: Option<&str>,
) -> Vec<CheckedAnswer> {
    let row = |code: &str, question: &str, answer: String| CheckedAnswer {
        code: code.to_owned(),
        question: question.to_owned(),
        answer,
    };
    let time = match rules::parse_slot_id(booking.slot_id.trim()) {
        None => "Not chosen".to_owned(),
        Some((_, start)) => match site_name {
            Some(site) => format!("{site}, {}", shown::slot_time(start)),
            None => shown::slot_time(start),
        },
    };
    let mut rows = answers;
    if let Some(location) = &booking.location {
        rows.push(row(LOCATION, "Where", shown::place(location)));
    }
    rows.push(row(SLOT, "Time", time));
    rows.push(row(
        FALLBACK,
        "If this time is taken",
        fallback_words(booking.fallback).to_owned(),
    ));
    rows
}

/// What was answered, as "Check your answers" says it: for an item already made, whose answers
/// the core has typed. An answer to a question this device does not know is still shown, under
/// its code in words.
pub fn answered(questions: &[Question], answers: &Answers) -> Vec<CheckedAnswer> {
    let given = answers
        .iter()
        .map(|(code, answer)| {
            let given = match answer {
                Answer::Text(text) => GivenAnswer::Typed(text.clone()),
                Answer::Number(number) => GivenAnswer::Typed(number.to_string()),
                Answer::Keys(keys) => GivenAnswer::Picked(keys.clone()),
            };
            (code.clone(), given)
        })
        .collect();
    let mut rows = check_answers(questions, &given);
    rows.extend(
        given
            .iter()
            .filter(|(code, _)| !questions.iter().any(|q| &q.code == *code))
            .map(|(code, given)| CheckedAnswer {
                code: code.clone(),
                question: code.replace('_', " "),
                answer: answer_words(&[], Some(given)),
            }),
    );
    rows
}

fn answer_words(choices: &[ValueOption], given: Option<&GivenAnswer>) -> String {
    let keys: Vec<&str> = match given {
        Some(GivenAnswer::Typed(text)) if !text.trim().is_empty() => vec![text.trim()],
        Some(GivenAnswer::Picked(keys)) => keys.iter().map(String::as_str).collect(),
        _ => Vec::new(),
    };
    if keys.is_empty() {
        return "Not answered".to_owned();
    }
    keys.into_iter()
        .map(|key| {
            choices
                .iter()
                .find(|v| v.key == key)
                .map_or(key, |v| v.name.as_str())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row of "Check your answers" as the tests compare it.
    fn row(code: &str, question: &str, answer: &str) -> (String, String, String) {
        (code.to_owned(), question.to_owned(), answer.to_owned())
    }

    fn question(code: &str, datatype: Datatype, required: bool, order: u32) -> Question {
        Question {
            code: code.into(),
            datatype,
            required,
            description: format!("What about {code}?"),
            datatype_description: None,
            order,
            values: if matches!(
                datatype,
                Datatype::Singlevaluelist | Datatype::Multivaluelist
            ) {
                vec![
                    ValueOption {
                        key: "sofa".into(),
                        name: "Sofa".into(),
                    },
                    ValueOption {
                        key: "fridge".into(),
                        name: "Fridge or freezer".into(),
                    },
                ]
            } else {
                Vec::new()
            },
        }
    }

    #[test]
    fn each_datatype_is_asked_its_own_way_in_the_councils_order() {
        let questions = [
            question("items", Datatype::Multivaluelist, true, 3),
            question("when", Datatype::Datetime, false, 1),
            question("count", Datatype::Number, true, 2),
            question("size", Datatype::Singlevaluelist, true, 4),
            question("note", Datatype::Text, false, 5),
            question("colour", Datatype::String, true, 0),
        ];
        let form = fields(&questions);
        let kinds: Vec<(&str, FieldKind)> =
            form.iter().map(|f| (f.code.as_str(), f.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("colour", FieldKind::Line),
                ("when", FieldKind::Date),
                ("count", FieldKind::Number),
                ("items", FieldKind::AnyOf),
                ("size", FieldKind::OneOf),
                ("note", FieldKind::Lines),
            ]
        );
        assert_eq!(form[1].label, "What about when? (optional)");
        assert_eq!(form[0].label, "What about colour?");
        assert_eq!(
            form[1].hint.as_deref(),
            Some("For example, 2026-12-01, or 2026-12-01T14:30 with a time")
        );
        assert_eq!(form[3].hint.as_deref(), Some("Select all that apply"));
        assert_eq!(form[3].problem_field, "answers.items");
        assert_eq!(form[4].choices[1].name, "Fridge or freezer");
        assert!(form[2].choices.is_empty());
    }

    #[test]
    fn the_councils_own_hint_wins() {
        let mut asked = question("when", Datatype::Datetime, true, 0);
        asked.datatype_description = Some("When did you see it?".into());
        assert_eq!(
            fields(&[asked])[0].hint.as_deref(),
            Some("When did you see it?")
        );
    }

    #[test]
    fn check_your_answers_names_the_choices_and_says_what_was_left_out() {
        let questions = [
            question("items", Datatype::Multivaluelist, true, 0),
            question("size", Datatype::Singlevaluelist, false, 1),
            question("note", Datatype::Text, false, 2),
            question("where", Datatype::String, false, 3),
        ];
        let given = BTreeMap::from([
            (
                "items".to_owned(),
                GivenAnswer::Picked(vec!["fridge".into(), "piano".into()]),
            ),
            (
                "note".to_owned(),
                GivenAnswer::Typed("  By the gate ".into()),
            ),
            ("where".to_owned(), GivenAnswer::Typed("   ".into())),
        ]);
        let rows = check_answers(&questions, &given);
        let said: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| (r.code.as_str(), r.answer.as_str()))
            .collect();
        assert_eq!(
            said,
            [
                ("items", "Fridge or freezer, piano"),
                ("size", "Not answered"),
                ("note", "By the gate"),
                ("where", "Not answered"),
            ]
        );
        assert_eq!(rows[0].question, "What about items?");
    }

    #[test]
    fn what_was_answered_reads_as_check_your_answers_and_keeps_unknown_questions() {
        let questions = [
            question("items", Datatype::Multivaluelist, true, 0),
            question("count", Datatype::Number, false, 1),
        ];
        let answers = Answers::from([
            ("items".to_owned(), Answer::Keys(vec!["sofa".into()])),
            ("count".to_owned(), Answer::Number(3.0)),
            ("gate_code".to_owned(), Answer::Text("1234".into())),
        ]);
        let rows: Vec<(String, String)> = answered(&questions, &answers)
            .into_iter()
            .map(|r| (r.question, r.answer))
            .collect();
        assert_eq!(
            rows,
            [
                ("What about items?".to_owned(), "Sofa".to_owned()),
                ("What about count?".to_owned(), "3".to_owned()),
                ("gate code".to_owned(), "1234".to_owned()),
            ]
        );
    }

    #[test]
    fn a_reports_check_your_answers_reads_in_the_order_its_form_asks() {
        let questions = [question("items", Datatype::Singlevaluelist, true, 0)];
        let mut report = ReportToCheck {
            service_code: "fly_tipping".into(),
            description: "  Sofa dumped by the gate ".into(),
            location: Location {
                lat: Some(54.7761),
                lon: Some(-1.5733),
                ..Location::default()
            },
            answers: BTreeMap::from([(
                "items".to_owned(),
                GivenAnswer::Picked(vec!["sofa".into()]),
            )]),
            photos: 2,
            contact: Some(ContactDetails {
                name: Some("Ann Smith".into()),
                email: Some(" ".into()),
                phone: Some("0191 000 0000".into()),
            }),
        };
        let words = |report: &ReportToCheck| {
            report_check(report, check_answers(&questions, &report.answers))
                .into_iter()
                .map(|r| (r.code, r.question, r.answer))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            words(&report),
            [
                row(DESCRIPTION, "What is wrong", "Sofa dumped by the gate"),
                row("items", "What about items?", "Sofa"),
                row(LOCATION, "Where", "54.7761, -1.5733"),
                row(PHOTOS, "Photos", "2 chosen"),
                row(CONTACT, "Your contact details", "Ann Smith, 0191 000 0000"),
            ]
        );
        report.description = " ".into();
        report.location.address = Some("1 Front Street, Durham".into());
        report.photos = 0;
        report.contact = None;
        let nothing: Vec<_> = words(&report)
            .into_iter()
            .filter(|(code, ..)| code != "items")
            .map(|(_, _, answer)| answer)
            .collect();
        assert_eq!(
            nothing,
            ["Not given", "1 Front Street, Durham", "None", "None given"]
        );
    }

    #[test]
    fn a_bookings_check_your_answers_says_the_time_at_its_site_and_what_if_it_is_taken() {
        let questions = [question("items", Datatype::Multivaluelist, true, 0)];
        let mut booking = BookingToCheck {
            service_code: "bulky_waste".into(),
            answers: BTreeMap::from([(
                "items".to_owned(),
                GivenAnswer::Picked(vec!["sofa".into(), "fridge".into()]),
            )]),
            location: Some(Location {
                address: Some("4 Sherburn Road, Gilesgate, Durham".into()),
                ..Location::default()
            }),
            slot_id: "depot/2026-12-08T09:30".into(),
            fallback: Fallback::NextAvailable,
        };
        let words = |booking: &BookingToCheck, site: Option<&str>| {
            booking_check(booking, check_answers(&questions, &booking.answers), site)
                .into_iter()
                .map(|r| (r.code, r.question, r.answer))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            words(&booking, Some("Aykley Heads depot")),
            [
                row("items", "What about items?", "Sofa, Fridge or freezer"),
                row(LOCATION, "Where", "4 Sherburn Road, Gilesgate, Durham"),
                row(
                    SLOT,
                    "Time",
                    "Aykley Heads depot, Tuesday 8 December 2026 at 9:30am"
                ),
                row(
                    FALLBACK,
                    "If this time is taken",
                    "Book the next time available"
                ),
            ]
        );
        booking.location = None;
        booking.slot_id = " ".into();
        booking.fallback = Fallback::None;
        let rest: Vec<_> = words(&booking, None).into_iter().skip(1).collect();
        assert_eq!(
            rest,
            [
                row(SLOT, "Time", "Not chosen"),
                row(FALLBACK, "If this time is taken", "Don’t book"),
            ]
        );
    }
}
