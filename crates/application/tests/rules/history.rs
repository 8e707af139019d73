//! The rules of `asOf` and of the versions list, against mocks of the ports.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use customer_application::{CustomerSearch, Message, Param, Problem, RawSearchParams, SearchError};
use customer_domain::{
    Caller, ClientName, ClientProfile, CompanyId, CompanyScope, Credential, CustomerId, Language,
    MockCompanyDirectory, MockCustomerHistory, MockCustomerRepository, Permissions,
};
use mockall::predicate::{always, eq};

const JTC: CompanyId = CompanyId::new(1);

fn directory() -> MockCompanyDirectory {
    let mut directory = MockCompanyDirectory::new();
    directory
        .expect_resolve()
        .returning(|code| Ok((code.as_str() == "jtc").then_some(JTC)));
    directory
}

/// A current lookup that must not be asked.
fn no_current() -> MockCustomerRepository {
    let mut repository = MockCustomerRepository::new();
    repository.expect_find_current().never();
    repository
}

/// A history that must not be asked.
pub(crate) fn no_history() -> MockCustomerHistory {
    let mut history = MockCustomerHistory::new();
    history.expect_find_as_of().never();
    history.expect_versions().never();
    history
}

fn search(current: MockCustomerRepository, history: MockCustomerHistory) -> CustomerSearch {
    CustomerSearch::new(Arc::new(current), Arc::new(history), Arc::new(directory()))
}

fn lookup(as_of: &str, lang: &str) -> RawSearchParams {
    RawSearchParams::default()
        .with(Param::CompanyCode, "jtc")
        .with(Param::CustomerId, "54218")
        .with(Param::Lang, lang)
        .with(Param::AsOf, as_of)
}

async fn as_of_problems(params: RawSearchParams) -> Vec<Problem> {
    match search(no_current(), no_history()).search(&params).await {
        Err(SearchError::Invalid(errors)) => errors.get(Param::AsOf).to_vec(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn as_of_in_the_future_is_refused_in_both_languages() {
    let later = (Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    for lang in ["en", "ar"] {
        assert_eq!(
            as_of_problems(lookup(&later, lang)).await,
            [Problem::InTheFuture],
            "{later} lang={lang}"
        );
    }
    assert_eq!(
        Problem::InTheFuture
            .message(Param::AsOf)
            .text(Language::English),
        "must not be in the future"
    );
    assert_eq!(
        Problem::InTheFuture
            .message(Param::AsOf)
            .text(Language::Arabic),
        "يجب ألا يكون في المستقبل"
    );
}

#[tokio::test]
async fn unparseable_as_of_is_refused_in_both_languages() {
    for value in [
        "yesterday",
        "2025-01-01",
        "2025-01-01T00:00:00",
        "2025-13-01T00:00:00Z",
        "2025-01-01 00:00:00",
    ] {
        assert_eq!(
            as_of_problems(lookup(value, "en")).await,
            [Problem::NotADateTime],
            "{value}"
        );
    }
    assert_eq!(
        Problem::NotADateTime.message(Param::AsOf),
        Message::NotADateTime
    );
    assert!(
        Message::NotADateTime
            .text(Language::English)
            .contains("RFC 3339")
    );
    assert!(
        Message::NotADateTime
            .text(Language::Arabic)
            .contains("RFC 3339")
    );
}

#[tokio::test]
async fn as_of_problems_are_reported_with_every_other_problem() {
    let params = RawSearchParams::default()
        .with(Param::CompanyCode, "jtc")
        .with(Param::MobileNumber, "468617084")
        .with(Param::Lang, "en")
        .with(Param::AsOf, "soon")
        .with(Param::AsOf, "2025-01-01T00:00:00Z");
    let Err(SearchError::Invalid(errors)) =
        search(no_current(), no_history()).search(&params).await
    else {
        panic!("expected a validation error");
    };
    assert_eq!(
        errors.get(Param::AsOf),
        [Problem::Repeated, Problem::NotADateTime]
    );
    assert!(!errors.get(Param::MobileNumber).is_empty());
}

#[tokio::test]
async fn as_of_asks_the_history_with_the_moment_given_and_not_the_current_lookup() {
    let moment: DateTime<Utc> = "2025-01-01T00:00:00Z".parse().expect("a moment");
    let mut history = MockCustomerHistory::new();
    history
        .expect_find_as_of()
        .with(eq(JTC), always(), eq(moment))
        .times(1)
        .returning(|_, _, _| Ok(Vec::new()));
    history.expect_versions().never();
    // The same moment, written at another offset.
    let outcome = search(no_current(), history)
        .search(&lookup("2025-01-01T03:00:00+03:00", "en"))
        .await;
    assert!(outcome.is_ok(), "{outcome:?}");
}

#[tokio::test]
async fn without_as_of_the_current_lookup_is_asked() {
    let mut current = MockCustomerRepository::new();
    current
        .expect_find_current()
        .times(1)
        .returning(|_, _| Ok(Vec::new()));
    let params = RawSearchParams::default()
        .with(Param::CompanyCode, "jtc")
        .with(Param::CustomerId, "54218")
        .with(Param::Lang, "en")
        .with(Param::AsOf, "  ");
    let outcome = search(current, no_history()).search(&params).await;
    assert!(outcome.is_ok(), "{outcome:?}");
}

fn caller(companies: &str) -> Caller {
    Caller {
        profile: ClientProfile {
            name: ClientName::parse("crm").expect("a name"),
            permissions: Permissions::READ,
            companies: CompanyScope::parse(companies).expect("a scope"),
            rate_limit: None,
        },
        credential: Credential::Anonymous,
    }
}

fn versions_params() -> RawSearchParams {
    RawSearchParams::default()
        .with(Param::CompanyCode, "jtc")
        .with(Param::CustomerId, "54218")
        .with(Param::Lang, "ar")
}

#[tokio::test]
async fn versions_need_company_customer_and_lang_each_once() {
    let params = RawSearchParams::default()
        .with(Param::CompanyCode, "jtc")
        .with(Param::Lang, "en")
        .with(Param::Lang, "ar")
        .with(Param::MobileNumber, "568617084");
    let outcome = search(no_current(), no_history())
        .versions_as(&caller("all"), "-", &params)
        .await;
    let Err(SearchError::Invalid(errors)) = outcome else {
        panic!("expected a validation error, got {outcome:?}");
    };
    assert_eq!(errors.get(Param::CustomerId), [Problem::Required]);
    assert_eq!(errors.get(Param::Lang), [Problem::Repeated]);
    assert!(errors.get(Param::MobileNumber).is_empty(), "not read");
}

#[tokio::test]
async fn versions_are_asked_of_the_history_for_an_allowed_company_only() {
    let customer = CustomerId::new(54218).expect("an id");
    let mut history = MockCustomerHistory::new();
    history
        .expect_versions()
        .with(eq(JTC), eq(customer))
        .times(1)
        .returning(|_, _| Ok(Vec::new()));
    let outcome = search(no_current(), history)
        .versions_as(&caller("jtc"), "-", &versions_params())
        .await
        .expect("the versions");
    assert_eq!(outcome.language, Language::Arabic);

    let outcome = search(no_current(), no_history())
        .versions_as(&caller("jfc"), "-", &versions_params())
        .await;
    assert!(
        matches!(outcome, Err(SearchError::Forbidden { .. })),
        "{outcome:?}"
    );
}
