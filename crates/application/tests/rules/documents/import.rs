//! `CustomerImport::apply_batch` (and its halves, `check_batch` and `write_checked`) over
//! a mocked writer: only the lines that read well reach it, in order and in one call;
//! what it refuses is reported under a field; blank lines are skipped; the dry run, the
//! clock and the local offset are passed on.

use std::sync::{Arc, Mutex};

use customer_application::documents::{
    CustomerImport, ImportLine, ImportSummary, LineReport, LineResult,
};
use customer_domain::{
    CustomerChange, FailureKind, ManualClock, MockCustomerWriter, PendingChange, RepositoryError,
    VersionStamp, WriteOutcome,
};

use super::{
    CodeBook, CustomerId, DocumentErrors, FixedOffset, JTC, NaiveDateTime, P, WriteRefusal, book,
    local, now, riyadh,
};

/// What the writer was given, call by call: the changes, now and the dry run flag.
type Calls = Arc<Mutex<Vec<(Vec<PendingChange>, chrono::DateTime<chrono::Utc>, bool)>>>;

/// A writer that records each call and answers it with `answer` (given the changes).
fn recording_writer(
    answer: impl Fn(&[PendingChange]) -> Vec<WriteOutcome> + Send + Sync + 'static,
) -> (MockCustomerWriter, Calls) {
    let calls: Calls = Arc::default();
    let seen = calls.clone();
    let mut writer = MockCustomerWriter::new();
    writer
        .expect_apply()
        .returning(move |changes, now, dry_run| {
            let outcomes = answer(&changes);
            seen.lock()
                .expect("not poisoned")
                .push((changes, now, dry_run));
            Ok(outcomes)
        });
    (writer, calls)
}

fn import_with(writer: MockCustomerWriter, offset: FixedOffset) -> CustomerImport {
    CustomerImport::new(Arc::new(writer), Arc::new(ManualClock::new(now())), offset)
}

fn lines(texts: &[&str]) -> Vec<ImportLine> {
    texts
        .iter()
        .zip(1..)
        .map(|(text, number)| ImportLine {
            number,
            text: (*text).to_owned(),
        })
        .collect()
}

fn stamp(number: i32, start: &str) -> VersionStamp {
    VersionStamp {
        customer_version_id: number,
        start_date: local(start),
    }
}

/// `Created` for each change, numbered 1.
fn all_created(changes: &[PendingChange]) -> Vec<WriteOutcome> {
    changes
        .iter()
        .map(|_| WriteOutcome::Created(stamp(1, "2026-06-01 15:00:00")))
        .collect()
}

fn customer_ids(changes: &[PendingChange]) -> Vec<i64> {
    changes
        .iter()
        .map(|p| p.change.customer().1.get())
        .collect()
}

async fn apply(import: &CustomerImport, texts: &[&str], dry_run: bool) -> Vec<LineReport> {
    import
        .apply_batch(&book(), &lines(texts), dry_run)
        .await
        .expect("the batch is applied")
}

const GOOD_1: &str = r#"{"companyCode":"jtc","customerId":1,"firstName":"Noura"}"#;
const BAD_2: &str =
    r#"{"companyCode":"jtc","customerId":2,"mobileNumber":"468617084","genderId":99}"#;
const CLOSE_4: &str = r#"{"companyCode":"jtc","customerId":4,"deleted":true}"#;
const NOT_JSON: &str = r#"{"companyCode":"jtc","#;

