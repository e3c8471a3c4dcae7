//! Reports, their photos and the resident's updates.
//!
//! Invariant: a report is stored only when it passes the same rules the device applies
//! (`doorstep_protocol::rules::validate_report`), its place is inside the council's area or a
//! known property, and every photo it cites is already held.

use crate::sql::{Sql, params};
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::Response,
};
use chrono::Datelike;
use doorstep_protocol::{
    Attachment, Author, ErrorBody, FieldProblem, Location, NewReport, NewReportUpdate, Report,
    ReportList, ReportStatus, ServiceDefinition, TimelineEntry, rules,
};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use crate::{
    AppState,
    auth::Resident,
    error::{ApiError, ApiResult},
    extract::Json,
    idempotency::{self, Key, fingerprint},
    profile::Profile,
    routes::PHOTO_LIMIT,
    store::{self, Owned},
};

/// Submit a report.
#[utoipa::path(post, path = "/v1/reports", tag = "reports", request_body = NewReport,
    params(("Idempotency-Key" = String, Header, description = "A key made once for this report")),
    security(("bearer" = [])),
    responses((status = 201, body = Report), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(app): State<AppState>,
    caller: Resident,
    Key(key): Key,
    Json(body): Json<NewReport>,
) -> Response {
    let state = app.clone();
    let outcome = app
        .db
        .write(move |tx| submit(tx, &state, caller, key, body))
        .await
        .and_then(|refused_or_submitted| refused_or_submitted);
    idempotency::answer(outcome.map(|submitted| (submitted.stored, submitted.replayed)))
}

/// What `submit` made of a report.
pub struct Submitted {
    /// The answer, as stored under the key.
    pub stored: idempotency::Stored,
    /// It is the stored answer to an earlier request with the key.
    pub replayed: bool,
    /// The `seq` of the change-feed entry that carries the report just made, as answered.
    pub change: Option<u64>,
}

/// Submit a report under its key, in the caller's transaction and with no savepoint of its own:
/// `POST /v1/reports`'s store work, which a batch also runs in place. Every check comes before
/// the first write (`idempotency::apply_checked`): the outer `Err` means the store failed after
/// writing, and the caller's transaction must be rolled back; the inner one is a refusal given
/// before anything was written.
pub fn submit(
    conn: &dyn Sql,
    app: &AppState,
    caller: Resident,
    key: String,
    body: NewReport,
) -> ApiResult<Result<Submitted, ApiError>> {
    let now = app.now();
    let today = app.local_now().date();
    let fingerprint = match fingerprint("POST", "/v1/reports", &body) {
        Ok(fingerprint) => fingerprint,
        Err(error) => return Ok(Err(error)),
    };
    let request = idempotency::Request {
        scope: caller.scope(),
        fingerprint,
        key,
    };
    let mut change = None;
    let applied = idempotency::apply_checked(
        conn,
        now,
        request,
        |conn| check_report(conn, &app.profile, body),
        |conn, checked| {
            let stored = store_report(conn, &app.profile, &caller, checked, now, today)?;
            change = Some(stored.seq);
            Ok((StatusCode::CREATED, stored.json))
        },
    )?;
    Ok(applied.map(|(stored, replayed)| Submitted {
        change: change.filter(|_| stored.status.is_success() && !replayed),
        stored,
        replayed,
    }))
}

/// Check a new report with the council's rules and store it for `caller`: the one way a report
/// is made, whichever face of the server (/v1 or Open311) it came through. Returns it with the
/// `seq` of its change-feed entry.
pub fn insert_report(
    conn: &dyn Sql,
    profile: &Profile,
    caller: &Resident,
    body: NewReport,
    now: chrono::DateTime<chrono::Utc>,
    today: chrono::NaiveDate,
) -> ApiResult<(Report, u64)> {
    let checked = check_report(conn, profile, body)?;
    let stored = store_report(conn, profile, caller, checked, now, today)?;
    Ok((stored.report, stored.seq))
}

/// A new report that has passed the council's rules, with its place resolved.
pub struct CheckedReport<'a> {
    service: &'a ServiceDefinition,
    body: NewReport,
    location: Location,
}

/// Check a new report with the council's rules, reading the store but writing nothing.
pub fn check_report<'a>(
    conn: &dyn Sql,
    profile: &'a Profile,
    body: NewReport,
) -> ApiResult<CheckedReport<'a>> {
    let service = profile
        .service(&body.service_code)
        .ok_or_else(|| unknown_service(&body.service_code))?;
    let mut problems = rules::validate_report(service, &body, &profile.council.boundary.polygon);
    let location = resolve_location(profile, &body.location, "location", &mut problems);
    for (i, sha) in body.attachments.iter().enumerate() {
        if rules::valid_sha256(sha) && !photo_held(conn, sha)? {
            problems.push(FieldProblem::new(
                format!("attachments.{i}"),
                "Upload this photo first (PUT /v1/attachments/{sha256})",
            ));
        }
    }
    if let Some(url) = &body.media_url
        && !valid_media_url(url)
    {
        problems.push(FieldProblem::new(
            "media_url",
            "Give the photo's address as http:// or https://, up to 2000 characters",
        ));
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    Ok(CheckedReport {
        service,
        body,
        location,
    })
}

