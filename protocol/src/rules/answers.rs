//! Is a report (or a booking's answers) complete and well-formed for its service?
//!
//! Invariant: every problem found is returned, each naming its field and what to do about it,
//! so a form can show them all at once; an empty list means the server will accept it.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::{
    Answer, Answers, Datatype, FieldProblem, GeoPoint, NewReport, Question, ServiceDefinition,
    ServiceKind,
};

use super::geo;

/// Open311's limit on a description.
pub const MAX_DESCRIPTION_CHARS: usize = 4000;
/// The most photos one report may cite.
pub const MAX_PHOTOS: usize = 5;
const MAX_STRING_CHARS: usize = 255;

/// Check answers against the service's questions. Field names are `answers.{code}`.
pub fn validate_answers(questions: &[Question], answers: &Answers) -> Vec<FieldProblem> {
    let mut problems = Vec::new();
    for code in answers.keys() {
        if !questions.iter().any(|q| &q.code == code) {
            problems.push(FieldProblem::new(
                format!("answers.{code}"),
                format!("'{code}' is not a question of this service: leave it out"),
            ));
        }
    }
    for question in questions {
        let field = format!("answers.{}", question.code);
        match answers.get(&question.code) {
            None => {
                if question.required {
                    problems.push(FieldProblem::new(
                        field,
                        format!("Answer the question: {}", question.description),
                    ));
                }
            }
            Some(answer) => {
                if let Err(message) = check_answer(question, answer) {
                    problems.push(FieldProblem::new(field, message));
                }
            }
        }
    }
    problems
}

fn check_answer(question: &Question, answer: &Answer) -> Result<(), String> {
    let blank = match answer {
        Answer::Text(text) => text.trim().is_empty(),
        Answer::Keys(items) => items.is_empty(),
        Answer::Number(_) => false,
    };
    if blank {
        return if question.required {
            Err(format!("Answer the question: {}", question.description))
        } else {
            Ok(())
        };
    }
    match question.datatype {
        Datatype::String | Datatype::Text => {
            let Answer::Text(text) = answer else {
                return Err("Enter text".to_owned());
            };
            let limit = if question.datatype == Datatype::String {
                MAX_STRING_CHARS
            } else {
                MAX_DESCRIPTION_CHARS
            };
            if text.chars().count() > limit {
                return Err(format!("Use {limit} characters or fewer"));
            }
            Ok(())
        }
        Datatype::Number => {
            let number = match answer {
                Answer::Number(n) => Some(*n),
                Answer::Text(text) => text.trim().parse::<f64>().ok(),
                Answer::Keys(_) => None,
            };
            match number {
                Some(n) if n.is_finite() => Ok(()),
                _ => Err("Enter a number, like 3".to_owned()),
            }
        }
        Datatype::Datetime => match answer {
            Answer::Text(text) if parse_datetime(text.trim()) => Ok(()),
            _ => Err(
                "Enter a date like 2026-12-01, or a date and time like 2026-12-01T14:30".to_owned(),
            ),
        },
        Datatype::Singlevaluelist => match answer {
            Answer::Text(key) if allowed(question, key) => Ok(()),
            _ => Err(format!("Choose one of: {}", choices(question))),
        },
        Datatype::Multivaluelist => {
            let keys: Vec<&String> = match answer {
                Answer::Keys(keys) => keys.iter().collect(),
                Answer::Text(key) => vec![key],
                Answer::Number(_) => Vec::new(),
            };
            if keys.is_empty() || !keys.iter().all(|key| allowed(question, key)) {
                return Err(format!("Choose from: {}", choices(question)));
            }
            let distinct: HashSet<&&String> = keys.iter().collect();
            if distinct.len() != keys.len() {
                return Err("Choose each option only once".to_owned());
            }
            Ok(())
        }
    }
}

fn parse_datetime(text: &str) -> bool {
    DateTime::parse_from_rfc3339(text).is_ok()
        || NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
        || NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").is_ok()
        || NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").is_ok()
}

