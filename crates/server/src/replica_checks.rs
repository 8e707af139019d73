//! The read replicas' checks: the task that keeps each replica in or out of rotation,
//! started with the service and stopped at shutdown.

use std::sync::Arc;

use customer_infrastructure::{DatabaseUrl, ReplicaSet};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::error::StartError;
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
        let urls = &settings.database.replica_urls;
        if urls.is_empty() {
            return Ok(None);
        }
        let set = Arc::new(ReplicaSet::connect(
            primary,
            urls,
            &settings.database.pool(workers),
            settings.database.replicas,
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
