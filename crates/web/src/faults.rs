//! Faults of the service's own making (a table missing, a privilege revoked): classified
//! by cause, counted in `server_faults_total`, and logged once per cause and interval
//! rather than once per request or probe, so that a broken schema under load leaves a
//! readable log.

use std::sync::LazyLock;
use std::time::Duration;

use prometheus::{IntCounterVec, Opts};

use crate::log_throttle::RateLimitedLog;

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

impl Cause {
    /// Reads the cause from an error's message and those of its sources (the drivers give
    /// no portable code: PostgreSQL's SQLSTATE is not exposed by diesel).
    pub fn of(error: &(dyn std::error::Error + 'static)) -> Self {
        let mut text = String::new();
        let mut next = Some(error);
        while let Some(error) = next {
            text.push_str(&error.to_string().to_lowercase());
            text.push('\n');
            next = error.source();
        }
        Self::of_message(&text)
    }

    fn of_message(text: &str) -> Self {
        if text.contains("permission denied") {
            Self::Permission
        } else if text.contains("no such table")
            || text.contains("no such column")
            || (text.contains("does not exist")
                && (text.contains("relation") || text.contains("column")))
        {
            Self::Schema
        } else {
            Self::Other
        }
    }

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

/// A request failed with a `500`: counted by cause, logged at ERROR once per message a
/// minute, with the number of the same failures since the last line.
pub fn request_failed(error: &(dyn std::error::Error + Send + Sync + 'static)) {
    let cause = Cause::of(error);
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
    fn causes_are_read_from_both_backends_messages() {
        for (message, cause) in [
            (
                "database query failed: relation \"customer_versions\" does not exist",
                Cause::Schema,
            ),
            (
                "database query failed: no such table: customer_versions",
                Cause::Schema,
            ),
            (
                "column customer_versions.mobile_number does not exist",
                Cause::Schema,
            ),
            (
                "database query failed: permission denied for table customer_versions",
                Cause::Permission,
            ),
            ("database \"x\" does not exist", Cause::Other),
            ("inconsistent stored data", Cause::Other),
        ] {
            assert_eq!(
                Cause::of_message(&message.to_lowercase()),
                cause,
                "{message}"
            );
        }
    }
}
