//! Faults of the service's own making (a table missing, a privilege revoked): classified
//! by cause, counted in `server_faults_total`, and logged once per cause and interval
//! rather than once per request or probe, so that a broken schema under load leaves a
//! readable log.

use std::sync::LazyLock;
use std::time::Duration;

use customer_domain::FailureKind;
use prometheus::{IntCounterVec, Opts};

use customer_application::RateLimitedLog;

/// Why a statement failed, as far as the service can do something about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// A table or column the statement names does not exist.
    Schema,
    /// The database role may not do what the statement does.
    Permission,
    /// The database cannot be reached, or gave no answer in time.
    Unreachable,
    /// Anything else.
    Other,
}

impl From<FailureKind> for Cause {
    /// An unavailable store is one cause whatever kept it away (down, slow, overloaded):
    /// what an operator does about it is the same. What the store found wrong with the
    /// data it holds is no fault of the schema or the grants.
    fn from(kind: FailureKind) -> Self {
        match kind {
            FailureKind::Unreachable | FailureKind::TimedOut => Self::Unreachable,
            FailureKind::Schema => Self::Schema,
            FailureKind::Permission => Self::Permission,
            FailureKind::Inconsistent | FailureKind::Other => Self::Other,
        }
    }
}

impl Cause {
    /// The label of the cause in metrics and logs.
    pub fn label(self) -> &'static str {
        match self {
            Self::Schema => "schema",
            Self::Permission => "permission",
            Self::Unreachable => "unreachable",
            Self::Other => "other",
        }
    }
}

/// `server_faults_total{source, cause}`: one counter for the whole process, registered
/// in the registry of every [`crate::metrics::Metrics`].
pub static FAULTS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    IntCounterVec::new(
        Opts::new(
            "server_faults_total",
            "Faults of the service's own making, by source (`request`, or the readiness check) and cause (schema, permission, unreachable, other).",
        ),
        &["source", "cause"],
    )
    .expect("a valid metric definition")
});

/// Counts a fault of `source` with `cause`.
pub fn count(source: &str, cause: Cause) {
    FAULTS.with_label_values(&[source, cause.label()]).inc();
}

/// How often the same fault of a request is logged again.
const REQUEST_FAULT_LOG_INTERVAL: Duration = Duration::from_secs(60);

static REQUEST_FAULTS: LazyLock<RateLimitedLog> =
    LazyLock::new(|| RateLimitedLog::new(REQUEST_FAULT_LOG_INTERVAL));

/// A request failed with a `500` of `kind`: counted by cause, logged at ERROR once per
/// message a minute, with the number of the same failures since the last line.
pub fn request_failed(kind: FailureKind, error: &(dyn std::error::Error + Send + Sync + 'static)) {
    let cause = Cause::from(kind);
    count("request", cause);
    let message = error.to_string();
    if let Some(since) = REQUEST_FAULTS.admit(&message) {
        tracing::error!(
            error = message.as_str(),
            cause = cause.label(),
            repeated = since,
            "request failed (logged once a minute per cause; server_faults_total counts each)"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_store_is_counted_as_unreachable() {
        assert_eq!(Cause::from(FailureKind::Unreachable), Cause::Unreachable);
        assert_eq!(Cause::Unreachable.label(), "unreachable");
    }

    #[test]
    fn a_store_that_timed_out_is_counted_as_unreachable() {
        assert_eq!(Cause::from(FailureKind::TimedOut), Cause::Unreachable);
    }

    #[test]
    fn a_missing_table_or_column_is_counted_as_schema() {
        assert_eq!(Cause::from(FailureKind::Schema), Cause::Schema);
        assert_eq!(Cause::Schema.label(), "schema");
    }

    #[test]
    fn a_refused_privilege_is_counted_as_permission() {
        assert_eq!(Cause::from(FailureKind::Permission), Cause::Permission);
        assert_eq!(Cause::Permission.label(), "permission");
    }

    #[test]
    fn inconsistent_data_and_the_rest_are_counted_as_other() {
        assert_eq!(Cause::from(FailureKind::Inconsistent), Cause::Other);
        assert_eq!(Cause::from(FailureKind::Other), Cause::Other);
        assert_eq!(Cause::Other.label(), "other");
    }
}
