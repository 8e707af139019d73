//! The in-memory reference data cache and the company directory.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use customer_domain::{CompanyCode, CompanyDirectory, CompanyId, CustomerRepository, FailureKind};
use customer_infrastructure::{InfraError, QueryObserver, SqlCustomerStore};
use customer_testkit::{TestBackend, TestDatabase};

use crate::coded;
use crate::support::{JFC, JTC, by_id, contact_ids, contact_sql, execute, find_one, store};

/// How many times the store ran each statement.
type Executions = Arc<Mutex<BTreeMap<&'static str, usize>>>;

/// The adapter under test over `db`, counting the statements it runs.
fn counting_store(db: &TestDatabase) -> (SqlCustomerStore, Executions) {
    let executions = Executions::default();
    let counted = Arc::clone(&executions);
    let observer: QueryObserver = Arc::new(move |statement, _| {
        *counted
            .lock()
            .expect("not poisoned")
            .entry(statement)
            .or_default() += 1;
    });
    (store(db).with_query_observer(observer), executions)
}

/// The statements run since the last call, by name.
fn take(executions: &Executions) -> BTreeMap<&'static str, usize> {
    std::mem::take(&mut *executions.lock().expect("not poisoned"))
}

/// The adapter reloads reference data on a miss at most once per this interval
/// (`MISS_RELOAD_INTERVAL`, 1 s, private to the adapter), counted from the last load:
/// a test that needs a miss to reload waits a little longer than that first.
const PAST_MISS_RELOAD_INTERVAL: Duration = Duration::from_millis(1100);

async fn resolve(store: &impl CompanyDirectory, code: &str) -> Option<CompanyId> {
    let code = CompanyCode::parse(code).expect("a well-formed company code");
    match store.resolve(&code).await {
        Ok(id) => id,
        Err(error) => panic!("resolving {code} failed: {error:?}"),
    }
}

/// Adds relation type 99 (neighbour), unknown to a cache loaded before, and contact 50 of
/// customer 54218 with that relation.
async fn add_a_neighbour(db: &TestDatabase) {
    execute(
        &db.connect(),
        &format!(
            "INSERT INTO relation_types (id, name_ar, name_en) VALUES (99, 'جار', 'Neighbour');
             {};",
            contact_sql(50, 54218, 1, Some(99))
        ),
    )
    .await;
}

/// A reference row added after the cache was loaded (a new relation type), used by a new
/// contact, is picked up by the next lookup: the miss makes the adapter reload, well
/// before the 60 s time to live.
pub async fn reference_rows_added_later_are_picked_up_on_a_miss(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let store = store(&db);
    // Loads the cache.
    assert_eq!(
        contact_ids(&find_one(&store, JTC, &by_id(54218)).await),
        [1, 2]
    );
    add_a_neighbour(&db).await;
    // Asked at once: a miss the foreign keys prove real reloads without delay.
    let found = find_one(&store, JTC, &by_id(54218)).await;
    assert_eq!(contact_ids(&found), [1, 2, 50]);
    assert_eq!(
        found.contacts[2].relation_type,
        Some(coded(99, "جار", "Neighbour"))
    );
    // Values already known are still right after the reload.
    assert_eq!(
        found.contacts[0].relation_type,
        Some(coded(3, "صديق", "Friend"))
    );
}

/// On a miss, the adapter reloads the reference data and maps the rows it already read:
/// the lookup's statement runs once, not again.
pub async fn a_miss_reloads_the_reference_data_not_the_rows(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let (store, executions) = counting_store(&db);
    // Loads the cache.
    assert_eq!(
        contact_ids(&find_one(&store, JTC, &by_id(54218)).await),
        [1, 2]
    );
    let once = BTreeMap::from([("find_customers", 1)]);
    assert_eq!(take(&executions), once);
    add_a_neighbour(&db).await;
    let found = find_one(&store, JTC, &by_id(54218)).await;
    assert_eq!(
        found.contacts[2].relation_type,
        Some(coded(99, "جار", "Neighbour"))
    );
    assert_eq!(take(&executions), once, "the rows are read once");
}

