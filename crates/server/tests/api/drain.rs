//! Shutdown under load loses nothing: on SIGTERM `/health/ready` turns 503 at once, every
//! response carries `Connection: close`, the listener keeps accepting for
//! `server.drain_delay_ms`, a request head already half sent is read and answered, and
//! no request started before the listener closed fails.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::{
    EXAMPLE_QUERY, FaultFigures, LOOKUP_PATH, Service, TestBackend, TestDatabase, add_client,
    client, send, suite_tests, url_string,
};
use reqwest::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

suite_tests!("drain":
    sigterm_under_load_fails_no_request_started_before_the_listener_closed,
);

/// The drain delay the binary is started with.
const DRAIN_MS: u64 = 1500;

/// What became of one request of the load.
#[derive(Debug)]
enum Outcome {
    /// Answered, with its status and whether it said `Connection: close`.
    Answered { status: u16, close: bool },
    /// No connection could be made: the listener was closed.
    Refused,
    /// The connection was reset before any answer: made in the last instant before the
    /// listener closed, it was still in the kernel's queue, which resets what it holds
    /// when the socket closes. A refusal in effect, if it comes after the drain delay.
    Reset,
    /// Anything else: a reset, a broken pipe, a connection closed without an answer.
    Failed(String),
}

/// Sends lookups over keep-alive connections (one client, so one connection at a time
/// reused) until a connection is refused or `until` passes; records each outcome with
/// the time it was known.
async fn load(
    address: String,
    bearer: String,
    until: Instant,
    outcomes: Arc<Mutex<Vec<(Instant, Outcome)>>>,
) {
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .pool_max_idle_per_host(1)
        .build()
        .expect("an HTTP client");
    let url = format!("{address}{LOOKUP_PATH}?{EXAMPLE_QUERY}");
    while Instant::now() < until {
        let outcome = match http.get(&url).header("authorization", &bearer).send().await {
            Ok(response) => {
                let close = response
                    .headers()
                    .get("connection")
                    .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"close"));
                let status = response.status().as_u16();
                match response.bytes().await {
                    Ok(_) => Outcome::Answered { status, close },
                    Err(error) => Outcome::Failed(format!("body: {error:?}")),
                }
            }
            Err(error) if error.is_connect() => Outcome::Refused,
            Err(error) if was_reset(&error) => Outcome::Reset,
            Err(error) => Outcome::Failed(format!("{error:?}")),
        };
        let refused = matches!(outcome, Outcome::Refused | Outcome::Reset);
        // When the outcome was known: a request begun just before the listener closed
        // may dial just after it, and that refusal is on time.
        outcomes.lock().await.push((Instant::now(), outcome));
        if refused {
            return;
        }
    }
}

/// Whether `error` is a connection reset by the service before any answer came.
fn was_reset(error: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionReset)
        {
            return true;
        }
        source = cause.source();
    }
    false
}

/// Sends the rest of the request head begun on `half` (after the listener closed): it
/// is answered 200, with `Connection: close`.
async fn finish_the_half_sent_request(mut half: TcpStream, bearer: &str, service: &Service) {
    let rest = format!("Host: x\r\nAuthorization: {bearer}\r\n\r\n");
    if let Err(error) = half.write_all(rest.as_bytes()).await {
        panic!(
            "the rest of the half-sent head cannot be sent: {error}\n{}",
            service.logs()
        );
    }
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), half.read_to_end(&mut answer))
        .await
        .expect("the half-sent request is answered")
        .expect("the answer is read");
    let answer = String::from_utf8_lossy(&answer).to_lowercase();
    assert!(
        answer.starts_with("http/1.1 200"),
        "{answer}\n{}",
        service.logs()
    );
    assert!(answer.contains("connection: close\r\n"), "{answer}");
}

/// Every lookup of the load got its 200, or a refused (or reset, see [`Outcome::Reset`])
/// connection once the drain delay had passed; some answers during the drain said `Connection: close`.
/// Returns the lookups answered and, of those, the ones that said `Connection: close`.
fn assert_none_lost(
    outcomes: &[(Instant, Outcome)],
    signalled: Instant,
    logs: &str,
) -> (usize, usize) {
    let mut answered = 0;
    let mut closing = 0;
    let mut refused_early = Vec::new();
    let mut failed = Vec::new();
    for (ended, outcome) in outcomes {
        match outcome {
            Outcome::Answered { status: 200, close } => {
                answered += 1;
                closing += usize::from(*close);
            }
            Outcome::Answered { status, .. } => failed.push(format!("status {status}")),
            Outcome::Refused | Outcome::Reset => {
                if ended.duration_since(signalled) < Duration::from_millis(DRAIN_MS) {
                    refused_early.push(ended.duration_since(signalled));
                }
            }
            Outcome::Failed(error) => failed.push(error.clone()),
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} requests failed: {failed:?}\n{}",
        failed.len(),
        outcomes.len(),
        logs
    );
    assert!(
        refused_early.is_empty(),
        "connections refused or reset before the drain delay passed: {refused_early:?}"
    );
    assert!(
        closing > 0,
        "answers during the drain say Connection: close ({answered} answered)"
    );
    (answered, closing)
}

