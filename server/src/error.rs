//! The server's one error type, and how every failure becomes a JSON answer.
//!
//! Invariant: no failure reaches a client as HTML or an empty body; internal errors are logged
//! here, once, without personal data, and answered with a generic message.

use crate::sql;
use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use doorstep_protocol::{ErrorBody, FieldProblem, Slot};

/// An error answer: a status, the error body, and how long to wait when it is worth retrying.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// Boxed: an error travels through many `Result`s and should be cheap to move.
    pub body: Box<ErrorBody>,
    pub retry_after: Option<u64>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: Box::new(ErrorBody::new(code, message)),
            retry_after: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.body.error.field = Some(field.into());
        self
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn with_alternatives(mut self, alternatives: Vec<Slot>) -> Self {
        self.body.error.alternatives = alternatives;
        self
    }

    /// 400: the request is not what the API takes.
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 422 `validation_failed`: each problem names its field; the first is the headline.
    pub fn validation(problems: Vec<FieldProblem>) -> Self {
        let first = problems
            .first()
            .cloned()
            .unwrap_or_else(|| FieldProblem::new("", "The request is not valid"));
        let mut error = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            first.message,
        );
        error.body.error.field = Some(first.field);
        if problems.len() > 1 {
            error.body.error.problems = problems;
        }
        error
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("There is no {what} with that id"),
        )
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn conflict(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    pub fn too_many(message: impl Into<String>, retry_after: u64) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message)
            .with_retry_after(retry_after)
    }

    /// 500: logged here with its cause; the client learns only that it may try again.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Something went wrong on the council's side. Try again later.",
        )
        .with_retry_after(5)
    }

    /// Should a replay of the same key get this error back? Yes for a judgement on the request
    /// (validation, not found, a full slot); no for anything that may pass on a later try.
    pub fn is_final(&self) -> bool {
        self.status.is_client_error()
            && self.status != StatusCode::UNAUTHORIZED
            && !doorstep_protocol::rules::is_temporary(
                self.status.as_u16(),
                Some(&self.body.error.code),
            )
    }
}

impl From<sql::Error> for ApiError {
    fn from(error: sql::Error) -> Self {
        match error.kind {
            // Another writer holds the store, or the database gave the transaction up to keep
            // it serializable: the same request under the same key may pass in a moment.
            sql::ErrorKind::Busy | sql::ErrorKind::Retry => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "The council's system is busy. Try again shortly.",
            )
            .with_retry_after(1),
            _ => Self::internal(error),
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(error: rusqlite::Error) -> Self {
        Self::from(sql::Error::from(error))
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(error: serde_json::Error) -> Self {
        Self::internal(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(*self.body)).into_response();
        if let Some(seconds) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}
