//! Seeding, migrations, an unreachable database, and the schema rules behind the
//! one-current-version and tenant rules.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use customer_domain::{
    CompanyCode, CompanyDirectory, CustomerRepository, FailureKind, RepositoryError,
};
use customer_infrastructure::revert_all_migrations;
use customer_infrastructure::{
    Database, DatabaseUrl, InfraError, PoolSettings, SqlCustomerStore, is_empty, run_migrations,
    seed_demo,
};
use customer_testkit::{TestBackend, TestDatabase};
use diesel::QueryableByName;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;

use crate::support::{
    JFC, JTC, by_id, by_reference, contact_ids, execute, find_ids, find_one, store, try_execute,
    version_sql, with_conn,
};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Rows per table of the demo data set.
async fn row_counts(db: &Database) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for table in [
        "companies",
        "customers",
        "customer_versions",
        "customer_contacts",
        "customer_references",
    ] {
        let sql = format!("SELECT COUNT(*) AS n FROM {table}");
        let count: Count = with_conn!(db, |conn| diesel::sql_query(&sql)
            .get_result(conn)
            .await
            .expect("a count"));
        counts.push((table, count.n));
    }
    counts
}

/// `seed_demo` adds the 15 demo customers once; a second run adds nothing and changes
/// no row count. `is_empty` says whether any customer is stored.
pub async fn seed_demo_is_idempotent(backend: TestBackend) {
    let db = TestDatabase::new(backend).await;
    let pool = db.connect();
    assert!(is_empty(&pool).await.expect("is_empty answers"));
    assert_eq!(seed_demo(&pool).await.expect("the demo data loads"), 15);
    assert!(!is_empty(&pool).await.expect("is_empty answers"));
    let counts = row_counts(&pool).await;
    assert_eq!(
        counts,
        [
            ("companies", 2),
            ("customers", 15),
            ("customer_versions", 20),
            ("customer_contacts", 15),
            ("customer_references", 21),
        ]
    );
    assert_eq!(
        seed_demo(&pool).await.expect("the demo data loads again"),
        0
    );
    assert!(!is_empty(&pool).await.expect("is_empty answers"));
    assert_eq!(row_counts(&pool).await, counts);
}

/// After seeding, rows inserted without explicit keys get fresh ones: the seed advances
/// the identity sequences past the explicit demo keys. PostgreSQL only: SQLite assigns no
/// ids since the keys hold `company_id` (they are no longer aliases of the rowid), and
/// every SQLite writer names its ids.
pub async fn rows_inserted_after_seeding_get_fresh_ids(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    execute(
        &db.connect(),
        "INSERT INTO customer_contacts (company_id, customer_id, contact_number, primary_contact)
         VALUES (1, 54218, '500000016', FALSE);
         INSERT INTO customer_references (company_id, customer_id, reference_no)
         VALUES (1, 54218, 'NEW-REF-1');
         INSERT INTO customers (customer_id, company_id) VALUES (50003, 1);
         INSERT INTO customer_versions (customer_id, customer_version_id, company_id, start_date)
         VALUES (50003, 1, 1, '2026-06-01 08:00:00');",
    )
    .await;
    let store = store(&db);
    let found = find_one(&store, JTC, &by_id(54218)).await;
    assert_eq!(contact_ids(&found), [1, 2, 16]);
    assert_eq!(
        find_ids(&store, JTC, &by_reference("NEW-REF-1")).await,
        [54218]
    );
    assert_eq!(
        find_one(&store, JTC, &by_id(50003)).await.version_id,
        200_020
    );
}

/// The migration folders of `backend`, i.e. the migrations a fresh database needs.
fn migration_count(backend: TestBackend) -> usize {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../migrations")
        .join(backend.name());
    std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .filter(|entry| {
            entry
                .as_ref()
                .is_ok_and(|e| e.path().join("up.sql").is_file())
        })
        .count()
}

