//! The council's Open311 GeoReport v2 face (with mySociety's `servicerequestupdates`), in JSON
//! and XML, for the apps and tools of the wider Open311 world.
//!
//! Invariant: a report made here is made by `reports::insert_report`, the same function as
//! `POST /v1/reports`, under the device or account whose token is the `api_key` — so the two
//! faces show the same reports. Public lists never show who reported a problem, nor where a
//! report about a property (a home) is; every failure is the spec's error list.

pub mod wire;

use crate::sql::{Dialect, Optional, Sql, ToValue, params, placeholders};
use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State, rejection::BytesRejection},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::{TimeZone, Utc};
use doorstep_protocol::{
    Author, ContactDetails, Location, NewReport, Report, ReportStatus, ServiceDefinition,
    ServiceKind, rules,
};

use crate::{
    AppState, auth::resident_by_token, error::ApiError, extract::body_error, profile::Profile,
    routes::reports::insert_report,
};
use wire::{Format, Row};

/// When this face last changed, for discovery.
const CHANGESET: &str = "2026-11-01T00:00:00Z";

/// An Open311 answer or error, in the format asked for.
struct Answered {
    format: Format,
    status: StatusCode,
    body: String,
}

impl IntoResponse for Answered {
    fn into_response(self) -> Response {
        (
            self.status,
            [(header::CONTENT_TYPE, self.format.content_type())],
            self.body,
        )
            .into_response()
    }
}

fn ok(format: Format, body: String) -> Response {
    Answered {
        format,
        status: StatusCode::OK,
        body,
    }
    .into_response()
}

/// An error as the spec lists them: 404 for what is not there, 403 for a key that is not
/// accepted, 400 for anything wrong with the request; the server's own failures keep their status.
fn failed(format: Format, error: ApiError) -> Response {
    let status = match error.status.as_u16() {
        401 | 403 => StatusCode::FORBIDDEN,
        404 => StatusCode::NOT_FOUND,
        400..=499 => StatusCode::BAD_REQUEST,
        _ => error.status,
    };
    let detail = &error.body.error;
    let description = if detail.problems.len() > 1 {
        detail
            .problems
            .iter()
            .map(|p| format!("{}: {}", p.field, p.message))
            .collect::<Vec<_>>()
            .join("; ")
    } else {
        match &detail.field {
            Some(field) if !field.is_empty() && !detail.message.starts_with(field.as_str()) => {
                format!("{field}: {}", detail.message)
            }
            _ => detail.message.clone(),
        }
    };
    Answered {
        format,
        status,
        body: wire::render_errors(format, status.as_u16(), &description),
    }
    .into_response()
}

fn bad_request(format: Format, message: impl Into<String>) -> Response {
    failed(format, ApiError::bad_request("bad_request", message))
}

fn not_there(format: Format, message: impl Into<String>) -> Response {
    failed(
        format,
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message),
    )
}

/// An address whose extension is not a format: answered in JSON, saying what to ask for.
fn unknown_format(file: &str) -> Response {
    not_there(
        Format::Json,
        format!("There is no '{file}': ask for .json or .xml, like services.xml"),
    )
}

/// `GET /open311/v2/{discovery|services|requests|servicerequestupdates}.{fmt}`.
pub async fn get_top(
    State(app): State<AppState>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some((stem, format)) = wire::split(&file) else {
        return unknown_format(&file);
    };
    let query = query.unwrap_or_default();
    match stem {
        "discovery" => discovery(&app, format),
        "services" => services(&app, format),
        "requests" => list_requests(&app, format, &query).await,
        "servicerequestupdates" => updates(&app, format, &query).await,
        _ => not_there(format, format!("There is no '{stem}' in Open311 here")),
    }
}

/// `POST /open311/v2/requests.{fmt}`.
pub async fn post_top(
    State(app): State<AppState>,
    Path(file): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Some((stem, format)) = wire::split(&file) else {
        return unknown_format(&file);
    };
    if stem != "requests" {
        return failed(
            format,
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Only requests can be posted",
            ),
        );
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return failed(format, body_error(rejection)),
    };
    match create(&app, &body).await {
        Ok(report) => {
            let notice = app
                .profile
                .service(&report.service_code)
                .and_then(|s| s.what_happens_next.clone());
            let row = Row::default()
                .text("service_request_id", &report.reference)
                .text("token", &report.id)
                .maybe("service_notice", notice);
            ok(
                format,
                wire::render_list(format, "service_requests", "request", &[row]),
            )
        }
        Err(error) => failed(format, error),
    }
}

