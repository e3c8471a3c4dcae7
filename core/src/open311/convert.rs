//! Open311 rows to Doorstep's own types and back: services and their questions, a report as a
//! form, a request as the council's copy of a report, updates onto its timeline, and statuses in
//! the resident's words.
//!
//! Invariant: pure functions of values. A report sent through Open311 always carries its marker
//! (`[Doorstep <16 hex of its key>]`) in its description, so that it can be recognised when the
//! answer to sending it was lost; applying an update twice changes nothing.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use doorstep_protocol::{
    Answer, Author, Datatype, Location, NewReport, Question, Report, ReportStatus,
    ServiceDefinition, ServiceKind, ServiceSummary, TimelineEntry, ValueOption,
    rules::answers::MAX_DESCRIPTION_CHARS,
};
use serde_json::Value;

use super::read::{flag, items, number, text};

/// The group services are listed under when the council names none.
pub const NO_GROUP: &str = "Reports";

/// The marker that lets a report be recognised among the council's: 16 hex digits of its key.
pub fn marker(key: &str) -> String {
    let hex: String = key
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(16)
        .collect();
    format!("[Doorstep {}]", hex.to_ascii_lowercase())
}

/// The description sent: the resident's words, then the marker, within the spec's 4000
/// characters (the words are shortened if they must be).
pub fn marked_description(description: &str, marker: &str) -> String {
    let room = MAX_DESCRIPTION_CHARS.saturating_sub(marker.chars().count() + 1);
    let words: String = description.trim().chars().take(room).collect();
    if words.is_empty() {
        marker.to_owned()
    } else {
        format!("{words} {marker}")
    }
}

/// The resident's words without any marker in them.
pub fn without_marker(description: &str) -> String {
    let mut rest = description;
    let mut out = String::new();
    while let Some(start) = rest.find("[Doorstep ") {
        let tail = &rest[start + "[Doorstep ".len()..];
        let is_marker = tail.len() > 16
            && tail.as_bytes()[..16].iter().all(u8::is_ascii_hexdigit)
            && tail.as_bytes()[16] == b']';
        if is_marker {
            out.push_str(&rest[..start]);
            rest = &tail[17..];
        } else {
            out.push_str(&rest[..start + 1]);
            rest = &rest[start + 1..];
        }
    }
    out.push_str(rest);
    out.trim().to_owned()
}

