//! Customers written through the `CustomerWriter` port: created, changed (a new version,
//! the previous one closed at the new one's start, removed contacts and references moved
//! to history), left alone when unchanged, closed and made again; If-Match and dated
//! changes refused; a dated sequence applied again changing nothing; a dry run and a
//! failed batch writing nothing. What was written is read back through the lookups
//! (`CustomerRepository`, `CustomerHistory`) and the row counts of the tables. Refusals
//! and batches are in the child module `batches`, the export port in `export`, the
//! initial load in `initial_load`.
//!
//! Each test has a database of its own with the two companies and the reference data
//! and no customer; its store reads stored times as UTC, so that the moments the tests
//! name are the stored ones.

use customer_domain::{
    ContactDetails, Customer, CustomerChange, CustomerDocument, CustomerHistory, CustomerId,
    CustomerProfile, CustomerRepository, CustomerWriter, MobileNumber, PendingChange,
    ReferenceNumber, VersionStamp, WriteOutcome, WriteRefusal,
};
use customer_infrastructure::{Database, SqlCustomerStore};
use customer_testkit::{TestBackend, TestDatabase};

use crate::history::{at, local, utc_store};
use crate::support::{JFC, JTC, by_id, by_mobile, by_reference, count_rows, execute, store};

mod batches;
mod export;
mod initial_load;

pub use batches::{
    a_batch_that_fails_part_of_the_way_writes_nothing,
    a_change_not_after_the_current_start_is_refused,
    a_dated_sequence_applied_again_changes_nothing, a_dry_run_writes_nothing,
    changes_of_one_customer_in_one_batch_follow_one_another,
    if_match_is_checked_against_the_current_version,
};
pub use export::{export_as_of_shows_what_was_known_then, export_reads_whole_histories_by_pages};
pub use initial_load::{
    an_initial_load_writes_as_batches_do_and_rebuilds_what_it_dropped,
    an_unfinished_initial_load_leaves_the_tables_as_they_were,
};

/// The moment every batch is applied at, unless a test says otherwise.
const NOW: &str = "2026-06-01T12:00:00Z";

fn id(value: i64) -> CustomerId {
    CustomerId::new(value).expect("a positive id")
}

/// A database with the companies `jtc` (1) and `jfc` (2), no customer.
async fn companies_only(backend: TestBackend) -> TestDatabase {
    let db = TestDatabase::new(backend).await;
    execute(
        &db.connect(),
        "INSERT INTO companies (company_id, code, name_ar, name_en)
         VALUES (1, 'jtc', 'جود للتكافل', 'JTC'), (2, 'jfc', 'جود للتمويل', 'JFC')",
    )
    .await;
    db
}

/// A database of [`companies_only`], the store over it (reading stored times as UTC)
/// and a pool to count its rows.
async fn fixture(backend: TestBackend) -> (TestDatabase, SqlCustomerStore, Database) {
    let db = companies_only(backend).await;
    let store = utc_store(&db);
    let pool = db.connect();
    (db, store, pool)
}

/// Customer `customer` of `jtc` named `name` with a mobile number of its own, the
/// contacts named `contacts` (in order) and the references `references`, effective at
/// `effective` (a stored time) or when applied.
fn document(
    customer: i64,
    effective: Option<&str>,
    name: &str,
    contacts: &[&str],
    references: &[&str],
) -> CustomerDocument {
    CustomerDocument {
        company: JTC,
        customer_id: id(customer),
        effective: effective.map(local),
        profile: CustomerProfile {
            first_name: Some(name.to_owned()),
            mobile_number: Some(mobile(customer)),
            gender_id: Some(1),
            is_active: Some(true),
            ..CustomerProfile::default()
        },
        contacts: contacts
            .iter()
            .map(|name| ContactDetails {
                contact_name: Some((*name).to_owned()),
                contact_number: Some("0112345678".to_owned()),
                relation_type_id: Some(3),
                primary_contact: *name == "A",
                ..ContactDetails::default()
            })
            .collect(),
        references: references
            .iter()
            .map(|r| ReferenceNumber::parse(r).expect("a reference"))
            .collect(),
    }
}

