use customer_domain::{FailureKind, RepositoryError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::PoolError as ManagerError;
use diesel_async::pooled_connection::deadpool::PoolError;

/// Everything that can go wrong in the database adapters, each failure of a statement
/// classified where it is met.
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
    /// A statement failed. Made only through `From<diesel::result::Error>`, which reads
    /// what kind of failure it was once, from the driver's error.
    #[error("database query failed: {source}")]
    Query {
        /// What the driver's error says of the failure.
        failure: StatementFailure,
        /// The driver's error.
        #[source]
        source: DieselError,
    },
    /// Applying the migrations failed, or the task that applied them did not finish.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// Stored data breaks an invariant the schema cannot express.
    #[error("inconsistent stored data: {0}")]
    Inconsistent(String),
    /// A file or folder of the embedded database could not be prepared.
    #[error("cannot prepare the database file: {0}")]
    Io(#[from] std::io::Error),
    /// No read replica is in rotation and `database.replica_fallback` is `unavailable`:
    /// lookups are not sent to the primary.
    #[error(
        "no read replica is in rotation (database.replica_fallback = \"unavailable\" keeps \
         lookups off the primary)"
    )]
    NoHealthyReplica,
    /// An initial load was used after a batch of it failed: its transaction is gone and
    /// nothing of it was committed.
    #[error("the initial load was abandoned after a failed batch: nothing of it was committed")]
    LoadAbandoned,
}

/// What a failed statement says about the database, read from the driver's error when
/// the [`InfraError::Query`] is made. Finer than [`FailureKind`]: the replicas' routing
/// tells a lost connection (try another) from a broken transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementFailure {
    /// The connection went away while the statement ran (the server restarted, or
    /// ended the session): a read may be tried again on another connection.
    ConnectionLost,
    /// The connection's transaction state could not be restored: the connection is
    /// of no more use, though the server may well be up.
    TransactionBroken,
    /// The server gave up waiting: PostgreSQL's statement timeout, SQLite's busy
    /// timeout. The database is overloaded; the statement is not wrong.
    TimedOut,
    /// A read replica cancelled the statement because it conflicted with the replay of
    /// the primary's changes: the read may be tried elsewhere.
    RecoveryConflict,
    /// A table or column the statement names does not exist.
    Schema,
    /// The role may not do what the statement does.
    Permission,
    /// Anything else, constraint violations included.
    Other,
}

impl StatementFailure {
    /// Reads the failure from diesel's error. diesel gives a kind for a lost connection
    /// and for constraint violations only, and diesel-async keeps PostgreSQL's SQLSTATE
    /// to itself; SQLite has no code to give. The rest is told by the server's primary
    /// message, here and nowhere else.
    pub fn of(error: &DieselError) -> Self {
        match error {
            // diesel-async reports a failure of the connection itself (`connection
            // closed`, an I/O error), as opposed to an error the server sent, as
            // `UnableToSendCommand`.
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            ) => Self::ConnectionLost,
            DieselError::DatabaseError(_, info) => Self::of_message(info.message()),
            DieselError::BrokenTransactionManager => Self::TransactionBroken,
            _ => Self::Other,
        }
    }

    fn of_message(message: &str) -> Self {
        // PostgreSQL's primary messages, then SQLite's.
        if message.contains("terminating connection") || message.contains("the database system is")
        {
            // SQLSTATE 57P01-57P03: the administrator or a shutdown ended the session.
            Self::ConnectionLost
        } else if message.contains("statement timeout") || message.contains("database is locked") {
            Self::TimedOut
        } else if message.contains("conflict with recovery") {
            Self::RecoveryConflict
        } else if message.contains("permission denied") {
            // SQLSTATE 42501.
            Self::Permission
        } else if (message.contains("does not exist")
            && (message.contains("relation") || message.contains("column")))
            || message.contains("no such table")
            || message.contains("no such column")
        {
            // SQLSTATE 42P01 and 42703; SQLite's `no such table: x`, `no such column: x`.
            Self::Schema
        } else {
            Self::Other
        }
    }

    /// The kind the layers above see.
    pub fn kind(self) -> FailureKind {
        match self {
            Self::ConnectionLost | Self::TransactionBroken => FailureKind::Unreachable,
            Self::TimedOut => FailureKind::TimedOut,
            Self::Schema => FailureKind::Schema,
            Self::Permission => FailureKind::Permission,
            Self::RecoveryConflict | Self::Other => FailureKind::Other,
        }
    }
}

