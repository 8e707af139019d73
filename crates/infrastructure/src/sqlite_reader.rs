//! SQLite connections for lookups, whose statements run on the calling thread.
//!
//! diesel-async runs each statement of a synchronous connection on tokio's blocking pool,
//! so that a statement waiting for SQLite's write lock (up to the busy timeout) never
//! holds up a worker. A lookup only reads: in WAL mode a reader takes no lock that a
//! writer holds, and its one statement takes tens of microseconds, less than the two
//! thread hand-offs of the blocking pool (the worker wakes a pool thread, which wakes the
//! worker again). These connections run it where the lookup runs instead, and are opened
//! `query_only`, so that nothing that could wait for the lock is ever sent through them.
//! Measured at 10,000 customers, lookups by `customerId` at 8 connections: 126-129 → 93-95
//! µs of service CPU per lookup, 13,000 → 16,600 lookups/s, peak memory 36 → 24 MiB
//! (`docs/benchmarks.md`, "What each change bought").

use std::error::Error;

use diesel::{Connection, ConnectionError, SqliteConnection};
use diesel_async::pooled_connection::deadpool::{Object, Pool, PoolError};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::sync_connection_wrapper::{SpawnBlocking, SyncConnectionWrapper};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;

use crate::database::{Database, PoolSettings};
use crate::database_url::DatabaseUrl;
use crate::error::InfraError;

/// Runs a synchronous connection's work at once, on the thread that asks for it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OnCaller;

impl SpawnBlocking for OnCaller {
    fn spawn_blocking<'a, R>(
        &mut self,
        task: impl FnOnce() -> R + Send + 'static,
    ) -> BoxFuture<'a, Result<R, Box<dyn Error + Send + Sync + 'static>>>
    where
        R: Send + 'static,
    {
        std::future::ready(Ok(task())).boxed()
    }

    fn get_runtime() -> Self {
        Self
    }
}

/// A read-only SQLite connection whose statements run on the calling thread.
pub(crate) type SqliteOnCaller = SyncConnectionWrapper<SqliteConnection, OnCaller>;

/// A pool of read-only SQLite connections for lookups (see the module's comment).
#[derive(Clone)]
pub struct SqliteReader {
    pool: Pool<SqliteOnCaller>,
}

impl std::fmt::Debug for SqliteReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteReader")
            .field("status", &self.pool.status())
            .finish()
    }
}

impl SqliteReader {
    /// A pool of at most one connection per thread of `settings` (a connection is held
    /// only while its statement runs, which never yields) when `url` is a SQLite
    /// database; `None` for PostgreSQL.
    ///
    /// # Errors
    /// [`InfraError::Configuration`] for a path that is not UTF-8 or unusable settings.
    pub fn open(url: &DatabaseUrl, settings: &PoolSettings) -> Result<Option<Self>, InfraError> {
        let DatabaseUrl::Sqlite(path) = url else {
            return Ok(None);
        };
        if settings.max_size == 0 {
            return Err(InfraError::Configuration(
                "the pool size must be at least 1".into(),
            ));
        }
        let path = path.to_str().ok_or_else(|| {
            InfraError::Configuration(format!(
                "the SQLite path {} is not valid UTF-8",
                path.display()
            ))
        })?;
        let busy_timeout = settings.statement_timeout.as_millis();
        let mut config = ManagerConfig::<SqliteOnCaller>::default();
        config.recycling_method = RecyclingMethod::Fast;
        config.custom_setup = Box::new(move |url| {
            let opened = SqliteConnection::establish(url).and_then(|mut conn| {
                diesel::connection::SimpleConnection::batch_execute(
                    &mut conn,
                    &format!(
                        "PRAGMA busy_timeout = {busy_timeout}; PRAGMA query_only = ON; \
                         PRAGMA foreign_keys = ON;"
                    ),
                )
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(SqliteOnCaller::with_runtime(conn, OnCaller))
            });
            std::future::ready(opened).boxed()
        });
        let manager = AsyncDieselConnectionManager::new_with_config(path, config);
        let settings = PoolSettings {
            max_size: settings.threads.clamp(1, settings.max_size),
            ..settings.clone()
        };
        let pool = Database::pool_builder(Pool::builder(manager), &settings)?;
        Ok(Some(Self { pool }))
    }

    /// A connection of the pool.
    pub(crate) async fn get(&self) -> Result<Object<SqliteOnCaller>, PoolError> {
        self.pool.get().await
    }
}

/// Opens `$body` with `$conn` bound to a connection of the [`SqliteReader`] `$reader`.
macro_rules! with_reader {
    ($reader:expr, |$conn:ident| $body:expr) => {{
        let mut pooled = $crate::checkout($reader.get()).await?;
        let $conn = &mut *pooled;
        let output = $body;
        pooled.release();
        output
    }};
}
pub(crate) use with_reader;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_has_no_reader_and_an_empty_pool_is_refused() {
        let postgres = DatabaseUrl::parse("postgres://postgres@127.0.0.1/x").expect("a URL");
        let settings = PoolSettings::default();
        assert!(matches!(SqliteReader::open(&postgres, &settings), Ok(None)));
        let sqlite = DatabaseUrl::Sqlite("unused.db".into());
        let empty = PoolSettings {
            max_size: 0,
            ..settings
        };
        assert!(matches!(
            SqliteReader::open(&sqlite, &empty),
            Err(InfraError::Configuration(_))
        ));
    }

    #[test]
    fn work_runs_at_once_on_the_calling_thread() {
        let caller = std::thread::current().id();
        let mut future = OnCaller.spawn_blocking(move || std::thread::current().id());
        // Ready at the first poll: nothing was handed to another thread.
        let waker = futures_util::task::noop_waker();
        let polled = future
            .as_mut()
            .poll(&mut std::task::Context::from_waker(&waker));
        match polled {
            std::task::Poll::Ready(Ok(thread)) => assert_eq!(thread, caller),
            std::task::Poll::Ready(Err(error)) => panic!("{error}"),
            std::task::Poll::Pending => panic!("the work was handed off"),
        }
    }
}
