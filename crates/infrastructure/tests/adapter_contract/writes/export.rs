//! The export port (`CustomerExport::timelines`): whole histories of a company's
//! customers, a page of customer ids at a time, each version with the contacts and
//! references it held; as of a moment, only what was known then.

use customer_domain::{CustomerExport, CustomerTimeline, TimelinePage};

use super::{
    JFC, JTC, SqlCustomerStore, TestBackend, apply, at, close, companies_only, document, id, line,
    put, utc_store,
};

/// Customers of `jtc`: 521 changed once, 523 closed and made again, 525 with one
/// version, 527 closed, 529 made on 2026-03-01; and 522 of `jfc`.
async fn histories(store: &SqlCustomerStore) {
    let mut of_jfc = document(522, Some("2026-01-01 00:00:00"), "Elsewhere", &[], &["R-1"]);
    of_jfc.company = JFC;
    apply(
        store,
        vec![
            put(document(
                521,
                Some("2026-01-01 00:00:00"),
                "One",
                &["A"],
                &["R-1"],
            )),
            put(document(
                521,
                Some("2026-02-01 00:00:00"),
                "Two",
                &["A", "B"],
                &["R-2"],
            )),
            put(of_jfc),
            put(document(
                523,
                Some("2026-01-01 00:00:00"),
                "Closed",
                &[],
                &[],
            )),
            close(523, Some("2026-02-01 00:00:00")),
            put(document(
                523,
                Some("2026-03-01 00:00:00"),
                "Again",
                &["C"],
                &[],
            )),
            put(document(
                525,
                Some("2026-01-10 00:00:00"),
                "Single",
                &[],
                &["R-5", "R-6"],
            )),
            put(document(
                527,
                Some("2026-01-01 00:00:00"),
                "Gone",
                &["D"],
                &[],
            )),
            close(527, Some("2026-01-20 00:00:00")),
            put(document(529, Some("2026-03-01 00:00:00"), "Late", &[], &[])),
        ],
    )
    .await;
}

/// A timeline as lines: `CUSTOMER vN START..END NAME [CONTACTS] {REFERENCES}`.
fn lines(timelines: &[CustomerTimeline]) -> Vec<String> {
    timelines
        .iter()
        .flat_map(|timeline| {
            timeline.versions.iter().map(move |(version, references)| {
                let references: Vec<&str> = references
                    .iter()
                    .map(customer_domain::ReferenceNumber::as_str)
                    .collect();
                assert_eq!(version.customer_id, timeline.customer_id);
                format!(
                    "{} {} {{{}}}",
                    timeline.customer_id,
                    line(version),
                    references.join(",")
                )
            })
        })
        .collect()
}

async fn page(
    store: &SqlCustomerStore,
    company: customer_domain::CompanyId,
    after: Option<i64>,
    limit: usize,
    as_of: Option<&str>,
) -> TimelinePage {
    store
        .timelines(company, after.map(id), limit, as_of.map(at))
        .await
        .expect("the page is read")
}

fn last(page: &TimelinePage) -> Option<i64> {
    page.last.map(customer_domain::CustomerId::get)
}

/// Pages follow the customer ids, `last` naming where the next one starts, `None` once
/// no customer is left; each version with what it held, oldest first; another company's
/// customers never.
pub async fn export_reads_whole_histories_by_pages(backend: TestBackend) {
    let db = companies_only(backend).await;
    let store = utc_store(&db);
    histories(&store).await;
    let first = page(&store, JTC, None, 2, None).await;
    assert_eq!(
        lines(&first.timelines),
        [
            "521 v1 2026-01-01 00:00:00..2026-02-01 00:00:00 One [A] {R-1}",
            "521 v2 2026-02-01 00:00:00.. Two [A,B] {R-2}",
            "523 v1 2026-01-01 00:00:00..2026-02-01 00:00:00 Closed [] {}",
            "523 v2 2026-03-01 00:00:00.. Again [C] {}",
        ]
    );
    assert_eq!(last(&first), Some(523));
    let second = page(&store, JTC, Some(523), 2, None).await;
    assert_eq!(
        lines(&second.timelines),
        [
            "525 v1 2026-01-10 00:00:00.. Single [] {R-5,R-6}",
            "527 v1 2026-01-01 00:00:00..2026-01-20 00:00:00 Gone [D] {}",
        ]
    );
    assert_eq!(last(&second), Some(527));
    let third = page(&store, JTC, Some(527), 2, None).await;
    assert_eq!(
        lines(&third.timelines),
        ["529 v1 2026-03-01 00:00:00.. Late [] {}"]
    );
    assert_eq!(last(&third), Some(529), "a short page still names its last");
    let end = page(&store, JTC, Some(529), 2, None).await;
    assert!(end.timelines.is_empty());
    assert_eq!(last(&end), None, "no customer left");
    let all = page(&store, JTC, None, 100, None).await;
    assert_eq!(
        all.timelines
            .iter()
            .map(|t| t.customer_id.get())
            .collect::<Vec<_>>(),
        [521, 523, 525, 527, 529],
        "no customer of jfc"
    );
    let jfc = page(&store, JFC, None, 100, None).await;
    assert_eq!(
        lines(&jfc.timelines),
        ["522 v1 2026-01-01 00:00:00.. Elsewhere [] {R-1}"]
    );
}

/// As of a moment: the versions begun by then, the one current then without the end it
/// had later, no customer without a version then (though it counts in the page and in
/// `last`).
pub async fn export_as_of_shows_what_was_known_then(backend: TestBackend) {
    let db = companies_only(backend).await;
    let store = utc_store(&db);
    histories(&store).await;
    let mid_january = page(&store, JTC, None, 5, Some("2026-01-15T00:00:00Z")).await;
    assert_eq!(
        lines(&mid_january.timelines),
        [
            "521 v1 2026-01-01 00:00:00.. One [A] {R-1}",
            "523 v1 2026-01-01 00:00:00.. Closed [] {}",
            "525 v1 2026-01-10 00:00:00.. Single [] {R-5,R-6}",
            "527 v1 2026-01-01 00:00:00.. Gone [D] {}",
        ]
    );
    assert_eq!(last(&mid_january), Some(529), "529 had no version yet");
    let mid_february = page(&store, JTC, None, 5, Some("2026-02-15T00:00:00Z")).await;
    assert_eq!(
        lines(&mid_february.timelines),
        [
            "521 v1 2026-01-01 00:00:00..2026-02-01 00:00:00 One [A] {R-1}",
            "521 v2 2026-02-01 00:00:00.. Two [A,B] {R-2}",
            "523 v1 2026-01-01 00:00:00..2026-02-01 00:00:00 Closed [] {}",
            "525 v1 2026-01-10 00:00:00.. Single [] {R-5,R-6}",
            "527 v1 2026-01-01 00:00:00..2026-01-20 00:00:00 Gone [D] {}",
        ]
    );
    // At the start of a version, it is there; at its end, the end is known.
    let at_start = page(&store, JTC, Some(527), 5, Some("2026-03-01T00:00:00Z")).await;
    assert_eq!(
        lines(&at_start.timelines),
        ["529 v1 2026-03-01 00:00:00.. Late [] {}"]
    );
    let before_all = page(&store, JTC, None, 10, Some("2025-12-01T00:00:00Z")).await;
    assert!(
        before_all.timelines.is_empty(),
        "{:?}",
        before_all.timelines
    );
    assert_eq!(
        last(&before_all),
        Some(529),
        "the page went through them all"
    );
    let after_all = page(&store, JTC, Some(529), 10, Some("2025-12-01T00:00:00Z")).await;
    assert_eq!(last(&after_all), None);
}