fn mobile(customer: i64) -> MobileNumber {
    MobileNumber::parse(&format!("5{:08}", customer % 100_000_000)).expect("a mobile number")
}

fn put(document: CustomerDocument) -> PendingChange {
    PendingChange {
        change: CustomerChange::Put(Box::new(document)),
        expected: None,
    }
}

fn close(customer: i64, effective: Option<&str>) -> PendingChange {
    PendingChange {
        change: CustomerChange::Close {
            company: JTC,
            customer_id: id(customer),
            effective: effective.map(local),
        },
        expected: None,
    }
}

/// `change`, expecting `expected` as the current version.
fn if_match(change: PendingChange, expected: i32) -> PendingChange {
    PendingChange {
        expected: Some(expected),
        ..change
    }
}

async fn apply_at(
    store: &SqlCustomerStore,
    changes: Vec<PendingChange>,
    now: &str,
    dry_run: bool,
) -> Vec<WriteOutcome> {
    store
        .apply(changes, at(now), dry_run)
        .await
        .unwrap_or_else(|error| panic!("the batch is applied: {error:?}"))
}

async fn apply(store: &SqlCustomerStore, changes: Vec<PendingChange>) -> Vec<WriteOutcome> {
    apply_at(store, changes, NOW, false).await
}

fn stamp(number: i32, start: &str) -> VersionStamp {
    VersionStamp {
        customer_version_id: number,
        start_date: local(start),
    }
}

fn created(number: i32, start: &str) -> WriteOutcome {
    WriteOutcome::Created(stamp(number, start))
}

fn changed(number: i32, start: &str) -> WriteOutcome {
    WriteOutcome::Changed(stamp(number, start))
}

fn unchanged(number: i32, start: &str) -> WriteOutcome {
    WriteOutcome::Unchanged(stamp(number, start))
}

fn closed(number: i32, start: &str, end: &str) -> WriteOutcome {
    WriteOutcome::Closed {
        version: stamp(number, start),
        end_date: local(end),
    }
}

fn not_after(current_start: &str) -> WriteOutcome {
    WriteOutcome::Refused(WriteRefusal::NotAfterCurrent {
        current_start: local(current_start),
    })
}

/// A version as one line: `vN START..END NAME [CONTACTS]`, `..` then nothing when open.
fn line(version: &Customer) -> String {
    let contacts: Vec<&str> = version
        .contacts
        .iter()
        .filter_map(|c| c.contact_name.as_deref())
        .collect();
    format!(
        "v{} {}..{} {} [{}]",
        version.customer_version_id,
        version.start_date,
        version
            .end_date
            .map(|end| end.to_string())
            .unwrap_or_default(),
        version.first_name.as_deref().unwrap_or("-"),
        contacts.join(",")
    )
}

/// Every version of `customer` of `jtc`, newest first, as [`line`]s.
async fn versions(store: &SqlCustomerStore, customer: i64) -> Vec<String> {
    store
        .versions(JTC, id(customer))
        .await
        .expect("the versions are read")
        .iter()
        .map(line)
        .collect()
}

/// The version of `customer` found as of `when` (RFC 3339), as a [`line`].
async fn as_of(store: &SqlCustomerStore, customer: i64, when: &str) -> Option<String> {
    let found = store
        .find_as_of(JTC, &by_id(customer), at(when))
        .await
        .expect("the lookup succeeds");
    assert!(found.len() <= 1, "{found:?}");
    found.first().map(line)
}

/// The current version of `customer`, as a [`line`].
async fn current(store: &SqlCustomerStore, customer: i64) -> Option<String> {
    let found = store
        .find_current(JTC, &by_id(customer))
        .await
        .expect("the lookup succeeds");
    found.first().map(line)
}

/// `(customer, version)` of the customers found by reference `reference` as of `when`.
async fn by_reference_as_of(
    store: &SqlCustomerStore,
    reference: &str,
    when: &str,
) -> Vec<(i64, i32)> {
    store
        .find_as_of(JTC, &by_reference(reference), at(when))
        .await
        .expect("the lookup succeeds")
        .iter()
        .map(|c| (c.customer_id.get(), c.customer_version_id))
        .collect()
}

