//! `POST /v1/batch`: many operations in one request, each answered as if it had come alone.
//!
//! Invariant: operations run one after another in the order sent, each with its own
//! `Idempotency-Key`, the batch's `Authorization` and client address; a failing operation does
//! not stop the ones after it, and every operation gets its own result. The whole batch is one
//! transaction: if it cannot be committed, or the store fails part-way through an operation,
//! none of it was done and the batch as a whole is answered as failed (so a store that keeps
//! failing on one operation holds up the batches that carry it, as it would hold up that
//! operation alone). A new report of a resident whose token the batch has checked — most of
//! what a device drains — runs in place, through the same checks and the same store work as
//! `POST /v1/reports` (`reports::submit`, which checks everything before it writes and so
//! needs no savepoint), and consecutive ones share one step on the store; any other operation
//! goes through the API's own router, in a savepoint of its own. A fresh report's result names
//! its change-feed entry (`change`), which carries the same report as the answer does, so that
//! a device that records the answer need not pull it again.

use std::net::SocketAddr;

use axum::{
    Router,
    body::{Body, to_bytes},
    extract::{ConnectInfo, FromRequest, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
};
use doorstep_protocol::{
    BatchOperation, BatchRequest, BatchResponse, BatchResult, ErrorBody, FieldProblem,
    MAX_BATCH_OPERATIONS, NewReport,
};
use serde_json::value::{RawValue, to_raw_value};
use tower::ServiceExt;

use crate::{
    AppState,
    auth::{self, Resident},
    error::ApiError,
    extract::{Json, parse_json},
    idempotency::Key,
    routes::{JSON_LIMIT, api_of, reports},
};

/// The largest answer one operation may give inside a batch.
const RESULT_LIMIT: usize = 1024 * 1024;

/// Run many operations; the batch itself needs no key (each operation carries its own).
#[utoipa::path(post, path = "/v1/batch", tag = "sync", request_body = BatchRequest, security((), ("bearer" = [])),
    responses((status = 200, body = BatchResponse), (status = 422, body = ErrorBody)))]
pub async fn run(
    State(app): State<AppState>,
    headers: HeaderMap,
    request: Request,
) -> Result<axum::Json<BatchResponse>, ApiError> {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .cloned();
    let Json(batch) =
        <Json<BatchRequest> as FromRequest<AppState>>::from_request(request, &app).await?;
    if batch.operations.is_empty() || batch.operations.len() > MAX_BATCH_OPERATIONS {
        return Err(ApiError::validation(vec![FieldProblem::new(
            "operations",
            format!("Send from 1 to {MAX_BATCH_OPERATIONS} operations in one batch"),
        )]));
    }
    // One transaction for the whole batch: its operations still run one by one, and are
    // committed together.
    // The batch runs as a task of its own, so a client that goes away mid-batch does not cut it
    // short: it is committed, and the client's retry is answered from the records.
    // The batch's token is checked once; an operation of a batch whose token fails checks its
    // own (and answers 401 or 403 for itself).
    let vouched = auth::resident(&app, &headers).await.ok();
    let db = app.db.clone();
    // Made afresh for each run, as a batch PostgreSQL gave up is run again.
    let operations = move || {
        let (app, headers, vouched, batch) =
            (app.clone(), headers.clone(), vouched.clone(), batch.clone());
        async move {
            let router = api_of(&app);
            let mut results: Vec<Option<BatchResult>> = Vec::with_capacity(batch.operations.len());
            // New reports waiting to run in place, with their place among the results: they run
            // together, before the next operation that goes through the router.
            let mut reports = Vec::new();
            for operation in batch.operations {
                let at = results.len();
                results.push(None);
                match plan(operation, vouched.as_ref())? {
                    Step::Answer(result) => results[at] = Some(result),
                    Step::Report(report) => reports.push((at, *report)),
                    Step::Route(operation) => {
                        for (at, result) in submit_reports(&app, &mut reports).await? {
                            results[at] = Some(result);
                        }
                        results[at] = Some(
                            route(&router, operation, &headers, client, vouched.as_ref()).await?,
                        );
                    }
                }
            }
            for (at, result) in submit_reports(&app, &mut reports).await? {
                results[at] = Some(result);
            }
            Ok::<_, ApiError>(results.into_iter().flatten().collect())
        }
    };
    let run = db.clone().batch_owned(operations);
    let results = tokio::spawn(run).await.map_err(ApiError::internal)??;
    Ok(axum::Json(BatchResponse { results }))
}

/// What to do with one operation of a batch.
enum Step {
    /// Answered at once: refused by the batch's own rules, or unreadable as its request.
    Answer(BatchResult),
    /// A new report of the resident the batch has checked, to run in place.
    Report(Box<NewReportOperation>),
    /// Anything else: through the router, as a request of its own.
    Route(BatchOperation),
}

/// A new report, read as `POST /v1/reports` reads one.
struct NewReportOperation {
    key: String,
    resident: Resident,
    body: NewReport,
}

