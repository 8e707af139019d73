//! The deadline of every request: its database work (waiting for a connection, the
//! statements) must end by then, or the answer is a `503` problem with `Retry-After`.
//! A frozen database answers no `statement_timeout`; only the caller's own clock helps.

use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError};
use customer_infrastructure::{InfraError, within_deadline};
use tokio::time::Instant;

use crate::problem::ApiError;
use crate::request;

/// How long a request's work may take (`server.request_timeout_ms`).
#[derive(Debug, Clone, Copy)]
pub struct RequestTimeout(pub Duration);

/// Runs the request with its deadline in force for the database calls in it (each
/// gives up waiting for a connection at the deadline), and answers `503` if it is not
/// done by then: dropping its work closes the connections it held.
pub async fn bound(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(RequestTimeout(limit)) = req.app_data::<RequestTimeout>().copied() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let deadline = Instant::now() + limit;
    let request = req.request().clone();
    let work = within_deadline(deadline, next.call(req));
    if let Ok(response) = tokio::time::timeout_at(deadline, work).await {
        return response.map(ServiceResponse::map_into_boxed_body);
    }
    let error = ApiError::Unavailable {
        language: request::language(&request),
        source: Box::new(InfraError::DeadlineExceeded),
    };
    Ok(ServiceResponse::new(request, error.error_response()))
}
