//! The lock under which an instance prepares a shared database at start-up.
//!
//! Several instances of the service may start at once against one PostgreSQL (a
//! deployment's replicas, an autoscaler's). Their start-up work (migrations, the demo
//! data, the demo client) must not interleave: two migration runs would both create the
//! same tables, and one of them fail. Each instance therefore does that work holding a
//! PostgreSQL advisory lock, on a connection of its own kept open for the duration; the
//! others wait for it, then find nothing left to do. The lock goes with the connection,
//! so an instance killed while holding it releases it.
//!
//! SQLite needs none: it is one process's embedded file.

use diesel::sql_types::Bool;
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

use crate::database_url::DatabaseUrl;
use crate::error::InfraError;

/// The advisory lock key of start-up preparation (migrations, demo data).
const SETUP_LOCK: i64 = 727_276;
/// The advisory lock key of a migration run, taken by every run (the `migrate` command
/// too) on the migration's own connection.
pub(crate) const MIGRATION_LOCK: i64 = 727_277;

#[derive(diesel::QueryableByName)]
struct Acquired {
    #[diesel(sql_type = Bool)]
    acquired: bool,
}

/// Held while an instance prepares the database; released by [`Self::release`], or when
/// dropped (its connection closes).
pub struct SetupLock {
    conn: Option<AsyncPgConnection>,
}

impl std::fmt::Debug for SetupLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetupLock")
            .field("held", &self.conn.is_some())
            .finish()
    }
}

impl SetupLock {
    /// Waits until no other instance prepares the database at `url`, then holds the lock.
    /// Logs when it has to wait. Holds nothing for SQLite.
    ///
    /// # Errors
    /// [`InfraError::Connect`] when the database cannot be reached, [`InfraError::Query`]
    /// when the lock cannot be taken.
    pub async fn acquire(url: &DatabaseUrl) -> Result<Self, InfraError> {
        let DatabaseUrl::Postgres(url) = url else {
            return Ok(Self { conn: None });
        };
        // The URL's TLS applies here as on every other connection.
        let mut conn = crate::tls::connect(url).await?;
        let first: Acquired = diesel::sql_query(format!(
            "SELECT pg_try_advisory_lock({SETUP_LOCK}) AS acquired"
        ))
        .get_result(&mut conn)
        .await?;
        if !first.acquired {
            tracing::info!("another instance is preparing the database: waiting for it");
            conn.batch_execute(&format!("SELECT pg_advisory_lock({SETUP_LOCK})"))
                .await?;
        }
        Ok(Self { conn: Some(conn) })
    }

    /// Releases the lock at once, so that the next instance goes on.
    ///
    /// # Errors
    /// [`InfraError::Query`] when the unlock fails; the lock is released anyway when the
    /// connection closes, as it does here.
    pub async fn release(mut self) -> Result<(), InfraError> {
        if let Some(mut conn) = self.conn.take() {
            conn.batch_execute(&format!("SELECT pg_advisory_unlock({SETUP_LOCK})"))
                .await?;
        }
        Ok(())
    }
}
