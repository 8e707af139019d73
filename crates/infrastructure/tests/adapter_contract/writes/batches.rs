//! Refusals and batches: If-Match and dated changes not after the current version
//! refused, a dated sequence applied again changing nothing, several changes of one
//! customer in one batch, a dry run and a failed batch writing nothing.

use super::{
    CustomerDocument, CustomerWriter, NOW, SqlCustomerStore, TestBackend, WriteOutcome,
    WriteRefusal, apply, apply_at, at, by_reference_as_of, changed, close, closed, created,
    current, document, fixture, if_match, not_after, put, rows, unchanged, versions,
};

/// A change that expects a version (If-Match) is refused unless it is the current one;
/// a refused change writes nothing, and the others of its batch are written.
pub async fn if_match_is_checked_against_the_current_version(backend: TestBackend) {
    let (_db, store, pool) = fixture(backend).await;
    let v = |name: &str, day: &str| put(document(508, Some(day), name, &[], &[]));
    let mismatch =
        |current: Option<i32>| WriteOutcome::Refused(WriteRefusal::VersionMismatch { current });
    let outcomes = apply(
        &store,
        vec![
            v("One", "2026-01-01 00:00:00"),
            if_match(v("Again", "2026-01-02 00:00:00"), 5),
            if_match(v("Two", "2026-01-03 00:00:00"), 1),
            if_match(v("Three", "2026-01-04 00:00:00"), 1),
            if_match(close(508, Some("2026-01-05 00:00:00")), 3),
        ],
    )
    .await;
    assert_eq!(
        outcomes,
        [
            created(1, "2026-01-01 00:00:00"),
            mismatch(Some(1)),
            changed(2, "2026-01-03 00:00:00"),
            mismatch(Some(2)),
            mismatch(Some(2)),
        ]
    );
    assert_eq!(rows(&pool).await[1], 2, "two versions written");
    assert_eq!(
        apply(
            &store,
            vec![if_match(close(508, Some("2026-01-05 00:00:00")), 2)]
        )
        .await,
        [closed(2, "2026-01-03 00:00:00", "2026-01-05 00:00:00")]
    );
    assert_eq!(
        apply(
            &store,
            vec![
                if_match(v("Four", "2026-01-06 00:00:00"), 2),
                if_match(close(508, None), 2),
            ]
        )
        .await,
        [mismatch(None), mismatch(None)],
        "a closed customer has no current version"
    );
    assert_eq!(
        apply(&store, vec![v("Four", "2026-01-06 00:00:00")]).await,
        [created(3, "2026-01-06 00:00:00")]
    );
}

/// A dated change or close not later than the current version's start is refused,
/// naming that start, and writes nothing.
pub async fn a_change_not_after_the_current_start_is_refused(backend: TestBackend) {
    let (_db, store, pool) = fixture(backend).await;
    apply(
        &store,
        vec![put(document(
            509,
            Some("2026-02-01 00:00:00"),
            "Noura",
            &["A"],
            &[],
        ))],
    )
    .await;
    let written = rows(&pool).await;
    let outcomes = apply(
        &store,
        vec![
            put(document(
                509,
                Some("2026-01-01 00:00:00"),
                "Older",
                &[],
                &[],
            )),
            put(document(
                509,
                Some("2026-02-01 00:00:00"),
                "Same moment",
                &[],
                &[],
            )),
            close(509, Some("2026-02-01 00:00:00")),
            close(509, Some("2026-01-15 00:00:00")),
        ],
    )
    .await;
    assert_eq!(outcomes, [not_after("2026-02-01 00:00:00"); 4]);
    assert_eq!(rows(&pool).await, written, "nothing written");
    assert_eq!(
        apply(
            &store,
            vec![put(document(
                509,
                Some("2026-02-01 00:00:00.000001"),
                "Later",
                &[],
                &[]
            ))]
        )
        .await,
        [changed(2, "2026-02-01 00:00:00.000001")],
        "a microsecond later is later"
    );
}

