//! `CustomerExporter::export` over a mocked store: pages asked for until one has no
//! `last`, each after the previous one's last customer; every version written, oldest
//! first, with a close where a version ended and no other began at that moment.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use customer_application::documents::{CustomerExporter, ExportEntry, ExportError, ExportSummary};
use customer_domain::{
    Customer, CustomerTimeline, FailureKind, MockCustomerExport, ReferenceNumber, RepositoryError,
    TimelinePage,
};

use super::{CompanyId, CustomerId, JTC, code, local, utc};
use crate::search::directory;

fn id(value: i64) -> CustomerId {
    CustomerId::new(value).expect("a positive id")
}

/// Version `number` of customer `customer`, from `start` to `end` (local times).
fn version(customer: i64, number: i32, start: &str, end: Option<&str>) -> Customer {
    Customer {
        end_date: end.map(local),
        first_name: Some(format!("v{number}")),
        ..Customer::identified(
            customer * 100 + i64::from(number),
            id(customer),
            number,
            JTC,
            local(start),
        )
    }
}

fn timeline(customer: i64, versions: Vec<Customer>) -> CustomerTimeline {
    let references: BTreeSet<ReferenceNumber> =
        [ReferenceNumber::parse(&format!("R-{customer}")).expect("a reference")].into();
    CustomerTimeline {
        customer_id: id(customer),
        versions: versions
            .into_iter()
            .map(|version| (version, references.clone()))
            .collect(),
    }
}

/// The pages of the store: customers 1 and 3, then a page of customers with no version
/// (as of the moment asked), then customer 6, then nothing.
fn page_after(after: Option<CustomerId>) -> TimelinePage {
    let d = |day: u32| format!("2026-01-{day:02} 00:00:00");
    match after.map(CustomerId::get) {
        None => TimelinePage {
            timelines: vec![
                // Changed once: the first version ends as the second begins.
                timeline(
                    1,
                    vec![
                        version(1, 1, &d(1), Some(&d(2))),
                        version(1, 2, &d(2), None),
                    ],
                ),
                // Closed, made again later, closed again.
                timeline(
                    3,
                    vec![
                        version(3, 1, &d(1), Some(&d(2))),
                        version(3, 2, &d(5), Some(&d(6))),
                    ],
                ),
            ],
            last: Some(id(3)),
        },
        Some(3) => TimelinePage {
            timelines: Vec::new(),
            last: Some(id(5)),
        },
        Some(5) => TimelinePage {
            timelines: vec![timeline(6, vec![version(6, 1, &d(3), Some(&d(4)))])],
            last: Some(id(6)),
        },
        Some(6) => TimelinePage::default(),
        Some(other) => panic!("no page after {other}"),
    }
}

/// A store that serves [`page_after`] and records what each call asked.
type Asked = Arc<Mutex<Vec<(CompanyId, Option<i64>, usize, Option<DateTime<Utc>>)>>>;

fn paged_store() -> (MockCustomerExport, Asked) {
    let asked: Asked = Arc::default();
    let seen = asked.clone();
    let mut store = MockCustomerExport::new();
    store
        .expect_timelines()
        .returning(move |company, after, limit, as_of| {
            seen.lock().expect("not poisoned").push((
                company,
                after.map(CustomerId::get),
                limit,
                as_of,
            ));
            Ok(page_after(after))
        });
    (store, asked)
}

/// The entries written, as text: `v CUSTOMER/NUMBER REFS` or `closed CUSTOMER at END`.
async fn entries_of(
    exporter: &CustomerExporter,
    company: &str,
    as_of: Option<DateTime<Utc>>,
) -> (Vec<String>, ExportSummary) {
    let mut written = Vec::new();
    let summary = exporter
        .export(&code(company), as_of, |entry| {
            written.push(match entry {
                ExportEntry::Version {
                    customer,
                    references,
                } => format!(
                    "v {}/{} {}",
                    customer.customer_id,
                    customer.customer_version_id,
                    references
                        .iter()
                        .map(ReferenceNumber::as_str)
                        .collect::<Vec<_>>()
                        .join(",")
                ),
                ExportEntry::Closed { customer_id, at } => {
                    format!("closed {customer_id} at {}", at.format("%d"))
                }
            });
            Ok(())
        })
        .await
        .expect("the export succeeds");
    (written, summary)
}

