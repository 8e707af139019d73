//! What every request leaves behind: an `X-Request-Id` header (the caller's, when it sent
//! a usable one), one structured log line, and its HTTP metrics.
//!
//! Identifiers are personal data: the log line shows the searched ones masked, all but
//! their last three characters.
//!
//! A lookup refused before it was looked at (401, 429) costs the service next to
//! nothing, and a flood of them would cost the log a line each: their lines are written
//! once per client address and interval, with the number left out since. The metrics
//! count every one.

use std::net::IpAddr;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};
use tracing::Instrument;

use customer_application::RateLimitedLog;
use customer_domain::ClientName;

use crate::metrics::Metrics;

/// The header that carries the request id.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The request's id, as the handlers see it (the audit trail records it).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// What a lookup handler tells the log about its request.
#[derive(Debug, Clone)]
pub struct LookupSummary {
    /// Customers returned.
    pub customers: usize,
    /// The identifiers searched, masked (`mobileNumber=******084`).
    pub criteria: String,
}

/// Set on a lookup refused by admission (401, 429): its line is logged once per client
/// address and interval.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Refused {
    /// The client's address, as the failed-authentication limit counts it.
    pub(crate) client: Option<IpAddr>,
}

/// How often the line of a refused request is written again for the same address.
const REFUSED_LOG_INTERVAL: Duration = Duration::from_secs(10);

static REFUSED: LazyLock<RateLimitedLog> =
    LazyLock::new(|| RateLimitedLog::new(REFUSED_LOG_INTERVAL));

/// `value` with all but its last three characters replaced by `*`; short values are
/// masked whole.
pub fn mask(value: &str) -> String {
    let count = value.chars().count();
    let keep = if count > 3 { 3 } else { 0 };
    value
        .chars()
        .enumerate()
        .map(|(i, c)| if i < count - keep { '*' } else { c })
        .collect()
}

/// The longest caller's request id kept.
const MAX_REQUEST_ID_LEN: usize = 256;

/// A caller's request id is kept when it is printable ASCII (spaces included) of at most
/// 256 bytes, so that it is safe to log and to echo; otherwise a new one is made.
fn usable(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_REQUEST_ID_LEN
        && bytes.iter().all(|b| (b' '..=b'~').contains(b))
}

pub async fn observe(
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
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    // Every log line written while serving the request carries its id.
    let span = tracing::info_span!("request", request_id = id.to_str().unwrap_or("-"));
    req.extensions_mut()
        .insert(RequestId(id.to_str().unwrap_or("-").to_owned()));
    // Handlers and extractors turn their errors into responses, so an error here is
    // rare; it is left to actix to answer.
    let mut response = next.call(req).instrument(span).await?;
    response.headers_mut().insert(X_REQUEST_ID, id.clone());

    let elapsed = started.elapsed();
    let request = response.request();
    let route = request.match_pattern();
    let route = route.as_deref().unwrap_or("unmatched");
    let method = request.method().as_str();
    let status = response.status();
    if let Some(metrics) = metrics {
        metrics.record_request(route, method, status, elapsed);
    }
    let extensions = request.extensions();
    let refused = extensions.get::<Refused>().copied();
    // `None`: a refused request whose address has had its line this interval.
    let repeated = match refused {
        None => Some(None),
        Some(refused) => {
            let client = refused
                .client
                .map_or_else(|| "-".to_owned(), |ip| ip.to_string());
            REFUSED.admit(&client).map(Some)
        }
    };
    if let Some(repeated) = repeated {
        let lookup = extensions.get::<LookupSummary>();
        let caller = extensions.get::<ClientName>();
        tracing::info!(
            request_id = id.to_str().unwrap_or("-"),
            method,
            route,
            status = status.as_u16(),
            caller = caller.map(ClientName::as_str),
            // Whole microseconds: a float of milliseconds prints as 0.059898999999999994.
            latency_us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            customers = lookup.map(|l| l.customers),
            criteria = lookup.map(|l| l.criteria.as_str()),
            client_address = refused.and_then(|r| r.client).map(tracing::field::display),
            refusals_left_out = repeated,
            "request"
        );
    }
    drop(extensions);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_but_the_last_three_characters_are_masked() {
        assert_eq!(mask("568617084"), "******084");
        assert_eq!(mask("POL-2025-000123"), "************123");
        assert_eq!(mask("١٢٣٤"), "*٢٣٤");
    }

    #[test]
    fn printable_request_ids_are_kept() {
        assert!(usable(&HeaderValue::from_static("order 42")));
        assert!(usable(
            &HeaderValue::from_str(&"x".repeat(256)).expect("valid")
        ));
        assert!(!usable(
            &HeaderValue::from_str(&"x".repeat(257)).expect("valid")
        ));
        assert!(!usable(
            &HeaderValue::from_bytes(b"caf\xc3\xa9").expect("valid")
        ));
        assert!(!usable(&HeaderValue::from_static("")));
    }

    #[test]
    fn short_values_are_masked_whole() {
        assert_eq!(mask("123"), "***");
        assert_eq!(mask(""), "");
    }
}
