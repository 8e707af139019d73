//! Test support, for the tests of every crate and never for production: fresh databases
//! of either backend, a runner for suites that run every test once per backend, lookups
//! through the adapter ([`lookups`]) and a stand-in identity provider ([`jwt`]).
//!
//! PostgreSQL tests read `TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). Each test gets its own database,
//! cloned from a template that is migrated once per migration set and dropped when the
//! test ends, so tests run in parallel without seeing each other. What killed runs leave
//! behind is swept as each test process starts (see [`sweep`]). When PostgreSQL cannot
//! be reached the PostgreSQL tests are listed as ignored, with a message saying so,
//! unless `CI` is set: then they fail.

pub mod jwt;
pub mod lookups;
mod sweep;

use std::collections::hash_map::DefaultHasher;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

use customer_infrastructure::{Database, DatabaseUrl, PoolSettings, run_migrations, seed_demo};

const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const TEST_PREFIX: &str = "customer_api_test_";
const TEMPLATE_PREFIX: &str = "customer_api_template_";
/// The advisory lock under which templates are built and leftovers swept.
const BUILD_LOCK: i32 = 727_274;

/// A backend a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TestBackend {
    /// A SQLite file in a temporary folder.
    Sqlite,
    /// A database of its own on the PostgreSQL server of `TEST_DATABASE_URL`.
    Postgres,
}

impl TestBackend {
    /// Both backends.
    pub const ALL: [Self; 2] = [Self::Sqlite, Self::Postgres];

    /// `sqlite` or `postgres`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// Whether PostgreSQL can be used by this test process.
#[derive(Debug, Clone)]
enum PostgresStatus {
    /// Reachable; the template database is ready.
    Ready {
        /// The server's maintenance database URL.
        admin_url: String,
        /// The migrated template each test database is cloned from.
        template: String,
        /// This process's run id, which its test databases are named after.
        run: u32,
    },
    /// Not reachable (or the template could not be built).
    Unavailable {
        /// What went wrong.
        reason: String,
    },
}

static POSTGRES: OnceLock<PostgresStatus> = OnceLock::new();

/// The admin URL of the PostgreSQL server the tests use.
pub fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| DEFAULT_ADMIN_URL.to_owned())
}

/// Whether the tests run in CI, where an unreachable PostgreSQL is a failure.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| !value.is_empty() && value != "false" && value != "0")
}

/// Probes PostgreSQL once per process, registers the process as a live test run, sweeps
/// the leftovers of killed runs and prepares the template database.
fn postgres_status() -> &'static PostgresStatus {
    POSTGRES.get_or_init(|| {
        let admin = admin_url();
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(error) => {
                return PostgresStatus::Unavailable {
                    reason: error.to_string(),
                };
            }
        };
        match runtime.block_on(prepare(&admin)) {
            Ok((template, run)) => PostgresStatus::Ready {
                admin_url: admin,
                template,
                run,
            },
            Err(reason) => PostgresStatus::Unavailable {
                reason: format!(
                    "cannot use PostgreSQL at {}: {reason}",
                    DatabaseUrl::Postgres(admin.clone())
                ),
            },
        }
    })
}

/// `url` (a PostgreSQL URL) naming the database `database` instead, query kept.
pub fn url_with_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let (scheme, rest) = base.split_once("://").unwrap_or(("postgres", base));
    let authority = rest.split('/').next().unwrap_or(rest);
    let mut out = format!("{scheme}://{authority}/{database}");
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

