//! Start-up of the real binary when something is wrong: each message names its cause and
//! what to do, and a busy port fails at once, before any database work.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{
    Service, TestBackend, TestDatabase, free_port, service_binary, suite_tests, url_string,
};

use customer_infrastructure::{Database, DatabaseUrl, PoolSettings, is_empty};

use crate::db::{EmptyDatabase, execute};

suite_tests!("startup":
    a_busy_port_stops_start_up_at_once_naming_server_port,
    a_database_never_migrated_stops_start_up_saying_to_run_migrate,
    an_unreachable_postgresql_is_named_with_host_port_and_reason,
    healthcheck_dials_the_address_the_service_listens_on,
    the_start_up_example_is_shown_only_where_the_demo_customer_is,
    the_demo_never_touches_a_database_with_companies_of_its_own,
);

/// What a run of the binary gave.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) success: bool,
    pub(crate) stderr: String,
    pub(crate) stdout: String,
    elapsed: Duration,
}

/// Runs `customer-api ARGS` in `folder` with `env` alone of the settings in the
/// environment; kills it (and fails the test) after `within`.
pub(crate) async fn run_binary(
    folder: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    within: Duration,
) -> Outcome {
    let mut command = Command::new(service_binary());
    command
        .current_dir(folder)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, _) in std::env::vars_os() {
        if name == "DATABASE_URL"
            || name == "RUST_LOG"
            || name.to_string_lossy().starts_with("APP_")
        {
            command.env_remove(name);
        }
    }
    for (name, value) in env {
        command.env(name, value);
    }
    let started = Instant::now();
    let mut child = command.spawn().expect("customer-api starts");
    loop {
        if child.try_wait().expect("the child's status").is_some() {
            break;
        }
        if started.elapsed() > within {
            let _ = child.kill();
            let output = child.wait_with_output().expect("its output");
            panic!(
                "customer-api {args:?} still ran after {within:?}\nstderr:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let elapsed = started.elapsed();
    let output = child.wait_with_output().expect("its output");
    Outcome {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        elapsed,
    }
}

/// The port is taken and the database is an address where nothing answers (a connection
/// there would wait for the TCP timeout): the service must not get that far. Runs under
/// both backend names; the database is never reached either way.
async fn a_busy_port_stops_start_up_at_once_naming_server_port(_backend: TestBackend) {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a port to take");
    let port = taken.local_addr().expect("its address").port().to_string();
    let folder = tempfile::tempdir().expect("an empty working folder");
    let outcome = run_binary(
        folder.path(),
        &["serve"],
        &[
            ("APP__SERVER__PORT", &port),
            // TEST-NET-1 (RFC 5737): routed nowhere.
            (
                "DATABASE_URL",
                "postgres://customer:secret@192.0.2.1:5432/customers",
            ),
        ],
        Duration::from_secs(20),
    )
    .await;
    assert!(!outcome.success, "{outcome:?}");
    for expected in [
        format!("127.0.0.1:{port}"),
        "server.port".to_owned(),
        "APP__SERVER__PORT".to_owned(),
    ] {
        assert!(
            outcome.stderr.contains(&expected),
            "{expected}: {outcome:?}"
        );
    }
    assert!(
        outcome.elapsed < Duration::from_secs(5),
        "a busy port fails before the database is dialled: {outcome:?}"
    );
}

/// `serve` with `database.migrate_on_start = false` (and the demo data asked for, as by
/// default) on a database never migrated: the message says to run `customer-api migrate`,
/// not that a table is missing.
async fn a_database_never_migrated_stops_start_up_saying_to_run_migrate(backend: TestBackend) {
    let database = EmptyDatabase::new(backend).await;
    let folder = tempfile::tempdir().expect("an empty working folder");
    let port = free_port().to_string();
    let outcome = run_binary(
        folder.path(),
        &["serve"],
        &[
            ("APP__SERVER__PORT", &port),
            ("DATABASE_URL", &database.url),
            ("APP__DATABASE__MIGRATE_ON_START", "false"),
        ],
        Duration::from_secs(30),
    )
    .await;
    assert!(!outcome.success, "{outcome:?}");
    assert!(
        outcome.stderr.contains("migrations pending")
            && outcome.stderr.contains("run `customer-api migrate`"),
        "{outcome:?}"
    );
    assert!(!outcome.stderr.contains("no such table"), "{outcome:?}");
    assert!(!outcome.stderr.contains("does not exist"), "{outcome:?}");
}

/// `migrate` against a PostgreSQL where nothing listens: the message names the host, the
/// port and the reason, and never the password. Runs under both backend names.
async fn an_unreachable_postgresql_is_named_with_host_port_and_reason(_backend: TestBackend) {
    let folder = tempfile::tempdir().expect("an empty working folder");
    let port = free_port().to_string();
    let outcome = run_binary(
        folder.path(),
        &["migrate"],
        &[(
            "DATABASE_URL",
            &format!("postgres://customer:s3cret@127.0.0.1:{port}/customers"),
        )],
        Duration::from_secs(20),
    )
    .await;
    assert!(!outcome.success, "{outcome:?}");
    for expected in [
        "host 127.0.0.1".to_owned(),
        format!("port {port}"),
        "refused".to_owned(),
        "DATABASE_URL".to_owned(),
    ] {
        assert!(
            outcome.stderr.contains(&expected),
            "{expected}: {outcome:?}"
        );
    }
    assert!(!outcome.stderr.contains("s3cret"), "{outcome:?}");
}

/// A service listening on 127.0.0.1: `healthcheck` with `server.host = 0.0.0.0` reaches
/// it through the loopback, and says so; with a port where nothing listens it names the
/// address it dialled.
async fn healthcheck_dials_the_address_the_service_listens_on(backend: TestBackend) {
    let database = match backend {
        TestBackend::Sqlite => None,
        TestBackend::Postgres => Some(TestDatabase::new(TestBackend::Postgres).await),
    };
    let folder = tempfile::tempdir().expect("an empty working folder");
    let database_url = database.as_ref().map(|database| url_string(database.url()));
    let env: Vec<(&str, &str)> = database_url
        .iter()
        .map(|url| ("DATABASE_URL", url.as_str()))
        .collect();
    let mut service = Service::start(folder.path(), &env).await;
    let port = service.port.to_string();
    let mut with_port = env.clone();
    with_port.extend([
        ("APP__SERVER__PORT", port.as_str()),
        ("APP__SERVER__HOST", "0.0.0.0"),
    ]);
    let ready = run_binary(
        folder.path(),
        &["healthcheck"],
        &with_port,
        Duration::from_secs(20),
    )
    .await;
    assert!(ready.success, "{ready:?}\n{}", service.logs());
    assert!(
        ready.stdout.contains(&format!("127.0.0.1:{port}")),
        "{ready:?}"
    );

    let nothing = free_port().to_string();
    let mut elsewhere = env.clone();
    elsewhere.extend([("APP__SERVER__PORT", nothing.as_str())]);
    let refused = run_binary(
        folder.path(),
        &["healthcheck"],
        &elsewhere,
        Duration::from_secs(20),
    )
    .await;
    assert!(!refused.success, "{refused:?}");
    assert!(
        refused.stderr.contains(&format!("127.0.0.1:{nothing}")),
        "the address dialled is named: {refused:?}"
    );
    let status = service.terminate(Duration::from_secs(30)).await;
    assert!(status.success(), "exit status {status}\n{}", service.logs());
}

/// `serve` as by default (demo data asked for) over a database that holds customers but
/// not the demo customer 54218 (the demo data with it deleted): nothing is loaded (the
/// database is not empty), and no start-up line shows the example, whose identifiers
/// would find nobody. Over the whole demo data the example is shown.
async fn the_start_up_example_is_shown_only_where_the_demo_customer_is(backend: TestBackend) {
    for demo_customer in [false, true] {
        let database = TestDatabase::with_demo_data(backend).await;
        if !demo_customer {
            execute(
                database.url(),
                "DELETE FROM customer_contacts WHERE customer_id = 54218; \
                 DELETE FROM customer_references WHERE customer_id = 54218; \
                 DELETE FROM customer_versions WHERE customer_id = 54218; \
                 DELETE FROM customers WHERE customer_id = 54218;",
            )
            .await;
        }
        let folder = tempfile::tempdir().expect("an empty working folder");
        let url = url_string(database.url());
        let mut service = Service::start(
            folder.path(),
            &[
                ("DATABASE_URL", url.as_str()),
                ("APP__DATABASE__MIGRATE_ON_START", "false"),
                ("APP__SERVER__DRAIN_DELAY_MS", "0"),
            ],
        )
        .await;
        // Every line is written out by the time it has exited.
        let status = service.terminate(Duration::from_secs(15)).await;
        assert!(status.success(), "{}", service.logs());
        let stdout = service.stdout();
        assert_eq!(
            stdout.contains("try: curl"),
            demo_customer,
            "the example is shown when the demo customer is there ({demo_customer})\n{stdout}"
        );
        if !demo_customer {
            assert!(!stdout.contains("54218"), "{stdout}");
        }
        drop(service);
        drop(database);
    }
}

/// An operator's first steps: `migrate`, `companies add jxq` (it gets id 1), then `serve`
/// with the defaults (demo data asked for). The demo data and its client are for a
/// database that holds no company at all: here nothing of the demo is loaded, one line
/// says why, the service starts and serves, and `jxq` holds no customer.
async fn the_demo_never_touches_a_database_with_companies_of_its_own(backend: TestBackend) {
    let database = EmptyDatabase::new(backend).await;
    let folder = tempfile::tempdir().expect("an empty working folder");
    let env = [("DATABASE_URL", database.url.as_str())];
    let within = Duration::from_secs(30);
    for args in [
        &["migrate"][..],
        &[
            "companies",
            "add",
            "jxq",
            "--name-ar",
            "شركة التجربة",
            "--name-en",
            "Trial Company",
        ],
    ] {
        let outcome = run_binary(folder.path(), args, &env, within).await;
        assert!(outcome.success, "{args:?}: {outcome:?}");
    }
    let mut service = Service::start(
        folder.path(),
        &[
            ("DATABASE_URL", database.url.as_str()),
            ("APP__SERVER__DRAIN_DELAY_MS", "0"),
        ],
    )
    .await;
    let ready = crate::support::client()
        .get(format!("{}/health/ready", service.address()))
        .send()
        .await
        .expect("an answer");
    assert_eq!(ready.status().as_u16(), 200, "{}", service.logs());
    let status = service.terminate(Duration::from_secs(15)).await;
    assert!(status.success(), "{}", service.logs());
    let logs = service.logs();
    assert_eq!(
        logs.matches("demo data not loaded").count(),
        1,
        "one line says why the demo was skipped\n{logs}"
    );
    assert!(
        logs.contains("jxq"),
        "the line names the companies found\n{logs}"
    );
    assert!(
        !logs.contains("Bearer clk_"),
        "no demo client was made\n{logs}"
    );

    let companies = run_binary(
        folder.path(),
        &["companies", "list", "--json"],
        &env,
        within,
    )
    .await;
    assert!(companies.success, "{companies:?}");
    let companies: serde_json::Value =
        serde_json::from_str(&companies.stdout).expect("companies as JSON");
    let codes: Vec<&str> = companies
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|company| company["code"].as_str())
        .collect();
    assert_eq!(codes, ["jxq"], "the operator's company alone");
    let clients = run_binary(folder.path(), &["clients", "list", "--json"], &env, within).await;
    assert!(clients.success, "{clients:?}");
    assert_eq!(clients.stdout.trim(), "[]", "no demo client");
    let url = DatabaseUrl::parse(&database.url).expect("a database URL");
    let db = Database::connect(&url, &PoolSettings::default()).expect("a pool");
    assert!(
        is_empty(&db).await.expect("the customers are counted"),
        "no demo customer in the operator's database"
    );
}
