use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use deadpool::Runtime;
use diesel::SqliteConnection;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::FutureExt;

use crate::database_url::DatabaseUrl;
use crate::error::InfraError;

/// The SQLite connection type behind the pool.
pub(crate) type SqliteAsync = SyncConnectionWrapper<SqliteConnection>;

/// The settings of the connection pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSettings {
    /// The most connections open at once.
    pub max_size: usize,
    /// How long a request waits for a free connection before the database is reported
    /// unavailable.
    pub wait_timeout: Duration,
    /// How long opening a new connection may take.
    pub create_timeout: Duration,
    /// How long checking a returned connection may take.
    pub recycle_timeout: Duration,
    /// The longest a statement may run (PostgreSQL `statement_timeout`; SQLite
    /// `busy_timeout`).
    pub statement_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_size: 16,
            wait_timeout: Duration::from_secs(2),
            create_timeout: Duration::from_secs(2),
            recycle_timeout: Duration::from_secs(2),
            statement_timeout: Duration::from_secs(5),
        }
    }
}

/// Which database engine a [`Database`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL, through diesel-async's own connection (no libpq).
    Postgres,
    /// SQLite, embedded and bundled.
    Sqlite,
}

/// What the pool holds now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// The most connections the pool may open.
    pub max_size: usize,
    /// Connections open now.
    pub size: usize,
    /// Open connections not in use.
    pub idle: usize,
    /// Requests waiting for a connection.
    pub waiting: usize,
}

/// A pool of connections to either backend.
///
/// Query code is written once and expanded for each variant by `with_connection!`:
/// diesel's `MultiConnection` does not work with diesel-async.
#[derive(Clone)]
pub enum Database {
    /// A PostgreSQL pool.
    Postgres(Pool<AsyncPgConnection>),
    /// A SQLite pool.
    Sqlite(Pool<SqliteAsync>),
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("backend", &self.backend())
            .field("status", &self.status())
            .finish()
    }
}

/// Runs `$body` with `$conn` bound to a pooled connection of whichever backend `$db` is.
macro_rules! with_connection {
    ($db:expr, |$conn:ident| $body:expr) => {
        match $db {
            $crate::database::Database::Postgres(pool) => {
                let mut pooled = pool.get().await.map_err($crate::error::InfraError::from)?;
                let $conn = &mut *pooled;
                $body
            }
            $crate::database::Database::Sqlite(pool) => {
                let mut pooled = pool.get().await.map_err($crate::error::InfraError::from)?;
                let $conn = &mut *pooled;
                $body
            }
        }
    };
}
pub(crate) use with_connection;

