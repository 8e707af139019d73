//! The composition root of the customer lookup service (binary `customer-api`): settings
//! in, a running server out ([`Application`]), and the administration commands, logs,
//! start-up preparation and shutdown around it.

pub mod app;
pub mod audit_key;
pub mod cli;
mod database_setup;
pub mod diagnose;
mod error;
pub mod healthcheck;
mod replica_checks;
pub mod settings;
mod shutdown;
pub mod telemetry;

pub use app::Application;
pub use error::StartError;
pub use settings::Settings;
