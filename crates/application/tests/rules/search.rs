//! The rules of the lookup, one test each, against mocks of the ports.

use std::sync::Arc;

use customer_application::{CustomerSearch, Param, Problem, RawSearchParams, SearchError};
use customer_domain::{
    CompanyCode, CompanyId, CustomerId, FailureKind, Language, MockCompanyDirectory,
    MockCustomerHistory, MockCustomerRepository, RepositoryError, SearchCriteria, Violation,
};
use mockall::predicate::{always, eq};

const JTC: CompanyId = CompanyId::new(1);

fn valid() -> RawSearchParams {
    RawSearchParams::default()
        .with(Param::CompanyCode, "jtc")
        .with(Param::Lang, "en")
}

/// A directory that knows `jtc` only.
pub(crate) fn directory() -> MockCompanyDirectory {
    let mut directory = MockCompanyDirectory::new();
    directory
        .expect_resolve()
        .returning(|code| Ok((code.as_str() == "jtc").then_some(JTC)));
    directory
}

/// A repository that must not be asked.
fn untouched_repository() -> MockCustomerRepository {
    let mut repository = MockCustomerRepository::new();
    repository.expect_find_current().never();
    repository
}

fn search(repository: MockCustomerRepository, directory: MockCompanyDirectory) -> CustomerSearch {
    CustomerSearch::new(
        Arc::new(repository),
        Arc::new(MockCustomerHistory::new()),
        Arc::new(directory),
    )
}

