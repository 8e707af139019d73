use customer_domain::RepositoryError;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::PoolError as ManagerError;
use diesel_async::pooled_connection::deadpool::PoolError;

/// Everything that can go wrong in the database adapters.
#[derive(Debug, thiserror::Error)]
pub enum InfraError {
    /// A setting of the database is missing or invalid.
    #[error("invalid database configuration: {0}")]
    Configuration(String),
    /// No connection could be had from the pool in time, or a new one could not be opened.
    #[error("no database connection available: {0}")]
    Pool(#[from] PoolError),
    /// Opening a connection outside the pool failed.
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    /// A statement failed.
    #[error("database query failed: {0}")]
    Query(#[from] DieselError),
    /// Applying the migrations failed.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// Stored data breaks an invariant the schema cannot express.
    #[error("inconsistent stored data: {0}")]
    Inconsistent(String),
    /// A file or folder of the embedded database could not be prepared.
    #[error("cannot prepare the database file: {0}")]
    Io(#[from] std::io::Error),
    /// A blocking task (migration) panicked or was cancelled.
    #[error("a database task did not finish: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// The operating system gave no random bytes for a key to be made.
    #[error("no random bytes available: {0}")]
    Random(#[from] getrandom::Error),
}

impl InfraError {
    /// Whether the failure is about reaching the database (so a later retry may
    /// succeed), rather than about what was asked of it.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::Pool(
                PoolError::Backend(ManagerError::ConnectionError(_) | ManagerError::QueryError(_))
                | PoolError::Timeout(_)
                | PoolError::Closed,
            )
            | Self::Connect(_) => true,
            Self::Query(error) => is_transient(error),
            _ => false,
        }
    }
}

fn is_transient(error: &DieselError) -> bool {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
        | DieselError::BrokenTransactionManager => true,
        DieselError::DatabaseError(_, info) => {
            // PostgreSQL's statement timeout and SQLite's busy timeout carry no kind of
            // their own in diesel: both mean the database is overloaded, not that the
            // query is wrong.
            let message = info.message();
            message.contains("statement timeout")
                || message.contains("database is locked")
                || message.contains("terminating connection")
        }
        _ => false,
    }
}

impl From<InfraError> for RepositoryError {
    fn from(error: InfraError) -> Self {
        if error.is_unavailable() {
            Self::Unavailable(Box::new(error))
        } else {
            Self::Failed(Box::new(error))
        }
    }
}