/// The changes of one customer's life, dated: each applied again, in one batch or line
/// by line, is unchanged, and no table gains a row.
pub async fn a_dated_sequence_applied_again_changes_nothing(backend: TestBackend) {
    let (_db, store, pool) = fixture(backend).await;
    let sequence = || {
        vec![
            put(document(
                510,
                Some("2026-01-01 00:00:00"),
                "One",
                &["A"],
                &["R-1"],
            )),
            put(document(
                510,
                Some("2026-02-01 00:00:00"),
                "Two",
                &["A", "B"],
                &["R-2"],
            )),
            close(510, Some("2026-03-01 00:00:00")),
            put(document(
                510,
                Some("2026-04-01 00:00:00"),
                "Three",
                &["C"],
                &["R-1"],
            )),
            put(document(
                510,
                Some("2026-05-01 00:00:00"),
                "Two",
                &["A", "B"],
                &["R-2"],
            )),
            put(document(
                511,
                Some("2026-01-15 00:00:00"),
                "Other",
                &[],
                &[],
            )),
        ]
    };
    assert_eq!(
        apply(&store, sequence()).await,
        [
            created(1, "2026-01-01 00:00:00"),
            changed(2, "2026-02-01 00:00:00"),
            closed(2, "2026-02-01 00:00:00", "2026-03-01 00:00:00"),
            created(3, "2026-04-01 00:00:00"),
            changed(4, "2026-05-01 00:00:00"),
            created(1, "2026-01-15 00:00:00"),
        ]
    );
    let written = rows(&pool).await;
    let history = versions(&store, 510).await;
    let again = [
        unchanged(1, "2026-01-01 00:00:00"),
        // The same as the current version (4): found there first.
        unchanged(4, "2026-05-01 00:00:00"),
        unchanged(2, "2026-02-01 00:00:00"),
        unchanged(3, "2026-04-01 00:00:00"),
        unchanged(4, "2026-05-01 00:00:00"),
        unchanged(1, "2026-01-15 00:00:00"),
    ];
    assert_eq!(apply(&store, sequence()).await, again, "in one batch");
    let mut one_by_one = Vec::new();
    for change in sequence() {
        one_by_one.extend(apply(&store, vec![change]).await);
    }
    assert_eq!(one_by_one, again, "line by line");
    assert_eq!(rows(&pool).await, written, "nothing written");
    assert_eq!(versions(&store, 510).await, history);
}

/// Changes of one customer in one batch are applied one after the other, each on what
/// the previous ones wrote: a contact and a reference added and removed within the batch
/// belong to the one version that had them.
pub async fn changes_of_one_customer_in_one_batch_follow_one_another(backend: TestBackend) {
    let (_db, store, pool) = fixture(backend).await;
    let outcomes = apply(
        &store,
        vec![
            put(document(
                512,
                Some("2026-01-01 00:00:00"),
                "One",
                &["A"],
                &["R-1"],
            )),
            put(document(
                513,
                Some("2026-01-01 00:00:00"),
                "Other",
                &["X"],
                &["R-9"],
            )),
            put(document(
                512,
                Some("2026-02-01 00:00:00"),
                "Two",
                &["A", "B"],
                &["R-1", "R-2"],
            )),
            put(document(
                512,
                Some("2026-03-01 00:00:00"),
                "Three",
                &["A"],
                &["R-1", "R-3"],
            )),
            // Undated, twice: now, then a microsecond later.
            put(document(512, None, "Four", &["A"], &["R-1", "R-3"])),
            put(document(512, None, "Five", &["A"], &["R-1", "R-3"])),
        ],
    )
    .await;
    assert_eq!(
        outcomes,
        [
            created(1, "2026-01-01 00:00:00"),
            created(1, "2026-01-01 00:00:00"),
            changed(2, "2026-02-01 00:00:00"),
            changed(3, "2026-03-01 00:00:00"),
            changed(4, "2026-06-01 12:00:00"),
            changed(5, "2026-06-01 12:00:00.000001"),
        ]
    );
    assert_eq!(
        versions(&store, 512).await,
        [
            "v5 2026-06-01 12:00:00.000001.. Five [A]",
            "v4 2026-06-01 12:00:00..2026-06-01 12:00:00.000001 Four [A]",
            "v3 2026-03-01 00:00:00..2026-06-01 12:00:00 Three [A]",
            "v2 2026-02-01 00:00:00..2026-03-01 00:00:00 Two [A,B]",
            "v1 2026-01-01 00:00:00..2026-02-01 00:00:00 One [A]",
        ]
    );
    for (reference, when, expected) in [
        ("R-2", "2026-01-31T00:00:00Z", vec![]),
        ("R-2", "2026-02-15T00:00:00Z", vec![(512, 2)]),
        ("R-2", "2026-03-01T00:00:00Z", vec![]),
        ("R-3", "2026-03-01T00:00:00Z", vec![(512, 3)]),
        ("R-1", "2026-06-01T12:00:00.000001Z", vec![(512, 5)]),
        ("R-9", "2026-02-15T00:00:00Z", vec![(513, 1)]),
    ] {
        assert_eq!(
            by_reference_as_of(&store, reference, when).await,
            expected,
            "{reference} as of {when}"
        );
    }
    // A, X, R-1, R-3, R-9 current; B and R-2 in history, with the version that removed
    // them: one row each.
    assert_eq!(rows(&pool).await, [2, 6, 2, 1, 3, 1]);
}

