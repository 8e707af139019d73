//! The HTTP edge of the customer lookup service: routes, the wire format, errors as
//! problem+json, configuration, the composition root, and the administration commands.

mod access;
mod app;
pub mod audit_key;
pub mod cli;
mod deadline;
pub mod diagnose;
mod drain;
mod faults;
mod health;
pub mod healthcheck;
mod metrics;
mod observability;
mod openapi;
mod problem;
mod readiness;
mod replicas;
mod routes;
pub mod settings;
pub mod telemetry;
mod throttle;
mod wire;

pub use app::{Application, StartError};
pub use settings::Settings;
