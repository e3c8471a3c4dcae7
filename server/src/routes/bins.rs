//! Addresses by postcode, bin collection calendars and their `.ics` files.
//!
//! Invariant: a calendar comes only from the profile's rounds, so the JSON and the `.ics` of
//! the same address and dates always agree.

use axum::{
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use doorstep_protocol::{AddressList, CollectionCalendar, ErrorBody, rules::normalise_reference};
use serde::Deserialize;

use crate::{AppState, error::ApiError, extract::Query};

/// The most weeks a calendar covers.
const MAX_WEEKS: u32 = 52;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PostcodeQuery {
    /// A UK postcode, e.g. `DH1 3HP`.
    postcode: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// The property's UPRN, from the address lookup.
    uprn: String,
    /// How many weeks ahead (1 to 52, default 8).
    #[param(minimum = 1, maximum = 52)]
    weeks: Option<u32>,
}

/// The addresses at a postcode.
#[utoipa::path(get, path = "/v1/addresses", tag = "bins", params(PostcodeQuery),
    responses((status = 200, body = AddressList), (status = 400, body = ErrorBody)))]
pub async fn addresses(
    State(app): State<AppState>,
    Query(query): Query<PostcodeQuery>,
) -> Result<axum::Json<AddressList>, ApiError> {
    let postcode = normalise_reference(&query.postcode);
    if !looks_like_postcode(&postcode) {
        return Err(ApiError::bad_request(
            "invalid_postcode",
            "Enter a full UK postcode, like DH1 3HP",
        )
        .with_field("postcode"));
    }
    let addresses = app.profile.addresses_in(&postcode);
    let (outward, inward) = postcode.split_at(postcode.len() - 3);
    Ok(axum::Json(AddressList {
        postcode: format!("{outward} {inward}"),
        addresses,
    }))
}

/// The bin collection calendar of a property.
#[utoipa::path(get, path = "/v1/collections", tag = "bins", params(CalendarQuery),
    responses((status = 200, body = CollectionCalendar), (status = 404, body = ErrorBody)))]
pub async fn collections(
    State(app): State<AppState>,
    Query(query): Query<CalendarQuery>,
) -> Result<axum::Json<CollectionCalendar>, ApiError> {
    calendar(&app, &query).map(axum::Json)
}

/// The same calendar as an iCalendar file, to add to a calendar app.
#[utoipa::path(get, path = "/v1/collections.ics", tag = "bins", params(CalendarQuery),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = ErrorBody)))]
pub async fn calendar_file(
    State(app): State<AppState>,
    Query(query): Query<CalendarQuery>,
) -> Response {
    match calendar(&app, &query) {
        Ok(calendar) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"bin-collections.ics\"",
                ),
            ],
            doorstep_protocol::rules::to_ics(
                &calendar,
                &app.profile.council.id,
                &app.profile.council.name,
                app.now(),
            ),
        )
            .into_response(),
        Err(error) => error.into_response(),
    }
}

fn calendar(app: &AppState, query: &CalendarQuery) -> Result<CollectionCalendar, ApiError> {
    let weeks = query.weeks.unwrap_or(8);
    if !(1..=MAX_WEEKS).contains(&weeks) {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("weeks must be from 1 to {MAX_WEEKS}"),
        )
        .with_field("weeks"));
    }
    let address = app.profile.address(&query.uprn).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_address",
            "No address in the council's area has that UPRN: look it up by postcode",
        )
        .with_field("uprn")
    })?;
    let today = app.local_now().date();
    let collections = app
        .profile
        .collections(&address.uprn, today, weeks * 7)
        .unwrap_or_default();
    Ok(CollectionCalendar {
        uprn: address.uprn.clone(),
        address: address.address.clone(),
        advice: app.profile.gazetteer.advice.clone(),
        collections,
    })
}

/// Outward code (2–4 characters) and inward code (digit, two letters), spaces removed.
fn looks_like_postcode(postcode: &str) -> bool {
    let bytes = postcode.as_bytes();
    (5..=7).contains(&bytes.len())
        && bytes[0].is_ascii_alphabetic()
        && bytes.iter().all(u8::is_ascii_alphanumeric)
        && bytes[bytes.len() - 3].is_ascii_digit()
        && bytes[bytes.len() - 2..].iter().all(u8::is_ascii_alphabetic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcodes_are_checked_for_shape() {
        assert!(looks_like_postcode("DH13HP"));
        assert!(looks_like_postcode("SR78AB"));
        assert!(!looks_like_postcode("DH1"));
        assert!(!looks_like_postcode("123ABC"));
        assert!(!looks_like_postcode("DH1;DROP"));
    }
}