fn migrations_fingerprint() -> Result<String, String> {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../migrations/postgres");
    let mut files = Vec::new();
    let mut stack = vec![folder.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut hasher = DefaultHasher::new();
    for file in files {
        file.strip_prefix(&folder)
            .unwrap_or(&file)
            .hash(&mut hasher);
        std::fs::read(&file)
            .map_err(|e| format!("{}: {e}", file.display()))?
            .hash(&mut hasher);
    }
    Ok(format!("{:016x}", hasher.finish()))
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    datname: String,
}

async fn connect_admin(admin: &str) -> Result<AsyncPgConnection, String> {
    tokio::time::timeout(Duration::from_secs(5), AsyncPgConnection::establish(admin))
        .await
        .map_err(|_| "no answer within 5 s".to_owned())?
        .map_err(|e| e.to_string())
}

/// Registers this process as a live run, then sweeps and prepares the template: its name
/// and the run id.
async fn prepare(admin: &str) -> Result<(String, u32), String> {
    let fingerprint = migrations_fingerprint()?;
    // Registered first, so that no other process's sweep takes what this one uses.
    let run = sweep::register_run(admin, &fingerprint)?;
    let template = prepare_template(admin, &fingerprint).await?;
    Ok((template, run))
}

/// Builds (once per migration set, across processes) the migrated template database,
/// after sweeping the leftovers of killed runs.
async fn prepare_template(admin: &str, fingerprint: &str) -> Result<String, String> {
    let template = format!("{TEMPLATE_PREFIX}{fingerprint}");
    let mut conn = connect_admin(admin).await?;
    // Serialises template building (and sweeping) between concurrent test processes.
    conn.batch_execute(&format!("SELECT pg_advisory_lock({BUILD_LOCK})"))
        .await
        .map_err(|e| e.to_string())?;
    let result = async {
        match sweep::sweep(&mut conn).await {
            Ok(swept) => tracing::debug!(
                dropped = ?swept.dropped,
                templates_kept_for_unregistered_runs = swept.unregistered,
                "leftovers of killed test runs swept"
            ),
            Err(error) => eprintln!("warning: leftover test databases were not swept: {error}"),
        }
        let existing: Vec<Name> = diesel::sql_query(format!(
            "SELECT datname FROM pg_database WHERE datname = '{template}'"
        ))
        .load(&mut conn)
        .await
        .map_err(|e| e.to_string())?;
        if existing.iter().any(|n| n.datname == template) {
            return Ok(());
        }
        let building = format!("{template}_building");
        conn.batch_execute(&format!(
            "DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"
        ))
        .await
        .map_err(|e| e.to_string())?;
        conn.batch_execute(&format!("CREATE DATABASE \"{building}\""))
            .await
            .map_err(|e| e.to_string())?;
        run_migrations(&DatabaseUrl::Postgres(url_with_database(admin, &building)))
            .await
            .map_err(|e| e.to_string())?;
        conn.batch_execute(&format!(
            "ALTER DATABASE \"{building}\" RENAME TO \"{template}\""
        ))
        .await
        .map_err(|e| e.to_string())
    }
    .await;
    conn.batch_execute(&format!("SELECT pg_advisory_unlock({BUILD_LOCK})"))
        .await
        .map_err(|e| e.to_string())?;
    result.map(|()| template)
}

/// A migrated, empty database of its own, removed when dropped.
#[derive(Debug)]
pub struct TestDatabase {
    url: DatabaseUrl,
    // Keeps the SQLite folder alive; for PostgreSQL, names what to drop.
    _folder: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// A fresh database of `backend`, migrated and empty.
    ///
    /// # Panics
    /// When the database cannot be prepared (for PostgreSQL: when it is unavailable).
    pub async fn new(backend: TestBackend) -> Self {
        match backend {
            TestBackend::Sqlite => {
                let folder = tempfile::tempdir().expect("a temporary folder");
                let url = DatabaseUrl::Sqlite(folder.path().join("customers.db"));
                run_migrations(&url).await.expect("SQLite migrations apply");
                Self {
                    url,
                    _folder: Some(folder),
                    postgres: None,
                }
            }
            TestBackend::Postgres => {
                static CREATED: AtomicU32 = AtomicU32::new(0);
                let PostgresStatus::Ready {
                    admin_url,
                    template,
                    run,
                } = postgres_status()
                else {
                    panic!("PostgreSQL is unavailable: {:?}", postgres_status());
                };
                let name = sweep::test_database_name(*run, CREATED.fetch_add(1, Ordering::Relaxed));
                let mut conn = connect_admin(admin_url).await.expect("PostgreSQL answers");
                let mut attempt = 0;
                // Cloning fails while another session is briefly connected to the template.
                loop {
                    match conn
                        .batch_execute(&format!(
                            "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
                        ))
                        .await
                    {
                        Ok(()) => break,
                        Err(error) if attempt < 20 => {
                            attempt += 1;
                            tracing::debug!(%error, "retrying test database creation");
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                        Err(error) => panic!("cannot create test database {name}: {error}"),
                    }
                }
                Self {
                    url: DatabaseUrl::Postgres(url_with_database(admin_url, &name)),
                    _folder: None,
                    postgres: Some((admin_url.clone(), name)),
                }
            }
        }
    }

    /// A fresh database of `backend` holding the demo data set.
    pub async fn with_demo_data(backend: TestBackend) -> Self {
        let db = Self::new(backend).await;
        seed_demo(&db.connect()).await.expect("demo data loads");
        db
    }

    /// Its URL.
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// A pool over it, with default settings.
    pub fn connect(&self) -> Database {
        Database::connect(&self.url, &PoolSettings::default()).expect("a pool")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.postgres.take()
            && !drop_postgres_database(&admin, &name)
        {
            eprintln!("warning: a test database could not be dropped");
        }
    }
}

/// Drops the PostgreSQL database `name` through the server at `admin`, closing its
/// sessions; false when that failed. It may be called from a `Drop` that runs inside a
/// runtime, where blocking is not allowed: it works from a thread of its own.
pub fn drop_postgres_database(admin: &str, name: &str) -> bool {
    let (admin, name) = (admin.to_owned(), name.to_owned());
    let dropped = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok()?;
        runtime.block_on(async {
            let mut conn = connect_admin(&admin).await.ok()?;
            conn.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await
                .ok()
        })
    })
    .join();
    matches!(dropped, Ok(Some(())))
}

