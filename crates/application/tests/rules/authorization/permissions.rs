//! What a caller may do: a lookup needs the permission to read, besides the company; a
//! caller permitted to write only is refused whatever the company, and told so.

use customer_application::SearchOutcome;

use super::*;

/// A caller of `companies` permitted `permissions`.
fn caller_who_may(permissions: Permissions, companies: &str) -> Caller {
    let mut caller = caller(companies);
    caller.profile.permissions = permissions;
    caller
}

/// Fails unless `outcome` is the refusal of a caller that may not read.
fn assert_may_not_read(outcome: &Result<SearchOutcome, SearchError>, what: &str) {
    assert!(
        matches!(outcome, Err(SearchError::ReadNotPermitted)),
        "{what}: {outcome:?}"
    );
}

#[tokio::test]
async fn a_caller_that_may_not_read_is_refused_in_every_company() {
    for companies in ["jtc", "all"] {
        let writer = caller_who_may(Permissions::WRITE, companies);
        // Its own company, another one, one that does not exist: the same refusal, and
        // no port is asked.
        for company in ["jtc", "jfc", "nope"] {
            let outcome = search(untouched_repository(), untouched_directory())
                .search_as(&writer, "req-1", &params(company))
                .await;
            assert_may_not_read(&outcome, &format!("{companies} asking {company}"));
        }
    }
}

#[tokio::test]
async fn the_versions_of_a_customer_need_the_permission_to_read_too() {
    let search = CustomerSearch::new(
        Arc::new(untouched_repository()),
        Arc::new(crate::history::no_history()),
        Arc::new(untouched_directory()),
    );
    let outcome = search
        .versions_as(
            &caller_who_may(Permissions::WRITE, "jtc"),
            "req-1",
            &params("jtc"),
        )
        .await;
    assert_may_not_read(&outcome, "the versions");
}

#[tokio::test]
async fn a_caller_that_may_read_and_write_is_searched() {
    let outcome = search(finding(vec![customer(54218, 1)]), directory())
        .search_as(
            &caller_who_may(Permissions::READ_WRITE, "jtc"),
            "req-1",
            &params("jtc"),
        )
        .await
        .expect("allowed");
    assert_eq!(outcome.customers, [customer(54218, 1)]);
}

#[tokio::test]
async fn an_invalid_request_of_a_caller_that_may_not_read_tells_nothing_of_the_company() {
    // Its problems are reported as anyone's; that the company does not exist is not,
    // even to a caller of every company: it may read none.
    let errors = invalid(
        search(untouched_repository(), untouched_directory())
            .search_as(
                &caller_who_may(Permissions::WRITE, "all"),
                "req-1",
                &params("nope").with(Param::MobileNumber, "4"),
            )
            .await,
    );
    assert_eq!(
        errors.get(Param::MobileNumber),
        [Problem::Invalid(Violation::MustStartWith5)]
    );
    assert!(errors.get(Param::CompanyCode).is_empty(), "{errors:?}");
}

#[tokio::test]
async fn a_refusal_for_want_of_reading_is_not_recorded() {
    let (search, task) = audited(
        search(untouched_repository(), untouched_directory()),
        untouched_trail(),
    );
    let outcome = search
        .search_as(
            &caller_who_may(Permissions::WRITE, "jtc"),
            "req-1",
            &params("jtc"),
        )
        .await;
    assert_may_not_read(&outcome, "audited");
    finish(search, task).await;
}

#[tokio::test]
async fn the_anonymous_search_may_read() {
    // Authentication off: `search` is the anonymous caller's, which may read and write.
    let outcome = search(finding(vec![customer(54218, 1)]), directory())
        .search(&params("jtc"))
        .await
        .expect("allowed");
    assert_eq!(outcome.customers, [customer(54218, 1)]);
}