/// Store a checked report for `caller`, with its reference and change-feed entry.
pub fn store_report(
    conn: &dyn Sql,
    profile: &Profile,
    caller: &Resident,
    checked: CheckedReport,
    now: chrono::DateTime<chrono::Utc>,
    today: chrono::NaiveDate,
) -> ApiResult<StoredReport> {
    let CheckedReport {
        service,
        body,
        location,
    } = checked;
    let number = store::next_number(conn, &format!("report-{}", today.year()))?;
    let report = Report {
        id: store::new_id(),
        reference: format!(
            "{}-{}-{number:06}",
            profile.council.reference_prefix,
            today.year()
        ),
        service_code: service.code.clone(),
        service_name: service.name.clone(),
        description: body.description.trim().to_owned(),
        location,
        answers: body.answers,
        attachments: body.attachments,
        contact: body.contact,
        media_url: body.media_url,
        status: ReportStatus::Open,
        created_at: now,
        updated_at: now,
        expected_by: service
            .target_days
            .map(|days| rules::add_working_days(today, days)),
        timeline: vec![TimelineEntry {
            at: now,
            from: Author::Resident,
            status: Some(ReportStatus::Open),
            note: None,
        }],
    };
    let owned = Owned {
        item: report,
        device_id: caller.device_id.clone(),
        account_id: caller.account_id.clone(),
    };
    let (seq, json) = save_report_as_written(conn, &owned, now)?;
    Ok(StoredReport {
        report: owned.item,
        json,
        seq,
    })
}

/// A report as stored: itself, its JSON as written, and the `seq` of its change-feed entry.
pub struct StoredReport {
    pub report: Report,
    pub json: Box<RawValue>,
    pub seq: u64,
}

/// A photo's address: http or https, of a sensible length.
pub fn valid_media_url(url: &str) -> bool {
    url.len() <= 2000
        && (url.starts_with("https://") || url.starts_with("http://"))
        && !url.chars().any(char::is_whitespace)
}

/// The caller's reports, newest first.
#[utoipa::path(get, path = "/v1/reports", tag = "reports", security(("bearer" = [])), responses((status = 200, body = ReportList)))]
pub async fn list(
    State(app): State<AppState>,
    caller: Resident,
) -> ApiResult<axum::Json<ReportList>> {
    let reports = app
        .db
        .read(move |conn| store::list_for::<Report>(conn, &caller))
        .await?;
    Ok(axum::Json(ReportList { reports }))
}

/// One of the caller's reports.
#[utoipa::path(get, path = "/v1/reports/{id}", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Report), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(app): State<AppState>,
    caller: Resident,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Report>> {
    let owned = app
        .db
        .read(move |conn| store::view_for::<Report>(conn, &caller, &id, "report"))
        .await?;
    Ok(axum::Json(owned.item))
}

