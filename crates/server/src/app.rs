//! The composition root: settings in, a running server out.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use customer_application::audit::{AuditCounters, AuditMode, AuditWriter};
use customer_application::documents::CustomerWrites;
use customer_application::{Authenticator, CustomerSearch};
use customer_domain::{ApiKey, KeyLookup, SystemClock, TokenVerifier};
use customer_identity::{JwksTokenVerifier, JwtSettings};
use customer_infrastructure::{
    CircuitBreaker, Database, DatabaseUrl, PoolSettings, SqlAuditTrail, SqlClientRegistry,
    SqlCustomerStore, SqliteReader,
};
use customer_web::{
    AccessControl, AppState, CUSTOMER_PATH, Draining, Metrics, Readiness, RequestTimeout,
    close_when_draining, observe,
};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::audit_key::audit_key;
use crate::database_setup::{prepare_database, shows_the_example};
use crate::error::StartError;
use crate::replica_checks::ReadReplicas;
use crate::settings::{AuthMode, Settings};
use crate::shutdown::{Drain, StopSignals, stop_on_signal};

/// A service ready to run.
pub struct Application {
    server: Server,
    port: u16,
    admin: Option<(Server, u16)>,
    host: String,
    database: DatabaseUrl,
    demo: bool,
    /// The key of the demo client made at this start, to show in the example.
    demo_key: Option<ApiKey>,
    authenticates: bool,
    audit: Option<AuditTask>,
    access: Arc<AccessControl>,
    disabled_warning_every: Duration,
    shutdown_grace: Duration,
    /// Taken by `run_until_stopped`.
    drain: Option<Drain>,
    /// The read replicas and their checks, stopped with the service.
    replicas: Option<ReadReplicas>,
}

/// The audit writer task, and how to stop it once the server has stopped.
struct AuditTask {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
    counters: Arc<AuditCounters>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("host", &self.host)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

/// How often the failure counts of idle client addresses are swept.
const ADMISSION_SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// The least time the audit records still queued at exit get to be written, however
/// short the grace period.
const AUDIT_FLUSH_AT_EXIT_AT_LEAST: Duration = Duration::from_secs(1);

/// The contract's example lookup, for the start-up message.
const EXAMPLE_QUERY: &str = "companyCode=jtc&customerId=54218&identificationNo=2103232123&mobileNumber=568617084&referenceNo=333215&lang=ar";

impl Application {
    /// Prepares the database (migrations and demo data, as configured), binds the
    /// listener and builds the server; nothing is served until [`Self::run_until_stopped`].
    pub async fn build(settings: &Settings) -> Result<Self, StartError> {
        let url = settings.database.url.clone();
        // Caught before binding: a signal may come as soon as the port accepts.
        let signals = StopSignals::catch().map_err(StartError::Signals)?;
        // The ports first: a busy one stops start-up at once, before the database work.
        let (listener, address) = bind(&settings.server.host, settings.server.port, "server.port")?;
        let admin_listener = match settings.server.admin_port {
            Some(port) => Some(bind(&settings.server.host, port, "server.admin_port")?),
            None => None,
        };
        let demo_key = prepare_database(settings, &url)
            .await
            .map_err(|error| StartError::naming_tls("database.url", error))?;
        let demo = shows_the_example(settings, &url).await?;
        let workers = settings.server.workers;
        let metrics = Metrics::new().map_err(|error| StartError::Metrics(error.to_string()))?;
        let (db, replicas, store) = lookups(settings, &url, workers, &metrics).await?;
        let access = Arc::new(access_control(settings, &db).await?);
        let draining = Draining::default();
        let readiness = readiness(settings, &db, &store, &draining, replicas.as_ref());
        let readiness = web::Data::new(readiness);
        let (search, writes, audit, audit_breaker) = audited(&store, settings, &url)?;
        let metrics = all_metrics(
            metrics,
            audit.as_ref(),
            audit_breaker.as_ref(),
            &db,
            replicas.as_ref(),
        )?;
        let replica_pools = replica_pools(replicas.as_ref());
        let request_timeout = RequestTimeout(settings.server.request_timeout);
        let state = web::Data::new(AppState {
            search,
            writes,
            access: access.clone(),
            max_query_length: settings.server.max_query_length,
            max_import_bytes: settings.server.max_import_bytes,
        });
        let database = web::Data::new(db);
        let metrics = web::Data::new(metrics);
        let with_metrics = settings.server.admin_port.is_none();
        let admin = admin_listener
            .map(|(listener, address)| {
                admin_server(listener, &address, database.clone(), metrics.clone())
            })
            .transpose()?;
        let listen_error = |source| StartError::Listen {
            address: address.clone(),
            setting: "server.port",
            source,
        };
        let port = listener.local_addr().map_err(listen_error)?.port();
        // The drain closes the listening socket through this clone.
        let drain = Drain::new(
            &settings.server,
            listener.try_clone().map_err(listen_error)?,
            draining.clone(),
            signals,
        );
        let server = HttpServer::new(move || {
            warm_up_this_worker(&database, &replica_pools);
            App::new()
                .app_data(state.clone())
                .app_data(database.clone())
                .app_data(metrics.clone())
                .app_data(request_timeout)
                .app_data(readiness.clone())
                .app_data(web::Data::new(draining.clone()))
                .wrap(from_fn(close_when_draining))
                .wrap(from_fn(observe))
                .configure(|cfg| customer_web::configure(cfg, with_metrics))
        })
        .shutdown_timeout(settings.server.shutdown_grace.as_secs())
        .keep_alive(settings.server.keep_alive)
        .client_request_timeout(settings.server.client_request_timeout)
        .workers(workers)
        .on_connect(drain.live.on_connect())
        // SIGTERM and SIGINT are handled by `run_until_stopped`, which drains first.
        .disable_signals();
        let server = server.listen(listener).map_err(listen_error)?.run();
        Ok(Self {
            server,
            port,
            admin,
            host: settings.server.host.clone(),
            database: url,
            demo,
            demo_key,
            authenticates: settings.auth.mode == AuthMode::Required,
            access,
            audit,
            disabled_warning_every: settings.auth.disabled_warning_interval,
            shutdown_grace: settings.server.shutdown_grace,
            drain: Some(drain),
            replicas,
        })
    }

