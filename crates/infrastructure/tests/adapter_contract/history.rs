//! Customers as they were: lookups as of a moment, at each boundary of a version, matched
//! on the identifiers, references and contacts of that version, and the list of a
//! customer's versions.
//!
//! Customer 80001 of `jtc` (not in the demo data) has two versions: version 1 from
//! 2024-01-01 00:00 to 2025-01-01 00:00 (local times, as stored), version 2 since then.
//! The history rows are inserted by the tests: nothing writes them yet.

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use customer_domain::{
    CompanyId, Customer, CustomerHistory, CustomerId, CustomerRepository, SearchCriteria,
};
use customer_infrastructure::SqlCustomerStore;
use customer_testkit::{TestBackend, TestDatabase};

use crate::support::{
    JFC, JTC, by_id, by_identification, by_mobile, by_reference, criteria, execute, store,
};

const CUSTOMER: i64 = 80001;

/// Customer 80001, its two versions, and the references and contacts the tests use:
/// reference `H-REF-ALL` and contact 9001 held by both versions, `H-REF-NEW` and contact
/// 9003 added by version 2, `H-REF-OLD` and contact 9002 removed by version 2 (history
/// rows).
async fn versioned_customer(backend: TestBackend) -> TestDatabase {
    let db = TestDatabase::with_demo_data(backend).await;
    let pool = db.connect();
    execute(
        &pool,
        "INSERT INTO customers (customer_id, company_id) VALUES (80001, 1);
         INSERT INTO customer_versions
           (version_id, customer_id, customer_version_id, company_id, mobile_number,
            identification_no, start_date, end_date)
         VALUES (980001, 80001, 1, 1, '551110001', 'H-OLD', '2024-01-01 00:00:00',
                 '2025-01-01 00:00:00');
         INSERT INTO customer_versions
           (version_id, customer_id, customer_version_id, company_id, mobile_number,
            identification_no, start_date, end_date)
         VALUES (980002, 80001, 2, 1, '551110002', 'H-NEW', '2025-01-01 00:00:00', NULL);
         INSERT INTO customer_references
           (reference_id, company_id, customer_id, reference_no, since_version)
         VALUES (98001, 1, 80001, 'H-REF-ALL', 1), (98002, 1, 80001, 'H-REF-NEW', 2);
         INSERT INTO customer_references_history
           (company_id, customer_id, reference_no, since_version, until_version)
         VALUES (1, 80001, 'H-REF-OLD', 1, 2);
         INSERT INTO customer_contacts
           (contact_id, company_id, customer_id, contact_name, primary_contact, since_version)
         VALUES (9001, 1, 80001, 'kept', TRUE, 1), (9003, 1, 80001, 'added', FALSE, 2);
         INSERT INTO customer_contacts_history
           (contact_id, company_id, customer_id, contact_name, primary_contact,
            since_version, until_version)
         VALUES (9002, 1, 80001, 'removed', FALSE, 1, 2);",
    )
    .await;
    db
}

/// The store, reading stored times as UTC: the boundaries are then the stored values.
pub(crate) fn utc_store(db: &TestDatabase) -> SqlCustomerStore {
    store(db).with_local_time_offset(FixedOffset::east_opt(0).expect("UTC"))
}

/// A moment written in RFC 3339.
pub(crate) fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("an RFC 3339 date-time")
        .with_timezone(&Utc)
}

/// A stored (local) time: `2026-01-01 00:00:00`, a fraction allowed.
pub(crate) fn local(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").expect("a local date-time")
}

/// `(customer id, customer version id)` of each customer found.
async fn versions_found(
    store: &SqlCustomerStore,
    company: CompanyId,
    criteria: &SearchCriteria,
    when: &str,
) -> Vec<(i64, i32)> {
    store
        .find_as_of(company, criteria, at(when))
        .await
        .expect("the lookup succeeds")
        .iter()
        .map(|c| (c.customer_id.get(), c.customer_version_id))
        .collect()
}

