//! An initial load ([`InitialLoad`]): batches written in one transaction with the
//! lookups' indexes (and, on PostgreSQL, the foreign keys) dropped, then built again at
//! its end. It writes what batches of the store write; it begins only on tables without
//! customers; left unfinished, it leaves the tables and their indexes as they were.

use std::sync::Arc;

use customer_domain::{CustomerRepository, CustomerWriter};
use customer_infrastructure::{Database, InitialLoad};
use customer_testkit::TestBackend;

use super::{NOW, changed, created, current, document, fixture, mobile, put, rows, versions};
use crate::history::at;
use crate::support::{JTC, by_mobile, by_reference, count_rows};

/// The indexes of the database and (PostgreSQL) its foreign keys.
async fn schema_objects(db: &Database, backend: TestBackend) -> i64 {
    match backend {
        TestBackend::Postgres => {
            count_rows(db, "pg_indexes WHERE schemaname = current_schema()").await
                + count_rows(db, "pg_constraint WHERE contype = 'f'").await
        }
        TestBackend::Sqlite => count_rows(db, "sqlite_master WHERE type = 'index'").await,
    }
}

/// Batches of an initial load write what the store's batches write, a dry-run batch
/// undoes only itself, and the finished load has every index and foreign key again,
/// through which lookups find what it wrote.
pub async fn an_initial_load_writes_as_batches_do_and_rebuilds_what_it_dropped(
    backend: TestBackend,
) {
    let (_db, store, pool) = fixture(backend).await;
    let before = schema_objects(&pool, backend).await;
    let store = Arc::new(store);
    let load = InitialLoad::begin(store.clone())
        .await
        .expect("the load begins")
        .expect("no customer is stored");
    let expected = match backend {
        TestBackend::Postgres => "22 indexes and 19 foreign keys",
        TestBackend::Sqlite => "22 indexes",
    };
    assert_eq!(load.rebuilt(), expected, "the lookups' indexes are dropped");
    let first = load
        .apply(
            vec![
                put(document(
                    1,
                    Some("2025-01-01 00:00:00"),
                    "One",
                    &["A", "B"],
                    &["R-1"],
                )),
                put(document(
                    2,
                    Some("2025-01-01 00:00:00"),
                    "Two",
                    &[],
                    &["R-2"],
                )),
            ],
            at(NOW),
            false,
        )
        .await
        .expect("the first batch is written");
    assert_eq!(
        first,
        [
            created(1, "2025-01-01 00:00:00"),
            created(1, "2025-01-01 00:00:00")
        ]
    );
    let second = load
        .apply(
            vec![put(document(
                1,
                Some("2025-06-01 00:00:00"),
                "Uno",
                &["A"],
                &["R-1"],
            ))],
            at(NOW),
            false,
        )
        .await
        .expect("the second batch is written");
    assert_eq!(second, [changed(2, "2025-06-01 00:00:00")]);
    let dry = load
        .apply(
            vec![put(document(3, None, "Three", &[], &[]))],
            at(NOW),
            true,
        )
        .await
        .expect("the dry run is planned");
    assert_eq!(dry.len(), 1);
    load.refresh_statistics()
        .await
        .expect("statistics inside the load");
    load.finish().await.expect("the load commits");

    assert_eq!(schema_objects(&pool, backend).await, before, "all rebuilt");
    assert_eq!(
        versions(&store, 1).await,
        [
            "v2 2025-06-01 00:00:00.. Uno [A]",
            "v1 2025-01-01 00:00:00..2025-06-01 00:00:00 One [A,B]"
        ]
    );
    let found = store
        .find_current(JTC, &by_mobile(mobile(2).as_str()))
        .await
        .expect("the lookup succeeds");
    assert_eq!(found.len(), 1, "found through the rebuilt mobile index");
    let found = store
        .find_current(JTC, &by_reference("R-1"))
        .await
        .expect("the lookup succeeds");
    assert_eq!(found.len(), 1, "found through the rebuilt reference index");
    assert_eq!(current(&store, 3).await, None, "the dry run wrote nothing");
    assert_eq!(rows(&pool).await, [2, 3, 1, 1, 2, 0], "B went to history");
    assert!(
        InitialLoad::begin(store)
            .await
            .expect("the check succeeds")
            .is_none(),
        "no initial load once customers are stored"
    );
}

/// An initial load dropped before it finishes (the import failed, or was stopped)
/// commits nothing: no customer, every index and foreign key in place; a new one
/// begins.
pub async fn an_unfinished_initial_load_leaves_the_tables_as_they_were(backend: TestBackend) {
    let (_db, store, pool) = fixture(backend).await;
    let before = schema_objects(&pool, backend).await;
    let store = Arc::new(store);
    let load = InitialLoad::begin(store.clone())
        .await
        .expect("the load begins")
        .expect("no customer is stored");
    load.apply(
        vec![put(document(1, None, "One", &["A"], &["R-1"]))],
        at(NOW),
        false,
    )
    .await
    .expect("the batch is written");
    drop(load);

    assert_eq!(rows(&pool).await, [0; 6], "nothing committed");
    assert_eq!(schema_objects(&pool, backend).await, before);
    let again = InitialLoad::begin(store.clone())
        .await
        .expect("the load begins")
        .expect("still no customer");
    again.finish().await.expect("an empty load commits");
    assert_eq!(schema_objects(&pool, backend).await, before);
}
