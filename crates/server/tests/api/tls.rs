//! TLS between the real binary and a PostgreSQL server of the test's own, whose
//! certificate is signed by a CA the test makes: each `sslmode` does what libpq's does,
//! and a refusal stops start-up with a message naming `database.url`.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::{
    EXAMPLE_QUERY, LOOKUP_PATH, PrivateCluster, Service, TestBackend, TestCas, client, free_port,
    suite_tests,
};

use crate::startup::{Outcome, run_binary};

suite_tests!("tls":
    verify_full_with_the_right_ca_serves_over_tls_and_disable_goes_plain,
    a_wrong_ca_or_host_name_stops_start_up_naming_database_url,
    require_is_refused_by_a_server_without_tls_and_prefer_goes_plain,
);

/// A private cluster with TLS on, its certificate for `localhost` alone.
async fn tls_cluster() -> (PrivateCluster, TestCas) {
    tokio::task::spawn_blocking(|| {
        let cluster = PrivateCluster::start();
        let cas = cluster.enable_tls(&["localhost"]);
        (cluster, cas)
    })
    .await
    .expect("the cluster starts with TLS")
}

/// `postgres://postgres@HOST:PORT/customers?QUERY`.
fn url(host: &str, cluster: &PrivateCluster, query: &str) -> String {
    format!(
        "postgres://postgres@{host}:{}/customers?{query}",
        cluster.port()
    )
}

/// `sslmode=MODE&sslrootcert=CA`.
fn verified(mode: &str, ca: &Path) -> String {
    format!("sslmode={mode}&sslrootcert={}", ca.display())
}

/// `customer-api ARGS` over `database_url`, to its end.
async fn run(folder: &Path, args: &[&str], database_url: &str, extra: &[(&str, &str)]) -> Outcome {
    let port = free_port().to_string();
    let mut env = vec![
        ("DATABASE_URL", database_url),
        ("APP__SERVER__PORT", port.as_str()),
    ];
    env.extend_from_slice(extra);
    run_binary(folder, args, &env, Duration::from_secs(60)).await
}

/// Waits until the `customers` database has no session left (a stopped service's).
fn wait_for_no_sessions(cluster: &PrivateCluster) {
    let started = Instant::now();
    while !cluster.sessions_tls().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "sessions remain: {:?}",
            cluster.sessions_tls()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Checks that the service has sessions open, all with TLS or all without as `tls`
/// says, then stops it.
async fn stop_with_sessions_of(service: &mut Service, cluster: &PrivateCluster, tls: bool) {
    let sessions = cluster.sessions_tls();
    assert!(
        !sessions.is_empty() && sessions.iter().all(|uses_tls| *uses_tls == tls),
        "every session with TLS: {tls}; sessions: {sessions:?}"
    );
    let status = service.terminate(Duration::from_secs(30)).await;
    assert!(status.success(), "{status}\n{}", service.logs());
}

async fn verify_full_with_the_right_ca_serves_over_tls_and_disable_goes_plain(
    _backend: TestBackend,
) {
    let (cluster, cas) = tls_cluster().await;
    let folder = tempfile::tempdir().expect("a folder");
    let database_url = url("localhost", &cluster, &verified("verify-full", &cas.ca()));
    let mut service = Service::start(
        folder.path(),
        &[
            ("DATABASE_URL", &database_url),
            ("APP__SERVER__WORKERS", "1"),
            ("APP__DATABASE__MIN_SSLMODE", "verify-full"),
        ],
    )
    .await;
    let bearer = format!("Bearer {}", service.demo_key().await);
    let response = client()
        .get(format!(
            "{}{LOOKUP_PATH}?{EXAMPLE_QUERY}",
            service.address()
        ))
        .header("Authorization", &bearer)
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 200, "{}", service.logs());
    stop_with_sessions_of(&mut service, &cluster, true).await;

    // The same server, which offers TLS, and sslmode=disable: plain connections.
    wait_for_no_sessions(&cluster);
    let plain = url("localhost", &cluster, "sslmode=disable");
    let mut service = Service::start(
        folder.path(),
        &[("DATABASE_URL", &plain), ("APP__SERVER__WORKERS", "1")],
    )
    .await;
    let response = client()
        .get(format!("{}/health/ready", service.address()))
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 200, "{}", service.logs());
    stop_with_sessions_of(&mut service, &cluster, false).await;
}

async fn a_wrong_ca_or_host_name_stops_start_up_naming_database_url(_backend: TestBackend) {
    let (cluster, cas) = tls_cluster().await;
    let folder = tempfile::tempdir().expect("a folder");

    // Migrations on start: refused by the migration's connection.
    let wrong_ca = url(
        "localhost",
        &cluster,
        &verified("verify-full", &cas.other_ca()),
    );
    let refused = run(folder.path(), &["serve"], &wrong_ca, &[]).await;
    assert!(!refused.success, "{refused:?}");
    for words in [
        "database.url".to_owned(),
        "not trusted".to_owned(),
        format!("sslrootcert={}", cas.other_ca().display()),
        "sslmode=verify-full".to_owned(),
    ] {
        assert!(refused.stderr.contains(&words), "{words}: {refused:?}");
    }
    // A TLS refusal is not taken for a server out of reach.
    assert!(!refused.stderr.contains("pg_hba.conf"), "{refused:?}");
    // A command names the setting too.
    let refused = run(folder.path(), &["migrate"], &wrong_ca, &[]).await;
    assert!(!refused.success, "{refused:?}");
    assert!(
        refused.stderr.contains("database.url: the TLS certificate"),
        "{refused:?}"
    );

    // The certificate names localhost, not 127.0.0.1; without migrations on start, the
    // pool's connection is refused.
    let wrong_name = url("127.0.0.1", &cluster, &verified("verify-full", &cas.ca()));
    let refused = run(
        folder.path(),
        &["serve"],
        &wrong_name,
        &[
            ("APP__DATABASE__MIGRATE_ON_START", "false"),
            ("APP__DATABASE__SEED_DEMO_WHEN_EMPTY", "false"),
        ],
    )
    .await;
    assert!(!refused.success, "{refused:?}");
    for words in ["database.url", "127.0.0.1", "does not match", "localhost"] {
        assert!(refused.stderr.contains(words), "{words}: {refused:?}");
    }

    // verify-ca checks the chain alone: the same URL is accepted.
    let chain_only = url("127.0.0.1", &cluster, &verified("verify-ca", &cas.ca()));
    let migrated = run(folder.path(), &["migrate"], &chain_only, &[]).await;
    assert!(migrated.success, "{migrated:?}");
}

async fn require_is_refused_by_a_server_without_tls_and_prefer_goes_plain(_backend: TestBackend) {
    let cluster = tokio::task::spawn_blocking(PrivateCluster::start)
        .await
        .expect("the cluster starts");
    let folder = tempfile::tempdir().expect("a folder");
    let required = url("127.0.0.1", &cluster, "sslmode=require");
    let refused = run(folder.path(), &["serve"], &required, &[]).await;
    assert!(!refused.success, "{refused:?}");
    for words in ["database.url", "does not offer TLS", "sslmode=require"] {
        assert!(refused.stderr.contains(words), "{words}: {refused:?}");
    }
    let preferred = url("127.0.0.1", &cluster, "sslmode=prefer");
    let migrated = run(folder.path(), &["migrate"], &preferred, &[]).await;
    assert!(migrated.success, "{migrated:?}");
}
