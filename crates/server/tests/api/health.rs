//! Probes: `/health/live` (the process answers) and `/health/ready` (the database
//! answers and its migrations are current; the other checks are `readiness.rs`'s).

use std::time::{Duration, Instant};

use crate::support::{
    TestApp, TestBackend, TestDatabase, TestResponse, suite_tests, test_settings, url_string,
};
use serde_json::{Value, json};

use crate::db::{EmptyDatabase, execute, migration_versions};

suite_tests!("health":
    live_is_up,
    ready_is_ready_over_a_migrated_database,
    with_the_database_unreachable_ready_is_503_and_live_is_still_up,
    a_database_never_migrated_is_not_ready_and_the_reason_names_the_pending_migrations,
    a_database_missing_a_migration_is_not_ready_and_the_reason_names_it,
);

/// A probe's answer: JSON, never cached; its body.
fn health_body(response: &TestResponse, status: u16, what: &str) -> Value {
    assert_eq!(response.status, status, "{what}: {}", response.body);
    let content_type = response.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("application/json"),
        "{what} is JSON, got {content_type:?}"
    );
    assert_eq!(response.header("cache-control"), Some("no-store"), "{what}");
    response.json()
}

/// The `reason` of a 503 readiness answer, checked: `status` is `unavailable` and the
/// reason a non-empty string.
fn not_ready_reason(response: &TestResponse) -> String {
    let body = health_body(response, 503, "/health/ready");
    assert_eq!(body["status"], "unavailable", "{body}");
    let reason = body["reason"].as_str().unwrap_or_default().to_owned();
    assert!(!reason.trim().is_empty(), "a 503 names its reason: {body}");
    reason
}

async fn live_is_up(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let response = app.get("/health/live").await;
    assert_eq!(
        health_body(&response, 200, "/health/live"),
        json!({"status": "up"})
    );
    assert!(response.header("x-request-id").is_some());
}

async fn ready_is_ready_over_a_migrated_database(backend: TestBackend) {
    let app = TestApp::spawn(backend).await;
    let response = app.get("/health/ready").await;
    let body = health_body(&response, 200, "/health/ready");
    assert_eq!(body["status"], "ready", "{body}");
    assert!(body.get("reason").is_none(), "{body}");
    let checks = body["checks"].as_array().expect("the checks run");
    assert!(checks.iter().all(|check| check["status"] == "ok"), "{body}");
}

/// Nothing listens on port 1 (a PostgreSQL URL under both backend names).
async fn with_the_database_unreachable_ready_is_503_and_live_is_still_up(_backend: TestBackend) {
    let mut settings = test_settings("postgres://postgres@127.0.0.1:1/none");
    settings.database.migrate_on_start = false;
    settings.database.seed_demo_when_empty = false;
    settings.database.pool.wait_timeout = Duration::from_secs(1);
    settings.database.pool.create_timeout = Duration::from_secs(1);
    let app = TestApp::spawn_with(settings, None).await;
    for _ in 0..2 {
        let started = Instant::now();
        let ready = app.get("/health/ready").await;
        let elapsed = started.elapsed();
        let reason = not_ready_reason(&ready);
        assert!(
            elapsed < Duration::from_secs(5),
            "readiness took {elapsed:?}; the pool waits 1 s"
        );
        assert!(
            reason.to_lowercase().contains("unreachable"),
            "the reason says the database is unreachable: {reason:?}"
        );
        let live = app.get("/health/live").await;
        assert_eq!(
            health_body(&live, 200, "/health/live"),
            json!({"status": "up"})
        );
    }
}

/// Started with `migrate_on_start = false` on an empty database (SQLite: a new file;
/// PostgreSQL: a new database with no table at all).
async fn a_database_never_migrated_is_not_ready_and_the_reason_names_the_pending_migrations(
    backend: TestBackend,
) {
    let database = EmptyDatabase::new(backend).await;
    let app = TestApp::spawn_with(test_settings(&database.url), None).await;
    let response = app.get("/health/ready").await;
    let reason = not_ready_reason(&response);
    let lower = reason.to_lowercase();
    assert!(
        lower.contains("migration") && lower.contains("pending"),
        "the reason of a never-migrated database names its pending migrations: {reason:?}"
    );
    for version in migration_versions(backend) {
        assert!(reason.contains(&version), "{version} in {reason:?}");
    }
    let live = app.get("/health/live").await;
    assert_eq!(live.status, 200, "{}", live.body);
    drop(app);
    drop(database);
}

/// A migrated database whose record of its last migration is removed: that migration is
/// pending, and only it.
async fn a_database_missing_a_migration_is_not_ready_and_the_reason_names_it(backend: TestBackend) {
    let database = TestDatabase::new(backend).await;
    let versions = migration_versions(backend);
    let (last, others) = versions.split_last().expect("migrations");
    execute(
        database.url(),
        &format!("DELETE FROM __diesel_schema_migrations WHERE version = '{last}'"),
    )
    .await;
    let settings = test_settings(&url_string(database.url()));
    let app = TestApp::spawn_with(settings, Some(database)).await;
    let response = app.get("/health/ready").await;
    let reason = not_ready_reason(&response);
    assert!(
        reason.to_lowercase().contains("pending"),
        "the reason says a migration is pending: {reason:?}"
    );
    assert!(reason.contains(last.as_str()), "{last} in {reason:?}");
    for version in others {
        assert!(
            !reason.contains(version.as_str()),
            "{version} is applied, yet named in {reason:?}"
        );
    }
}