/// Migrating an already migrated database applies nothing and leaves nothing pending,
/// with or without data. (For SQLite also: a brand-new file gets every migration once.)
pub async fn migrating_again_applies_nothing(backend: TestBackend) {
    let db = TestDatabase::new(backend).await;
    assert_eq!(
        db.connect()
            .pending_migrations()
            .await
            .expect("pending answers"),
        Vec::<String>::new()
    );
    assert_eq!(
        run_migrations(db.url()).await.expect("migrations run"),
        Vec::<String>::new()
    );
    let db = TestDatabase::with_demo_data(backend).await;
    assert_eq!(
        run_migrations(db.url()).await.expect("migrations run"),
        Vec::<String>::new()
    );
    assert_eq!(
        db.connect()
            .pending_migrations()
            .await
            .expect("pending answers"),
        Vec::<String>::new()
    );
    assert!(!is_empty(&db.connect()).await.expect("is_empty answers"));

    if backend == TestBackend::Sqlite {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let url = DatabaseUrl::Sqlite(folder.path().join("fresh.db"));
        let all = migration_count(backend);
        assert!(all > 0);
        let pool = Database::connect(&url, &PoolSettings::default()).expect("a pool");
        assert_eq!(pool.pending_migrations().await.expect("pending").len(), all);
        assert_eq!(
            run_migrations(&url).await.expect("migrations run").len(),
            all
        );
        assert_eq!(pool.pending_migrations().await.expect("pending").len(), 0);
        assert_eq!(run_migrations(&url).await.expect("migrations run").len(), 0);
    }
}

