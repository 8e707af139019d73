use customer_domain::RepositoryError;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::PoolError as ManagerError;
use diesel_async::pooled_connection::deadpool::PoolError;

/// Everything that can go wrong in the adapters: the database's and the bearer token
/// verifier's.
#[derive(Debug, thiserror::Error)]
pub enum InfraError {
    /// A setting of the database is missing or invalid.
    #[error("invalid database configuration: {0}")]
    Configuration(String),
    /// No connection could be had from the pool in time, or a new one could not be opened.
    #[error("no database connection available: {0}")]
    Pool(#[from] PoolError),
    /// The request's deadline passed before the database answered.
    #[error("the database did not answer in time")]
    DeadlineExceeded,
    /// Opening a connection outside the pool failed.
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    /// A statement failed.
    #[error("database query failed: {0}")]
    Query(#[from] DieselError),
    /// Applying the migrations failed, or the task that applied them did not finish.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// Stored data breaks an invariant the schema cannot express.
    #[error("inconsistent stored data: {0}")]
    Inconsistent(String),
    /// A file or folder of the embedded database could not be prepared.
    #[error("cannot prepare the database file: {0}")]
    Io(#[from] std::io::Error),
    /// The operating system gave no random bytes for a key to be made.
    #[error("no random bytes available: {0}")]
    Random(#[from] getrandom::Error),
    /// No read replica is in rotation and `database.replica_fallback` is `unavailable`:
    /// lookups are not sent to the primary.
    #[error(
        "no read replica is in rotation (database.replica_fallback = \"unavailable\" keeps \
         lookups off the primary)"
    )]
    NoHealthyReplica,
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
            | Self::Connect(_)
            | Self::DeadlineExceeded
            | Self::NoHealthyReplica => true,
            Self::Query(error) => is_transient(error),
            _ => false,
        }
    }

    /// Why a connection was refused over its TLS settings (the URL's `sslmode` and
    /// `sslrootcert`): a certificate not trusted or not naming the host, or no TLS from a
    /// server that must use it; `None` for any other error. Waiting does not fix it:
    /// start-up stops on it instead of leaving it to the readiness probe (later on, it is
    /// unavailability like any other).
    pub fn tls_refusal(&self) -> Option<&str> {
        // The TLS module reports its refusals, and only those, as an invalid URL: the
        // URL itself was read when the pool was made.
        match self {
            Self::Pool(PoolError::Backend(ManagerError::ConnectionError(
                diesel::ConnectionError::InvalidConnectionUrl(reason),
            )))
            | Self::Connect(diesel::ConnectionError::InvalidConnectionUrl(reason)) => Some(reason),
            _ => None,
        }
    }

    /// Whether the connection was lost while a statement ran (the server restarted, or
    /// ended the session): a read may be tried again on another connection.
    pub fn is_connection_lost(&self) -> bool {
        match self {
            Self::Query(error) => is_connection_lost(error),
            _ => false,
        }
    }
}

impl InfraError {
    /// Whether the server could not be reached or went away (connection refused or
    /// lost, the breaker open, opening a connection timed out), as opposed to a busy
    /// pool or a slow statement: a read replica that fails so is taken out of rotation.
    pub fn is_unreachable(&self) -> bool {
        match self {
            Self::Pool(
                PoolError::Backend(ManagerError::ConnectionError(_) | ManagerError::QueryError(_))
                | PoolError::Timeout(
                    deadpool::managed::TimeoutType::Create
                    | deadpool::managed::TimeoutType::Recycle,
                )
                | PoolError::Closed,
            )
            | Self::Connect(_) => true,
            _ => self.is_connection_lost(),
        }
    }

    /// Whether a read replica cancelled the statement because it conflicted with the
    /// replay of the primary's changes: the read may be tried elsewhere.
    pub fn is_recovery_conflict(&self) -> bool {
        matches!(
            self,
            Self::Query(DieselError::DatabaseError(_, info))
                if info.message().contains("conflict with recovery")
        )
    }
}

fn is_connection_lost(error: &DieselError) -> bool {
    match error {
        // diesel-async reports a failure of the connection itself (`connection closed`,
        // an I/O error), as opposed to an error the server sent, as `UnableToSendCommand`.
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        ) => true,
        DieselError::DatabaseError(_, info) => {
            // SQLSTATE 57P01-57P03: the administrator or a shutdown ended the session.
            let message = info.message();
            message.contains("terminating connection") || message.contains("the database system is")
        }
        _ => false,
    }
}

fn is_transient(error: &DieselError) -> bool {
    match error {
        error if is_connection_lost(error) => true,
        DieselError::BrokenTransactionManager => true,
        DieselError::DatabaseError(_, info) => {
            // PostgreSQL's statement timeout and SQLite's busy timeout carry no kind of
            // their own in diesel: both mean the database is overloaded, not that the
            // query is wrong.
            let message = info.message();
            message.contains("statement timeout") || message.contains("database is locked")
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

#[cfg(test)]
mod tests {
    use super::*;

    fn database_error(kind: DatabaseErrorKind, message: &str) -> InfraError {
        InfraError::Query(DieselError::DatabaseError(
            kind,
            Box::new(message.to_owned()),
        ))
    }

    #[test]
    fn a_connection_lost_mid_statement_is_unavailable_and_may_be_retried() {
        for error in [
            // What diesel-async reports when the server went away.
            database_error(DatabaseErrorKind::UnableToSendCommand, "connection closed"),
            database_error(
                DatabaseErrorKind::Unknown,
                "terminating connection due to administrator command",
            ),
            database_error(DatabaseErrorKind::ClosedConnection, "closed"),
        ] {
            assert!(error.is_unavailable(), "{error}");
            assert!(error.is_connection_lost(), "{error}");
        }
    }

    #[test]
    fn a_replica_leaves_rotation_when_unreachable_not_when_slow() {
        let lost = database_error(DatabaseErrorKind::UnableToSendCommand, "connection closed");
        assert!(lost.is_unreachable());
        let refused = InfraError::Connect(diesel::ConnectionError::BadConnection(
            "connection refused".into(),
        ));
        assert!(refused.is_unreachable());
        let slow = database_error(
            DatabaseErrorKind::Unknown,
            "canceling statement due to statement timeout",
        );
        assert!(!slow.is_unreachable());
        assert!(!InfraError::DeadlineExceeded.is_unreachable());
        let conflict = database_error(
            DatabaseErrorKind::SerializationFailure,
            "canceling statement due to conflict with recovery",
        );
        assert!(conflict.is_recovery_conflict());
        assert!(!conflict.is_unreachable());
        assert!(!slow.is_recovery_conflict());
        assert!(InfraError::NoHealthyReplica.is_unavailable());
    }

    #[test]
    fn timeouts_are_unavailable_but_not_retried_and_wrong_queries_are_neither() {
        let timeout = database_error(
            DatabaseErrorKind::Unknown,
            "canceling statement due to statement timeout",
        );
        assert!(timeout.is_unavailable());
        assert!(!timeout.is_connection_lost());
        assert!(InfraError::DeadlineExceeded.is_unavailable());
        assert!(!InfraError::DeadlineExceeded.is_connection_lost());
        let wrong = database_error(DatabaseErrorKind::Unknown, "relation \"x\" does not exist");
        assert!(!wrong.is_unavailable());
        assert!(!wrong.is_connection_lost());
    }
}