/// `GET /open311/v2/services/{code}.{fmt}`: a service's definition.
pub async fn get_definition(State(app): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((code, format)) = wire::split(&file) else {
        return unknown_format(&file);
    };
    match report_service(&app.profile, code) {
        Some(service) => ok(
            format,
            wire::render_one(format, "service_definition", &definition_row(service)),
        ),
        None => not_there(format, format!("There is no service '{code}'")),
    }
}

/// `GET /open311/v2/requests/{id}.{fmt}`: one request, by its reference.
pub async fn get_request(State(app): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((id, format)) = wire::split(&file) else {
        return unknown_format(&file);
    };
    let wanted = id.to_owned();
    match app.db.read(move |conn| find(conn, &wanted)).await {
        Ok(Some(report)) => ok(
            format,
            wire::render_list(
                format,
                "service_requests",
                "request",
                &[request_row(&app, &report)],
            ),
        ),
        Ok(None) => not_there(format, format!("There is no request '{id}'")),
        Err(error) => failed(format, error),
    }
}

/// `GET /open311/v2/tokens/{token}.{fmt}`: the request a POST's token became.
pub async fn get_token(State(app): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((token, format)) = wire::split(&file) else {
        return unknown_format(&file);
    };
    let wanted = token.to_owned();
    let found = app
        .db
        .read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT reference FROM reports WHERE id = ?1",
                    params![wanted],
                    |r| r.get::<String>(0),
                )
                .optional()?)
        })
        .await;
    match found {
        Ok(Some(reference)) => {
            let row = Row::default()
                .text("service_request_id", reference)
                .text("token", token);
            ok(
                format,
                wire::render_list(format, "service_requests", "request", &[row]),
            )
        }
        Ok(None) => not_there(format, format!("There is no token '{token}'")),
        Err(error) => failed(format, error),
    }
}

/// Where this face is, at the server's public address (whatever `Host` a caller sent).
fn discovery(app: &AppState, format: Format) -> Response {
    let contact = &app.profile.council.contact;
    let endpoint = Row::default()
        .text("specification", "http://wiki.open311.org/GeoReport_v2")
        .text("url", format!("{}/open311/v2", app.public_url))
        .text("changeset", CHANGESET)
        .text("type", "production")
        .texts(
            "formats",
            "format",
            vec!["text/xml".to_owned(), "application/json".to_owned()],
        );
    let row = Row::default()
        .text("changeset", CHANGESET)
        .text(
            "contact",
            format!("{} ({}, {})", app.profile.council.name, contact.email, contact.phone),
        )
        .text(
            "key_service",
            "Your api_key is a Doorstep device token: POST /v1/devices with {\"platform\": \"...\", \"name\": \"...\"}",
        )
        .rows("endpoints", "endpoint", vec![endpoint]);
    ok(format, wire::render_one(format, "discovery", &row))
}

/// The services a resident can report through Open311: the council's report services.
fn report_service<'a>(profile: &'a Profile, code: &str) -> Option<&'a ServiceDefinition> {
    profile
        .service(code)
        .filter(|s| s.kind == ServiceKind::Report)
}

fn services(app: &AppState, format: Format) -> Response {
    let rows: Vec<Row> = app
        .profile
        .services
        .iter()
        .filter(|s| s.kind == ServiceKind::Report)
        .map(|service| {
            let group = app
                .profile
                .groups
                .iter()
                .find(|g| g.code == service.group)
                .map_or_else(|| service.group.clone(), |g| g.name.clone());
            Row::default()
                .text("service_code", &service.code)
                .text("service_name", &service.name)
                .text("description", &service.description)
                .boolean("metadata", !service.questions.is_empty())
                .text("type", "realtime")
                .text("keywords", service.keywords.join(","))
                .text("group", group)
        })
        .collect();
    ok(
        format,
        wire::render_list(format, "services", "service", &rows),
    )
}