#[tokio::test]
async fn rejected_lines_never_reach_the_writer_and_blank_lines_are_skipped() {
    let (writer, calls) = recording_writer(|changes| {
        assert_eq!(customer_ids(changes), [1, 4]);
        vec![
            WriteOutcome::Created(stamp(1, "2026-06-01 15:00:00")),
            WriteOutcome::Closed {
                version: stamp(2, "2026-01-01 00:00:00"),
                end_date: local("2026-06-01 15:00:00"),
            },
        ]
    });
    let import = import_with(writer, riyadh());
    let reports = apply(
        &import,
        &[GOOD_1, BAD_2, "", "   \t", CLOSE_4, NOT_JSON],
        false,
    )
    .await;
    let calls = calls.lock().expect("not poisoned");
    assert_eq!(calls.len(), 1, "one call for the whole batch");
    let (changes, at, dry_run) = &calls[0];
    assert_eq!((*at, *dry_run), (now(), false), "the clock's now");
    assert!(
        changes.iter().all(|pending| pending.expected.is_none()),
        "an import writes whatever the current version is: {changes:?}"
    );
    assert!(matches!(
        &changes[1].change,
        CustomerChange::Close { customer_id, effective: None, .. } if customer_id.get() == 4
    ));
    let numbers: Vec<u64> = reports.iter().map(|r| r.number).collect();
    assert_eq!(numbers, [1, 2, 5, 6], "blank lines 3 and 4 have no report");
    assert_eq!(
        reports[0],
        LineReport {
            number: 1,
            customer_id: Some(CustomerId::new(1).expect("an id")),
            company: Some(customer_domain::CompanyCode::parse("jtc").expect("a code")),
            result: LineResult::Applied(WriteOutcome::Created(stamp(1, "2026-06-01 15:00:00"))),
        }
    );
    let LineResult::Rejected(errors) = &reports[1].result else {
        panic!("line 2 is rejected: {:?}", reports[1]);
    };
    assert_eq!(
        errors.get("mobileNumber"),
        [P::Invalid(customer_domain::Violation::MustStartWith5)]
    );
    assert_eq!(errors.get("genderId"), [P::UnknownCode]);
    assert_eq!(
        reports[1].customer_id, None,
        "a rejected line names no customer"
    );
    assert!(matches!(
        reports[2].result,
        LineResult::Applied(WriteOutcome::Closed { .. })
    ));
    assert_eq!(
        reports[3].result,
        LineResult::Rejected(DocumentErrors::single("", P::NotJson))
    );
    let mut summary = ImportSummary::default();
    summary.add(&reports);
    assert_eq!(
        summary,
        ImportSummary {
            read: 4,
            created: 1,
            changed: 0,
            unchanged: 0,
            closed: 1,
            rejected: 2,
        }
    );
}

#[tokio::test]
async fn a_batch_of_rejected_or_blank_lines_does_not_call_the_writer() {
    let mut writer = MockCustomerWriter::new();
    writer.expect_apply().never();
    let import = import_with(writer, riyadh());
    let reports = apply(&import, &[BAD_2, "", NOT_JSON], false).await;
    assert_eq!(reports.len(), 2);
    assert!(
        reports
            .iter()
            .all(|r| matches!(r.result, LineResult::Rejected(_)))
    );
    assert!(apply(&import, &["", " "], true).await.is_empty());
    assert!(apply(&import, &[], false).await.is_empty());
}

