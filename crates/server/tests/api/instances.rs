//! Several instances over one PostgreSQL, as a load balancer or Kubernetes runs them: they
//! share the database and nothing else, and may all start at once on a fresh one.

use std::time::{Duration, Instant};

use crate::support::{EXAMPLE_QUERY, LOOKUP_PATH, Service, SuiteTest, TestBackend, client, send};
use diesel::QueryableByName;
use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;
use reqwest::Method;

use crate::db::{EmptyDatabase, connect_postgres};

/// PostgreSQL only: a SQLite file belongs to one process.
pub const POSTGRES_ONLY: &[(&str, SuiteTest)] = &[(
    "instances::instances_started_at_once_on_a_fresh_database_prepare_it_once",
    |backend| Box::pin(instances_started_at_once_on_a_fresh_database_prepare_it_once(backend)),
)];

const INSTANCES: usize = 4;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Four binaries started together on a database never migrated, with the defaults
/// (migrations on start, demo data into an empty database): every one becomes ready, one
/// of them applies the migrations, loads the demo data and makes the demo client (whose
/// key it shows), and the others find it done; every instance answers the example with
/// that key.
async fn instances_started_at_once_on_a_fresh_database_prepare_it_once(_backend: TestBackend) {
    let database = EmptyDatabase::new(TestBackend::Postgres).await;
    let folders: Vec<_> = (0..INSTANCES)
        .map(|_| tempfile::tempdir().expect("a working folder"))
        .collect();
    let env = [
        ("DATABASE_URL", database.url.as_str()),
        ("APP__SERVER__DRAIN_DELAY_MS", "0"),
    ];
    // Each start spawns its process when first polled: all of them at once.
    let mut services = futures_util::future::join_all(
        folders
            .iter()
            .map(|folder| Service::start(folder.path(), &env)),
    )
    .await;
    let http = client();
    for service in &mut services {
        wait_until_ready(&http, service).await;
    }

    let count = |text: &str| services.iter().filter(|s| s.logs().contains(text)).count();
    let all_logs = || {
        services
            .iter()
            .map(Service::logs)
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(count("migrations applied"), 1, "{}", all_logs());
    assert_eq!(count("demo data loaded"), 1, "{}", all_logs());
    assert_eq!(count("Bearer clk_"), 1, "{}", all_logs());
    let mut conn = connect_postgres(&database.url).await;
    for (sql, expected) in [
        ("SELECT count(*) AS n FROM clients", 1),
        ("SELECT count(*) AS n FROM api_keys", 1),
        (
            "SELECT count(*) AS n FROM customers WHERE customer_id = 54218",
            1,
        ),
    ] {
        let found: Count = diesel::sql_query(sql)
            .get_result(&mut conn)
            .await
            .unwrap_or_else(|error| panic!("{sql}: {error}"));
        assert_eq!(found.n, expected, "{sql}");
    }

    let shown = services
        .iter()
        .find(|s| s.stdout().contains("Bearer clk_"))
        .expect("one instance shows the key");
    let authorization = format!("Bearer {}", shown.demo_key().await);
    for service in &services {
        let url = format!("{}{LOOKUP_PATH}?{EXAMPLE_QUERY}", service.address());
        let response = send(
            &http,
            Method::GET,
            &url,
            &[("Authorization", authorization.as_str())],
        )
        .await;
        assert_eq!(
            response.status,
            200,
            "{}\n{}",
            response.body,
            service.logs()
        );
        assert_eq!(response.customer_ids(), vec![54218]);
    }
    for service in &mut services {
        let status = service.terminate(Duration::from_secs(15)).await;
        assert!(status.success(), "{}", service.logs());
    }
}

/// Waits until `/health/ready` answers 200; the test fails if the service exits, or
/// after 60 s.
async fn wait_until_ready(http: &reqwest::Client, service: &mut Service) {
    let url = format!("{}/health/ready", service.address());
    let started = Instant::now();
    loop {
        if let Ok(response) = http.get(&url).send().await
            && response.status() == 200
        {
            return;
        }
        assert!(service.is_running(), "it exited\n{}", service.logs());
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{url} is not ready after 60 s\n{}",
            service.logs()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
