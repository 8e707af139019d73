//! The HTTP edge of the customer lookup service: routes, the wire format, errors as
//! problem+json, configuration, and the composition root.

mod app;
pub mod audit_key;
mod health;
mod metrics;
mod observability;
mod openapi;
mod problem;
mod routes;
pub mod settings;
pub mod telemetry;
mod wire;

pub use app::{Application, StartError};
pub use settings::Settings;