/// Rows of each table of customer data: customers, versions, contacts, contacts in
/// history, references, references in history.
async fn rows(db: &Database) -> [i64; 6] {
    let mut counts = [0; 6];
    for (count, table) in counts.iter_mut().zip([
        "customers",
        "customer_versions",
        "customer_contacts",
        "customer_contacts_history",
        "customer_references",
        "customer_references_history",
    ]) {
        *count = count_rows(db, table).await;
    }
    counts
}

/// A new customer gets version 1, starting when the batch is applied (a local time of
/// the store's offset, to the microsecond), and is found by every identifier.
pub async fn a_new_customer_is_created_as_version_1(backend: TestBackend) {
    let db = companies_only(backend).await;
    // The store's default offset, +03:00: 12:00:00.1234567 UTC is stored 15:00:00.123456.
    let riyadh = store(&db);
    let outcome = apply_at(
        &riyadh,
        vec![put(document(
            501,
            None,
            "Noura",
            &["A", "B"],
            &["R-1", "R-2"],
        ))],
        "2026-06-01T12:00:00.1234567Z",
        false,
    )
    .await;
    assert_eq!(outcome, [created(1, "2026-06-01 15:00:00.123456")]);
    let store = utc_store(&db);
    let found = store
        .find_current(JTC, &by_mobile(mobile(501).as_str()))
        .await
        .expect("the lookup succeeds");
    assert_eq!(found.len(), 1, "found by its mobile number");
    let customer = &found[0];
    assert_eq!(
        line(customer),
        "v1 2026-06-01 15:00:00.123456.. Noura [A,B]"
    );
    assert_eq!(customer.gender.as_ref().map(|g| g.id), Some(1));
    assert_eq!(customer.is_active, Some(true));
    assert!(customer.contacts[0].primary_contact && !customer.contacts[1].primary_contact);
    assert_eq!(
        customer.contacts[0].relation_type.as_ref().map(|r| r.id),
        Some(3)
    );
    for reference in ["R-1", "R-2"] {
        assert_eq!(
            crate::support::find_ids(&store, JTC, &by_reference(reference)).await,
            [501],
            "{reference}"
        );
    }
    assert!(
        crate::support::find_ids(&store, JFC, &by_id(501))
            .await
            .is_empty(),
        "in its company only"
    );
    assert_eq!(rows(&db.connect()).await, [1, 1, 2, 0, 2, 0]);
}

