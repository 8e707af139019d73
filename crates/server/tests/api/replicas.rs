//! Read replicas and a primary of several hosts, with real servers: a private primary and
//! a streaming replica of it (`pg_basebackup -R`). Lookups are read from the replica (its
//! statements rise, the primary's do not); a replica stopped under load costs at most
//! the lookups under way on it; a lagging replica leaves rotation and comes back; after
//! a failover the service finds the promoted replica by itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::support::{
    EXAMPLE_QUERY, FaultFigures, LOOKUP_PATH, PrivateCluster, Service, SuiteTest, TestBackend,
    client,
};
use serde_json::Value;

use crate::faults::{Answer, get, statuses};

/// Run as `postgres::...` only: each starts servers of its own.
pub const TESTS: &[(&str, SuiteTest)] = &[
    ("replicas::lookups_are_read_from_the_replica", |backend| {
        Box::pin(lookups_are_read_from_the_replica(backend))
    }),
    ("replicas::a_stopped_replica_under_load", |backend| {
        Box::pin(a_stopped_replica_under_load(backend))
    }),
    ("replicas::a_lagging_replica_leaves_rotation", |backend| {
        Box::pin(a_lagging_replica_leaves_rotation(backend))
    }),
    ("replicas::failover_to_a_promoted_replica", |backend| {
        Box::pin(failover_to_a_promoted_replica(backend))
    }),
];

/// The table every lookup reads: its statements are counted in each server's log.
const LOOKED_UP: &str = "customer_versions";

/// The service over a private primary and a replica of it.
struct Replicated {
    // Dropped first: the service, then the servers, then the service's folder.
    service: Service,
    replica: PrivateCluster,
    primary: PrivateCluster,
    _folder: tempfile::TempDir,
    bearer: String,
    client: reqwest::Client,
}

/// A primary logging its statements, and a replica of it.
async fn primary_and_replica() -> (PrivateCluster, PrivateCluster) {
    tokio::task::spawn_blocking(|| {
        let primary = PrivateCluster::start();
        primary.log_statements();
        let replica = PrivateCluster::replica_of(&primary);
        (primary, replica)
    })
    .await
    .expect("the servers start")
}

/// The service over `database_url`, with the demo data; `env` adds settings.
async fn service(database_url: &str, env: &[(&str, &str)]) -> (Service, tempfile::TempDir) {
    let folder = tempfile::tempdir().expect("a folder");
    let mut all = vec![
        ("DATABASE_URL", database_url),
        ("APP__SERVER__WORKERS", "2"),
        ("APP__DATABASE__MAX_CONNECTIONS", "4"),
        ("APP__AUTH__DEFAULT_RATE_LIMIT", "1000000/s"),
    ];
    all.extend_from_slice(env);
    (Service::start(folder.path(), &all).await, folder)
}

impl Replicated {
    /// Started, with the replica in rotation.
    async fn start(env: &[(&str, &str)]) -> Self {
        let (primary, replica) = primary_and_replica().await;
        let replica_url = replica.url();
        let mut all = vec![
            ("APP__DATABASE__REPLICA_URLS", replica_url.as_str()),
            ("APP__DATABASE__REPLICA_CHECK_INTERVAL_MS", "200"),
        ];
        all.extend_from_slice(env);
        let (service, folder) = service(&primary.url(), &all).await;
        let bearer = format!("Bearer {}", service.demo_key().await);
        let replicated = Self {
            service,
            replica,
            primary,
            _folder: folder,
            bearer,
            client: client(),
        };
        replicated.wait_for_rotation(true).await;
        replicated
    }

    async fn get(&self, path: &str) -> Answer {
        get(&self.client, &self.service.address(), &self.bearer, path).await
    }

    async fn lookup(&self) -> Answer {
        self.get(&format!("{LOOKUP_PATH}?{EXAMPLE_QUERY}")).await
    }

    /// `/health/ready`: its status and body.
    async fn ready(&self) -> (u16, Value) {
        let response = self
            .client
            .get(format!("{}/health/ready", self.service.address()))
            .send()
            .await
            .expect("readiness answers");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON body"))
    }

    /// The replica as `/health/ready` shows it.
    async fn replica_state(&self) -> Value {
        let (_, body) = self.ready().await;
        body["replicas"][0].clone()
    }

