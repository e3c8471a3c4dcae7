//! `POST /v1/batch`: many operations in one request, each through the same handler.
//!
//! Invariant: operations run one after another in the order sent, each as its own request
//! with its own `Idempotency-Key`, the batch's `Authorization` and client address; a failing
//! operation does not stop the ones after it, and every operation gets its own result. The
//! whole batch is one transaction (each operation a savepoint of it): if it cannot be committed,
//! none of it was done and the batch as a whole is answered as failed.

use std::net::SocketAddr;

use axum::{
    body::{Body, to_bytes},
    extract::{ConnectInfo, FromRequest, Request, State},
    http::{HeaderMap, Method, StatusCode, header},
};
use doorstep_protocol::{
    BatchRequest, BatchResponse, BatchResult, ErrorBody, FieldProblem, MAX_BATCH_OPERATIONS,
};
use serde_json::Value;
use tower::ServiceExt;

use crate::{AppState, auth, error::ApiError, extract::Json, routes::api_of};

/// The largest answer one operation may give inside a batch.
const RESULT_LIMIT: usize = 1024 * 1024;

/// Run many operations; the batch itself needs no key (each operation carries its own).
#[utoipa::path(post, path = "/v1/batch", tag = "sync", request_body = BatchRequest, security(("bearer" = [])),
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
    // One transaction for the whole batch: its operations still run one by one through their
    // own handlers, each in a savepoint, and are committed together.
    // The batch runs as a task of its own, so a client that goes away mid-batch does not cut it
    // short: it is committed, and the client's retry is answered from the records.
    // The batch's token is checked once; an operation of a batch whose token fails checks its
    // own (and answers 401 or 403 for itself).
    let vouched = auth::resident(&app, &headers).await.ok();
    let db = app.db.clone();
    let run = db.clone().batch_owned(async move {
        let router = api_of(&app);
        let mut results = Vec::with_capacity(batch.operations.len());
        for operation in batch.operations {
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
                results.push(BatchResult {
                    key: operation.key,
                    status: error.status.as_u16(),
                    body: serde_json::to_value(&error.body)?,
                    retry_after: None,
                });
                continue;
            }
            let body = operation
                .body
                .as_ref()
                .map(Value::to_string)
                .unwrap_or_default();
            let mut inner = Request::builder()
                .method(Method::from_bytes(method.as_bytes()).map_err(ApiError::internal)?)
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
                    results.push(BatchResult {
                        key: operation.key,
                        status: error.status.as_u16(),
                        body: serde_json::to_value(&error.body)?,
                        retry_after: None,
                    });
                    continue;
                }
            };
            if let Some(client) = client {
                inner.extensions_mut().insert(client);
            }
            if let Some(resident) = &vouched {
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
            let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            results.push(BatchResult {
                key: operation.key,
                status,
                body,
                retry_after,
            });
        }
        Ok::<_, ApiError>(results)
    });
    let results = tokio::spawn(run).await.map_err(ApiError::internal)???;
    Ok(axum::Json(BatchResponse { results }))
}