/// What the writer refuses is reported as a problem of the field that would fix it.
#[tokio::test]
async fn refusals_are_field_problems_of_their_line() {
    let current_start = local("2026-03-01 08:00:00");
    let refusals = [
        WriteRefusal::NotAfterCurrent { current_start },
        WriteRefusal::VersionMismatch { current: Some(2) },
        WriteRefusal::NotFound,
        WriteRefusal::VersionMismatch { current: None },
    ];
    let (writer, _calls) = recording_writer(move |changes| {
        let mut outcomes: Vec<WriteOutcome> =
            refusals.iter().map(|r| WriteOutcome::Refused(*r)).collect();
        outcomes.push(WriteOutcome::Unchanged(stamp(3, "2026-03-01 08:00:00")));
        assert_eq!(outcomes.len(), changes.len());
        outcomes
    });
    let import = import_with(writer, riyadh());
    let texts = [
        r#"{"companyCode":"jtc","customerId":1,"startDate":"2026-01-01"}"#,
        r#"{"companyCode":"jtc","customerId":2}"#,
        r#"{"companyCode":"jtc","customerId":3,"deleted":true}"#,
        r#"{"companyCode":"jtc","customerId":4}"#,
        r#"{"companyCode":"jtc","customerId":5}"#,
    ];
    let reports = apply(&import, &texts, false).await;
    let rejected = |index: usize| -> Vec<(String, Vec<P>)> {
        let LineResult::Rejected(errors) = &reports[index].result else {
            panic!("line {} is rejected: {:?}", index + 1, reports[index]);
        };
        errors
            .iter()
            .map(|(field, problems)| (field.to_owned(), problems.to_vec()))
            .collect()
    };
    assert_eq!(
        rejected(0),
        [(
            "startDate".to_owned(),
            vec![P::Refused(WriteRefusal::NotAfterCurrent { current_start })]
        )]
    );
    assert_eq!(
        rejected(1),
        [(
            "customerId".to_owned(),
            vec![P::Refused(WriteRefusal::VersionMismatch {
                current: Some(2)
            })]
        )]
    );
    assert_eq!(
        rejected(2),
        [(
            "customerId".to_owned(),
            vec![P::Refused(WriteRefusal::NotFound)]
        )]
    );
    assert_eq!(rejected(3)[0].0, "customerId");
    assert_eq!(
        reports[4].result,
        LineResult::Applied(WriteOutcome::Unchanged(stamp(3, "2026-03-01 08:00:00")))
    );
    // A refused line still names its customer: it was read.
    assert_eq!(
        reports
            .iter()
            .map(|r| r.customer_id.map(CustomerId::get))
            .collect::<Vec<_>>(),
        [Some(1), Some(2), Some(3), Some(4), Some(5)]
    );
    let mut summary = ImportSummary::default();
    summary.add(&reports);
    assert_eq!(
        (summary.read, summary.rejected, summary.unchanged),
        (5, 4, 1)
    );
}

#[tokio::test]
async fn the_dry_run_flag_is_passed_to_the_writer() {
    for dry_run in [true, false] {
        let (writer, calls) = recording_writer(all_created);
        let import = import_with(writer, riyadh());
        let reports = apply(&import, &[GOOD_1], dry_run).await;
        assert!(matches!(
            reports[0].result,
            LineResult::Applied(WriteOutcome::Created(_))
        ));
        let calls = calls.lock().expect("not poisoned");
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].2, dry_run);
    }
}

/// Times with an offset become local times of the import's offset; effective times are
/// checked against the import's clock.
#[tokio::test]
async fn the_clock_and_the_local_offset_are_the_imports() {
    let line = r#"{"companyCode":"jtc","customerId":1,"startDate":"2026-01-01T00:00:00Z"}"#;
    for (offset, expected) in [
        (riyadh(), "2026-01-01 03:00:00"),
        (
            FixedOffset::east_opt(0).expect("UTC"),
            "2026-01-01 00:00:00",
        ),
        (
            FixedOffset::west_opt(5 * 3600).expect("-05:00"),
            "2025-12-31 19:00:00",
        ),
    ] {
        let (writer, calls) = recording_writer(all_created);
        apply(&import_with(writer, offset), &[line], false).await;
        let calls = calls.lock().expect("not poisoned");
        let CustomerChange::Put(document) = &calls[0].0[0].change else {
            panic!("a document: {:?}", calls[0]);
        };
        assert_eq!(document.effective, Some(local(expected)), "at {offset}");
        assert_eq!(document.company, JTC);
    }
    // 15:30 local is half an hour after the clock's now (15:00 local): refused until the
    // clock has moved on.
    let later = r#"{"companyCode":"jtc","customerId":1,"startDate":"2026-06-01T15:30:00"}"#;
    let (writer, calls) = recording_writer(all_created);
    let clock = Arc::new(ManualClock::new(now()));
    let import = CustomerImport::new(Arc::new(writer), clock.clone(), riyadh());
    let reports = apply(&import, &[later], false).await;
    assert_eq!(
        reports[0].result,
        LineResult::Rejected(DocumentErrors::single("startDate", P::InTheFuture))
    );
    assert!(calls.lock().expect("not poisoned").is_empty());
    clock.advance(std::time::Duration::from_secs(3600));
    let reports = apply(&import, &[later], false).await;
    assert!(matches!(reports[0].result, LineResult::Applied(_)));
    assert_eq!(
        calls.lock().expect("not poisoned")[0].1,
        now() + chrono::TimeDelta::hours(1)
    );
}