fn definition_row(service: &ServiceDefinition) -> Row {
    let attributes = service
        .questions
        .iter()
        .map(|q| {
            let datatype = serde_json::to_value(q.datatype)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            Row::default()
                .boolean("variable", true)
                .text("code", &q.code)
                .text("datatype", datatype)
                .boolean("required", q.required)
                .maybe("datatype_description", q.datatype_description.clone())
                .number("order", f64::from(q.order))
                .text("description", &q.description)
                .rows(
                    "values",
                    "value",
                    q.values
                        .iter()
                        .map(|v| Row::default().text("key", &v.key).text("name", &v.name))
                        .collect(),
                )
        })
        .collect();
    Row::default()
        .text("service_code", &service.code)
        .rows("attributes", "attribute", attributes)
}

/// A report as a public Open311 request: no contact details ever, and no place for a report
/// about a property.
fn request_row(app: &AppState, report: &Report) -> Row {
    let status = if report.status.is_closed() {
        "closed"
    } else {
        "open"
    };
    let notes = report
        .timeline
        .iter()
        .rev()
        .find(|e| e.from == Author::Council)
        .and_then(|e| e.note.clone());
    let expected = report.expected_by.and_then(|day| {
        day.and_hms_opt(17, 0, 0).and_then(|local| {
            app.profile
                .timezone
                .from_local_datetime(&local)
                .earliest()
                .map(|at| wire::datetime(at.with_timezone(&Utc)))
        })
    });
    let mut row = Row::default()
        .text("service_request_id", &report.reference)
        .text("status", status)
        .maybe("status_notes", notes)
        .text("service_name", &report.service_name)
        .text("service_code", &report.service_code)
        .text("description", &report.description)
        .text("agency_responsible", &app.profile.council.name)
        .text("requested_datetime", wire::datetime(report.created_at))
        .text("updated_datetime", wire::datetime(report.updated_at))
        .maybe("expected_datetime", expected);
    if report.location.uprn.is_none()
        && let (Some(lat), Some(lon)) = (report.location.lat, report.location.lon)
    {
        row = row.number("lat", lat).number("long", lon);
    }
    row.maybe("media_url", report.media_url.clone())
}

