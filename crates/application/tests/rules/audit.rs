//! The audit trail: the group-commit writer, the keyed hashes of searched values and the
//! queries of the trail, and the choice of their key, against a fake and mocks of the
//! trail's ports.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use customer_application::audit::{
    ASYNC_GATHERING, AuditError, AuditKey, AuditMode, AuditQueries, AuditQueryError, AuditWriter,
    AuditWriterSettings, AuditWriterTask, CriteriaHasher,
};
use customer_domain::{
    AuditLog, AuditQuery, AuditRecord, ClientName, CompanyCode, Criterion, CustomerId, Disclosure,
    FailureKind, IdentificationNumber, MobileNumber, MockAuditArchive, MockAuditKeyStore,
    ReferenceNumber, RepositoryError, SearchCriteria,
};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

/// Long enough for anything that should happen to have happened.
const PATIENCE: Duration = Duration::from_secs(5);

/// A trail that keeps every batch appended, and can be made slow, failing or held.
#[derive(Default)]
struct FakeTrail {
    batches: Mutex<Vec<Vec<AuditRecord>>>,
    appends: AtomicUsize,
    /// How long each append takes.
    delay: Duration,
    /// How many appends fail before they succeed.
    failures: usize,
    /// When set, each append waits for a permit of its own.
    gate: Option<Arc<Semaphore>>,
    /// Appends under way now, and the most there ever were at once.
    under_way: AtomicUsize,
    most_under_way: AtomicUsize,
}

impl FakeTrail {
    fn batches(&self) -> Vec<Vec<AuditRecord>> {
        self.batches.lock().unwrap().clone()
    }

    /// The request ids of every record written, in the order written.
    fn written(&self) -> Vec<String> {
        self.batches()
            .into_iter()
            .flatten()
            .map(|record| record.request_id)
            .collect()
    }
}

#[async_trait]
impl AuditLog for FakeTrail {
    async fn append(&self, records: &[AuditRecord]) -> Result<(), RepositoryError> {
        let attempt = self.appends.fetch_add(1, Ordering::SeqCst);
        let now = self.under_way.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_under_way.fetch_max(now, Ordering::SeqCst);
        if let Some(gate) = &self.gate {
            gate.acquire().await.expect("the gate stays open").forget();
        }
        tokio::time::sleep(self.delay).await;
        self.under_way.fetch_sub(1, Ordering::SeqCst);
        if attempt < self.failures {
            return Err(RepositoryError::new(
                FailureKind::Unreachable,
                "audit store down",
            ));
        }
        self.batches.lock().unwrap().push(records.to_vec());
        Ok(())
    }
}

fn record(n: usize) -> AuditRecord {
    AuditRecord {
        at: DateTime::from_timestamp(1_800_000_000, 0).expect("in range"),
        request_id: format!("req-{n}"),
        client: ClientName::parse("call-centre").expect("a valid name"),
        credential: "key:0123456789ab".to_owned(),
        company: CompanyCode::parse("jtc").expect("a valid code"),
        criteria: Vec::new(),
        disclosed: vec![Disclosure {
            customer_id: CustomerId::new(i64::try_from(n).expect("small") + 1).expect("positive"),
            customer_version_id: 1,
            write: None,
        }],
    }
}

fn ids(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|n| format!("req-{n}")).collect()
}

/// `ids`, sorted: batches under way together may commit in either order.
fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

