//! The lookup of an authenticated caller: which companies it may search, whether it may
//! read at all, and the audit record of every answer, against mocks of the ports.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use customer_application::audit::{
    AuditKey, AuditMode, AuditWriter, AuditWriterSettings, CriteriaHasher,
};
use customer_application::{
    CustomerSearch, Param, Problem, RawSearchParams, SearchError, ValidationErrors,
};
use customer_domain::{
    ApiKeyId, AuditRecord, Caller, ClientName, ClientProfile, CompanyCode, CompanyId, CompanyScope,
    Credential, Customer, CustomerId, Disclosure, FailureKind, MobileNumber, MockAuditKeyStore,
    MockAuditLog, MockCompanyDirectory, MockCustomerHistory, MockCustomerRepository, Permissions,
    ReferenceNumber, RepositoryError, SearchCriteria, Violation,
};
use tokio::task::JoinHandle;

const JTC: CompanyId = CompanyId::new(1);
const JFC: CompanyId = CompanyId::new(2);
const AUDIT_KEY: &[u8] = b"audit key of the tests";

/// What a mock saw, for the test to read once it is done.
type Seen<T> = Arc<Mutex<T>>;

fn caller(companies: &str) -> Caller {
    Caller {
        profile: ClientProfile {
            name: ClientName::parse("call-centre").expect("a valid name"),
            permissions: Permissions::READ,
            companies: CompanyScope::parse(companies).expect("a valid scope"),
            rate_limit: None,
        },
        credential: Credential::ApiKey(ApiKeyId::parse("0123456789ab").expect("a valid id")),
    }
}

fn params(company: &str) -> RawSearchParams {
    RawSearchParams::default()
        .with(Param::CompanyCode, company)
        .with(Param::Lang, "en")
        .with(Param::CustomerId, "54218")
}

/// A directory that knows `jtc` and `jfc`.
fn directory() -> MockCompanyDirectory {
    let mut directory = MockCompanyDirectory::new();
    directory.expect_resolve().returning(|code| {
        Ok(match code.as_str() {
            "jtc" => Some(JTC),
            "jfc" => Some(JFC),
            _ => None,
        })
    });
    directory
}

/// A directory that must not be asked.
fn untouched_directory() -> MockCompanyDirectory {
    let mut directory = MockCompanyDirectory::new();
    directory.expect_resolve().never();
    directory
}

/// A repository that must not be asked.
fn untouched_repository() -> MockCustomerRepository {
    let mut repository = MockCustomerRepository::new();
    repository.expect_find_current().never();
    repository
}

/// A repository that finds `customers` in `jtc`, once.
fn finding(customers: Vec<Customer>) -> MockCustomerRepository {
    let mut repository = MockCustomerRepository::new();
    repository
        .expect_find_current()
        .withf(|company, _| *company == JTC)
        .times(1)
        .returning(move |_, _| Ok(customers.clone()));
    repository
}

fn search(repository: MockCustomerRepository, directory: MockCompanyDirectory) -> CustomerSearch {
    CustomerSearch::new(
        Arc::new(repository),
        Arc::new(MockCustomerHistory::new()),
        Arc::new(directory),
    )
}

/// A trail that keeps what it is given.
fn recording_trail(seen: &Seen<Vec<AuditRecord>>) -> MockAuditLog {
    let seen = Arc::clone(seen);
    let mut trail = MockAuditLog::new();
    trail.expect_append().returning(move |records| {
        seen.lock().unwrap().extend_from_slice(records);
        Ok(())
    });
    trail
}

/// A trail that must not be written to.
fn untouched_trail() -> MockAuditLog {
    let mut trail = MockAuditLog::new();
    trail.expect_append().never();
    trail
}