/// A report by its reference (or its /v1 id).
fn find(conn: &dyn Sql, id: &str) -> Result<Option<Report>, ApiError> {
    let body: Option<String> = conn
        .query_row(
            "SELECT body FROM reports WHERE reference = ?1 OR id = ?1",
            params![id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(body.map(|b| serde_json::from_str(&b)).transpose()?)
}

async fn list_requests(app: &AppState, format: Format, query: &str) -> Response {
    let filter = match wire::parse_filter(query, app.now()) {
        Ok(filter) => filter,
        Err(message) => return bad_request(format, message),
    };
    let found = app
        .db
        .read(move |conn| {
            if !filter.ids.is_empty() {
                let mut reports = Vec::new();
                for id in &filter.ids {
                    reports.extend(find(conn, id)?);
                }
                return Ok(reports);
            }
            let statuses: Vec<&str> = ReportStatus::ALL
                .into_iter()
                .filter(|s| {
                    let two = if s.is_closed() { "closed" } else { "open" };
                    filter.statuses.is_empty() || filter.statuses.iter().any(|f| f == two)
                })
                .map(ReportStatus::as_str)
                .collect();
            // The statuses, then the service codes asked for, one parameter each.
            let codes = if filter.service_codes.is_empty() {
                String::new()
            } else {
                format!(
                    "AND service_code IN ({})",
                    placeholders(4 + statuses.len(), filter.service_codes.len())
                )
            };
            let sql = format!(
                "SELECT body FROM reports
                 WHERE created_at >= ?1 AND created_at <= ?2 AND status IN ({}) {codes}
                 ORDER BY created_at DESC, id DESC LIMIT ?3",
                placeholders(4, statuses.len())
            );
            let (start, end, most) = (
                filter.start.to_rfc3339(),
                filter.end.to_rfc3339(),
                wire::MAX_ROWS as i64,
            );
            let mut bound: Vec<&dyn ToValue> = vec![&start, &end, &most];
            bound.extend(statuses.iter().map(|s| s as &dyn ToValue));
            bound.extend(filter.service_codes.iter().map(|s| s as &dyn ToValue));
            let rows = conn.query_map(&sql, &bound, |r| r.get::<String>(0))?;
            let mut reports: Vec<Report> = Vec::new();
            for body in rows {
                reports.push(serde_json::from_str(&body)?);
            }
            Ok(reports)
        })
        .await;
    match found {
        Ok(reports) => {
            let rows: Vec<Row> = reports.iter().map(|r| request_row(app, r)).collect();
            ok(
                format,
                wire::render_list(format, "service_requests", "request", &rows),
            )
        }
        Err(error) => failed(format, error),
    }
}

/// mySociety's updates: each note or status change the council made between `start` and `end`,
/// oldest first, at most `wire::MAX_ROWS`. The store picks them out of the reports' timelines,
/// so no report outside the span and no update past the cap is read.
async fn updates(app: &AppState, format: Format, query: &str) -> Response {
    let filter = match wire::parse_filter(query, app.now()) {
        Ok(filter) => filter,
        Err(message) => return bad_request(format, message),
    };
    let (start, end) = (filter.start.to_rfc3339(), filter.end.to_rfc3339());
    let found = app
        .db
        .read(move |conn| {
            // A council entry between start and end belongs to a report made by end and
            // changed since start, which the indexed columns find.
            let sql = match conn.dialect() {
                Dialect::Sqlite => {
                    "SELECT r.body, e.key FROM reports r, json_each(r.body, '$.timeline') e
                     WHERE r.updated_at >= ?1 AND r.created_at <= ?2
                       AND json_extract(e.value, '$.from') = 'council'
                       AND julianday(json_extract(e.value, '$.at')) BETWEEN julianday(?1) AND julianday(?2)
                     ORDER BY julianday(json_extract(e.value, '$.at')), r.id, e.key
                     LIMIT ?3"
                }
                Dialect::Postgres => {
                    "SELECT r.body, e.n - 1 FROM reports r,
                       jsonb_array_elements(r.body::jsonb -> 'timeline') WITH ORDINALITY AS e(value, n)
                     WHERE r.updated_at >= ?1 AND r.created_at <= ?2
                       AND e.value ->> 'from' = 'council'
                       AND (e.value ->> 'at')::timestamptz
                           BETWEEN CAST(?1 AS TEXT)::timestamptz AND CAST(?2 AS TEXT)::timestamptz
                     ORDER BY (e.value ->> 'at')::timestamptz, r.id, e.n
                     LIMIT ?3"
                }
            };
            let rows = conn.query_map(
                sql,
                params![start, end, wire::MAX_ROWS as i64],
                |r| Ok((r.get::<String>(0)?, r.get::<u32>(1)?)),
            )?;
            let mut updates = Vec::new();
            for row in rows {
                let (body, index) = row;
                let report: Report = serde_json::from_str(&body)?;
                updates.extend(council_update(&report, index as usize));
            }
            Ok(updates)
        })
        .await;
    match found {
        Ok(rows) => ok(
            format,
            wire::render_list(format, "service_request_updates", "request_update", &rows),
        ),
        Err(error) => failed(format, error),
    }
}

/// Entry `index` of a report's timeline as an update, with the status the report had after it;
/// `None` unless the council wrote it.
fn council_update(report: &Report, index: usize) -> Option<Row> {
    let entry = report
        .timeline
        .get(index)
        .filter(|e| e.from == Author::Council)?;
    let status = report.timeline[..=index]
        .iter()
        .rev()
        .find_map(|e| e.status)
        .unwrap_or(ReportStatus::Open);
    Some(
        Row::default()
            .text("update_id", format!("{}-{index}", report.reference))
            .text("service_request_id", &report.reference)
            .text("status", status.as_str().to_uppercase())
            .text("updated_datetime", wire::datetime(entry.at))
            .text("description", entry.note.clone().unwrap_or_default()),
    )
}

/// Read, check and store a posted request as a report of the resident whose token is the key.
async fn create(app: &AppState, body: &[u8]) -> Result<Report, ApiError> {
    let request = wire::parse_new_request(body)
        .map_err(|message| ApiError::bad_request("bad_request", message))?;
    let key = request.api_key.clone().ok_or_else(|| {
        ApiError::forbidden("Send an api_key: a device token from POST /v1/devices")
    })?;
    let caller = resident_by_token(app, &key).await.map_err(|error| {
        if error.status.is_server_error() {
            error
        } else {
            ApiError::forbidden("That api_key is not known: register a device")
        }
    })?;
    let report = new_report(&app.profile, request)?;
    let now = app.now();
    let today = app.local_now().date();
    let state = app.clone();
    app.db
        .write(move |tx| {
            insert_report(tx, &state.profile, &caller, report, now, today).map(|(report, _)| report)
        })
        .await
}

/// An Open311 request as a /v1 report: answers typed by the service's questions, the place as
/// a point or a property.
pub fn new_report(profile: &Profile, request: wire::NewRequest) -> Result<NewReport, ApiError> {
    let questions = report_service(profile, &request.service_code)
        .map(|s| s.questions.clone())
        .unwrap_or_default();
    let answers = rules::given_answers(&questions, request.attributes);
    let uprn = match (&request.address_id, &request.address_string) {
        (Some(id), _) => Some(id.clone()),
        (None, Some(text)) if request.lat.is_none() => Some(
            profile
                .gazetteer
                .addresses
                .iter()
                .find(|a| same_address(&a.address, text))
                .map(|a| a.uprn.clone())
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "bad_request",
                        "address_string: no address in the council's area is written like that; send lat and long, or address_id",
                    )
                })?,
        ),
        _ => None,
    };
    let name = [&request.first_name, &request.last_name]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let contact = ContactDetails {
        name: (!name.is_empty()).then_some(name),
        email: request.email,
        phone: request.phone,
    };
    Ok(NewReport {
        service_code: request.service_code,
        description: request.description,
        location: Location {
            lat: if uprn.is_none() { request.lat } else { None },
            lon: if uprn.is_none() { request.long } else { None },
            uprn,
            address: None,
        },
        answers,
        attachments: Vec::new(),
        contact: (contact != ContactDetails::default()).then_some(contact),
        media_url: request.media_url,
    })
}

