//! Diesel / diesel-async adapters of the ports: customers and companies, callers and their
//! API keys, the audit trail, and the migrations.
//!
//! One [`Database`] serves PostgreSQL (production) and SQLite (the embedded zero-setup
//! default); the query code is written once and expanded for each backend.

mod audit;
mod breaker;
mod bulk_indexes;
mod bulk_insert;
mod clients;
mod companies;
mod database;
mod database_url;
mod deadline;
mod error;
mod migrations;
mod records;
mod reference_data;
mod replicas;
pub mod schema;
mod seed;
mod selection;
mod setup_lock;
mod sqlite_reader;
mod store;
mod timestamps;
mod tls;

pub use audit::{SqlAuditTrail, audit_hmac_key};
pub use breaker::{Attempt, BreakerCounts, BreakerSettings, BreakerState, CircuitBreaker, Refused};
pub use bulk_indexes::{IndexRebuild, postgres_index_rebuild, sqlite_index_rebuild};
pub use bulk_insert::insert_postgres;
pub use clients::SqlClientRegistry;
pub use companies::SqlCompanyRegistry;
pub use database::{Backend, Database, PgPool, PoolSettings, PoolStatus};
pub use database_url::DatabaseUrl;
#[doc(hidden)]
pub use deadline::checkout;
pub use deadline::{Checkout, bounded, within_deadline};
pub use error::InfraError;
pub use migrations::{revert_all_migrations, revert_last_migration, run_migrations};
pub use replicas::{
    Replica, ReplicaFallback, ReplicaHealth, ReplicaSet, ReplicaSettings, ReplicaStatus,
};
pub use seed::{POSTGRES_IDENTITY_FIX, company_codes, is_empty, seed_demo};
pub use setup_lock::SetupLock;
pub use sqlite_reader::SqliteReader;
pub use store::{DEFAULT_LOCAL_TIME_OFFSET, InitialLoad, QueryObserver, SqlCustomerStore};
pub use tls::{PgTlsSettings, RootCerts, SslMode};