    /// Waits until the replica is in rotation (`healthy`) or out of it; returns how long
    /// that took. The test fails after 30 s.
    async fn wait_for_rotation(&self, healthy: bool) -> Duration {
        let started = Instant::now();
        loop {
            let state = self.replica_state().await;
            if state["healthy"] == healthy {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the replica is not {} after 30 s: {state}\n{}",
                if healthy {
                    "in rotation"
                } else {
                    "out of rotation"
                },
                self.service.logs()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The statements that read customers so far: on the primary, on the replica.
    fn statements(&self) -> (usize, usize) {
        (
            self.primary.statements_on(LOOKED_UP),
            self.replica.statements_on(LOOKED_UP),
        )
    }

    /// The value of the `/metrics` line that begins with `series`.
    async fn metric(&self, series: &str) -> f64 {
        let text = self
            .client
            .get(format!("{}/metrics", self.service.address()))
            .send()
            .await
            .expect("metrics answer")
            .text()
            .await
            .expect("a body");
        text.lines()
            .find(|line| line.starts_with(series))
            .and_then(|line| line.rsplit(' ').next()?.parse().ok())
            .unwrap_or_else(|| panic!("no {series} in /metrics:\n{text}"))
    }
}

/// Lookups are read from the replica, not the primary; a customer added on the primary
/// is found once the replica has replayed it.
async fn lookups_are_read_from_the_replica(_backend: TestBackend) {
    const LOOKUPS: usize = 20;
    let replicated = Replicated::start(&[]).await;
    let (primary_before, replica_before) = replicated.statements();
    for _ in 0..LOOKUPS {
        let answer = replicated.lookup().await;
        assert_eq!(answer.status, 200, "{}", replicated.service.logs());
    }
    let (primary_after, replica_after) = replicated.statements();
    assert_eq!(
        primary_after, primary_before,
        "no lookup statement ran on the primary"
    );
    assert!(
        replica_after >= replica_before + LOOKUPS,
        "{LOOKUPS} lookups, {} statements on the replica",
        replica_after - replica_before
    );
    let served = replicated
        .metric("db_lookups_total{target=\"replica-1\"}")
        .await;
    assert!(served >= 20.0, "db_lookups_total of the replica: {served}");
    assert!(
        (replicated
            .metric("db_replica_healthy{replica=\"replica-1\"}")
            .await
            - 1.0)
            .abs()
            < f64::EPSILON
    );
    let (status, body) = replicated.ready().await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["replicas"][0]["name"], "replica-1", "{body}");
    assert!(body["replicas"][0]["lag_ms"].is_u64(), "{body}");
    assert!(
        body["replicas"][0]["pool"]["open"]
            .as_u64()
            .is_some_and(|open| open > 0),
        "{body}"
    );
    // A customer added on the primary: a copy of the example customer's current version.
    replicated.primary.psql(
        "customers",
        "INSERT INTO customers (customer_id, company_id) \
             SELECT 990001, company_id FROM customers WHERE customer_id = 54218; \
         CREATE TEMPORARY TABLE added AS SELECT * FROM customer_versions \
             WHERE customer_id = 54218 AND end_date IS NULL; \
         UPDATE added SET customer_id = 990001, \
             version_id = (SELECT max(version_id) + 1 FROM customer_versions); \
         INSERT INTO customer_versions SELECT * FROM added",
    );
    let Replicated {
        primary, replica, ..
    } = &replicated;
    tokio::task::block_in_place(|| replica.wait_replayed(primary));
    let response = replicated
        .client
        .get(format!(
            "{}{LOOKUP_PATH}?companyCode=jtc&customerId=990001&identificationNo=2103232123\
             &mobileNumber=568617084&lang=ar",
            replicated.service.address(),
        ))
        .header("authorization", &replicated.bearer)
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert!(
        body.to_string().contains("990001"),
        "the added customer is found: {body}"
    );
}

/// One lookup of the load: when it was sent, when answered, and the answer.
type Sent = (Instant, Instant, Answer);

/// Lookups on `clients` concurrent connections until `stop` is set.
fn load(
    replicated: &Replicated,
    clients: usize,
    stop: &Arc<AtomicBool>,
) -> Vec<tokio::task::JoinHandle<Vec<Sent>>> {
    (0..clients)
        .map(|_| {
            let (client, address, bearer, stop) = (
                replicated.client.clone(),
                replicated.service.address(),
                replicated.bearer.clone(),
                stop.clone(),
            );
            tokio::spawn(async move {
                let path = format!("{LOOKUP_PATH}?{EXAMPLE_QUERY}");
                let mut sent = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let at = Instant::now();
                    let answer = get(&client, &address, &bearer, &path).await;
                    sent.push((at, Instant::now(), answer));
                }
                sent
            })
        })
        .collect()
}

/// The replica stopped (`pg_ctl stop -m immediate`) under load: only lookups under way
/// at that moment may fail; the others are answered by the primary; once the replica is
/// back, lookups go to it again.
async fn a_stopped_replica_under_load(_backend: TestBackend) {
    const CLIENTS: usize = 4;
    let mut replicated = Replicated::start(&[]).await;
    let stop = Arc::new(AtomicBool::new(false));
    let clients = load(&replicated, CLIENTS, &stop);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let stop_began = Instant::now();
    tokio::task::block_in_place(|| replicated.replica.stop());
    let stop_done = Instant::now();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let primary_served = replicated
        .metric("db_lookups_total{target=\"primary\"}")
        .await;
    // Lookups fall back to the primary: still ready, the replica shown out of rotation.
    let (status, body) = replicated.ready().await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["replicas"][0]["healthy"], false, "{body}");
    assert!(
        replicated
            .metric("db_replica_healthy{replica=\"replica-1\"}")
            .await
            .abs()
            < f64::EPSILON
    );
    tokio::task::block_in_place(|| replicated.replica.start_again());
    let back_in_rotation = replicated.wait_for_rotation(true).await;
    let (_, replica_before) = replicated.statements();
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::Relaxed);
    let mut sent = Vec::new();
    for client in clients {
        sent.extend(client.await.expect("the client ran"));
    }
    let (_, replica_after) = replicated.statements();
    // Under way at the stop: sent before it ended, answered after it began.
    let in_flight = sent
        .iter()
        .filter(|(at, done, _)| *at < stop_done && *done > stop_began)
        .count();
    let failed: Vec<&Sent> = sent.iter().filter(|(_, _, a)| a.status != 200).collect();
    let logs = replicated.service.logs();
    assert!(
        failed.len() <= in_flight,
        "{} failed, {in_flight} under way at the stop\n{logs}",
        failed.len()
    );
    for (at, _, answer) in &failed {
        assert!(*at < stop_done, "{answer:?} sent after the stop\n{logs}");
    }
    assert!(
        primary_served > 0.0,
        "the primary answered while the replica was down"
    );
    assert!(
        replica_after > replica_before,
        "lookups went back to the replica\n{logs}"
    );
    let answers: Vec<Answer> = sent.iter().map(|(_, _, answer)| *answer).collect();
    FaultFigures {
        fault: "replica-stopped",
        client_sees:
            "lookups under way on the replica at most fail; the others are read from the primary"
                .into(),
        recovery: "back in rotation at the first check that reaches it".into(),
        figures: vec![
            ("lookups", answers.len().to_string()),
            ("statuses", statuses(&answers)),
            ("in_flight_at_stop", in_flight.to_string()),
            ("failed", failed.len().to_string()),
            (
                "back_in_rotation_ms",
                back_in_rotation.as_millis().to_string(),
            ),
        ],
    }
    .report();
}

