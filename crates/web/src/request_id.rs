//! `X-Request-Id` on every response (the caller's, when it sent a usable one) and one
//! log line per request.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use tracing::Instrument;

use crate::routes::CustomersReturned;

/// The header that carries the request id.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A caller's request id is kept when it is short printable ASCII, so that it is safe to
/// log and to echo.
fn usable(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty() && bytes.len() <= 128 && bytes.iter().all(u8::is_ascii_graphic)
}

pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let id = req
        .headers()
        .get(&X_REQUEST_ID)
        .filter(|value| usable(value))
        .cloned()
        .unwrap_or_else(|| {
            HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
                .unwrap_or(HeaderValue::from_static("-"))
        });
    // Every log line written while serving the request carries its id.
    let span = tracing::info_span!("request", request_id = id.to_str().unwrap_or("-"));
    // Handlers and extractors turn their errors into responses, so an error here is
    // rare; it is left to actix to answer.
    let mut response = next.call(req).instrument(span).await?;
    response.headers_mut().insert(X_REQUEST_ID, id.clone());

    let request = response.request();
    let customers = request.extensions().get::<CustomersReturned>().map(|c| c.0);
    tracing::info!(
        request_id = id.to_str().unwrap_or("-"),
        method = %request.method(),
        route = request.match_pattern().as_deref().unwrap_or("unmatched"),
        status = response.status().as_u16(),
        latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        customers,
        "request"
    );
    Ok(response)
}