/// A writer's failure fails the batch: no report says a line was applied.
#[tokio::test]
async fn a_failure_of_the_writer_fails_the_batch() {
    let mut writer = MockCustomerWriter::new();
    writer
        .expect_apply()
        .times(1)
        .returning(|_, _, _| Err(RepositoryError::new(FailureKind::Unreachable, "gone")));
    let import = import_with(writer, riyadh());
    let error = import
        .apply_batch(&book(), &lines(&[GOOD_1, BAD_2]), false)
        .await
        .expect_err("the store failed");
    assert_eq!(error.kind(), FailureKind::Unreachable);
}

#[tokio::test]
async fn the_code_book_is_the_writers() {
    let mut writer = MockCustomerWriter::new();
    writer.expect_code_book().times(1).returning(|| Ok(book()));
    let import = import_with(writer, riyadh());
    let read: CodeBook = import.code_book().await.expect("the book");
    assert_eq!(read, book());
}

/// Several lines of one customer are sent in file order, each its own change: the writer
/// applies them one after the other.
#[tokio::test]
async fn lines_of_one_customer_are_sent_in_order() {
    let (writer, calls) = recording_writer(all_created);
    let import = import_with(writer, riyadh());
    let texts = [
        r#"{"companyCode":"jtc","customerId":9,"firstName":"A","startDate":"2026-01-01"}"#,
        r#"{"companyCode":"jtc","customerId":9,"firstName":"B","startDate":"2026-02-01"}"#,
        r#"{"companyCode":"jtc","customerId":9,"deleted":true,"endDate":"2026-03-01"}"#,
    ];
    apply(&import, &texts, false).await;
    let calls = calls.lock().expect("not poisoned");
    let effective: Vec<Option<NaiveDateTime>> = calls[0]
        .0
        .iter()
        .map(|pending| match &pending.change {
            CustomerChange::Put(document) => document.effective,
            CustomerChange::Close { effective, .. } => *effective,
        })
        .collect();
    assert_eq!(
        effective,
        [
            Some(local("2026-01-01 00:00:00")),
            Some(local("2026-02-01 00:00:00")),
            Some(local("2026-03-01 00:00:00")),
        ]
    );
}

/// A batch checked on its own reaches no writer (an import checks the next batch while
/// the writer writes this one); written later, it gives the reports `apply_batch` gives,
/// its undated changes taking effect at the moment it was checked.
#[tokio::test]
async fn a_checked_batch_is_written_later_as_apply_batch_writes_it() {
    let (writer, calls) = recording_writer(all_created);
    let clock = Arc::new(ManualClock::new(now()));
    let import = CustomerImport::new(Arc::new(writer), clock.clone(), riyadh());
    let texts = [GOOD_1, "", BAD_2, CLOSE_4];
    let checked = import.check_batch(&book(), &lines(&texts), &|_| true);
    assert_eq!(checked.len(), 3, "the blank line aside");
    assert!(
        calls.lock().expect("not poisoned").is_empty(),
        "nothing written yet"
    );
    clock.advance(std::time::Duration::from_secs(30));
    let written = import
        .write_checked(checked, false)
        .await
        .expect("the batch is written");

    let (writer, _) = recording_writer(all_created);
    let at_once = apply(&import_with(writer, riyadh()), &texts, false).await;
    assert_eq!(written, at_once);
    let calls = calls.lock().expect("not poisoned");
    assert_eq!(calls.len(), 1);
    assert_eq!(customer_ids(&calls[0].0), [1, 4]);
    assert_eq!(calls[0].1, now(), "now as the batch was checked");
}