#[derive(QueryableByName)]
struct Object {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The objects (tables, indexes, sequences, views) in the database's schema, other than
/// diesel's record of the migrations applied.
async fn schema_objects(db: &Database) -> Vec<String> {
    let sql = match db {
        Database::Postgres(_) => {
            "SELECT c.relname::text AS name FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = current_schema() ORDER BY 1"
        }
        Database::Sqlite(_) => {
            "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
             ORDER BY 1"
        }
    };
    let objects: Vec<Object> = with_conn!(db, |conn| diesel::sql_query(sql)
        .load(conn)
        .await
        .expect("the schema is listed"));
    objects
        .into_iter()
        .map(|object| object.name)
        .filter(|name| !name.starts_with("__diesel_schema_migrations"))
        .collect()
}

/// Every migration reverts: once all are reverted (newest first) nothing of the schema is
/// left, and migrating again gives a database that serves lookups.
pub async fn migrations_revert_and_apply_again(backend: TestBackend) {
    let db = TestDatabase::new(backend).await;
    let all = migration_count(backend);
    assert!(!schema_objects(&db.connect()).await.is_empty());
    let reverted = revert_all_migrations(db.url())
        .await
        .expect("every migration reverts");
    assert_eq!(reverted.len(), all, "{reverted:?}");
    assert_eq!(schema_objects(&db.connect()).await, Vec::<String>::new());
    assert_eq!(
        run_migrations(db.url())
            .await
            .expect("migrations run")
            .len(),
        all
    );
    seed_demo(&db.connect()).await.expect("demo data loads");
    assert_eq!(
        find_one(&store(&db), JTC, &by_id(54218)).await,
        crate::example_customer()
    );
}

fn fast_failing_settings() -> PoolSettings {
    PoolSettings {
        wait_timeout: Duration::from_millis(500),
        create_timeout: Duration::from_millis(500),
        ..PoolSettings::default()
    }
}

/// Both ports report the store unreachable, quickly, when no connection can be had.
async fn assert_ports_unavailable(db: Database) {
    let store = SqlCustomerStore::new(db, Duration::from_secs(60));
    let started = Instant::now();
    let found = store.find_current(JTC, &by_id(54218)).await;
    assert!(
        matches!(&found, Err(error) if error.kind() == FailureKind::Unreachable),
        "find_current: {found:?}"
    );
    let resolved = store
        .resolve(&CompanyCode::parse("jtc").expect("a well-formed code"))
        .await;
    assert!(
        matches!(&resolved, Err(error) if error.kind() == FailureKind::Unreachable),
        "resolve: {resolved:?}"
    );
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
}

/// An unreachable database makes both ports answer [`FailureKind::Unreachable`] within
/// the pool's timeouts.
///
/// PostgreSQL: nothing listens on port 1. SQLite: a file in a folder that does not exist
/// and cannot be created is refused when the pool is built (`InfraError::Io`, which is
/// not classed as unavailable), so no adapter can be made over it; the ports are checked
/// instead over a "file" that is a folder, which the pool builds but cannot open.
pub async fn unreachable_database_is_unavailable(backend: TestBackend) {
    let settings = fast_failing_settings();
    match backend {
        TestBackend::Postgres => {
            let url = DatabaseUrl::Postgres("postgres://postgres@127.0.0.1:1/x".into());
            let db = Database::connect(&url, &settings).expect("the pool builds lazily");
            assert_ports_unavailable(db).await;
        }
        TestBackend::Sqlite => {
            let url = DatabaseUrl::Sqlite(PathBuf::from("/proc/nonexistent/x.db"));
            let result = Database::connect(&url, &settings);
            assert!(
                matches!(result, Err(InfraError::Io(_))),
                "a folder that cannot be created: {result:?}"
            );
            let error = result.expect_err("an error");
            assert!(!error.is_unavailable(), "{error}");
            assert_eq!(RepositoryError::from(error).kind(), FailureKind::Other);

            let folder = tempfile::tempdir().expect("a temporary folder");
            let url = DatabaseUrl::Sqlite(folder.path().to_path_buf());
            let db = Database::connect(&url, &settings).expect("the pool builds lazily");
            assert_ports_unavailable(db).await;
        }
    }
}

/// Takes connections from `db` until a wait times out (at most 16), runs `while_held`,
/// then gives them back; returns how many it had.
async fn hold_what_can_be_had(db: &Database, while_held: impl FnOnce()) -> usize {
    match db {
        Database::Postgres(pool) => {
            let held = take_up_to_16(|| pool.get()).await;
            while_held();
            held.len()
        }
        Database::Sqlite(pool) => {
            let held = take_up_to_16(|| pool.get()).await;
            while_held();
            held.len()
        }
    }
}

/// What `get` gives until it fails, at most 16.
async fn take_up_to_16<C, E, F>(mut get: impl FnMut() -> F) -> Vec<C>
where
    F: Future<Output = Result<C, E>>,
{
    let mut held = Vec::new();
    while held.len() < 16 {
        match get().await {
            Ok(conn) => held.push(conn),
            Err(_) => break,
        }
    }
    held
}

/// `max_size` connections in all, whichever threads ask: PostgreSQL gives each of the
/// `threads` threads a pool of its own of `max_size / threads` (its connections' I/O
/// runs on that thread); SQLite has one pool for every thread.
pub async fn connections_are_shared_out_among_threads(backend: TestBackend) {
    let database = TestDatabase::new(backend).await;
    let settings = PoolSettings {
        max_size: 4,
        threads: 2,
        wait_timeout: Duration::from_millis(300),
        ..PoolSettings::default()
    };
    let db = Database::connect(database.url(), &settings).expect("a pool");
    assert_eq!(db.status().max_size, 4, "before any thread asked");

    // Both threads hold what they can, then wait for each other, so that neither gives
    // its connections back before the other has tried.
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(3));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let (db, barrier) = (db.clone(), barrier.clone());
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime");
                runtime.block_on(hold_what_can_be_had(&db, || {
                    barrier.wait();
                    barrier.wait();
                }))
            })
        })
        .collect();
    let held_now = tokio::task::spawn_blocking({
        let (db, barrier) = (db.clone(), barrier.clone());
        move || {
            barrier.wait();
            let status = db.status();
            barrier.wait();
            status
        }
    })
    .await
    .expect("the status");
    let held: Vec<usize> = threads
        .into_iter()
        .map(|thread| thread.join().expect("the thread"))
        .collect();
    assert_eq!(held.iter().sum::<usize>(), 4, "in all: {held:?}");
    assert_eq!(held_now.size, 4, "{held_now:?}");
    assert_eq!(held_now.max_size, 4, "{held_now:?}");
    if backend == TestBackend::Postgres {
        assert_eq!(held, [2, 2], "each thread has its own pool of 4 / 2");
    }
}

