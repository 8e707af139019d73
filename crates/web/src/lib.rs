//! The HTTP adapter of the customer lookup service: it turns requests into use-case calls
//! and their outcomes back into responses. Routes and handlers, the admission of callers
//! (authentication, rate limits), problem+json errors, the wire format, the OpenAPI
//! document, the health and readiness probes, metrics, request logs and the request
//! deadline. Settings, start-up and shutdown belong to the binary (`crates/server`).

mod admission;
mod drain;
mod faults;
mod health;
mod metrics;
mod observability;
mod openapi;
mod problem;
mod readiness;
mod request;
mod request_deadline;
mod routes;
mod wire;
mod writes;

pub use admission::AccessControl;
pub use customer_application::RateLimitedLog;
pub use drain::{Draining, close_when_draining};
pub use metrics::Metrics;
pub use observability::observe;
pub use openapi::document as openapi_document;
pub use readiness::{Readiness, ReadinessSettings};
pub use request_deadline::RequestTimeout;
pub use routes::{AppState, CUSTOMER_PATH, configure_admin};
pub use wire::{ClosingJson, CustomerDocumentJson};

/// Mounts the API: the lookup, the probes, the OpenAPI document and its interactive
/// documentation, and `/metrics` when `with_metrics` (it may have a listener of its own
/// instead); any other path is a problem+json 404.
pub fn configure(cfg: &mut actix_web::web::ServiceConfig, with_metrics: bool) {
    openapi::configure(cfg);
    routes::configure(cfg, with_metrics);
}