/// A changed customer gets version 2 from the change's start, which ends version 1;
/// the contacts and references it no longer has move to history, the ones it keeps keep
/// their ids. Each version is found as of its start and of just before its end, not as
/// of its end.
pub async fn a_change_makes_a_new_version_and_closes_the_previous_at_its_start(
    backend: TestBackend,
) {
    let (_db, store, pool) = fixture(backend).await;
    let outcomes = apply(
        &store,
        vec![put(document(
            502,
            Some("2026-01-01 00:00:00"),
            "Noura",
            &["A", "B"],
            &["R-1", "R-2"],
        ))],
    )
    .await;
    assert_eq!(outcomes, [created(1, "2026-01-01 00:00:00")]);
    let kept_id = |customer: &Customer| {
        customer
            .contacts
            .iter()
            .find(|c| c.contact_name.as_deref() == Some("B"))
            .map(|c| c.contact_id)
    };
    let before = store
        .find_current(JTC, &by_id(502))
        .await
        .expect("the lookup succeeds");
    let b_before = kept_id(&before[0]);
    let outcomes = apply(
        &store,
        vec![put(document(
            502,
            Some("2026-02-01 00:00:00"),
            "Noura Changed",
            &["B", "C"],
            &["R-2", "R-3"],
        ))],
    )
    .await;
    assert_eq!(outcomes, [changed(2, "2026-02-01 00:00:00")]);
    assert_eq!(
        versions(&store, 502).await,
        [
            "v2 2026-02-01 00:00:00.. Noura Changed [B,C]",
            "v1 2026-01-01 00:00:00..2026-02-01 00:00:00 Noura [A,B]",
        ]
    );
    let after = store
        .find_current(JTC, &by_id(502))
        .await
        .expect("the lookup succeeds");
    assert_eq!(kept_id(&after[0]), b_before, "a kept contact keeps its id");
    for (when, expected) in [
        ("2025-12-31T23:59:59.999999Z", None),
        (
            "2026-01-01T00:00:00Z",
            Some("v1 2026-01-01 00:00:00..2026-02-01 00:00:00 Noura [A,B]"),
        ),
        (
            "2026-01-31T23:59:59.999999Z",
            Some("v1 2026-01-01 00:00:00..2026-02-01 00:00:00 Noura [A,B]"),
        ),
        (
            "2026-02-01T00:00:00Z",
            Some("v2 2026-02-01 00:00:00.. Noura Changed [B,C]"),
        ),
    ] {
        assert_eq!(
            as_of(&store, 502, when).await.as_deref(),
            expected,
            "as of {when}"
        );
    }
    for (reference, january, february) in [
        ("R-1", vec![(502, 1)], vec![]),
        ("R-2", vec![(502, 1)], vec![(502, 2)]),
        ("R-3", vec![], vec![(502, 2)]),
    ] {
        assert_eq!(
            by_reference_as_of(&store, reference, "2026-01-31T23:59:59.999999Z").await,
            january,
            "{reference} in January"
        );
        assert_eq!(
            by_reference_as_of(&store, reference, "2026-02-01T00:00:00Z").await,
            february,
            "{reference} from February"
        );
    }
    // A removed and R-1 moved to history; B, C, R-2 and R-3 are current rows.
    assert_eq!(rows(&pool).await, [1, 2, 2, 1, 2, 1]);
}

/// A document equal to the current version (contacts in another order included) writes
/// nothing, whatever its start: re-running a file is a no-op. A changed contact alone is
/// a change.
pub async fn an_unchanged_document_writes_nothing(backend: TestBackend) {
    let (_db, store, pool) = fixture(backend).await;
    let first = document(
        503,
        Some("2026-01-01 00:00:00"),
        "Noura",
        &["A", "B"],
        &["R-1"],
    );
    apply(&store, vec![put(first.clone())]).await;
    let written = rows(&pool).await;
    let mut reordered = first.clone();
    reordered.contacts.reverse();
    let mut later = first.clone();
    later.effective = Some(local("2026-03-01 00:00:00"));
    let mut undated = first.clone();
    undated.effective = None;
    let outcomes = apply(
        &store,
        vec![put(first.clone()), put(reordered), put(later), put(undated)],
    )
    .await;
    assert_eq!(outcomes, [unchanged(1, "2026-01-01 00:00:00"); 4]);
    assert_eq!(rows(&pool).await, written, "nothing written");
    let mut contact_changed = first;
    contact_changed.effective = Some(local("2026-03-01 00:00:00"));
    contact_changed.contacts[1].remarks = Some("moved".to_owned());
    assert_eq!(
        apply(&store, vec![put(contact_changed)]).await,
        [changed(2, "2026-03-01 00:00:00")]
    );
    assert_eq!(versions(&store, 503).await.len(), 2);
}