/// Customers stored, read through `db` on the calling thread's runtime.
async fn count_customers(db: &Database) -> i64 {
    let count: Count = with_conn!(db, |conn| diesel::sql_query(
        "SELECT COUNT(*) AS n FROM customers"
    )
    .get_result(conn)
    .await
    .expect("a count"));
    count.n
}

/// A connection opened on one thread's runtime (an actix worker's) keeps serving the
/// other threads once that thread and its runtime are gone: at shutdown actix stops its
/// idle workers first, while the others finish their requests and the audit writer
/// empties its queue.
pub async fn connections_outlive_the_runtime_that_opened_them(backend: TestBackend) {
    let database = TestDatabase::with_demo_data(backend).await;
    let settings = PoolSettings {
        max_size: 1,
        threads: 1,
        ..PoolSettings::default()
    };
    let db = Database::connect(database.url(), &settings).expect("a pool");
    let opened_elsewhere = std::thread::spawn({
        let db = db.clone();
        move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(count_customers(&db))
        }
    })
    .join()
    .expect("the thread");
    assert_eq!(opened_elsewhere, 15);
    assert_eq!(db.status().size, 1, "the connection is back in the pool");
    for _ in 0..3 {
        assert_eq!(count_customers(&db).await, 15);
    }
}

/// A worker opens its share of PostgreSQL connections before any request (SQLite has
/// nothing to open); with the database unreachable, warming up fails rather than hangs.
pub async fn warming_up_opens_the_threads_connections(backend: TestBackend) {
    let database = TestDatabase::new(backend).await;
    let settings = PoolSettings {
        max_size: 6,
        threads: 2,
        ..fast_failing_settings()
    };
    let db = Database::connect(database.url(), &settings).expect("a pool");
    let opened = db.warm_up().await.expect("warming up");
    let status = db.status();
    match backend {
        TestBackend::Postgres => {
            assert_eq!(opened, 3, "this thread's share of 6 / 2");
            assert_eq!((status.size, status.idle), (3, 3), "{status:?}");
            let url = DatabaseUrl::Postgres("postgres://postgres@127.0.0.1:1/x".into());
            let down = Database::connect(&url, &settings).expect("the pool builds lazily");
            let started = Instant::now();
            let error = down.warm_up().await.expect_err("nothing to connect to");
            assert!(error.is_unavailable(), "{error}");
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "{:?}",
                started.elapsed()
            );
        }
        TestBackend::Sqlite => {
            assert_eq!(opened, 0);
            assert_eq!(status.size, 0, "{status:?}");
        }
    }
}

fn database_error_kind(result: Result<(), DieselError>) -> Option<DatabaseErrorKind> {
    match result {
        Err(DieselError::DatabaseError(kind, _)) => Some(kind),
        Ok(()) => None,
        Err(other) => panic!("not a database error: {other:?}"),
    }
}