/// Two spellings of one address: case, commas and spacing aside.
fn same_address(a: &str, b: &str) -> bool {
    let words = |s: &str| {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
    };
    words(a) == words(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use doorstep_protocol::TimelineEntry;

    fn report(timeline: Vec<TimelineEntry>) -> Report {
        let at = "2026-05-01T10:00:00Z".parse().unwrap();
        Report {
            id: "r".into(),
            reference: "DUR-2026-000001".into(),
            service_code: "pothole".into(),
            service_name: "Pothole".into(),
            description: String::new(),
            location: Location::default(),
            answers: Default::default(),
            attachments: Vec::new(),
            contact: None,
            media_url: None,
            status: ReportStatus::Open,
            created_at: at,
            updated_at: at,
            expected_by: None,
            timeline,
        }
    }

    fn entry(
        at: &str,
        from: Author,
        status: Option<ReportStatus>,
        note: Option<&str>,
    ) -> TimelineEntry {
        TimelineEntry {
            at: at.parse().unwrap(),
            from,
            status,
            note: note.map(str::to_owned),
        }
    }

    #[test]
    fn updates_are_the_councils_entries_with_the_status_after_each() {
        let report = report(vec![
            entry(
                "2026-05-01T10:00:00Z",
                Author::Resident,
                Some(ReportStatus::Open),
                None,
            ),
            entry(
                "2026-05-02T10:00:00Z",
                Author::Council,
                Some(ReportStatus::InProgress),
                Some("On our list"),
            ),
            entry(
                "2026-05-03T10:00:00Z",
                Author::Council,
                None,
                Some("Crew booked"),
            ),
            entry(
                "2026-05-04T10:00:00Z",
                Author::Resident,
                None,
                Some("Thanks"),
            ),
        ]);
        let updates: Vec<Row> = (0..report.timeline.len())
            .filter_map(|index| council_update(&report, index))
            .collect();
        assert_eq!(updates.len(), 2);
        let first = &updates[0].0;
        assert!(first.contains(&("status", wire::Value::Text("IN_PROGRESS".into()))));
        let second = &updates[1].0;
        assert!(second.contains(&("status", wire::Value::Text("IN_PROGRESS".into()))));
        assert!(second.contains(&("description", wire::Value::Text("Crew booked".into()))));
        assert!(second.contains(&("update_id", wire::Value::Text("DUR-2026-000001-2".into()))));
    }

    #[test]
    fn addresses_match_whatever_their_commas_and_case() {
        assert!(same_address(
            "1 Market Place, Durham, DH1 3NJ",
            "1 market place durham dh1 3nj"
        ));
        assert!(!same_address(
            "1 Market Place, Durham",
            "11 Market Place, Durham"
        ));
    }
}