/// A replica whose replay is paused while the primary writes leaves rotation once it
/// lags more than the bound, and comes back when replay resumes; meanwhile, with
/// `replica_fallback = "unavailable"`, lookups are 503 with `Retry-After` and the
/// service is not ready.
async fn a_lagging_replica_leaves_rotation(_backend: TestBackend) {
    let replicated = Replicated::start(&[
        ("APP__DATABASE__MAX_REPLICA_LAG_MS", "1000"),
        ("APP__DATABASE__REPLICA_FALLBACK", "unavailable"),
    ])
    .await;
    assert_eq!(replicated.lookup().await.status, 200);
    replicated.replica.pause_replay();
    replicated
        .primary
        .psql("customers", "CREATE TABLE lag_marks (at timestamptz)");
    // The primary keeps writing, as it would in production.
    let writing = Arc::new(AtomicBool::new(true));
    let writer = {
        let writing = writing.clone();
        let port = replicated.primary.port().to_string();
        std::thread::spawn(move || {
            while writing.load(Ordering::Relaxed) {
                let _ = std::process::Command::new("psql")
                    .args(["-h", "127.0.0.1", "-p", &port])
                    .args(["-U", "postgres", "-d", "customers", "-qAt"])
                    .args(["-c", "INSERT INTO lag_marks VALUES (now())"])
                    .output();
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    let out_after = replicated.wait_for_rotation(false).await;
    let state = replicated.replica_state().await;
    assert!(
        state["reason"]
            .as_str()
            .is_some_and(|reason| reason.contains("max_replica_lag_ms")),
        "{state}"
    );
    let answer = replicated.lookup().await;
    assert_eq!(answer.status, 503, "no replica, no fallback");
    assert!(answer.retry_after, "503 with Retry-After");
    let (status, body) = replicated.ready().await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body["reason"]
            .as_str()
            .is_some_and(|reason| reason.contains("read_replicas")),
        "{body}"
    );
    replicated.replica.resume_replay();
    let back_after = replicated.wait_for_rotation(true).await;
    writing.store(false, Ordering::Relaxed);
    writer.join().expect("the writer ran");
    assert_eq!(replicated.lookup().await.status, 200);
    assert_eq!(replicated.ready().await.0, 200);
    println!(
        "REPLICA lagging out_of_rotation_after_ms={} back_after_resume_ms={}",
        out_after.as_millis(),
        back_after.as_millis()
    );
}

/// The primary named as two hosts with `target_session_attrs=read-write`: the old
/// primary stopped and the replica promoted, lookups (audited, on the new primary)
/// succeed again without a restart of the service.
async fn failover_to_a_promoted_replica(_backend: TestBackend) {
    let (mut primary, replica) = primary_and_replica().await;
    let url = PrivateCluster::multi_host_url(&[&primary, &replica]);
    let (service, _folder) = service(&url, &[]).await;
    let bearer = format!("Bearer {}", service.demo_key().await);
    let client = client();
    let path = format!("{LOOKUP_PATH}?{EXAMPLE_QUERY}");
    for _ in 0..4 {
        let answer = get(&client, &service.address(), &bearer, &path).await;
        assert_eq!(answer.status, 200, "{}", service.logs());
    }
    tokio::task::block_in_place(|| primary.stop());
    let stopped = Instant::now();
    // No primary: the replica refuses writes (`target_session_attrs=read-write`).
    let answer = get(&client, &service.address(), &bearer, &path).await;
    assert_eq!(answer.status, 503, "{answer:?}");
    assert!(answer.retry_after, "503 with Retry-After");
    tokio::task::block_in_place(|| replica.promote());
    let promoted = Instant::now();
    let mut failed = 0;
    loop {
        let answer = get(&client, &service.address(), &bearer, &path).await;
        if answer.status == 200 {
            break;
        }
        failed += 1;
        assert!(
            promoted.elapsed() < Duration::from_secs(60),
            "no 200 within 60 s of the promotion: {answer:?}\n{}",
            service.logs()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let recovered = promoted.elapsed();
    // Audited on the new primary (the audit trail is synchronous by default).
    let audited = |server: &PrivateCluster| -> u64 {
        server
            .psql("customers", "SELECT count(*) FROM audit_disclosures")
            .parse()
            .expect("a count")
    };
    let before = audited(&replica);
    for _ in 0..4 {
        let answer = get(&client, &service.address(), &bearer, &path).await;
        assert_eq!(answer.status, 200, "{}", service.logs());
    }
    assert!(
        audited(&replica) >= before + 4,
        "audited on the new primary"
    );
    FaultFigures {
        fault: "primary-failover",
        client_sees: "503 with Retry-After until the replica is promoted".into(),
        recovery: "first 200 from the promoted replica, no restart".into(),
        figures: vec![
            (
                "down_before_promotion_ms",
                (promoted - stopped).as_millis().to_string(),
            ),
            (
                "recovery_after_promotion_ms",
                recovered.as_millis().to_string(),
            ),
            ("failed_while_polling", failed.to_string()),
        ],
    }
    .report();
}