/// `search` recording into `trail` in sync mode, and the running writer task.
fn audited(search: CustomerSearch, trail: MockAuditLog) -> (CustomerSearch, JoinHandle<()>) {
    let (writer, task) = AuditWriter::new(
        Arc::new(trail),
        AuditWriterSettings {
            mode: AuditMode::Sync,
            ..AuditWriterSettings::default()
        },
    );
    let task = tokio::spawn(task.run());
    (search.with_audit(writer, AuditKey::given(AUDIT_KEY)), task)
}

/// Ends the writer of `search`, which checks the trail mock's expectations.
async fn finish(search: CustomerSearch, task: JoinHandle<()>) {
    drop(search);
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("the writer ends")
        .expect("the trail got what it expected");
}

fn invalid(outcome: Result<impl std::fmt::Debug, SearchError>) -> ValidationErrors {
    match outcome {
        Err(SearchError::Invalid(errors)) => errors,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn customer(id: i64, version: i32) -> Customer {
    let since = NaiveDate::from_ymd_opt(2026, 1, 1)
        .and_then(|day| day.and_hms_opt(9, 0, 0))
        .expect("a valid date");
    Customer {
        first_name: Some("Noura".to_owned()),
        mobile_number: Some("568617084".to_owned()),
        created_date: Some(since),
        is_active: Some(true),
        ..Customer::identified(
            id * 10 + i64::from(version),
            CustomerId::new(id).expect("a positive id"),
            version,
            JTC,
            since,
        )
    }
}

// --- Which companies a caller may search ---

#[tokio::test]
async fn a_company_not_granted_is_forbidden_naming_the_callers_own_companies() {
    let outcome = search(untouched_repository(), untouched_directory())
        .search_as(&caller("jtc"), "req-1", &params("jfc"))
        .await;
    assert!(
        matches!(&outcome, Err(SearchError::Forbidden { allowed }) if allowed == "jtc"),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn an_unknown_company_not_granted_is_forbidden_the_same() {
    // Neither the answer nor the ports asked tell an unknown company from a known one.
    let outcome = search(untouched_repository(), untouched_directory())
        .search_as(&caller("jtc"), "req-1", &params("nope"))
        .await;
    assert!(
        matches!(&outcome, Err(SearchError::Forbidden { allowed }) if allowed == "jtc"),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_granted_company_is_searched() {
    let outcome = search(finding(vec![customer(54218, 1)]), directory())
        .search_as(&caller("jfc, JTC"), "req-1", &params("JTC"))
        .await
        .expect("allowed");
    assert_eq!(outcome.customers, [customer(54218, 1)]);
}

#[tokio::test]
async fn an_invalid_request_in_a_company_not_granted_reports_its_problems_only() {
    let bad = |company: &str| {
        RawSearchParams::default()
            .with(Param::CompanyCode, company)
            .with(Param::Lang, "de")
            .with(Param::MobileNumber, "468")
    };
    let mut reported = Vec::new();
    for company in ["jfc", "nope"] {
        let errors = invalid(
            search(untouched_repository(), untouched_directory())
                .search_as(&caller("jtc"), "req-1", &bad(company))
                .await,
        );
        assert_eq!(
            errors.get(Param::Lang),
            [Problem::Invalid(Violation::UnsupportedLanguage)]
        );
        assert_eq!(
            errors.get(Param::MobileNumber),
            [Problem::Invalid(Violation::MustStartWith5)]
        );
        assert!(errors.get(Param::CompanyCode).is_empty(), "{errors:?}");
        reported.push(errors);
    }
    assert_eq!(
        reported[0], reported[1],
        "a known and an unknown company alike"
    );
}

#[tokio::test]
async fn an_unknown_company_is_told_to_a_caller_allowed_every_company() {
    let errors = invalid(
        search(untouched_repository(), directory())
            .search_as(&caller("all"), "req-1", &params("nope"))
            .await,
    );
    assert_eq!(errors.get(Param::CompanyCode), [Problem::UnknownCompany]);
    assert_eq!(errors.iter().count(), 1);

    let errors = invalid(
        search(untouched_repository(), directory())
            .search_as(
                &caller("all"),
                "req-1",
                &params("nope").with(Param::MobileNumber, "4"),
            )
            .await,
    );
    assert_eq!(errors.get(Param::CompanyCode), [Problem::UnknownCompany]);
    assert!(!errors.get(Param::MobileNumber).is_empty());
}

// --- The audit record of an answer ---

#[tokio::test]
async fn a_versions_list_is_recorded_as_a_lookup_by_customer_id_showing_every_version() {
    let seen: Seen<Vec<AuditRecord>> = Arc::default();
    let versions = vec![customer(54218, 2), customer(54218, 1)];
    let listed = versions.clone();
    let mut history = MockCustomerHistory::new();
    history
        .expect_versions()
        .times(1)
        .returning(move |_, _| Ok(listed.clone()));
    let (search, task) = audited(
        CustomerSearch::new(
            Arc::new(untouched_repository()),
            Arc::new(history),
            Arc::new(directory()),
        ),
        recording_trail(&seen),
    );
    let params = RawSearchParams::from_pairs([
        ("companyCode", "jtc"),
        ("customerId", "54218"),
        ("lang", "en"),
    ]);
    let outcome = search
        .versions_as(&caller("jtc"), "req-7", &params)
        .await
        .expect("answered");
    assert_eq!(outcome.customers, versions);
    let records = seen.lock().unwrap().clone();
    assert_eq!(records.len(), 1, "recorded before the answer");
    let record = &records[0];
    assert_eq!(record.request_id, "req-7");
    let criteria =
        SearchCriteria::new(CustomerId::new(54218).ok(), None, None, None).expect("an identifier");
    assert_eq!(
        record.criteria,
        CriteriaHasher::new(AUDIT_KEY).digests(&criteria)
    );
    let shown: Vec<i32> = record
        .disclosed
        .iter()
        .map(|d| d.customer_version_id)
        .collect();
    assert_eq!(shown, [2, 1]);
    finish(search, task).await;
}

#[tokio::test]
async fn an_answer_is_recorded_with_who_asked_what_and_what_was_shown() {
    let seen: Seen<Vec<AuditRecord>> = Arc::default();
    let found = vec![customer(7, 3), customer(5, 1)];
    let (search, task) = audited(
        search(finding(found.clone()), directory()),
        recording_trail(&seen),
    );
    // Given in another order than the contract's, the mobile number spaced.
    let params = RawSearchParams::from_pairs([
        ("referenceNo", "333215"),
        ("mobileNumber", "56 861 7084"),
        ("companyCode", "jtc"),
        ("customerId", "54218"),
        ("lang", "ar"),
    ]);
    let before = Utc::now();
    let outcome = search
        .search_as(&caller("jtc"), "req-42", &params)
        .await
        .expect("answered");
    let after = Utc::now();
    assert_eq!(outcome.customers, found);

    let records = seen.lock().unwrap().clone();
    assert_eq!(records.len(), 1, "recorded before the answer");
    let record = &records[0];
    assert!(before <= record.at && record.at <= after);
    assert_eq!(record.request_id, "req-42");
    assert_eq!(record.client.as_str(), "call-centre");
    assert_eq!(record.credential, "key:0123456789ab");
    assert_eq!(record.company, CompanyCode::parse("jtc").expect("valid"));
    let criteria = SearchCriteria::new(
        Some(CustomerId::new(54218).expect("positive")),
        None,
        Some(MobileNumber::parse("568617084").expect("valid")),
        Some(ReferenceNumber::parse("333215").expect("valid")),
    )
    .expect("identifiers given");
    assert_eq!(
        record.criteria,
        CriteriaHasher::new(AUDIT_KEY).digests(&criteria)
    );
    assert!(!format!("{record:?}").contains("568617084"));
    assert_eq!(
        record.disclosed,
        [
            Disclosure {
                customer_id: CustomerId::new(7).expect("positive"),
                customer_version_id: 3,
                write: None,
            },
            Disclosure {
                customer_id: CustomerId::new(5).expect("positive"),
                customer_version_id: 1,
                write: None,
            },
        ]
    );
    finish(search, task).await;
}

#[tokio::test]
async fn a_miss_is_recorded_with_nothing_disclosed() {
    let seen: Seen<Vec<AuditRecord>> = Arc::default();
    let (search, task) = audited(
        search(finding(Vec::new()), directory()),
        recording_trail(&seen),
    );
    let outcome = search
        .search_as(&caller("jtc"), "req-7", &params("jtc"))
        .await
        .expect("answered");
    assert!(outcome.customers.is_empty());
    let records = seen.lock().unwrap().clone();
    assert_eq!(records.len(), 1);
    assert!(records[0].disclosed.is_empty());
    assert_eq!(records[0].request_id, "req-7");
    finish(search, task).await;
}

#[tokio::test]
async fn a_token_caller_is_recorded_by_its_subject() {
    let seen: Seen<Vec<AuditRecord>> = Arc::default();
    let (search, task) = audited(
        search(finding(Vec::new()), directory()),
        recording_trail(&seen),
    );
    let caller = Caller {
        credential: Credential::Token {
            subject: "svc-portal".to_owned(),
        },
        ..caller("all")
    };
    search
        .search_as(&caller, "req-1", &params("jtc"))
        .await
        .expect("answered");
    assert_eq!(seen.lock().unwrap()[0].credential, "token:svc-portal");
    finish(search, task).await;
}

#[tokio::test]
async fn an_anonymous_search_is_recorded_as_anonymous() {
    let seen: Seen<Vec<AuditRecord>> = Arc::default();
    let (search, task) = audited(
        search(finding(Vec::new()), directory()),
        recording_trail(&seen),
    );
    search.search(&params("jtc")).await.expect("answered");
    let record = seen.lock().unwrap()[0].clone();
    assert_eq!(record.client.as_str(), "anonymous");
    assert_eq!(record.credential, "anonymous");
    assert_eq!(record.request_id, "-");
    finish(search, task).await;
}

#[tokio::test]
async fn an_answer_that_cannot_be_recorded_is_not_given() {
    let mut trail = MockAuditLog::new();
    trail.expect_append().times(1).returning(|_| {
        Err(RepositoryError::new(
            FailureKind::Unreachable,
            "audit store down",
        ))
    });
    let (search, task) = audited(search(finding(vec![customer(7, 3)]), directory()), trail);
    let outcome = search
        .search_as(&caller("jtc"), "req-1", &params("jtc"))
        .await;
    assert!(
        matches!(&outcome, Err(SearchError::NotAudited(_))),
        "{outcome:?}"
    );
    finish(search, task).await;
}

#[tokio::test]
async fn refusals_and_failures_are_not_recorded() {
    let mut repository = MockCustomerRepository::new();
    repository
        .expect_find_current()
        .returning(|_, _| Err(RepositoryError::new(FailureKind::TimedOut, "timeout")));
    let (search, task) = audited(search(repository, directory()), untouched_trail());
    let outcome = search
        .search_as(&caller("jtc"), "req-1", &params("jfc"))
        .await;
    assert!(
        matches!(outcome, Err(SearchError::Forbidden { .. })),
        "{outcome:?}"
    );
    let outcome = search
        .search_as(
            &caller("jtc"),
            "req-2",
            &params("jtc").with(Param::Lang, "x"),
        )
        .await;
    assert!(
        matches!(outcome, Err(SearchError::Invalid(_))),
        "{outcome:?}"
    );
    let outcome = search
        .search_as(&caller("all"), "req-3", &params("nope"))
        .await;
    assert!(
        matches!(outcome, Err(SearchError::Invalid(_))),
        "{outcome:?}"
    );
    let outcome = search
        .search_as(&caller("jtc"), "req-4", &params("jtc"))
        .await;
    assert!(
        matches!(outcome, Err(SearchError::Store(ref error)) if error.is_unavailable()),
        "{outcome:?}"
    );
    finish(search, task).await;
}

#[tokio::test]
async fn without_an_audit_writer_nothing_is_recorded() {
    let seen: Seen<Vec<AuditRecord>> = Arc::default();
    let mut repository = MockCustomerRepository::new();
    repository
        .expect_find_current()
        .times(2)
        .returning(|_, _| Ok(vec![customer(7, 3)]));
    let plain = search(repository, directory());
    let (audited, task) = audited(plain.clone(), recording_trail(&seen));

    let outcome = plain
        .search_as(&caller("jtc"), "req-1", &params("jtc"))
        .await
        .expect("answered");
    assert_eq!(outcome.customers, [customer(7, 3)]);
    assert!(seen.lock().unwrap().is_empty());

    // The same ports with a writer: only this lookup is recorded.
    audited
        .search_as(&caller("jtc"), "req-2", &params("jtc"))
        .await
        .expect("answered");
    let recorded: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|record| record.request_id.clone())
        .collect();
    assert_eq!(recorded, ["req-2"]);
    finish(audited, task).await;
}

/// Without a configured key, the searched values are hashed with the trail's own key,
/// read once, at the first lookup: the service starts while the database is down.
#[tokio::test]
async fn the_trails_own_key_is_read_once_at_the_first_lookup() {
    let seen: Seen<Vec<AuditRecord>> = Arc::default();
    let mut store = MockAuditKeyStore::new();
    store.expect_hmac_key().times(1).returning(|candidate| {
        assert_eq!(candidate.len(), 32, "a candidate of 32 random bytes");
        Ok(AUDIT_KEY.to_vec())
    });
    let (writer, task) = AuditWriter::new(
        Arc::new(recording_trail(&seen)),
        AuditWriterSettings {
            mode: AuditMode::Sync,
            ..AuditWriterSettings::default()
        },
    );
    let task = tokio::spawn(task.run());
    let mut repository = MockCustomerRepository::new();
    repository
        .expect_find_current()
        .times(2)
        .returning(|_, _| Ok(Vec::new()));
    let search =
        search(repository, directory()).with_audit(writer, AuditKey::chosen(b"", Arc::new(store)));
    for _ in 0..2 {
        search
            .search_as(&caller("jtc"), "req", &params("jtc"))
            .await
            .expect("answered");
    }
    drop(search);
    task.await.expect("the writer ends");
    let records = seen.lock().unwrap().clone();
    let expected = CriteriaHasher::new(AUDIT_KEY).digests(
        &SearchCriteria::new(Some(CustomerId::parse("54218").unwrap()), None, None, None).unwrap(),
    );
    assert_eq!(records.len(), 2);
    assert!(records.iter().all(|record| record.criteria == expected));
}

/// A trail whose key cannot be read gives no answer: 503, not the data.
#[tokio::test]
async fn no_answer_when_the_trails_key_cannot_be_read() {
    let mut store = MockAuditKeyStore::new();
    store.expect_hmac_key().returning(|_| {
        Err(RepositoryError::new(
            FailureKind::Unreachable,
            "database down",
        ))
    });
    let (writer, _task) =
        AuditWriter::new(Arc::new(untouched_trail()), AuditWriterSettings::default());
    let search = search(finding(vec![customer(54218, 1)]), directory())
        .with_audit(writer, AuditKey::stored(Arc::new(store)));
    let outcome = search
        .search_as(&caller("jtc"), "req", &params("jtc"))
        .await;
    assert!(
        matches!(outcome, Err(SearchError::Store(ref error)) if error.is_unavailable()),
        "{outcome:?}"
    );
}

mod permissions;