/// The real binary with two workers; eight clients send lookups over keep-alive
/// connections; a ninth connection has sent half a request head. SIGTERM: the probes
/// say `draining` (503) while lookups are still answered, with `Connection: close`; no
/// connection is refused before the drain delay has passed; the half-sent head,
/// finished after the listener closed, is answered 200; every lookup started gets its
/// 200 or, once the listener is closed, a refused (or, queued at the close, reset)
/// connection, and none fails otherwise;
/// the process exits 0.
async fn sigterm_under_load_fails_no_request_started_before_the_listener_closed(
    backend: TestBackend,
) {
    let database = TestDatabase::with_demo_data(backend).await;
    let bearer = format!(
        "Bearer {}",
        add_client(database.url(), "drain", "all", Some("1000000/s")).await
    );
    let folder = tempfile::tempdir().expect("a working folder");
    let url = url_string(database.url());
    let drain = DRAIN_MS.to_string();
    let mut service = Service::start(
        folder.path(),
        &[
            ("DATABASE_URL", url.as_str()),
            ("APP__DATABASE__MIGRATE_ON_START", "false"),
            ("APP__DATABASE__SEED_DEMO_WHEN_EMPTY", "false"),
            ("APP__SERVER__WORKERS", "2"),
            ("APP__SERVER__DRAIN_DELAY_MS", drain.as_str()),
            ("APP__SERVER__SHUTDOWN_GRACE_SECS", "10"),
            // Time for the half-sent head, which waits out the drain.
            ("APP__SERVER__CLIENT_REQUEST_TIMEOUT_MS", "20000"),
        ],
    )
    .await;
    let address = service.address();

    // Half a request head, on a connection accepted before SIGTERM.
    let mut half = TcpStream::connect(("127.0.0.1", service.port))
        .await
        .expect("a connection");
    half.write_all(format!("GET {LOOKUP_PATH}?{EXAMPLE_QUERY} HTTP/1.1\r\n").as_bytes())
        .await
        .expect("half a head is sent");

    let outcomes = Arc::new(Mutex::new(Vec::new()));
    let until = Instant::now() + Duration::from_secs(20);
    let clients: Vec<_> = (0..8)
        .map(|_| {
            tokio::spawn(load(
                address.clone(),
                bearer.clone(),
                until,
                outcomes.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(
        !outcomes.lock().await.is_empty(),
        "the load runs before SIGTERM\n{}",
        service.logs()
    );

    // Taken before the signal is sent: the service may start its drain delay before this
    // thread runs again, on a loaded machine some milliseconds later.
    let signalled = Instant::now();
    service.send_sigterm();
    let probes = client();
    let ready_url = format!("{address}/health/ready");
    let mut draining_seen = false;
    while signalled.elapsed() < Duration::from_millis(DRAIN_MS / 2) {
        let ready = send(&probes, Method::GET, &ready_url, &[]).await;
        if ready.status == 503 && ready.json()["status"] == "draining" {
            draining_seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        draining_seen,
        "/health/ready says draining within half the drain delay\n{}",
        service.logs()
    );

    for task in clients {
        task.await.expect("a load client");
    }
    let closed_after = signalled.elapsed();

    finish_the_half_sent_request(half, &bearer, &service).await;

    let status = service.wait_for_exit(Duration::from_secs(15)).await;
    assert!(status.success(), "exit status {status}\n{}", service.logs());

    let (answered, closing) = assert_none_lost(&outcomes.lock().await, signalled, &service.logs());
    assert!(
        closed_after >= Duration::from_millis(DRAIN_MS),
        "the listener closed after {closed_after:?}"
    );
    if backend == TestBackend::Postgres {
        FaultFigures {
            fault: "sigterm",
            client_sees: "/health/ready 503 `draining` at once; answers carry `Connection: \
                          close`; the listener closes after the drain delay; a half-sent head \
                          is answered"
                .into(),
            recovery: "exit 0 once the open connections end".into(),
            figures: vec![
                ("answered", format!("200:{answered}")),
                ("failed", "0".into()),
                ("connection_close", closing.to_string()),
                ("drain_delay_ms", DRAIN_MS.to_string()),
                ("listener_closed_ms", closed_after.as_millis().to_string()),
            ],
        }
        .report();
    }
    drop(database);
}
