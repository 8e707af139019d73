//! What `/health/ready` checks: that a lookup can work, not merely that the database
//! answers. The migrations are current; the lookup's own statements run (each shape,
//! with values no row has); the statement that authenticates a key runs; the audit
//! trail may be written. One check at a time, its outcome reused for a short while, so
//! that probes cannot load the database; bounded in time, so that a hung database gives
//! a prompt 503.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use customer_infrastructure::{
    Database, InfraError, ReplicaFallback, ReplicaSet, SqlAuditTrail, SqlClientRegistry,
    SqlCustomerStore,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::drain::Draining;
use crate::faults::{self, Cause};

/// One check of a readiness answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = HealthCheck)]
pub struct CheckJson {
    /// `migrations`, `customer_lookup`, `api_keys` or `audit_insert`.
    pub name: &'static str,
    /// `ok`, `failed`, or `skipped` (not run: an earlier check failed).
    pub status: &'static str,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The outcome of a readiness check: each check in order.
#[derive(Debug, Clone)]
pub struct Report {
    /// The checks, in the order they run.
    pub checks: Vec<CheckJson>,
}

impl Report {
    /// The reason of the first failed check, if any.
    pub fn failure(&self) -> Option<String> {
        self.checks
            .iter()
            .find(|check| check.status == "failed")
            .map(|check| {
                format!(
                    "{}: {}",
                    check.name,
                    check.reason.as_deref().unwrap_or("failed")
                )
            })
    }
}

/// A failed check: the reason a probe shows, and what the log says.
struct Failure {
    cause: Cause,
    public: String,
    logged: String,
}

impl Failure {
    fn from_error(error: &InfraError) -> Self {
        let cause = Cause::from(error.kind());
        let public = match cause {
            Cause::Unreachable => "database unreachable",
            Cause::Schema => "a table or column it needs is missing",
            Cause::Permission => "permission denied",
            Cause::Other => "database check failed",
        };
        Self {
            cause,
            public: public.to_owned(),
            logged: error.to_string(),
        }
    }
}

/// The names of the checks, in the order they run.
const MIGRATIONS: &str = "migrations";
const CUSTOMER_LOOKUP: &str = "customer_lookup";
const API_KEYS: &str = "api_keys";
const AUDIT_INSERT: &str = "audit_insert";

/// The readiness of the service, checked against its database.
pub struct Readiness {
    database: Database,
    store: Arc<SqlCustomerStore>,
    /// `None` when authentication is off.
    registry: Option<SqlClientRegistry>,
    /// `None` when the audit trail is off.
    audit: Option<SqlAuditTrail>,
    timeout: Duration,
    reuse_for: Duration,
    draining: Draining,
    last: tokio::sync::Mutex<Option<(Instant, Report)>>,
    /// The failure last logged, by check: each is logged once, not at every probe.
    logged: Mutex<HashMap<&'static str, String>>,
    /// The read replicas, shown in the answer; `None` without replicas.
    replicas: Option<Arc<ReplicaSet>>,
}

impl std::fmt::Debug for Readiness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readiness")
            .field("timeout", &self.timeout)
            .field("reuse_for", &self.reuse_for)
            .finish_non_exhaustive()
    }
}

/// What [`Readiness`] checks, and how.
#[derive(Debug)]
pub struct ReadinessSettings {
    /// Longest time a check may take; then it fails.
    pub timeout: Duration,
    /// How long a check's outcome is reused.
    pub reuse_for: Duration,
    /// Whether keys are authenticated (their table is then checked).
    pub authenticates: bool,
    /// Whether lookups are audited (the trail's insert privilege is then checked).
    pub audits: bool,
}

impl Readiness {
    /// Checks over `database`, through the lookup adapter `store`.
    pub fn new(
        database: Database,
        store: Arc<SqlCustomerStore>,
        draining: Draining,
        settings: &ReadinessSettings,
    ) -> Self {
        Self {
            registry: settings
                .authenticates
                .then(|| SqlClientRegistry::new(database.clone())),
            audit: settings
                .audits
                .then(|| SqlAuditTrail::new(database.clone())),
            database,
            store,
            timeout: settings.timeout,
            reuse_for: settings.reuse_for,
            draining,
            last: tokio::sync::Mutex::new(None),
            logged: Mutex::new(HashMap::new()),
            replicas: None,
        }
    }

    /// The same checks, showing the state of `replicas` (as their background checks
    /// found it, not cached) and failing while lookups have nowhere to go.
    #[must_use]
    pub fn with_replicas(mut self, replicas: Option<Arc<ReplicaSet>>) -> Self {
        self.replicas = replicas;
        self
    }

    /// The replicas' state and why lookups cannot be served, when there are replicas.
    pub fn replicas(&self) -> Option<(Vec<ReplicaJson>, Option<String>)> {
        self.replicas.as_deref().map(replica_readiness)
    }

    /// Whether the service is draining.
    pub fn is_draining(&self) -> bool {
        self.draining.is_draining()
    }

    /// The outcome of the latest check, made now if the last one is older than the
    /// reuse period. Concurrent callers wait for one check and share it.
    pub async fn report(&self) -> Report {
        let mut last = self.last.lock().await;
        if let Some((at, report)) = last.as_ref()
            && at.elapsed() < self.reuse_for
        {
            return report.clone();
        }
        let report = self.check().await;
        *last = Some((Instant::now(), report.clone()));
        report
    }