/// A test of a suite: an async function of the backend.
pub type SuiteTest = fn(TestBackend) -> Pin<Box<dyn Future<Output = ()> + Send>>;

/// The tests of a suite binary, by the backends each one runs on.
#[derive(Debug, Clone, Copy, Default)]
pub struct Suites<'a> {
    /// Run once per backend, as `sqlite::name` and `postgres::name`.
    pub every_backend: &'a [(&'static str, SuiteTest)],
    /// Tests of what does not depend on the database (the HTTP edge, the binary's
    /// options): run once, on SQLite, as `sqlite::name`.
    pub one_backend: &'a [(&'static str, SuiteTest)],
    /// About a behaviour only PostgreSQL has: run as `postgres::name` alone.
    pub postgres_only: &'a [(&'static str, SuiteTest)],
}

/// Runs each test once per backend, as `backend::name`, with libtest's arguments and
/// output. PostgreSQL tests are listed as ignored when PostgreSQL is unavailable, with a
/// message explaining why and how to run them, except in CI, where they fail.
pub fn run_suite(tests: &[(&'static str, SuiteTest)]) -> std::process::ExitCode {
    run_suites(Suites {
        every_backend: tests,
        ..Suites::default()
    })
}

/// Runs `suites`, each test on the backends its list says (see [`run_suite`]).
///
/// Unless `--test-threads` or `RUST_TEST_THREADS` says otherwise, twice as many tests as
/// the machine has cores run at once (at least 4): the tests spend most of their time
/// waiting on a database, a spawned binary or a socket, not computing.
pub fn run_suites(suites: Suites<'_>) -> std::process::ExitCode {
    let mut args = libtest_mimic::Arguments::from_args();
    if args.test_threads.is_none() {
        args.test_threads = std::env::var("RUST_TEST_THREADS")
            .ok()
            .and_then(|threads| threads.parse().ok())
            .or_else(|| {
                std::thread::available_parallelism()
                    .ok()
                    .map(|cores| (2 * cores.get()).max(4))
            });
    }
    let status = postgres_status();
    let skip_postgres = matches!(status, PostgresStatus::Unavailable { .. }) && !in_ci();
    if let PostgresStatus::Unavailable { reason } = status
        && skip_postgres
    {
        use std::io::Write;
        // Written past libtest's capture, so that it is seen in every run.
        let _ = writeln!(
            std::io::stderr(),
            "\nNOTE: the PostgreSQL half of this suite was NOT run ({reason}).\n\
                 Its tests are listed as ignored. Start PostgreSQL or set TEST_DATABASE_URL\n\
                 (default {DEFAULT_ADMIN_URL}) and run the tests again to run them.\n"
        );
    }
    let mut trials = Vec::new();
    let runs = TestBackend::ALL
        .iter()
        .flat_map(|backend| {
            suites
                .every_backend
                .iter()
                .map(move |test| (*backend, test))
        })
        .chain(
            suites
                .one_backend
                .iter()
                .map(|test| (TestBackend::Sqlite, test)),
        )
        .chain(
            suites
                .postgres_only
                .iter()
                .map(|test| (TestBackend::Postgres, test)),
        );
    {
        for (backend, (name, test)) in runs {
            let test = *test;
            let ignored = backend == TestBackend::Postgres && skip_postgres;
            trials.push(
                libtest_mimic::Trial::test(format!("{}::{name}", backend.name()), move || {
                    if backend == TestBackend::Postgres
                        && let PostgresStatus::Unavailable { reason } = postgres_status()
                    {
                        return Err(
                            format!("CI is set and PostgreSQL is unavailable: {reason}").into()
                        );
                    }
                    let runtime = tokio::runtime::Builder::new_multi_thread()
                        .worker_threads(2)
                        .enable_all()
                        .build()
                        .map_err(|e| e.to_string())?;
                    runtime.block_on(test(backend));
                    Ok(())
                })
                .with_ignored_flag(ignored),
            );
        }
    }
    libtest_mimic::run(&args, trials).exit_code()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_are_replaced_keeping_the_rest() {
        assert_eq!(
            url_with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "x"),
            "postgres://u:p@h:5432/x?sslmode=disable"
        );
        assert_eq!(url_with_database("postgresql://h", "x"), "postgresql://h/x");
    }
}
