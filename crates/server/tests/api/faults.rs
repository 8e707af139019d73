//! The real binary over a PostgreSQL server of the test's own, while that server fails:
//! frozen, stopped, restarted, its sessions killed. Each test asserts the bounds a client
//! can rely on and prints its figures (`FAULT <fault> name=value...`); with
//! `FAULT_REPORT=docs/reliability.md` it rewrites its row of that file's table.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::support::{
    EXAMPLE_QUERY, FaultFigures, LOOKUP_PATH, PrivateCluster, Service, SuiteTest, TestBackend,
    client,
};
use customer_infrastructure::DatabaseUrl;

use crate::db::{ReadBlocker, sessions_waiting_for_a_lock};

/// Run as `postgres::...` only: each starts a server of its own.
pub const TESTS: &[(&str, SuiteTest)] = &[
    ("faults::frozen_database", |backend| {
        Box::pin(frozen_database(backend))
    }),
    ("faults::stopped_database", |backend| {
        Box::pin(stopped_database(backend))
    }),
    ("faults::restarted_database", |backend| {
        Box::pin(restarted_database(backend))
    }),
    ("faults::sessions_killed_mid_statement", |backend| {
        Box::pin(sessions_killed_mid_statement(backend))
    }),
];

/// The deadline the service is started with.
const REQUEST_TIMEOUT: Duration = Duration::from_millis(1500);

/// The service over a private cluster, with the demo data and the demo client's key.
struct Faulty {
    // Dropped first: the service, then the server, then the service's folder.
    service: Service,
    cluster: PrivateCluster,
    _folder: tempfile::TempDir,
    bearer: String,
    client: reqwest::Client,
}

/// One answer: its status (0 when none came), whether it had `Retry-After`, and how long
/// it took.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) retry_after: bool,
    pub(crate) took: Duration,
}

impl Faulty {
    async fn start() -> Self {
        let cluster = tokio::task::spawn_blocking(PrivateCluster::start)
            .await
            .expect("the cluster starts");
        let folder = tempfile::tempdir().expect("a folder");
        let timeout = REQUEST_TIMEOUT.as_millis().to_string();
        let service = Service::start(
            folder.path(),
            &[
                ("DATABASE_URL", &cluster.url()),
                ("APP__SERVER__WORKERS", "2"),
                ("APP__SERVER__REQUEST_TIMEOUT_MS", &timeout),
                ("APP__DATABASE__MAX_CONNECTIONS", "4"),
                ("APP__AUTH__DEFAULT_RATE_LIMIT", "1000000/s"),
            ],
        )
        .await;
        let bearer = format!("Bearer {}", service.demo_key().await);
        let faulty = Self {
            service,
            cluster,
            _folder: folder,
            bearer,
            client: client(),
        };
        for _ in 0..4 {
            let answer = faulty.lookup().await;
            assert_eq!(answer.status, 200, "{}", faulty.service.logs());
        }
        faulty
    }

    async fn get(&self, path: &str) -> Answer {
        get(&self.client, &self.service.address(), &self.bearer, path).await
    }

    /// `GET path`, sent on a task of its own.
    fn spawn_get(&self, path: &str) -> tokio::task::JoinHandle<Answer> {
        let (client, address, bearer, path) = (
            self.client.clone(),
            self.service.address(),
            self.bearer.clone(),
            path.to_owned(),
        );
        tokio::spawn(async move { get(&client, &address, &bearer, &path).await })
    }

    async fn lookup(&self) -> Answer {
        self.get(&format!("{LOOKUP_PATH}?{EXAMPLE_QUERY}")).await
    }

    /// Lookups on `clients` concurrent connections until `stop` is set.
    fn load(
        &self,
        clients: usize,
        stop: &Arc<AtomicBool>,
    ) -> Vec<tokio::task::JoinHandle<Vec<(Instant, Answer)>>> {
        (0..clients)
            .map(|_| {
                let (client, address, bearer, stop) = (
                    self.client.clone(),
                    self.service.address(),
                    self.bearer.clone(),
                    stop.clone(),
                );
                tokio::spawn(async move {
                    let mut answers = Vec::new();
                    let path = format!("{LOOKUP_PATH}?{EXAMPLE_QUERY}");
                    while !stop.load(Ordering::Relaxed) {
                        answers
                            .push((Instant::now(), get(&client, &address, &bearer, &path).await));
                    }
                    answers
                })
            })
            .collect()
    }