fn allowed(question: &Question, key: &str) -> bool {
    question.values.iter().any(|v| v.key == key)
}

fn choices(question: &Question) -> String {
    question
        .values
        .iter()
        .map(|v| format!("{} ({})", v.key, v.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An answer as a form has it: the text typed in, or the keys picked from a list. The page
/// and Open311 send it as a string or an array of strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(untagged)]
pub enum GivenAnswer {
    Typed(String),
    Picked(Vec<String>),
}

/// Answers as a form gives them → answers of each question's type; a blank answer (nothing
/// typed, nothing picked) is no answer and is left out. Keys picked are the list
/// they are (one key picked for a one-choice question is that key); typed text takes its
/// question's type: a multi-value list splits on commas, a number becomes a number when it
/// reads as one; anything else, or a question the service does not ask, stays text for the
/// checks to judge.
pub fn given_answers(
    questions: &[Question],
    given: impl IntoIterator<Item = (String, GivenAnswer)>,
) -> Answers {
    given
        .into_iter()
        .filter(|(_, given)| match given {
            GivenAnswer::Typed(text) => !text.trim().is_empty(),
            GivenAnswer::Picked(keys) => !keys.is_empty(),
        })
        .map(|(code, given)| {
            let code = code.trim().to_owned();
            let datatype = questions
                .iter()
                .find(|q| q.code == code)
                .map(|q| q.datatype);
            let answer = match (given, datatype) {
                (GivenAnswer::Picked(mut keys), Some(Datatype::Singlevaluelist))
                    if keys.len() == 1 =>
                {
                    Answer::Text(keys.remove(0))
                }
                (GivenAnswer::Picked(keys), _) => Answer::Keys(keys),
                (GivenAnswer::Typed(text), Some(Datatype::Multivaluelist)) => Answer::Keys(
                    text.split(',')
                        .map(|v| v.trim().to_owned())
                        .filter(|v| !v.is_empty())
                        .collect(),
                ),
                (GivenAnswer::Typed(text), Some(Datatype::Number)) => text
                    .trim()
                    .parse()
                    .map_or_else(|_| Answer::Text(text.clone()), Answer::Number),
                (GivenAnswer::Typed(text), _) => Answer::Text(text),
            };
            (code, answer)
        })
        .collect()
}

/// Answers typed in as text (`question`, `value` pairs), as a command line gives them.
pub fn typed_answers(questions: &[Question], pairs: &[(String, String)]) -> Answers {
    given_answers(
        questions,
        pairs
            .iter()
            .map(|(code, text)| (code.clone(), GivenAnswer::Typed(text.clone()))),
    )
}

/// Is this a SHA-256 in lower-case hex, as attachments are named?
pub fn valid_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Check a whole report against its service and the council's boundary.
pub fn validate_report(
    service: &ServiceDefinition,
    report: &NewReport,
    boundary: &[GeoPoint],
) -> Vec<FieldProblem> {
    let mut problems = Vec::new();
    if service.kind != ServiceKind::Report {
        problems.push(FieldProblem::new(
            "service_code",
            format!(
                "'{}' is not something you can report: choose a report service",
                service.code
            ),
        ));
    }
    if report.description.chars().count() > MAX_DESCRIPTION_CHARS {
        problems.push(FieldProblem::new(
            "description",
            format!("Use {MAX_DESCRIPTION_CHARS} characters or fewer in the description"),
        ));
    }
    problems.extend(validate_location(&report.location, boundary));
    problems.extend(validate_answers(&service.questions, &report.answers));
    if report.attachments.len() > MAX_PHOTOS {
        problems.push(FieldProblem::new(
            "attachments",
            format!("Add {MAX_PHOTOS} photos or fewer"),
        ));
    }
    for (i, sha) in report.attachments.iter().enumerate() {
        if !valid_sha256(sha) {
            problems.push(FieldProblem::new(
                format!("attachments.{i}"),
                "A photo must be named by its SHA-256 in lower-case hex (64 characters)",
            ));
        }
    }
    if let Some(email) = report.contact.as_ref().and_then(|c| c.email.as_deref())
        && !super::valid_email(email)
    {
        problems.push(FieldProblem::new(
            "contact.email",
            "Enter an email address in the correct format, like name@example.com",
        ));
    }
    problems
}

/// A location is a point inside the council's area, or a property reference (UPRN).
pub fn validate_location(location: &crate::Location, boundary: &[GeoPoint]) -> Vec<FieldProblem> {
    match (location.lat, location.lon, location.uprn.as_deref()) {
        (Some(lat), Some(lon), _) => {
            let point = GeoPoint { lat, lon };
            if !geo::valid_point(point) {
                vec![FieldProblem::new(
                    "location",
                    "Latitude must be between -90 and 90 and longitude between -180 and 180",
                )]
            } else if !geo::contains(boundary, point) {
                vec![FieldProblem::new(
                    "location",
                    "That place is outside the council's area: choose a place inside it",
                )]
            } else {
                Vec::new()
            }
        }
        (None, None, Some(uprn))
            if !uprn.is_empty() && uprn.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Vec::new()
        }
        (None, None, Some(_)) => vec![FieldProblem::new(
            "location.uprn",
            "A UPRN is made of digits only",
        )],
        _ => vec![FieldProblem::new(
            "location",
            "Give the place as both lat and lon, or as an address's uprn",
        )],
    }
}

/// An update to a report, as both the device and the council take it: trimmed, from 1 to
/// `MAX_DESCRIPTION_CHARS` characters.
pub fn validate_update_text(text: &str) -> Result<&str, String> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(format!(
            "Write your update in 1 to {MAX_DESCRIPTION_CHARS} characters"
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Location, ValueOption};

    fn question(code: &str, datatype: Datatype, required: bool) -> Question {
        Question {
            code: code.to_owned(),
            datatype,
            required,
            description: format!("What is the {code}?"),
            datatype_description: None,
            order: 0,
            values: vec![
                ValueOption {
                    key: "a".into(),
                    name: "A".into(),
                },
                ValueOption {
                    key: "b".into(),
                    name: "B".into(),
                },
            ],
        }
    }

    fn answers(pairs: &[(&str, Answer)]) -> Answers {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn a_missing_required_answer_names_its_field() {
        let problems = validate_answers(
            &[question("depth", Datatype::Singlevaluelist, true)],
            &Answers::new(),
        );
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "answers.depth");
        assert!(problems[0].message.contains("What is the depth?"));
    }

    #[test]
    fn list_answers_must_be_offered_values() {
        let qs = [
            question("one", Datatype::Singlevaluelist, true),
            question("many", Datatype::Multivaluelist, true),
        ];
        assert!(
            validate_answers(
                &qs,
                &answers(&[
                    ("one", Answer::Text("a".into())),
                    ("many", Answer::Keys(vec!["a".into(), "b".into()])),
                ])
            )
            .is_empty()
        );
        let problems = validate_answers(
            &qs,
            &answers(&[
                ("one", Answer::Text("z".into())),
                ("many", Answer::Keys(vec!["a".into(), "a".into()])),
            ]),
        );
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["answers.one", "answers.many"]);
    }

    #[test]
    fn numbers_and_dates_are_checked_by_datatype() {
        let qs = [
            question("count", Datatype::Number, true),
            question("when", Datatype::Datetime, false),
        ];
        assert!(
            validate_answers(
                &qs,
                &answers(&[
                    ("count", Answer::Text("3".into())),
                    ("when", Answer::Text("2026-12-01T09:30".into())),
                ])
            )
            .is_empty()
        );
        let problems = validate_answers(
            &qs,
            &answers(&[
                ("count", Answer::Text("three".into())),
                ("when", Answer::Text("next tuesday".into())),
            ]),
        );
        assert_eq!(problems.len(), 2);
    }

    #[test]
    fn unknown_answers_are_refused() {
        let problems = validate_answers(&[], &answers(&[("colour", Answer::Text("red".into()))]));
        assert_eq!(problems[0].field, "answers.colour");
    }

    #[test]
    fn a_blank_optional_answer_is_fine_but_a_blank_required_one_is_not() {
        let qs = [
            question("note", Datatype::Text, false),
            question("name", Datatype::String, true),
        ];
        let problems = validate_answers(
            &qs,
            &answers(&[
                ("note", Answer::Text("  ".into())),
                ("name", Answer::Text("".into())),
            ]),
        );
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["answers.name"]);
    }

    #[test]
    fn a_location_needs_a_point_inside_or_a_uprn() {
        let square: Vec<GeoPoint> = [(54.0, -2.0), (55.0, -2.0), (55.0, -1.0), (54.0, -1.0)]
            .into_iter()
            .map(|(lat, lon)| GeoPoint { lat, lon })
            .collect();
        let inside = Location {
            lat: Some(54.5),
            lon: Some(-1.5),
            ..Location::default()
        };
        let outside = Location {
            lat: Some(51.5),
            lon: Some(-0.1),
            ..Location::default()
        };
        let by_uprn = Location {
            uprn: Some("100110000001".into()),
            ..Location::default()
        };
        let half = Location {
            lat: Some(54.5),
            ..Location::default()
        };
        assert!(validate_location(&inside, &square).is_empty());
        assert!(validate_location(&by_uprn, &square).is_empty());
        assert!(
            validate_location(&outside, &square)[0]
                .message
                .contains("outside")
        );
        assert_eq!(validate_location(&half, &square)[0].field, "location");
    }

    #[test]
    fn typed_in_answers_take_their_questions_types() {
        let qs = [
            question("items", Datatype::Multivaluelist, true),
            question("count", Datatype::Number, true),
        ];
        let pairs: Vec<(String, String)> =
            [("items", "a, b"), ("count", "3"), ("note", "by the gate")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
        let typed = typed_answers(&qs, &pairs);
        assert_eq!(typed["items"], Answer::Keys(vec!["a".into(), "b".into()]));
        assert_eq!(typed["count"], Answer::Number(3.0));
        assert_eq!(typed["note"], Answer::Text("by the gate".into()));
    }

    #[test]
    fn keys_picked_stay_whole_and_one_pick_answers_a_one_choice_question() {
        let qs = [
            question("items", Datatype::Multivaluelist, true),
            question("size", Datatype::Singlevaluelist, true),
        ];
        let given = [
            (
                "items",
                GivenAnswer::Picked(vec!["sofa, large".into(), "fridge".into()]),
            ),
            ("size", GivenAnswer::Picked(vec!["big".into()])),
            (" count ", GivenAnswer::Typed("4".into())),
            ("note", GivenAnswer::Typed("  ".into())),
            ("colours", GivenAnswer::Picked(Vec::new())),
        ]
        .map(|(code, answer)| (code.to_owned(), answer));
        let typed = given_answers(&qs, given);
        assert_eq!(
            typed["items"],
            Answer::Keys(vec!["sofa, large".into(), "fridge".into()])
        );
        assert_eq!(typed["size"], Answer::Text("big".into()));
        assert_eq!(typed["count"], Answer::Text("4".into()));
        assert_eq!(typed.len(), 3, "blank answers are no answers: {typed:?}");
        let page: Vec<(String, GivenAnswer)> =
            serde_json::from_str(r#"[["items", ["a"]], ["note", "by the gate"]]"#).unwrap();
        assert_eq!(page[0].1, GivenAnswer::Picked(vec!["a".into()]));
        assert_eq!(page[1].1, GivenAnswer::Typed("by the gate".into()));
    }

    #[test]
    fn attachment_names_must_be_sha256_hex() {
        assert!(valid_sha256(&"ab".repeat(32)));
        assert!(!valid_sha256(&"AB".repeat(32)));
        assert!(!valid_sha256("abc"));
    }
}
