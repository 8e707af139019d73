//! The composition root: settings in, a running server out.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use chrono::Utc;
use customer_application::access::{AdminError, AuthenticatorSettings};
use customer_application::audit::{
    AuditCounters, AuditMode, AuditWriter, AuditWriterSettings, CriteriaHasher,
};
use customer_application::{Authenticator, ClientAdmin, CustomerSearch};
use customer_domain::{ApiKey, ClientRegistry, RegistryError, TokenVerifier};
use customer_infrastructure::{
    Database, DatabaseUrl, InfraError, JwksSource, JwksTokenVerifier, JwtSettings, PoolSettings,
    SqlAuditTrail, SqlClientRegistry, SqlCustomerStore, is_empty, run_migrations, seed_demo,
};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::access::AccessControl;
use crate::metrics::Metrics;
use crate::observability::observe;
use crate::openapi;
use crate::routes::{self, AppState, CUSTOMER_PATH};
use crate::settings::{AuditModeSetting, AuthMode, Settings, SettingsError};

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("database: {0}")]
    Database(#[from] InfraError),
    #[error("metrics: {0}")]
    Metrics(String),
    #[error("the demo client could not be made: {0}")]
    DemoClient(#[from] AdminError),
    #[error("auth.jwt: {0}")]
    Jwt(String),
    #[error("cannot listen on {address}: {source}; {setting} chooses the port (APP__{env})", env = setting.replace('.', "__").to_uppercase())]
    Listen {
        address: String,
        /// The setting of the port: `server.port` or `server.admin_port`.
        setting: &'static str,
        source: std::io::Error,
    },
    #[error(
        "migrations pending on {database} ({count}, the last {last}): run `customer-api migrate` \
         first, or set database.migrate_on_start = true (APP__DATABASE__MIGRATE_ON_START=true)"
    )]
    MigrationsPending {
        database: DatabaseUrl,
        count: usize,
        last: String,
    },
}

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

/// The contract's example lookup, for the start-up message.
const EXAMPLE_QUERY: &str = "companyCode=jtc&customerId=54218&identificationNo=2103232123&mobileNumber=568617084&referenceNo=333215&lang=ar";

