//! Request extractors whose failures are JSON errors naming the field at fault.
//!
//! Invariant: a body, query or path the API cannot read is refused with a 4xx `ErrorBody`
//! before any handler runs, so handlers only ever see well-typed input.

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request, rejection::BytesRejection},
    http::{StatusCode, request::Parts},
};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body, read with the field path of any error.
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(body_error)?;
        parse_json(&bytes).map(Json)
    }
}

/// Read JSON bytes into `T`, or say which field is wrong and how.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let inner = error.inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::bad_request(
                "malformed_json",
                format!("The body is not valid JSON: {inner}"),
            );
        }
        let message = inner.to_string();
        let path = error.path().to_string();
        let field = if path == "." {
            missing_field(&message).unwrap_or_default()
        } else {
            match missing_field(&message) {
                Some(missing) => format!("{path}.{missing}"),
                None => path,
            }
        };
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_owned();
        let error = ApiError::bad_request("invalid_field", format!("{field}: {message}"));
        if field.is_empty() {
            error
        } else {
            error.with_field(field)
        }
    })
}

fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_owned())
}

/// A body that could not be read: too large, or cut off.
pub fn body_error(rejection: BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "The request body is too large",
        )
    } else {
        ApiError::bad_request("unreadable_body", rejection.body_text())
    }
}

/// Query parameters, with errors naming the parameter.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(Query)
            .map_err(|error| {
                let message = error.inner().to_string();
                let field = missing_field(&message).unwrap_or_else(|| error.path().to_string());
                ApiError::bad_request("invalid_query", format!("{field}: {message}"))
                    .with_field(field)
            })
    }
}

/// A query's `limit`: `default` when absent, refused unless from 1 to `max`.
pub fn limit(value: Option<u32>, default: u32, max: u32) -> Result<u32, ApiError> {
    let limit = value.unwrap_or(default);
    if (1..=max).contains(&limit) {
        Ok(limit)
    } else {
        Err(
            ApiError::bad_request("invalid_query", format!("limit must be from 1 to {max}"))
                .with_field("limit"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use doorstep_protocol::NewReport;

    #[test]
    fn a_missing_field_is_named() {
        let error = parse_json::<NewReport>(br#"{"service_code": "pothole"}"#)
            .err()
            .unwrap();
        assert_eq!(error.body.error.field.as_deref(), Some("location"));
    }

    #[test]
    fn a_wrong_type_is_named_by_its_path() {
        let error = parse_json::<NewReport>(
            br#"{"service_code": "pothole", "location": {"lat": "north"}}"#,
        )
        .err()
        .unwrap();
        assert_eq!(error.body.error.field.as_deref(), Some("location.lat"));
        assert_eq!(error.body.error.code, "invalid_field");
    }

    #[test]
    fn broken_json_is_malformed() {
        let error = parse_json::<NewReport>(b"{\"service_code\": ")
            .err()
            .unwrap();
        assert_eq!(error.body.error.code, "malformed_json");
    }

    #[test]
    fn a_limit_is_its_default_when_absent_and_refused_outside_its_range() {
        assert_eq!(limit(None, 200, 1000).unwrap(), 200);
        assert_eq!(limit(Some(1000), 200, 1000).unwrap(), 1000);
        for wrong in [0, 1001] {
            let error = limit(Some(wrong), 200, 1000).unwrap_err();
            assert_eq!(error.status, StatusCode::BAD_REQUEST);
            assert_eq!(error.body.error.field.as_deref(), Some("limit"));
        }
    }
}