    /// The port of the admin listener (`/metrics`), when there is one.
    pub fn admin_port(&self) -> Option<u16> {
        self.admin.as_ref().map(|(_, port)| *port)
    }

    /// The port the service listens on (useful when configured as 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM or SIGINT, then drains (see [`crate::shutdown`]), lets in-flight
    /// requests finish and writes the audit records still queued.
    pub async fn run_until_stopped(mut self) -> std::io::Result<()> {
        let base = format!("http://{}:{}", self.host, self.port);
        tracing::info!(database = %self.database, "customer-api listening on {base}");
        if let Some((_, port)) = &self.admin {
            tracing::info!("metrics on http://{}:{port}/metrics", self.host);
        }
        // The example names demo identifiers: shown only where the example customer is.
        if self.demo {
            let example = format!("'{base}{CUSTOMER_PATH}?{EXAMPLE_QUERY}'");
            match (&self.demo_key, self.authenticates) {
                (Some(key), _) => tracing::info!(
                    "try: curl -H 'Authorization: Bearer {}' {example}   \
                     (the demo client's key, shown only now; `customer-api clients --help` manages clients)",
                    key.expose_secret()
                ),
                (None, true) => tracing::info!(
                    "try: curl -H 'Authorization: Bearer <key>' {example}   \
                     (the demo key was shown at first start; `customer-api clients rotate demo` makes a new one)"
                ),
                (None, false) => tracing::info!("try: curl {example}"),
            }
        } else if let Some(key) = &self.demo_key {
            // The key is shown once only, example customer or not.
            tracing::info!(
                "the demo client's key (shown only now): {}   \
                 (`customer-api clients --help` manages clients)",
                key.expose_secret()
            );
        }
        let warning = (!self.authenticates).then(|| {
            let every = self.disabled_warning_every;
            tokio::spawn(async move {
                let mut ticks = tokio::time::interval(every);
                loop {
                    ticks.tick().await;
                    tracing::warn!(
                        "authentication is disabled (auth.mode = \"disabled\"): anyone who reaches this port can read customers' personal data"
                    );
                }
            })
        });
        let access = self.access.clone();
        let sweeper = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(ADMISSION_SWEEP_INTERVAL);
            loop {
                ticks.tick().await;
                access.sweep();
            }
        });
        let admin = self.admin.map(|(server, _)| {
            let handle = server.handle();
            (tokio::spawn(server), handle)
        });
        let stopper = self
            .drain
            .take()
            .map(|drain| stop_on_signal(self.server.handle(), drain));
        let served = self.server.await;
        if let Some(stopper) = stopper {
            stopper.abort();
        }
        if let Some((task, handle)) = admin {
            handle.stop(true).await;
            let _ = task.await;
        }
        if let Some(warning) = warning {
            warning.abort();
        }
        sweeper.abort();
        if let Some(replicas) = self.replicas {
            replicas.stop().await;
        }
        if let Some(AuditTask {
            stop,
            task,
            counters,
        }) = self.audit
        {
            let _ = stop.send(());
            if tokio::time::timeout(self.shutdown_grace.max(AUDIT_FLUSH_AT_EXIT_AT_LEAST), task)
                .await
                .is_err()
            {
                tracing::error!(
                    records = counters.pending(),
                    "audit records still queued at exit were not written"
                );
            }
        }
        served
    }
}