/// A second version without end date for the same customer is refused by the schema;
/// a closed one is accepted (so the refusal is about the rule, not the statement).
pub async fn one_current_version_per_customer_is_enforced(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let pool = db.connect();
    let second_current = version_sql(900_100, 54218, 2, 1, Some("512000100"), None, None);
    let kind = database_error_kind(try_execute(&pool, &second_current).await);
    assert!(
        matches!(kind, Some(DatabaseErrorKind::UniqueViolation)),
        "a second current version of 54218: {kind:?}"
    );
    let closed = version_sql(
        900_100,
        54218,
        2,
        1,
        Some("512000100"),
        None,
        Some("2026-06-02 08:00:00"),
    );
    execute(&pool, &closed).await;
    // A customer without a current version may get one, but only one.
    execute(
        &pool,
        &version_sql(900_101, 54225, 2, 1, Some("567001122"), None, None),
    )
    .await;
    let kind = database_error_kind(
        try_execute(
            &pool,
            &version_sql(900_102, 54225, 3, 1, Some("567001122"), None, None),
        )
        .await,
    );
    assert!(
        matches!(kind, Some(DatabaseErrorKind::UniqueViolation)),
        "a second current version of 54225: {kind:?}"
    );
    let store = store(&db);
    assert_eq!(
        find_one(&store, JTC, &by_id(54218)).await.version_id,
        103_932
    );
    assert_eq!(
        find_one(&store, JTC, &by_id(54225)).await.version_id,
        900_101
    );
}

/// Versions and references carry their customer's company: the composite foreign key to
/// `customers (company_id, customer_id)` refuses another company, and unknown customers.
pub async fn versions_and_references_stay_in_their_customers_company(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let pool = db.connect();
    let closed = Some("2026-06-02 08:00:00");
    for (what, sql) in [
        (
            "a version of jfc's 70001 in jtc",
            version_sql(900_200, 70001, 5, 1, None, None, closed),
        ),
        (
            "a current version of jfc's 70001 in jtc",
            version_sql(900_201, 70001, 6, 1, None, None, None),
        ),
        (
            "a version of an unknown customer",
            version_sql(900_202, 99998, 1, 1, None, None, None),
        ),
        (
            "a reference of jfc's 70001 in jtc",
            "INSERT INTO customer_references (reference_id, company_id, customer_id, reference_no)
             VALUES (900, 1, 70001, 'X-1')"
                .to_owned(),
        ),
    ] {
        let kind = database_error_kind(try_execute(&pool, &sql).await);
        assert!(
            matches!(kind, Some(DatabaseErrorKind::ForeignKeyViolation)),
            "{what}: {kind:?}"
        );
    }
    // The same rows in the right company are accepted.
    execute(
        &pool,
        &format!(
            "{};
             INSERT INTO customer_references (reference_id, company_id, customer_id, reference_no)
             VALUES (900, 2, 70001, 'X-1');",
            version_sql(900_200, 70001, 5, 2, None, None, closed)
        ),
    )
    .await;
    let store = store(&db);
    assert_eq!(find_ids(&store, JFC, &by_reference("X-1")).await, [70001]);
    assert_eq!(
        find_ids(&store, JTC, &by_reference("X-1")).await,
        Vec::<i64>::new()
    );
    assert_eq!(
        find_one(&store, JFC, &by_id(70001)).await.version_id,
        200_015
    );
}

/// Four migration runs at once on a database with every migration pending (instances
/// starting together, or `migrate` beside a start): each succeeds, and each migration is
/// applied by exactly one of them.
pub async fn concurrent_migration_runs_apply_each_migration_once(backend: TestBackend) {
    let db = TestDatabase::new(backend).await;
    let all = revert_all_migrations(db.url())
        .await
        .expect("migrations revert");
    assert!(!all.is_empty());
    let runs = (0..4).map(|_| {
        let url = db.url().clone();
        tokio::spawn(async move { run_migrations(&url).await })
    });
    let mut applied: Vec<String> = Vec::new();
    for run in futures_util::future::join_all(runs).await {
        applied.extend(run.expect("the run finished").expect("migrations run"));
    }
    applied.sort();
    let mut expected = all;
    expected.sort();
    assert_eq!(applied, expected);
    assert_eq!(
        db.connect().pending_migrations().await.expect("pending"),
        Vec::<String>::new()
    );
}