async fn problems(params: RawSearchParams) -> customer_application::ValidationErrors {
    match search(untouched_repository(), directory())
        .search(&params)
        .await
    {
        Err(SearchError::Invalid(errors)) => errors,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// Runs a valid search and returns the criteria the repository was asked with.
async fn criteria_of(params: RawSearchParams) -> SearchCriteria {
    let asked = Arc::new(std::sync::Mutex::new(None));
    let seen = Arc::clone(&asked);
    let mut repository = MockCustomerRepository::new();
    repository
        .expect_find_current()
        .with(eq(JTC), always())
        .times(1)
        .returning(move |_, criteria| {
            *seen.lock().unwrap() = Some(criteria.clone());
            Ok(Vec::new())
        });
    let outcome = search(repository, directory()).search(&params).await;
    assert!(outcome.is_ok(), "{outcome:?}");
    asked
        .lock()
        .unwrap()
        .take()
        .expect("the repository was asked")
}

#[tokio::test]
async fn company_code_is_required() {
    let errors = problems(
        RawSearchParams::default()
            .with(Param::Lang, "en")
            .with(Param::CustomerId, "1"),
    )
    .await;
    assert_eq!(errors.get(Param::CompanyCode), [Problem::Required]);
}

#[tokio::test]
async fn lang_is_required() {
    let errors = problems(
        RawSearchParams::default()
            .with(Param::CompanyCode, "jtc")
            .with(Param::CustomerId, "1"),
    )
    .await;
    assert_eq!(errors.get(Param::Lang), [Problem::Required]);
}

#[tokio::test]
async fn blank_required_parameters_count_as_missing() {
    let errors = problems(
        RawSearchParams::default()
            .with(Param::CompanyCode, "  ")
            .with(Param::Lang, "")
            .with(Param::CustomerId, "1"),
    )
    .await;
    assert_eq!(errors.get(Param::CompanyCode), [Problem::Required]);
    assert_eq!(errors.get(Param::Lang), [Problem::Required]);
}

#[tokio::test]
async fn lang_must_be_ar_or_en() {
    let errors = problems(valid().with(Param::CustomerId, "1").with(Param::Lang, "x")).await;
    // The second `lang` makes it repeated too; check an unsupported one alone.
    assert!(errors.get(Param::Lang).contains(&Problem::Repeated));
    let params = RawSearchParams::default()
        .with(Param::CompanyCode, "jtc")
        .with(Param::Lang, "fr")
        .with(Param::CustomerId, "1");
    assert_eq!(
        problems(params).await.get(Param::Lang),
        [Problem::Invalid(Violation::UnsupportedLanguage)]
    );
}

#[tokio::test]
async fn lang_is_case_insensitive() {
    let params = RawSearchParams::default()
        .with(Param::CompanyCode, "jtc")
        .with(Param::Lang, "AR")
        .with(Param::CustomerId, "1");
    let mut repository = MockCustomerRepository::new();
    repository
        .expect_find_current()
        .returning(|_, _| Ok(Vec::new()));
    let outcome = search(repository, directory())
        .search(&params)
        .await
        .expect("valid");
    assert_eq!(outcome.language, Language::Arabic);
}

#[tokio::test]
async fn at_least_one_identifier_is_required() {
    let errors = problems(valid()).await;
    // One problem, reported once: under the first identifier, none under the others.
    assert_eq!(errors.get(Param::CustomerId), [Problem::NoIdentifier]);
    assert_eq!(errors.iter().count(), 1, "{errors:?}");
}

#[tokio::test]
async fn blank_identifiers_count_as_not_given() {
    let errors = problems(
        valid()
            .with(Param::CustomerId, " ")
            .with(Param::MobileNumber, ""),
    )
    .await;
    assert_eq!(errors.get(Param::CustomerId), [Problem::NoIdentifier]);
}

#[tokio::test]
async fn an_invalid_identifier_is_not_reported_as_missing() {
    let errors = problems(valid().with(Param::CustomerId, "abc")).await;
    assert_eq!(
        errors.get(Param::CustomerId),
        [Problem::Invalid(Violation::NotAnInteger)]
    );
    assert!(errors.get(Param::MobileNumber).is_empty());
}

#[tokio::test]
async fn repeated_parameters_are_rejected() {
    let params = RawSearchParams::from_pairs([
        ("companyCode", "jtc"),
        ("lang", "en"),
        ("customerId", "54218"),
        ("CustomerId", "54218"),
    ]);
    assert_eq!(
        problems(params).await.get(Param::CustomerId),
        [Problem::Repeated]
    );
}

#[tokio::test]
async fn mobile_number_must_start_with_5() {
    let errors = problems(valid().with(Param::MobileNumber, "468617084")).await;
    assert_eq!(
        errors.get(Param::MobileNumber),
        [Problem::Invalid(Violation::MustStartWith5)]
    );
}

#[tokio::test]
async fn mobile_number_must_be_digits_at_most_15() {
    let errors = problems(valid().with(Param::MobileNumber, "5x")).await;
    assert_eq!(
        errors.get(Param::MobileNumber),
        [Problem::Invalid(Violation::NotDigits)]
    );
    let errors = problems(valid().with(Param::MobileNumber, "5123456789012345")).await;
    assert_eq!(
        errors.get(Param::MobileNumber),
        [Problem::Invalid(Violation::TooLong { max: 15 })]
    );
}

#[tokio::test]
async fn mobile_number_spaces_and_hyphens_are_ignored() {
    let criteria = criteria_of(valid().with(Param::MobileNumber, " 56-861 7084 ")).await;
    assert_eq!(
        criteria
            .mobile_number()
            .map(customer_domain::MobileNumber::as_str),
        Some("568617084")
    );
}

#[tokio::test]
async fn customer_id_must_be_a_positive_64_bit_integer() {
    for (input, violation) in [
        ("0", Violation::NotPositive),
        ("-1", Violation::NotPositive),
        ("1e3", Violation::NotAnInteger),
        ("99999999999999999999", Violation::TooLarge),
    ] {
        let errors = problems(valid().with(Param::CustomerId, input)).await;
        assert_eq!(
            errors.get(Param::CustomerId),
            [Problem::Invalid(violation)],
            "{input}"
        );
    }
}

#[tokio::test]
async fn free_text_identifiers_are_bounded_and_printable() {
    let errors = problems(
        valid()
            .with(Param::IdentificationNo, "1".repeat(65))
            .with(Param::ReferenceNo, "33\u{7}3215"),
    )
    .await;
    assert_eq!(
        errors.get(Param::IdentificationNo),
        [Problem::Invalid(Violation::TooLong { max: 64 })]
    );
    assert_eq!(
        errors.get(Param::ReferenceNo),
        [Problem::Invalid(Violation::ControlCharacters)]
    );
}

#[tokio::test]
async fn arabic_indic_digits_are_read_as_ascii() {
    let criteria = criteria_of(
        valid()
            .with(Param::CustomerId, "٥٤٢١٨")
            .with(Param::IdentificationNo, "۲۱۰۳۲۳۲۱۲۳")
            .with(Param::MobileNumber, "٥٦٨٦١٧٠٨٤")
            .with(Param::ReferenceNo, "٣٣٣٢١٥"),
    )
    .await;
    assert_eq!(criteria.customer_id(), CustomerId::new(54218).ok());
    assert_eq!(
        criteria
            .identification_no()
            .map(customer_domain::IdentificationNumber::as_str),
        Some("2103232123")
    );
    assert_eq!(
        criteria
            .mobile_number()
            .map(customer_domain::MobileNumber::as_str),
        Some("568617084")
    );
    assert_eq!(
        criteria
            .reference_no()
            .map(customer_domain::ReferenceNumber::as_str),
        Some("333215")
    );
}

#[tokio::test]
async fn values_are_trimmed() {
    let criteria = criteria_of(valid().with(Param::ReferenceNo, "  333215\t")).await;
    assert_eq!(
        criteria
            .reference_no()
            .map(customer_domain::ReferenceNumber::as_str),
        Some("333215")
    );
}

#[tokio::test]
async fn company_codes_are_matched_case_insensitively() {
    let mut directory = MockCompanyDirectory::new();
    directory
        .expect_resolve()
        .with(eq(CompanyCode::parse("jtc").expect("valid")))
        .times(1)
        .returning(|_| Ok(Some(JTC)));
    let mut repository = MockCustomerRepository::new();
    repository
        .expect_find_current()
        .returning(|_, _| Ok(Vec::new()));
    let params = RawSearchParams::from_pairs([
        ("companyCode", " JTC "),
        ("lang", "en"),
        ("customerId", "1"),
    ]);
    search(repository, directory)
        .search(&params)
        .await
        .expect("valid");
}

#[tokio::test]
async fn an_unknown_company_is_a_validation_error() {
    let params = RawSearchParams::default()
        .with(Param::CompanyCode, "nope")
        .with(Param::Lang, "en")
        .with(Param::CustomerId, "1");
    assert_eq!(
        problems(params).await.get(Param::CompanyCode),
        [Problem::UnknownCompany]
    );
}

#[tokio::test]
async fn a_malformed_company_code_is_rejected_without_asking_the_directory() {
    let mut directory = MockCompanyDirectory::new();
    directory.expect_resolve().never();
    let params = RawSearchParams::default()
        .with(Param::CompanyCode, "j t c")
        .with(Param::Lang, "en")
        .with(Param::CustomerId, "1");
    let outcome = search(untouched_repository(), directory)
        .search(&params)
        .await;
    assert!(matches!(outcome, Err(SearchError::Invalid(errors))
        if errors.get(Param::CompanyCode) == [Problem::Invalid(Violation::MalformedCompanyCode)]));
}

#[tokio::test]
async fn every_problem_is_reported_at_once() {
    let params = RawSearchParams::from_pairs([
        ("companyCode", "nope"),
        ("lang", "de"),
        ("customerId", "x"),
        ("identificationNo", "\u{1}"),
        ("mobileNumber", "468"),
        ("referenceNo", "r"),
        ("referenceNo", "r"),
        ("asOf", "2025-01-01"),
    ]);
    let errors = problems(params).await;
    let reported: Vec<Param> = errors.iter().map(|(param, _)| param).collect();
    assert_eq!(reported, Param::ALL);
}

#[tokio::test]
async fn all_given_criteria_reach_the_repository_inside_the_company() {
    let criteria = criteria_of(
        valid()
            .with(Param::CustomerId, "54218")
            .with(Param::IdentificationNo, "2103232123")
            .with(Param::MobileNumber, "568617084")
            .with(Param::ReferenceNo, "333215"),
    )
    .await;
    assert_eq!(criteria.customer_id().map(CustomerId::get), Some(54218));
    assert!(criteria.identification_no().is_some());
    assert!(criteria.mobile_number().is_some());
    assert!(criteria.reference_no().is_some());
}

#[tokio::test]
async fn unknown_parameters_are_ignored() {
    let params = RawSearchParams::from_pairs([
        ("companyCode", "jtc"),
        ("lang", "en"),
        ("customerId", "1"),
        ("page", "2"),
    ]);
    let mut repository = MockCustomerRepository::new();
    repository
        .expect_find_current()
        .times(1)
        .returning(|_, _| Ok(Vec::new()));
    search(repository, directory())
        .search(&params)
        .await
        .expect("valid");
}

#[tokio::test]
async fn an_unavailable_repository_is_reported_as_unavailable() {
    let mut repository = MockCustomerRepository::new();
    repository.expect_find_current().returning(|_, _| {
        Err(RepositoryError::new(
            FailureKind::Unreachable,
            "connection refused",
        ))
    });
    let outcome = search(repository, directory())
        .search(&valid().with(Param::CustomerId, "1"))
        .await;
    assert!(
        matches!(outcome, Err(SearchError::Store(ref error)) if error.is_unavailable()),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_failing_repository_is_reported_as_failed() {
    let mut repository = MockCustomerRepository::new();
    repository
        .expect_find_current()
        .returning(|_, _| Err(RepositoryError::new(FailureKind::Other, "syntax error")));
    let outcome = search(repository, directory())
        .search(&valid().with(Param::CustomerId, "1"))
        .await;
    assert!(
        matches!(outcome, Err(SearchError::Store(ref error)) if error.kind() == FailureKind::Other),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn an_unavailable_directory_is_reported_as_unavailable() {
    let mut directory = MockCompanyDirectory::new();
    directory
        .expect_resolve()
        .returning(|_| Err(RepositoryError::new(FailureKind::TimedOut, "timeout")));
    let outcome = search(untouched_repository(), directory)
        .search(&valid().with(Param::CustomerId, "1"))
        .await;
    assert!(
        matches!(outcome, Err(SearchError::Store(ref error)) if error.is_unavailable()),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn other_problems_are_reported_even_when_the_directory_is_down() {
    let mut directory = MockCompanyDirectory::new();
    directory
        .expect_resolve()
        .returning(|_| Err(RepositoryError::new(FailureKind::TimedOut, "timeout")));
    let outcome = search(untouched_repository(), directory)
        .search(&valid().with(Param::MobileNumber, "4"))
        .await;
    assert!(
        matches!(outcome, Err(SearchError::Invalid(errors)) if !errors.get(Param::MobileNumber).is_empty())
    );
}

#[test]
fn messages_exist_in_both_languages() {
    let cases = [
        (
            Problem::Required,
            Param::CompanyCode,
            "is required",
            "مطلوب",
        ),
        // A missing language names the values it may take, as a wrong one does.
        (
            Problem::Required,
            Param::Lang,
            "is required and must be ar or en",
            "مطلوب ويجب أن تكون ar أو en",
        ),
        (
            Problem::Invalid(Violation::Empty),
            Param::Lang,
            "is required and must be ar or en",
            "مطلوب ويجب أن تكون ar أو en",
        ),
        (
            Problem::Repeated,
            Param::CustomerId,
            "must be given only once",
            "يجب أن يُرسل مرة واحدة فقط",
        ),
        (
            Problem::Invalid(Violation::MustStartWith5),
            Param::MobileNumber,
            "must start with 5",
            "يجب أن يبدأ بالرقم 5",
        ),
        (
            Problem::Invalid(Violation::TooLong { max: 15 }),
            Param::MobileNumber,
            "must have at most 15 digits",
            "يجب ألا يزيد عن 15 رقماً",
        ),
        (
            Problem::Invalid(Violation::TooLong { max: 64 }),
            Param::ReferenceNo,
            "must be at most 64 characters long",
            "يجب ألا يزيد طوله عن 64 حرفاً",
        ),
        (
            Problem::UnknownCompany,
            Param::CompanyCode,
            "is not a known company code",
            "ليس رمز شركة معروفاً",
        ),
        (
            Problem::Invalid(Violation::UnsupportedLanguage),
            Param::Lang,
            "must be ar or en",
            "يجب أن تكون ar أو en",
        ),
    ];
    for (problem, param, en, ar) in cases {
        assert_eq!(problem.message(param).text(Language::English), en);
        assert_eq!(problem.message(param).text(Language::Arabic), ar);
    }
    // Every problem has a message in each language, and they differ.
    let all = [
        Problem::Required,
        Problem::Repeated,
        Problem::UnknownCompany,
        Problem::NoIdentifier,
        Problem::Invalid(Violation::NotAnInteger),
        Problem::Invalid(Violation::NotPositive),
        Problem::Invalid(Violation::TooLarge),
        Problem::Invalid(Violation::NotDigits),
        Problem::Invalid(Violation::ControlCharacters),
    ];
    for problem in all {
        let en = problem.message(Param::CustomerId).text(Language::English);
        let ar = problem.message(Param::CustomerId).text(Language::Arabic);
        assert!(!en.is_empty() && !ar.is_empty());
        assert_ne!(en, ar, "{problem:?}");
        assert!(
            ar.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
            "{problem:?}"
        );
    }
}

#[tokio::test]
async fn find_takes_validated_values_and_asks_inside_the_resolved_company() {
    let criteria =
        SearchCriteria::new(CustomerId::new(54218).ok(), None, None, None).expect("one identifier");
    let expected = criteria.clone();
    let mut repository = MockCustomerRepository::new();
    repository
        .expect_find_current()
        .withf(move |company, asked| *company == JTC && *asked == expected)
        .times(1)
        .returning(|_, _| Ok(Vec::new()));
    let outcome = search(repository, directory())
        .find(
            &CompanyCode::parse("JTC").expect("well formed"),
            &criteria,
            Language::Arabic,
        )
        .await
        .expect("a known company");
    assert_eq!(outcome.language, Language::Arabic);
    assert!(outcome.customers.is_empty());
}

#[tokio::test]
async fn find_reports_an_unknown_company_without_asking_for_customers() {
    let criteria =
        SearchCriteria::new(CustomerId::new(1).ok(), None, None, None).expect("one identifier");
    let outcome = search(untouched_repository(), directory())
        .find(
            &CompanyCode::parse("nope").expect("well formed"),
            &criteria,
            Language::English,
        )
        .await;
    assert!(
        matches!(&outcome, Err(SearchError::Invalid(errors))
            if errors.get(Param::CompanyCode) == [Problem::UnknownCompany]
                && errors.iter().count() == 1),
        "{outcome:?}"
    );
}

#[test]
fn every_message_of_the_catalogue_reads_in_both_languages() {
    use customer_application::Message;
    let all = [
        Message::Required,
        Message::LanguageRequired,
        Message::Repeated,
        Message::UnknownCompany,
        Message::NoIdentifier,
        Message::NotAnInteger,
        Message::NotPositive,
        Message::TooLarge,
        Message::NotDigits,
        Message::MustStartWith5,
        Message::TooManyDigits { max: 15 },
        Message::TooManyCharacters { max: 64 },
        Message::ControlCharacters,
        Message::UnsupportedLanguage,
        Message::NotADateTime,
        Message::InTheFuture,
        Message::InvalidRequestTitle,
        Message::InvalidRequestDetail,
        Message::QueryTooLongDetail { max: 2048 },
        Message::NotFoundTitle,
        Message::NotFoundDetail,
        Message::MethodNotAllowedTitle,
        Message::MethodNotAllowedDetail { allow: "GET, HEAD" },
        Message::UnavailableTitle,
        Message::UnavailableDetail {
            retry_after_secs: 5,
        },
        Message::UnauthenticatedTitle,
        Message::CredentialMissingDetail,
        Message::CredentialInvalidDetail,
        Message::CredentialSchemeDetail,
        Message::ForbiddenTitle,
        Message::ForbiddenCompanyDetail {
            allowed: "jfc, jtc".to_owned(),
        },
        Message::ForbiddenReadDetail,
        Message::TooManyRequestsTitle,
        Message::TooManyRequestsDetail {
            retry_after_secs: 1,
        },
        Message::AuditUnavailableDetail {
            retry_after_secs: 5,
        },
        Message::CredentialsUnavailableDetail {
            retry_after_secs: 5,
        },
        Message::InternalTitle,
        Message::InternalDetail,
    ];
    for message in &all {
        let en = message.text(Language::English);
        let ar = message.text(Language::Arabic);
        assert!(!en.is_empty(), "{message:?}");
        assert_ne!(en, ar, "{message:?}");
        assert!(
            ar.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
            "{message:?}: {ar}"
        );
    }
    assert_eq!(
        Message::QueryTooLongDetail { max: 2048 }.text(Language::English),
        "The query string must be at most 2048 bytes long."
    );
    assert_eq!(
        Message::UnavailableDetail {
            retry_after_secs: 5
        }
        .text(Language::Arabic),
        "تعذر الوصول إلى قاعدة بيانات العملاء. أعد المحاولة بعد 5 ثوانٍ."
    );
}