impl Application {
    /// Prepares the database (migrations and demo data, as configured), binds the
    /// listener and builds the server; nothing is served until [`Self::run_until_stopped`].
    pub async fn build(settings: &Settings) -> Result<Self, StartError> {
        let url = settings.database_url()?;
        // The ports first: a busy one stops start-up at once, before the database work.
        let (listener, address) = bind(&settings.server.host, settings.server.port, "server.port")?;
        let admin_listener = match settings.server.admin_port {
            Some(port) => Some(bind(&settings.server.host, port, "server.admin_port")?),
            None => None,
        };
        let demo_key = prepare_database(settings, &url).await?;
        let workers = settings.server.worker_count();
        let db = Database::connect(&url, &settings.database.pool(workers))?;
        let metrics = Metrics::new().map_err(|error| StartError::Metrics(error.to_string()))?;
        let store = Arc::new(
            SqlCustomerStore::new(db.clone(), settings.database.reference_ttl())
                .with_query_observer(metrics.query_observer()),
        );
        let access = Arc::new(access_control(settings, &db).await?);
        let (search, audit) = audited(CustomerSearch::new(store.clone(), store), settings, &url)?;
        let metrics = match &audit {
            Some(audit) => metrics.with_audit(audit.counters.clone()),
            None => metrics,
        };
        let state = web::Data::new(AppState {
            search,
            access: access.clone(),
            max_query_length: settings.server.max_query_length,
        });
        let database = web::Data::new(db);
        let metrics = web::Data::new(metrics);
        let with_metrics = settings.server.admin_port.is_none();
        let admin = match admin_listener {
            Some((listener, address)) => Some(admin_server(
                listener,
                &address,
                database.clone(),
                metrics.clone(),
            )?),
            None => None,
        };
        let listen_error = |source| StartError::Listen {
            address: address.clone(),
            setting: "server.port",
            source,
        };
        let port = listener.local_addr().map_err(listen_error)?.port();
        let server = HttpServer::new(move || {
            // Runs on each worker as it starts: its PostgreSQL connections open now,
            // not under the first burst of requests.
            let db = database.clone();
            actix_web::rt::spawn(async move {
                match db.warm_up().await {
                    Ok(opened) if opened > 0 => tracing::debug!(opened, "connections opened"),
                    Ok(_) => {}
                    Err(error) => tracing::warn!(%error, "connections could not be opened yet"),
                }
            });
            App::new()
                .app_data(state.clone())
                .app_data(database.clone())
                .app_data(metrics.clone())
                .wrap(from_fn(observe))
                .configure(openapi::configure)
                .configure(|cfg| routes::configure(cfg, with_metrics))
        })
        .shutdown_timeout(settings.server.shutdown_grace_secs)
        .keep_alive(Duration::from_secs(settings.server.keep_alive_secs))
        .client_request_timeout(Duration::from_millis(
            settings.server.client_request_timeout_ms,
        ))
        .workers(workers);
        let server = server.listen(listener).map_err(listen_error)?.run();
        Ok(Self {
            server,
            port,
            admin,
            host: settings.server.host.clone(),
            database: url,
            demo: settings.database.seed_demo_when_empty,
            demo_key,
            authenticates: settings.auth.mode == AuthMode::Required,
            access,
            audit,
            disabled_warning_every: Duration::from_secs(
                settings.auth.disabled_warning_interval_secs.max(1),
            ),
            shutdown_grace: Duration::from_secs(settings.server.shutdown_grace_secs),
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

    /// Serves until SIGTERM or SIGINT, then lets in-flight requests finish and writes
    /// the audit records still queued.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let base = format!("http://{}:{}", self.host, self.port);
        tracing::info!(database = %self.database, "customer-api listening on {base}");
        if let Some((_, port)) = &self.admin {
            tracing::info!("metrics on http://{}:{port}/metrics", self.host);
        }
        // The example names demo identifiers: shown only where demo data is loaded.
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
            let mut ticks = tokio::time::interval(Duration::from_secs(60));
            loop {
                ticks.tick().await;
                access.sweep();
            }
        });
        let admin = self.admin.map(|(server, _)| {
            let handle = server.handle();
            (tokio::spawn(server), handle)
        });
        let served = self.server.await;
        if let Some((task, handle)) = admin {
            handle.stop(true).await;
            let _ = task.await;
        }
        if let Some(warning) = warning {
            warning.abort();
        }
        sweeper.abort();
        if let Some(AuditTask {
            stop,
            task,
            counters,
        }) = self.audit
        {
            let _ = stop.send(());
            if tokio::time::timeout(self.shutdown_grace.max(Duration::from_secs(1)), task)
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

/// Applies the migrations and loads the demo data with its client, as the settings ask;
/// returns the demo client's key when this start made it.
async fn prepare_database(
    settings: &Settings,
    url: &DatabaseUrl,
) -> Result<Option<ApiKey>, StartError> {
    // A pool of its own, closed before serving: the workers' pools are theirs.
    let db = Database::connect(url, &settings.database.pool(1))?;
    if settings.database.migrate_on_start {
        let applied = run_migrations(url).await?;
        if !applied.is_empty() {
            tracing::info!(?applied, "migrations applied");
        }
    } else {
        check_migrations(settings, url, &db).await?;
    }
    if !settings.database.seed_demo_when_empty {
        return Ok(None);
    }
    if is_empty(&db).await? {
        let added = seed_demo(&db).await?;
        tracing::info!(
            customers = added,
            "demo data loaded into the empty database"
        );
    }
    if settings.auth.mode == AuthMode::Required {
        demo_client(&db).await
    } else {
        Ok(None)
    }
}

/// With `migrate_on_start` off: a database whose migrations are pending stops start-up
/// when the demo data is to be loaded (which needs the tables), and is logged otherwise
/// (`/health/ready` then says it); a database out of reach is left to the probes, so that
/// the service starts while it is down.
async fn check_migrations(
    settings: &Settings,
    url: &DatabaseUrl,
    db: &Database,
) -> Result<(), StartError> {
    let pending = match db.pending_migrations().await {
        Ok(pending) => pending,
        Err(error) if error.is_unavailable() => {
            tracing::warn!(%error, "the migrations could not be checked: the database is out of reach");
            return Ok(());
        }
        Err(error) => return Err(error.into()),
    };
    let Some(last) = pending.last() else {
        return Ok(());
    };
    let error = StartError::MigrationsPending {
        database: url.clone(),
        count: pending.len(),
        last: last.clone(),
    };
    if settings.database.seed_demo_when_empty {
        return Err(error);
    }
    tracing::error!("{error}; lookups fail until then");
    Ok(())
}

/// The admission of callers the settings ask for.
async fn access_control(settings: &Settings, db: &Database) -> Result<AccessControl, StartError> {
    let auth = &settings.auth;
    let authenticator = match auth.mode {
        AuthMode::Disabled => None,
        AuthMode::Required => {
            let registry: Arc<dyn ClientRegistry> = Arc::new(SqlClientRegistry::new(db.clone()));
            let tokens = if auth.jwt.enabled {
                Some(token_verifier(settings).await?)
            } else {
                None
            };
            Some(Authenticator::new(
                registry,
                tokens,
                AuthenticatorSettings {
                    key_cache_ttl: Duration::from_secs(auth.key_cache_ttl_secs),
                    ..AuthenticatorSettings::default()
                },
            ))
        }
    };
    if authenticator.is_none() {
        tracing::warn!(
            "authentication is disabled (auth.mode = \"disabled\"): anyone who reaches this port can read customers' personal data"
        );
    }
    Ok(AccessControl::new(
        authenticator,
        auth.default_rate_limit()?,
        auth.failed_auth_rate_limit()?,
    ))
}

async fn token_verifier(settings: &Settings) -> Result<Arc<dyn TokenVerifier>, StartError> {
    let jwt = &settings.auth.jwt;
    let jwks = if jwt.jwks_file.is_empty() {
        JwksSource::Url(jwt.jwks_url.clone())
    } else {
        JwksSource::File(jwt.jwks_file.clone().into())
    };
    let verifier = JwksTokenVerifier::new(JwtSettings {
        jwks,
        issuer: jwt.issuer.clone(),
        audience: jwt.audience.clone(),
        client_claim: jwt.client_claim.clone(),
        companies_claim: jwt.companies_claim.clone(),
        leeway: Duration::from_secs(jwt.leeway_secs),
        refresh_interval: Duration::from_secs(jwt.refresh_interval_secs),
        fetch_timeout: Duration::from_millis(jwt.fetch_timeout_ms),
    })
    .await
    .map_err(|error| StartError::Jwt(error.to_string()))?;
    Ok(Arc::new(verifier))
}

/// `search`, recording every answer in the audit trail, and the task that writes the
/// trail (started here); `search` alone when the trail is off.
fn audited(
    search: CustomerSearch,
    settings: &Settings,
    url: &DatabaseUrl,
) -> Result<(CustomerSearch, Option<AuditTask>), StartError> {
    if settings.audit.mode == AuditModeSetting::Off {
        tracing::warn!("the audit trail is off (audit.mode = \"off\"): lookups leave no record");
        return Ok((search, None));
    }
    // Connections of its own, one per insert under way: the lookups' pools are theirs.
    let writers = settings.audit.writers;
    let db = Database::connect(
        url,
        &PoolSettings {
            max_size: writers,
            ..settings.database.pool(1)
        },
    )?;
    let trail = Arc::new(SqlAuditTrail::new(db));
    let (writer, task) = AuditWriter::new(
        trail.clone(),
        AuditWriterSettings {
            mode: if settings.audit.mode == AuditModeSetting::Async {
                AuditMode::Async
            } else {
                AuditMode::Sync
            },
            batch_size: settings.audit.batch_size,
            writers,
            queue_capacity: settings.audit.queue_capacity,
            ..AuditWriterSettings::default()
        },
    );
    let counters = writer.counters().clone();
    let search = if settings.audit.hmac_key.is_empty() {
        search.with_audit_keyed_by(writer, trail)
    } else {
        search.with_audit(
            writer,
            CriteriaHasher::new(settings.audit.hmac_key.as_bytes()),
        )
    };
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(task.run_until(async {
        let _ = stopped.await;
    }));
    Ok((
        search,
        Some(AuditTask {
            stop,
            task,
            counters,
        }),
    ))
}

/// Makes the `demo` client, allowed the demo companies, when the database has no client
/// at all; returns its key, which only this start can show.
async fn demo_client(db: &Database) -> Result<Option<ApiKey>, StartError> {
    let registry = Arc::new(SqlClientRegistry::new(db.clone()));
    let clients = registry
        .list_clients()
        .await
        .map_err(|error| AdminError::Registry(RegistryError::Store(error)))?;
    if !clients.is_empty() {
        return Ok(None);
    }
    match ClientAdmin::new(registry)
        .add("demo", "jtc,jfc", None, None, Utc::now())
        .await
    {
        Ok(issued) => {
            tracing::info!(key = %issued.key.id(), "demo client made for companies jtc and jfc");
            Ok(Some(issued.key))
        }
        // Another instance made it first.
        Err(AdminError::Registry(RegistryError::NameTaken(_))) => Ok(None),
        Err(error) => Err(error.into()),
    }
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
            .configure(routes::configure_admin)
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .map_err(listen_error)?
    .run();
    Ok((server, port))
}