impl Database {
    /// Builds a pool for `url`. No connection is opened until one is needed, so that the
    /// service starts even while the database is down; for SQLite, the folder of the
    /// file is created.
    ///
    /// # Errors
    /// [`InfraError::Configuration`] for unusable settings, [`InfraError::Io`] when the
    /// SQLite folder cannot be created.
    pub fn connect(url: &DatabaseUrl, settings: &PoolSettings) -> Result<Self, InfraError> {
        if settings.max_size == 0 {
            return Err(InfraError::Configuration(
                "the pool size must be at least 1".into(),
            ));
        }
        match url {
            DatabaseUrl::Postgres(url) => {
                let statement_timeout = settings.statement_timeout.as_millis();
                let io = Arc::new(IoRuntime::new()?);
                let mut config = ManagerConfig::<AsyncPgConnection>::default();
                // The default recycling runs `SELECT 1` at every checkout: a round trip per
                // request. A broken connection is caught by its error instead (503), and
                // diesel-async marks it broken so the pool drops it.
                config.recycling_method = RecyclingMethod::Fast;
                config.custom_setup = Box::new(move |url| {
                    let url = url.to_owned();
                    let io = Arc::clone(&io);
                    async move {
                        // Opened on the I/O runtime, so that its background task outlives
                        // whichever worker asked for it.
                        io.spawn(async move {
                            let mut conn = AsyncPgConnection::establish(&url).await?;
                            // Every lookup statement is shaped for one generic plan (its driving
                            // identifier's index, the others as filters): planning it again
                            // for each execution, as PostgreSQL otherwise may, costs more
                            // than running it.
                            conn.batch_execute(&format!(
                                "SET statement_timeout = {statement_timeout}; \
                                 SET TIME ZONE 'UTC'; \
                                 SET plan_cache_mode = force_generic_plan"
                            ))
                            .await
                            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                            Ok(conn)
                        })
                        .await
                    }
                    .boxed()
                });
                let manager = AsyncDieselConnectionManager::new_with_config(url, config);
                let pool = Self::pool_builder(Pool::builder(manager), settings)?;
                Ok(Self::Postgres(pool))
            }
            DatabaseUrl::Sqlite(path) => {
                if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(folder)?;
                }
                let busy_timeout = settings.statement_timeout.as_millis();
                let mut config = ManagerConfig::<SqliteAsync>::default();
                config.recycling_method = RecyclingMethod::Fast;
                config.custom_setup = Box::new(move |url| {
                    async move {
                        let mut conn = SqliteAsync::establish(url).await?;
                        conn.batch_execute(&sqlite_pragmas(busy_timeout))
                            .await
                            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                        Ok(conn)
                    }
                    .boxed()
                });
                let path = path.to_str().ok_or_else(|| {
                    InfraError::Configuration(format!(
                        "the SQLite path {} is not valid UTF-8",
                        path.display()
                    ))
                })?;
                let manager = AsyncDieselConnectionManager::new_with_config(path, config);
                let pool = Self::pool_builder(Pool::builder(manager), settings)?;
                Ok(Self::Sqlite(pool))
            }
        }
    }

    fn pool_builder<C>(
        builder: diesel_async::pooled_connection::deadpool::PoolBuilder<C>,
        settings: &PoolSettings,
    ) -> Result<Pool<C>, InfraError>
    where
        C: diesel_async::pooled_connection::PoolableConnection + Send + 'static,
        AsyncDieselConnectionManager<C>: deadpool::managed::Manager,
    {
        // Without a runtime deadpool ignores every timeout and waits forever.
        builder
            .max_size(settings.max_size)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(settings.wait_timeout))
            .create_timeout(Some(settings.create_timeout))
            .recycle_timeout(Some(settings.recycle_timeout))
            .build()
            .map_err(|error| InfraError::Configuration(error.to_string()))
    }

    /// The backend this pool talks to.
    pub fn backend(&self) -> Backend {
        match self {
            Self::Postgres(_) => Backend::Postgres,
            Self::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// What the pool holds now.
    pub fn status(&self) -> PoolStatus {
        let status = match self {
            Self::Postgres(pool) => pool.status(),
            Self::Sqlite(pool) => pool.status(),
        };
        PoolStatus {
            max_size: status.max_size,
            size: status.size,
            idle: status.available,
            waiting: status.waiting,
        }
    }

    /// Checks that the database answers a trivial statement.
    ///
    /// # Errors
    /// Any [`InfraError`] met on the way.
    pub async fn ping(&self) -> Result<(), InfraError> {
        with_connection!(self, |conn| conn.batch_execute("SELECT 1").await?);
        Ok(())
    }
}

/// The runtime that drives PostgreSQL connections.
///
/// A diesel-async connection does its I/O in a task on the runtime that opened it. actix
/// runs one runtime per worker and, on shutdown, stops idle workers first: a connection
/// opened by one of them would die under a request that another worker is still
/// serving. One small runtime of the pool's own keeps every connection alive as long as
/// the pool.
struct IoRuntime(Option<tokio::runtime::Runtime>);

impl IoRuntime {
    fn new() -> Result<Self, InfraError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("db-io")
            .enable_all()
            .build()?;
        Ok(Self(Some(runtime)))
    }

    async fn spawn<T: Send + 'static>(
        &self,
        task: impl Future<Output = diesel::ConnectionResult<T>> + Send + 'static,
    ) -> diesel::ConnectionResult<T> {
        let Some(runtime) = &self.0 else {
            return Err(diesel::ConnectionError::BadConnection(
                "the pool is closed".into(),
            ));
        };
        runtime
            .spawn(task)
            .await
            .map_err(|error| diesel::ConnectionError::BadConnection(error.to_string()))?
    }
}

impl Drop for IoRuntime {
    fn drop(&mut self) {
        // The pool may be dropped inside another runtime, where blocking is not allowed.
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

/// What every SQLite connection runs first: a server's settings, not SQLite's defaults.
fn sqlite_pragmas(busy_timeout_ms: u128) -> String {
    format!(
        // busy_timeout first: switching to WAL needs a lock, which may have to be waited for.
        "PRAGMA busy_timeout = {busy_timeout_ms}; \
         PRAGMA journal_mode = WAL; \
         PRAGMA synchronous = NORMAL; \
         PRAGMA foreign_keys = ON;"
    )
}
