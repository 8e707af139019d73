//! Graceful shutdown of the real binary: after SIGTERM it accepts no new connection, lets
//! the request in flight finish, and exits 0.

use std::time::{Duration, Instant};

use crate::support::{
    EXAMPLE_QUERY, LOOKUP_PATH, Service, SuiteTest, TestBackend, TestDatabase, TestResponse,
    add_client, assert_is_the_example, client, send, suite_tests, url_string,
};
use customer_infrastructure::DatabaseUrl;
use reqwest::Method;
use tokio::task::JoinHandle;

use crate::db::{ReadBlocker, reads_wait, sessions_waiting_for_a_lock};

suite_tests!("shutdown":
    an_in_flight_lookup_completes_after_sigterm_and_the_process_exits_0,
);

/// Run as `postgres::...` only.
pub const POSTGRES_ONLY: &[(&str, SuiteTest)] = &[(
    "shutdown::an_in_flight_lookup_completes_after_sigterm_while_the_idle_worker_stops",
    |backend| {
        Box::pin(an_in_flight_lookup_completes_after_sigterm_while_the_idle_worker_stops(backend))
    },
)];

/// The grace period the binary is started with.
const GRACE_SECS: u64 = 15;

/// Waits until the lookup is blocked in the database: PostgreSQL: a session of the
/// database waits for a lock; both: the lookup has not answered after a while.
async fn wait_until_blocked(
    url: &DatabaseUrl,
    lookup: &JoinHandle<TestResponse>,
    service: &Service,
) {
    if let DatabaseUrl::Postgres(url) = url {
        let started = Instant::now();
        while sessions_waiting_for_a_lock(url).await == 0 {
            assert!(
                !lookup.is_finished(),
                "the lookup answered although customer_versions is locked\n{}",
                service.logs()
            );
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "no session waits for the lock after 5 s\n{}",
                service.logs()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
}

/// 500 ms after SIGTERM: the lookup is still in flight, the process still runs, and a
/// new connection is refused. Gives the lookup back.
async fn still_in_flight_and_not_accepting(
    lookup: JoinHandle<TestResponse>,
    service: &mut Service,
) -> JoinHandle<TestResponse> {
    if lookup.is_finished() {
        let outcome = match lookup.await {
            Ok(response) => format!("it answered {}: {}", response.status, response.body),
            Err(error) => format!("it failed: {error}"),
        };
        panic!(
            "the lookup is no longer in flight 500 ms after SIGTERM, with the lock still \
             held: {outcome}\n{}",
            service.logs()
        );
    }
    assert!(
        service.is_running(),
        "the process waits for the request in flight\n{}",
        service.logs()
    );
    match tokio::net::TcpStream::connect(("127.0.0.1", service.port)).await {
        Err(error) => assert_eq!(
            error.kind(),
            std::io::ErrorKind::ConnectionRefused,
            "a new connection is refused: {error}"
        ),
        Ok(_) => panic!(
            "a new connection is accepted 500 ms after SIGTERM\n{}",
            service.logs()
        ),
    }
    lookup
}

/// PostgreSQL: a transaction of the test holds `LOCK TABLE customer_versions IN ACCESS
/// EXCLUSIVE MODE`; the service's lookup waits for it. SQLite: a connection of the test
/// in `locking_mode = EXCLUSIVE` wrote inside `BEGIN EXCLUSIVE` before the service opened
/// any connection (with SQLite's WAL, an exclusive lock cannot be taken while another
/// connection has the database open); the service's lookup must wait for it up to
/// `busy_timeout` (`database.statement_timeout_ms`, 5 s).
///
/// Then SIGTERM: 500 ms later the lookup still waits, the process still runs, and a new
/// connection is refused. The lock is released: the lookup answers 200 with the exact
/// example, and the process exits 0 within the grace period.
async fn an_in_flight_lookup_completes_after_sigterm_and_the_process_exits_0(backend: TestBackend) {
    in_flight_lookup_survives_sigterm(backend, false).await;
}

/// The same with PostgreSQL and two workers, after a lookup served by the other worker,
/// which has opened a connection of its own and is idle when SIGTERM comes (consecutive
/// connections go to the workers in turn): actix stops idle workers first, and that must
/// not touch the lookup still in flight on the other.
///
/// PostgreSQL only: a SQLite connection has no task of its own on a worker's runtime,
/// and SQLite could not be blocked once the service has a connection open.
async fn an_in_flight_lookup_completes_after_sigterm_while_the_idle_worker_stops(
    backend: TestBackend,
) {
    in_flight_lookup_survives_sigterm(backend, true).await;
}

async fn in_flight_lookup_survives_sigterm(backend: TestBackend, warm_the_other_worker: bool) {
    let database = TestDatabase::with_demo_data(backend).await;
    let folder = tempfile::tempdir().expect("an empty working folder");
    let url = url_string(database.url());
    let grace = GRACE_SECS.to_string();
    let bearer = format!(
        "Bearer {}",
        add_client(database.url(), "shutdown", "all", None).await
    );
    let mut service = Service::start(
        folder.path(),
        &[
            ("DATABASE_URL", url.as_str()),
            ("APP__DATABASE__MIGRATE_ON_START", "false"),
            ("APP__DATABASE__SEED_DEMO_WHEN_EMPTY", "false"),
            ("APP__DATABASE__MAX_CONNECTIONS", "2"),
            ("APP__SERVER__WORKERS", "2"),
            ("APP__SERVER__SHUTDOWN_GRACE_SECS", grace.as_str()),
            // The listener closes at once (the drain before it is tests/api/drain.rs's).
            ("APP__SERVER__DRAIN_DELAY_MS", "0"),
        ],
    )
    .await;
    if warm_the_other_worker {
        // On a connection of its own, closed at once: its worker is idle afterwards.
        let warm = client();
        let url = format!("{}{LOOKUP_PATH}?{EXAMPLE_QUERY}", service.address());
        let response = send(&warm, Method::GET, &url, &[("authorization", &bearer)]).await;
        assert_eq!(response.status, 200, "{}", response.body);
    }

    let blocker = ReadBlocker::lock(database.url()).await;
    assert!(
        reads_wait(database.url()).await,
        "the lock makes reads of customer_versions wait"
    );
    let lookup = {
        let client = client();
        let url = format!("{}{LOOKUP_PATH}?{EXAMPLE_QUERY}", service.address());
        let bearer = bearer.clone();
        tokio::spawn(async move {
            send(&client, Method::GET, &url, &[("authorization", &bearer)]).await
        })
    };
    wait_until_blocked(database.url(), &lookup, &service).await;
    if lookup.is_finished() {
        let response = lookup.await.expect("the lookup task");
        panic!(
            "the lookup did not wait for the lock: it answered {} at once: {}\n{}",
            response.status,
            response.body,
            service.logs()
        );
    }

    service.send_sigterm();
    let signalled = Instant::now();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let lookup = still_in_flight_and_not_accepting(lookup, &mut service).await;

    blocker.release().await;
    let response = tokio::time::timeout(Duration::from_secs(10), lookup)
        .await
        .expect("the lookup answers once the lock is released")
        .expect("the lookup task");
    assert_is_the_example(&response, &service.logs());

    let status = service.wait_for_exit(Duration::from_secs(GRACE_SECS)).await;
    assert!(
        status.success(),
        "exit status {status} after SIGTERM\n{}",
        service.logs()
    );
    assert!(
        signalled.elapsed() < Duration::from_secs(GRACE_SECS),
        "the process exited within the grace period ({:?} after SIGTERM)",
        signalled.elapsed()
    );
    drop(database);
}