impl From<DieselError> for InfraError {
    fn from(source: DieselError) -> Self {
        Self::Query {
            failure: StatementFailure::of(&source),
            source,
        }
    }
}

impl InfraError {
    /// What kind of failure it was, as the layers above see it.
    pub fn kind(&self) -> FailureKind {
        match self {
            Self::Pool(
                PoolError::Backend(ManagerError::ConnectionError(_) | ManagerError::QueryError(_))
                | PoolError::Timeout(
                    deadpool::managed::TimeoutType::Create
                    | deadpool::managed::TimeoutType::Recycle,
                )
                | PoolError::Closed,
            )
            | Self::Connect(_)
            | Self::NoHealthyReplica => FailureKind::Unreachable,
            // Every connection busy: the database is reachable, but overloaded.
            Self::Pool(PoolError::Timeout(deadpool::managed::TimeoutType::Wait))
            | Self::DeadlineExceeded => FailureKind::TimedOut,
            Self::Query { failure, .. } => failure.kind(),
            Self::Inconsistent(_) => FailureKind::Inconsistent,
            Self::Configuration(_)
            | Self::Pool(_)
            | Self::Migration(_)
            | Self::Io(_)
            | Self::LoadAbandoned => FailureKind::Other,
        }
    }

    /// Whether a later retry may succeed (see [`FailureKind::is_unavailable`]).
    pub fn is_unavailable(&self) -> bool {
        self.kind().is_unavailable()
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
        matches!(
            self,
            Self::Query {
                failure: StatementFailure::ConnectionLost,
                ..
            }
        )
    }

    /// Whether the server could not be reached or went away (connection refused or
    /// lost, the breaker open, opening a connection timed out), as opposed to a busy
    /// pool or a slow statement: a read replica that fails so is taken out of rotation.
    pub fn is_unreachable(&self) -> bool {
        match self {
            Self::Pool(_) | Self::Connect(_) => self.kind() == FailureKind::Unreachable,
            _ => self.is_connection_lost(),
        }
    }

    /// Whether a read replica cancelled the statement because it conflicted with the
    /// replay of the primary's changes: the read may be tried elsewhere.
    pub fn is_recovery_conflict(&self) -> bool {
        matches!(
            self,
            Self::Query {
                failure: StatementFailure::RecoveryConflict,
                ..
            }
        )
    }
}

