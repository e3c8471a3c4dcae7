//! Health, the council profile and the catalogue: public, read-only, cacheable.
//!
//! Invariant: the catalogue's ETag changes whenever its content does (it is the content's hash).

use axum::{
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use doorstep_protocol::{Council, ErrorBody, Health, ServiceDefinition, ServiceList};
use sha2::{Digest, Sha256};

use crate::{AppState, error::ApiError};

#[utoipa::path(get, path = "/v1/health", tag = "meta", responses((status = 200, body = Health)))]
pub async fn health() -> axum::Json<Health> {
    axum::Json(Health {
        status: "ok".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}

#[utoipa::path(get, path = "/v1/council", tag = "catalogue", responses((status = 200, body = Council)))]
pub async fn council(State(app): State<AppState>) -> axum::Json<Council> {
    axum::Json(app.profile.council.clone())
}

/// The catalogue, with an ETag; `If-None-Match` with the current tag answers 304.
#[utoipa::path(get, path = "/v1/services", tag = "catalogue",
    params(("If-None-Match" = Option<String>, Header, description = "The ETag of the catalogue the client holds")),
    responses((status = 200, body = ServiceList), (status = 304, description = "The catalogue has not changed")))]
pub async fn services(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let list = app.profile.service_list();
    let body = serde_json::to_vec(&list)?;
    let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..32]);
    let mut response = if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, "application/json")], body).into_response()
    };
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    Ok(response)
}

#[utoipa::path(get, path = "/v1/services/{code}", tag = "catalogue",
    params(("code" = String, Path, description = "The service's code")),
    responses((status = 200, body = ServiceDefinition), (status = 404, body = ErrorBody)))]
pub async fn service(
    State(app): State<AppState>,
    Path(code): Path<String>,
) -> Result<axum::Json<ServiceDefinition>, ApiError> {
    app.profile
        .service(&code)
        .cloned()
        .map(axum::Json)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "unknown_service",
                format!("There is no service '{code}': see GET /v1/services"),
            )
        })
}
