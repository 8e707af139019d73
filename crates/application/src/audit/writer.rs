//! Group commit of audit records: lookups hand their record to one writer task, which
//! stores whatever has queued up meanwhile in one statement. Under load a batch holds
//! the records of every lookup that finished during the previous commit, so the audit
//! costs about one insert per commit rather than one per lookup. Up to `writers`
//! statements run at once, so that a record queued while an insert is under way goes
//! out at once instead of waiting for that insert's commit.
//!
//! In async mode nobody waits for a commit, so nothing is gained by overlapping inserts
//! or by writing a record the moment it is queued: one insert runs at a time, and each is
//! followed by a pause ([`ASYNC_GATHERING`]) in which the next batch gathers. Batches are
//! then hundreds of records under load, and the trail costs little more than its rows.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use customer_domain::{AuditLog, AuditRecord, FailureKind};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::sync::{mpsc, oneshot};

use crate::log_throttle::RateLimitedLog;

/// How often a failure of the same kind to store audit records is logged again: a
/// revoked privilege fails every batch, hundreds a second under load.
const FAILURE_LOG_INTERVAL: Duration = Duration::from_secs(60);

/// In async mode, the pause after each insert in which the next batch gathers: short
/// beside what async mode may lose anyway (the queue, at a crash), long beside an
/// insert's own time, so that inserts carry many records each.
pub const ASYNC_GATHERING: Duration = Duration::from_millis(20);

/// When a lookup's answer may leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditMode {
    /// After its record is committed: no customer is shown without a trace; a lookup
    /// whose record cannot be written is not answered.
    Sync,
    /// At once; the record is queued. A crash loses what is queued: at most
    /// `queue_capacity` records, in practice those of the last commit's duration.
    Async,
}

/// How the writer works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditWriterSettings {
    /// See [`AuditMode`].
    pub mode: AuditMode,
    /// The most records stored by one statement.
    pub batch_size: usize,
    /// The most statements under way at once in [`AuditMode::Sync`] (the store needs as
    /// many connections); one in [`AuditMode::Async`].
    pub writers: usize,
    /// The most records waiting to be written; lookups wait for room beyond it.
    pub queue_capacity: usize,
    /// In `async` mode, the pause before a failed batch is tried again.
    pub retry_delay: Duration,
}

impl Default for AuditWriterSettings {
    fn default() -> Self {
        Self {
            mode: AuditMode::Sync,
            batch_size: 512,
            writers: 1,
            queue_capacity: 10_000,
            retry_delay: Duration::from_millis(500),
        }
    }
}

/// Why a record was not written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    /// The audit store failed; the message is the store's.
    #[error("the audit record could not be written: {0}")]
    NotWritten(String),
    /// The writer has stopped (the service is shutting down).
    #[error("the audit writer has stopped")]
    Stopped,
}

/// What the writer has done so far.
#[derive(Debug, Default)]
pub struct AuditCounters {
    /// Records handed to the writer.
    pub queued: AtomicU64,
    /// Records committed.
    pub written: AtomicU64,
    /// Statements that failed.
    pub failed_batches: AtomicU64,
    /// Records given up on: in sync mode, those of a failed statement (their lookups
    /// were not answered).
    pub not_written: AtomicU64,
}

impl AuditCounters {
    /// Records queued and still to be committed.
    pub fn pending(&self) -> u64 {
        self.queued
            .load(Ordering::Relaxed)
            .saturating_sub(self.written.load(Ordering::Relaxed))
            .saturating_sub(self.not_written.load(Ordering::Relaxed))
    }
}

#[derive(Debug)]
struct Pending {
    record: AuditRecord,
    committed: Option<oneshot::Sender<Result<(), AuditError>>>,
}

/// The handle lookups record through; cheap to clone. The writer task ends once every
/// handle is dropped and the queue is written.
#[derive(Debug, Clone)]
pub struct AuditWriter {
    sender: mpsc::Sender<Pending>,
    mode: AuditMode,
    counters: Arc<AuditCounters>,
}

/// The writer task: run it (spawn it) on a runtime with a timer.
pub struct AuditWriterTask {
    receiver: mpsc::Receiver<Pending>,
    committer: Committer,
}

/// What stores a batch; apart from the queue, which the task alone reads.
struct Committer {
    trail: Arc<dyn AuditLog>,
    settings: AuditWriterSettings,
    counters: Arc<AuditCounters>,
    /// Failures logged, one line per kind and interval.
    failures: RateLimitedLog,
}

impl std::fmt::Debug for AuditWriterTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditWriterTask")
            .field("settings", &self.committer.settings)
            .finish_non_exhaustive()
    }
}

impl AuditWriter {
    /// A writer into `trail` and the task that does the writing.
    pub fn new(trail: Arc<dyn AuditLog>, settings: AuditWriterSettings) -> (Self, AuditWriterTask) {
        let (sender, receiver) = mpsc::channel(settings.queue_capacity.max(1));
        let counters = Arc::new(AuditCounters::default());
        let writer = Self {
            sender,
            mode: settings.mode,
            counters: counters.clone(),
        };
        let task = AuditWriterTask {
            receiver,
            committer: Committer {
                trail,
                settings,
                counters,
                failures: RateLimitedLog::new(FAILURE_LOG_INTERVAL),
            },
        };
        (writer, task)
    }

