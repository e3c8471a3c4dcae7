//! The HTTP surface: which path goes to which handler, and the layers every request passes.
//!
//! Invariant: every answer, including a panic, a timeout, an unknown path or a body that is too
//! large, is JSON in the shape of `ErrorBody` — except the sandbox card page, which is HTML, and
//! the Open311 face, which answers in the spec's own JSON or XML.

pub(crate) mod batch;
pub(crate) mod bins;
pub(crate) mod bookings;
pub(crate) mod catalogue;
pub(crate) mod changes;
pub(crate) mod devices;
pub(crate) mod me;
pub mod open311;
pub(crate) mod payments;
pub(crate) mod reports;
pub(crate) mod sandbox;
pub(crate) mod staff;

use std::any::Any;

use axum::{
    Router,
    extract::{DefaultBodyLimit, Request},
    http::{HeaderName, HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use tower_http::{
    catch_panic::CatchPanicLayer, set_header::SetResponseHeaderLayer, trace::TraceLayer,
};

use crate::{AppState, error::ApiError, forwarded};

/// JSON bodies larger than this are refused.
pub(crate) const JSON_LIMIT: usize = 256 * 1024;
/// A batch's body (up to `MAX_BATCH_OPERATIONS` operations) may be this large: the protocol's
/// limit, which the device sizes its batches by.
const BATCH_LIMIT: usize = doorstep_protocol::MAX_BATCH_BYTES;
/// Photos up to 10 MB.
pub const PHOTO_LIMIT: usize = 10 * 1024 * 1024;

/// The API's routes, with their state, before the outer layers.
fn api(state: AppState) -> Router {
    Router::new()
        .route("/v1/health", get(catalogue::health))
        .route("/v1/council", get(catalogue::council))
        .route("/v1/services", get(catalogue::services))
        .route("/v1/services/{code}", get(catalogue::service))
        .route("/v1/services/{code}/slots", get(bookings::slots))
        .route("/v1/devices", post(devices::register))
        .route(
            devices::PUSH_TOKEN_PATH,
            put(devices::set_push_token).delete(devices::stop_push),
        )
        .route("/v1/auth/email", post(devices::send_code))
        .route("/v1/auth/verify", post(devices::verify))
        .route("/v1/auth/signout", post(devices::sign_out))
        .route("/v1/me", get(me::export))
        .route("/v1/me/erase", post(me::erase))
        .route(
            "/v1/attachments/{sha256}",
            put(reports::upload_photo).layer(DefaultBodyLimit::max(PHOTO_LIMIT)),
        )
        .route("/v1/reports", post(reports::create).get(reports::list))
        .route("/v1/reports/{id}", get(reports::get))
        .route("/v1/reports/{id}/updates", post(reports::add_update))
        .route("/v1/bookings", post(bookings::create).get(bookings::list))
        .route("/v1/bookings/{id}", get(bookings::get))
        .route("/v1/bookings/{id}/cancel", post(bookings::cancel))
        .route("/v1/payments", post(payments::create).get(payments::list))
        .route("/v1/payments/{id}", get(payments::get))
        .route("/v1/addresses", get(bins::addresses))
        .route("/v1/collections", get(bins::collections))
        .route("/v1/collections.ics", get(bins::calendar_file))
        .route("/v1/changes", get(changes::feed))
        .route(
            "/v1/batch",
            post(batch::run).layer(DefaultBodyLimit::max(BATCH_LIMIT)),
        )
        .route("/v1/staff/reports", get(staff::reports))
        .route("/v1/staff/reports/{id}/status", post(staff::set_status))
        .route("/v1/staff/bookings", get(staff::bookings))
        .route("/v1/staff/payments/{id}/refund", post(staff::refund))
        .route(
            "/open311/v2/{file}",
            get(open311::get_top).post(open311::post_top),
        )
        .route("/open311/v2/services/{file}", get(open311::get_definition))
        .route("/open311/v2/requests/{file}", get(open311::get_request))
        .route("/open311/v2/tokens/{file}", get(open311::get_token))
        .route(
            "/sandbox/pay/{id}",
            get(sandbox::page).post(sandbox::submit),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(JSON_LIMIT))
        .with_state(state)
}

/// The whole server: the API behind its outer layers.
pub fn router(state: AppState) -> Router {
    let api = api(state.clone());
    let _ = state.api.set(api.clone());
    let timeout = state.limits.request_timeout;
    api.layer(middleware::from_fn(move |request: Request, next: Next| async move {
        match tokio::time::timeout(timeout, next.run(request)).await {
            Ok(response) => response,
            Err(_) => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "timeout", "The council's system took too long to answer. Try again.")
                .with_retry_after(5)
                .into_response(),
        }
    }))
    .layer(middleware::from_fn_with_state(state, forwarded::resolve))
    .layer(CatchPanicLayer::custom(panicked))
    .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
        // The route, not the URI: queries and ids may carry personal data.
        let route = request
            .extensions()
            .get::<axum::extract::MatchedPath>()
            .map_or("unmatched", |p| p.as_str())
            .to_owned();
        tracing::info_span!("request", method = %request.method(), route)
    }))
    .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
    .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
    .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
    .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
    .layer(SetResponseHeaderLayer::if_not_present(
        HeaderName::from_static("content-security-policy"),
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:; frame-ancestors 'none'"),
    ))
}

/// The API router, for running a batch's operations through the same handlers.
fn api_of(state: &AppState) -> Router {
    state
        .api
        .get()
        .cloned()
        .unwrap_or_else(|| api(state.clone()))
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "There is nothing at this address: see the API document",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This address does not take that method",
    )
}

fn panicked(_: Box<dyn Any + Send + 'static>) -> Response {
    ApiError::internal("a request handler panicked").into_response()
}