/// A service of the list, if it has a code.
pub fn service(row: &Value) -> Option<ServiceSummary> {
    let code = text(row, "service_code")?;
    Some(ServiceSummary {
        name: text(row, "service_name").unwrap_or_else(|| code.clone()),
        group: text(row, "group").unwrap_or_else(|| NO_GROUP.to_owned()),
        kind: ServiceKind::Report,
        description: text(row, "description").unwrap_or_default(),
        keywords: text(row, "keywords")
            .map(|k| {
                k.split(',')
                    .map(|w| w.trim().to_owned())
                    .filter(|w| !w.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        code,
    })
}

/// Does the service have questions to fetch (`metadata`)?
pub fn has_definition(row: &Value) -> bool {
    flag(row, "metadata").unwrap_or(false)
}

/// A service's definition: its summary, and the questions its attributes ask.
pub fn definition(summary: &ServiceSummary, definition: Option<&Value>) -> ServiceDefinition {
    let mut questions: Vec<Question> = definition
        .map(|d| {
            items(
                d.get("attributes").unwrap_or(&Value::Null),
                &["attributes", "attribute"],
            )
        })
        .unwrap_or_default()
        .iter()
        .filter_map(question)
        .collect();
    questions.sort_by_key(|q| q.order);
    ServiceDefinition {
        code: summary.code.clone(),
        name: summary.name.clone(),
        group: summary.group.clone(),
        kind: ServiceKind::Report,
        description: summary.description.clone(),
        keywords: summary.keywords.clone(),
        what_happens_next: None,
        target_days: None,
        questions,
        fee: None,
        booking: None,
        payment_purpose: None,
        more_info_url: None,
    }
}

/// An attribute the resident answers; none for one that only informs (`variable` false) or has
/// no code. An unknown datatype is asked as text.
pub fn question(row: &Value) -> Option<Question> {
    if flag(row, "variable") == Some(false) {
        return None;
    }
    let code = text(row, "code")?;
    let datatype = match text(row, "datatype")
        .unwrap_or_default()
        .to_ascii_lowercase()
        .as_str()
    {
        "number" => Datatype::Number,
        "datetime" => Datatype::Datetime,
        "text" => Datatype::Text,
        "singlevaluelist" => Datatype::Singlevaluelist,
        "multivaluelist" => Datatype::Multivaluelist,
        _ => Datatype::String,
    };
    let values = items(
        row.get("values").unwrap_or(&Value::Null),
        &["values", "value"],
    )
    .iter()
    .filter_map(|v| {
        let key = text(v, "key")?;
        Some(ValueOption {
            name: text(v, "name").unwrap_or_else(|| key.clone()),
            key,
        })
    })
    .collect();
    Some(Question {
        description: text(row, "description").unwrap_or_else(|| code.clone()),
        code,
        datatype,
        required: flag(row, "required").unwrap_or(false),
        datatype_description: text(row, "datatype_description"),
        order: number(row, "order").map_or(0, |n| n.clamp(0.0, f64::from(u32::MAX)) as u32),
        values,
    })
}

/// A report as Open311's form: the place, the answers as `attribute[code]` (lists as
/// `attribute[code][]`), the description with its marker, the key and jurisdiction if any.
pub fn form(
    report: &NewReport,
    marker: &str,
    api_key: Option<&str>,
    jurisdiction: Option<&str>,
) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut add = |name: &str, value: String| pairs.push((name.to_owned(), value));
    if let Some(key) = api_key {
        add("api_key", key.to_owned());
    }
    if let Some(jurisdiction) = jurisdiction {
        add("jurisdiction_id", jurisdiction.to_owned());
    }
    add("service_code", report.service_code.clone());
    if let (Some(lat), Some(lon)) = (report.location.lat, report.location.lon) {
        add("lat", lat.to_string());
        add("long", lon.to_string());
    }
    if let Some(uprn) = &report.location.uprn {
        add("address_id", uprn.clone());
    }
    add(
        "description",
        marked_description(&report.description, marker),
    );
    if let Some(url) = &report.media_url {
        add("media_url", url.clone());
    }
    if let Some(contact) = &report.contact {
        if let Some(email) = &contact.email {
            add("email", email.clone());
        }
        if let Some(phone) = &contact.phone {
            add("phone", phone.clone());
        }
        if let Some(name) = &contact.name {
            let (first, last) = name.trim().split_once(' ').unwrap_or((name.trim(), ""));
            add("first_name", first.to_owned());
            if !last.is_empty() {
                add("last_name", last.trim().to_owned());
            }
        }
    }
    for (code, answer) in &report.answers {
        match answer {
            Answer::Text(value) => add(&format!("attribute[{code}]"), value.clone()),
            Answer::Number(value) => add(&format!("attribute[{code}]"), value.to_string()),
            Answer::Keys(values) => {
                for value in values {
                    add(&format!("attribute[{code}][]"), value.clone());
                }
            }
        }
    }
    pairs
}

/// What a POST was answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Posted {
    /// The request's id.
    Request(String),
    /// Only a token, to be turned into an id later through `tokens/{token}`.
    Token(String),
}

/// The first row of a POST's answer.
pub fn posted(answer: &Value) -> Option<Posted> {
    let row = items(answer, &["service_requests", "request"])
        .into_iter()
        .next()?;
    if let Some(id) = text(&row, "service_request_id") {
        return Some(Posted::Request(id));
    }
    text(&row, "token").map(Posted::Token)
}

/// The id a placeholder copy carries until its token is resolved.
pub fn token_id(token: &str) -> String {
    format!("token:{token}")
}

/// Any status a server sends, as the nearest status a resident is shown; none for one that
/// says nothing recognisable (the report keeps the status it had).
pub fn resident_status(status: &str) -> Option<ReportStatus> {
    let status = status.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    Some(match status.as_str() {
        "open" | "new" | "submitted" | "acknowledged" | "confirmed" | "reopened" | "received" => {
            ReportStatus::Open
        }
        "investigating" | "assessing" | "under_review" | "in_review" | "inspected" => {
            ReportStatus::Investigating
        }
        "in_progress" | "work_in_progress" | "started" | "assigned" => ReportStatus::InProgress,
        "action_scheduled" | "planned" | "scheduled" => ReportStatus::ActionScheduled,
        "fixed" | "resolved" | "completed" | "complete" | "done" => ReportStatus::Fixed,
        "closed" => ReportStatus::Closed,
        "duplicate" => ReportStatus::Duplicate,
        "not_councils_responsibility" | "internal_referral" | "referred" | "transferred" => {
            ReportStatus::NotCouncilsResponsibility
        }
        "no_further_action" | "cancelled" | "canceled" | "rejected" | "wont_fix" | "invalid" => {
            ReportStatus::NoFurtherAction
        }
        other if other.contains("fix") || other.contains("resolv") || other.contains("complet") => {
            ReportStatus::Fixed
        }
        other if other.contains("clos") => ReportStatus::Closed,
        other if other.contains("progress") => ReportStatus::InProgress,
        _ => return None,
    })
}

/// A time as servers write it: W3C with an offset, or without one (taken as UTC).
pub fn datetime(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            [
                "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%S%.f",
            ]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(value, f).ok())
            .map(|t| t.and_utc())
        })
        .or_else(|| {
            NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
        })
}