#[tokio::test]
async fn pages_are_read_until_one_has_no_last_customer() {
    let (store, asked) = paged_store();
    let exporter = CustomerExporter::new(Arc::new(store), Arc::new(directory()));
    let as_of = Some(utc("2026-02-01T00:00:00Z"));
    let (entries, summary) = entries_of(&exporter, "JTC", as_of).await;
    assert_eq!(
        *asked.lock().expect("not poisoned"),
        [
            (JTC, None, 500, as_of),
            (JTC, Some(3), 500, as_of),
            (JTC, Some(5), 500, as_of),
            (JTC, Some(6), 500, as_of),
        ],
        "each page after the last customer of the previous one, a page with no \
         timelines included"
    );
    assert_eq!(
        entries,
        [
            "v 1/1 R-1",
            "v 1/2 R-1",
            "v 3/1 R-3",
            "closed 3 at 02",
            "v 3/2 R-3",
            "closed 3 at 06",
            "v 6/1 R-6",
            "closed 6 at 04",
        ]
    );
    assert_eq!(
        summary,
        ExportSummary {
            customers: 3,
            versions: 5,
            closes: 3,
        }
    );
}

#[tokio::test]
async fn an_unknown_company_reads_nothing() {
    let mut store = MockCustomerExport::new();
    store.expect_timelines().never();
    let exporter = CustomerExporter::new(Arc::new(store), Arc::new(directory()));
    let outcome = exporter.export(&code("zzz"), None, |_| Ok(())).await;
    assert!(
        matches!(&outcome, Err(ExportError::UnknownCompany(code)) if code == "zzz"),
        "{outcome:?}"
    );
}

/// A failed write stops the export: no later page is read.
#[tokio::test]
async fn a_failed_write_stops_the_export() {
    let (store, asked) = paged_store();
    let exporter = CustomerExporter::new(Arc::new(store), Arc::new(directory()));
    let mut writes = 0;
    let outcome = exporter
        .export(&code("jtc"), None, |_| {
            writes += 1;
            if writes == 2 {
                Err(std::io::Error::new(
                    std::io::ErrorKind::BrokenPipe,
                    "closed",
                ))
            } else {
                Ok(())
            }
        })
        .await;
    assert!(matches!(outcome, Err(ExportError::Write(_))), "{outcome:?}");
    assert_eq!(writes, 2);
    assert_eq!(asked.lock().expect("not poisoned").len(), 1);
}

#[tokio::test]
async fn a_failure_of_the_store_fails_the_export() {
    let mut store = MockCustomerExport::new();
    store
        .expect_timelines()
        .times(1)
        .returning(|_, _, _, _| Err(RepositoryError::new(FailureKind::TimedOut, "slow")));
    let exporter = CustomerExporter::new(Arc::new(store), Arc::new(directory()));
    let outcome = exporter.export(&code("jtc"), None, |_| Ok(())).await;
    assert!(
        matches!(&outcome, Err(ExportError::Store(error)) if error.kind() == FailureKind::TimedOut),
        "{outcome:?}"
    );
}

/// A version that ends exactly where the next begins is a change, not a close; one that
/// ends before the next begins is a close, even by a microsecond.
#[tokio::test]
async fn a_close_is_written_only_where_no_version_began_as_one_ended() {
    let mut store = MockCustomerExport::new();
    store.expect_timelines().returning(|_, after, _, _| {
        Ok(match after {
            None => TimelinePage {
                timelines: vec![timeline(
                    8,
                    vec![
                        version(8, 1, "2026-01-01 00:00:00", Some("2026-01-02 00:00:00")),
                        version(
                            8,
                            2,
                            "2026-01-02 00:00:00.000001",
                            Some("2026-01-03 00:00:00"),
                        ),
                        version(8, 3, "2026-01-03 00:00:00", None),
                    ],
                )],
                last: Some(id(8)),
            },
            Some(_) => TimelinePage::default(),
        })
    });
    let exporter = CustomerExporter::new(Arc::new(store), Arc::new(directory()));
    let (entries, summary) = entries_of(&exporter, "jtc", None).await;
    assert_eq!(
        entries,
        ["v 8/1 R-8", "closed 8 at 02", "v 8/2 R-8", "v 8/3 R-8"]
    );
    assert_eq!((summary.versions, summary.closes), (3, 1));
}