    async fn check(&self) -> Report {
        let mut names = vec![MIGRATIONS, CUSTOMER_LOOKUP];
        if self.registry.is_some() {
            names.push(API_KEYS);
        }
        if self.audit.is_some() {
            names.push(AUDIT_INSERT);
        }
        let mut done: Vec<Result<(), Failure>> = Vec::new();
        let within = tokio::time::timeout(self.timeout, self.run(&names, &mut done)).await;
        if within.is_err() {
            done.push(Err(Failure {
                cause: Cause::Unreachable,
                public: format!("no answer within {} ms", self.timeout.as_millis()),
                logged: format!(
                    "the database gave no answer within {} ms",
                    self.timeout.as_millis()
                ),
            }));
        }
        let mut checks = Vec::with_capacity(names.len());
        let mut outcomes = done.into_iter();
        for name in names {
            let check = match outcomes.next() {
                Some(Ok(())) => {
                    self.recovered(name);
                    CheckJson {
                        name,
                        status: "ok",
                        reason: None,
                    }
                }
                Some(Err(failure)) => {
                    self.failed(name, &failure);
                    CheckJson {
                        name,
                        status: "failed",
                        reason: Some(failure.public),
                    }
                }
                None => CheckJson {
                    name,
                    status: "skipped",
                    reason: None,
                },
            };
            checks.push(check);
        }
        Report { checks }
    }

    /// Runs the checks `names` in order, each outcome pushed to `done`; stops at the
    /// first failure.
    async fn run(&self, names: &[&'static str], done: &mut Vec<Result<(), Failure>>) {
        for name in names {
            let outcome = match *name {
                MIGRATIONS => self.migrations().await,
                CUSTOMER_LOOKUP => self
                    .store
                    .probe()
                    .await
                    .map_err(|e| Failure::from_error(&e)),
                API_KEYS => match &self.registry {
                    Some(registry) => registry.probe().await.map_err(|e| Failure::from_error(&e)),
                    None => Ok(()),
                },
                _ => self.audit_insert().await,
            };
            let failed = outcome.is_err();
            done.push(outcome);
            if failed {
                return;
            }
        }
    }

    async fn migrations(&self) -> Result<(), Failure> {
        match self.database.pending_migrations().await {
            Ok(pending) if pending.is_empty() => Ok(()),
            Ok(pending) => {
                let reason = format!("migrations pending: {}", pending.join(", "));
                Err(Failure {
                    cause: Cause::Schema,
                    public: reason.clone(),
                    logged: reason,
                })
            }
            Err(error) => Err(Failure::from_error(&error)),
        }
    }

    async fn audit_insert(&self) -> Result<(), Failure> {
        let Some(audit) = &self.audit else {
            return Ok(());
        };
        match audit.may_insert().await {
            Ok(true) => Ok(()),
            Ok(false) => Err(Failure {
                cause: Cause::Permission,
                public: "permission denied: the audit trail cannot be written".to_owned(),
                logged: "the database role may not INSERT into audit_disclosures".to_owned(),
            }),
            Err(error) => Err(Failure::from_error(&error)),
        }
    }

    /// Counts a failed check; logs it when it differs from the last one logged.
    fn failed(&self, name: &'static str, failure: &Failure) {
        faults::count(name, failure.cause);
        let mut logged = self
            .logged
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if logged.get(name) == Some(&failure.logged) {
            return;
        }
        logged.insert(name, failure.logged.clone());
        let (check, cause, error) = (name, failure.cause.label(), failure.logged.as_str());
        if failure.cause == Cause::Unreachable {
            tracing::warn!(
                check,
                cause,
                error,
                "not ready; logged again when it changes"
            );
        } else {
            tracing::error!(
                check,
                cause,
                error,
                "not ready: lookups fail until this is fixed; logged again when it changes"
            );
        }
    }

    fn recovered(&self, name: &'static str) {
        let mut logged = self
            .logged
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if logged.remove(name).is_some() {
            tracing::info!(check = name, "readiness check passes again");
        }
    }
}

/// One read replica in `/health/ready`'s body.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ReadReplica)]
pub struct ReplicaJson {
    /// `replica-1`, `replica-2`..., in the order of `database.replica_urls`.
    pub name: &'static str,
    /// Whether lookups go to it.
    pub healthy: bool,
    /// How far its replay is behind the primary, in milliseconds, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lag_ms: Option<u64>,
    /// Why it is out of rotation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Its connection pool, over every worker.
    pub pool: ReplicaPoolJson,
}

/// A read replica's connection pool in `/health/ready`'s body.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ReadReplicaPool)]
pub struct ReplicaPoolJson {
    /// The most connections it may open.
    pub max: usize,
    /// Connections open.
    pub open: usize,
    /// Open connections not in use.
    pub idle: usize,
    /// Lookups waiting for a connection.
    pub waiting: usize,
}

/// Every replica's state, and why lookups cannot be served when none is in rotation and
/// they may not fall back to the primary.
pub fn replica_readiness(set: &ReplicaSet) -> (Vec<ReplicaJson>, Option<String>) {
    let replicas = set
        .status()
        .into_iter()
        .map(|status| ReplicaJson {
            name: status.name,
            healthy: status.health.healthy,
            lag_ms: status
                .health
                .lag
                .map(|lag| u64::try_from(lag.as_millis()).unwrap_or(u64::MAX)),
            reason: status.health.reason,
            pool: ReplicaPoolJson {
                max: status.pool.max_size,
                open: status.pool.size,
                idle: status.pool.idle,
                waiting: status.pool.waiting,
            },
        })
        .collect();
    let failure = (set.settings().fallback == ReplicaFallback::Unavailable && !set.any_healthy())
        .then(|| {
            "read_replicas: no read replica in rotation, and database.replica_fallback = \
         \"unavailable\" keeps lookups off the primary"
                .to_owned()
        });
    (replicas, failure)
}