/// `metrics`, reporting the audit writer and its breaker, the lookups' breaker and the
/// read replicas too.
fn all_metrics(
    metrics: Metrics,
    audit: Option<&AuditTask>,
    audit_breaker: Option<&Arc<CircuitBreaker>>,
    db: &Database,
    replicas: Option<&ReadReplicas>,
) -> Result<Metrics, StartError> {
    let metrics = match audit {
        Some(audit) => metrics
            .with_audit(audit.counters.clone())
            .with_breaker(audit_breaker),
        None => metrics,
    };
    metrics
        .with_breaker(db.breaker())
        .with_replicas(replicas.map(|r| r.set.clone()))
        .map_err(|error| StartError::Metrics(error.to_string()))
}

/// The readiness checks the settings call for, over the workers' `db`.
fn readiness(
    settings: &Settings,
    db: &Database,
    store: &Arc<SqlCustomerStore>,
    draining: &Draining,
    replicas: Option<&ReadReplicas>,
) -> Readiness {
    Readiness::new(
        db.clone(),
        store.clone(),
        draining.clone(),
        &settings.readiness(),
    )
    .with_replicas(replicas.map(|r| r.set.clone()))
}

/// Binds `host:port`; the error names `setting`, the one that chooses the port.
fn bind(host: &str, port: u16, setting: &'static str) -> Result<(TcpListener, String), StartError> {
    let address = format!("{host}:{port}");
    match TcpListener::bind(&address) {
        Ok(listener) => Ok((listener, address)),
        Err(source) => Err(StartError::Listen {
            address,
            setting,
            source,
        }),
    }
}

/// The workers' pool of the primary, the read replicas (their checks started) and the
/// lookup adapter over them.
async fn lookups(
    settings: &Settings,
    url: &DatabaseUrl,
    workers: usize,
    metrics: &Metrics,
) -> Result<(Database, Option<ReadReplicas>, Arc<SqlCustomerStore>), StartError> {
    let db = Database::connect(url, &settings.database.pool(workers))?;
    let replicas = ReadReplicas::start(settings, url, workers).await?;
    let reader = SqliteReader::open(url, &settings.database.pool(workers))?;
    let store = SqlCustomerStore::new(db.clone(), settings.database.reference_ttl)
        .with_sqlite_reader(reader)
        .with_query_observer(metrics.query_observer())
        .with_local_time_offset(settings.database.local_time_offset);
    let store = match &replicas {
        Some(replicas) => store.with_replicas(replicas.set.clone()),
        None => store,
    };
    Ok((db, replicas, Arc::new(store)))
}

/// The replicas' pools, for the workers to open their connections to at start.
fn replica_pools(replicas: Option<&ReadReplicas>) -> Vec<web::Data<Database>> {
    replicas.map_or_else(Vec::new, |replicas| {
        replicas
            .set
            .replicas()
            .iter()
            .map(|replica| web::Data::new(replica.database().clone()))
            .collect()
    })
}

/// Runs on each worker as it starts: the connections its lookups will use open now, not
/// under the first burst of requests. With read replicas, those are the replicas': the
/// primary's open only when needed (a fallback, a cache reload), rather than a pool's
/// worth of idle sessions per instance taking the primary's `max_connections`.
fn warm_up_this_worker(database: &web::Data<Database>, replicas: &[web::Data<Database>]) {
    let primary = replicas.is_empty().then_some(database);
    for db in primary.into_iter().chain(replicas) {
        let db = db.clone();
        actix_web::rt::spawn(async move {
            match db.warm_up().await {
                Ok(opened) if opened > 0 => tracing::debug!(opened, "connections opened"),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "connections could not be opened yet"),
            }
        });
    }
}