/// A request row as the council's copy of a report. What the row leaves out is kept from the
/// copy held before (or from what the resident asked); a status that says only open or closed
/// does not replace a finer one that agrees with it; a change of status joins the timeline.
pub fn report(
    row: &Value,
    asked: Option<&NewReport>,
    before: Option<&Report>,
    now: DateTime<Utc>,
) -> Option<Report> {
    let id = text(row, "service_request_id")?;
    let created_at = text(row, "requested_datetime")
        .and_then(|t| datetime(&t))
        .or(before.map(|b| b.created_at))
        .unwrap_or(now);
    let updated_at = text(row, "updated_datetime")
        .and_then(|t| datetime(&t))
        .unwrap_or(created_at)
        .max(before.map_or(created_at, |b| b.updated_at));
    let told = text(row, "status").and_then(|s| resident_status(&s));
    let previous = before.map(|b| b.status);
    let status = match (told, previous) {
        (Some(told), Some(previous)) if told.is_closed() == previous.is_closed() => {
            let plain = matches!(told, ReportStatus::Open | ReportStatus::Closed);
            if plain { previous } else { told }
        }
        (Some(told), _) => told,
        (None, previous) => previous.unwrap_or(ReportStatus::Open),
    };
    let mut timeline = before.map(|b| b.timeline.clone()).unwrap_or_else(|| {
        vec![TimelineEntry {
            at: created_at,
            from: Author::Resident,
            status: Some(ReportStatus::Open),
            note: None,
        }]
    });
    let last_status = timeline
        .iter()
        .rev()
        .find_map(|e| e.status)
        .unwrap_or(ReportStatus::Open);
    if status != last_status {
        timeline.push(TimelineEntry {
            at: updated_at,
            from: Author::Council,
            status: Some(status),
            note: text(row, "status_notes"),
        });
    }
    let description = text(row, "description")
        .map(|d| without_marker(&d))
        .or_else(|| before.map(|b| b.description.clone()))
        .or_else(|| asked.map(|a| a.description.clone()))
        .unwrap_or_default();
    let location = match (number(row, "lat"), number(row, "long")) {
        (Some(lat), Some(lon)) => Location {
            lat: Some(lat),
            lon: Some(lon),
            uprn: text(row, "address_id"),
            address: text(row, "address"),
        },
        _ => before
            .map(|b| b.location.clone())
            .or_else(|| asked.map(|a| a.location.clone()))
            .unwrap_or_default(),
    };
    let service_code = text(row, "service_code")
        .or_else(|| before.map(|b| b.service_code.clone()))
        .or_else(|| asked.map(|a| a.service_code.clone()))
        .unwrap_or_default();
    Some(Report {
        reference: id.clone(),
        id,
        service_name: text(row, "service_name")
            .or_else(|| before.map(|b| b.service_name.clone()))
            .unwrap_or_else(|| service_code.clone()),
        service_code,
        description,
        location,
        answers: before
            .map(|b| b.answers.clone())
            .or_else(|| asked.map(|a| a.answers.clone()))
            .unwrap_or_default(),
        attachments: Vec::new(),
        contact: None,
        media_url: text(row, "media_url").or_else(|| before.and_then(|b| b.media_url.clone())),
        status,
        created_at,
        updated_at,
        expected_by: text(row, "expected_datetime")
            .and_then(|t| datetime(&t))
            .map(|t| t.date_naive())
            .or(before.and_then(|b| b.expected_by)),
        timeline,
    })
}

