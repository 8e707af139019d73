//! `/health/ready` tells the truth: it runs what a lookup needs (the lookup's statements,
//! the key lookup, the audit trail's insert privilege), names the check that failed,
//! answers within its own bound when the database hangs, shares one check among
//! concurrent probes, and logs a broken schema once, not at every probe or lookup.

use std::time::{Duration, Instant};

use crate::support::{
    EXAMPLE_QUERY, FaultFigures, LOOKUP_PATH, Service, SuiteTest, TestApp, TestBackend,
    TestDatabase, TestResponse, add_client, client, send, suite_tests, test_settings, url_string,
};
use customer_infrastructure::DatabaseUrl;
use reqwest::Method;
use serde_json::Value;

use crate::db::{ReadBlocker, RestrictedRole, execute, sessions_waiting_for_a_lock};

suite_tests!("readiness":
    ready_lists_every_check_it_ran,
    a_renamed_customer_table_is_not_ready_is_logged_once_and_recovers,
);

/// Run as `postgres::...` only: privileges and table locks held by another session.
pub const POSTGRES_ONLY: &[(&str, SuiteTest)] = &[
    (
        "readiness::a_revoked_grant_is_not_ready_naming_the_check",
        |backend| Box::pin(a_revoked_grant_is_not_ready_naming_the_check(backend)),
    ),
    (
        "readiness::a_locked_table_gives_a_prompt_503_and_concurrent_probes_share_one_check",
        |backend| {
            Box::pin(
                a_locked_table_gives_a_prompt_503_and_concurrent_probes_share_one_check(backend),
            )
        },
    ),
];

/// How many lookups the renamed-table test sends.
const LOOKUPS: u32 = 20;