/// The admission of callers the settings ask for.
async fn access_control(settings: &Settings, db: &Database) -> Result<AccessControl, StartError> {
    let auth = &settings.auth;
    let authenticator = match auth.mode {
        AuthMode::Disabled => None,
        AuthMode::Required => {
            let keys: Arc<dyn KeyLookup> = Arc::new(SqlClientRegistry::new(db.clone()));
            let tokens = match &auth.jwt {
                Some(jwt) => Some(token_verifier(jwt).await?),
                None => None,
            };
            Some(Authenticator::new(keys, tokens, auth.authenticator))
        }
    };
    if authenticator.is_none() {
        tracing::warn!(
            "authentication is disabled (auth.mode = \"disabled\"): anyone who reaches this port can read customers' personal data"
        );
    }
    Ok(AccessControl::new(
        authenticator,
        auth.default_rate_limit,
        auth.failed_auth_rate_limit,
    )
    .with_trusted_proxies(auth.trusted_proxies.clone()))
}

async fn token_verifier(jwt: &JwtSettings) -> Result<Arc<dyn TokenVerifier>, StartError> {
    let verifier = JwksTokenVerifier::new(jwt.clone())
        .await
        .map_err(|error| StartError::Jwt(error.to_string()))?;
    Ok(Arc::new(verifier))
}

/// A search and the writes, the task that writes their audit trail, and the breaker of
/// the writer's connection.
type AuditedSearch = (
    CustomerSearch,
    CustomerWrites,
    Option<AuditTask>,
    Option<Arc<CircuitBreaker>>,
);

/// The search and the writes over `store`, recording every answer and write in the
/// audit trail, and the task that writes the trail (started here); the search and the
/// writes alone when the trail is off.
fn audited(
    store: &Arc<SqlCustomerStore>,
    settings: &Settings,
    url: &DatabaseUrl,
) -> Result<AuditedSearch, StartError> {
    let search = CustomerSearch::new(store.clone(), store.clone(), store.clone());
    let writes = CustomerWrites::new(
        store.clone(),
        store.clone(),
        Arc::new(SystemClock),
        settings.database.local_time_offset,
    );
    let Some(trail_settings) = settings.audit.trail else {
        tracing::warn!("the audit trail is off (audit.mode = \"off\"): lookups leave no record");
        return Ok((search, writes, None, None));
    };
    // Connections of its own, one per insert under way: the lookups' pools are theirs.
    let db = Database::connect(
        url,
        &PoolSettings {
            max_size: trail_settings.writers,
            name: "audit",
            // In async mode the lookups do not wait for their records' commit, and a crash
            // of the service loses what is queued: a commit need not wait for the disk.
            wait_for_flush: trail_settings.mode == AuditMode::Sync,
            ..settings.database.pool(1)
        },
    )?;
    let breaker = db.breaker().cloned();
    let trail = Arc::new(SqlAuditTrail::new(db));
    let (audit_writer, task) = AuditWriter::new(trail.clone(), trail_settings);
    let counters = audit_writer.counters().clone();
    let key = audit_key(&settings.audit, trail);
    let writes = writes.with_audit(audit_writer.clone(), key.clone());
    let search = search.with_audit(audit_writer, key);
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(task.run_until(async {
        let _ = stopped.await;
    }));
    Ok((
        search,
        writes,
        Some(AuditTask {
            stop,
            task,
            counters,
        }),
        breaker,
    ))
}

/// The admin listener (bound on `address`): `/metrics` alone, one worker.
fn admin_server(
    listener: TcpListener,
    address: &str,
    database: web::Data<Database>,
    metrics: web::Data<Metrics>,
) -> Result<(Server, u16), StartError> {
    let listen_error = |source| StartError::Listen {
        address: address.to_owned(),
        setting: "server.admin_port",
        source,
    };
    let port = listener.local_addr().map_err(listen_error)?.port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(database.clone())
            .app_data(metrics.clone())
            .configure(customer_web::configure_admin)
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .map_err(listen_error)?
    .run();
    Ok((server, port))
}