    /// The first lookup answered 200 after `since`, polling; the test fails after 15 s.
    async fn recovery(&self, since: Instant) -> Duration {
        loop {
            if self.lookup().await.status == 200 {
                return since.elapsed();
            }
            assert!(
                since.elapsed() < Duration::from_secs(15),
                "no 200 within 15 s\n{}",
                self.service.logs()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The service's log lines so far, but the one line per request.
    fn log_lines(&self) -> usize {
        self.service
            .logs()
            .lines()
            .filter(|line| line.contains("Z ") && !line.contains("customer_web::observability"))
            .count()
    }

    /// `/metrics`, as text.
    async fn metrics(&self) -> String {
        let url = format!("{}/metrics", self.service.address());
        self.client
            .get(url)
            .send()
            .await
            .expect("metrics answer")
            .text()
            .await
            .expect("a body")
    }

    /// `db_circuit_state` of the lookups' pool: 0 closed, 1 open, 2 half-open.
    async fn circuit_state(&self) -> u8 {
        let text = self.metrics().await;
        text.lines()
            .find(|line| line.starts_with("db_circuit_state{pool=\"lookups\"}"))
            .and_then(|line| line.rsplit(' ').next()?.parse().ok())
            .unwrap_or_else(|| panic!("no db_circuit_state of the lookups:\n{text}"))
    }

    /// `db_connection_attempts_total` of the lookups' pool, summed over the outcomes that
    /// dialled (opened, failed); the test fails when the metric is missing.
    async fn connection_attempts(&self) -> u64 {
        let text = self.metrics().await;
        let dialled: Vec<u64> = text
            .lines()
            .filter(|line| {
                line.starts_with("db_connection_attempts_total{")
                    && line.contains("pool=\"lookups\"")
                    && !line.contains("outcome=\"refused\"")
            })
            .filter_map(|line| line.rsplit(' ').next()?.parse().ok())
            .collect();
        assert!(
            !dialled.is_empty(),
            "no db_connection_attempts_total:\n{text}"
        );
        dialled.iter().sum()
    }
}

pub(crate) async fn get(
    client: &reqwest::Client,
    address: &str,
    bearer: &str,
    path: &str,
) -> Answer {
    let started = Instant::now();
    let response = client
        .get(format!("{address}{path}"))
        .header("authorization", bearer)
        .send()
        .await;
    match response {
        Ok(response) => {
            let status = response.status().as_u16();
            let retry_after = response.headers().contains_key("retry-after");
            let _ = response.bytes().await;
            Answer {
                status,
                retry_after,
                took: started.elapsed(),
            }
        }
        Err(_) => Answer {
            status: 0,
            retry_after: false,
            took: started.elapsed(),
        },
    }
}

/// `503:12 200:40`: how many answers had each status.
pub(crate) fn statuses<'a>(answers: impl IntoIterator<Item = &'a Answer>) -> String {
    let mut counts = BTreeMap::new();
    for answer in answers {
        *counts.entry(answer.status).or_insert(0) += 1;
    }
    counts
        .iter()
        .map(|(status, count)| format!("{status}:{count}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn median_ms(answers: &[Answer]) -> u128 {
    let mut took: Vec<u128> = answers.iter().map(|a| a.took.as_millis()).collect();
    took.sort_unstable();
    took.get(took.len() / 2).copied().unwrap_or(0)
}

fn max_ms<'a>(answers: impl IntoIterator<Item = &'a Answer>) -> u128 {
    answers
        .into_iter()
        .map(|answer| answer.took.as_millis())
        .max()
        .unwrap_or(0)
}

/// Frozen (`SIGSTOP`, sockets open): lookups and readiness answer 503 with `Retry-After`
/// by the request deadline, not when the database wakes; after the thaw, lookups succeed
/// again without a restart.
async fn frozen_database(_backend: TestBackend) {
    let mut faulty = Faulty::start().await;
    faulty.cluster.freeze();
    let paths = [
        format!("{LOOKUP_PATH}?{EXAMPLE_QUERY}"),
        "/health/ready".to_owned(),
    ];
    let requests: Vec<_> = (0..8)
        .map(|i| faulty.spawn_get(&paths[usize::from(i % 4 == 3)]))
        .collect();
    // Without a deadline they would wait for the thaw: 8 s is the test's own limit.
    let answers = tokio::time::timeout(Duration::from_secs(8), async {
        let mut answers = Vec::new();
        for request in requests {
            answers.push(request.await.expect("the request ran"));
        }
        answers
    })
    .await
    .unwrap_or_else(|_| panic!("requests still wait after 8 s of a frozen database"));
    faulty.cluster.thaw();
    let thawed = Instant::now();
    let bound = REQUEST_TIMEOUT + Duration::from_millis(1500);
    for (i, answer) in answers.iter().enumerate() {
        assert_eq!(answer.status, 503, "{answer:?}\n{}", faulty.service.logs());
        assert!(answer.took < bound, "{answer:?}: past the deadline");
        // Readiness answers in a shape of its own.
        if i % 4 != 3 {
            assert!(answer.retry_after, "503 with Retry-After");
        }
    }
    let recovery = faulty.recovery(thawed).await;
    FaultFigures {
        fault: "frozen",
        client_sees: "503 by the request deadline: lookups with Retry-After, /health/ready too"
            .into(),
        recovery: "first 200 after the thaw, no restart".into(),
        figures: vec![
            ("statuses", statuses(&answers)),
            ("max_latency_ms", max_ms(&answers).to_string()),
            ("deadline_ms", REQUEST_TIMEOUT.as_millis().to_string()),
            ("recovery_ms", recovery.as_millis().to_string()),
        ],
    }
    .report();
}

/// Stopped: lookups fail fast with 503, the service dials the database a few times a
/// second at most (the breaker), and logs a few lines besides the one per request, not
/// a warning per request.
async fn stopped_database(_backend: TestBackend) {
    const CLIENTS: usize = 4;
    const DOWN: Duration = Duration::from_secs(4);
    let mut faulty = Faulty::start().await;
    let attempts_before = faulty.connection_attempts().await;
    let lines_before = faulty.log_lines();
    faulty.cluster.stop();
    let stop = Arc::new(AtomicBool::new(false));
    let load = faulty.load(CLIENTS, &stop);
    tokio::time::sleep(DOWN).await;
    stop.store(true, Ordering::Relaxed);
    let mut answers = Vec::new();
    for client in load {
        answers.extend(
            client
                .await
                .expect("the client ran")
                .into_iter()
                .map(|(_, a)| a),
        );
    }
    let open = faulty.circuit_state().await;
    let attempts = faulty.connection_attempts().await - attempts_before;
    let lines = faulty.log_lines() - lines_before;
    let seconds = DOWN.as_secs_f64();
    #[expect(clippy::cast_precision_loss, reason = "small counts")]
    let (attempts_per_s, lines_per_s, requests_per_s) = (
        attempts as f64 / seconds,
        lines as f64 / seconds,
        answers.len() as f64 / seconds,
    );
    for answer in &answers {
        assert_eq!(answer.status, 503, "{answer:?}");
        assert!(answer.retry_after, "503 with Retry-After");
    }
    assert!(
        answers.len() >= 20,
        "only {} answers in {DOWN:?}",
        answers.len()
    );
    // Fast: no wait for a connection timeout. The bound on the slowest allows for a
    // machine busy with other work.
    let median = median_ms(&answers);
    assert!(
        median < 200,
        "the median 503 took {median} ms: not failing fast"
    );
    assert!(
        max_ms(&answers) < (REQUEST_TIMEOUT + Duration::from_millis(1500)).as_millis(),
        "a 503 took {} ms",
        max_ms(&answers)
    );
    assert!(
        attempts_per_s <= 5.0,
        "{attempts} connection attempts in {DOWN:?}\n{}",
        faulty.service.logs()
    );
    // Pre-breaker, one WARN per request: hundreds a second.
    assert!(
        lines_per_s <= 3.0,
        "{lines} log lines besides the requests' in {DOWN:?}\n{}",
        faulty.service.logs()
    );
    assert_ne!(
        open, 0,
        "the breaker is open (or probing) while the database is down"
    );
    faulty.cluster.start_again();
    let recovery = faulty.recovery(Instant::now()).await;
    assert_eq!(faulty.circuit_state().await, 0, "closed again");
    FaultFigures {
        fault: "stopped",
        client_sees: "503 + Retry-After at once (breaker open, no dialling)".into(),
        recovery: "first 200 after the start, within the breaker's probe interval (at most 2 s)"
            .into(),
        figures: vec![
            ("statuses", statuses(&answers)),
            ("requests_per_s", format!("{requests_per_s:.0}")),
            ("median_latency_ms", median.to_string()),
            ("max_latency_ms", max_ms(&answers).to_string()),
            ("attempts_per_s", format!("{attempts_per_s:.1}")),
            ("log_lines_per_s", format!("{lines_per_s:.2}")),
            ("circuit_state_while_down", open.to_string()),
            ("recovery_ms", recovery.as_millis().to_string()),
        ],
    }
    .report();
}

/// Restarted under load (`pg_ctl restart -m fast`): every answer is a 200 or a 503,
/// never a 500; lookups succeed again soon after the server is back.
async fn restarted_database(_backend: TestBackend) {
    let faulty = Faulty::start().await;
    let stop = Arc::new(AtomicBool::new(false));
    let load = faulty.load(4, &stop);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let restarting = Instant::now();
    faulty.cluster.restart();
    let restarted = Instant::now();
    let recovery = faulty.recovery(restarted).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    let mut answers = Vec::new();
    for client in load {
        answers.extend(client.await.expect("the client ran"));
    }
    let during: Vec<Answer> = answers
        .iter()
        .filter(|(at, _)| *at >= restarting)
        .map(|(_, answer)| *answer)
        .collect();
    for (_, answer) in &answers {
        assert!(
            matches!(answer.status, 200 | 503),
            "{answer:?} during a restart\n{}",
            faulty.service.logs()
        );
    }
    FaultFigures {
        fault: "restarted",
        client_sees: "200 or 503 + Retry-After, never 500; a lookup whose connection is lost is tried once more".into(),
        recovery: "first 200 after the server is back".into(),
        figures: vec![
            ("statuses", statuses(&during)),
            ("restart_ms", (restarted - restarting).as_millis().to_string()),
            ("max_latency_ms", max_ms(&during).to_string()),
            ("recovery_ms", recovery.as_millis().to_string()),
        ],
    }
    .report();
}

/// Every session of the service ended (`pg_terminate_backend`) while a lookup waits in
/// the database: that lookup, and the next ones on the pooled connections, answer 200
/// or 503, never 500.
async fn sessions_killed_mid_statement(_backend: TestBackend) {
    let faulty = Faulty::start().await;
    let url = faulty.cluster.url();
    let blocker = ReadBlocker::lock(&DatabaseUrl::Postgres(url.clone())).await;
    let slow = faulty.spawn_get(&format!("{LOOKUP_PATH}?{EXAMPLE_QUERY}"));
    let waiting = Instant::now();
    while sessions_waiting_for_a_lock(&url).await == 0 {
        assert!(
            waiting.elapsed() < Duration::from_secs(5),
            "the lookup never waits"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Every session of the service; not the blocker's, which holds its lock in a
    // transaction.
    let service_sessions = faulty.cluster.psql(
        "postgres",
        "SELECT pid FROM pg_stat_activity WHERE datname = 'customers' \
         AND backend_type = 'client backend' AND state <> 'idle in transaction'",
    );
    let pids: Vec<u32> = service_sessions
        .lines()
        .filter_map(|line| line.trim().parse().ok())
        .collect();
    assert!(!pids.is_empty(), "the service has sessions");
    faulty.cluster.terminate(&pids);
    blocker.release().await;
    let mut answers = vec![slow.await.expect("the slow lookup")];
    for _ in 0..8 {
        answers.push(faulty.lookup().await);
    }
    for answer in &answers {
        assert!(
            matches!(answer.status, 200 | 503),
            "{answer:?} after the sessions were killed\n{}",
            faulty.service.logs()
        );
    }
    assert_eq!(answers.last().map(|a| a.status), Some(200));
    FaultFigures {
        fault: "killed",
        client_sees: "200 (tried again on a fresh connection) or 503 + Retry-After, never 500"
            .into(),
        recovery: "at once: the next lookups open new connections".into(),
        figures: vec![
            ("sessions_killed", pids.len().to_string()),
            ("statuses", statuses(&answers)),
            ("max_latency_ms", max_ms(&answers).to_string()),
        ],
    }
    .report();
}