fn contact_ids(customer: &Customer) -> Vec<i64> {
    customer.contacts.iter().map(|c| c.contact_id).collect()
}

/// A version is valid from its start (inclusive) to its end (exclusive); the current one
/// has no end. The version found as of a moment carries its end date.
pub async fn as_of_finds_the_version_valid_at_each_boundary(backend: TestBackend) {
    let db = versioned_customer(backend).await;
    let store = utc_store(&db);
    let id = by_id(CUSTOMER);
    for (when, expected) in [
        ("2023-12-31T23:59:59Z", vec![]),
        ("2024-01-01T00:00:00Z", vec![(CUSTOMER, 1)]),
        ("2024-12-31T23:59:59.999Z", vec![(CUSTOMER, 1)]),
        ("2025-01-01T00:00:00Z", vec![(CUSTOMER, 2)]),
        ("2026-06-01T12:00:00Z", vec![(CUSTOMER, 2)]),
    ] {
        assert_eq!(
            versions_found(&store, JTC, &id, when).await,
            expected,
            "as of {when}"
        );
    }
    let old = store
        .find_as_of(JTC, &id, at("2024-06-01T00:00:00Z"))
        .await
        .expect("the lookup succeeds");
    assert_eq!(old[0].start_date, local("2024-01-01 00:00:00"));
    assert_eq!(old[0].end_date, Some(local("2025-01-01 00:00:00")));
    let current = store
        .find_as_of(JTC, &id, at("2025-06-01T00:00:00Z"))
        .await
        .expect("the lookup succeeds");
    assert_eq!(current[0].end_date, None);
}

/// The stored local times are read at the store's offset (`+03:00` unless configured):
/// 2025-01-01 00:00 local is 2024-12-31 21:00 UTC.
pub async fn as_of_is_read_at_the_local_time_offset(backend: TestBackend) {
    let db = versioned_customer(backend).await;
    let store = store(&db);
    let id = by_id(CUSTOMER);
    for (when, expected) in [
        ("2024-12-31T20:59:59Z", 1),
        ("2024-12-31T21:00:00Z", 2),
        ("2025-01-01T00:00:00+03:00", 2),
        ("2024-12-31T23:59:59+03:00", 1),
    ] {
        assert_eq!(
            versions_found(&store, JTC, &id, when).await,
            [(CUSTOMER, expected)],
            "as of {when}"
        );
    }
}

/// A version's own identification and mobile numbers find it as of its time only; the
/// current lookup finds the current ones only, as before.
pub async fn identifiers_of_old_versions_match_only_as_of_then(backend: TestBackend) {
    let db = versioned_customer(backend).await;
    let store = utc_store(&db);
    let then = "2024-06-01T00:00:00Z";
    let now = "2025-06-01T00:00:00Z";
    for (what, criteria, then_found, now_found) in [
        (
            "old mobile",
            by_mobile("551110001"),
            vec![(CUSTOMER, 1)],
            vec![],
        ),
        (
            "new mobile",
            by_mobile("551110002"),
            vec![],
            vec![(CUSTOMER, 2)],
        ),
        (
            "old number",
            by_identification("H-OLD"),
            vec![(CUSTOMER, 1)],
            vec![],
        ),
        (
            "new number",
            by_identification("H-NEW"),
            vec![],
            vec![(CUSTOMER, 2)],
        ),
        (
            "id and old mobile",
            criteria(Some(CUSTOMER), None, Some("551110001"), None),
            vec![(CUSTOMER, 1)],
            vec![],
        ),
        (
            "old mobile and new number",
            criteria(None, Some("H-NEW"), Some("551110001"), None),
            vec![],
            vec![],
        ),
    ] {
        assert_eq!(
            versions_found(&store, JTC, &criteria, then).await,
            then_found,
            "{what} then"
        );
        assert_eq!(
            versions_found(&store, JTC, &criteria, now).await,
            now_found,
            "{what} now"
        );
    }
    let current = store
        .find_current(JTC, &by_mobile("551110001"))
        .await
        .expect("the lookup succeeds");
    assert!(
        current.is_empty(),
        "the current lookup ignores old versions"
    );
    assert!(
        versions_found(&store, JFC, &by_id(CUSTOMER), then)
            .await
            .is_empty(),
        "another company's customer"
    );
}