impl From<InfraError> for RepositoryError {
    fn from(error: InfraError) -> Self {
        Self::new(error.kind(), error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database_error(kind: DatabaseErrorKind, message: &str) -> InfraError {
        DieselError::DatabaseError(kind, Box::new(message.to_owned())).into()
    }

    fn server_error(message: &str) -> InfraError {
        database_error(DatabaseErrorKind::Unknown, message)
    }

    #[test]
    fn a_connection_lost_mid_statement_is_unreachable_and_may_be_retried() {
        for error in [
            // What diesel-async reports when the server went away.
            database_error(DatabaseErrorKind::UnableToSendCommand, "connection closed"),
            database_error(DatabaseErrorKind::ClosedConnection, "closed"),
            server_error("terminating connection due to administrator command"),
            server_error("the database system is shutting down"),
        ] {
            assert_eq!(error.kind(), FailureKind::Unreachable, "{error}");
            assert!(error.is_connection_lost(), "{error}");
            assert!(error.is_unreachable(), "{error}");
        }
    }

    #[test]
    fn a_broken_transaction_is_unreachable_but_not_retried_elsewhere() {
        let error = InfraError::from(DieselError::BrokenTransactionManager);
        assert_eq!(error.kind(), FailureKind::Unreachable);
        assert!(!error.is_connection_lost());
        assert!(!error.is_unreachable());
    }

    #[test]
    fn a_refused_connection_is_unreachable() {
        let refused = InfraError::Connect(diesel::ConnectionError::BadConnection(
            "connection refused".into(),
        ));
        assert_eq!(refused.kind(), FailureKind::Unreachable);
        assert!(refused.is_unreachable());
        assert!(refused.tls_refusal().is_none());
        let closed = InfraError::Pool(PoolError::Closed);
        assert_eq!(closed.kind(), FailureKind::Unreachable);
        assert!(closed.is_unreachable());
        let opening = InfraError::Pool(PoolError::Timeout(deadpool::managed::TimeoutType::Create));
        assert_eq!(opening.kind(), FailureKind::Unreachable);
        assert!(opening.is_unreachable());
    }

    #[test]
    fn no_replica_in_rotation_is_unreachable_without_blaming_a_replica() {
        let error = InfraError::NoHealthyReplica;
        assert_eq!(error.kind(), FailureKind::Unreachable);
        assert!(!error.is_unreachable());
    }

    #[test]
    fn timeouts_are_timed_out_and_neither_retried_nor_taken_out_of_rotation() {
        for error in [
            server_error("canceling statement due to statement timeout"),
            server_error("database is locked"),
            InfraError::DeadlineExceeded,
            InfraError::Pool(PoolError::Timeout(deadpool::managed::TimeoutType::Wait)),
        ] {
            assert_eq!(error.kind(), FailureKind::TimedOut, "{error}");
            assert!(error.is_unavailable(), "{error}");
            assert!(!error.is_connection_lost(), "{error}");
            assert!(!error.is_unreachable(), "{error}");
        }
    }

    #[test]
    fn a_conflict_with_recovery_may_be_tried_elsewhere_but_is_no_outage() {
        let conflict = database_error(
            DatabaseErrorKind::SerializationFailure,
            "canceling statement due to conflict with recovery",
        );
        assert!(conflict.is_recovery_conflict());
        assert!(!conflict.is_unreachable());
        assert_eq!(conflict.kind(), FailureKind::Other);
        assert!(
            !server_error("canceling statement due to statement timeout").is_recovery_conflict()
        );
    }

    #[test]
    fn a_missing_table_or_column_is_schema_on_both_backends() {
        for message in [
            "relation \"customer_versions\" does not exist",
            "column customer_versions.mobile_number does not exist",
            "no such table: customer_versions",
            "no such column: customer_versions.mobile_number",
        ] {
            assert_eq!(
                server_error(message).kind(),
                FailureKind::Schema,
                "{message}"
            );
        }
    }

    #[test]
    fn a_refused_privilege_is_permission() {
        let error = server_error("permission denied for table customer_versions");
        assert_eq!(error.kind(), FailureKind::Permission);
        assert!(!error.is_unavailable());
    }

    #[test]
    fn inconsistent_data_is_inconsistent() {
        let error = InfraError::Inconsistent("stored customer id 0 is not positive".into());
        assert_eq!(error.kind(), FailureKind::Inconsistent);
    }

    #[test]
    fn anything_else_is_other() {
        for error in [
            // Not a table: the database named in the URL.
            server_error("database \"x\" does not exist"),
            database_error(DatabaseErrorKind::UniqueViolation, "duplicate key value"),
            InfraError::from(DieselError::NotFound),
            InfraError::Migration("syntax error".into()),
            InfraError::Configuration("no URL".into()),
            InfraError::Io(std::io::Error::other("read-only file system")),
        ] {
            assert_eq!(error.kind(), FailureKind::Other, "{error}");
        }
    }

    #[test]
    fn the_port_error_carries_the_kind_found_by_the_adapter() {
        for error in [
            server_error("permission denied for table api_keys"),
            InfraError::DeadlineExceeded,
            InfraError::Inconsistent("x".into()),
        ] {
            let kind = error.kind();
            assert_eq!(RepositoryError::from(error).kind(), kind);
        }
    }
}