/// A closed customer is no longer found by the current lookup, but its history is: the
/// version it had, ended at the close. Closing it again finds nothing to close.
pub async fn a_closed_customer_leaves_the_lookups_but_not_its_history(backend: TestBackend) {
    let (_db, store, _) = fixture(backend).await;
    apply(
        &store,
        vec![put(document(
            504,
            Some("2026-01-01 00:00:00"),
            "Noura",
            &["A"],
            &["R-4"],
        ))],
    )
    .await;
    assert_eq!(
        apply(&store, vec![close(504, Some("2026-03-01 00:00:00"))]).await,
        [closed(1, "2026-01-01 00:00:00", "2026-03-01 00:00:00")]
    );
    assert_eq!(current(&store, 504).await, None);
    for criteria in [by_mobile(mobile(504).as_str()), by_reference("R-4")] {
        assert!(
            store
                .find_current(JTC, &criteria)
                .await
                .expect("the lookup succeeds")
                .is_empty(),
            "{criteria:?}"
        );
    }
    let ended = "v1 2026-01-01 00:00:00..2026-03-01 00:00:00 Noura [A]";
    assert_eq!(versions(&store, 504).await, [ended]);
    assert_eq!(
        as_of(&store, 504, "2026-02-28T23:59:59.999999Z")
            .await
            .as_deref(),
        Some(ended)
    );
    assert_eq!(as_of(&store, 504, "2026-03-01T00:00:00Z").await, None);
    assert_eq!(
        by_reference_as_of(&store, "R-4", "2026-02-01T00:00:00Z").await,
        [(504, 1)]
    );
    assert_eq!(
        apply(&store, vec![close(504, None)]).await,
        [WriteOutcome::Refused(WriteRefusal::NotFound)]
    );
    assert_eq!(
        apply(&store, vec![close(599, None)]).await,
        [WriteOutcome::Refused(WriteRefusal::NotFound)],
        "a customer that never was"
    );
    // An undated close ends the version when the batch is applied.
    apply(&store, vec![put(document(505, None, "Sara", &[], &[]))]).await;
    assert_eq!(
        apply(&store, vec![close(505, None)]).await,
        [closed(
            1,
            "2026-06-01 12:00:00",
            "2026-06-01 12:00:00.000001"
        )],
        "a version lasts a microsecond at least"
    );
}

/// A closed customer is made again as its next version, from a start not before its
/// close; its history keeps the gap.
pub async fn a_closed_customer_is_made_again(backend: TestBackend) {
    let (_db, store, _) = fixture(backend).await;
    let outcomes = apply(
        &store,
        vec![
            put(document(
                506,
                Some("2026-01-01 00:00:00"),
                "Noura",
                &["A"],
                &["R-6"],
            )),
            close(506, Some("2026-02-01 00:00:00")),
        ],
    )
    .await;
    assert_eq!(
        outcomes[1],
        closed(1, "2026-01-01 00:00:00", "2026-02-01 00:00:00")
    );
    assert_eq!(
        apply(
            &store,
            vec![put(document(
                506,
                Some("2026-01-31 23:59:59"),
                "Early",
                &[],
                &[]
            ))]
        )
        .await,
        [not_after("2026-02-01 00:00:00")],
        "not before the close"
    );
    assert_eq!(
        apply(
            &store,
            vec![put(document(
                506,
                Some("2026-04-01 00:00:00"),
                "Noura Again",
                &["B"],
                &["R-7"]
            ))]
        )
        .await,
        [created(2, "2026-04-01 00:00:00")]
    );
    assert_eq!(
        current(&store, 506).await.as_deref(),
        Some("v2 2026-04-01 00:00:00.. Noura Again [B]")
    );
    assert_eq!(
        as_of(&store, 506, "2026-03-01T00:00:00Z").await,
        None,
        "the gap"
    );
    assert_eq!(
        versions(&store, 506).await,
        [
            "v2 2026-04-01 00:00:00.. Noura Again [B]",
            "v1 2026-01-01 00:00:00..2026-02-01 00:00:00 Noura [A]",
        ]
    );
    assert_eq!(
        by_reference_as_of(&store, "R-6", "2026-01-15T00:00:00Z").await,
        [(506, 1)]
    );
    assert!(
        by_reference_as_of(&store, "R-6", "2026-04-01T00:00:00Z")
            .await
            .is_empty()
    );
    // Made again at the very moment of the close: the versions touch.
    apply(
        &store,
        vec![
            put(document(507, Some("2026-01-01 00:00:00"), "Sara", &[], &[])),
            close(507, Some("2026-02-01 00:00:00")),
            put(document(
                507,
                Some("2026-02-01 00:00:00"),
                "Sara Again",
                &[],
                &[],
            )),
        ],
    )
    .await;
    assert_eq!(
        versions(&store, 507).await,
        [
            "v2 2026-02-01 00:00:00.. Sara Again []",
            "v1 2026-01-01 00:00:00..2026-02-01 00:00:00 Sara []",
        ]
    );
}