/// A copy for a report the council has taken but named only by a token so far.
pub fn awaiting_reference(token: &str, asked: &NewReport, now: DateTime<Utc>) -> Report {
    Report {
        id: token_id(token),
        reference: String::new(),
        service_code: asked.service_code.clone(),
        service_name: asked.service_code.clone(),
        description: asked.description.clone(),
        location: asked.location.clone(),
        answers: asked.answers.clone(),
        attachments: Vec::new(),
        contact: None,
        media_url: asked.media_url.clone(),
        status: ReportStatus::Open,
        created_at: now,
        updated_at: now,
        expected_by: None,
        timeline: vec![TimelineEntry {
            at: now,
            from: Author::Resident,
            status: Some(ReportStatus::Open),
            note: None,
        }],
    }
}

/// One of mySociety's updates.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub request_id: String,
    pub status: Option<ReportStatus>,
    pub at: DateTime<Utc>,
    pub note: Option<String>,
}

/// An update row, if it names its request and its time.
pub fn update(row: &Value) -> Option<Update> {
    Some(Update {
        request_id: text(row, "service_request_id")?,
        status: text(row, "status").and_then(|s| resident_status(&s)),
        at: datetime(&text(row, "updated_datetime")?)?,
        note: text(row, "description"),
    })
}

