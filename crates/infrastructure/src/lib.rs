//! Diesel / diesel-async adapters of the ports: customers and companies, callers and their
//! API keys, and the audit trail.
//!
//! One [`Database`] serves PostgreSQL (production) and SQLite (the embedded zero-setup
//! default); the query code is written once and expanded for each backend.

mod audit;
mod clients;
mod database;
mod database_url;
mod error;
mod migrations;
mod records;
mod reference_data;
pub mod schema;
mod seed;
mod selection;
mod store;
#[cfg(feature = "test-support")]
pub mod test_support;
mod timestamps;

pub use audit::{SqlAuditTrail, audit_hmac_key};
pub use clients::SqlClientRegistry;
pub use database::{Backend, Database, PgPool, PoolSettings, PoolStatus};
pub use database_url::DatabaseUrl;
pub use error::InfraError;
pub use migrations::run_migrations;
pub use seed::{POSTGRES_IDENTITY_FIX, is_empty, seed_demo};
pub use store::{QueryObserver, SqlCustomerStore};