/// A value still missing after the reload is an inconsistency of the stored data (the
/// foreign keys prevent it; here they are switched off to delete a value in use).
pub async fn a_value_missing_after_the_reload_is_inconsistent(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let unchecked = match backend {
        TestBackend::Sqlite => "PRAGMA foreign_keys = OFF;",
        TestBackend::Postgres => {
            "ALTER TABLE customer_contacts DROP CONSTRAINT customer_contacts_relation_type_id_fkey;"
        }
    };
    // Relation type 6 (brother) is that of customer 54218's contact 2.
    execute(
        &db.connect(),
        &format!("{unchecked} DELETE FROM relation_types WHERE id = 6;"),
    )
    .await;
    let (store, executions) = counting_store(&db);
    let error = store
        .find_current(JTC, &by_id(54218))
        .await
        .expect_err("relation type 6 does not exist");
    assert_eq!(error.kind(), FailureKind::Inconsistent, "{error:?}");
    match std::error::Error::source(&error).and_then(|source| source.downcast_ref::<InfraError>()) {
        Some(InfraError::Inconsistent(message)) => {
            assert!(message.contains("RelationType 6"), "{message}");
        }
        other => panic!("not an inconsistency: {other:?}"),
    }
    assert_eq!(take(&executions), BTreeMap::from([("find_customers", 1)]));
}

/// Reference data older than its time to live is reloaded even without a miss: a renamed
/// value shows its new name.
pub async fn reference_data_older_than_its_time_to_live_is_reloaded(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let store = SqlCustomerStore::new(db.connect(), Duration::from_millis(200));
    let found = find_one(&store, JTC, &by_id(54218)).await;
    assert_eq!(
        found.contacts[0].relation_type,
        Some(coded(3, "صديق", "Friend"))
    );
    execute(
        &db.connect(),
        "UPDATE relation_types SET name_ar = 'رفيق', name_en = 'Companion' WHERE id = 3;",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let found = find_one(&store, JTC, &by_id(54218)).await;
    assert_eq!(
        found.contacts[0].relation_type,
        Some(coded(3, "رفيق", "Companion"))
    );
}

/// A company added after the first lookup is resolved: the miss reloads the cache.
pub async fn companies_added_later_are_resolved(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let store = store(&db);
    // Loads the cache.
    assert_eq!(resolve(&store, "jtc").await, Some(JTC));
    assert_eq!(resolve(&store, "acme").await, None);
    execute(
        &db.connect(),
        "INSERT INTO companies (company_id, code, name_ar, name_en)
         VALUES (3, 'acme', 'أكمي', 'Acme');",
    )
    .await;
    // The miss reload is rate-limited to once per second since the last load: wait past
    // it, so that asking for the new code is allowed to reload.
    tokio::time::sleep(PAST_MISS_RELOAD_INTERVAL).await;
    assert_eq!(resolve(&store, "acme").await, Some(CompanyId::new(3)));
    assert_eq!(resolve(&store, "ACME").await, Some(CompanyId::new(3)));
    assert_eq!(resolve(&store, "jfc").await, Some(JFC));
}

/// Known codes resolve to their company, whatever their case (the `CompanyCode` value
/// type lowercases; the directory matches the code as given); unknown codes give `None`.
pub async fn company_codes_resolve_to_their_company(backend: TestBackend) {
    let db = TestDatabase::with_demo_data(backend).await;
    let store = store(&db);
    for (code, expected) in [
        ("jtc", Some(JTC)),
        ("JTC", Some(JTC)),
        (" JtC ", Some(JTC)),
        ("jfc", Some(JFC)),
        ("JFC", Some(JFC)),
        ("jt", None),
        ("jtcc", None),
        ("xyz", None),
        ("1", None),
    ] {
        assert_eq!(resolve(&store, code).await, expected, "{code:?}");
    }
    // An empty database knows no company.
    let empty = TestDatabase::new(backend).await;
    assert_eq!(resolve(&crate::support::store(&empty), "jtc").await, None);
}
