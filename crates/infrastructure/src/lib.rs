//! Diesel / diesel-async adapters of the ports (customers and companies, callers and their
//! API keys, the audit trail), and the verifier of the identity provider's bearer tokens.
//!
//! One [`Database`] serves PostgreSQL (production) and SQLite (the embedded zero-setup
//! default); the query code is written once and expanded for each backend.
//! [`JwksTokenVerifier`] checks bearer tokens against the keys the identity provider
//! publishes.

mod audit;
mod breaker;
mod clients;
mod companies;
mod database;
mod database_url;
mod deadline;
mod error;
mod jwt;
mod migrations;
mod records;
mod reference_data;
mod replicas;
pub mod schema;
mod seed;
mod selection;
mod setup_lock;
mod store;
#[cfg(feature = "test-support")]
pub mod test_support;
mod timestamps;
mod tls;

pub use audit::{SqlAuditTrail, audit_hmac_key};
pub use breaker::{Attempt, BreakerCounts, BreakerSettings, BreakerState, CircuitBreaker, Refused};
pub use clients::SqlClientRegistry;
pub use companies::SqlCompanyRegistry;
pub use database::{Backend, Database, PgPool, PoolSettings, PoolStatus};
pub use database_url::DatabaseUrl;
#[doc(hidden)]
pub use deadline::checkout;
pub use deadline::{Checkout, bounded, within_deadline};
pub use error::InfraError;
pub use jwt::{JwksSource, JwksTokenVerifier, JwtSettings};
pub use migrations::run_migrations;
pub use replicas::{
    Replica, ReplicaFallback, ReplicaHealth, ReplicaSet, ReplicaSettings, ReplicaStatus,
};
pub use seed::{POSTGRES_IDENTITY_FIX, is_empty, seed_demo};
pub use setup_lock::SetupLock;
pub use store::{QueryObserver, SqlCustomerStore};
pub use tls::{PgTlsSettings, RootCerts, SslMode};
