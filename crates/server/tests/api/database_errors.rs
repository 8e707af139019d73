//! When the database fails: `503` with `Retry-After` when it cannot be reached, `500`
//! that shows no internals when it answers wrongly.

use std::time::{Duration, Instant};

use crate::support::{EXAMPLE_QUERY, TestApp, TestBackend, has_arabic, suite_tests, test_settings};
use customer_server::settings::AuthMode;
use customer_testkit::admin_url;

suite_tests!("database_errors":
    unreachable_database_gives_a_503_problem_with_retry_after,
    silent_database_gives_a_503_within_the_pool_timeouts,
    a_failing_database_gives_a_500_that_shows_no_internals,
);

/// Nothing listens on port 1. The same check runs under both backend names: the
/// unreachable database is a PostgreSQL one either way. With authentication on, the
/// key cannot be checked; with it off, the customers cannot be read: 503 either way.
async fn unreachable_database_gives_a_503_problem_with_retry_after(_backend: TestBackend) {
    for mode in [AuthMode::Required, AuthMode::Disabled] {
        unreachable_database_gives_a_503(mode).await;
    }
}

async fn unreachable_database_gives_a_503(mode: AuthMode) {
    let mut settings = test_settings("postgres://postgres@127.0.0.1:1/none");
    settings.database.pool.wait_timeout = Duration::from_secs(1);
    settings.database.pool.create_timeout = Duration::from_secs(1);
    settings.auth.mode = mode;
    let app = TestApp::spawn_with(settings, None).await;
    for (lang, request_id) in [("ar", "down-1"), ("en", "down-2")] {
        let query = EXAMPLE_QUERY.replace("lang=ar", &format!("lang={lang}"));
        let started = Instant::now();
        let response = app
            .request(
                reqwest::Method::GET,
                &format!("/v1/core/customer?{query}"),
                &[("X-Request-Id", request_id)],
            )
            .await;
        let elapsed = started.elapsed();
        assert_eq!(response.status, 503, "{}", response.body);
        assert!(
            elapsed < Duration::from_secs(5),
            "the 503 took {elapsed:?}, the pool waits 1 s"
        );
        response.problem();
        let retry_after = response.header("retry-after").unwrap_or_default();
        assert!(
            retry_after.parse::<u64>().is_ok(),
            "Retry-After is a number of seconds, got {retry_after:?}"
        );
        assert_eq!(response.header("x-request-id"), Some(request_id));
        let title = response.problem()["title"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert_eq!(has_arabic(&title), lang == "ar", "{title}");
    }
}

/// A "database" that accepts connections and never answers: the pool gives up after its
/// create and wait timeouts (1 s each) and the answer is a 503, not a hang.
async fn silent_database_gives_a_503_within_the_pool_timeouts(_backend: TestBackend) {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("a listener");
    let port = silent.local_addr().expect("an address").port();
    let mut settings = test_settings(&format!("postgres://postgres@127.0.0.1:{port}/none"));
    settings.database.pool.wait_timeout = Duration::from_secs(1);
    settings.database.pool.create_timeout = Duration::from_secs(1);
    let app = TestApp::spawn_with(settings, None).await;
    for _ in 0..2 {
        let started = Instant::now();
        let response = app.lookup(EXAMPLE_QUERY).await;
        let elapsed = started.elapsed();
        assert_eq!(response.status, 503, "{}", response.body);
        assert!(
            elapsed < Duration::from_secs(5),
            "the 503 took {elapsed:?}, the pool waits 1 s"
        );
        response.problem();
        assert!(response.header("retry-after").is_some());
        assert!(response.header("x-request-id").is_some());
    }
    drop(silent);
}

/// A database without the service's tables (never migrated): every query fails, the
/// key's (authentication on) or the customers' (off). The answer is a 500 problem that
/// names no SQL, table, file or crate.
async fn a_failing_database_gives_a_500_that_shows_no_internals(backend: TestBackend) {
    for mode in [AuthMode::Required, AuthMode::Disabled] {
        a_failing_database_gives_a_500(backend, mode).await;
    }
}

async fn a_failing_database_gives_a_500(backend: TestBackend, mode: AuthMode) {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let url = match backend {
        TestBackend::Sqlite => folder.path().join("empty.db").display().to_string(),
        // The server's maintenance database, only read.
        TestBackend::Postgres => admin_url(),
    };
    let mut settings = test_settings(&url);
    settings.auth.mode = mode;
    let app = TestApp::spawn_with(settings, None).await;
    let response = app.lookup(EXAMPLE_QUERY).await;
    assert_eq!(response.status, 500, "{}", response.body);
    response.problem();
    assert!(response.header("x-request-id").is_some());
    let body = response.body.to_lowercase();
    for internal in [
        "select",
        "from ",
        "sql",
        "table",
        "relation",
        "companies",
        "customer_versions",
        "diesel",
        "panicked",
        ".rs",
        "empty.db",
        "postgres",
        "error:",
    ] {
        assert!(
            !body.contains(internal),
            "{internal:?} in {}",
            response.body
        );
    }
}