/// Sort one operation, reading it as its handler's extractors would: the method and path
/// first, then the caller (already checked for the batch), the key, and the body.
fn plan(operation: BatchOperation, vouched: Option<&Resident>) -> Result<Step, ApiError> {
    let method = operation.method.to_ascii_uppercase();
    let refusal = if method != "POST" && method != "PUT" {
        Some(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "A batch carries only POST and PUT operations",
        ))
    } else if !operation.path.starts_with("/v1/")
        || operation.path.starts_with("/v1/batch")
        || operation.path.starts_with("/v1/attachments")
    {
        Some(
            ApiError::bad_request(
                "not_batchable",
                "A batch carries /v1/ operations other than batches and photo uploads",
            )
            .with_field("path"),
        )
    } else {
        None
    };
    if let Some(error) = refusal {
        return Ok(Step::Answer(refused(operation.key, &error)?));
    }
    let body = operation.body.as_ref().map_or("", |body| body.get());
    let in_place = method == "POST"
        && operation.path == "/v1/reports"
        && HeaderValue::from_str(&operation.key).is_ok()
        && body.len() <= JSON_LIMIT;
    let Some(resident) = vouched.filter(|_| in_place) else {
        return Ok(Step::Route(BatchOperation {
            method,
            ..operation
        }));
    };
    let parsed =
        Key::parse(&operation.key).and_then(|Key(key)| Ok((key, parse_json(body.as_bytes())?)));
    Ok(match parsed {
        Ok((key, body)) => Step::Report(Box::new(NewReportOperation {
            key,
            resident: resident.clone(),
            body,
        })),
        Err(error) => Step::Answer(refused(operation.key, &error)?),
    })
}

/// Run the new reports waiting in `reports` (emptying it), one after another on the batch's
/// transaction with no savepoint: each is checked before anything of it is written, so a
/// refused one leaves nothing but its recorded answer. Returns each one's result with its place;
/// `Err` when the store failed part-way through one, which fails (and rolls back) the batch.
async fn submit_reports(
    app: &AppState,
    reports: &mut Vec<(usize, NewReportOperation)>,
) -> Result<Vec<(usize, BatchResult)>, ApiError> {
    if reports.is_empty() {
        return Ok(Vec::new());
    }
    let reports = std::mem::take(reports);
    let state = app.clone();
    app.db
        .batch_steps(move |conn| {
            let mut results = Vec::with_capacity(reports.len());
            for (at, report) in reports {
                let key = report.key.clone();
                let result = match reports::submit(
                    conn,
                    &state,
                    report.resident,
                    report.key,
                    report.body,
                )? {
                    Ok(submitted) => BatchResult {
                        key,
                        status: submitted.stored.status.as_u16(),
                        body: submitted.stored.body,
                        retry_after: None,
                        change: submitted.change,
                    },
                    Err(error) => refused(key, &error)?,
                };
                results.push((at, result));
            }
            Ok(results)
        })
        .await
}

/// An operation's result from an error.
fn refused(key: String, error: &ApiError) -> Result<BatchResult, ApiError> {
    Ok(BatchResult {
        key,
        status: error.status.as_u16(),
        body: to_raw_value(&error.body)?,
        retry_after: error.retry_after,
        change: None,
    })
}

/// Run one operation through the API's router, as a request of its own.
async fn route(
    router: &Router,
    operation: BatchOperation,
    headers: &HeaderMap,
    client: Option<ConnectInfo<SocketAddr>>,
    vouched: Option<&Resident>,
) -> Result<BatchResult, ApiError> {
    let body = operation
        .body
        .as_ref()
        .map(|body| body.get().to_owned())
        .unwrap_or_default();
    let mut inner = Request::builder()
        .method(Method::from_bytes(operation.method.as_bytes()).map_err(ApiError::internal)?)
        .uri(&operation.path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(doorstep_protocol::IDEMPOTENCY_KEY, operation.key.as_str());
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        inner = inner.header(header::AUTHORIZATION, auth);
    }
    let mut inner = match inner.body(Body::from(body)) {
        Ok(inner) => inner,
        Err(_) => {
            let error = ApiError::bad_request(
                "invalid_operation",
                "The operation's path or key cannot be sent as a request",
            );
            return refused(operation.key, &error);
        }
    };
    if let Some(client) = client {
        inner.extensions_mut().insert(client);
    }
    if let Some(resident) = vouched {
        inner
            .extensions_mut()
            .insert(auth::Vouched(resident.clone()));
    }
    let response = router
        .clone()
        .oneshot(inner)
        .await
        .map_err(ApiError::internal)?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let bytes = to_bytes(response.into_body(), RESULT_LIMIT)
        .await
        .map_err(ApiError::internal)?;
    // An answer that is not JSON (there is none among the API's own) is passed on as null.
    let body = std::str::from_utf8(&bytes)
        .ok()
        .and_then(|text| RawValue::from_string(text.to_owned()).ok())
        .map_or_else(|| to_raw_value(&()), Ok)?;
    Ok(BatchResult {
        key: operation.key,
        status,
        body,
        retry_after,
        change: None,
    })
}