/// Put an update on a report's timeline; false (and nothing changed) when it is there already.
pub fn apply_update(report: &mut Report, update: &Update) -> bool {
    let last_status = report
        .timeline
        .iter()
        .rev()
        .find_map(|e| e.status)
        .unwrap_or(report.status);
    let status = update.status.filter(|s| *s != last_status);
    let already = report
        .timeline
        .iter()
        .any(|e| e.at == update.at && e.from == Author::Council && e.note == update.note);
    if already || (status.is_none() && update.note.is_none()) {
        return false;
    }
    report.timeline.push(TimelineEntry {
        at: update.at,
        from: Author::Council,
        status,
        note: update.note.clone(),
    });
    report.timeline.sort_by_key(|e| e.at);
    if let Some(status) = report.timeline.iter().rev().find_map(|e| e.status) {
        report.status = status;
    }
    report.updated_at = report.updated_at.max(update.at);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_marker_is_sixteen_hex_digits_of_the_key() {
        assert_eq!(
            marker("0192f1c4-7a3b-7cde-8f00-123456789abc"),
            "[Doorstep 0192f1c47a3b7cde]"
        );
        let long = "x".repeat(5000);
        let sent = marked_description(&long, "[Doorstep 0192f1c47a3b7cde]");
        assert_eq!(sent.chars().count(), MAX_DESCRIPTION_CHARS);
        assert!(sent.ends_with("[Doorstep 0192f1c47a3b7cde]"));
        assert_eq!(
            without_marker("Deep hole [Doorstep 0192f1c47a3b7cde]"),
            "Deep hole"
        );
        assert_eq!(
            without_marker("[Doorstep] stays [Doorstep 0192]"),
            "[Doorstep] stays [Doorstep 0192]"
        );
    }

    #[test]
    fn statuses_are_mapped_to_the_nearest_the_resident_knows() {
        for (sent, shown) in [
            ("open", Some(ReportStatus::Open)),
            ("IN_PROGRESS", Some(ReportStatus::InProgress)),
            ("Action Scheduled", Some(ReportStatus::ActionScheduled)),
            ("planned", Some(ReportStatus::ActionScheduled)),
            (
                "INTERNAL_REFERRAL",
                Some(ReportStatus::NotCouncilsResponsibility),
            ),
            ("cancelled", Some(ReportStatus::NoFurtherAction)),
            ("Closed - fixed by contractor", Some(ReportStatus::Fixed)),
            ("archived and closed", Some(ReportStatus::Closed)),
            ("AWAITING_CONTRACTOR", None),
        ] {
            assert_eq!(resident_status(sent), shown, "{sent}");
        }
    }

    #[test]
    fn a_form_has_answers_lists_place_and_marker() {
        let report: NewReport = serde_json::from_value(json!({
            "service_code": "pothole", "description": "Deep", "location": {"lat": 54.5, "lon": -1.5},
            "answers": {"depth": "deep", "sides": ["a", "b"], "count": 2.0},
            "contact": {"name": "Ann Other Person", "email": "ann@example.org"}
        }))
        .unwrap();
        let pairs = form(
            &report,
            "[Doorstep 0123456789abcdef]",
            Some("key"),
            Some("durham"),
        );
        let has = |k: &str, v: &str| pairs.iter().any(|(a, b)| a == k && b == v);
        assert!(has("api_key", "key"));
        assert!(has("jurisdiction_id", "durham"));
        assert!(has("lat", "54.5") && has("long", "-1.5"));
        assert!(has("attribute[depth]", "deep"));
        assert!(has("attribute[sides][]", "a") && has("attribute[sides][]", "b"));
        assert!(has("attribute[count]", "2"));
        assert!(has("first_name", "Ann") && has("last_name", "Other Person"));
        assert!(has("description", "Deep [Doorstep 0123456789abcdef]"));
    }

    #[test]
    fn attributes_become_questions_in_order() {
        let summary =
            service(&json!({"service_code": 7, "service_name": "Graffiti", "metadata": "true"}))
                .unwrap();
        assert_eq!(summary.code, "7");
        assert_eq!(summary.group, NO_GROUP);
        let definition = definition(
            &summary,
            Some(&json!({"service_code": "7", "attributes": [
                {"variable": "true", "code": "where", "datatype": "singlevaluelist", "required": "true", "order": "2", "description": "Where?",
                 "values": [{"key": 1, "name": "Wall"}]},
                {"variable": false, "code": "note", "datatype": "string", "description": "Read this"},
                {"code": "when", "datatype": "weird", "order": 1}
            ]})),
        );
        let codes: Vec<&str> = definition
            .questions
            .iter()
            .map(|q| q.code.as_str())
            .collect();
        assert_eq!(codes, ["when", "where"]);
        assert_eq!(definition.questions[1].values[0].key, "1");
        assert!(definition.questions[1].required);
        assert_eq!(definition.questions[0].datatype, Datatype::String);
    }

    #[test]
    fn a_post_answer_is_an_id_or_a_token() {
        assert_eq!(
            posted(&json!([{"service_request_id": 293944, "service_notice": "x"}])),
            Some(Posted::Request("293944".into()))
        );
        assert_eq!(
            posted(&json!({"service_requests": {"request": {"token": "abc"}}})),
            Some(Posted::Token("abc".into()))
        );
        assert_eq!(posted(&json!([{"service_notice": "thanks"}])), None);
    }

    #[test]
    fn a_plain_status_does_not_undo_a_finer_one_and_updates_apply_once() {
        let now = Utc::now();
        let row = json!({"service_request_id": "9", "status": "open", "requested_datetime": "2026-05-01T10:00:00Z"});
        let mut copy = report(&row, None, None, now).unwrap();
        let update = Update {
            request_id: "9".into(),
            status: Some(ReportStatus::InProgress),
            at: "2026-05-02T10:00:00Z".parse().unwrap(),
            note: Some("Crew booked".into()),
        };
        assert!(apply_update(&mut copy, &update));
        assert!(
            !apply_update(&mut copy, &update),
            "the same update twice changes nothing"
        );
        assert_eq!(copy.status, ReportStatus::InProgress);
        let again = report(&row, None, Some(&copy), now).unwrap();
        assert_eq!(again.status, ReportStatus::InProgress);
        assert_eq!(again.timeline.len(), copy.timeline.len());
        let closed = report(
            &json!({"service_request_id": "9", "status": "closed", "status_notes": "Filled"}),
            None,
            Some(&copy),
            now,
        )
        .unwrap();
        assert_eq!(closed.status, ReportStatus::Closed);
        assert_eq!(
            closed.timeline.last().unwrap().note.as_deref(),
            Some("Filled")
        );
    }
}
