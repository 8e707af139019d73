//! The composition root: settings in, a running server out.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use customer_application::CustomerSearch;
use customer_infrastructure::{
    Database, DatabaseUrl, InfraError, SqlCustomerStore, is_empty, run_migrations, seed_demo,
};

use crate::metrics::Metrics;
use crate::observability::observe;
use crate::openapi;
use crate::routes::{self, AppState, CUSTOMER_PATH};
use crate::settings::{Settings, SettingsError};

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("database: {0}")]
    Database(#[from] InfraError),
    #[error("metrics: {0}")]
    Metrics(String),
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: String,
        source: std::io::Error,
    },
}

/// A service ready to run.
pub struct Application {
    server: Server,
    port: u16,
    host: String,
    database: DatabaseUrl,
    demo: bool,
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
        if settings.database.migrate_on_start {
            let applied = run_migrations(&url).await?;
            if !applied.is_empty() {
                tracing::info!(?applied, "migrations applied");
            }
        }
        if settings.database.seed_demo_when_empty {
            // A pool of its own, closed before serving: the workers' pools are theirs.
            let db = Database::connect(&url, &settings.database.pool(1))?;
            if is_empty(&db).await? {
                let added = seed_demo(&db).await?;
                tracing::info!(
                    customers = added,
                    "demo data loaded into the empty database"
                );
            }
        }
        let workers = settings.server.worker_count();
        let db = Database::connect(&url, &settings.database.pool(workers))?;
        let metrics = Metrics::new().map_err(|error| StartError::Metrics(error.to_string()))?;
        let store = Arc::new(
            SqlCustomerStore::new(db.clone(), settings.database.reference_ttl())
                .with_query_observer(metrics.query_observer()),
        );
        let state = web::Data::new(AppState {
            search: CustomerSearch::new(store.clone(), store),
            max_query_length: settings.server.max_query_length,
        });
        let database = web::Data::new(db);
        let metrics = web::Data::new(metrics);

        let address = format!("{}:{}", settings.server.host, settings.server.port);
        let listener = TcpListener::bind(&address).map_err(|source| StartError::Listen {
            address: address.clone(),
            source,
        })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartError::Listen {
                address: address.clone(),
                source,
            })?
            .port();
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
                .configure(routes::configure)
        })
        .shutdown_timeout(settings.server.shutdown_grace_secs)
        .keep_alive(Duration::from_secs(settings.server.keep_alive_secs))
        .client_request_timeout(Duration::from_millis(
            settings.server.client_request_timeout_ms,
        ))
        .workers(workers);
        let server = server
            .listen(listener)
            .map_err(|source| StartError::Listen { address, source })?
            .run();
        Ok(Self {
            server,
            port,
            host: settings.server.host.clone(),
            database: url,
            demo: settings.database.seed_demo_when_empty,
        })
    }

    /// The port the service listens on (useful when configured as 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM or SIGINT, then lets in-flight requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let base = format!("http://{}:{}", self.host, self.port);
        tracing::info!(database = %self.database, "customer-api listening on {base}");
        // The example names demo identifiers: shown only where demo data is loaded.
        if self.demo {
            tracing::info!("try: curl '{base}{CUSTOMER_PATH}?{EXAMPLE_QUERY}'");
        }
        self.server.await
    }
}