/// A reference belongs to the versions from its `since_version` on, or, once removed (a
/// history row), up to its `until_version`, exclusive.
pub async fn references_match_the_versions_that_held_them(backend: TestBackend) {
    let db = versioned_customer(backend).await;
    let store = utc_store(&db);
    let then = "2024-06-01T00:00:00Z";
    let now = "2025-06-01T00:00:00Z";
    for (reference, then_found, now_found) in [
        ("H-REF-ALL", vec![(CUSTOMER, 1)], vec![(CUSTOMER, 2)]),
        ("H-REF-OLD", vec![(CUSTOMER, 1)], vec![]),
        ("H-REF-NEW", vec![], vec![(CUSTOMER, 2)]),
        ("H-REF-NONE", vec![], vec![]),
    ] {
        let by = by_reference(reference);
        assert_eq!(
            versions_found(&store, JTC, &by, then).await,
            then_found,
            "{reference} then"
        );
        assert_eq!(
            versions_found(&store, JTC, &by, now).await,
            now_found,
            "{reference} now"
        );
    }
    let id_and_old = criteria(Some(CUSTOMER), None, None, Some("H-REF-OLD"));
    assert_eq!(
        versions_found(&store, JTC, &id_and_old, then).await,
        [(CUSTOMER, 1)]
    );
    assert!(
        versions_found(&store, JTC, &id_and_old, now)
            .await
            .is_empty()
    );
    let mobile_and_new = criteria(None, None, Some("551110002"), Some("H-REF-NEW"));
    assert_eq!(
        versions_found(&store, JTC, &mobile_and_new, now).await,
        [(CUSTOMER, 2)]
    );
    assert!(
        versions_found(&store, JFC, &by_reference("H-REF-OLD"), then)
            .await
            .is_empty(),
        "another company"
    );
}

/// Each version comes with the contacts it held, by contact id: the current rows since
/// its version, and the removed rows of its range.
pub async fn contacts_are_those_the_version_held(backend: TestBackend) {
    let db = versioned_customer(backend).await;
    let store = utc_store(&db);
    let id = by_id(CUSTOMER);
    let old = store
        .find_as_of(JTC, &id, at("2024-06-01T00:00:00Z"))
        .await
        .expect("the lookup succeeds");
    assert_eq!(contact_ids(&old[0]), [9001, 9002]);
    assert_eq!(old[0].contacts[1].contact_name.as_deref(), Some("removed"));
    let current = store
        .find_as_of(JTC, &id, at("2025-06-01T00:00:00Z"))
        .await
        .expect("the lookup succeeds");
    assert_eq!(contact_ids(&current[0]), [9001, 9003]);
}

/// Every version of a customer, newest first, each with its own contacts and end date;
/// none for an unknown customer or another company's.
pub async fn versions_are_listed_newest_first(backend: TestBackend) {
    let db = versioned_customer(backend).await;
    let store = utc_store(&db);
    let customer = CustomerId::new(CUSTOMER).expect("a customer id");
    let versions = store
        .versions(JTC, customer)
        .await
        .expect("the versions are read");
    let listed: Vec<(i32, Vec<i64>, Option<NaiveDateTime>)> = versions
        .iter()
        .map(|v| (v.customer_version_id, contact_ids(v), v.end_date))
        .collect();
    assert_eq!(
        listed,
        [
            (2, vec![9001, 9003], None),
            (1, vec![9001, 9002], Some(local("2025-01-01 00:00:00"))),
        ]
    );
    assert!(
        store
            .versions(JFC, customer)
            .await
            .expect("the versions are read")
            .is_empty()
    );
    let unknown = CustomerId::new(80002).expect("a customer id");
    assert!(
        store
            .versions(JTC, unknown)
            .await
            .expect("the versions are read")
            .is_empty()
    );
}