/// Add a note to a report, or say it is still not fixed (`reopen`).
#[utoipa::path(post, path = "/v1/reports/{id}/updates", tag = "reports", request_body = NewReportUpdate,
    params(("id" = String, Path), ("Idempotency-Key" = String, Header, description = "A key made once for this update")),
    security(("bearer" = [])),
    responses((status = 200, body = Report), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_update(
    State(app): State<AppState>,
    caller: Resident,
    Key(key): Key,
    Path(id): Path<String>,
    Json(body): Json<NewReportUpdate>,
) -> ApiResult<Response> {
    let now = app.now();
    let path = format!("/v1/reports/{id}/updates");
    let request = idempotency::Request {
        scope: caller.scope(),
        fingerprint: fingerprint("POST", &path, &body)?,
        key,
    };
    Ok(idempotency::run(&app.db, now, request, move |conn| {
        let text = rules::validate_update_text(&body.text)
            .map_err(|message| ApiError::validation(vec![FieldProblem::new("text", message)]))?;
        let mut owned = store::load_for::<Report>(conn, &caller, &id, "report")?;
        let report = &mut owned.item;
        let reopened = body.reopen && report.status.is_closed();
        if reopened {
            report.status = ReportStatus::Open;
        }
        report.updated_at = now;
        report.timeline.push(TimelineEntry {
            at: now,
            from: Author::Resident,
            status: reopened.then_some(ReportStatus::Open),
            note: Some(text.to_owned()),
        });
        save_report(conn, &owned, now)?;
        Ok((StatusCode::OK, serde_json::to_value(&owned.item)?))
    })
    .await)
}

/// Upload a photo, named by the SHA-256 of its bytes.
#[utoipa::path(put, path = "/v1/attachments/{sha256}", tag = "reports",
    params(("sha256" = String, Path, description = "SHA-256 of the bytes, lower-case hex", pattern = "^[0-9a-f]{64}$"),
           ("Idempotency-Key" = String, Header, description = "A key made once for this photo")),
    request_body(content = Vec<u8>, content_type = "image/jpeg"),
    security(("bearer" = [])),
    responses((status = 201, body = Attachment), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload_photo(
    State(app): State<AppState>,
    caller: Resident,
    Key(key): Key,
    Path(sha256): Path<String>,
    headers: HeaderMap,
    bytes: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Response> {
    let bytes = bytes.map_err(crate::extract::body_error)?;
    let now = app.now();
    let path = format!("/v1/attachments/{sha256}");
    let request = idempotency::Request {
        scope: caller.scope(),
        fingerprint: fingerprint("PUT", &path, &())?,
        key,
    };
    let declared = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    Ok(idempotency::run(&app.db, now, request, move |conn| {
        if !rules::valid_sha256(&sha256) {
            return Err(ApiError::validation(vec![FieldProblem::new("sha256", "Name the photo by its SHA-256 in lower-case hex (64 characters)")]));
        }
        if bytes.is_empty() || bytes.len() > PHOTO_LIMIT {
            return Err(ApiError::validation(vec![FieldProblem::new("body", "Send a photo of up to 10 MB")]));
        }
        let Some(content_type) = image_type(&bytes) else {
            return Err(ApiError::validation(vec![FieldProblem::new("body", "Send a photo as JPEG, PNG, WebP or HEIC")]));
        };
        if !declared.is_empty() && declared != content_type {
            return Err(ApiError::validation(vec![FieldProblem::new("Content-Type", format!("The bytes are {content_type}: send that as the Content-Type"))]));
        }
        if hex::encode(Sha256::digest(&bytes)) != sha256 {
            return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "hash_mismatch", "The photo's bytes do not match the SHA-256 in the address: send it again").with_field("sha256"));
        }
        conn.execute(
            "INSERT INTO attachments (sha256, content_type, bytes, device_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (sha256) DO NOTHING",
            params![sha256, content_type, bytes.as_ref(), caller.device_id, now.to_rfc3339()],
        )?;
        let attachment = Attachment { sha256, content_type: content_type.to_owned(), size: bytes.len() as u64 };
        Ok((StatusCode::CREATED, serde_json::to_value(attachment)?))
    })
    .await)
}

/// What kind of image the bytes are, by their first bytes; `None` for anything else.
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.len() > 12
        && &bytes[4..8] == b"ftyp"
        && matches!(&bytes[8..12], b"heic" | b"heix" | b"mif1")
    {
        Some("image/heic")
    } else {
        None
    }
}

fn photo_held(conn: &dyn Sql, sha256: &str) -> ApiResult<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM attachments WHERE sha256 = ?1)",
        params![sha256],
        |r| r.get(0),
    )?)
}

/// A service code the council does not have.
pub fn unknown_service(code: &str) -> ApiError {
    ApiError::validation(vec![FieldProblem::new(
        "service_code",
        format!("There is no service '{code}': choose one from the list of services"),
    )])
}

/// The location as stored: a point as given, or a property's address and point by its UPRN.
pub fn resolve_location(
    profile: &Profile,
    location: &Location,
    field: &str,
    problems: &mut Vec<FieldProblem>,
) -> Location {
    match location.uprn.as_deref() {
        Some(uprn) if location.lat.is_none() => match profile.address(uprn) {
            Some(address) => Location {
                lat: Some(address.lat),
                lon: Some(address.lon),
                uprn: Some(address.uprn.clone()),
                address: Some(address.address.clone()),
            },
            None => {
                let uprn_field = format!("{field}.uprn");
                if !problems.iter().any(|p| p.field == uprn_field) {
                    problems.push(FieldProblem::new(
                        uprn_field,
                        "No address in the council's area has that UPRN: look it up by postcode",
                    ));
                }
                location.clone()
            }
        },
        _ => Location {
            address: None,
            ..location.clone()
        },
    }
}

/// Write a report (new or changed) with its indexed columns; returns its change's `seq`.
pub fn save_report(
    conn: &dyn Sql,
    owned: &Owned<Report>,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<u64> {
    save_report_as_written(conn, owned, now).map(|(seq, _)| seq)
}

/// As `save_report`, with the report's JSON as written.
fn save_report_as_written(
    conn: &dyn Sql,
    owned: &Owned<Report>,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<(u64, Box<RawValue>)> {
    let report = &owned.item;
    store::save_as_written(
        conn,
        owned,
        &[
            ("reference", &report.reference),
            ("service_code", &report.service_code),
            ("status", &report.status.as_str()),
            ("updated_at", &report.updated_at.to_rfc3339()),
        ],
        now,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_recognised_by_their_first_bytes() {
        assert_eq!(
            image_type(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]),
            Some("image/jpeg")
        );
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(image_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(image_type(b"%PDF-1.7 not a photo"), None);
        assert_eq!(image_type(b""), None);
    }
}
