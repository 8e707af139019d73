//! Deadlines of database work: past its deadline a lookup is `Unavailable`, and the
//! connection it used is closed rather than given back to the pool.

use std::time::{Duration, Instant};

use customer_domain::{CustomerRepository, FailureKind};
use customer_infrastructure::{Database, DatabaseUrl, PoolSettings, bounded};
use customer_testkit::{TestBackend, TestDatabase};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};

use customer_infrastructure::SqlCustomerStore;

use crate::support::{JTC, by_id, find_one};

/// A lookup waits on a table lock past its 300 ms bound: the answer is `Unavailable`
/// within the bound, the pool holds no connection afterwards (the one that waited is
/// closed: its statement was still pending), and lookups work once the lock is gone.
pub async fn a_lookup_past_its_deadline_is_unavailable_and_its_connection_closed(
    backend: TestBackend,
) {
    let database = TestDatabase::with_demo_data(backend).await;
    let DatabaseUrl::Postgres(url) = database.url() else {
        panic!("a PostgreSQL test");
    };
    let settings = PoolSettings {
        max_size: 1,
        ..PoolSettings::default()
    };
    let db = Database::connect(database.url(), &settings).expect("a pool");
    let lookups = SqlCustomerStore::new(db.clone(), Duration::from_secs(60));
    find_one(&lookups, JTC, &by_id(54218)).await;
    assert_eq!(db.status().size, 1, "one connection, back in the pool");
    let mut locker = AsyncPgConnection::establish(url)
        .await
        .expect("a connection of the test's own");
    locker
        .batch_execute("BEGIN; LOCK TABLE customer_versions IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("the lock is taken");
    let started = Instant::now();
    let found = bounded(
        Duration::from_millis(300),
        lookups.find_current(JTC, &by_id(54218)),
    )
    .await;
    let took = started.elapsed();
    assert!(
        matches!(&found, Err(error) if error.kind() == FailureKind::TimedOut),
        "{found:?}"
    );
    assert!(took < Duration::from_secs(2), "answered after {took:?}");
    assert_eq!(db.status().size, 0, "the connection that waited is closed");
    locker.batch_execute("COMMIT").await.expect("the lock ends");
    find_one(&lookups, JTC, &by_id(54218)).await;
}
