//! Read replicas in the service: their pools and the task that checks them (started with
//! the service, stopped at shutdown), and their state in `/health/ready`.

use std::sync::Arc;

use customer_infrastructure::{DatabaseUrl, ReplicaFallback, ReplicaSet};
use serde::Serialize;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use utoipa::ToSchema;

use crate::app::StartError;
use crate::settings::Settings;

/// The replicas of the primary and the task that checks them.
pub struct ReadReplicas {
    /// The replicas, shared with the lookups, the metrics and the probes.
    pub set: Arc<ReplicaSet>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for ReadReplicas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadReplicas")
            .field("set", &self.set)
            .finish_non_exhaustive()
    }
}

impl ReadReplicas {
    /// The replicas `database.replica_urls` names (none: `None`), checked once before
    /// this returns, so that the first lookups already go to them, then in the
    /// background on the calling runtime.
    ///
    /// # Errors
    /// [`StartError`] for unusable settings.
    pub async fn start(
        settings: &Settings,
        primary: &DatabaseUrl,
        workers: usize,
    ) -> Result<Option<Self>, StartError> {
        let urls = settings.replica_urls()?;
        if urls.is_empty() {
            return Ok(None);
        }
        let set = Arc::new(ReplicaSet::connect(
            primary,
            &urls,
            &settings.database.pool(workers),
            settings.database.replicas(),
        )?);
        set.check().await;
        let (stop, stopped) = oneshot::channel::<()>();
        let checked = set.clone();
        let task = tokio::spawn(async move {
            checked
                .run_checks(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Some(Self { set, stop, task }))
    }

    /// Stops the checks.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
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
pub fn readiness(set: &ReplicaSet) -> (Vec<ReplicaJson>, Option<String>) {
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