/// Waits until `condition` holds, which it must within [`PATIENCE`].
async fn until(what: &str, condition: impl Fn() -> bool) {
    tokio::time::timeout(PATIENCE, async {
        while !condition() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{what}"));
}

fn settings(mode: AuditMode) -> AuditWriterSettings {
    AuditWriterSettings {
        mode,
        retry_delay: Duration::from_millis(10),
        ..AuditWriterSettings::default()
    }
}

/// Sync mode with two inserts under way at most.
fn two_writers() -> AuditWriterSettings {
    AuditWriterSettings {
        writers: 2,
        ..settings(AuditMode::Sync)
    }
}

fn writer(trail: &Arc<FakeTrail>, settings: AuditWriterSettings) -> (AuditWriter, AuditWriterTask) {
    AuditWriter::new(Arc::clone(trail) as Arc<dyn AuditLog>, settings)
}

fn spawned(trail: &Arc<FakeTrail>, settings: AuditWriterSettings) -> (AuditWriter, JoinHandle<()>) {
    let (writer, task) = writer(trail, settings);
    (writer, tokio::spawn(task.run()))
}

/// A lookup recording `record(n)`, under way.
fn lookup(writer: &AuditWriter, n: usize) -> JoinHandle<Result<(), AuditError>> {
    let writer = writer.clone();
    tokio::spawn(async move { writer.record(record(n)).await })
}

/// A trail whose appends each wait for a permit of the returned gate.
fn gated() -> (Arc<Semaphore>, Arc<FakeTrail>) {
    let gate = Arc::new(Semaphore::new(0));
    let trail = Arc::new(FakeTrail {
        gate: Some(Arc::clone(&gate)),
        ..FakeTrail::default()
    });
    (gate, trail)
}

/// Waits for the writer task to end, which it must within [`PATIENCE`].
async fn ended(task: JoinHandle<()>) {
    tokio::time::timeout(PATIENCE, task)
        .await
        .expect("the writer ends")
        .expect("the writer does not panic");
}

/// (queued, written, pending) as the counters say now.
fn counts(writer: &AuditWriter) -> (u64, u64, u64) {
    let counters = writer.counters();
    (
        counters.queued.load(Ordering::SeqCst),
        counters.written.load(Ordering::SeqCst),
        counters.pending(),
    )
}

// --- The writer in sync mode ---

#[tokio::test]
async fn a_sync_record_returns_once_it_is_committed() {
    let trail = Arc::new(FakeTrail {
        delay: Duration::from_millis(50),
        ..FakeTrail::default()
    });
    let (writer, task) = spawned(&trail, settings(AuditMode::Sync));
    assert_eq!(writer.mode(), AuditMode::Sync);
    writer.record(record(1)).await.expect("committed");
    assert_eq!(trail.batches(), [vec![record(1)]]);
    assert_eq!(counts(&writer), (1, 1, 0));
    drop(writer);
    ended(task).await;
}

#[tokio::test]
async fn a_sync_record_waits_for_the_writer() {
    let trail = Arc::new(FakeTrail::default());
    let (writer, task) = writer(&trail, settings(AuditMode::Sync));
    let recording = {
        let writer = writer.clone();
        tokio::spawn(async move { writer.record(record(1)).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!recording.is_finished(), "answered before it was written");
    assert!(trail.batches().is_empty());
    let task = tokio::spawn(task.run());
    tokio::time::timeout(PATIENCE, recording)
        .await
        .expect("answered once written")
        .expect("no panic")
        .expect("committed");
    assert_eq!(trail.written(), ids(1..2));
    drop(writer);
    ended(task).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_records_are_committed_in_groups_each_once() {
    const LOOKUPS: usize = 50;
    let trail = Arc::new(FakeTrail {
        delay: Duration::from_millis(20),
        ..FakeTrail::default()
    });
    let (writer, task) = spawned(&trail, settings(AuditMode::Sync));
    let lookups: Vec<_> = (0..LOOKUPS).map(|n| lookup(&writer, n)).collect();
    for lookup in lookups {
        lookup.await.expect("no panic").expect("committed");
    }
    let batches = trail.batches();
    assert!(
        batches.len() < LOOKUPS,
        "{} statements for {LOOKUPS} records",
        batches.len()
    );
    let mut written = trail.written();
    written.sort();
    let mut expected = ids(0..LOOKUPS);
    expected.sort();
    assert_eq!(written, expected, "every record written exactly once");
    assert_eq!(counts(&writer), (50, 50, 0));
    drop(writer);
    ended(task).await;
}

#[tokio::test]
async fn no_batch_exceeds_the_batch_size() {
    let trail = Arc::new(FakeTrail::default());
    let (writer, task) = writer(
        &trail,
        AuditWriterSettings {
            batch_size: 3,
            ..settings(AuditMode::Async)
        },
    );
    for n in 0..10 {
        writer.record(record(n)).await.expect("queued");
    }
    drop(writer);
    ended(tokio::spawn(task.run())).await;
    let sizes: Vec<usize> = trail.batches().iter().map(Vec::len).collect();
    assert_eq!(sizes, [3, 3, 3, 1]);
    assert_eq!(trail.written(), ids(0..10));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_statement_fails_every_lookup_waiting_on_it() {
    let trail = Arc::new(FakeTrail {
        delay: Duration::from_millis(20),
        failures: usize::MAX,
        ..FakeTrail::default()
    });
    let (writer, task) = spawned(&trail, settings(AuditMode::Sync));
    let lookups: Vec<_> = (0..10).map(|n| lookup(&writer, n)).collect();
    for lookup in lookups {
        let outcome = lookup.await.expect("no panic");
        assert!(
            matches!(&outcome, Err(AuditError::NotWritten(message)) if message.contains("audit store down")),
            "{outcome:?}"
        );
    }
    assert!(trail.batches().is_empty());
    let appends = trail.appends.load(Ordering::SeqCst) as u64;
    let counters = writer.counters();
    assert_eq!(counters.failed_batches.load(Ordering::SeqCst), appends);
    assert_eq!(counters.queued.load(Ordering::SeqCst), 10);
    assert_eq!(counters.written.load(Ordering::SeqCst), 0);
    assert_eq!(counters.not_written.load(Ordering::SeqCst), 10);
    assert_eq!(counters.pending(), 0, "nothing is left to write");
    // A failure is not retried in sync mode: the lookups were refused.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(trail.appends.load(Ordering::SeqCst) as u64, appends);
    drop(writer);
    ended(task).await;
}

/// What is logged on this thread while the guard lives, as text.
#[derive(Clone, Default)]
struct CapturedLog(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for CapturedLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl CapturedLog {
    fn start(&self) -> tracing::subscriber::DefaultGuard {
        let log = self.clone();
        tracing::subscriber::set_default(
            tracing_subscriber::fmt()
                .with_writer(move || log.clone())
                .with_ansi(false)
                .finish(),
        )
    }

    fn lines(&self) -> Vec<String> {
        String::from_utf8_lossy(&self.0.lock().unwrap())
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

/// On the current-thread runtime: the writer task runs on the test's thread, where the
/// log is captured.
#[tokio::test(flavor = "current_thread")]
async fn failed_batches_of_one_cause_are_logged_once_with_a_count() {
    let log = CapturedLog::default();
    let _guard = log.start();
    let trail = Arc::new(FakeTrail {
        failures: usize::MAX,
        ..FakeTrail::default()
    });
    let (writer, task) = spawned(&trail, settings(AuditMode::Sync));
    // One at a time: each record is a batch of its own, and each batch fails.
    for n in 0..50 {
        let outcome = writer.record(record(n)).await;
        assert!(
            matches!(outcome, Err(AuditError::NotWritten(_))),
            "{outcome:?}"
        );
    }
    assert_eq!(writer.counters().failed_batches.load(Ordering::SeqCst), 50);
    drop(writer);
    ended(task).await;
    let errors: Vec<String> = log
        .lines()
        .into_iter()
        .filter(|line| line.contains("audit records not written"))
        .collect();
    assert_eq!(
        errors.len(),
        1,
        "one line for 50 failed batches: {errors:#?}"
    );
    assert!(
        errors[0].contains("ERROR") && errors[0].contains("audit store down"),
        "{errors:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_does_not_wait_behind_the_insert_under_way() {
    let (gate, trail) = gated();
    let (writer, task) = spawned(&trail, two_writers());
    let first = lookup(&writer, 1);
    until("the first insert starts", || {
        trail.appends.load(Ordering::SeqCst) == 1
    })
    .await;
    let second = lookup(&writer, 2);
    // The first insert is held: the second record goes out beside it.
    until("the second insert starts beside the first", || {
        trail.under_way.load(Ordering::SeqCst) == 2
    })
    .await;
    assert!(
        !first.is_finished() && !second.is_finished(),
        "answered before committed"
    );
    gate.add_permits(2);
    first.await.expect("no panic").expect("committed");
    second.await.expect("no panic").expect("committed");
    assert_eq!(trail.batches().len(), 2, "one insert each");
    assert_eq!(sorted(trail.written()), ids(1..3));
    drop(writer);
    ended(task).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_more_inserts_are_under_way_than_writers() {
    const LOOKUPS: usize = 40;
    for writers in [1, 3] {
        let trail = Arc::new(FakeTrail {
            delay: Duration::from_millis(5),
            ..FakeTrail::default()
        });
        let (writer, task) = spawned(
            &trail,
            AuditWriterSettings {
                writers,
                batch_size: 2,
                ..settings(AuditMode::Sync)
            },
        );
        let lookups: Vec<_> = (0..LOOKUPS).map(|n| lookup(&writer, n)).collect();
        for lookup in lookups {
            lookup.await.expect("no panic").expect("committed");
        }
        let most = trail.most_under_way.load(Ordering::SeqCst);
        assert!(
            most <= writers,
            "{most} inserts at once with {writers} writers"
        );
        assert_eq!(
            sorted(trail.written()),
            sorted(ids(0..LOOKUPS)),
            "every record written exactly once"
        );
        drop(writer);
        ended(task).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_writer_finishes_the_inserts_under_way() {
    let (gate, trail) = gated();
    let (writer, task) = writer(&trail, two_writers());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(task.run_until(async {
        let _ = stopped.await;
    }));
    // One record at a time: queued together, both would go out in one insert.
    let mut lookups = Vec::new();
    for n in 0..2 {
        lookups.push((n, lookup(&writer, n)));
        until("each insert starts", || {
            trail.under_way.load(Ordering::SeqCst) == n + 1
        })
        .await;
    }
    stop.send(()).expect("the task listens");
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!task.is_finished(), "ended with inserts under way");
    gate.add_permits(2);
    ended(task).await;
    for (n, lookup) in lookups {
        assert_eq!(lookup.await.expect("no panic"), Ok(()), "lookup {n}");
    }
    assert_eq!(sorted(trail.written()), ids(0..2));
}

#[tokio::test]
async fn a_record_to_a_stopped_writer_is_refused() {
    let trail = Arc::new(FakeTrail::default());
    for mode in [AuditMode::Sync, AuditMode::Async] {
        let (writer, task) = writer(&trail, settings(mode));
        drop(task);
        assert_eq!(
            writer.record(record(1)).await,
            Err(AuditError::Stopped),
            "{mode:?}"
        );
        assert_eq!(counts(&writer), (0, 0, 0));
    }
}

// --- The writer in async mode ---

#[tokio::test]
async fn an_async_record_returns_before_it_is_committed() {
    let (gate, trail) = gated();
    let (writer, task) = spawned(&trail, settings(AuditMode::Async));
    tokio::time::timeout(PATIENCE, writer.record(record(1)))
        .await
        .expect("answered without waiting for the store")
        .expect("queued");
    assert!(trail.batches().is_empty());
    assert_eq!(counts(&writer), (1, 0, 1));

    gate.add_permits(1);
    let counters = Arc::clone(writer.counters());
    drop(writer);
    ended(task).await;
    assert_eq!(trail.written(), ids(1..2));
    assert_eq!(counters.written.load(Ordering::SeqCst), 1);
    assert_eq!(counters.pending(), 0);
}

/// Nobody waits in async mode: one insert at a time whatever `writers` says, and the
/// records queued during an insert and the pause after it go out together.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_records_gather_into_one_insert_at_a_time() {
    let (gate, trail) = gated();
    let (writer, task) = spawned(
        &trail,
        AuditWriterSettings {
            writers: 3,
            ..settings(AuditMode::Async)
        },
    );
    writer.record(record(0)).await.expect("queued");
    until("the first insert starts", || {
        trail.appends.load(Ordering::SeqCst) == 1
    })
    .await;
    for n in 1..40 {
        writer.record(record(n)).await.expect("queued");
    }
    tokio::time::sleep(ASYNC_GATHERING * 2).await;
    assert_eq!(
        trail.under_way.load(Ordering::SeqCst),
        1,
        "no second insert beside the one held"
    );
    gate.add_permits(1);
    until("the first insert ends", || trail.batches().len() == 1).await;
    let second_started = std::time::Instant::now();
    until("the second insert starts", || {
        trail.appends.load(Ordering::SeqCst) == 2
    })
    .await;
    assert!(
        second_started.elapsed() >= ASYNC_GATHERING / 2,
        "the next batch gathered for a while"
    );
    gate.add_permits(1);
    let counters = Arc::clone(writer.counters());
    drop(writer);
    ended(task).await;
    assert_eq!(
        trail.batches().iter().map(Vec::len).collect::<Vec<_>>(),
        [1, 39],
        "the records queued meanwhile went out in one insert"
    );
    assert_eq!(trail.most_under_way.load(Ordering::SeqCst), 1);
    assert_eq!(counters.pending(), 0);
}

#[tokio::test]
async fn a_failed_async_batch_is_retried_until_it_is_written() {
    let trail = Arc::new(FakeTrail {
        failures: 3,
        ..FakeTrail::default()
    });
    let (writer, task) = writer(&trail, settings(AuditMode::Async));
    for n in 0..5 {
        writer.record(record(n)).await.expect("queued");
    }
    let counters = Arc::clone(writer.counters());
    drop(writer);
    ended(tokio::spawn(task.run())).await;
    assert_eq!(trail.written(), ids(0..5), "nothing lost, nothing twice");
    assert_eq!(trail.appends.load(Ordering::SeqCst), 4);
    assert_eq!(counters.failed_batches.load(Ordering::SeqCst), 3);
    assert_eq!(counters.queued.load(Ordering::SeqCst), 5);
    assert_eq!(counters.written.load(Ordering::SeqCst), 5);
    assert_eq!(counters.pending(), 0);
}

#[tokio::test]
async fn the_writer_writes_what_is_queued_before_it_ends() {
    let trail = Arc::new(FakeTrail {
        delay: Duration::from_millis(5),
        ..FakeTrail::default()
    });
    let (writer, task) = writer(
        &trail,
        AuditWriterSettings {
            batch_size: 7,
            ..settings(AuditMode::Async)
        },
    );
    let other = writer.clone();
    for n in 0..20 {
        other.record(record(n)).await.expect("queued");
    }
    assert_eq!(counts(&writer), (20, 0, 20));
    let counters = Arc::clone(writer.counters());
    // Every handle gone before the task even starts: the shutdown of the service.
    drop(writer);
    drop(other);
    ended(tokio::spawn(task.run())).await;
    assert_eq!(sorted(trail.written()), sorted(ids(0..20)));
    assert_eq!(trail.batches().len(), 3);
    assert_eq!(counters.written.load(Ordering::SeqCst), 20);
    assert_eq!(counters.pending(), 0);
}

#[tokio::test]
async fn the_writer_runs_while_a_handle_is_held() {
    let trail = Arc::new(FakeTrail::default());
    let (writer, task) = spawned(&trail, settings(AuditMode::Async));
    let other = writer.clone();
    drop(writer);
    other.record(record(1)).await.expect("queued");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(trail.written(), ids(1..2), "written meanwhile");
    assert!(!task.is_finished(), "a handle is still held");
    drop(other);
    ended(task).await;
}

#[tokio::test]
async fn a_stopped_writer_writes_its_queue_and_refuses_what_comes_after() {
    let trail = Arc::new(FakeTrail {
        delay: Duration::from_millis(5),
        ..FakeTrail::default()
    });
    let (writer, task) = writer(&trail, settings(AuditMode::Async));
    for n in 0..10 {
        writer.record(record(n)).await.expect("queued");
    }
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(task.run_until(async {
        let _ = stopped.await;
    }));
    stop.send(()).expect("the task listens");
    // The handle is still held, as the server's state holds it: the task ends anyway.
    ended(task).await;
    assert_eq!(trail.written(), ids(0..10), "the queue is written");
    assert!(matches!(
        writer.record(record(10)).await,
        Err(AuditError::Stopped)
    ));
}

mod hashes_and_queries;
