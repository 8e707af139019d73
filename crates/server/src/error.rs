//! Why the service could not start.

use customer_application::access::AdminError;
use customer_infrastructure::{DatabaseUrl, InfraError};

use crate::settings::SettingsError;

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("database: {0}")]
    Database(#[from] InfraError),
    /// The database refused the connection over its TLS settings (see
    /// [`InfraError::tls_refusal`]).
    #[error(
        "{setting}: {reason}; check sslmode and sslrootcert in {setting} (APP__{env}) \
         against the server's TLS",
        env = setting.replace('.', "__").to_uppercase()
    )]
    DatabaseTls {
        /// The setting of the URL refused: `database.url`.
        setting: &'static str,
        /// Why, as the TLS module says it.
        reason: String,
    },
    #[error("metrics: {0}")]
    Metrics(String),
    #[error("the demo client could not be made: {0}")]
    DemoClient(#[from] AdminError),
    #[error("auth.jwt: {0}")]
    Jwt(String),
    #[error("SIGTERM and SIGINT cannot be caught: {0}")]
    Signals(std::io::Error),
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

impl StartError {
    /// `error`, as a refusal of the TLS settings of the URL `setting` when it is one.
    pub(crate) fn naming_tls(setting: &'static str, error: Self) -> Self {
        match &error {
            Self::Database(infra) => match infra.tls_refusal() {
                Some(reason) => Self::DatabaseTls {
                    setting,
                    reason: reason.to_owned(),
                },
                None => error,
            },
            _ => error,
        }
    }
}
