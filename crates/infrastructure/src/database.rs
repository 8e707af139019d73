use std::sync::Arc;
use std::time::Duration;

use deadpool::Runtime;
use diesel::{Connection, ConnectionError, ConnectionResult, SqliteConnection};
use diesel_async::pooled_connection::deadpool::{Object, Pool, PoolError};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::sync_connection_wrapper::{SpawnBlocking, SyncConnectionWrapper};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::FutureExt;
use thread_local::ThreadLocal;

use crate::breaker::{BreakerSettings, CircuitBreaker};
use crate::database_url::DatabaseUrl;
use crate::error::InfraError;
use crate::tls::PgTls;

/// The SQLite connection type behind the pool.
pub(crate) type SqliteAsync = SyncConnectionWrapper<SqliteConnection>;

/// The settings of the connection pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSettings {
    /// The most connections open at once.
    pub max_size: usize,
    /// How many threads serve requests from the pool (actix's workers). PostgreSQL keeps a
    /// pool per thread (see [`PgPool`]), each of `max_size / threads` connections, and at
    /// least one.
    pub threads: usize,
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
    /// PostgreSQL: idle time of a connection's socket before TCP keepalive probes start
    /// (three probes, a third of this apart), so that a dead peer is found without
    /// traffic.
    pub tcp_keepalive: Duration,
    /// PostgreSQL: the longest data sent may stay unacknowledged before the connection
    /// is closed (`TCP_USER_TIMEOUT`).
    pub tcp_user_timeout: Duration,
    /// Which connections these are (`lookups`, `audit`...), in logs and metrics.
    pub name: &'static str,
    /// PostgreSQL: when opening connections stops for a while (see [`CircuitBreaker`]).
    pub breaker: BreakerSettings,
    /// PostgreSQL: whether a commit waits for its WAL to reach the disk. `false` sets
    /// `synchronous_commit = off` for the pool's sessions: a crash of the server may then
    /// lose the last few hundred milliseconds of commits, never corrupt them. For writers
    /// whose callers do not wait for durability anyway (the asynchronous audit trail).
    pub wait_for_flush: bool,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_size: 16,
            threads: 1,
            wait_timeout: Duration::from_secs(2),
            create_timeout: Duration::from_secs(2),
            recycle_timeout: Duration::from_secs(2),
            statement_timeout: Duration::from_secs(5),
            tcp_keepalive: Duration::from_secs(10),
            tcp_user_timeout: Duration::from_secs(10),
            name: "lookups",
            breaker: BreakerSettings::default(),
            wait_for_flush: true,
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
    /// PostgreSQL connections, pooled per thread.
    Postgres(PgPool),
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

/// Runs `$body` with `$conn` bound to a pooled connection of whichever backend the
/// [`Database`] `$db` is: the body is written once and expanded for each backend's
/// connection type. Used in an async function whose error converts from [`InfraError`]:
/// failing to get a connection (by the deadline in force, see
/// [`crate::within_deadline`]) returns early with it. The connection goes back to the
/// pool when `$body` ends normally; when the body returns early or its future is
/// dropped (a deadline passed), the connection is closed: a statement may be pending.
#[macro_export]
macro_rules! with_connection {
    ($db:expr, |$conn:ident| $body:expr) => {
        match $db {
            $crate::Database::Postgres(pool) => {
                let mut pooled = $crate::checkout(pool.get()).await?;
                let $conn = &mut *pooled;
                let output = $body;
                pooled.release();
                output
            }
            $crate::Database::Sqlite(pool) => {
                let mut pooled = $crate::checkout(pool.get()).await?;
                let $conn = &mut *pooled;
                let output = $body;
                pooled.release();
                output
            }
        }
    };
}
pub(crate) use with_connection;