    /// The mode the writer was made with.
    pub fn mode(&self) -> AuditMode {
        self.mode
    }

    /// The writer's counters.
    pub fn counters(&self) -> &Arc<AuditCounters> {
        &self.counters
    }

    /// Hands `record` to the writer; in [`AuditMode::Sync`] returns once it is
    /// committed, in [`AuditMode::Async`] once it is queued.
    ///
    /// # Errors
    /// [`AuditError::NotWritten`] (sync mode) when the store failed;
    /// [`AuditError::Stopped`] when the writer no longer runs.
    pub async fn record(&self, record: AuditRecord) -> Result<(), AuditError> {
        let (committed, outcome) = match self.mode {
            AuditMode::Sync => {
                let (sender, receiver) = oneshot::channel();
                (Some(sender), Some(receiver))
            }
            AuditMode::Async => (None, None),
        };
        self.sender
            .send(Pending { record, committed })
            .await
            .map_err(|_| AuditError::Stopped)?;
        self.counters.queued.fetch_add(1, Ordering::Relaxed);
        match outcome {
            Some(receiver) => receiver.await.unwrap_or(Err(AuditError::Stopped)),
            None => Ok(()),
        }
    }
}

impl AuditWriterTask {
    /// Writes batches until every [`AuditWriter`] is dropped and the queue is empty.
    pub async fn run(self) {
        self.run_until(std::future::pending()).await;
    }

    /// Writes batches until `stop` completes (or every [`AuditWriter`] is dropped); then
    /// refuses new records ([`AuditError::Stopped`]) and writes what is queued before
    /// returning.
    pub async fn run_until(self, stop: impl Future<Output = ()>) {
        let Self {
            mut receiver,
            committer,
        } = self;
        let limit = committer.settings.batch_size.max(1);
        let writers = match committer.settings.mode {
            AuditMode::Sync => committer.settings.writers.max(1),
            AuditMode::Async => 1,
        };
        let mut stop = std::pin::pin!(stop);
        let mut stopping = false;
        let mut drained = false;
        let mut under_way = FuturesUnordered::new();
        loop {
            if drained && under_way.is_empty() {
                return;
            }
            let room = !drained && under_way.len() < writers;
            let mut batch = Vec::new();
            let event = tokio::select! {
                // Finished statements first: they free a connection, and their lookups
                // have waited longest.
                biased;
                Some(()) = under_way.next(), if !under_way.is_empty() => Event::Committed,
                received = receiver.recv_many(&mut batch, limit), if room => {
                    Event::Received(received)
                }
                () = &mut stop, if !stopping => Event::Stop,
            };
            match event {
                Event::Committed => {}
                Event::Received(0) => drained = true,
                Event::Received(_) => under_way.push(committer.commit(batch)),
                Event::Stop => {
                    stopping = true;
                    receiver.close();
                }
            }
        }
    }
}

/// What the writer task's loop woke up for.
enum Event {
    /// A statement ended (its lookups are told).
    Committed,
    /// So many records were taken from the queue (none: the queue is closed and empty).
    Received(usize),
    /// The service is stopping.
    Stop,
}

impl Committer {
    /// Stores `batch` and tells each of its lookups the outcome.
    async fn commit(&self, batch: Vec<Pending>) {
        let (records, waiting): (Vec<_>, Vec<_>) = batch
            .into_iter()
            .map(|pending| (pending.record, pending.committed))
            .unzip();
        let outcome = self.write(&records).await;
        for committed in waiting.into_iter().flatten() {
            // The lookup may have been abandoned meanwhile; its record stands.
            let _ = committed.send(outcome.clone());
        }
        if self.settings.mode == AuditMode::Async {
            // The insert counts as under way until the pause ends: the next batch gathers.
            tokio::time::sleep(ASYNC_GATHERING).await;
        }
    }

    /// Logs a failed batch at ERROR, at most once per kind of failure and interval, with
    /// the number of failed batches left out since; `audit_records{state="failed_batches"}`
    /// counts each.
    fn log_failure(&self, kind: FailureKind, error: &dyn std::error::Error, records: usize) {
        let Some(repeated) = self.failures.admit(&format!("{kind:?}")) else {
            return;
        };
        tracing::error!(
            error = %error,
            cause = ?kind,
            records,
            repeated,
            "audit records not written (logged once a minute per cause; \
             audit_records{{state=\"failed_batches\"}} counts each)"
        );
    }

    /// Stores one batch: once in sync mode (the lookups waiting on it answer 503), until
    /// it succeeds in async mode (nothing queued is dropped; lookups wait for room).
    async fn write(&self, records: &[AuditRecord]) -> Result<(), AuditError> {
        loop {
            match self.trail.append(records).await {
                Ok(()) => {
                    self.counters
                        .written
                        .fetch_add(records.len() as u64, Ordering::Relaxed);
                    return Ok(());
                }
                Err(error) => {
                    self.counters.failed_batches.fetch_add(1, Ordering::Relaxed);
                    self.log_failure(error.kind(), &error, records.len());
                    if self.settings.mode == AuditMode::Sync {
                        // Not tried again: pending must not count them for ever.
                        self.counters
                            .not_written
                            .fetch_add(records.len() as u64, Ordering::Relaxed);
                        return Err(AuditError::NotWritten(error.to_string()));
                    }
                    tokio::time::sleep(self.settings.retry_delay).await;
                }
            }
        }
    }
}