/// Customer `customer`, "One" with `contacts` and reference R-1, and the next customer,
/// "Other", both from 2026-01-01.
async fn one_and_other(store: &SqlCustomerStore, customer: i64, contacts: &[&str]) {
    apply(
        store,
        vec![
            put(document(
                customer,
                Some("2026-01-01 00:00:00"),
                "One",
                contacts,
                &["R-1"],
            )),
            put(document(
                customer + 1,
                Some("2026-01-01 00:00:00"),
                "Other",
                &[],
                &[],
            )),
        ],
    )
    .await;
}

/// A dry run says what the batch would do and writes nothing; the same batch applied
/// afterwards does just that.
pub async fn a_dry_run_writes_nothing(backend: TestBackend) {
    let (_db, store, pool) = fixture(backend).await;
    one_and_other(&store, 514, &["A"]).await;
    let written = rows(&pool).await;
    let batch = || {
        vec![
            put(document(
                514,
                Some("2026-02-01 00:00:00"),
                "Two",
                &["B"],
                &["R-2"],
            )),
            close(515, Some("2026-02-01 00:00:00")),
            put(document(516, None, "New", &["C"], &["R-3"])),
            put(document(
                514,
                Some("2026-01-01 00:00:00"),
                "Older",
                &[],
                &[],
            )),
        ]
    };
    let expected = [
        changed(2, "2026-02-01 00:00:00"),
        closed(1, "2026-01-01 00:00:00", "2026-02-01 00:00:00"),
        created(1, "2026-06-01 12:00:00"),
        not_after("2026-02-01 00:00:00"),
    ];
    assert_eq!(apply_at(&store, batch(), NOW, true).await, expected);
    assert_eq!(rows(&pool).await, written, "nothing written");
    assert_eq!(
        current(&store, 514).await.as_deref(),
        Some("v1 2026-01-01 00:00:00.. One [A]")
    );
    assert!(current(&store, 515).await.is_some());
    assert_eq!(current(&store, 516).await, None);
    assert_eq!(apply(&store, batch()).await, expected);
    assert_eq!(current(&store, 515).await, None);
    assert_eq!(
        current(&store, 516).await.as_deref(),
        Some("v1 2026-06-01 12:00:00.. New [C]")
    );
}

/// A batch whose transaction fails part of the way (here a coded value its table does
/// not hold, which the database refuses as the versions are inserted, after the closes,
/// the removals and the new customers were written) leaves nothing of the batch written.
pub async fn a_batch_that_fails_part_of_the_way_writes_nothing(backend: TestBackend) {
    let (_db, store, pool) = fixture(backend).await;
    one_and_other(&store, 517, &["A", "B"]).await;
    let written = rows(&pool).await;
    let mut broken = document(520, None, "Broken", &[], &[]);
    broken.profile.nationality_id = Some(9999);
    let batch = |last: CustomerDocument| {
        vec![
            put(document(
                517,
                Some("2026-02-01 00:00:00"),
                "Two",
                &["B"],
                &["R-2"],
            )),
            close(518, Some("2026-02-01 00:00:00")),
            put(document(519, None, "New", &["C"], &["R-3"])),
            put(last),
        ]
    };
    let failed = store.apply(batch(broken), at(NOW), false).await;
    assert!(failed.is_err(), "the batch fails: {failed:?}");
    assert_eq!(
        rows(&pool).await,
        written,
        "nothing of the batch is written"
    );
    assert_eq!(
        current(&store, 517).await.as_deref(),
        Some("v1 2026-01-01 00:00:00.. One [A,B]")
    );
    assert!(current(&store, 518).await.is_some(), "still open");
    assert_eq!(current(&store, 519).await, None);
    // The store is not left in a state of its own: the batch without the bad change goes
    // through, with the ids it would have had.
    let fixed = document(520, None, "Fixed", &[], &[]);
    assert_eq!(
        apply(&store, batch(fixed)).await,
        [
            changed(2, "2026-02-01 00:00:00"),
            closed(1, "2026-01-01 00:00:00", "2026-02-01 00:00:00"),
            created(1, "2026-06-01 12:00:00"),
            created(1, "2026-06-01 12:00:00"),
        ]
    );
    assert_eq!(rows(&pool).await[1], written[1] + 3);
}