/// The checks of a readiness answer, as `(name, status)`.
fn checks(body: &Value) -> Vec<(String, String)> {
    body["checks"]
        .as_array()
        .unwrap_or_else(|| panic!("a readiness answer lists its checks: {body}"))
        .iter()
        .map(|check| {
            (
                check["name"].as_str().unwrap_or_default().to_owned(),
                check["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The reason given for the check `name`.
fn check_reason(body: &Value, name: &str) -> String {
    body["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|check| check["name"] == name)
        .and_then(|check| check["reason"].as_str())
        .unwrap_or_default()
        .to_owned()
}

/// Probes `get` until it answers `status`, at most for `within`; the last answer.
async fn probe_until<F, Fut>(get: F, status: u16, within: Duration) -> TestResponse
where
    F: Fn() -> Fut,
    Fut: Future<Output = TestResponse>,
{
    let started = Instant::now();
    loop {
        let response = get().await;
        if response.status == status || started.elapsed() > within {
            return response;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A sample of `family` in Prometheus text whose labels include each of `labels`; 0
/// when there is none.
pub fn metric(text: &str, family: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|line| line.starts_with(&format!("{family}{{")))
        .filter(|line| labels.iter().all(|label| line.contains(label)))
        .filter_map(|line| line.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum()
}

async fn ready_lists_every_check_it_ran(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let response = app.get("/health/ready").await;
    assert_eq!(response.status, 200, "{}", response.body);
    let body = response.json();
    assert_eq!(body["status"], "ready", "{body}");
    assert_eq!(
        checks(&body),
        [
            ("migrations", "ok"),
            ("customer_lookup", "ok"),
            ("api_keys", "ok"),
            ("audit_insert", "ok")
        ]
        .map(|(name, status)| (name.to_owned(), status.to_owned()))
    );
}

/// The real binary, JSON logs, over the demo data; `customer_versions` is renamed while
/// it runs. `/health/ready` turns 503 naming `customer_lookup` (the migrations are
/// still current: the old check said ready); lookups are 500 problems that name no
/// table; each is counted in `server_faults_total`; the cause is logged at ERROR once
/// by the probes and once by the lookups, however many there were. The table renamed
/// back, the service is ready again.
async fn a_renamed_customer_table_is_not_ready_is_logged_once_and_recovers(backend: TestBackend) {
    let database = TestDatabase::with_demo_data(backend).await;
    let bearer = format!(
        "Bearer {}",
        add_client(database.url(), "readiness", "all", None).await
    );
    let folder = tempfile::tempdir().expect("a working folder");
    let url = url_string(database.url());
    let service = Service::start(
        folder.path(),
        &[
            ("DATABASE_URL", url.as_str()),
            ("APP__DATABASE__MIGRATE_ON_START", "false"),
            ("APP__DATABASE__SEED_DEMO_WHEN_EMPTY", "false"),
            ("APP__SERVER__WORKERS", "1"),
            ("APP__SERVER__READINESS_CACHE_MS", "100"),
            ("APP__LOG__FORMAT", "json"),
        ],
    )
    .await;
    let http = client();
    let ready_url = format!("{}/health/ready", service.address());
    let ready = || send(&http, Method::GET, &ready_url, &[]);
    let lookup_url = format!("{}{LOOKUP_PATH}?{EXAMPLE_QUERY}", service.address());
    let first = ready().await;
    assert_eq!(first.status, 200, "{}\n{}", first.body, service.logs());

    execute(
        database.url(),
        "ALTER TABLE customer_versions RENAME TO customer_versions_moved",
    )
    .await;
    let renamed = Instant::now();
    let broken = probe_until(&ready, 503, Duration::from_secs(5)).await;
    let not_ready_after = renamed.elapsed();
    assert_eq!(broken.status, 503, "{}\n{}", broken.body, service.logs());
    let body = broken.json();
    assert_eq!(body["status"], "unavailable", "{body}");
    assert_eq!(
        checks(&body)[..2],
        [
            ("migrations".to_owned(), "ok".to_owned()),
            ("customer_lookup".to_owned(), "failed".to_owned())
        ],
        "{body}"
    );
    let reason = body["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("customer_lookup") && reason.contains("missing"),
        "{body}"
    );
    assert!(check_reason(&body, "customer_lookup").contains("missing"));

    lookups_fail_without_internals(&http, &lookup_url, &bearer).await;
    // More probes, each after the 100 ms reuse period: each runs the check again.
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert_eq!(ready().await.status, 503);
    }
    let metrics = send(
        &http,
        Method::GET,
        &format!("{}/metrics", service.address()),
        &[],
    )
    .await;
    let faults = |labels: &[&str]| metric(&metrics.body, "server_faults_total", labels);
    assert!(
        faults(&["source=\"request\"", "cause=\"schema\""]) >= f64::from(LOOKUPS),
        "every failed lookup is counted\n{}",
        metrics.body
    );
    assert!(
        faults(&["source=\"customer_lookup\"", "cause=\"schema\""]) >= 2.0,
        "every failed check is counted\n{}",
        metrics.body
    );

    execute(
        database.url(),
        "ALTER TABLE customer_versions_moved RENAME TO customer_versions",
    )
    .await;
    let restored = Instant::now();
    let recovered = probe_until(&ready, 200, Duration::from_secs(5)).await;
    assert_eq!(recovered.status, 200, "{}", recovered.body);
    let ready_again_after = restored.elapsed();
    let response = send(
        &http,
        Method::GET,
        &lookup_url,
        &[("authorization", &bearer)],
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);

    assert_logged_once(&service).await;
    if backend == TestBackend::Postgres {
        report_renamed(not_ready_after, ready_again_after);
    }
    drop(service);
    drop(database);
}

/// The renamed table's row of `docs/reliability.md`.
fn report_renamed(not_ready_after: Duration, ready_again_after: Duration) {
    FaultFigures {
        fault: "renamed",
        client_sees: "lookups: 500 problem naming no table; /health/ready: 503 naming \
                      `customer_lookup`; logged at ERROR once"
            .into(),
        recovery: "renamed back: ready at the next check, lookups 200 at once".into(),
        figures: vec![
            ("statuses", format!("500:{LOOKUPS}")),
            ("not_ready_ms", not_ready_after.as_millis().to_string()),
            ("error_lines", "2".into()),
            ("recovery_ms", ready_again_after.as_millis().to_string()),
        ],
    }
    .report();
}

/// [`LOOKUPS`] lookups, each a 500 problem that names no table.
async fn lookups_fail_without_internals(http: &reqwest::Client, url: &str, bearer: &str) {
    for _ in 0..LOOKUPS {
        let response = send(http, Method::GET, url, &[("authorization", bearer)]).await;
        assert_eq!(response.status, 500, "{}", response.body);
        response.problem();
        let text = response.body.to_lowercase();
        for internal in ["customer_versions", "relation", "table", "sql"] {
            assert!(!text.contains(internal), "{internal} in {}", response.body);
        }
    }
}

/// The schema fault is logged at ERROR twice in all: once by the readiness check, once
/// by the lookups; nothing else is an error.
async fn assert_logged_once(service: &Service) {
    // The log is written by a thread of its own: wait for the recovery line.
    let started = Instant::now();
    while !service.stdout().contains("passes again") && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let errors: Vec<Value> = service
        .stdout()
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["level"] == "ERROR")
        .collect();
    let about =
        |field: &str, value: &str| errors.iter().filter(|line| line[field] == value).count();
    assert_eq!(
        about("check", "customer_lookup"),
        1,
        "the failed check is logged once\n{}",
        service.logs()
    );
    assert_eq!(
        about("cause", "schema"),
        2,
        "one line from the probes, one from the lookups\n{}",
        service.logs()
    );
    assert_eq!(errors.len(), 2, "no other error\n{}", service.logs());
}

/// The service connects as a role of its own, granted what it needs; then a grant is
/// revoked at a time: `SELECT` on `customer_versions` fails `customer_lookup`, `SELECT`
/// on `api_keys` fails `api_keys`, `INSERT` on `audit_disclosures` fails `audit_insert`,
/// each with "permission denied"; granted again, the service is ready again.
async fn a_revoked_grant_is_not_ready_naming_the_check(backend: TestBackend) {
    let database = TestDatabase::with_demo_data(backend).await;
    let role = RestrictedRole::create(database.url()).await;
    let mut settings = test_settings(&role.url);
    settings.server.readiness_cache = Duration::from_millis(100);
    let app = TestApp::spawn_with(settings, Some(database)).await;
    let admin = app.database().expect("a database").url().clone();
    let ready = || app.get("/health/ready");
    assert_eq!(ready().await.status, 200, "{}", ready().await.body);
    let (mut not_ready_ms, mut recovery_ms) = (0, 0);
    for (privilege, table, check) in [
        ("SELECT", "customer_versions", "customer_lookup"),
        ("SELECT", "api_keys", "api_keys"),
        ("INSERT", "audit_disclosures", "audit_insert"),
    ] {
        execute(
            &admin,
            &format!("REVOKE {privilege} ON {table} FROM {}", role.name),
        )
        .await;
        let revoked = Instant::now();
        let response = probe_until(ready, 503, Duration::from_secs(5)).await;
        not_ready_ms = not_ready_ms.max(revoked.elapsed().as_millis());
        assert_eq!(response.status, 503, "{table}: {}", response.body);
        let body = response.json();
        let failed: Vec<String> = checks(&body)
            .into_iter()
            .filter(|(_, status)| status == "failed")
            .map(|(name, _)| name)
            .collect();
        assert_eq!(failed, [check], "{body}");
        assert!(
            check_reason(&body, check).contains("permission denied"),
            "{body}"
        );
        execute(
            &admin,
            &format!("GRANT {privilege} ON {table} TO {}", role.name),
        )
        .await;
        let granted = Instant::now();
        let response = probe_until(ready, 200, Duration::from_secs(5)).await;
        recovery_ms = recovery_ms.max(granted.elapsed().as_millis());
        assert_eq!(
            response.status, 200,
            "{table} granted again: {}",
            response.body
        );
    }
    FaultFigures {
        fault: "revoked",
        client_sees: "/health/ready: 503 naming the check (`customer_lookup`, `api_keys`, \
                      `audit_insert`) with \"permission denied\""
            .into(),
        recovery: "granted again: ready at the next check".into(),
        figures: vec![
            ("grants_revoked", "3".into()),
            ("max_not_ready_ms", not_ready_ms.to_string()),
            ("max_recovery_ms", recovery_ms.to_string()),
        ],
    }
    .report();
    let metrics = app.get("/metrics").await;
    assert!(
        metric(
            &metrics.body,
            "server_faults_total",
            &["source=\"audit_insert\"", "cause=\"permission\""]
        ) >= 1.0,
        "{}",
        metrics.body
    );
    drop(app);
    drop(role);
}

/// Another session holds `ACCESS EXCLUSIVE` on `customer_versions`: the readiness check
/// waits for it. Eight probes at once all answer 503 within the readiness timeout (300
/// ms) and some slack, naming `customer_lookup`, and only one of them ran the check:
/// one session of the service waits for the lock. Released, the service is ready again.
async fn a_locked_table_gives_a_prompt_503_and_concurrent_probes_share_one_check(
    backend: TestBackend,
) {
    let database = TestDatabase::with_demo_data(backend).await;
    let mut settings = test_settings(&url_string(database.url()));
    settings.server.readiness_timeout = Duration::from_millis(300);
    settings.server.readiness_cache = Duration::from_secs(2);
    let app = TestApp::spawn_with(settings, Some(database)).await;
    let url = app.database().expect("a database").url().clone();
    let blocker = ReadBlocker::lock(&url).await;
    let started = Instant::now();
    let probes: Vec<TestResponse> =
        futures_util::future::join_all((0..8).map(|_| app.get("/health/ready"))).await;
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(2),
        "eight probes took {elapsed:?} with a 300 ms bound"
    );
    for response in &probes {
        assert_eq!(response.status, 503, "{}", response.body);
        let body = response.json();
        assert!(
            check_reason(&body, "customer_lookup").contains("no answer within 300 ms"),
            "{body}"
        );
    }
    if let DatabaseUrl::Postgres(url) = &url {
        assert_eq!(
            sessions_waiting_for_a_lock(url).await,
            1,
            "one check ran for the eight probes"
        );
    }
    blocker.release().await;
    let released = Instant::now();
    let response = probe_until(|| app.get("/health/ready"), 200, Duration::from_secs(10)).await;
    assert_eq!(response.status, 200, "{}", response.body);
    FaultFigures {
        fault: "locked",
        client_sees: "lookups wait for the lock (up to the request deadline); /health/ready: \
                      503 by its own bound, one check shared by concurrent probes"
            .into(),
        recovery: "lock released: ready at the next check".into(),
        figures: vec![
            ("probes", "503:8".into()),
            ("readiness_timeout_ms", "300".into()),
            ("max_latency_ms", elapsed.as_millis().to_string()),
            ("sessions_waiting", "1".into()),
            ("recovery_ms", released.elapsed().as_millis().to_string()),
        ],
    }
    .report();
}