/// Runs `$body` in a transaction that writes, on a pooled connection of whichever backend
/// the [`Database`] `$db` is, with `$conn` bound to the connection; the body is written
/// once, as the body of an async closure whose error converts from diesel's. Used like
/// `with_connection!`: failing to get a connection returns early with an [`InfraError`].
///
/// SQLite begins with `BEGIN IMMEDIATE`, which takes the write lock at once (waiting for
/// it up to the busy timeout): a deferred transaction that reads before it writes fails
/// at its first write, without waiting, when another connection wrote in between.
macro_rules! write_transaction {
    ($db:expr, |$conn:ident| $body:expr) => {
        match $db {
            $crate::Database::Postgres(pool) => {
                let mut pooled = $crate::checkout(pool.get()).await?;
                let output =
                    diesel_async::AsyncConnection::transaction(&mut *pooled, async |$conn| $body)
                        .await;
                pooled.release();
                output
            }
            $crate::Database::Sqlite(pool) => {
                let mut pooled = $crate::checkout(pool.get()).await?;
                let output = (*pooled).immediate_transaction(async |$conn| $body).await;
                pooled.release();
                output
            }
        }
    };
}
pub(crate) use write_transaction;

impl Database {
    /// Builds a pool for `url`. No connection is opened until one is needed, so that the
    /// service starts even while the database is down; for SQLite, the folder of the
    /// file is created.
    ///
    /// # Errors
    /// [`InfraError::Configuration`] for unusable settings, [`InfraError::Io`] when the
    /// SQLite folder cannot be created.
    pub fn connect(url: &DatabaseUrl, settings: &PoolSettings) -> Result<Self, InfraError> {
        if settings.max_size == 0 || settings.threads == 0 {
            return Err(InfraError::Configuration(
                "the pool size and the number of threads must be at least 1".into(),
            ));
        }
        match url {
            DatabaseUrl::Postgres(url) => Ok(Self::Postgres(PgPool::new(url, settings)?)),
            DatabaseUrl::Sqlite(path) => {
                if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(folder)?;
                }
                let busy_timeout = settings.statement_timeout.as_millis();
                let mut config = ManagerConfig::<SqliteAsync>::default();
                config.recycling_method = RecyclingMethod::Fast;
                // The blocking calls of every connection run on the runtime that builds
                // the pool (the service's main one), not on that of the worker that
                // happened to open it: actix stops its idle workers first at shutdown,
                // and a connection bound to a stopped worker's runtime fails each
                // statement ("task was cancelled") while the other workers finish their
                // requests and the audit writer empties its queue. Outside a runtime,
                // each connection uses the one that opens it.
                let owner = tokio::runtime::Handle::try_current().ok();
                config.custom_setup = Box::new(move |url| {
                    let owner = owner.clone();
                    async move {
                        let mut conn = match owner {
                            Some(runtime) => open_sqlite_on(runtime, url).await?,
                            None => SqliteAsync::establish(url).await?,
                        };
                        conn.batch_execute(&sqlite_pragmas(busy_timeout))
                            .await
                            .map_err(ConnectionError::CouldntSetupConfiguration)?;
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

    pub(crate) fn pool_builder<C>(
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
        match self {
            Self::Postgres(pools) => pools.status(),
            Self::Sqlite(pool) => pool.status().into(),
        }
    }

    /// The breaker in front of opening connections (PostgreSQL only: a SQLite file opens
    /// or fails at once, with nothing to spare).
    pub fn breaker(&self) -> Option<&Arc<CircuitBreaker>> {
        match self {
            Self::Postgres(pools) => Some(&pools.0.breaker),
            Self::Sqlite(_) => None,
        }
    }

    /// Closes the idle connections of the calling thread's pool: once one connection was
    /// found lost (the server restarted, or ended the sessions), the others opened
    /// before are likely lost too, and a retry must not meet one of them.
    pub fn close_idle(&self) {
        match self {
            Self::Postgres(pools) => drop(pools.local().retain(|_, _| false)),
            Self::Sqlite(pool) => drop(pool.retain(|_, _| false)),
        }
    }

    /// Closes the idle connections of every thread's pool: the server they go to was
    /// found gone (a read replica stopped), so none of them is worth trying again.
    pub fn close_idle_everywhere(&self) {
        match self {
            Self::Postgres(pools) => {
                for pool in &pools.0.pools {
                    drop(pool.retain(|_, _| false));
                }
            }
            Self::Sqlite(pool) => drop(pool.retain(|_, _| false)),
        }
    }

    /// Opens the connections of the calling thread's PostgreSQL pool (see
    /// [`PgPool::warm_up`]); nothing for SQLite, whose connections open in microseconds.
    ///
    /// # Errors
    /// [`InfraError`] when no connection could be opened.
    pub async fn warm_up(&self) -> Result<usize, InfraError> {
        match self {
            Self::Postgres(pools) => Ok(pools.warm_up().await?),
            Self::Sqlite(_) => Ok(0),
        }
    }
}

impl From<deadpool::Status> for PoolStatus {
    fn from(status: deadpool::Status) -> Self {
        Self {
            max_size: status.max_size,
            size: status.size,
            idle: status.available,
            waiting: status.waiting,
        }
    }
}

/// PostgreSQL connections in one pool per thread that uses them.
///
/// A diesel-async connection does its I/O in a task on the runtime of the thread that
/// opened it, and actix runs one single-threaded runtime per worker. A request served on
/// a worker thus uses connections whose I/O runs on that same thread: no wake-up of
/// another thread at each statement (a shared pool costs two per statement), and no
/// connection that dies with another worker's runtime when actix stops idle workers
/// first at shutdown. Should a thread end and another be given its pool, the
/// connections that died with the old runtime are closed, and the pool drops them at
/// checkout.
#[derive(Clone)]
pub struct PgPool(Arc<PgPools>);

struct PgPools {
    /// The URL without its TLS parameters, which `tls` holds.
    url: String,
    tls: PgTls,
    settings: PoolSettings,
    pools: ThreadLocal<Pool<AsyncPgConnection>>,
    breaker: Arc<CircuitBreaker>,
}

impl std::fmt::Debug for PgPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgPool")
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

impl PgPool {
    fn new(url: &str, settings: &PoolSettings) -> Result<Self, InfraError> {
        let (url, tls) = PgTls::from_url(url)?;
        let pools = PgPools {
            url,
            tls,
            settings: settings.clone(),
            pools: ThreadLocal::new(),
            breaker: Arc::new(CircuitBreaker::new(settings.name, settings.breaker)),
        };
        // Fails now on unusable settings rather than at the first lookup of each thread.
        pools.build()?;
        Ok(Self(Arc::new(pools)))
    }

    /// A connection from this thread's pool, opened on this thread's runtime if none is
    /// idle.
    ///
    /// # Errors
    /// The pool's error when no connection can be had in time.
    pub async fn get(&self) -> Result<Object<AsyncPgConnection>, PoolError> {
        self.local().get().await
    }

    /// Opens this thread's connections, all of them, before requests need them: a
    /// PostgreSQL backend started under load takes long enough to start (hundreds of
    /// milliseconds on a busy 2-core machine) to stall every request that waits for it.
    /// Returns how many connections are open; errors are those of the last attempt.
    ///
    /// # Errors
    /// The pool's error when no connection could be opened.
    pub async fn warm_up(&self) -> Result<usize, PoolError> {
        let pool = self.local();
        let wanted = pool.status().max_size;
        let attempts = futures_util::future::join_all((0..wanted).map(|_| pool.get())).await;
        let mut opened = 0;
        let mut failure = None;
        for attempt in attempts {
            match attempt {
                Ok(_) => opened += 1,
                Err(error) => failure = Some(error),
            }
        }
        match failure {
            Some(error) if opened == 0 => Err(error),
            _ => Ok(opened),
        }
    }

    fn local(&self) -> &Pool<AsyncPgConnection> {
        self.0.pools.get_or(|| {
            self.0
                .build()
                .expect("the settings were checked when the pool was made")
        })
    }

    /// What the pools of all threads hold, together; `max_size` counts the threads that
    /// the settings expect, or more if more have used the pool.
    pub fn status(&self) -> PoolStatus {
        let mut total = PoolStatus {
            max_size: 0,
            size: 0,
            idle: 0,
            waiting: 0,
        };
        let mut pools = 0;
        for pool in &self.0.pools {
            let status = PoolStatus::from(pool.status());
            pools += 1;
            total.size += status.size;
            total.idle += status.idle;
            total.waiting += status.waiting;
        }
        total.max_size = self.0.per_thread() * pools.max(self.0.settings.threads);
        total
    }
}

impl PgPools {
    /// The most connections each thread's pool opens.
    fn per_thread(&self) -> usize {
        (self.settings.max_size / self.settings.threads).max(1)
    }

    fn build(&self) -> Result<Pool<AsyncPgConnection>, InfraError> {
        let session = Session {
            statement_timeout_ms: self.settings.statement_timeout.as_millis(),
            wait_for_flush: self.settings.wait_for_flush,
        };
        let mut config = ManagerConfig::<AsyncPgConnection>::default();
        // The default recycling runs `SELECT 1` at every checkout: a round trip per
        // request. A broken connection is caught by its error instead (503), and
        // diesel-async marks it broken so the pool drops it.
        config.recycling_method = RecyclingMethod::Fast;
        let socket = SocketSettings::of(&self.settings);
        let breaker = self.breaker.clone();
        let tls = self.tls.clone();
        config.custom_setup = Box::new(move |url| {
            let breaker = breaker.clone();
            let tls = tls.clone();
            async move {
                // While the database is down, no dialling: the breaker answers at once.
                let attempt = breaker
                    .admit()
                    .map_err(|refused| ConnectionError::BadConnection(refused.to_string()))?;
                match open_postgres(url, &tls, socket, session).await {
                    Ok(conn) => {
                        attempt.succeeded();
                        Ok(conn)
                    }
                    Err(error) => {
                        attempt.failed(&error);
                        Err(error)
                    }
                }
            }
            .boxed()
        });
        let manager = AsyncDieselConnectionManager::new_with_config(&self.url, config);
        let settings = PoolSettings {
            max_size: self.per_thread(),
            ..self.settings.clone()
        };
        Database::pool_builder(Pool::builder(manager), &settings)
    }
}

/// The TCP settings of a PostgreSQL connection's socket.
#[derive(Debug, Clone, Copy)]
struct SocketSettings {
    keepalive: Duration,
    user_timeout: Duration,
    connect_timeout: Duration,
}

impl SocketSettings {
    fn of(settings: &PoolSettings) -> Self {
        Self {
            keepalive: settings.tcp_keepalive,
            user_timeout: settings.tcp_user_timeout,
            connect_timeout: settings.create_timeout,
        }
    }
}

/// The settings of a PostgreSQL session that the pool's settings give.
#[derive(Debug, Clone, Copy)]
struct Session {
    statement_timeout_ms: u128,
    wait_for_flush: bool,
}

/// Opens a PostgreSQL connection whose socket has TCP keepalive and a user timeout (a
/// peer gone without a word is found without traffic), with the URL's TLS, then sets
/// the session up.
async fn open_postgres(
    url: &str,
    tls: &PgTls,
    socket: SocketSettings,
    session: Session,
) -> ConnectionResult<AsyncPgConnection> {
    let mut config: tokio_postgres::Config =
        url.parse().map_err(|error: tokio_postgres::Error| {
            ConnectionError::InvalidConnectionUrl(error.to_string())
        })?;
    config
        .keepalives(true)
        .keepalives_idle(socket.keepalive)
        .keepalives_interval((socket.keepalive / 3).max(Duration::from_secs(1)))
        .keepalives_retries(3)
        .tcp_user_timeout(socket.user_timeout)
        .connect_timeout(socket.connect_timeout);
    let mut conn = tls.open(&mut config).await?;
    // Every lookup statement is shaped for one generic plan (its driving identifier's
    // index, the others as filters): planning it again for each execution, as
    // PostgreSQL otherwise may, costs more than running it.
    let synchronous_commit = if session.wait_for_flush {
        ""
    } else {
        "SET synchronous_commit = off; "
    };
    conn.batch_execute(&format!(
        "SET statement_timeout = {}; \
         SET TIME ZONE 'UTC'; \
         {synchronous_commit}SET plan_cache_mode = force_generic_plan",
        session.statement_timeout_ms
    ))
    .await
    .map_err(ConnectionError::CouldntSetupConfiguration)?;
    Ok(conn)
}

/// Opens the SQLite database at `url` on a blocking thread of `runtime`, where the
/// connection's statements then run too.
async fn open_sqlite_on(
    runtime: tokio::runtime::Handle,
    url: &str,
) -> ConnectionResult<SqliteAsync> {
    let path = url.to_owned();
    let conn = runtime
        .spawn_blocking(move || SqliteConnection::establish(&path))
        .await
        .map_err(|error| ConnectionError::BadConnection(error.to_string()))??;
    // The wrapper spawns on the runtime current when it is made.
    let _entered = runtime.enter();
    Ok(SqliteAsync::with_runtime(
        conn,
        SpawnBlocking::get_runtime(),
    ))
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
